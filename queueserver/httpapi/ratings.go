package httpapi

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"hall"
)

// The routes of ratings (好差评) and of the counter terminal's desk (waiting list, today's
// figures). They are added to the route table by routeTable.
func (s *Server) ratingRoutes() []Route {
	return []Route{
		{"POST", "/api/v1/ratings", staff, s.recordRating},
		{"GET", "/api/v1/tickets/{id}/rating", staff, s.getRating},
		{"GET", "/api/v1/counters/{id}/waiting", staff, s.counterWaiting},
		{"GET", "/api/v1/counters/{id}/today", staff, s.counterToday},
	}
}

// clerkAt refuses a clerk who is not logged in at counter id; managers pass. It returns the counter.
func (s *Server) clerkAt(ctx context.Context, id string, p Principal) (hall.Counter, error) {
	c, err := s.cfg.Reader.Counter(ctx, id)
	if err != nil {
		return c, err
	}
	if p.Role == RoleClerk && (c.State == hall.CounterLoggedOut || c.StaffID != p.StaffID) {
		return c, hall.Errorf(hall.EFORBIDDEN, reasonNotYourCounter, "您未在 %d 号窗口登录", "you are not logged in at counter %d", c.Number)
	}
	return c, nil
}

// recordRating stores a visitor's rating. A clerk records ratings only at the counter they are
// logged in to. 201 with the rating; a retry with the same Idempotency-Key gets the same answer.
func (s *Server) recordRating(w http.ResponseWriter, r *http.Request, p Principal) error {
	var req hall.RatingRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if err := req.Validate(); err != nil {
		return err
	}
	if _, err := s.clerkAt(r.Context(), req.CounterID, p); err != nil {
		return err
	}
	ctx, err := withIdempotency(r, p)
	if err != nil {
		return err
	}
	rt, err := s.cfg.Ratings.RecordRating(ctx, req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, rt)
	return nil
}

func (s *Server) getRating(w http.ResponseWriter, r *http.Request, p Principal) error {
	rt, err := s.cfg.Ratings.Rating(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rt)
	return nil
}

// counterWaiting lists the tickets the counter could call (?limit=, default and cap
// hall.MaxWaitingList), public copies.
func (s *Server) counterWaiting(w http.ResponseWriter, r *http.Request, p Principal) error {
	limit := 0
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return hall.Errorf(hall.EINVALID, "bad_limit", "limit 应为正整数", "limit must be a positive number")
		}
		limit = n
	}
	if _, err := s.clerkAt(r.Context(), r.PathValue("id"), p); err != nil {
		return err
	}
	ts, err := s.cfg.Desk.WaitingFor(r.Context(), r.PathValue("id"), limit)
	if err != nil {
		return err
	}
	return writePublic(w, ts)
}

// counterToday returns today's figures of the clerk logged in at the counter (a manager may name
// another clerk with ?staff=).
func (s *Server) counterToday(w http.ResponseWriter, r *http.Request, p Principal) error {
	c, err := s.clerkAt(r.Context(), r.PathValue("id"), p)
	if err != nil {
		return err
	}
	staffID := c.StaffID
	if v := r.URL.Query().Get("staff"); v != "" && p.Role != RoleClerk {
		staffID = v
	}
	h, err := s.cfg.Catalog.Hall(r.Context())
	if err != nil {
		return err
	}
	loc, err := h.Location()
	if err != nil {
		return err
	}
	f, err := s.cfg.Desk.CounterFigures(r.Context(), hall.DayOf(s.cfg.Now(), loc), c.ID, staffID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, FiguresView{CounterFigures: f, AverageService: f.AverageService()})
	return nil
}

// FiguresView is the answer of GET /counters/{id}/today: the figures and their average service time.
type FiguresView struct {
	hall.CounterFigures
	AverageService time.Duration `json:"averageService"`
}

// RecordRating stores a visitor's rating (201). EINVALID for a bad request (a bad level needs a
// reason); ECONFLICT "already_rated" for a second rating of the ticket; EFORBIDDEN for a clerk
// of another counter. Pass a context with hall.WithIdempotencyKey to retry safely.
func (c *Client) RecordRating(ctx context.Context, r hall.RatingRequest) (hall.Rating, error) {
	var out hall.Rating
	err := c.do(ctx, http.MethodPost, "/api/v1/ratings", r, &out)
	return out, err
}

// Rating returns a ticket's rating. ENOTFOUND "rating_not_found" if it has none.
func (c *Client) Rating(ctx context.Context, ticketID string) (hall.Rating, error) {
	var out hall.Rating
	err := c.do(ctx, http.MethodGet, "/api/v1/tickets/"+esc(ticketID)+"/rating", nil, &out)
	return out, err
}

// Waiting lists the tickets a counter could call, at most limit (0 for the server's cap).
func (c *Client) Waiting(ctx context.Context, counterID string, limit int) ([]hall.Ticket, error) {
	var out []hall.Ticket
	path := "/api/v1/counters/" + esc(counterID) + "/waiting"
	if limit > 0 {
		path += "?limit=" + strconv.Itoa(limit)
	}
	err := c.do(ctx, http.MethodGet, path, nil, &out)
	return out, err
}

// Today returns today's figures of the clerk logged in at a counter.
func (c *Client) Today(ctx context.Context, counterID string) (FiguresView, error) {
	var out FiguresView
	err := c.do(ctx, http.MethodGet, "/api/v1/counters/"+esc(counterID)+"/today", nil, &out)
	return out, err
}
