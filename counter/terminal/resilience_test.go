package terminal

import (
	"context"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"hall"
)

// TestTerminal_ServerRestartMidOperation kills the real server, presses F1 while it is down (the
// buttons say offline), starts it again: the call happens exactly once.
func TestTerminal_ServerRestartMidOperation(t *testing.T) {
	h := startHall(t)
	r := newRig(t, h, false)
	ctx := context.Background()
	w01, _ := r.admin.Counter(ctx, "w01")
	tk := r.issue(w01.Services[0].ServiceID)
	r.waitFor("the ticket waiting", func(s Snapshot) bool { return len(s.Waiting) > 0 })
	before := lastSeq(t, r)

	h.kill()
	r.term.resyncNow()
	r.waitFor("offline", func(s Snapshot) bool { return !s.Online })
	waitText(t, func() string { return uiGet(r, func() string { return r.term.ui.buttons[btnCall].Text }) }, "离线")
	if !uiGet(r, r.term.ui.buttons[btnCall].Disabled) {
		t.Fatal("call is enabled while offline")
	}
	// The clerk presses F1 anyway (the key bypasses nothing: the operation waits for the server).
	if !r.term.CallNext() {
		t.Fatal("the operation was not accepted")
	}
	r.waitFor("the waiting call said so", func(s Snapshot) bool { return s.Busy && strings.Contains(s.Notice, "叫号") })
	h.start()
	s := r.waitFor("the call after the restart", func(s Snapshot) bool { return !s.Busy && s.Online && s.Current != nil })
	if s.Current.ID != tk.ID {
		t.Fatalf("called %s, want %s", s.Current.Code, tk.Code)
	}
	r.admin = h.admin()
	if n := count(r.events(before), hall.EventTicketCalled); n != 1 {
		t.Fatalf("%d ticket.called events, want exactly 1", n)
	}
}

// TestTerminal_LostAnswerIsNotRepeated: the server acts on "finish" but the answer is lost on
// the way back; the retry with the same idempotency key gets the first answer, and the ticket is
// finished once.
func TestTerminal_LostAnswerIsNotRepeated(t *testing.T) {
	h := startHall(t)
	target, _ := url.Parse(h.url())
	var drop atomic.Int32
	proxy := httputil.NewSingleHostReverseProxy(target)
	front := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method == "POST" && strings.HasSuffix(req.URL.Path, "/finish") && drop.Add(-1) >= 0 {
			rec := &discard{header: http.Header{}}
			proxy.ServeHTTP(rec, req) // the server acts …
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close() // … and the answer never arrives
			}
			return
		}
		proxy.ServeHTTP(w, req)
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go front.Serve(ln)
	t.Cleanup(func() { front.Close() })
	proxied := &hallServer{t: t, addr: ln.Addr().String(), dir: h.dir}

	r := newRig(t, proxied, false)
	r.term.o.NoRatingAtFinish = true
	ctx := context.Background()
	w01, _ := r.admin.Counter(ctx, "w01")
	tk := r.issue(w01.Services[0].ServiceID)
	r.term.CallTicket(tk.ID)
	r.waitFor("called", func(s Snapshot) bool { return !s.Busy && s.Current != nil && s.Current.ID == tk.ID })
	before := lastSeq(t, r)
	drop.Store(2) // the first two answers are lost (the client's own retry and the terminal's)
	r.tap(btnFinish)
	s := r.waitFor("finished", func(s Snapshot) bool { return !s.Busy && s.Current == nil })
	if s.Notice != "" {
		t.Fatalf("notice %q after a finish whose answer was lost", s.Notice)
	}
	if n := count(r.events(before), hall.EventTicketFinished); n != 1 {
		t.Fatalf("%d ticket.finished events, want exactly 1", n)
	}
}

type discard struct {
	header http.Header
	status int
}

func (d *discard) Header() http.Header         { return d.header }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(s int)           { d.status = s }

func lastSeq(t *testing.T, r *rig) uint64 {
	t.Helper()
	var last uint64
	for _, e := range r.events(0) {
		last = e.Seq
	}
	return last
}

func waitText(t *testing.T, get func() string, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if strings.Contains(get(), want) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%q does not say %q", get(), want)
}

// TestTerminal_SessionExpiryKeepsTheOperation: the session expires; the clerk presses F1, is
// asked for the password, logs in again, and the call goes through once, at the same counter.
func TestTerminal_SessionExpiryKeepsTheOperation(t *testing.T) {
	h := startHall(t, "-session-ttl", "2s")
	r := newRig(t, h, false)
	ctx := context.Background()
	w01, _ := r.admin.Counter(ctx, "w01")
	tk := r.issue(w01.Services[0].ServiceID)
	r.waitFor("waiting", func(s Snapshot) bool { return len(s.Waiting) == 1 && !s.Busy })
	before := lastSeq(t, r)
	time.Sleep(2500 * time.Millisecond)
	r.term.CallNext()
	r.waitFor("the password asked", func(s Snapshot) bool { return s.Expired && s.Busy })
	if !uiGet(r, func() bool { return r.term.ui.pwDialog != nil }) {
		t.Fatal("no password dialog")
	}
	if err := r.term.Login("1001", "clerk123", "w01"); err != nil {
		t.Fatal(err)
	}
	s := r.waitFor("the call", func(s Snapshot) bool { return !s.Busy && !s.Expired && s.Current != nil })
	if uiGet(r, func() bool { return r.term.ui.pwDialog != nil }) {
		t.Fatal("the password dialog stays open after the re-login")
	}
	if s.Current.ID != tk.ID || s.Counter.StaffID != "1001" {
		t.Fatalf("after re-login: %+v", s)
	}
	r.admin = h.admin()
	if n := count(r.events(before), hall.EventTicketCalled); n != 1 {
		t.Fatalf("%d calls, want 1", n)
	}
}
