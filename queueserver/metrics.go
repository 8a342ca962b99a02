package main

import (
	"bufio"
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"hall/queueserver/bolt"
	"hall/queueserver/httpapi"
	"hall/queueserver/hub"
)

// metrics is the server's Prometheus registry: one per Main, so tests can run several servers.
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newMetrics(store *bolt.Store, h *hub.Hub[*httpapi.Frame]) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hall_http_requests_total", Help: "HTTP requests by route pattern, method and status.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "hall_http_request_duration_seconds", Help: "HTTP request latency by route pattern.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route", "method"}),
	}
	m.reg.MustRegister(m.requests, m.latency,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "hall_subscribers", Help: "Connected websocket subscribers."},
			func() float64 { return float64(h.Subscribers()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "hall_subscribers_dropped_total", Help: "Subscribers dropped for falling behind."},
			func() float64 { return float64(h.Dropped()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "hall_event_last_seq", Help: "Sequence number of the newest event in the log."},
			func() float64 {
				seq, _ := store.LastSeq(context.Background())
				return float64(seq)
			}),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "hall_store_commits_total", Help: "Write transactions committed by the store (group commits)."},
			func() float64 { commits, _ := store.BatchStats(); return float64(commits) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "hall_store_steps_total", Help: "Workflow steps run by the store; steps/commits is how many share one commit."},
			func() float64 { _, steps := store.BatchStats(); return float64(steps) }),
		&waitingCollector{store: store, desc: prometheus.NewDesc("hall_waiting_tickets", "Tickets waiting per service.", []string{"service"}, nil)},
		newDeviceHealthCollector(store),
	)
	return m
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// instrument counts and times every request by the route pattern that served it (so ids in
// paths do not explode the label space).
func (m *metrics) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		m.requests.WithLabelValues(route, r.Method, strconv.Itoa(sw.status)).Inc()
		m.latency.WithLabelValues(route, r.Method).Observe(time.Since(start).Seconds())
	})
}

// statusWriter remembers the status written; it passes Hijack through for the websocket.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController (and the websocket upgrader through it) reach Hijack.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// waitingCollector reads the waiting count of every service at scrape time.
type waitingCollector struct {
	store *bolt.Store
	desc  *prometheus.Desc
}

func (c *waitingCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *waitingCollector) Collect(ch chan<- prometheus.Metric) {
	av, err := c.store.Availability(context.Background())
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.desc, err)
		return
	}
	for _, a := range av {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(a.Waiting), a.ServiceID)
	}
}

// Hijack hands the connection to the websocket upgrader.
func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := w.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("queueserver: the response writer cannot be hijacked")
	}
	w.status = http.StatusSwitchingProtocols
	return h.Hijack()
}
