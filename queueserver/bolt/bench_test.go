package bolt

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"hall"
)

// benchHall opens a store with services services (numbers 1..99999 each) and one logged-in
// counter per service, using the real clock.
func benchHall(b *testing.B, services int) *Store {
	b.Helper()
	s, err := Open(filepath.Join(b.TempDir(), "bench.db"), Options{Logger: quietLog})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	ctx := context.Background()
	if err := s.PutArea(ctx, hall.Area{ID: "a", Name: "大厅"}); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < services; i++ {
		id := fmt.Sprintf("svc%02d", i)
		prefix := string(rune('A'+i%26)) + string(rune('A'+i/26))
		if err := s.PutService(ctx, hall.Service{ID: id, Name: "事项" + id, AreaID: "a", Prefix: prefix, NumberFrom: 1, NumberTo: 99999, Digits: 5}); err != nil {
			b.Fatal(err)
		}
	}
	return s
}

// benchCounters adds n logged-in counters, counter i serving service i%services.
func benchCounters(b *testing.B, s *Store, n, services int) []string {
	ctx := context.Background()
	var ids []string
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("c%03d", i)
		if err := s.PutCounter(ctx, hall.Counter{ID: id, Number: i + 1, AreaID: "a", Services: []hall.CounterService{{ServiceID: fmt.Sprintf("svc%02d", i%services)}}}); err != nil {
			b.Fatal(err)
		}
		if err := s.PutStaff(ctx, hall.Staff{ID: "s" + id, Name: "员工", Role: hall.RoleClerk}); err != nil {
			b.Fatal(err)
		}
		if _, err := s.Login(ctx, id, "s"+id); err != nil {
			b.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

// runLatency runs b.N operations spread over workers goroutines and reports throughput and
// latency percentiles. op(worker, i) performs the i-th operation of a worker and returns how long
// the measured part took (0 to time the whole call).
func runLatency(b *testing.B, workers int, op func(worker, i int) (time.Duration, error)) {
	lat := make([]time.Duration, b.N)
	var next atomic.Int64
	var wg sync.WaitGroup
	var failed atomic.Value
	b.ResetTimer()
	start := time.Now()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; ; i++ {
				n := next.Add(1) - 1
				if n >= int64(b.N) {
					return
				}
				t0 := time.Now()
				d, err := op(w, i)
				if err != nil {
					failed.Store(err)
					return
				}
				if d == 0 {
					d = time.Since(t0)
				}
				lat[n] = d
			}
		}(w)
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if err, ok := failed.Load().(error); ok {
		b.Fatal(err)
	}
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(float64(len(lat)-1)*p)]) / float64(time.Millisecond) }
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "ops/s")
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}

// BenchmarkIssue measures durable ticket issues (one fsync'd commit before each reply).
func BenchmarkIssue(b *testing.B) {
	for _, callers := range []int{1, 64} {
		b.Run(fmt.Sprintf("callers=%d", callers), func(b *testing.B) {
			const services = 20
			s := benchHall(b, services)
			benchCounters(b, s, services, services)
			ctx := context.Background()
			runLatency(b, callers, func(w, i int) (time.Duration, error) {
				_, err := s.IssueTicket(ctx, hall.IssueRequest{ServiceID: fmt.Sprintf("svc%02d", (w+i)%services), Channel: hall.ChannelTap})
				return 0, err
			})
			reportCommits(b, s)
		})
	}
}

// reportCommits reports the steps, pages written and time spent writing per commit.
func reportCommits(b *testing.B, s *Store) {
	batches, steps := s.BatchStats()
	tx := s.db.Stats().TxStats
	b.ReportMetric(float64(steps)/float64(batches), "steps/commit")
	b.ReportMetric(float64(tx.GetWrite())/float64(batches), "pages/commit")
	b.ReportMetric(float64(tx.GetWriteTime().Microseconds())/float64(batches), "write-µs/commit")
	b.ReportMetric(float64(tx.GetSpillTime().Microseconds())/float64(batches), "spill-µs/commit")
}

// BenchmarkCallNext measures call-next at counters whose queues are full; each counter finishes
// its ticket between calls (the finish is not timed).
func BenchmarkCallNext(b *testing.B) {
	for _, callers := range []int{1, 64} {
		b.Run(fmt.Sprintf("callers=%d", callers), func(b *testing.B) {
			const services = 20
			s := benchHall(b, services)
			counters := benchCounters(b, s, callers, services)
			ctx := context.Background()
			// Fill the queues of the served services: enough for every call.
			served := min(callers, services)
			var wg sync.WaitGroup
			// Counter w serves service w%served, so a busy service gets up to
			// ceil(callers/served)/callers of all calls.
			per := b.N*((callers+served-1)/served)/callers + callers + 1
			for sv := 0; sv < served; sv++ {
				wg.Add(1)
				go func(sv int) {
					defer wg.Done()
					for i := 0; i < per; i++ {
						if _, err := s.IssueTicket(ctx, hall.IssueRequest{ServiceID: fmt.Sprintf("svc%02d", sv), Channel: hall.ChannelTap}); err != nil {
							panic(err)
						}
					}
				}(sv)
			}
			wg.Wait()
			runLatency(b, callers, func(w, i int) (time.Duration, error) {
				t0 := time.Now()
				if _, err := s.CallNext(ctx, counters[w], false); err != nil {
					return 0, err
				}
				d := time.Since(t0)
				_, err := s.Finish(ctx, counters[w])
				return d, err
			})
		})
	}
}
