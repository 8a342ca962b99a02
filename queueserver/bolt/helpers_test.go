package bolt

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"hall"
)

// clock is a settable test clock; every reading advances it by a microsecond so that events
// and tickets get distinct, increasing times.
type clock struct{ ns atomic.Int64 }

func newClock(t time.Time) *clock        { c := &clock{}; c.ns.Store(t.UnixNano()); return c }
func (c *clock) Now() time.Time          { return time.Unix(0, c.ns.Add(int64(time.Microsecond))).UTC() }
func (c *clock) Set(t time.Time)         { c.ns.Store(t.UnixNano()) }
func (c *clock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// testSealKey seals the ID numbers of cases in tests.
var testSealKey = []byte("0123456789abcdef0123456789abcdef")

// quietLog keeps store logs out of test output.
var quietLog = slog.New(slog.NewTextHandler(io.Discard, nil))

// monday10 is 10:00 on Monday 2026-11-23 in Shanghai (02:00 UTC).
var monday10 = time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)

// recorder collects published events and checks they arrive in sequence without gaps.
type recorder struct {
	mu     sync.Mutex
	events []hall.Event
	t      testing.TB
}

func (r *recorder) publish(evs []hall.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range evs {
		if n := len(r.events); n > 0 && e.Seq != r.events[n-1].Seq+1 {
			r.t.Errorf("published seq %d after %d", e.Seq, r.events[n-1].Seq)
		}
		r.events = append(r.events, e)
	}
}

func (r *recorder) all() []hall.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]hall.Event(nil), r.events...)
}

type fixture struct {
	*Store
	clock *clock
	rec   *recorder
	path  string
	ctx   context.Context
}

// openFixture opens a store in a temp dir with a small hall: area a1 with services shebao (A)
// and yibao (B), area a2 with gjj (C); counters c1..c4 (1,2 serve shebao+yibao; 3 yibao; 4 gjj);
// clerks s1..s4. The hall's close is at 18:00 Shanghai.
func openFixture(t testing.TB) *fixture {
	t.Helper()
	return openFixtureAt(t, filepath.Join(t.TempDir(), "hall.db"), true)
}

func openFixtureAt(t testing.TB, path string, seed bool) *fixture {
	t.Helper()
	f := &fixture{clock: newClock(monday10), rec: &recorder{t: t}, path: path, ctx: context.Background()}
	s, err := Open(path, Options{Now: f.clock.Now, Publish: f.rec.publish, Logger: quietLog, SealKey: testSealKey})
	if err != nil {
		t.Fatal(err)
	}
	f.Store = s
	t.Cleanup(func() { s.Close() })
	if seed {
		seedHall(t, s)
	}
	return f
}

func seedHall(t testing.TB, s *Store) {
	t.Helper()
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.PutArea(ctx, hall.Area{ID: "a1", Name: "一楼 A 区"}))
	must(s.PutArea(ctx, hall.Area{ID: "a2", Name: "二楼 B 区"}))
	must(s.PutService(ctx, hall.Service{ID: "shebao", Name: "社保", AreaID: "a1", Prefix: "A", NumberFrom: 1, NumberTo: 999, Digits: 3, AverageService: 6 * time.Minute}))
	must(s.PutService(ctx, hall.Service{ID: "yibao", Name: "医保", AreaID: "a1", Prefix: "B", NumberFrom: 1, NumberTo: 999, Digits: 3,
		Slots: []hall.SlotTemplate{{Start: hall.MustClock("10:30"), End: hall.MustClock("11:00"), Capacity: 2}}}))
	must(s.PutService(ctx, hall.Service{ID: "gjj", Name: "公积金", AreaID: "a2", Prefix: "C", NumberFrom: 1, NumberTo: 5, Digits: 3,
		Hours: []hall.OpeningHours{{Open: hall.MustClock("09:00"), Close: hall.MustClock("17:00")}}}))
	must(s.PutCounter(ctx, hall.Counter{ID: "c1", Number: 1, AreaID: "a1", Services: []hall.CounterService{{ServiceID: "shebao"}, {ServiceID: "yibao"}}}))
	must(s.PutCounter(ctx, hall.Counter{ID: "c2", Number: 2, AreaID: "a1", Services: []hall.CounterService{{ServiceID: "shebao"}, {ServiceID: "yibao"}}}))
	must(s.PutCounter(ctx, hall.Counter{ID: "c3", Number: 3, AreaID: "a1", Services: []hall.CounterService{{ServiceID: "yibao"}}}))
	must(s.PutCounter(ctx, hall.Counter{ID: "c4", Number: 4, AreaID: "a2", Services: []hall.CounterService{{ServiceID: "gjj"}}}))
	for _, id := range []string{"s1", "s2", "s3", "s4"} {
		must(s.PutStaff(ctx, hall.Staff{ID: id, Name: "工作人员" + id, Role: hall.RoleClerk}))
	}
}

func (f *fixture) login(t testing.TB, counters ...string) {
	t.Helper()
	for i, c := range counters {
		if _, err := f.Login(f.ctx, c, "s"+string(rune('1'+i))); err != nil {
			t.Fatalf("login %s: %v", c, err)
		}
	}
}

func (f *fixture) issue(t testing.TB, r hall.IssueRequest) hall.Ticket {
	t.Helper()
	if r.Channel == "" {
		r.Channel = hall.ChannelTap
	}
	tk, err := f.IssueTicket(f.ctx, r)
	if err != nil {
		t.Fatalf("issue %+v: %v", r, err)
	}
	return tk
}

func (f *fixture) lastSeq(t testing.TB) uint64 {
	t.Helper()
	n, err := f.LastSeq(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func (f *fixture) verify(t testing.TB) {
	t.Helper()
	if err := f.Verify(f.ctx); err != nil {
		t.Fatalf("store invariants broken:\n%v", err)
	}
}

func wantCode(t testing.TB, err error, code, reason string) {
	t.Helper()
	if hall.ErrorCode(err) != code || (reason != "" && hall.ErrorReason(err) != reason) {
		t.Fatalf("got error %v, want %s/%s", err, code, reason)
	}
}
