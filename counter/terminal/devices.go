package terminal

import (
	"context"
	"errors"
	"strconv"
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

// showCall shows a call on the window sign: the ticket and window, then the clerk's number.
func (t *Terminal) showCall(tk hall.Ticket) {
	if t.o.Sign == nil {
		return
	}
	t.mu.Lock()
	number, staff := t.counter.Number, t.staff.ID
	t.mu.Unlock()
	if tk.CounterNumber != 0 {
		number = tk.CounterNumber
	}
	ctx, cancel := context.WithTimeout(t.ctx, 5*time.Second)
	defer cancel()
	err := t.o.Sign.ShowCall(ctx, tk.Code, strconv.Itoa(number), signBlink)
	if err == nil {
		err = t.o.Sign.ShowText(ctx, 2, cut(tr(Chinese, "sign_staff", staff), signRunes))
	}
	t.deviceErr("dev_sign", err)
	t.health(hall.ComponentSign, err)
	if t.citizen != nil {
		t.citizen.refresh()
	}
}

// showCounterOnDevices shows the counter's resting state on the sign and the pad: the pause
// message while paused, otherwise the window and the clerk's number.
func (t *Terminal) showCounterOnDevices(ctx context.Context) {
	t.mu.Lock()
	c, staff := t.counter, t.staff.ID
	t.mu.Unlock()
	// The model may lag the operation that just ended: read the counter afresh.
	t.mu.Lock()
	api, id := t.api, t.counterID
	t.mu.Unlock()
	if api != nil {
		rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		if fresh, err := api.Counter(rctx, id); err == nil {
			c = fresh
		}
		cancel()
	}
	if t.citizen != nil {
		t.citizen.refresh()
	}
	if t.o.Sign != nil {
		sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		var lines []string
		switch c.State {
		case hall.CounterPaused:
			lines = []string{tr(Chinese, "sign_paused"), c.PauseReason}
		case hall.CounterServing:
			// the call stays on the sign until the ticket ends
		default:
			lines = []string{tr(Chinese, "sign_idle", c.Number), tr(Chinese, "sign_staff", staff)}
		}
		var err error
		if lines != nil {
			err = t.o.Sign.Clear(sctx)
			for i := 0; err == nil && i < len(lines); i++ {
				err = t.o.Sign.ShowText(sctx, i+1, cut(lines[i], signRunes))
			}
		}
		t.deviceErr("dev_sign", err)
		t.health(hall.ComponentSign, err)
	}
	if t.o.Pad != nil && c.State != hall.CounterServing {
		// The pad shows the window and clerk between ratings; this also checks it answers.
		pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		err := t.o.Pad.Idle(pctx, tr(Chinese, "sign_idle", c.Number)+" "+tr(Chinese, "sign_staff", staff))
		t.deviceErr("dev_pad", err)
		t.health(hall.ComponentPad, err)
	}
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
