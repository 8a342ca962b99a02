package leakcheck

import (
	"testing"
	"time"
)

// failRecorder is a testing.TB that records failures and runs cleanups on demand.
type failRecorder struct {
	testing.TB
	failed   bool
	cleanups []func()
}

func (r *failRecorder) Helper()               {}
func (r *failRecorder) Errorf(string, ...any) { r.failed = true }
func (r *failRecorder) Cleanup(f func())      { r.cleanups = append(r.cleanups, f) }
func (r *failRecorder) end() {
	for _, f := range r.cleanups {
		f()
	}
}

func TestCheck(t *testing.T) {
	clean := &failRecorder{TB: t}
	Check(clean)
	done := make(chan struct{})
	go func() { <-done }()
	close(done)
	clean.end()
	if clean.failed {
		t.Fatal("a goroutine that ended was reported as leaked")
	}

	leaky := &failRecorder{TB: t}
	Check(leaky)
	stop := make(chan struct{})
	go func() { <-stop }()
	start := time.Now()
	leaky.end()
	close(stop)
	if !leaky.failed || time.Since(start) < 3*time.Second {
		t.Fatal("a goroutine still running at the end was not reported after the grace period")
	}
}
