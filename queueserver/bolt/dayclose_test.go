package bolt

import (
	"bytes"
	"context"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	bbolt "go.etcd.io/bbolt"

	"hall"
)

// TestQueue_NumbersRestartAtHallMidnight: the machine's zone does not matter; numbers restart at
// midnight in Asia/Shanghai, and yesterday's tickets stay in history.
func TestQueue_NumbersRestartAtHallMidnight(t *testing.T) {
	saved := time.Local
	time.Local = time.UTC // the machine runs in UTC
	defer func() { time.Local = saved }()
	f := openFixture(t)
	f.login(t, "c1")
	f.clock.Set(time.Date(2026, 11, 23, 15, 59, 0, 0, time.UTC)) // 23:59 Monday in Shanghai
	late1 := f.issue(t, hall.IssueRequest{ServiceID: "shebao"})
	late2 := f.issue(t, hall.IssueRequest{ServiceID: "shebao"})
	f.clock.Set(time.Date(2026, 11, 23, 16, 1, 0, 0, time.UTC)) // 00:01 Tuesday in Shanghai
	early := f.issue(t, hall.IssueRequest{ServiceID: "shebao"})
	if late1.Day != "2026-11-23" || late2.Code != "A002" {
		t.Fatalf("23:59 tickets: %s %s %s", late1.Day, late1.Code, late2.Code)
	}
	if early.Day != "2026-11-24" || early.Code != "A001" {
		t.Fatalf("00:01 ticket: day %s code %s, want 2026-11-24 A001", early.Day, early.Code)
	}
	if !strings.HasPrefix(early.ID, "20261124-") {
		t.Fatalf("id %s", early.ID)
	}
	for _, id := range []string{late1.ID, late2.ID} {
		if _, err := f.Ticket(f.ctx, id); err != nil {
			t.Fatalf("yesterday's ticket gone: %v", err)
		}
	}
	av, _ := f.Availability(f.ctx)
	for _, a := range av {
		if a.ServiceID == "shebao" && a.IssuedToday != 1 {
			t.Fatalf("issued today after midnight: %d", a.IssuedToday)
		}
	}
	f.verify(t)
}

func TestDueDayClose(t *testing.T) {
	h := hall.DefaultHall() // closes 18:00 Shanghai
	at := func(hh, mm int, day int) time.Time {
		return time.Date(2026, 11, day, hh, mm, 0, 0, time.UTC).Add(-8 * time.Hour)
	}
	cases := []struct {
		name   string
		closed hall.Day
		now    time.Time
		want   hall.Day
		due    bool
	}{
		{"BeforeClose", "2026-11-22", at(17, 59, 23), "", false},
		{"AtClose", "2026-11-22", at(18, 0, 23), "2026-11-23", true},
		{"AlreadyClosedToday", "2026-11-23", at(19, 0, 23), "", false},
		{"MissedYesterdayWhileDown", "2026-11-21", at(9, 0, 23), "2026-11-22", true},
		{"NeverClosed", "", at(9, 0, 23), "2026-11-22", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, due := DueDayClose(h, c.closed, c.now)
			if got != c.want || due != c.due {
				t.Fatalf("DueDayClose = %q %v, want %q %v", got, due, c.want, c.due)
			}
		})
	}
	h.NoDayClose = true
	if _, due := DueDayClose(h, "", at(23, 0, 23)); due {
		t.Fatal("a 24-hour hall closed its day")
	}
}

func TestQueue_CloseDay(t *testing.T) {
	f := openFixture(t)
	f.login(t, "c1", "c2")
	a := f.issue(t, hall.IssueRequest{ServiceID: "shebao", Channel: hall.ChannelIDCard, IDNumber: "11010519491231002X"})
	b := f.issue(t, hall.IssueRequest{ServiceID: "shebao"})
	c := f.issue(t, hall.IssueRequest{ServiceID: "yibao"})
	f.issue(t, hall.IssueRequest{ServiceID: "yibao"})
	f.CallNext(f.ctx, "c1", false) // a (elderly priority)
	f.Start(f.ctx, "c1")
	f.Hold(f.ctx, "c1", "取材料")
	f.CallNext(f.ctx, "c2", false) // b
	booking, err := f.Book(f.ctx, hall.BookingRequest{ServiceID: "yibao", Day: "2026-11-23", Start: hall.MustClock("10:30"), Phone: "13800000009"})
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Set(time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)) // 18:00 Shanghai
	rep, err := f.CloseDay(f.ctx, "2026-11-23")
	if err != nil || rep.Expired != 4 || rep.LoggedOut != 2 || rep.Cancelled != 1 || rep.AlreadyRan {
		t.Fatalf("close: %+v %v", rep, err)
	}
	for _, id := range []string{a.ID, b.ID, c.ID} {
		tk, _ := f.Ticket(f.ctx, id)
		if tk.State != hall.TicketExpired {
			t.Fatalf("%s is %s after day close", tk.Code, tk.State)
		}
	}
	for _, id := range []string{"c1", "c2"} {
		cc, _ := f.Counter(f.ctx, id)
		if cc.State != hall.CounterLoggedOut {
			t.Fatalf("%s still %s", id, cc.State)
		}
	}
	bk, _ := f.AppointmentByCode(f.ctx, booking.Code)
	if bk.State != hall.AppointmentExpired {
		t.Fatalf("booking %s", bk.State)
	}
	if held, _ := f.HeldTickets(f.ctx, "c1"); len(held) != 0 {
		t.Fatalf("held tickets survive day close: %v", held)
	}
	expired := 0
	for _, e := range f.rec.all() {
		if e.Type == hall.EventTicketExpired {
			expired++
		}
	}
	if expired != 4 {
		t.Fatalf("%d expiry events", expired)
	}
	f.verify(t)
	seq := f.lastSeq(t)
	again, err := f.CloseDay(f.ctx, "2026-11-23")
	if err != nil || !again.AlreadyRan || f.lastSeq(t) != seq {
		t.Fatalf("second close: %+v %v (seq %d -> %d)", again, err, seq, f.lastSeq(t))
	}
	// The same person may take a ticket again the next morning.
	f.clock.Set(time.Date(2026, 11, 24, 1, 0, 0, 0, time.UTC))
	f.login(t, "c1")
	f.issue(t, hall.IssueRequest{ServiceID: "shebao", Channel: hall.ChannelIDCard, IDNumber: "11010519491231002X"})
}

// TestQueue_CatchUpCloseSparesToday: closing a missed yesterday in the morning leaves today's
// tickets and sessions alone.
func TestQueue_CatchUpCloseSparesToday(t *testing.T) {
	f := openFixture(t)
	f.login(t, "c1")
	old := f.issue(t, hall.IssueRequest{ServiceID: "shebao"})
	f.clock.Set(time.Date(2026, 11, 24, 1, 0, 0, 0, time.UTC)) // 09:00 Tuesday; Monday never closed
	if _, err := f.Login(f.ctx, "c2", "s2"); err != nil {
		t.Fatal(err)
	}
	today := f.issue(t, hall.IssueRequest{ServiceID: "shebao"})
	rep, err := f.CloseDay(f.ctx, "2026-11-23")
	if err != nil || rep.Expired != 1 || rep.LoggedOut != 1 {
		t.Fatalf("catch-up close: %+v %v", rep, err)
	}
	if tk, _ := f.Ticket(f.ctx, old.ID); tk.State != hall.TicketExpired {
		t.Fatalf("Monday's ticket %s", tk.State)
	}
	if tk, _ := f.Ticket(f.ctx, today.ID); tk.State != hall.TicketWaiting {
		t.Fatalf("Tuesday's ticket %s", tk.State)
	}
	if c, _ := f.Counter(f.ctx, "c2"); c.State != hall.CounterIdle {
		t.Fatalf("this morning's session ended: %s", c.State)
	}
	f.verify(t)
}

func TestStore_BackupWhileRunning(t *testing.T) {
	f := openFixture(t)
	f.login(t, "c1", "c2")
	for i := 0; i < 50; i++ {
		f.issue(t, hall.IssueRequest{ServiceID: "shebao"})
	}
	done := make(chan struct{})
	go func() { // writes keep going during the backup
		defer close(done)
		for i := 0; i < 200; i++ {
			f.IssueTicket(f.ctx, hall.IssueRequest{ServiceID: "yibao", Channel: hall.ChannelTap})
		}
	}()
	dst := filepath.Join(t.TempDir(), "backup.db")
	if err := f.BackupFile(f.ctx, dst); err != nil {
		t.Fatal(err)
	}
	<-done
	b, err := Open(dst, Options{Logger: quietLog})
	if err != nil {
		t.Fatalf("backup does not open: %v", err)
	}
	defer b.Close()
	if err := b.Verify(context.Background()); err != nil {
		t.Fatalf("backup inconsistent: %v", err)
	}
	if _, err := b.TicketByCode(context.Background(), "2026-11-23", "A050"); err != nil {
		t.Fatalf("backup lacks a ticket issued before it began: %v", err)
	}
	// Restore onto a new path and open it.
	restored := filepath.Join(t.TempDir(), "restored.db")
	b.Close()
	if err := Restore(dst, restored); err != nil {
		t.Fatal(err)
	}
	r, err := Open(restored, Options{Logger: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	if err := Restore(filepath.Join(t.TempDir(), "missing.db"), restored); err == nil {
		t.Fatal("restore from a missing file succeeded")
	}
}

func TestStore_SchemaVersions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "future.db")
	f := openFixtureAt(t, path, false)
	f.Close()
	db, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	var version int
	db.View(func(tx *bbolt.Tx) error { version = schemaVersion(tx); return nil })
	if version != SchemaVersion {
		t.Fatalf("new file has version %d, want %d", version, SchemaVersion)
	}
	// A migration step runs once and records its version.
	ran := 0
	steps := append(append([]migration(nil), migrations...), migration{version: SchemaVersion + 1, name: "test step", up: func(tx *bbolt.Tx) error {
		ran++
		_, err := tx.CreateBucketIfNotExists([]byte("test"))
		return err
	}})
	for i := 0; i < 2; i++ {
		if err := db.Update(func(tx *bbolt.Tx) error { _, err := migrate(tx, steps, SchemaVersion+1); return err }); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	if ran != 1 {
		t.Fatalf("migration ran %d times", ran)
	}
	// This program refuses a file from a newer one.
	if _, err := Open(path, Options{Logger: quietLog}); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("opened a file with a newer schema: %v", err)
	}
}

func TestStore_CloseIsIdempotentAndRefusesLaterSteps(t *testing.T) {
	before := runtime.NumGoroutine()
	f := openFixture(t)
	f.login(t, "c1")
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatalf("second close: %v", err)
	}
	_, err := f.IssueTicket(f.ctx, hall.IssueRequest{ServiceID: "shebao", Channel: hall.ChannelTap})
	wantCode(t, err, hall.EUNAVAILABLE, "store_closed")
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		var buf bytes.Buffer
		buf.Grow(1 << 16)
		b := make([]byte, 1<<16)
		buf.Write(b[:runtime.Stack(b, true)])
		t.Fatalf("%d goroutines after close, %d before:\n%s", n, before, buf.String())
	}
}

// TestStore_CloseWhileBusyAnswersEveryCaller: callers racing Close all get an answer — their
// step's result or EUNAVAILABLE — and none hangs; what was acknowledged is on disk.
func TestStore_CloseWhileBusyAnswersEveryCaller(t *testing.T) {
	for round := 0; round < 20; round++ {
		f := openFixture(t)
		f.login(t, "c1")
		var wg sync.WaitGroup
		var acked sync.Map
		for g := 0; g < 16; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					tk, err := f.IssueTicket(f.ctx, hall.IssueRequest{ServiceID: "shebao", Channel: hall.ChannelTap})
					if err != nil {
						if hall.ErrorReason(err) != "store_closed" {
							t.Errorf("racing Close: %v", err)
						}
						return
					}
					acked.Store(tk.ID, tk.Code)
				}
			}()
		}
		time.Sleep(time.Duration(round) * time.Millisecond)
		f.Close()
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("round %d: a caller never got an answer after Close", round)
		}
		again := openFixtureAt(t, f.path, false)
		acked.Range(func(id, code any) bool {
			if tk, err := again.Ticket(again.ctx, id.(string)); err != nil || tk.Code != code {
				t.Fatalf("acknowledged %v lost: %v", id, err)
			}
			return true
		})
		again.verify(t)
		again.Close()
	}
}

func TestStore_CancelledContextDoesNotAct(t *testing.T) {
	f := openFixture(t)
	f.login(t, "c1")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	seq := f.lastSeq(t)
	if _, err := f.IssueTicket(ctx, hall.IssueRequest{ServiceID: "shebao", Channel: hall.ChannelTap}); err == nil {
		t.Fatal("a cancelled request acted")
	}
	if f.lastSeq(t) != seq {
		t.Fatal("a cancelled request wrote events")
	}
}
