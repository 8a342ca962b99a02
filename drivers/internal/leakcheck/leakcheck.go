// Package leakcheck fails a driver test whose goroutines outlive it: Close must stop everything a
// driver or simulator started. Call Check at the start of a test; the check runs at cleanup,
// waiting up to three seconds for goroutines to finish before it reports them with their stacks.
// Tests that use it must not run in parallel with other tests of the package.
package leakcheck

import (
	"runtime"
	"testing"
	"time"
)

// Check records the number of goroutines now and, when t ends, fails t if more are still running.
func Check(t testing.TB) {
	t.Helper()
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(3 * time.Second)
		for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if n := runtime.NumGoroutine(); n > before {
			buf := make([]byte, 1<<16)
			t.Errorf("%d goroutines leaked:\n%s", n-before, buf[:runtime.Stack(buf, true)])
		}
	})
}
