package bolt

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"hall"
)

// seedBusyHall adds two wide services (R, S) and n counters serving both, all logged in.
func seedBusyHall(t testing.TB, s *Store, counters int) {
	t.Helper()
	ctx := context.Background()
	for _, sv := range []hall.Service{
		{ID: "r", Name: "综合受理", AreaID: "a1", Prefix: "R", NumberFrom: 1, NumberTo: 99999, Digits: 5},
		{ID: "s", Name: "专项受理", AreaID: "a1", Prefix: "S", NumberFrom: 1, NumberTo: 99999, Digits: 5},
	} {
		if err := s.PutService(ctx, sv); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < counters; i++ {
		id := fmt.Sprintf("k%02d", i)
		if err := s.PutCounter(ctx, hall.Counter{ID: id, Number: 100 + i, AreaID: "a1",
			Services: []hall.CounterService{{ServiceID: "r", Weight: 2}, {ServiceID: "s", Weight: 1}},
			Rule:     &hall.CallRule{Mode: hall.CallMode([]string{"longest_waiting", "order", "weight"}[i%3]), Priority: hall.PriorityFirst, AppointmentsFirst: true}}); err != nil {
			t.Fatal(err)
		}
		staff := "w" + id
		if err := s.PutStaff(ctx, hall.Staff{ID: staff, Name: "窗口" + id, Role: hall.RoleClerk}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Login(ctx, id, staff); err != nil {
			t.Fatal(err)
		}
	}
}

// TestQueue_RacingIssueAndCall: 64 goroutines race issuing and calling on shared services and
// counters (four callers per counter, so calls on one counter collide too). Afterwards no ticket
// was called twice or by two counters, numbers are unique per service and day, every
// acknowledged ticket exists, and the event log and the published feed are gap-free.
func TestQueue_RacingIssueAndCall(t *testing.T) {
	f := openFixture(t)
	const counters, callersPerCounter, issuers = 8, 4, 32
	seedBusyHall(t, f.Store, counters)
	rounds := 1000
	if raceEnabled {
		rounds = 250 // the race detector slows every step ~10x; 64 x 250 racing steps still collide plenty
	}
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		issued = map[string]hall.Ticket{}
		calls  = map[string]int{}
	)
	errs := make(chan error, 64)
	for i := 0; i < issuers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			svc := []string{"r", "s"}[i%2]
			for n := 0; n < rounds; n++ {
				r := hall.IssueRequest{ServiceID: svc, Channel: hall.ChannelTap}
				if n%7 == 0 {
					r.Channel, r.Priority = hall.ChannelPriority, hall.PriorityDisabled
				}
				tk, err := f.IssueTicket(f.ctx, r)
				if err != nil {
					errs <- fmt.Errorf("issue: %w", err)
					return
				}
				mu.Lock()
				issued[tk.ID] = tk
				mu.Unlock()
			}
		}(i)
	}
	for i := 0; i < counters*callersPerCounter; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			counter := fmt.Sprintf("k%02d", i%counters)
			for n := 0; n < rounds; n++ {
				tk, err := f.CallNext(f.ctx, counter, false)
				switch hall.ErrorReason(err) {
				case "":
					if err != nil {
						errs <- err
						return
					}
					mu.Lock()
					calls[tk.ID]++
					mu.Unlock()
					if _, err := f.Finish(f.ctx, counter); err != nil && hall.ErrorReason(err) != "counter_no_ticket" {
						errs <- fmt.Errorf("finish: %w", err)
						return
					}
				case "queue_empty", "counter_busy":
					// Another caller of this counter holds it, or the issuers are behind.
					f.Finish(f.ctx, counter)
				default:
					errs <- fmt.Errorf("call: %w", err)
					return
				}
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for id, n := range calls {
		if n != 1 {
			t.Fatalf("ticket %s was called %d times", id, n)
		}
	}
	byNumber := map[string]string{}
	for id, tk := range issued {
		key := string(tk.Day) + "/" + tk.ServiceID + "/" + tk.Code
		if other, dup := byNumber[key]; dup {
			t.Fatalf("number %s issued to %s and %s", key, other, id)
		}
		byNumber[key] = id
		got, err := f.Ticket(f.ctx, id)
		if err != nil || got.Code != tk.Code {
			t.Fatalf("acknowledged ticket %s missing: %v", id, err)
		}
	}
	if len(issued) != issuers*rounds {
		t.Fatalf("issued %d tickets, want %d", len(issued), issuers*rounds)
	}
	// Each called event names one counter; a ticket called at two counters would show twice.
	calledAt := map[string]string{}
	for _, e := range f.rec.all() {
		if e.Type == hall.EventTicketCalled {
			if prev, dup := calledAt[e.Ticket.ID]; dup {
				t.Fatalf("ticket %s called at %s and %s", e.Ticket.ID, prev, e.CounterID)
			}
			calledAt[e.Ticket.ID] = e.CounterID
		}
	}
	if len(calledAt) != len(calls) {
		t.Fatalf("%d call events, %d acknowledged calls", len(calledAt), len(calls))
	}
	if pub, seq := len(f.rec.all()), f.lastSeq(t); uint64(pub) != seq {
		t.Fatalf("published %d events, log holds %d", pub, seq)
	}
	batches, steps := f.BatchStats()
	t.Logf("%d steps in %d transactions (%.1f per commit)", steps, batches, float64(steps)/float64(batches))
	if batches >= steps {
		t.Fatalf("no group commit under 64 concurrent callers: %d transactions for %d steps", batches, steps)
	}
	f.verify(t)
}
