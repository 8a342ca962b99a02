package httpapi

import (
	"net/http"

	"hall"
)

// LicenceLookup is the body of POST /licences/lookup and /licences/{id}/reserve: the ID number
// read from the visitor's card (in the body, never in a URL or a log).
type LicenceLookup struct {
	IDNumber string `json:"idNumber"`
}

// LicencePrint is what a kiosk gets when it reserves a licence: the licence with its
// verification code and, when the platform sent one, its PDF (base64 in JSON).
type LicencePrint struct {
	Licence hall.Licence `json:"licence"`
	PDF     []byte       `json:"pdf,omitempty"`
}

// LicenceRelease is the body of POST /licences/{id}/release: why the print failed.
type LicenceRelease struct {
	Reason string `json:"reason"`
}

var errLicencesOff = hall.Errorf(hall.EUNAVAILABLE, "licences_off", "本服务器未开启自助打证", "licence printing is not enabled on this server")

func (s *Server) lookupLicences(w http.ResponseWriter, r *http.Request, p Principal) error {
	if s.cfg.Licences == nil {
		return errLicencesOff
	}
	var req LicenceLookup
	if err := decode(w, r, &req); err != nil {
		return err
	}
	ls, err := s.cfg.Licences.LicencesFor(r.Context(), req.IDNumber)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, nonNil(ls))
	return nil
}

func (s *Server) reserveLicence(w http.ResponseWriter, r *http.Request, p Principal) error {
	if s.cfg.Licences == nil {
		return errLicencesOff
	}
	var req LicenceLookup
	if err := decode(w, r, &req); err != nil {
		return err
	}
	l, pdf, err := s.cfg.Licences.ReserveLicence(r.Context(), r.PathValue("id"), req.IDNumber, p.DeviceID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, LicencePrint{Licence: l, PDF: pdf})
	return nil
}

func (s *Server) handOverLicence(w http.ResponseWriter, r *http.Request, p Principal) error {
	if s.cfg.Licences == nil {
		return errLicencesOff
	}
	l, err := s.cfg.Licences.HandOverLicence(r.Context(), r.PathValue("id"), p.DeviceID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, l)
	return nil
}

func (s *Server) releaseLicence(w http.ResponseWriter, r *http.Request, p Principal) error {
	if s.cfg.Licences == nil {
		return errLicencesOff
	}
	var req LicenceRelease
	if err := decode(w, r, &req); err != nil {
		return err
	}
	l, err := s.cfg.Licences.ReleaseLicence(r.Context(), r.PathValue("id"), p.DeviceID, req.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, l)
	return nil
}

// verifyLicence answers the QR code on a print: what the licence is, whose (masked), and
// whether and when it was handed over.
func (s *Server) verifyLicence(w http.ResponseWriter, r *http.Request, p Principal) error {
	if s.cfg.Licences == nil {
		return errLicencesOff
	}
	l, err := s.cfg.Licences.LicenceByVerifyCode(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, l)
	return nil
}
