// Command queueserver is the hall's one server: the bbolt store, the HTTP JSON API and the
// websocket event feed, /healthz and Prometheus /metrics.
//
//	queueserver [-config hall.json] [-addr :8080] [-data ./data] [-demo] [-tls-cert f -tls-key f]
//
// Main holds the wiring so that tests run the real server on :0 with a temporary data
// directory: ParseFlags, Run (returns once listening), Close (graceful: stops accepting, ends
// websockets, waits for requests, then closes the hub and the store). Logs are JSON (log/slog).
//
// Concurrency: Run starts the HTTP server, the day-close loop and the session sweeper; Close
// stops them all and waits for them.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"time"

	"hall"
	"hall/queueserver/backend"
	"hall/queueserver/bolt"
	"hall/queueserver/httpapi"
	"hall/queueserver/hub"
	"hall/queueserver/web"
)

func main() {
	if os.Getenv("GOGC") == "" {
		// The live heap is small (tens of MB) and the garbage is per request: collecting at three
		// times the live heap instead of twice cuts the collector's share of the CPU by half.
		debug.SetGCPercent(200)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	m := NewMain()
	if err := m.ParseFlags(ctx, os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "queueserver:", err)
		os.Exit(2)
	}
	if err := m.Run(ctx); err != nil {
		m.Logger.Error("start failed", "err", err)
		m.Close()
		os.Exit(1)
	}
	<-ctx.Done()
	m.Logger.Info("shutting down")
	if err := m.Close(); err != nil {
		m.Logger.Error("shutdown", "err", err)
		os.Exit(1)
	}
}

// Config is the server's configuration: a JSON file (-config) overridden by flags.
type Config struct {
	Addr    string `json:"addr"`
	DataDir string `json:"data"`
	Demo    bool   `json:"demo"`
	TLSCert string `json:"tlsCert,omitempty"`
	TLSKey  string `json:"tlsKey,omitempty"`
	// SessionTTL is how long a staff login lasts, e.g. "12h".
	SessionTTL Duration `json:"sessionTTL,omitempty"`
	// DayCloseInterval is how often the day-close loop checks the clock, e.g. "30s".
	DayCloseInterval Duration `json:"dayCloseInterval,omitempty"`
	// PublicRate and PublicBurst limit public requests per client address.
	PublicRate  float64 `json:"publicRate,omitempty"`
	PublicBurst int     `json:"publicBurst,omitempty"`
	// LogLevel is debug, info, warn or error.
	LogLevel string `json:"logLevel,omitempty"`
	// HallID names this hall to the platform (the prefix of idempotency keys; default "hall").
	HallID string `json:"hallId,omitempty"`
	// SealKeyFile holds the 32-byte key (hex) that seals applicants' ID numbers at rest; default
	// <data>/seal.key, made on first start.
	SealKeyFile string `json:"sealKeyFile,omitempty"`
	// Platform is the link to the province/city platform.
	Platform PlatformConfig `json:"platform,omitzero"`
	// SMS is the SMS gateway.
	SMS SMSConfig `json:"sms,omitzero"`
	// FanoutWorkers is how many goroutines write live events to the hall's screens (default:
	// one per core, at most 4).
	FanoutWorkers int `json:"fanoutWorkers,omitempty"`
	// FanoutLinger is how long a live event that nobody waits for (not a call, recall or
	// pause) may wait to share a write with the next one, e.g. "25ms"; "0s" sends each at once.
	FanoutLinger *Duration `json:"fanoutLinger,omitempty"`
}

// Duration is a time.Duration written as "12h", "30s" in the config file.
type Duration time.Duration

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	*d = Duration(v)
	return err
}

// MarshalText implements encoding.TextMarshaler.
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// DefaultFanoutLinger is Config.FanoutLinger's default: well below what a person notices on a
// screen, and long enough for the finish of one visitor to go out with the call of the next.
const DefaultFanoutLinger = 25 * time.Millisecond

// DefaultConfig returns the documented defaults.
func DefaultConfig() Config {
	return Config{Addr: ":8080", DataDir: "./data", SessionTTL: Duration(12 * time.Hour), DayCloseInterval: Duration(30 * time.Second), LogLevel: "info"}
}

// Main is the server program.
type Main struct {
	Config Config
	// Now is the clock of the store and API (default time.Now); tests inject one.
	Now func() time.Time
	// Logger receives JSON logs (default: to Stderr).
	Logger *slog.Logger
	// Stdout receives the demo hall's banner (default os.Stdout).
	Stdout io.Writer

	store     *bolt.Store
	outbox    *backend.Outbox
	smsOutbox *backend.Outbox
	// demoPlatform is the in-process reference platform of -demo without a platform URL.
	demoPlatform    *http.Server
	demoPlatformURL string
	hub             *hub.Hub[*httpapi.Frame]
	api             *httpapi.Server
	http            *http.Server
	listener        net.Listener
	url             string
	cancel          context.CancelFunc
	wg              sync.WaitGroup

	closeOnce sync.Once
	closeErr  error
}

// NewMain returns a Main with the default configuration.
func NewMain() *Main {
	return &Main{Config: DefaultConfig(), Now: time.Now, Stdout: os.Stdout}
}

// ParseFlags reads the config file named by -config (if any) and then the flags, which win.
// flag.ErrHelp for -h; an error for a bad flag or an unreadable or malformed config file.
func (m *Main) ParseFlags(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("queueserver", flag.ContinueOnError)
	configPath := fs.String("config", "", "JSON config file (flags override it)")
	var flagCfg Config
	fs.StringVar(&flagCfg.Addr, "addr", m.Config.Addr, "listen address")
	fs.StringVar(&flagCfg.DataDir, "data", m.Config.DataDir, "data directory (holds hall.db)")
	fs.BoolVar(&flagCfg.Demo, "demo", false, "seed a demo hall into an empty store and print its credentials")
	fs.StringVar(&flagCfg.TLSCert, "tls-cert", "", "TLS certificate file (with -tls-key: serve HTTPS)")
	fs.StringVar(&flagCfg.TLSKey, "tls-key", "", "TLS key file")
	fs.StringVar(&flagCfg.LogLevel, "log-level", m.Config.LogLevel, "debug, info, warn or error")
	fs.StringVar(&flagCfg.HallID, "hall-id", "", "this hall's id at the platform")
	fs.StringVar(&flagCfg.SealKeyFile, "seal-key-file", "", "file with the hex key sealing ID numbers (default <data>/seal.key)")
	fs.StringVar(&flagCfg.Platform.URL, "platform-url", "", "the platform's sync endpoint (cases, ratings)")
	fs.StringVar(&flagCfg.Platform.SecretFile, "platform-secret-file", "", "file with the hex HMAC secret shared with the platform")
	fs.IntVar(&flagCfg.FanoutWorkers, "fanout-workers", 0, "goroutines writing live events to subscribers (default: one per core, at most 4)")
	linger := fs.Duration("fanout-linger", DefaultFanoutLinger, "how long a live event that is not a call may wait to share a write with the next")
	ttl := fs.Duration("session-ttl", time.Duration(m.Config.SessionTTL), "staff session lifetime")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	if *configPath != "" {
		b, err := os.ReadFile(*configPath)
		if err != nil {
			return fmt.Errorf("config: %w", err)
		}
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&m.Config); err != nil {
			return fmt.Errorf("config %s: %w", *configPath, err)
		}
	}
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "addr":
			m.Config.Addr = flagCfg.Addr
		case "data":
			m.Config.DataDir = flagCfg.DataDir
		case "demo":
			m.Config.Demo = flagCfg.Demo
		case "tls-cert":
			m.Config.TLSCert = flagCfg.TLSCert
		case "tls-key":
			m.Config.TLSKey = flagCfg.TLSKey
		case "log-level":
			m.Config.LogLevel = flagCfg.LogLevel
		case "hall-id":
			m.Config.HallID = flagCfg.HallID
		case "seal-key-file":
			m.Config.SealKeyFile = flagCfg.SealKeyFile
		case "platform-url":
			m.Config.Platform.URL = flagCfg.Platform.URL
		case "platform-secret-file":
			m.Config.Platform.SecretFile = flagCfg.Platform.SecretFile
		case "session-ttl":
			m.Config.SessionTTL = Duration(*ttl)
		case "fanout-workers":
			m.Config.FanoutWorkers = flagCfg.FanoutWorkers
		case "fanout-linger":
			d := Duration(*linger)
			m.Config.FanoutLinger = &d
		}
	})
	if (m.Config.TLSCert == "") != (m.Config.TLSKey == "") {
		return errors.New("-tls-cert and -tls-key go together")
	}
	return nil
}

// feed lets the events endpoint attach its subscribers to the hub.
type feed struct{ hub *hub.Hub[*httpapi.Frame] }

func (f feed) Attach(sink httpapi.FrameSink) func() { return f.hub.Attach(sink) }

// URL is the server's base URL once Run has returned ("http://127.0.0.1:43121").
func (m *Main) URL() string { return m.url }

// Store returns the open store (for tests and tools in this package).
func (m *Main) Store() *bolt.Store { return m.store }

// Run opens the store, seeds the demo hall if asked, and starts serving; it returns once the
// listener is open. Call Close to stop.
func (m *Main) Run(ctx context.Context) error {
	if m.Now == nil {
		m.Now = time.Now
	}
	if m.Stdout == nil {
		m.Stdout = os.Stdout
	}
	if m.Logger == nil {
		var level slog.Level
		if err := level.UnmarshalText([]byte(m.Config.LogLevel)); err != nil {
			level = slog.LevelInfo
		}
		m.Logger = slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	}
	if err := os.MkdirAll(m.Config.DataDir, 0o700); err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	linger := DefaultFanoutLinger
	if m.Config.FanoutLinger != nil {
		linger = time.Duration(*m.Config.FanoutLinger)
	}
	workers := m.Config.FanoutWorkers
	if workers <= 0 {
		workers = min(runtime.GOMAXPROCS(0), 4)
	}
	m.hub = hub.New(httpapi.EncodeFrame, hub.Options{Workers: workers, Linger: linger, Logger: m.Logger})
	sealKey, err := m.sealKey()
	if err != nil {
		return err
	}
	publish := func(evs []hall.Event) {
		m.hub.Publish(evs)
		if m.outbox != nil {
			m.outbox.Kick()
		}
		if m.smsOutbox != nil {
			m.smsOutbox.Kick()
		}
	}
	store, err := bolt.Open(filepath.Join(m.Config.DataDir, "hall.db"), bolt.Options{Now: m.Now, Publish: publish, Logger: m.Logger, SealKey: sealKey})
	if err != nil {
		return err
	}
	m.store = store
	if m.Config.Demo {
		if err := m.seedDemo(ctx); err != nil {
			return fmt.Errorf("demo hall: %w", err)
		}
	}
	m.api = httpapi.NewServer(httpapi.Config{
		Queue: store, Reader: store, Catalog: store, Appointments: store, Events: store, Auth: store, Ratings: store, Desk: store, Feed: feed{m.hub},
		Cases: store, Licences: store, Sync: m, Health: store,
		Logger: m.Logger, Now: m.Now, SessionTTL: time.Duration(m.Config.SessionTTL),
		PublicRate: m.Config.PublicRate, PublicBurst: m.Config.PublicBurst,
	})
	metrics := newMetrics(store, m.hub)
	mux := http.NewServeMux()
	mux.Handle("/api/", m.api)
	mux.Handle("GET /metrics", metrics.handler())
	mux.HandleFunc("GET /healthz", m.healthz)
	mux.HandleFunc("GET "+VerifyPath+"{code}", m.verify)
	pages, err := web.New()
	if err != nil {
		return fmt.Errorf("web pages: %w", err)
	}
	for _, p := range web.Paths {
		mux.Handle(p, pages)
	}
	m.http = &http.Server{
		Handler:           metrics.instrument(mux),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(m.Logger.Handler(), slog.LevelWarn),
	}
	ln, err := net.Listen("tcp", m.Config.Addr)
	if err != nil {
		return err
	}
	m.listener = ln
	scheme := "http"
	if m.Config.TLSCert != "" {
		scheme = "https"
	}
	m.url = scheme + "://" + advertised(ln.Addr())

	runCtx, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	if err := m.startSync(runCtx, mux); err != nil {
		return err
	}
	metrics.registerOutbox(m)
	m.wg.Add(3)
	go func() {
		defer m.wg.Done()
		var err error
		if m.Config.TLSCert != "" {
			err = m.http.ServeTLS(ln, m.Config.TLSCert, m.Config.TLSKey)
		} else {
			err = m.http.Serve(ln)
		}
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			m.Logger.Error("serve", "err", err)
		}
	}()
	go func() {
		defer m.wg.Done()
		store.RunDayClose(runCtx, time.Duration(max(m.Config.DayCloseInterval, Duration(time.Second))))
	}()
	go func() {
		defer m.wg.Done()
		m.sweepSessions(runCtx)
	}()
	m.Logger.Info("listening", "url", m.url, "data", m.Config.DataDir)
	if m.Config.Demo {
		m.printDemo()
	}
	return nil
}

// sweepSessions forgets expired staff sessions every hour.
func (m *Main) sweepSessions(ctx context.Context) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := m.store.PruneSessions(ctx); err != nil {
				m.Logger.Error("prune sessions", "err", err)
			} else if n > 0 {
				m.Logger.Info("pruned expired sessions", "count", n)
			}
		}
	}
}

// advertised turns a listen address into one a client can dial (":0" → 127.0.0.1:port).
func advertised(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

// healthz answers 200 when the store reads, 503 otherwise.
func (m *Main) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	seq, err := m.store.LastSeq(r.Context())
	if err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintf(w, `{"status":"unavailable"}`+"\n")
		return
	}
	fmt.Fprintf(w, `{"status":"ok","lastSeq":%d}`+"\n", seq)
}

// Close shuts down gracefully: stops accepting requests, ends the websockets, waits (up to 10 s)
// for requests in flight, stops the loops, then closes the hub and the store. Idempotent.
func (m *Main) Close() error {
	m.closeOnce.Do(func() {
		var errs []error
		if m.http != nil {
			if m.api != nil {
				m.api.Close()
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			if err := m.http.Shutdown(ctx); err != nil {
				errs = append(errs, err)
				m.http.Close()
			}
			cancel()
		}
		if m.demoPlatform != nil {
			m.demoPlatform.Close()
		}
		if m.cancel != nil {
			m.cancel()
		}
		m.wg.Wait()
		if m.api != nil {
			m.api.Close()
		}
		if m.hub != nil {
			m.hub.Close()
		}
		if m.store != nil {
			if err := m.store.Close(); err != nil {
				errs = append(errs, err)
			}
		}
		m.closeErr = errors.Join(errs...)
	})
	return m.closeErr
}
