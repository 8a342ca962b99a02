package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"hall"
	"hall/queueserver/backend"
	"hall/queueserver/sms"
)

// PlatformConfig is the link to the province/city platform (一窗受理系统, 好差评系统).
type PlatformConfig struct {
	// URL receives the outbound batches (backend/SCHEMA.md). Empty: nothing is sent (the
	// outbox still records what waits, and starts from the beginning once a URL is set).
	URL string `json:"url,omitempty"`
	// SecretFile holds the shared HMAC secret of outbound batches and inbound licence notices.
	SecretFile string `json:"secretFile,omitempty"`
	// Batch is the most deliveries per POST (default 50); Timeout bounds one POST (default 30 s).
	Batch   int      `json:"batch,omitempty"`
	Timeout Duration `json:"timeout,omitempty"`
	// MinBackoff and MaxBackoff bound the retry wait (default 500 ms and 5 min).
	MinBackoff Duration `json:"minBackoff,omitempty"`
	MaxBackoff Duration `json:"maxBackoff,omitempty"`
}

// SMSConfig is the SMS gateway (短信网关). Without a URL no messages are sent (the demo hall
// logs them instead).
type SMSConfig struct {
	URL string `json:"url,omitempty"`
	// TokenFile holds the gateway's bearer token.
	TokenFile string `json:"tokenFile,omitempty"`
	// HallName signs the messages (default: the hall's name).
	HallName string `json:"hallName,omitempty"`
	// NearPlaces: the visitor with NearPlaces-1 tickets ahead gets "即将到号" (default 3).
	NearPlaces int `json:"nearPlaces,omitempty"`
}

// DemoPlatformSecretFile holds the demo platform's HMAC secret (hex) in the data directory.
const DemoPlatformSecretFile = "demo-platform.secret"

// readKeyFile reads a hex key of n bytes from path. With create set, a missing file is made
// with a fresh random key (mode 0600).
func readKeyFile(path string, n int, create bool) ([]byte, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) && create {
		key := make([]byte, n)
		rand.Read(key)
		if err := os.WriteFile(path, []byte(hex.EncodeToString(key)+"\n"), 0o600); err != nil {
			return nil, err
		}
		return key, nil
	}
	if err != nil {
		return nil, err
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || (n > 0 && len(key) != n) || len(key) < 16 {
		return nil, fmt.Errorf("%s: want %d bytes as hex", path, max(n, 16))
	}
	return key, nil
}

// sealKey loads the key that seals ID numbers: SealKeyFile, or <data>/seal.key made on first start.
func (m *Main) sealKey() ([]byte, error) {
	path := m.Config.SealKeyFile
	if path == "" {
		path = filepath.Join(m.Config.DataDir, "seal.key")
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			m.Logger.Warn("no sealKeyFile configured: made one in the data directory; keep it apart from the data (and backed up) in production", "path", path)
		}
	}
	key, err := readKeyFile(path, 32, m.Config.SealKeyFile == "")
	if err != nil {
		return nil, fmt.Errorf("seal key: %w", err)
	}
	return key, nil
}

// startSync starts the demo platform (with -demo and no platform URL), the outbox to the
// platform, and the case supervision loop, and mounts the inbound licence endpoint on mux.
func (m *Main) startSync(ctx context.Context, mux *http.ServeMux) error {
	pc := m.Config.Platform
	var secret []byte
	if pc.SecretFile != "" {
		var err error
		if secret, err = readKeyFile(pc.SecretFile, 0, false); err != nil {
			return fmt.Errorf("platform secret: %w", err)
		}
	}
	if m.Config.Demo && pc.URL == "" {
		// The demo platform's secret is kept in the data directory, so that tools (and the
		// kiosk tests) can sign licence notices as the platform would.
		var err error
		if secret, err = readKeyFile(filepath.Join(m.Config.DataDir, DemoPlatformSecretFile), 32, true); err != nil {
			return fmt.Errorf("demo platform secret: %w", err)
		}
		url, err := m.startDemoPlatform(secret)
		if err != nil {
			return err
		}
		pc.URL = url + backend.ReceiverSyncPath
	}
	mux.Handle("POST "+backend.InboundPath, &backend.Inbound{Licences: m.store, Secret: secret, Logger: m.Logger, Now: m.Now})
	hallID := m.Config.HallID
	if hallID == "" {
		hallID = "hall"
	}
	var deliverer backend.Deliverer = &backend.Platform{URL: pc.URL, Secret: secret, HallID: hallID, IDs: m.store,
		Client: &http.Client{Timeout: max(time.Duration(pc.Timeout), time.Second)}, Now: m.Now}
	if pc.URL == "" {
		deliverer = notConfigured{}
	}
	m.outbox = backend.NewOutbox(backend.OutboxOptions{
		Name: "platform", Log: m.store, Cursors: m.store, Select: backend.SelectPlatform, Deliverer: deliverer,
		Batch: pc.Batch, MinBackoff: time.Duration(pc.MinBackoff), MaxBackoff: time.Duration(pc.MaxBackoff), Logger: m.Logger, Now: m.Now,
	})
	if err := m.startSMS(ctx); err != nil {
		return err
	}
	m.wg.Add(2)
	go func() {
		defer m.wg.Done()
		if err := m.outbox.Run(ctx); err != nil && ctx.Err() == nil {
			m.Logger.Error("platform outbox stopped", "err", err)
		}
	}()
	go func() {
		defer m.wg.Done()
		m.superviseCases(ctx)
	}()
	return nil
}

// startSMS starts the SMS outbox when a gateway is configured, or, for the demo hall, one that
// logs the messages.
func (m *Main) startSMS(ctx context.Context) error {
	sc := m.Config.SMS
	var sender sms.Sender
	switch {
	case sc.URL != "":
		token := ""
		if sc.TokenFile != "" {
			b, err := os.ReadFile(sc.TokenFile)
			if err != nil {
				return fmt.Errorf("sms token: %w", err)
			}
			token = strings.TrimSpace(string(b))
		}
		sender = &sms.Gateway{URL: sc.URL, Token: token}
	case m.Config.Demo:
		sender = sms.LogSender{Logger: m.Logger}
	default:
		return nil
	}
	name := sc.HallName
	if name == "" {
		if h, err := m.store.Hall(ctx); err == nil {
			name = h.Name
		}
	}
	n := &sms.Notifier{Store: m.store, Sender: sender, HallName: name, NearPlaces: sc.NearPlaces, Now: m.Now, Logger: m.Logger}
	m.smsOutbox = backend.NewOutbox(backend.OutboxOptions{Name: "sms", Log: m.store, Cursors: m.store, Select: sms.Select,
		Deliverer: n, Batch: 1, Logger: m.Logger, Now: m.Now})
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		if err := m.smsOutbox.Run(ctx); err != nil && ctx.Err() == nil {
			m.Logger.Error("sms outbox stopped", "err", err)
		}
	}()
	return nil
}

// notConfigured is the deliverer while no platform URL is set: everything waits.
type notConfigured struct{}

func (notConfigured) Deliver(context.Context, []hall.Event) error {
	return errors.New("no platform URL is configured")
}

// startDemoPlatform runs the reference receiver on a free loopback port for the demo hall and
// returns its base URL.
func (m *Main) startDemoPlatform(secret []byte) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("demo platform: %w", err)
	}
	rm := &backend.ReceiverMux{R: &backend.Receiver{Secret: secret}, HallURL: "http://" + advertised(m.listener.Addr())}
	m.demoPlatform = &http.Server{Handler: rm, ReadHeaderTimeout: 10 * time.Second}
	m.demoPlatformURL = "http://" + ln.Addr().String()
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		if err := m.demoPlatform.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			m.Logger.Error("demo platform", "err", err)
		}
	}()
	return m.demoPlatformURL, nil
}

// SyncStatus implements httpapi.SyncStatus.
func (m *Main) SyncStatus(ctx context.Context) ([]hall.OutboxStatus, error) {
	if m.outbox == nil {
		return nil, nil
	}
	var out []hall.OutboxStatus
	for _, o := range []*backend.Outbox{m.outbox, m.smsOutbox} {
		if o == nil {
			continue
		}
		st, err := o.Status(ctx)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, nil
}

// superviseCasesEvery is how often open cases are checked against their time limits.
const superviseCasesEvery = time.Minute

// superviseCases sends the time-limit warnings of cases (电子监察) every minute.
func (m *Main) superviseCases(ctx context.Context) {
	t := time.NewTicker(superviseCasesEvery)
	defer t.Stop()
	for {
		if n, err := m.store.SuperviseCases(ctx); err != nil && ctx.Err() == nil {
			m.Logger.Error("supervise cases", "err", err)
		} else if n > 0 {
			m.Logger.Info("case time-limit alerts", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// registerOutbox adds the platform outbox's gauges and counters to the metrics.
func (mt *metrics) registerOutbox(m *Main) {
	mt.reg.MustRegister(&outboxCollector{m: m,
		backlog:   prometheus.NewDesc("hall_backend_backlog", "Events waiting for delivery by the outbox.", []string{"outbox"}, nil),
		delivered: prometheus.NewDesc("hall_backend_delivered_total", "Events delivered to the platform since start.", []string{"outbox"}, nil),
		failures:  prometheus.NewDesc("hall_backend_failures_total", "Failed delivery attempts since start.", []string{"outbox"}, nil),
		failing:   prometheus.NewDesc("hall_backend_failing", "1 while the last delivery attempt failed.", []string{"outbox"}, nil),
		lastError: prometheus.NewDesc("hall_backend_last_error_timestamp_seconds", "When the last delivery failed (0: never).", []string{"outbox"}, nil),
		cursor:    prometheus.NewDesc("hall_backend_cursor", "Sequence number of the last event handled.", []string{"outbox"}, nil),
	})
}

// outboxCollector reads the outbox status at scrape time.
type outboxCollector struct {
	m                                                        *Main
	backlog, delivered, failures, failing, lastError, cursor *prometheus.Desc
}

func (c *outboxCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.backlog, c.delivered, c.failures, c.failing, c.lastError, c.cursor} {
		ch <- d
	}
}

func (c *outboxCollector) Collect(ch chan<- prometheus.Metric) {
	sts, err := c.m.SyncStatus(context.Background())
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.backlog, err)
		return
	}
	for _, st := range sts {
		failing, lastErr := 0.0, 0.0
		if st.Failing {
			failing = 1
		}
		if !st.LastErrorAt.IsZero() {
			lastErr = float64(st.LastErrorAt.Unix())
		}
		ch <- prometheus.MustNewConstMetric(c.backlog, prometheus.GaugeValue, float64(st.Backlog), st.Name)
		ch <- prometheus.MustNewConstMetric(c.delivered, prometheus.CounterValue, float64(st.Delivered), st.Name)
		ch <- prometheus.MustNewConstMetric(c.failures, prometheus.CounterValue, float64(st.Failures), st.Name)
		ch <- prometheus.MustNewConstMetric(c.failing, prometheus.GaugeValue, failing, st.Name)
		ch <- prometheus.MustNewConstMetric(c.lastError, prometheus.GaugeValue, lastErr, st.Name)
		ch <- prometheus.MustNewConstMetric(c.cursor, prometheus.GaugeValue, float64(st.Cursor), st.Name)
	}
}
