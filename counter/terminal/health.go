package terminal

import (
	"context"
	"errors"
	"sync"
	"time"

	"hall"
	"hall/drivers"
	"hall/queueserver/httpapi"
)

// healthReporter tells the server (POST /devices/self/health, with the counter's device token)
// when the sign, pad or scanner changes between working and faulty. It reports a component only
// when its state changes, in the background, retrying while the server cannot be reached; a
// newer state replaces one not yet sent.
type healthReporter struct {
	api *httpapi.Client
	log func(msg string, args ...any)

	// mu guards sent and want.
	mu   sync.Mutex
	sent map[string]hall.HealthStatus
	want map[string]httpapi.HealthReport
	kick chan struct{}
}

func newHealthReporter(api *httpapi.Client, log func(string, ...any)) *healthReporter {
	return &healthReporter{api: api, log: log, sent: map[string]hall.HealthStatus{}, want: map[string]httpapi.HealthReport{}, kick: make(chan struct{}, 1)}
}

// note records a component's state: err nil means working.
func (h *healthReporter) note(component string, err error) {
	r := httpapi.HealthReport{Component: component, Status: hall.HealthOK}
	if err != nil {
		r.Status, r.Reason, r.Detail = hall.HealthFault, "device_error", cut(err.Error(), 120)
		if errors.Is(err, drivers.ErrTimeout) || errors.Is(err, drivers.ErrOffline) {
			r.Reason = "offline"
		}
	}
	h.mu.Lock()
	if h.sent[component] == r.Status {
		delete(h.want, component)
		h.mu.Unlock()
		return
	}
	h.want[component] = r
	h.mu.Unlock()
	select {
	case h.kick <- struct{}{}:
	default:
	}
}

// run sends the reports until ctx ends.
func (h *healthReporter) run(ctx context.Context, retry time.Duration) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-h.kick:
		case <-time.After(retry):
		}
		h.mu.Lock()
		var reports []httpapi.HealthReport
		for _, r := range h.want {
			reports = append(reports, r)
		}
		h.mu.Unlock()
		for _, r := range reports {
			rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			_, err := h.api.ReportHealth(rctx, r)
			cancel()
			if err != nil {
				h.log("device health report", "component", r.Component, "err", err)
				continue
			}
			h.mu.Lock()
			h.sent[r.Component] = r.Status
			if h.want[r.Component] == r {
				delete(h.want, r.Component)
			}
			h.mu.Unlock()
		}
	}
}

// health notes a device component's state for the server (when the terminal has a device token).
func (t *Terminal) health(component string, err error) {
	if t.healthRep != nil && !errors.Is(err, context.Canceled) {
		t.healthRep.note(component, err)
	}
}
