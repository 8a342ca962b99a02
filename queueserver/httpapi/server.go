package httpapi

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"hall"
)

// Role is who a request comes from, decided by its bearer token.
type Role string

// Roles. Staff roles come from hall.Staff.Role; device roles from hall.Device.Kind; a request
// without a token is public.
const (
	RoleAdmin      Role = "admin"
	RoleSupervisor Role = "supervisor"
	RoleClerk      Role = "clerk"
	RoleKiosk      Role = "kiosk"
	RoleScreen     Role = "screen"
	RoleCounter    Role = "counter" // a counter terminal's device token (a clerk logs in on top)
	RolePublic     Role = "public"
)

// AllRoles lists every role, for access tables and their tests.
var AllRoles = []Role{RoleAdmin, RoleSupervisor, RoleClerk, RoleKiosk, RoleScreen, RoleCounter, RolePublic}

// Role sets used by the route table.
var (
	everyone      = AllRoles
	authenticated = []Role{RoleAdmin, RoleSupervisor, RoleClerk, RoleKiosk, RoleScreen, RoleCounter}
	staff         = []Role{RoleAdmin, RoleSupervisor, RoleClerk}
	managers      = []Role{RoleAdmin, RoleSupervisor}
	admins        = []Role{RoleAdmin}
)

// Principal is the authenticated caller of one request.
type Principal struct {
	Role     Role
	StaffID  string
	DeviceID string
	Session  hall.Session
	// Addr is the client address (host only), the key of public rate limiting.
	Addr string
}

// identity names the caller for idempotency keys: a staff number, a device, or an address.
func (p Principal) identity() string {
	switch {
	case p.StaffID != "":
		return "staff:" + p.StaffID
	case p.DeviceID != "":
		return "device:" + p.DeviceID
	}
	return "addr:" + p.Addr
}

// Config holds what the server needs: the hall's role interfaces, the live feed and settings.
type Config struct {
	Queue        hall.Queue
	Reader       hall.QueueReader
	Catalog      hall.Catalog
	Appointments hall.Appointments
	Events       hall.Events
	Auth         hall.Auth
	Ratings      hall.Ratings
	Desk         hall.Desk
	Feed         Feed
	// Cases and Licences serve the case and licence routes; Sync reports the outboxes to the
	// platform. Routes whose interface is nil answer EUNAVAILABLE.
	Cases    hall.Cases
	Licences hall.Licences
	Sync     SyncStatus
	// Health keeps device health reports (optional: without it, reports are refused).
	Health hall.DeviceHealthStore

	Logger *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
	// SessionTTL is how long a staff login lasts (default 12 h).
	SessionTTL time.Duration
	// PublicRate and PublicBurst limit public requests per client address (default 5/s, burst 20).
	PublicRate  float64
	PublicBurst int
	// SubscriberBuffer is each websocket subscriber's frame buffer (default 1024).
	SubscriberBuffer int
	// MaxReplay is how far back a subscriber is replayed from the log before it gets a snapshot
	// instead (default 10,000 events).
	MaxReplay uint64
	// CheckOrigin decides which browser origins may open the websocket (default: same host, or
	// no Origin header as sent by non-browser clients).
	CheckOrigin func(r *http.Request) bool
}

// Server is the HTTP JSON API under /api/v1 and the websocket event feed. It is an http.Handler;
// Close ends the open websocket subscriptions. Handlers run on the net/http goroutines; the only
// state of its own is the rate limiter (mutex-guarded) and the set of open websockets.
type Server struct {
	cfg    Config
	log    *slog.Logger
	mux    *http.ServeMux
	routes []Route
	limit  *limiter

	// mu guards conns and closed.
	mu     sync.Mutex
	conns  map[chan struct{}]struct{}
	closed bool
	wg     sync.WaitGroup
}

// Route is one API route: its method, pattern, the roles allowed, and the handler.
type Route struct {
	Method  string
	Pattern string // net/http pattern path, e.g. /api/v1/tickets/{id}
	Roles   []Role
	handle  func(w http.ResponseWriter, r *http.Request, p Principal) error
}

// Allows reports whether role may use the route.
func (rt Route) Allows(role Role) bool { return slices.Contains(rt.Roles, role) }

// NewServer builds the API on cfg. Every role interface and the feed must be set.
func NewServer(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 12 * time.Hour
	}
	if cfg.PublicRate <= 0 {
		cfg.PublicRate = 5
	}
	if cfg.PublicBurst <= 0 {
		cfg.PublicBurst = 20
	}
	if cfg.SubscriberBuffer <= 0 {
		cfg.SubscriberBuffer = 1024
	}
	if cfg.MaxReplay == 0 {
		cfg.MaxReplay = 10000
	}
	s := &Server{cfg: cfg, log: cfg.Logger, mux: http.NewServeMux(), limit: newLimiter(cfg.PublicRate, cfg.PublicBurst), conns: map[chan struct{}]struct{}{}}
	s.routes = s.routeTable()
	for _, rt := range s.routes {
		if len(rt.Roles) == 0 {
			panic("httpapi: route without roles: " + rt.Method + " " + rt.Pattern)
		}
		s.mux.Handle(rt.Method+" "+rt.Pattern, s.wrap(rt))
	}
	s.mux.HandleFunc("/api/v1/", func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, hall.Errorf(hall.ENOTFOUND, reasonNoRoute, "接口不存在：%s %s", "no such endpoint: %s %s", r.Method, r.URL.Path))
	})
	return s
}

// Routes returns the route table (for the OpenAPI check and access tests).
func (s *Server) Routes() []Route { return slices.Clone(s.routes) }

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Close ends every open websocket subscription and waits for their goroutines. It is idempotent;
// new websockets are refused afterwards.
func (s *Server) Close() {
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		for c := range s.conns {
			close(c)
		}
	}
	s.mu.Unlock()
	s.wg.Wait()
}

// wrap authenticates the request, applies the route's access rule and public rate limiting,
// and turns a handler's error into an error response.
func (s *Server) wrap(rt Route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := s.authenticate(r, rt)
		if err == nil && !rt.Allows(p.Role) {
			if p.Role == RolePublic {
				err = hall.Errorf(hall.EUNAUTHORIZED, reasonLoginRequired, "请先登录", "please log in first")
			} else {
				err = hall.Errorf(hall.EFORBIDDEN, reasonRoleForbidden, "您无权进行此操作", "you are not allowed to do this")
			}
		}
		if err == nil && p.Role == RolePublic && !s.limit.allow(p.Addr, time.Now()) {
			w.Header().Set("Retry-After", "1")
			err = hall.Errorf(hall.ETOOMANY, reasonRateLimited, "请求过于频繁，请稍后再试", "too many requests; please try again shortly")
		}
		if err == nil {
			err = rt.handle(w, r, p)
		}
		if err != nil {
			s.writeError(w, r, err)
		}
	})
}

// authenticate resolves the bearer token (the Authorization header; for the websocket also the
// access_token query parameter, since browsers cannot set headers there).
func (s *Server) authenticate(r *http.Request, rt Route) (Principal, error) {
	p := Principal{Role: RolePublic, Addr: clientAddr(r)}
	token := ""
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, t, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(t) == "" {
			return p, hall.Errorf(hall.EUNAUTHORIZED, "token_invalid", "登录凭证格式错误", "malformed Authorization header")
		}
		token = strings.TrimSpace(t)
	} else if rt.Pattern == pathEvents {
		token = r.URL.Query().Get("access_token")
	}
	if token == "" {
		return p, nil
	}
	sess, err := s.cfg.Auth.Session(r.Context(), token)
	if err != nil {
		return p, err
	}
	p.Session = sess
	switch {
	case sess.StaffID != "":
		p.StaffID = sess.StaffID
		switch sess.Role {
		case hall.RoleAdmin:
			p.Role = RoleAdmin
		case hall.RoleSupervisor:
			p.Role = RoleSupervisor
		case hall.RoleClerk:
			p.Role = RoleClerk
		default:
			return p, hall.Errorf(hall.EFORBIDDEN, reasonRoleForbidden, "未知角色", "unknown role")
		}
	case sess.DeviceID != "":
		p.DeviceID = sess.DeviceID
		switch sess.DeviceKind {
		case hall.DeviceKiosk:
			p.Role = RoleKiosk
		case hall.DeviceScreen:
			p.Role = RoleScreen
		case hall.DeviceCounter:
			p.Role = RoleCounter
		default:
			return p, hall.Errorf(hall.EFORBIDDEN, reasonRoleForbidden, "未知设备类型", "unknown device kind")
		}
	default:
		return p, hall.Errorf(hall.EUNAUTHORIZED, "token_invalid", "登录凭证无效，请重新登录", "the credentials are not valid; please log in again")
	}
	return p, nil
}

// clientAddr is the client's host, without the port. Forwarding headers are not trusted: the
// server runs inside the hall LAN without a proxy.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// withIdempotency passes the request's Idempotency-Key down, prefixed with the caller's
// identity so that two callers' keys never collide. EINVALID for a key over 128 bytes or with
// control characters.
func withIdempotency(r *http.Request, p Principal) (context.Context, error) {
	key := r.Header.Get("Idempotency-Key")
	if key == "" {
		return r.Context(), nil
	}
	if len(key) > 128 || strings.IndexFunc(key, func(c rune) bool { return c < 0x20 || c == 0x7f }) >= 0 {
		return nil, hall.Errorf(hall.EINVALID, reasonIdempotencyKey, "Idempotency-Key 无效（最多 128 个可见字符）", "bad Idempotency-Key (at most 128 visible characters)")
	}
	return hall.WithIdempotencyKey(r.Context(), p.identity()+":"+key), nil
}

// limiter is a token bucket per client address.
type limiter struct {
	rate  float64
	burst float64

	// mu guards buckets and lastSweep.
	mu        sync.Mutex
	buckets   map[string]*bucket
	lastSweep time.Time
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newLimiter(rate float64, burst int) *limiter {
	return &limiter{rate: rate, burst: float64(burst), buckets: map[string]*bucket{}}
}

// allow takes a token from addr's bucket, reporting false when it is empty.
func (l *limiter) allow(addr string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.lastSweep) > time.Minute {
		l.sweepLocked(now)
	}
	b := l.buckets[addr]
	if b == nil {
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[addr] = b
	}
	b.tokens = min(l.burst, b.tokens+now.Sub(b.at).Seconds()*l.rate)
	b.at = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// sweepLocked forgets buckets that have refilled (idle clients), so the map stays small.
func (l *limiter) sweepLocked(now time.Time) {
	l.lastSweep = now
	for a, b := range l.buckets {
		if b.tokens+now.Sub(b.at).Seconds()*l.rate >= l.burst {
			delete(l.buckets, a)
		}
	}
}
