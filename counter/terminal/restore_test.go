package terminal

import (
	"context"
	"strings"
	"testing"
	"time"

	"hall"
)

// TestTerminal_RestartRestoresTheSign: the terminal restarts (a new process, a blank sign) with a
// ticket called at the counter, then again while the counter is paused: after the login the
// window and the LED sign show what the server says, without a new call or recall.
func TestTerminal_RestartRestoresTheSign(t *testing.T) {
	h := startHall(t)
	r := newRig(t, h, false)
	r.term.o.NoRatingAtFinish = true
	ctx := context.Background()
	w01, _ := r.admin.Counter(ctx, "w01")
	tk := r.issue(w01.Services[0].ServiceID)
	r.idle()
	r.term.CallTicket(tk.ID)
	r.waitFor("called", func(s Snapshot) bool { return !s.Busy && s.Current != nil && s.Current.ID == tk.ID })
	r.term.Close()

	// The new terminal: a blank sign, the same server and counter.
	r2 := newRigOn(t, h, false, nil, r.loop)
	r2.term.o.NoRatingAtFinish = true
	s := r2.waitFor("the called ticket", func(s Snapshot) bool { return s.Current != nil })
	if s.Current.ID != tk.ID || s.Counter.State != hall.CounterServing {
		t.Fatalf("after the restart: current %+v counter %s", s.Current, s.Counter.State)
	}
	waitSign(t, r2.sign, []string{"请" + tk.Code + "号到1号窗口", "工号1001"})
	if c := r2.sign.Shown().Call; c.Ticket != tk.Code || c.Window != "1" || c.Blink != 0 {
		t.Fatalf("sign call after the restart %+v (a restored call does not blink)", c)
	}
	waitText(t, func() string { return uiGet(r2, func() string { return r2.term.ui.code.Text }) }, tk.Code)
	// Nothing was announced again on the server: the restore is not a recall.
	if st, err := r.admin.Ticket(ctx, tk.ID); err != nil || st.Ticket.Calls != 1 {
		t.Fatalf("ticket after the restart: %+v, %v", st.Ticket, err)
	}

	// Finish, pause with a reason, restart again.
	r2.tap(btnFinish)
	r2.waitFor("finished", func(s Snapshot) bool { return !s.Busy && s.Current == nil })
	r2.term.Pause("内部会议")
	r2.waitFor("paused", func(s Snapshot) bool { return !s.Busy && s.Counter.State == hall.CounterPaused })
	waitSign(t, r2.sign, []string{"暂停服务", "内部会议"})
	r2.term.Close()

	r3 := newRigOn(t, h, false, nil, r.loop)
	s = r3.waitFor("the pause", func(s Snapshot) bool { return s.Counter.State == hall.CounterPaused })
	if s.Counter.PauseReason != "内部会议" || s.Current != nil {
		t.Fatalf("after the restart: %+v", s)
	}
	waitSign(t, r3.sign, []string{"暂停服务", "内部会议"})
	waitText(t, func() string { return uiGet(r3, func() string { return r3.term.ui.state.Text }) }, "暂停服务：内部会议")
	waitText(t, func() string { return uiGet(r3, func() string { return r3.term.ui.buttons[btnPause].Text }) }, "恢复服务")
}

// TestTerminal_ResyncFollowsTheServer: a supervisor changes the counter behind the terminal's
// back (another session pauses it); the next resync puts the pause on the sign, and resuming
// puts the counter at rest again. Resyncs without a change send the sign nothing.
func TestTerminal_ResyncFollowsTheServer(t *testing.T) {
	h := startHall(t)
	r := newRig(t, h, false)
	ctx := context.Background()
	r.idle()
	waitSign(t, r.sign, []string{"1号窗口", "工号1001"})
	before := len(r.sign.History())
	for range 3 {
		r.term.resync(ctx)
	}
	time.Sleep(300 * time.Millisecond)
	if h := r.sign.History(); len(h) != before {
		t.Fatalf("resyncs without a change sent the sign %q", h[before:])
	}
	// The clerk's own session from another place (the same staff token would do): pause.
	clerk := r.term.o.Client
	res, err := clerk.Login(ctx, "1001", "clerk123")
	if err != nil {
		t.Fatal(err)
	}
	other := clerk.WithToken(res.Token)
	if _, err := other.Pause(ctx, "w01", "系统维护"); err != nil {
		t.Fatal(err)
	}
	r.waitFor("paused", func(s Snapshot) bool { return s.Counter.State == hall.CounterPaused })
	waitSign(t, r.sign, []string{"暂停服务", "系统维护"})
	if _, err := other.Unpause(ctx, "w01"); err != nil {
		t.Fatal(err)
	}
	waitSign(t, r.sign, []string{"1号窗口", "工号1001"})
	if h := r.sign.History(); !strings.HasPrefix(h[len(h)-3], "CLR") {
		t.Fatalf("sign history %q", h)
	}
}
