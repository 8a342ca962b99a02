package httpapi

import (
	"context"
	"net/http"

	"hall"
)

// caseRoutes are the routes of cases, licences and the platform sync.
func (s *Server) caseRoutes() []Route {
	return []Route{
		{"POST", "/api/v1/cases", staff, s.openCase},
		{"GET", "/api/v1/cases", staff, s.listCases},
		{"GET", "/api/v1/cases/{id}", staff, s.getCase},
		{"POST", "/api/v1/cases/{id}/{step}", staff, s.stepCase},

		{"POST", "/api/v1/licences/lookup", kiosks, s.lookupLicences},
		{"POST", "/api/v1/licences/{id}/reserve", kiosks, s.reserveLicence},
		{"POST", "/api/v1/licences/{id}/handover", kiosks, s.handOverLicence},
		{"POST", "/api/v1/licences/{id}/release", kiosks, s.releaseLicence},
		{"GET", "/api/v1/licences/verify/{code}", everyone, s.verifyLicence},

		{"GET", "/api/v1/backend/status", managers, s.syncStatus},
	}
}

// kiosks is the role set of the licence routes: only a kiosk prints and hands over.
var kiosks = []Role{RoleKiosk}

// SyncStatus reports the outboxes to the platform (backend.Outbox implements it through Main).
type SyncStatus interface {
	SyncStatus(ctx context.Context) ([]hall.OutboxStatus, error)
}

// CaseStepRequest is the body of POST /cases/{id}/{step}: the counter acting and, for suspend
// and withdraw, the reason (for complete, an optional note).
type CaseStepRequest struct {
	CounterID string `json:"counterId"`
	Note      string `json:"note,omitempty"`
}

var errCasesOff = hall.Errorf(hall.EUNAVAILABLE, "cases_off", "本服务器未开启办件功能", "cases are not enabled on this server")

func (s *Server) openCase(w http.ResponseWriter, r *http.Request, p Principal) error {
	return caseAtCounter(s, w, r, p, http.StatusCreated, func(req hall.OpenCaseRequest) string { return req.CounterID },
		func(ctx context.Context, req hall.OpenCaseRequest) (hall.Case, error) {
			return s.cfg.Cases.OpenCase(ctx, req)
		})
}

func (s *Server) stepCase(w http.ResponseWriter, r *http.Request, p Principal) error {
	return caseAtCounter(s, w, r, p, http.StatusOK, func(req CaseStepRequest) string { return req.CounterID },
		func(ctx context.Context, req CaseStepRequest) (hall.Case, error) {
			return s.cfg.Cases.StepCase(ctx, r.PathValue("id"), hall.CaseStep(r.PathValue("step")), req.CounterID, req.Note)
		})
}

// caseAtCounter runs a case operation at a counter: it decodes the body into a Req, lets a
// clerk act only at their own counter, passes the Idempotency-Key down, and answers the case
// (public copy) with status.
func caseAtCounter[Req any](s *Server, w http.ResponseWriter, r *http.Request, p Principal, status int,
	counterOf func(Req) string, do func(context.Context, Req) (hall.Case, error)) error {
	if s.cfg.Cases == nil {
		return errCasesOff
	}
	var req Req
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if err := s.checkOwnCounter(r.Context(), p, counterOf(req)); err != nil {
		return err
	}
	ctx, err := withIdempotency(r, p)
	if err != nil {
		return err
	}
	c, err := do(ctx, req)
	if err != nil {
		return err
	}
	writeJSON(w, status, c.Public())
	return nil
}

func (s *Server) getCase(w http.ResponseWriter, r *http.Request, p Principal) error {
	if s.cfg.Cases == nil {
		return errCasesOff
	}
	c, err := s.cfg.Cases.Case(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c.Public())
	return nil
}

// listCases lists the cases of ?day= (default today, hall-local).
func (s *Server) listCases(w http.ResponseWriter, r *http.Request, p Principal) error {
	if s.cfg.Cases == nil {
		return errCasesOff
	}
	day := hall.Day(r.URL.Query().Get("day"))
	if day == "" {
		h, err := s.cfg.Catalog.Hall(r.Context())
		if err != nil {
			return err
		}
		loc, err := h.Location()
		if err != nil {
			return err
		}
		day = hall.DayOf(s.cfg.Now(), loc)
	}
	cs, err := s.cfg.Cases.CasesOfDay(r.Context(), day)
	if err != nil {
		return err
	}
	return writePublic(w, cs)
}

func (s *Server) syncStatus(w http.ResponseWriter, r *http.Request, p Principal) error {
	if s.cfg.Sync == nil {
		writeJSON(w, http.StatusOK, []hall.OutboxStatus{})
		return nil
	}
	st, err := s.cfg.Sync.SyncStatus(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, nonNil(st))
	return nil
}
