package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"hall"
	"hall/queueserver/httpapi"
)

// clock is a settable test clock starting at the real time.
type clock struct{ off atomic.Int64 }

func (c *clock) Now() time.Time          { return time.Now().Add(time.Duration(c.off.Load())) }
func (c *clock) Advance(d time.Duration) { c.off.Add(int64(d)) }

// server is a running Main with clients for every role.
type server struct {
	*Main
	clk    *clock
	dir    string
	public *httpapi.Client
	admin  *httpapi.Client
	tokens map[httpapi.Role]string
}

var quiet = slog.New(slog.NewJSONHandler(io.Discard, nil))

// startServer runs the real Main with the demo hall on addr ("127.0.0.1:0" for any port) in dir.
func startServer(t *testing.T, dir, addr string, clk *clock) *server {
	t.Helper()
	m := NewMain()
	if err := m.ParseFlags(context.Background(), []string{"-demo", "-data", dir, "-addr", addr}); err != nil {
		t.Fatal(err)
	}
	m.Config.PublicBurst = 1000
	m.Logger, m.Stdout, m.Now = quiet, io.Discard, clk.Now
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	s := &server{Main: m, clk: clk, dir: dir, public: httpapi.NewClient(m.URL(), nil)}
	login, err := s.public.Login(context.Background(), "admin", demoAdminPassword)
	if err != nil {
		t.Fatal(err)
	}
	s.admin = s.public.WithToken(login.Token)
	return s
}

func newServer(t *testing.T) *server {
	return startServer(t, t.TempDir(), "127.0.0.1:0", &clock{})
}

// roleTokens returns a token for every role: staff log in, devices are enrolled by the admin.
// The clerk is 1001, logged in at window w01 by the demo.
func (s *server) roleTokens(t *testing.T) map[httpapi.Role]string {
	t.Helper()
	ctx := context.Background()
	out := map[httpapi.Role]string{httpapi.RolePublic: "", httpapi.RoleAdmin: s.admin.Token()}
	for role, login := range map[httpapi.Role][2]string{
		httpapi.RoleSupervisor: {"supervisor", demoSupervisorPassword},
		httpapi.RoleClerk:      {"1001", demoClerkPassword},
	} {
		r, err := s.public.Login(ctx, login[0], login[1])
		if err != nil {
			t.Fatal(err)
		}
		out[role] = r.Token
	}
	for role, kind := range map[httpapi.Role]hall.DeviceKind{httpapi.RoleKiosk: hall.DeviceKiosk, httpapi.RoleScreen: hall.DeviceScreen, httpapi.RoleCounter: hall.DeviceCounter} {
		e, err := s.admin.EnrolDevice(ctx, httpapi.DeviceRequest{ID: "test-" + string(kind), Name: "测试设备", Kind: kind})
		if err != nil {
			t.Fatal(err)
		}
		out[role] = e.Token
	}
	return out
}

func (s *server) as(token string) *httpapi.Client { return s.public.WithToken(token) }

func (s *server) lastSeq(t *testing.T) uint64 {
	t.Helper()
	seq, err := s.Store().LastSeq(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return seq
}

// raw sends one request as is and returns the status and decoded error body (if any).
func raw(t *testing.T, method, url, token, body string, header ...string) (int, httpapi.ErrorBody, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var eb httpapi.ErrorBody
	json.Unmarshal(b, &eb)
	return resp.StatusCode, eb, b
}

// next reads the next event message or fails.
func next(t *testing.T, sub *httpapi.Subscription) httpapi.Message {
	t.Helper()
	select {
	case m, ok := <-sub.C:
		if !ok {
			t.Fatal("subscription closed")
		}
		return m
	case <-time.After(10 * time.Second):
		t.Fatalf("no event within 10 s (last error: %v)", sub.Err())
	}
	return httpapi.Message{}
}

// waitFor reads messages until one of type typ arrives.
func waitFor(t *testing.T, sub *httpapi.Subscription, typ hall.EventType) hall.Event {
	t.Helper()
	for {
		m := next(t, sub)
		if m.Type == string(typ) {
			e, err := m.Event()
			if err != nil {
				t.Fatal(err)
			}
			return e
		}
	}
}

func TestMain_IssueCallReachesWebsocketSubscriber(t *testing.T) {
	s := newServer(t)
	ctx := context.Background()
	tok := s.roleTokens(t)
	kiosk, clerk, screen := s.as(tok[httpapi.RoleKiosk]), s.as(tok[httpapi.RoleClerk]), s.as(tok[httpapi.RoleScreen])

	sub := screen.Subscribe(ctx, httpapi.SubscribeOptions{Snapshot: true})
	defer sub.Close()
	snap := next(t, sub)
	if snap.Type != httpapi.MessageSnapshot || snap.Seq != s.lastSeq(t) {
		t.Fatalf("first message = %s seq %d, want a snapshot at %d", snap.Type, snap.Seq, s.lastSeq(t))
	}
	var st httpapi.Snapshot
	if err := json.Unmarshal(snap.Data, &st); err != nil || len(st.Counters) != 20 {
		t.Fatalf("snapshot has %d counters (%v), want 20", len(st.Counters), err)
	}

	issued, err := kiosk.IssueTicket(ctx, hall.IssueRequest{ServiceID: "shebao", Channel: hall.ChannelTap})
	if err != nil {
		t.Fatal(err)
	}
	if issued.Code != "A001" || issued.AccessToken == "" {
		t.Fatalf("issued %+v, want A001 with an access token", issued)
	}
	called, err := clerk.CallNext(ctx, "w01", false)
	if err != nil {
		t.Fatal(err)
	}
	if called.ID != issued.ID || called.AccessToken != "" {
		t.Fatalf("called %+v, want %s without its token", called, issued.ID)
	}
	e := waitFor(t, sub, hall.EventTicketCalled)
	if e.Ticket == nil || e.Ticket.Code != "A001" || e.CounterID != "w01" || e.Ticket.CounterNumber != 1 {
		t.Fatalf("called event = %+v", e)
	}
	if e.Ticket.AccessToken != "" {
		t.Fatal("the event feed leaked an access token")
	}

	// The mobile page follows the ticket by its token alone; it sees no personal data.
	st2, err := s.public.MobileTicket(ctx, issued.AccessToken)
	if err != nil || st2.Ticket.State != hall.TicketCalled || st2.Ticket.AccessToken != "" {
		t.Fatalf("mobile view = %+v, %v", st2, err)
	}
}

func TestMain_RestartResumesSubscriptionWithoutGapsOrDoubles(t *testing.T) {
	dir := t.TempDir()
	clk := &clock{}
	s := startServer(t, dir, "127.0.0.1:0", clk)
	ctx := context.Background()
	tok := s.roleTokens(t)
	addr := s.listener.Addr().String()
	start := s.lastSeq(t)

	screen := s.as(tok[httpapi.RoleScreen])
	sub := screen.Subscribe(ctx, httpapi.SubscribeOptions{Since: start, MinBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond})
	defer sub.Close()
	issue := func(s *server, n int) {
		for range n {
			if _, err := s.as(tok[httpapi.RoleKiosk]).IssueTicket(ctx, hall.IssueRequest{ServiceID: "yibao", Channel: hall.ChannelTap}); err != nil {
				t.Fatal(err)
			}
		}
	}
	issue(s, 5)
	var seqs []uint64
	for len(seqs) < 5 {
		seqs = append(seqs, next(t, sub).Seq)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// Same data, same address: tokens survive the restart, the subscription reconnects.
	s2 := startServer(t, dir, addr, clk)
	issue(s2, 7)
	end := s2.lastSeq(t)
	for seqs[len(seqs)-1] < end {
		seqs = append(seqs, next(t, sub).Seq)
	}
	for i, seq := range seqs {
		if seq != start+uint64(i)+1 {
			t.Fatalf("received seqs %v: want every seq from %d to %d exactly once", seqs, start+1, end)
		}
	}
	if sub.Connects() < 2 {
		t.Errorf("Connects = %d, want a reconnect", sub.Connects())
	}
	select {
	case m := <-sub.C:
		t.Fatalf("extra message after the last event: %+v", m)
	case <-time.After(100 * time.Millisecond):
	}
}

func TestMain_IdempotentRetryOfCallCallsOnce(t *testing.T) {
	s := newServer(t)
	ctx := context.Background()
	tok := s.roleTokens(t)
	kiosk := s.as(tok[httpapi.RoleKiosk])
	for range 2 {
		if _, err := kiosk.IssueTicket(ctx, hall.IssueRequest{ServiceID: "shebao", Channel: hall.ChannelTap}); err != nil {
			t.Fatal(err)
		}
	}
	before := s.lastSeq(t)
	url := s.URL() + "/api/v1/counters/w01/call"
	var first, again httpapi.CounterOpResult
	for i, out := range []*httpapi.CounterOpResult{&first, &again} {
		status, eb, body := raw(t, "POST", url, tok[httpapi.RoleClerk], "", "Idempotency-Key", "call-1")
		if status != http.StatusOK {
			t.Fatalf("attempt %d: %d %+v", i, status, eb)
		}
		json.Unmarshal(body, out)
	}
	if first.Ticket == nil || again.Ticket == nil || first.Ticket.ID != again.Ticket.ID || first.Ticket.Code != "A001" {
		t.Fatalf("first %+v, retry %+v: want the same ticket A001", first.Ticket, again.Ticket)
	}
	if got := s.lastSeq(t); got != before+1 {
		t.Fatalf("events after call and retry: %d, want exactly 1", got-before)
	}
	// A new key is a new call: refused, the counter still has A001.
	if status, eb, _ := raw(t, "POST", url, tok[httpapi.RoleClerk], "", "Idempotency-Key", "call-2"); status != http.StatusConflict || eb.Reason != "counter_busy" {
		t.Fatalf("second call = %d %+v, want 409 counter_busy", status, eb)
	}
	// The same key from another caller is another request.
	if status, eb, _ := raw(t, "POST", s.URL()+"/api/v1/counters/w02/call", s.admin.Token(), "", "Idempotency-Key", "call-1"); status != http.StatusOK {
		t.Fatalf("admin call with the clerk's key = %d %+v, want 200", status, eb)
	}
}

func TestMain_BadInputChangesNothing(t *testing.T) {
	s := newServer(t)
	ctx := context.Background()
	tok := s.roleTokens(t)
	clerk := tok[httpapi.RoleClerk]
	if _, err := s.as(clerk).Pause(ctx, "w01", "午休"); err != nil {
		t.Fatal(err)
	}
	expired, err := s.public.Login(ctx, "supervisor", demoSupervisorPassword)
	if err != nil {
		t.Fatal(err)
	}
	tickets, counters := s.URL()+"/api/v1/tickets", s.URL()+"/api/v1/counters/"
	big := `{"serviceId":"shebao","channel":"tap","name":"` + strings.Repeat("x", httpapi.MaxBody) + `"}`
	tests := []struct {
		name, method, url, token, body string
		header                         []string
		status                         int
		code, reason                   string
		expire                         bool
	}{
		{"MalformedJSON", "POST", tickets, tok[httpapi.RoleKiosk], `{"serviceId":`, nil, 400, hall.EINVALID, "body_malformed", false},
		{"WrongType", "POST", tickets, tok[httpapi.RoleKiosk], `{"serviceId":42,"channel":"tap"}`, nil, 400, hall.EINVALID, "body_wrong_type", false},
		{"UnknownField", "POST", tickets, tok[httpapi.RoleKiosk], `{"serviceId":"shebao","channel":"tap","vip":true}`, nil, 400, hall.EINVALID, "body_unknown_field", false},
		{"TrailingData", "POST", tickets, tok[httpapi.RoleKiosk], `{"serviceId":"shebao","channel":"tap"} {}`, nil, 400, hall.EINVALID, "body_malformed", false},
		{"EmptyBody", "POST", tickets, tok[httpapi.RoleKiosk], ``, nil, 400, hall.EINVALID, "body_empty", false},
		{"OversizedBody", "POST", tickets, tok[httpapi.RoleKiosk], big, nil, 413, hall.EINVALID, "body_too_large", false},
		{"UnknownChannel", "POST", tickets, tok[httpapi.RoleKiosk], `{"serviceId":"shebao","channel":"fax"}`, nil, 400, hall.EINVALID, "channel", false},
		{"UnknownService", "POST", tickets, tok[httpapi.RoleKiosk], `{"serviceId":"nope","channel":"tap"}`, nil, 404, hall.ENOTFOUND, "service_not_found", false},
		{"PublicNonMobileChannel", "POST", tickets, "", `{"serviceId":"shebao","channel":"tap"}`, nil, 403, hall.EFORBIDDEN, "channel_forbidden", false},
		{"WrongStateCallOnPausedCounter", "POST", counters + "w01/call", clerk, ``, nil, 409, hall.ECONFLICT, "counter_paused", false},
		{"WrongRoleKioskCalls", "POST", counters + "w01/call", tok[httpapi.RoleKiosk], ``, nil, 403, hall.EFORBIDDEN, "role_forbidden", false},
		{"ClerkOnAnotherCounter", "POST", counters + "w02/call", clerk, ``, nil, 403, hall.EFORBIDDEN, "not_your_counter", false},
		{"UnknownCounterOp", "POST", counters + "w01/dance", clerk, ``, nil, 404, hall.ENOTFOUND, "no_route", false},
		{"NoToken", "POST", counters + "w01/unpause", "", ``, nil, 401, hall.EUNAUTHORIZED, "login_required", false},
		{"BadToken", "POST", counters + "w01/unpause", "forged", ``, nil, 401, hall.EUNAUTHORIZED, "token_invalid", false},
		{"ExpiredToken", "POST", counters + "w01/unpause", expired.Token, ``, nil, 401, hall.EUNAUTHORIZED, "token_expired", true},
		{"BadIdempotencyKey", "POST", counters + "w01/unpause", clerk, ``, []string{"Idempotency-Key", strings.Repeat("k", 200)}, 400, hall.EINVALID, "idempotency_key", false},
		{"WrongPassword", "POST", s.URL() + "/api/v1/auth/login", "", `{"staffId":"admin","password":"guess"}`, nil, 401, hall.EUNAUTHORIZED, "bad_credentials", false},
		{"NoSuchRoute", "GET", s.URL() + "/api/v1/nothing", "", ``, nil, 404, hall.ENOTFOUND, "no_route", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.expire {
				s.clk.Advance(13 * time.Hour) // past the 12 h session lifetime
				defer s.clk.Advance(-13 * time.Hour)
			}
			before := s.lastSeq(t)
			status, eb, body := raw(t, tt.method, tt.url, tt.token, tt.body, tt.header...)
			if status != tt.status || eb.Code != tt.code || eb.Reason != tt.reason {
				t.Fatalf("got %d %s/%s, want %d %s/%s (%s)", status, eb.Code, eb.Reason, tt.status, tt.code, tt.reason, body)
			}
			if eb.Message == "" {
				t.Error("no message for people")
			}
			if after := s.lastSeq(t); after != before {
				t.Errorf("LastSeq moved from %d to %d: a refused request changed something", before, after)
			}
		})
	}
	c, _ := s.admin.Counter(ctx, "w01")
	if c.State != hall.CounterPaused {
		t.Errorf("w01 is %s, want still paused", c.State)
	}
}

func TestMain_ErrorsInEnglishAndClientCodes(t *testing.T) {
	s := newServer(t)
	ctx := context.Background()
	_, eb, _ := raw(t, "POST", s.URL()+"/api/v1/auth/login", "", `{"staffId":"admin","password":"guess"}`, "Accept-Language", "en-US,en;q=0.9")
	if eb.Message != "wrong staff number or password" {
		t.Errorf("English message = %q", eb.Message)
	}
	_, eb, _ = raw(t, "POST", s.URL()+"/api/v1/auth/login", "", `{"staffId":"admin","password":"guess"}`)
	if eb.Message != "工号或密码错误" {
		t.Errorf("Chinese message = %q", eb.Message)
	}
	_, err := s.admin.Service(ctx, "nope")
	if !httpapi.IsCode(err, hall.ENOTFOUND) || hall.ErrorReason(err) != "service_not_found" {
		t.Fatalf("client error = %#v, want *hall.Error not_found/service_not_found", err)
	}
	_, err = s.public.Counters(ctx)
	if !httpapi.IsCode(err, hall.EUNAUTHORIZED) {
		t.Fatalf("public Counters err = %v, want unauthorized", err)
	}
	dead := httpapi.NewClient("http://"+unusedAddr(t), &http.Client{Timeout: time.Second})
	if _, err := dead.Hall(ctx); !httpapi.IsCode(err, hall.EUNAVAILABLE) {
		t.Fatalf("unreachable server err = %v, want unavailable", err)
	}
}

func unusedAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// TestMain_AccessControl checks every route against every role: allowed roles are never refused
// for their role, every other role is (401 for the public, 403 for the rest).
func TestMain_AccessControl(t *testing.T) {
	s := newServer(t)
	tok := s.roleTokens(t)
	routes := s.api.Routes()
	if len(routes) < 30 {
		t.Fatalf("only %d routes", len(routes))
	}
	fill := strings.NewReplacer("{id}", "zz-none", "{op}", "unpause", "{token}", "zz-none", "{code}", "zz-none")
	for _, rt := range routes {
		for _, role := range httpapi.AllRoles {
			t.Run(rt.Method+" "+rt.Pattern+"/"+string(role), func(t *testing.T) {
				token := tok[role]
				if rt.Pattern == "/api/v1/auth/logout" && token != "" && rt.Allows(role) {
					token = s.freshToken(t, role) // do not end the shared session
				}
				status, eb, _ := raw(t, rt.Method, s.URL()+fill.Replace(rt.Pattern), token, "")
				refused := eb.Reason == "role_forbidden" || eb.Reason == "login_required"
				switch {
				case rt.Allows(role) && refused:
					t.Fatalf("allowed role refused: %d %+v", status, eb)
				case !rt.Allows(role) && role == httpapi.RolePublic && (status != 401 || eb.Reason != "login_required"):
					t.Fatalf("public caller got %d %+v, want 401 login_required", status, eb)
				case !rt.Allows(role) && role != httpapi.RolePublic && (status != 403 || eb.Reason != "role_forbidden"):
					t.Fatalf("role got %d %+v, want 403 role_forbidden", status, eb)
				}
			})
		}
	}
}

func (s *server) freshToken(t *testing.T, role httpapi.Role) string {
	id, pw := map[httpapi.Role]string{httpapi.RoleAdmin: "admin", httpapi.RoleSupervisor: "supervisor", httpapi.RoleClerk: "1001"}[role],
		map[httpapi.Role]string{httpapi.RoleAdmin: demoAdminPassword, httpapi.RoleSupervisor: demoSupervisorPassword, httpapi.RoleClerk: demoClerkPassword}[role]
	r, err := s.public.Login(context.Background(), id, pw)
	if err != nil {
		t.Fatal(err)
	}
	return r.Token
}

func TestMain_PublicRequestsAreRateLimited(t *testing.T) {
	s2 := startServerWith(t, func(m *Main) { m.Config.PublicBurst, m.Config.PublicRate = 3, 0.001 })
	var statuses []int
	for range 5 {
		status, _, _ := raw(t, "GET", s2.URL()+"/api/v1/mobile/zz-none", "", "")
		statuses = append(statuses, status)
	}
	// The admin's login was the first of the burst of 3 from this address.
	if statuses[0] != 404 || statuses[1] != 404 || statuses[2] != 429 || statuses[4] != 429 {
		t.Fatalf("statuses %v, want 2 answers then 429", statuses)
	}
	// Authenticated callers are not limited.
	for range 5 {
		if _, err := s2.admin.Hall(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}

func startServerWith(t *testing.T, adjust func(*Main)) *server {
	t.Helper()
	m := NewMain()
	if err := m.ParseFlags(context.Background(), []string{"-demo", "-data", t.TempDir(), "-addr", "127.0.0.1:0"}); err != nil {
		t.Fatal(err)
	}
	m.Logger, m.Stdout = quiet, io.Discard
	adjust(m)
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	s := &server{Main: m, public: httpapi.NewClient(m.URL(), nil)}
	login, err := s.public.Login(context.Background(), "admin", demoAdminPassword)
	if err != nil {
		t.Fatal(err)
	}
	s.admin = s.public.WithToken(login.Token)
	return s
}

func TestMain_HealthAndMetrics(t *testing.T) {
	s := newServer(t)
	tok := s.roleTokens(t)
	if _, err := s.as(tok[httpapi.RoleKiosk]).IssueTicket(context.Background(), hall.IssueRequest{ServiceID: "gjj", Channel: hall.ChannelTap}); err != nil {
		t.Fatal(err)
	}
	sub := s.as(tok[httpapi.RoleScreen]).Subscribe(context.Background(), httpapi.SubscribeOptions{Snapshot: true})
	defer sub.Close()
	next(t, sub)
	status, _, body := raw(t, "GET", s.URL()+"/healthz", "", "")
	if status != 200 || !strings.Contains(string(body), `"status":"ok"`) {
		t.Fatalf("healthz = %d %s", status, body)
	}
	_, _, body = raw(t, "GET", s.URL()+"/metrics", "", "")
	for _, want := range []string{
		`hall_waiting_tickets{service="gjj"} 1`,
		`hall_subscribers 1`,
		`hall_event_last_seq `,
		`hall_http_requests_total{method="POST",route="POST /api/v1/tickets",status="201"} 1`,
		`hall_http_request_duration_seconds_bucket{method="POST",route="POST /api/v1/tickets"`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

func TestMain_ParseFlagsConfigFileAndOverrides(t *testing.T) {
	dir := t.TempDir()
	path := dir + "/hall.json"
	if err := writeFile(path, `{"addr":":9000","data":"/srv/hall","sessionTTL":"2h","publicRate":7}`); err != nil {
		t.Fatal(err)
	}
	m := NewMain()
	if err := m.ParseFlags(context.Background(), []string{"-config", path, "-addr", ":9001"}); err != nil {
		t.Fatal(err)
	}
	if m.Config.Addr != ":9001" || m.Config.DataDir != "/srv/hall" || time.Duration(m.Config.SessionTTL) != 2*time.Hour || m.Config.PublicRate != 7 {
		t.Fatalf("config = %+v", m.Config)
	}
	if err := writeFile(path, `{"adress":":9000"}`); err != nil {
		t.Fatal(err)
	}
	if err := NewMain().ParseFlags(context.Background(), []string{"-config", path}); err == nil {
		t.Fatal("a misspelt config key was accepted")
	}
	if err := NewMain().ParseFlags(context.Background(), []string{"-tls-cert", "x.pem"}); err == nil {
		t.Fatal("a certificate without a key was accepted")
	}
}

func writeFile(path, s string) error { return os.WriteFile(path, []byte(s), 0o600) }
