package terminal

import (
	"context"
	"errors"
	"time"

	"hall"
	"hall/drivers"
	"hall/queueserver/httpapi"
)

// answer is a visitor's rating from the pad or the citizen screen.
type answer struct {
	level  hall.RatingLevel
	source hall.RatingSource
}

// startRating asks the visitor to rate ticket tk, replacing a rating that is still being asked.
// The pad and the citizen screen ask at once; the first answer counts. No answer before the
// timeout records "not rated"; a bad level then asks for the reasons. The rating is stored with
// one idempotency key, retried until the server answers.
func (t *Terminal) startRating(tk hall.Ticket) {
	ctx, cancel := context.WithCancel(t.ctx)
	t.mu.Lock()
	if t.ratingCancel != nil {
		t.ratingCancel()
	}
	t.ratingCancel = cancel
	t.mu.Unlock()
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		defer cancel()
		t.rate(ctx, tk)
	}()
}

func (t *Terminal) rate(ctx context.Context, tk hall.Ticket) {
	_, staff := t.ids()
	timeout := t.o.RatingTimeout
	t.update(func() {
		t.rating = func(l Lang) string { return tr(l, "rate_asking", tk.Code, int(timeout/time.Second)) }
	})
	answers := make(chan answer, 2)
	askCtx, stopAsking := context.WithTimeout(ctx, timeout+3*time.Second)
	defer stopAsking()
	padDone := make(chan error, 1)
	if t.o.Pad != nil {
		go func() {
			s, err := t.o.Pad.Rate(askCtx, drivers.RatingRequest{Ticket: tk.Code, Staff: staff, Timeout: timeout})
			if err == nil || errors.Is(err, drivers.ErrRatingTimeout) || errors.Is(err, drivers.ErrRatingCancelled) {
				t.health(hall.ComponentPad, nil)
			} else if askCtx.Err() == nil {
				t.health(hall.ComponentPad, err)
			}
			if err == nil {
				answers <- answer{padLevel(s.Level), hall.RatingFromPad}
			}
			padDone <- err
		}()
	}
	if t.citizen != nil {
		t.citizen.askLevel(tk, staff, func(l hall.RatingLevel) { answers <- answer{l, hall.RatingFromScreen} })
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	var got answer
	source := hall.RatingFromPad
	if t.o.Pad == nil {
		source = hall.RatingFromScreen
	}
	notRated := answer{hall.RatingNotRated, source}
	select {
	case got = <-answers:
	case err := <-padDone:
		switch {
		case errors.Is(err, drivers.ErrRatingTimeout), errors.Is(err, drivers.ErrRatingCancelled):
			if t.citizen == nil {
				got = notRated
				break
			}
			// the citizen screen may still answer until the timeout
			select {
			case got = <-answers:
			case <-timer.C:
				got = notRated
			case <-ctx.Done():
				t.endRating(nil)
				return
			}
		case ctx.Err() != nil:
			t.endRating(nil)
			return
		default:
			// the pad failed: the citizen screen can still answer, else nothing is recorded
			t.deviceErr("dev_pad", err)
			if t.citizen == nil {
				t.endRating(func(l Lang) string { return tr(l, "rate_failed", err.Error()) })
				return
			}
			select {
			case got = <-answers:
			case <-timer.C:
				got = notRated
			case <-ctx.Done():
				t.endRating(nil)
				return
			}
		}
	case <-timer.C:
		got = notRated
	case <-ctx.Done():
		t.endRating(nil)
		return
	}
	stopAsking() // the pad's Rate ends (it is told to cancel); the screen stops asking
	if t.citizen != nil {
		t.citizen.stopLevels()
	}
	if t.o.Pad != nil && got.source == hall.RatingFromScreen {
		cctx, cancel := context.WithTimeout(t.ctx, 2*time.Second)
		t.o.Pad.Cancel(cctx)
		cancel()
	}
	req := hall.RatingRequest{TicketID: tk.ID, CounterID: tk.CounterID, Level: got.level, Source: got.source}
	if req.CounterID == "" {
		req.CounterID, _ = t.ids()
	}
	if got.level.Bad() {
		req.Reasons, req.Comment = t.askReasons(ctx, tk)
	}
	if t.citizen != nil {
		t.citizen.thank(got.level)
	}
	key := httpapi.NewIdempotencyKey()
	op := &pendingOp{name: "op_rate", key: key, run: func(ctx context.Context, api *httpapi.Client) error {
		_, err := api.RecordRating(ctx, req)
		return err
	}}
	err := t.attempt(op)
	if err == nil {
		t.endRating(func(l Lang) string { return tr(l, "rate_done", tk.Code, got.level.Label(l == English)) })
	} else {
		t.endRating(func(l Lang) string { return refusalText(l, "op_rate", err) })
	}
	t.resyncNow()
}

// askReasons asks for the reasons of a bad rating on the citizen screen, or else on the clerk's
// window (the clerk turns it to the visitor). A visitor who gives none before the timeout is
// recorded as "other: the visitor gave no reason".
func (t *Terminal) askReasons(ctx context.Context, tk hall.Ticket) ([]hall.RatingReason, string) {
	type reply struct {
		reasons []hall.RatingReason
		comment string
	}
	ch := make(chan reply, 1)
	done := func(rs []hall.RatingReason, comment string) {
		select {
		case ch <- reply{rs, comment}:
		default:
		}
	}
	var closeAsk func()
	if t.citizen != nil {
		closeAsk = t.citizen.askReasons(done)
	} else {
		closeAsk = t.ui.askReasons(done)
	}
	defer closeAsk()
	select {
	case r := <-ch:
		if len(r.reasons) > 0 {
			return r.reasons, r.comment
		}
	case <-time.After(t.o.RatingTimeout):
	case <-ctx.Done():
	}
	return []hall.RatingReason{hall.ReasonOther}, tr(Chinese, "reason_none")
}

// endRating shows msg (in the clerk's language at each render; nil for nothing) in place of the
// rating being asked.
func (t *Terminal) endRating(msg func(Lang) string) {
	t.update(func() { t.rating = msg })
	if t.citizen != nil {
		t.citizen.refresh()
	}
}
