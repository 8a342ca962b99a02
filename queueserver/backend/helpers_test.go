package backend

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"hall"
	"hall/queueserver/bolt"
)

var quietLog = slog.New(slog.NewTextHandler(io.Discard, nil))

var (
	testSealKey = []byte("0123456789abcdef0123456789abcdef")
	testSecret  = []byte("shared secret of hall and platform")
)

// idNumber completes 17 digits with the GB 11643 check character.
func idNumber(first17 string) string { return hall.CompleteIDNumber(first17) }

// openStore opens a real bbolt store at path with a hall of one service and n counters, clerks
// logged in (seeding only a new file).
func openStore(t testing.TB, path string, counters int) *bolt.Store {
	t.Helper()
	s, err := bolt.Open(path, bolt.Options{Logger: quietLog, SealKey: testSealKey})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	ctx := context.Background()
	if svcs, _ := s.Services(ctx); len(svcs) > 0 {
		return s
	}
	h := hall.DefaultHall()
	h.NoDayClose, h.AllowSeveralWaiting = true, true
	must(t, s.SetHall(ctx, h))
	must(t, s.PutArea(ctx, hall.Area{ID: "a1", Name: "一楼"}))
	must(t, s.PutService(ctx, hall.Service{ID: "bdc", Name: "不动产登记", AreaID: "a1", Prefix: "D", NumberFrom: 1, NumberTo: 99999, Digits: 5, TimeLimitDays: 5}))
	for i := 1; i <= counters; i++ {
		id := fmt.Sprintf("c%d", i)
		must(t, s.PutCounter(ctx, hall.Counter{ID: id, Number: i, AreaID: "a1", Services: []hall.CounterService{{ServiceID: "bdc"}}}))
		must(t, s.PutStaff(ctx, hall.Staff{ID: "s" + id, Name: "工作人员", Role: hall.RoleClerk}))
		if _, err := s.Login(ctx, id, "s"+id); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// makeCases opens n cases spread over the store's counters, each taken through accepted →
// processing (→ completed for every other one), in parallel so that steps share commits.
// It returns the case ids.
func makeCases(t testing.TB, s *bolt.Store, counters, n int) []string {
	t.Helper()
	ctx := context.Background()
	var mu sync.Mutex
	var ids []string
	var wg sync.WaitGroup
	for c := 1; c <= counters; c++ {
		wg.Add(1)
		go func(counter string, k int) {
			defer wg.Done()
			for i := k; i < n; i += counters {
				if _, err := s.IssueTicket(ctx, hall.IssueRequest{ServiceID: "bdc", Channel: hall.ChannelTap}); err != nil {
					t.Error(err)
					return
				}
				tk, err := s.CallNext(ctx, counter, false)
				if err != nil {
					t.Error(err)
					return
				}
				kase, err := s.OpenCase(ctx, hall.OpenCaseRequest{CounterID: counter, TicketID: tk.ID, Name: "申请人", IDNumber: idNumber(fmt.Sprintf("51010519800101%03d", i%1000))})
				if err != nil {
					t.Error(err)
					return
				}
				if _, err := s.StepCase(ctx, kase.ID, hall.StepProcess, counter, ""); err != nil {
					t.Error(err)
					return
				}
				if i%2 == 0 {
					if _, err := s.StepCase(ctx, kase.ID, hall.StepComplete, counter, ""); err != nil {
						t.Error(err)
						return
					}
				}
				if _, err := s.Finish(ctx, counter); err != nil {
					t.Error(err)
					return
				}
				if i%3 == 0 {
					level, reasons := hall.RatingVerySatisfied, []hall.RatingReason(nil)
					if i%9 == 0 {
						level, reasons = hall.RatingDissatisfied, []hall.RatingReason{hall.ReasonWaiting}
					}
					if _, err := s.RecordRating(ctx, hall.RatingRequest{TicketID: tk.ID, CounterID: counter, Level: level, Reasons: reasons, Source: hall.RatingFromPad}); err != nil {
						t.Error(err)
						return
					}
				}
				mu.Lock()
				ids = append(ids, kase.ID)
				mu.Unlock()
			}
		}(fmt.Sprintf("c%d", c), c-1)
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	return ids
}

// platformEvents returns the store's events that the platform must receive.
func platformEvents(t testing.TB, s *bolt.Store) []hall.Event {
	t.Helper()
	var out []hall.Event
	var since uint64
	for {
		evs, err := s.EventsSince(context.Background(), since, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) == 0 {
			return out
		}
		for _, e := range evs {
			if SelectPlatform(e) {
				out = append(out, e)
			}
		}
		since = evs[len(evs)-1].Seq
	}
}

// runOutbox starts an outbox to url over s; the returned stop cancels it and waits.
func runOutbox(t testing.TB, s *bolt.Store, d Deliverer, batch int) (*Outbox, func()) {
	t.Helper()
	o := NewOutbox(OutboxOptions{Name: "platform", Log: s, Cursors: s, Select: SelectPlatform, Deliverer: d,
		Batch: batch, MinBackoff: 10 * time.Millisecond, MaxBackoff: 100 * time.Millisecond, Poll: 20 * time.Millisecond, Logger: quietLog})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		o.Run(ctx)
	}()
	var once sync.Once
	stop := func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	return o, stop
}

func newReceiver(t testing.TB) (*Receiver, *httptest.Server) {
	r := &Receiver{Secret: testSecret}
	srv := httptest.NewServer(r)
	t.Cleanup(func() { r.SetMode(ModeOK, 0); srv.Close() })
	return r, srv
}

// waitFor polls cond for up to limit.
func waitFor(t testing.TB, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// checkDelivered checks that the receiver applied exactly the platform events of s, once each,
// in order per case, with full ID numbers on cases.
func checkDelivered(t testing.TB, s *bolt.Store, r *Receiver) {
	t.Helper()
	want := platformEvents(t, s)
	got := r.Applied()
	if len(got) != len(want) {
		t.Fatalf("applied %d deliveries, want %d", len(got), len(want))
	}
	keys := map[string]bool{}
	perCase := map[string][]uint64{}
	for i, g := range got {
		if keys[g.IdempotencyKey] {
			t.Fatalf("key %s applied twice", g.IdempotencyKey)
		}
		keys[g.IdempotencyKey] = true
		if g.Seq != want[i].Seq || g.Type != want[i].Type {
			t.Fatalf("delivery %d is seq %d %s, want %d %s", i, g.Seq, g.Type, want[i].Seq, want[i].Type)
		}
		if g.Case != nil && len(g.Case.Applicant.IDNumber) != 18 {
			t.Fatalf("delivery %d lacks the applicant's ID number", i)
		}
		if g.Type == hall.EventRatingRecorded && (g.Rating == nil || g.CaseID == "" || g.Rating.StaffID == "") {
			t.Fatalf("rating delivery %d not linked to its case and clerk: %+v", i, g)
		}
		perCase[g.CaseID] = append(perCase[g.CaseID], g.Seq)
	}
	for id, seqs := range perCase {
		for i := 1; i < len(seqs); i++ {
			if seqs[i] <= seqs[i-1] {
				t.Fatalf("case %s out of order: %v", id, seqs)
			}
		}
	}
	ratings := 0
	for _, g := range got {
		if g.Type == hall.EventRatingRecorded {
			ratings++
		}
	}
	if ratings == 0 {
		t.Fatal("no ratings were delivered")
	}
	if st := r.Stats(); st.OutOfOrder != 0 {
		t.Fatalf("receiver saw %d out-of-order deliveries", st.OutOfOrder)
	}
}

func storePath(t testing.TB) string { return filepath.Join(t.TempDir(), "hall.db") }
