package bolt

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	bbolt "go.etcd.io/bbolt"

	"hall"
)

// CloseDay ends day (闭厅): every live ticket of that day or earlier expires (recorded, not
// deleted), every booking of those days not checked in expires, and counters logged in since
// that day or earlier are logged out. Tickets and sessions of later days are left alone, so a
// late catch-up close of yesterday does not touch this morning. Running it again changes nothing
// (AlreadyRan). EINVALID for a malformed day.
func (s *Store) CloseDay(ctx context.Context, day hall.Day) (hall.DayCloseReport, error) {
	rep := hall.DayCloseReport{Day: day}
	if _, err := day.Start(time.UTC); err != nil {
		return rep, err
	}
	err := s.update(ctx, func(w *wtx) error {
		rep = hall.DayCloseReport{Day: day}
		counters := map[string]*hall.Counter{}
		forEach(w.tx, bucketCounters, func(c hall.Counter) {
			if c.State != hall.CounterLoggedOut && hall.DayOf(c.Since, w.loc()) <= day {
				cc := c
				counters[c.ID] = &cc
			}
		})
		// Collect the live tickets of the day from the indexes and the counters.
		var ids []string
		for _, b := range [][]byte{bucketWaiting, bucketDirected} {
			w.bucket(b).ForEach(func(k, _ []byte) error {
				if id := string(k[len(k)-17:]); len(k) >= 17 && dayOfID(id) <= day {
					ids = append(ids, id)
				}
				return nil
			})
		}
		var held [][]byte
		w.bucket(bucketHeld).ForEach(func(k, _ []byte) error {
			if len(k) >= 17 && dayOfID(string(k[len(k)-17:])) <= day {
				held = append(held, append([]byte(nil), k...))
				ids = append(ids, string(k[len(k)-17:]))
			}
			return nil
		})
		for _, c := range counters {
			if c.TicketID != "" {
				ids = append(ids, c.TicketID)
			}
		}
		for _, id := range ids {
			t, err := w.loadTicket(id)
			if err != nil {
				return err
			}
			if !t.State.Live() {
				continue
			}
			before := *t
			if err := t.Expire(w.now); err != nil {
				return err
			}
			if err := w.retire(&before, t, hall.EventTicketExpired, "day_close"); err != nil {
				return err
			}
			rep.Expired++
		}
		for _, k := range held {
			if err := w.del(bucketHeld, k); err != nil {
				return err
			}
		}
		for _, c := range counters {
			before := *c
			c.ForceLogout(w.now)
			if err := w.putCounter(&before, *c); err != nil {
				return err
			}
			e := hall.CounterEvent(hall.EventCounterLogout, *c, day, w.now, "day_close")
			e.StaffID = before.StaffID
			if err := w.emit(e); err != nil {
				return err
			}
			rep.LoggedOut++
		}
		// Bookings: only days after the last close can still be live.
		var closed hall.Day
		if v := w.bucket(bucketMeta).Get(metaClosedThrough); v != nil {
			closed = hall.Day(v)
		}
		cur := w.bucket(bucketAppts).Cursor()
		var expire []hall.Appointment
		start := []byte(dayID(closed, 0))
		if closed == "" {
			start = nil
		}
		for k, v := cur.Seek(start); k != nil && dayOfID(string(k)) <= day; k, v = cur.Next() {
			var a hall.Appointment
			if err := json.Unmarshal(v, &a); err != nil {
				return internal("decode appointment", err)
			}
			if a.State == hall.AppointmentBooked {
				expire = append(expire, a)
			}
		}
		for _, a := range expire {
			a.State = hall.AppointmentExpired
			if err := w.put(bucketAppts, []byte(a.ID), a); err != nil {
				return err
			}
			rep.Cancelled++
		}
		if err := w.pruneIdempotency(); err != nil {
			return err
		}
		if rep.Expired == 0 && rep.LoggedOut == 0 && rep.Cancelled == 0 && closed >= day {
			rep.AlreadyRan = true
			return nil
		}
		if day > closed {
			if err := w.putRaw(bucketMeta, metaClosedThrough, []byte(day)); err != nil {
				return err
			}
		}
		return w.emit(hall.Event{Type: hall.EventDayClosed, Day: day, Note: "expired=" + strconv.Itoa(rep.Expired) + " loggedOut=" + strconv.Itoa(rep.LoggedOut) + " bookingsExpired=" + strconv.Itoa(rep.Cancelled)})
	})
	return rep, err
}

// ClosedThrough returns the last day closed ("" if none).
func (s *Store) ClosedThrough(ctx context.Context) (hall.Day, error) {
	var d hall.Day
	err := s.view(func(tx *bbolt.Tx) error {
		d = hall.Day(tx.Bucket(bucketMeta).Get(metaClosedThrough))
		return nil
	})
	return d, err
}

// DueDayClose says which day should be closed at now, if any: today once the hall's close time
// has passed, or an earlier day the server missed while it was down. A 24-hour hall (NoDayClose)
// never closes.
func DueDayClose(h hall.Hall, closed hall.Day, now time.Time) (hall.Day, bool) {
	if h.NoDayClose {
		return "", false
	}
	loc, err := h.Location()
	if err != nil {
		return "", false
	}
	today := hall.DayOf(now, loc)
	if hall.ClockOf(now, loc) >= h.DayClose && closed < today {
		return today, true
	}
	start, _ := today.Start(loc)
	yesterday := hall.DayOf(start.Add(-time.Hour), loc)
	if closed < yesterday {
		return yesterday, true
	}
	return "", false
}

// RunDayClose closes days as they become due, checking every interval, until ctx ends.
func (s *Store) RunDayClose(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		h, err := s.Hall(ctx)
		closed, err2 := s.ClosedThrough(ctx)
		if err == nil && err2 == nil {
			if day, due := DueDayClose(h, closed, s.now()); due {
				rep, err := s.CloseDay(ctx, day)
				if err != nil {
					s.log.Error("day close failed", "day", day, "err", err)
				} else {
					s.log.Info("day closed", "day", day, "expired", rep.Expired, "loggedOut", rep.LoggedOut, "bookingsExpired", rep.Cancelled)
				}
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// IdempotencyRetention is how long a stored idempotent result answers retries.
const IdempotencyRetention = 48 * time.Hour
