package sms

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"hall"
	"hall/queueserver/backend"
	"hall/queueserver/bolt"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// gateway is a real HTTP SMS gateway for tests: it fails the first failFirst requests and
// records every accepted message.
type gateway struct {
	mu        sync.Mutex
	failFirst int
	requests  int
	got       []Message
}

func (g *gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.requests++
	if r.Header.Get("Authorization") != "Bearer tok" {
		http.Error(w, "who are you", http.StatusUnauthorized)
		return
	}
	if g.requests <= g.failFirst {
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}
	var m Message
	if err := json.NewDecoder(r.Body).Decode(&m); err != nil || m.Key != r.Header.Get("Idempotency-Key") {
		http.Error(w, "bad message", http.StatusBadRequest)
		return
	}
	g.got = append(g.got, m)
}

func (g *gateway) messages() []Message {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]Message(nil), g.got...)
}

func setup(t *testing.T) (*bolt.Store, *gateway, func()) {
	t.Helper()
	s, err := bolt.Open(filepath.Join(t.TempDir(), "hall.db"), bolt.Options{Logger: quiet, SealKey: []byte("0123456789abcdef0123456789abcdef")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	ctx := context.Background()
	h := hall.DefaultHall()
	h.NoDayClose = true
	for _, err := range []error{
		s.SetHall(ctx, h),
		s.PutArea(ctx, hall.Area{ID: "a1", Name: "一楼"}),
		s.PutService(ctx, hall.Service{ID: "shebao", Name: "社保", AreaID: "a1", Prefix: "A", NumberFrom: 1, NumberTo: 999, Digits: 3}),
		s.PutCounter(ctx, hall.Counter{ID: "c1", Number: 3, AreaID: "a1", Services: []hall.CounterService{{ServiceID: "shebao"}}}),
		s.PutStaff(ctx, hall.Staff{ID: "s1", Name: "王芳", Role: hall.RoleClerk}),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Login(ctx, "c1", "s1"); err != nil {
		t.Fatal(err)
	}
	g := &gateway{failFirst: 2}
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	n := &Notifier{Store: s, Sender: &Gateway{URL: srv.URL, Token: "tok"}, HallName: "市民服务中心", Logger: quiet}
	o := backend.NewOutbox(backend.OutboxOptions{Name: "sms", Log: s, Cursors: s, Select: Select, Deliverer: n, Batch: 1,
		MinBackoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond, Poll: 20 * time.Millisecond, Logger: quiet})
	ctx2, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); o.Run(ctx2) }()
	stop := func() { cancel(); <-done }
	t.Cleanup(stop)
	return s, g, stop
}

func waitMessages(t *testing.T, g *gateway, n int) []Message {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for len(g.messages()) < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d messages, want %d: %+v", len(g.messages()), n, g.messages())
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond)
	return g.messages()
}

// Calls text the called visitor and the one two places behind; the gateway's first failures
// are retried and nothing is sent twice, not even when the same visitor is near again.
func TestNotifier_CalledAndNearOnce(t *testing.T) {
	s, g, _ := setup(t)
	ctx := context.Background()
	var tickets []hall.Ticket
	for i := 0; i < 6; i++ {
		tk, err := s.IssueTicket(ctx, hall.IssueRequest{ServiceID: "shebao", Channel: hall.ChannelPhone, Phone: fmt.Sprintf("1380013800%d", i)})
		if err != nil {
			t.Fatal(err)
		}
		tickets = append(tickets, tk)
	}
	s.CallNext(ctx, "c1", false) // A001 called; A004 has 2 ahead
	s.Recall(ctx, "c1")          // A001 again: texted again (a new attempt), A004 not again
	msgs := waitMessages(t, g, 3)
	want := []string{
		"13800138000 【市民服务中心】请 A001 号到 3 号窗口办理。",
		"13800138003 【市民服务中心】您的 A004 号即将到号，前面还有 2 人，请回到等候区留意叫号。",
	}
	for i, w := range want {
		if got := msgs[i].Phone + " " + msgs[i].Text; got != w {
			t.Fatalf("message %d = %q, want %q", i, got, w)
		}
	}
	if len(msgs) != 3 || msgs[2].Key != "called-"+tickets[0].ID+"-2" {
		t.Fatalf("after the recall: %+v", msgs)
	}
	keys := map[string]bool{}
	for _, m := range msgs {
		if keys[m.Key] {
			t.Fatalf("sent twice: %s", m.Key)
		}
		keys[m.Key] = true
	}
	if g.requests < 5 {
		t.Fatalf("%d requests: the two failures were not retried", g.requests)
	}
}

// A ready licence texts the applicant of its case.
func TestNotifier_LicenceReady(t *testing.T) {
	s, g, _ := setup(t)
	ctx := context.Background()
	s.IssueTicket(ctx, hall.IssueRequest{ServiceID: "shebao", Channel: hall.ChannelTap})
	tk, _ := s.CallNext(ctx, "c1", false)
	c, err := s.OpenCase(ctx, hall.OpenCaseRequest{CounterID: "c1", TicketID: tk.ID, Name: "王五", Phone: "13900139000"})
	if err != nil {
		t.Fatal(err)
	}
	s.StepCase(ctx, c.ID, hall.StepComplete, "c1", "")
	if _, _, err := s.LicenceReady(ctx, hall.LicenceNotice{LicenceID: "L1", CaseID: c.ID, Title: "证", Name: "王五", IDNumber: "110101199003070011",
		Fields: []hall.LicenceField{{Label: "a", Value: "b"}}}); err != nil {
		t.Fatal(err)
	}
	msgs := waitMessages(t, g, 1)
	if len(msgs) != 1 || msgs[0].Phone != "13900139000" || !strings.Contains(msgs[0].Text, "您的证照已办好") {
		t.Fatalf("messages %+v", msgs)
	}
}
