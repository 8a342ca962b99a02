package terminal

import (
	"context"
	"errors"
	"time"
	"unicode/utf8"

	"hall"
	"hall/drivers"
)

// signBlink is how long the sign blinks a new call.
const signBlink = 10 * time.Second

// signRunes is what a line of the LED sign holds; longer texts are cut.
const signRunes = 16

func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n])
}

// showCall shows a call on the window sign: the ticket and window, blinking, then the clerk's
// number. It runs after every call, recall and resume, also for the same ticket again.
func (t *Terminal) showCall(tk hall.Ticket) {
	t.mu.Lock()
	number, staff := t.counter.Number, t.staff.ID
	t.mu.Unlock()
	t.paintSign(t.ctx, callView(tk, number, staff), true)
	if t.citizen != nil {
		t.citizen.refresh()
	}
}

// showCounterOnDevices shows the counter as the server has it now on the sign and the pad: the
// pause message while paused, the ticket at the counter while serving, otherwise the window and
// the clerk's number. It runs after the operations that end or move a ticket and at login.
func (t *Terminal) showCounterOnDevices(ctx context.Context) {
	t.mu.Lock()
	api, id, c, cur, staff := t.api, t.counterID, t.counter, t.current, t.staff.ID
	t.mu.Unlock()
	// The model may lag the operation that just ended: read the counter afresh.
	if api != nil {
		rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		if fresh, err := api.Counter(rctx, id); err == nil {
			c = fresh
			if c.TicketID != "" && (cur == nil || cur.ID != c.TicketID) {
				cur = nil
				if st, err := api.Ticket(rctx, c.TicketID); err == nil {
					cur = &st.Ticket
				}
			}
		}
		cancel()
	}
	if t.citizen != nil {
		t.citizen.refresh()
	}
	v := counterView(c, cur, staff)
	t.paintSign(ctx, v, false)
	t.showPadIdle(ctx, c, staff)
}

// showPadIdle shows the window and clerk on the pad between ratings; this also checks it answers.
func (t *Terminal) showPadIdle(ctx context.Context, c hall.Counter, staff string) {
	if t.o.Pad == nil || c.State == hall.CounterServing || c.State == hall.CounterLoggedOut {
		return
	}
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	err := t.o.Pad.Idle(pctx, tr(Chinese, "sign_idle", c.Number)+" "+tr(Chinese, "sign_staff", staff))
	t.deviceErr("dev_pad", err)
	t.health(hall.ComponentPad, err)
}

// deviceErr tells the clerk about a device fault (nil does nothing).
func (t *Terminal) deviceErr(devKey string, err error) {
	if err == nil || errors.Is(err, context.Canceled) {
		return
	}
	t.o.Logger.Warn("device", "device", devKey, "err", err)
	t.setNotice(t.text("device_fault", t.text(devKey), err.Error()))
}

// padLevel converts a pad key (1 best … 5 worst) to the national level (5 best … 1 worst).
func padLevel(l drivers.RatingLevel) hall.RatingLevel { return hall.RatingLevel(6 - int(l)) }
