package bolt

import (
	"context"
	"sync"
	"testing"
	"time"

	"hall"
)

// serveOne issues a shebao ticket, calls it at c1 and finishes it after d of service.
func (f *fixture) serveOne(t *testing.T, d time.Duration) hall.Ticket {
	t.Helper()
	f.issue(t, hall.IssueRequest{ServiceID: "shebao"})
	tk, err := f.CallNext(f.ctx, "c1", false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Start(f.ctx, "c1"); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(d)
	if tk, err = f.Finish(f.ctx, "c1"); err != nil {
		t.Fatal(err)
	}
	return tk
}

func TestRatings_RecordOncePerTicket(t *testing.T) {
	f := openFixture(t)
	f.login(t, "c1", "c2")
	tk := f.serveOne(t, 5*time.Minute)
	before := f.lastSeq(t)

	r, err := f.RecordRating(f.ctx, hall.RatingRequest{TicketID: tk.ID, CounterID: "c1", Level: hall.RatingVerySatisfied, Source: hall.RatingFromPad})
	if err != nil {
		t.Fatal(err)
	}
	if r.TicketID != tk.ID || r.TicketCode != tk.Code || r.ServiceID != "shebao" || r.CounterID != "c1" || r.CounterNumber != 1 || r.StaffID != "s1" || r.Level != 5 || r.FollowUp {
		t.Fatalf("rating = %+v", r)
	}
	evs, _ := f.EventsSince(f.ctx, before, 0)
	if len(evs) != 1 || evs[0].Type != hall.EventRatingRecorded || evs[0].Rating == nil || evs[0].Rating.TicketID != tk.ID || evs[0].StaffID != "s1" || evs[0].CounterID != "c1" {
		t.Fatalf("events = %+v", evs)
	}
	got, err := f.Rating(f.ctx, tk.ID)
	if err != nil || got.Level != hall.RatingVerySatisfied {
		t.Fatalf("Rating = %+v, %v", got, err)
	}

	_, err = f.RecordRating(f.ctx, hall.RatingRequest{TicketID: tk.ID, CounterID: "c1", Level: hall.RatingSatisfied, Source: hall.RatingFromScreen})
	wantCode(t, err, hall.ECONFLICT, "already_rated")
	if f.lastSeq(t) != before+1 {
		t.Fatal("a refused rating appended an event")
	}
	f.verify(t)
}

func TestRatings_Refusals(t *testing.T) {
	f := openFixture(t)
	f.login(t, "c1", "c2")
	tk := f.serveOne(t, time.Minute)
	waiting := f.issue(t, hall.IssueRequest{ServiceID: "shebao"})
	before := f.lastSeq(t)
	cases := []struct {
		name         string
		r            hall.RatingRequest
		code, reason string
	}{
		{"BadLevel", hall.RatingRequest{TicketID: tk.ID, CounterID: "c1", Level: 6, Source: hall.RatingFromPad}, hall.EINVALID, "rating_level"},
		{"BadSource", hall.RatingRequest{TicketID: tk.ID, CounterID: "c1", Level: 5, Source: "web"}, hall.EINVALID, "rating_source"},
		{"BadLevelWithoutReason", hall.RatingRequest{TicketID: tk.ID, CounterID: "c1", Level: 1, Source: hall.RatingFromPad}, hall.EINVALID, "reason_required"},
		{"GoodLevelWithReason", hall.RatingRequest{TicketID: tk.ID, CounterID: "c1", Level: 4, Reasons: []hall.RatingReason{hall.ReasonWaiting}, Source: hall.RatingFromPad}, hall.EINVALID, "reason_not_allowed"},
		{"UnknownReason", hall.RatingRequest{TicketID: tk.ID, CounterID: "c1", Level: 2, Reasons: []hall.RatingReason{"rude"}, Source: hall.RatingFromPad}, hall.EINVALID, "rating_reason"},
		{"OtherWithoutText", hall.RatingRequest{TicketID: tk.ID, CounterID: "c1", Level: 2, Reasons: []hall.RatingReason{hall.ReasonOther}, Source: hall.RatingFromPad}, hall.EINVALID, "comment_required"},
		{"UnknownTicket", hall.RatingRequest{TicketID: "20261123-99999999", CounterID: "c1", Level: 5, Source: hall.RatingFromPad}, hall.ENOTFOUND, "ticket_not_found"},
		{"OtherCounter", hall.RatingRequest{TicketID: tk.ID, CounterID: "c2", Level: 5, Source: hall.RatingFromPad}, hall.ECONFLICT, "not_counter_ticket"},
		{"StillWaiting", hall.RatingRequest{TicketID: waiting.ID, CounterID: "c1", Level: 5, Source: hall.RatingFromPad}, hall.ECONFLICT, "ticket_not_rateable"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.RecordRating(f.ctx, c.r)
			wantCode(t, err, c.code, c.reason)
		})
	}
	if f.lastSeq(t) != before {
		t.Fatal("a refused rating appended an event")
	}
	// The next day the ticket can no longer be rated.
	f.clock.Advance(24 * time.Hour)
	_, err := f.RecordRating(f.ctx, hall.RatingRequest{TicketID: tk.ID, CounterID: "c1", Level: 5, Source: hall.RatingFromPad})
	wantCode(t, err, hall.ECONFLICT, "rating_too_late")
}

func TestRatings_BadLevelFlaggedAndNotRated(t *testing.T) {
	f := openFixture(t)
	f.login(t, "c1")
	bad := f.serveOne(t, time.Minute)
	r, err := f.RecordRating(f.ctx, hall.RatingRequest{TicketID: bad.ID, CounterID: "c1", Level: hall.RatingVeryDissatisfied,
		Reasons: []hall.RatingReason{hall.ReasonWaiting, hall.ReasonOther}, Comment: "  窗口太少  ", Source: hall.RatingFromScreen})
	if err != nil {
		t.Fatal(err)
	}
	if !r.FollowUp || r.Comment != "窗口太少" || len(r.Reasons) != 2 {
		t.Fatalf("bad rating = %+v", r)
	}
	none := f.serveOne(t, time.Minute)
	if r, err = f.RecordRating(f.ctx, hall.RatingRequest{TicketID: none.ID, CounterID: "c1", Level: hall.RatingNotRated, Source: hall.RatingFromPad}); err != nil || r.Level != hall.RatingNotRated || r.FollowUp {
		t.Fatalf("not rated = %+v, %v", r, err)
	}
}

func TestRatings_IdempotentRetry(t *testing.T) {
	f := openFixture(t)
	f.login(t, "c1")
	tk := f.serveOne(t, time.Minute)
	ctx := hall.WithIdempotencyKey(f.ctx, "pad-1")
	req := hall.RatingRequest{TicketID: tk.ID, CounterID: "c1", Level: hall.RatingSatisfied, Source: hall.RatingFromPad}
	a, err := f.RecordRating(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	seq := f.lastSeq(t)
	b, err := f.RecordRating(ctx, req)
	if err != nil || b.At != a.At || f.lastSeq(t) != seq {
		t.Fatalf("retry = %+v, %v (seq %d → %d)", b, err, seq, f.lastSeq(t))
	}
}

func TestCounterFigures_CountedWithTheEvents(t *testing.T) {
	f := openFixture(t)
	f.login(t, "c1")
	day := hall.DayOf(monday10, time.FixedZone("CST", 8*3600))
	a := f.serveOne(t, 4*time.Minute)
	b := f.serveOne(t, 8*time.Minute)
	// a no-show, a requeue and a transfer
	f.issue(t, hall.IssueRequest{ServiceID: "shebao"})
	f.issue(t, hall.IssueRequest{ServiceID: "shebao"})
	f.issue(t, hall.IssueRequest{ServiceID: "shebao"})
	for _, op := range []func() error{
		func() error { _, err := f.NoShow(f.ctx, "c1", 0); return err },
		func() error { _, err := f.NoShow(f.ctx, "c1", 1); return err },
		func() error {
			_, err := f.Transfer(f.ctx, "c1", hall.TransferTarget{ServiceID: "yibao"})
			return err
		},
	} {
		if _, err := f.CallNext(f.ctx, "c1", false); err != nil {
			t.Fatal(err)
		}
		if err := op(); err != nil {
			t.Fatal(err)
		}
	}
	f.RecordRating(f.ctx, hall.RatingRequest{TicketID: a.ID, CounterID: "c1", Level: 5, Source: hall.RatingFromPad})
	f.RecordRating(f.ctx, hall.RatingRequest{TicketID: b.ID, CounterID: "c1", Level: 2, Reasons: []hall.RatingReason{hall.ReasonAttitude}, Source: hall.RatingFromPad})

	got, err := f.CounterFigures(f.ctx, day, "c1", "s1")
	if err != nil {
		t.Fatal(err)
	}
	want := hall.CounterFigures{Day: day, CounterID: "c1", StaffID: "s1", Served: 2, ServiceTime: 12 * time.Minute, NoShows: 2, Transferred: 1, Ratings: [6]int{0, 0, 1, 0, 0, 1}}
	// service times carry the test clock's microsecond ticks
	if got.ServiceTime-want.ServiceTime > time.Millisecond || got.ServiceTime < want.ServiceTime {
		t.Fatalf("service time %v, want %v", got.ServiceTime, want.ServiceTime)
	}
	got.ServiceTime = want.ServiceTime
	if got != want {
		t.Fatalf("figures\n got %+v\nwant %+v", got, want)
	}
	if got.AverageService() != 6*time.Minute || got.Rated() != 2 {
		t.Fatalf("average %v rated %d", got.AverageService(), got.Rated())
	}
	// Another clerk and another day have their own figures.
	other, _ := f.CounterFigures(f.ctx, day, "c1", "s2")
	if other.Served != 0 || other.StaffID != "s2" {
		t.Fatalf("other clerk = %+v", other)
	}
	// Recount from the event log: the figures agree with it.
	evs, _ := f.EventsSince(f.ctx, 0, 0)
	var recount hall.CounterFigures
	for _, e := range evs {
		if e.CounterID == "c1" && e.StaffID == "s1" && e.Day == day {
			recount.Count(e)
		}
	}
	recount.Day, recount.CounterID, recount.StaffID = day, "c1", "s1"
	got, _ = f.CounterFigures(f.ctx, day, "c1", "s1")
	if recount != got {
		t.Fatalf("figures %+v disagree with the event log %+v", got, recount)
	}
}

// TestRatings_RaceOneWins rates one ticket from many goroutines: exactly one rating is stored.
func TestRatings_RaceOneWins(t *testing.T) {
	f := openFixture(t)
	f.login(t, "c1")
	for round := 0; round < 20; round++ {
		tk := f.serveOne(t, time.Minute)
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins := 0
		for g := 0; g < 16; g++ {
			wg.Add(1)
			go func(g int) {
				defer wg.Done()
				_, err := f.RecordRating(context.Background(), hall.RatingRequest{TicketID: tk.ID, CounterID: "c1", Level: hall.RatingLevel(1 + g%5),
					Reasons: reasonsFor(hall.RatingLevel(1 + g%5)), Source: hall.RatingFromPad})
				mu.Lock()
				defer mu.Unlock()
				switch hall.ErrorReason(err) {
				case "":
					wins++
				case "already_rated":
				default:
					t.Errorf("round %d: %v", round, err)
				}
			}(g)
		}
		wg.Wait()
		if wins != 1 {
			t.Fatalf("round %d: %d ratings stored, want 1", round, wins)
		}
	}
	day := hall.DayOf(monday10, time.FixedZone("CST", 8*3600))
	fig, _ := f.CounterFigures(f.ctx, day, "c1", "s1")
	if fig.Rated() != 20 {
		t.Fatalf("figures count %d ratings, want 20: %+v", fig.Rated(), fig)
	}
	f.verify(t)
}

func reasonsFor(l hall.RatingLevel) []hall.RatingReason {
	if l.Bad() {
		return []hall.RatingReason{hall.ReasonEfficiency}
	}
	return nil
}

func TestRatings_SurviveReopen(t *testing.T) {
	f := openFixture(t)
	f.login(t, "c1")
	tk := f.serveOne(t, time.Minute)
	if _, err := f.RecordRating(f.ctx, hall.RatingRequest{TicketID: tk.ID, CounterID: "c1", Level: 3, Source: hall.RatingFromPad}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	g := openFixtureAt(t, f.path, false)
	r, err := g.Rating(g.ctx, tk.ID)
	if err != nil || r.Level != 3 {
		t.Fatalf("after reopen: %+v, %v", r, err)
	}
}
