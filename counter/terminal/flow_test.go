package terminal

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"hall"
	"hall/assets/theme"
	"hall/drivers"
	"hall/drivers/barcode"
	"hall/drivers/ledsign"
	"hall/drivers/ratingpad"
	"hall/drivers/sim"
	"hall/queueserver/httpapi"
)

// recordingPort keeps every byte the host writes to a device.
type recordingPort struct {
	io.ReadWriteCloser
	mu  sync.Mutex
	out []byte
}

func (p *recordingPort) Write(b []byte) (int, error) {
	p.mu.Lock()
	p.out = append(p.out, b...)
	p.mu.Unlock()
	return p.ReadWriteCloser.Write(b)
}

func (p *recordingPort) written() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return string(p.out)
}

// uiLoop is the UI goroutine of the headless tests: fyne/test runs fyne.Do at once on the
// caller's goroutine, so the terminal gets this loop instead, and the tests touch widgets only
// through onUI.
type uiLoop struct {
	mu   sync.Mutex
	q    []func()
	wake chan struct{}
	stop chan struct{}
	done chan struct{}
}

func newUILoop(t *testing.T) *uiLoop {
	l := &uiLoop{wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go l.run()
	t.Cleanup(func() { close(l.stop); <-l.done })
	return l
}

// Do queues f; it never waits, so UI code may call it from the UI goroutine itself.
func (l *uiLoop) Do(f func()) {
	l.mu.Lock()
	l.q = append(l.q, f)
	l.mu.Unlock()
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

func (l *uiLoop) run() {
	defer close(l.done)
	for {
		select {
		case <-l.wake:
		case <-l.stop:
			return
		}
		for {
			l.mu.Lock()
			if len(l.q) == 0 {
				l.mu.Unlock()
				break
			}
			f := l.q[0]
			l.q = l.q[1:]
			l.mu.Unlock()
			f()
		}
	}
}

// onUI runs f on the UI goroutine and waits for it.
func (r *rig) onUI(f func()) {
	done := make(chan struct{})
	r.loop.Do(func() { defer close(done); f() })
	<-done
}

// uiGet reads a value on the UI goroutine.
func uiGet[T any](r *rig, f func() T) T {
	var v T
	r.onUI(func() { v = f() })
	return v
}

// rig is a terminal on a test app with simulated devices, logged in as clerk 1001 at w01.
type rig struct {
	t        *testing.T
	h        *hallServer
	term     *Terminal
	sign     *sim.Sign
	signPort *recordingPort
	pad      *sim.RatingPad
	scanner  *sim.Scanner
	admin    *httpapi.Client
	loop     *uiLoop
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func newRig(t *testing.T, h *hallServer, citizen bool) *rig {
	t.Helper()
	return newRigWith(t, h, citizen, nil)
}

// newRigWith is newRig with a last word on the options.
func newRigWith(t *testing.T, h *hallServer, citizen bool, adjust func(*Options)) *rig {
	t.Helper()
	return newRigOn(t, h, citizen, adjust, newUILoop(t))
}

// newRigOn is newRigWith on a given UI loop: terminals one after another in a test (a restart)
// share the test's one UI goroutine, as they would share one in a process.
func newRigOn(t *testing.T, h *hallServer, citizen bool, adjust func(*Options), loop *uiLoop) *rig {
	t.Helper()
	a := test.NewTempApp(t)
	a.Settings().SetTheme(theme.New())
	r := &rig{t: t, h: h, sign: sim.NewSign(1, 2, 16), pad: sim.NewRatingPad(1), scanner: sim.NewScanner(), admin: h.admin(), loop: loop}
	r.signPort = &recordingPort{ReadWriteCloser: sim.Pipe(r.sign)}
	sign, err := ledsign.New(r.signPort, ledsign.Options{})
	if err != nil {
		t.Fatal(err)
	}
	pad, err := ratingpad.New(sim.Pipe(r.pad), ratingpad.Options{PollInterval: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	sc := barcode.New(sim.Pipe(r.scanner), barcode.Options{})
	o := Options{Client: httpapi.NewClient(h.url(), nil), Lang: Chinese, Prefs: a.Preferences(),
		Sign: sign, Pad: pad, Scanner: sc, CitizenWindow: citizen, RatingTimeout: 3 * time.Second,
		RetryInterval: 100 * time.Millisecond, ResyncInterval: time.Second, Logger: quiet, Do: r.loop.Do}
	if adjust != nil {
		adjust(&o)
	}
	r.onUI(func() { r.term = New(a, o) }) // widgets are built on the UI goroutine, as in a process
	t.Cleanup(func() { r.term.Close(); sign.Close(); pad.Close(); sc.Close() })
	r.onUI(r.term.Show)
	if err := r.term.Login("1001", "clerk123", "w01"); err != nil {
		t.Fatal(err)
	}
	if got := a.Preferences().String(prefCounter); got != "w01" {
		t.Fatalf("remembered counter %q", got)
	}
	return r
}

// waitFor waits until cond holds for the terminal's state.
func (r *rig) waitFor(what string, cond func(Snapshot) bool) Snapshot {
	r.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		s := r.term.State()
		if cond(s) {
			return s
		}
		time.Sleep(20 * time.Millisecond)
	}
	r.t.Fatalf("timed out waiting for %s; state %+v", what, r.term.State())
	return Snapshot{}
}

func (r *rig) idle() Snapshot {
	r.t.Helper()
	return r.waitFor("an idle, online terminal", func(s Snapshot) bool { return !s.Busy && s.Online })
}

// issue takes a ticket for one of w01's services.
func (r *rig) issue(service string) hall.Ticket {
	r.t.Helper()
	tk, err := r.admin.IssueTicket(context.Background(), hall.IssueRequest{ServiceID: service, Channel: hall.ChannelTap})
	if err != nil {
		r.t.Fatal(err)
	}
	r.term.resyncNow()
	return tk
}

// issueWaiting issues n tickets for counter w01's first service and waits until the terminal
// lists them as waiting.
func (r *rig) issueWaiting(n int) []hall.Ticket {
	r.t.Helper()
	w01, err := r.admin.Counter(context.Background(), "w01")
	if err != nil {
		r.t.Fatal(err)
	}
	var out []hall.Ticket
	for range n {
		out = append(out, r.issue(w01.Services[0].ServiceID))
	}
	r.waitFor("waiting", func(s Snapshot) bool { return len(s.Waiting) == n && !s.Busy })
	return out
}

// callNext presses F1 and waits until a ticket is at the counter.
func (r *rig) callNext() {
	r.t.Helper()
	r.tap(btnCall)
	r.waitFor("called", func(s Snapshot) bool { return !s.Busy && s.Current != nil })
}

// tap presses an operation's button (by its key) as the clerk would.
func (r *rig) tap(btn string) {
	r.t.Helper()
	var text string
	tapped := uiGet(r, func() bool {
		b := r.term.ui.buttons[btn]
		text = b.Text
		if b.Disabled() {
			return false
		}
		test.Tap(b)
		return true
	})
	if !tapped {
		r.t.Fatalf("button %s (%q) is disabled; state %+v", btn, text, r.term.State())
	}
}

// events returns the server's events after seq.
func (r *rig) events(since uint64) []hall.Event {
	r.t.Helper()
	sub := r.admin.Subscribe(context.Background(), httpapi.SubscribeOptions{Since: since})
	defer sub.Close()
	var out []hall.Event
	timeout := time.After(2 * time.Second)
	for {
		select {
		case m := <-sub.C:
			if e, err := m.Event(); err == nil {
				out = append(out, e)
			}
		case <-timeout:
			return out
		}
	}
}

func count(evs []hall.Event, typ hall.EventType) int {
	n := 0
	for _, e := range evs {
		if e.Type == typ {
			n++
		}
	}
	return n
}

func TestTerminal_MorningWithRefusals(t *testing.T) {
	h := startHall(t)
	r := newRig(t, h, false)
	ctx := context.Background()
	w01, err := r.admin.Counter(ctx, "w01")
	if err != nil {
		t.Fatal(err)
	}
	svc := w01.Services[0].ServiceID
	s := r.idle()
	if s.Counter.State != hall.CounterIdle || s.Current != nil {
		t.Fatalf("after login: %+v", s)
	}
	// The sign shows the window and the clerk after login.
	if got := r.sign.Shown().Lines; got[0] != "1号窗口" || got[1] != "工号1001" {
		t.Fatalf("sign after login %q", got)
	}

	// Refusal: call next with nobody waiting (the demo hall may hold tickets; take them first).
	for len(r.term.State().Waiting) > 0 {
		r.tap(btnCall)
		r.waitFor("a call", func(s Snapshot) bool { return !s.Busy && s.Current != nil })
		r.tap(btnFinish)
		r.waitFor("finish", func(s Snapshot) bool { return !s.Busy && s.Current == nil })
	}
	r.term.CallNext()
	s = r.waitFor("the empty-queue refusal", func(s Snapshot) bool { return !s.Busy && s.Notice != "" })
	if !strings.Contains(s.Notice, "没有等候") {
		t.Fatalf("notice %q, want the empty queue message", s.Notice)
	}

	a1, a2, a3 := r.issue(svc), r.issue(svc), r.issue(svc)
	r.waitFor("three waiting", func(s Snapshot) bool { return len(s.Waiting) == 3 })
	waitText(t, func() string { return uiGet(r, func() string { return r.term.ui.waitHead.Text }) }, "等候队列（3）")

	// F1: call next.
	r.onUI(func() { r.term.onKey(&fyne.KeyEvent{Name: fyne.KeyF1}) })
	s = r.waitFor("a1 called", func(s Snapshot) bool { return !s.Busy && s.Current != nil && s.Current.ID == a1.ID })
	waitText(t, func() string { return uiGet(r, func() string { return r.term.ui.code.Text }) }, a1.Code)
	if c := r.sign.Shown().Call; c.Ticket != a1.Code || c.Window != "1" {
		t.Fatalf("sign call %+v", c)
	}
	// Refusal: pause while serving.
	r.term.Pause("午间休息")
	s = r.waitFor("the pause refusal", func(s Snapshot) bool { return !s.Busy && strings.Contains(s.Notice, "正在办理") })
	if s.Counter.State != hall.CounterServing {
		t.Fatalf("counter %s after a refused pause", s.Counter.State)
	}
	// F2 recall.
	r.tap(btnRecall)
	r.waitFor("recall", func(s Snapshot) bool { return !s.Busy && s.Current != nil && s.Current.Calls == 2 })
	// F3 no-show, put back 1 place.
	r.term.NoShow(1)
	r.waitFor("requeue", func(s Snapshot) bool { return !s.Busy && s.Current == nil && len(s.Waiting) == 3 })
	// Call a2 from the list (指定叫号).
	r.term.CallTicket(a2.ID)
	r.waitFor("a2 called", func(s Snapshot) bool { return !s.Busy && s.Current != nil && s.Current.ID == a2.ID })
	// Refusal: transfer to a closed service (one that no open counter serves).
	closed := closedService(t, r)
	r.term.Transfer(hall.TransferTarget{ServiceID: closed})
	s = r.waitFor("the transfer refusal", func(s Snapshot) bool { return !s.Busy && s.Notice != "" })
	if !strings.Contains(s.Notice, "没有开放的窗口") || s.Current == nil || s.Current.ID != a2.ID {
		t.Fatalf("after transfer to a closed service: notice %q current %+v", s.Notice, s.Current)
	}
	// Transfer to counter w02.
	r.term.Transfer(hall.TransferTarget{CounterID: "w02"})
	r.waitFor("transfer", func(s Snapshot) bool { return !s.Busy && s.Current == nil })
	if got := r.sign.Shown().Lines; got[0] != "1号窗口" {
		t.Fatalf("sign after transfer %q", got)
	}
	// Call a3 and hold it, then resume.
	r.term.CallTicket(a3.ID)
	r.waitFor("a3 called", func(s Snapshot) bool { return !s.Busy && s.Current != nil && s.Current.ID == a3.ID })
	r.term.Hold("补充材料")
	r.waitFor("held", func(s Snapshot) bool { return !s.Busy && len(s.Held) == 1 })
	r.term.Resume(a3.ID)
	r.waitFor("resumed", func(s Snapshot) bool { return !s.Busy && s.Current != nil && s.Current.State == hall.TicketServing })
	// F6 finish: the pad asks; the visitor presses 1 (非常满意 on the pad = level 5).
	r.tap(btnFinish)
	waitPad(t, r.pad, a3.Code)
	if err := r.pad.PressKey(drivers.VerySatisfied); err != nil {
		t.Fatal(err)
	}
	s = r.waitFor("the rating", func(s Snapshot) bool { return s.Figures.Ratings[5] >= 1 })
	rt, err := r.admin.Rating(ctx, a3.ID)
	if err != nil || rt.Level != hall.RatingVerySatisfied || rt.StaffID != "1001" || rt.CounterID != "w01" || rt.Source != hall.RatingFromPad {
		t.Fatalf("stored rating %+v, %v", rt, err)
	}
	// F5 pause with a reason, then resume.
	r.term.Pause("午间休息")
	r.waitFor("paused", func(s Snapshot) bool { return !s.Busy && s.Counter.State == hall.CounterPaused })
	waitSign(t, r.sign, []string{"暂停服务", "午间休息"})
	waitText(t, func() string { return uiGet(r, func() string { return r.term.ui.buttons[btnPause].Text }) }, "恢复服务")
	if uiGet(r, func() bool { return !r.term.ui.buttons[btnCall].Disabled() }) {
		t.Fatal("call is enabled while paused")
	}
	r.tap(btnPause)
	r.waitFor("unpaused", func(s Snapshot) bool { return !s.Busy && s.Counter.State == hall.CounterIdle })
	waitSign(t, r.sign, []string{"1号窗口", "工号1001"})
	// Virtual call and finish: the pad times out → "not rated" is recorded.
	r.term.VirtualCall(svc)
	s = r.waitFor("virtual", func(s Snapshot) bool { return !s.Busy && s.Current != nil && s.Current.Virtual })
	virtual := *s.Current
	r.tap(btnFinish)
	waitPad(t, r.pad, virtual.Code)
	r.pad.Expire()
	r.waitFor("not rated", func(s Snapshot) bool { return s.Figures.Ratings[0] >= 1 })
	if rt, err := r.admin.Rating(ctx, virtual.ID); err != nil || rt.Level != hall.RatingNotRated {
		t.Fatalf("timeout rating %+v, %v", rt, err)
	}
	// Today's figures come from the server.
	s = r.waitFor("figures", func(s Snapshot) bool { return s.Figures.Served >= 2 })
	if s.Figures.Transferred != 1 || s.Figures.NoShows != 1 {
		t.Fatalf("figures %+v", s.Figures)
	}
	waitText(t, func() string { return uiGet(r, func() string { return r.term.ui.figures.Text }) }, "今日：办结 2 件")
}

// closedService returns a service that no logged-in counter serves, logging its counters out.
func closedService(t *testing.T, r *rig) string {
	t.Helper()
	ctx := context.Background()
	svcs, _ := r.admin.Services(ctx)
	counters, _ := r.admin.Counters(ctx)
	for _, v := range svcs {
		id := v.Service.ID
		mine := false
		for _, c := range counters {
			if c.ID == "w01" && c.Serves(id) {
				mine = true
			}
		}
		if mine {
			continue
		}
		for _, c := range counters {
			if c.Serves(id) && c.State != hall.CounterLoggedOut {
				if _, err := r.admin.CounterLogout(ctx, c.ID); err != nil {
					t.Fatalf("log out %s: %v", c.ID, err)
				}
			}
		}
		return id
	}
	t.Fatal("no service outside w01")
	return ""
}

func waitPad(t *testing.T, pad *sim.RatingPad, code string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if tk, staff, ok := pad.Pending(); ok && tk == code && staff == "1001" {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("the pad never asked to rate %s", code)
}

func waitSign(t *testing.T, sign *sim.Sign, want []string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		got := sign.Shown().Lines
		if len(got) == len(want) && got[0] == want[0] && got[1] == want[1] {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("sign shows %q, want %q", sign.Shown().Lines, want)
}
