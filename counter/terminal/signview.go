package terminal

import (
	"context"
	"strconv"
	"time"

	"hall"
)

// signView is what the LED window sign should show for a state of the counter. Its key tells
// two views apart, so that the terminal writes the sign only when the view changes (or when a
// call or recall announces a ticket again).
type signView struct {
	key    string // "" for "nothing to show" (logged out, or the ticket not known yet)
	call   string // the ticket announced on line 1 ("" for text lines)
	window string
	lines  []string // the text lines, from line 1; with a call, line 2 onwards
}

// callView is the sign for ticket tk called to counter number, with the clerk's number below.
func callView(tk hall.Ticket, number int, staff string) signView {
	if tk.CounterNumber != 0 {
		number = tk.CounterNumber
	}
	return signView{key: "call|" + tk.ID, call: tk.Code, window: strconv.Itoa(number),
		lines: []string{tr(Chinese, "sign_staff", staff)}}
}

// counterView is the sign for counter c as the server has it, with cur the ticket at the
// counter (nil if unknown).
func counterView(c hall.Counter, cur *hall.Ticket, staff string) signView {
	switch c.State {
	case hall.CounterPaused:
		return signView{key: "paused|" + c.PauseReason, lines: []string{tr(Chinese, "sign_paused"), c.PauseReason}}
	case hall.CounterServing:
		if cur == nil || cur.ID != c.TicketID {
			return signView{}
		}
		return callView(*cur, c.Number, staff)
	case hall.CounterIdle:
		return signView{key: "idle|" + strconv.Itoa(c.Number) + "|" + staff,
			lines: []string{tr(Chinese, "sign_idle", c.Number), tr(Chinese, "sign_staff", staff)}}
	}
	return signView{}
}

// signRetry is how often a resync tries again to put a view on a sign that failed.
const signRetry = 30 * time.Second

// paintSign puts view v on the sign: always when announce (a call or recall, blinking), else
// only when the sign shows another view. A failure is told to the clerk once per view; the next
// resync tries again.
func (t *Terminal) paintSign(ctx context.Context, v signView, announce bool) {
	if t.o.Sign == nil || v.key == "" {
		return
	}
	t.signMu.Lock()
	defer t.signMu.Unlock()
	t.paintSignLocked(ctx, v, announce)
}

// paintSignLocked is paintSign with signMu held.
func (t *Terminal) paintSignLocked(ctx context.Context, v signView, announce bool) {
	if !announce && v.key == t.signShown {
		return
	}
	if !announce && v.key == t.signFailed && time.Since(t.signFailedAt) < signRetry {
		return // a sign that failed is tried again now and then, not on every resync
	}
	sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	var err error
	first := 1
	if v.call != "" {
		blink := time.Duration(0)
		if announce {
			blink = signBlink
		}
		err = t.o.Sign.ShowCall(sctx, v.call, v.window, blink)
		first = 2
	} else {
		err = t.o.Sign.Clear(sctx)
	}
	for i := 0; err == nil && i < len(v.lines); i++ {
		err = t.o.Sign.ShowText(sctx, first+i, cut(v.lines[i], signRunes))
	}
	if err == nil {
		t.signShown, t.signFailed = v.key, ""
	} else {
		t.signShown = ""
		if t.signFailed != v.key {
			t.deviceErr("dev_sign", err)
		}
		t.signFailed, t.signFailedAt = v.key, time.Now()
	}
	t.health(hall.ComponentSign, err)
}

// restoreSign puts the model's view on the sign after a resync, unless an operation of the clerk
// is under way or ended since the resync began (gen is opGen as the resync began): an operation
// paints the sign itself when it ends, and a resync that began before may carry the state before it.
func (t *Terminal) restoreSign(ctx context.Context, gen uint64) {
	if t.o.Sign == nil {
		return
	}
	t.signMu.Lock()
	defer t.signMu.Unlock()
	t.mu.Lock()
	busy := t.opsInFlight > 0 || t.opGen != gen || t.expired || !t.loggedIn
	v := counterView(t.counter, t.current, t.staff.ID)
	t.mu.Unlock()
	if busy || v.key == "" {
		return
	}
	t.paintSignLocked(ctx, v, false)
}
