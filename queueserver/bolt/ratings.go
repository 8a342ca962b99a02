package bolt

import (
	"context"

	bbolt "go.etcd.io/bbolt"

	"hall"
)

var _ hall.Ratings = (*Store)(nil)

var (
	bucketRatings = []byte("ratings") // ticket id → hall.Rating (one per ticket)
	// bucketFigures holds each clerk's figures at each counter per day, kept up to date by
	// every counted event in the event's own transaction: day 0x00 counter id 0x00 staff id →
	// hall.CounterFigures.
	bucketFigures = []byte("figures")
)

func figuresKey(day hall.Day, counterID, staffID string) []byte {
	return joinKey(string(day), counterID, staffID)
}

// RecordRating stores a visitor's rating of a ticket and its rating.recorded event in one step.
// EINVALID for a bad request; ENOTFOUND for an unknown ticket or counter; ECONFLICT
// ("already_rated") for a second rating of the ticket, or when the ticket was not served at the
// counter today (hall.NewRating).
func (s *Store) RecordRating(ctx context.Context, r hall.RatingRequest) (hall.Rating, error) {
	if err := r.Validate(); err != nil {
		return hall.Rating{}, err
	}
	var out hall.Rating
	err := s.updateOut(withOp(ctx, "rate:"+r.TicketID), &out, func(w *wtx) error {
		t, err := w.loadTicket(r.TicketID)
		if err != nil {
			return err
		}
		c, err := w.loadCounter(r.CounterID)
		if err != nil {
			return err
		}
		if w.bucket(bucketRatings).Get([]byte(t.ID)) != nil {
			return hall.AlreadyRated(t.Code)
		}
		rt, err := hall.NewRating(r, *t, *c, w.today(), w.now)
		if err != nil {
			return err
		}
		if err := w.ratingCase(&rt); err != nil {
			return err
		}
		if err := w.put(bucketRatings, []byte(rt.ID), rt); err != nil {
			return err
		}
		out = rt
		return w.emit(hall.Event{
			Type: hall.EventRatingRecorded, Day: rt.Day, AreaID: rt.AreaID, ServiceID: rt.ServiceID,
			CounterID: rt.CounterID, StaffID: rt.StaffID, Rating: &rt, Note: rt.Level.Label(false),
		})
	})
	return out, err
}

// Rating returns the rating of a ticket. ENOTFOUND ("rating_not_found") if it has none.
func (s *Store) Rating(ctx context.Context, ticketID string) (hall.Rating, error) {
	return one[hall.Rating](s, bucketRatings, ticketID, "rating_not_found", "评价", "rating")
}

// CounterFigures returns the figures of staffID at counterID on day, as counted by the events of
// that day (zero figures when there are none).
func (s *Store) CounterFigures(ctx context.Context, day hall.Day, counterID, staffID string) (hall.CounterFigures, error) {
	f := hall.CounterFigures{Day: day, CounterID: counterID, StaffID: staffID}
	err := s.view(func(tx *bbolt.Tx) error {
		_, err := getJSON(tx.Bucket(bucketFigures), figuresKey(day, counterID, staffID), &f)
		return err
	})
	return f, err
}

// countFigures adds e to the figures of its counter and clerk. It runs for every event, in the
// event's transaction, so the figures always agree with the event log.
func (w *wtx) countFigures(e hall.Event) error {
	if e.CounterID == "" || e.StaffID == "" {
		return nil
	}
	key := figuresKey(e.Day, e.CounterID, e.StaffID)
	f := hall.CounterFigures{Day: e.Day, CounterID: e.CounterID, StaffID: e.StaffID}
	probe := f
	if !probe.Count(e) {
		return nil
	}
	if _, err := w.get(bucketFigures, key, &f); err != nil {
		return err
	}
	f.Count(e)
	return w.put(bucketFigures, key, f)
}
