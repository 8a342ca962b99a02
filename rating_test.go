package hall

import (
	"strings"
	"testing"
	"time"
)

func TestRatingLevel_Labels(t *testing.T) {
	want := map[RatingLevel]string{5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意", 0: "未评价"}
	for l, zh := range want {
		if l.Label(false) != zh || l.Label(true) == "" {
			t.Errorf("level %d: %q / %q", l, l.Label(false), l.Label(true))
		}
	}
	if RatingLevel(6).Valid() || RatingLevel(-1).Valid() || RatingNotRated.Rated() || !RatingDissatisfied.Bad() || RatingBasicallySatisfied.Bad() {
		t.Fatal("level predicates wrong")
	}
	if len(RatingLevels) != 5 || RatingLevels[0] != RatingVerySatisfied {
		t.Fatal("RatingLevels must list five levels, best first")
	}
	for _, r := range RatingReasons {
		if !r.Valid() || r.Label(false) == "" || r.Label(true) == "" {
			t.Errorf("reason %q lacks labels", r)
		}
	}
}

func TestRatingRequest_Validate(t *testing.T) {
	ok := RatingRequest{TicketID: "t1", CounterID: "c1", Level: 5, Source: RatingFromPad}
	cases := []struct {
		name   string
		edit   func(r *RatingRequest)
		reason string
	}{
		{"Good", func(r *RatingRequest) {}, ""},
		{"NotRated", func(r *RatingRequest) { r.Level = 0 }, ""},
		{"BadWithReason", func(r *RatingRequest) { r.Level = 2; r.Reasons = []RatingReason{ReasonWaiting} }, ""},
		{"OtherWithText", func(r *RatingRequest) { r.Level = 1; r.Reasons = []RatingReason{ReasonOther}; r.Comment = "x" }, ""},
		{"NoTicket", func(r *RatingRequest) { r.TicketID = "" }, "ticket_id"},
		{"NoCounter", func(r *RatingRequest) { r.CounterID = "" }, "counter_id"},
		{"LevelHigh", func(r *RatingRequest) { r.Level = 6 }, "rating_level"},
		{"LevelNegative", func(r *RatingRequest) { r.Level = -1 }, "rating_level"},
		{"NoSource", func(r *RatingRequest) { r.Source = "" }, "rating_source"},
		{"BadNoReason", func(r *RatingRequest) { r.Level = 1 }, "reason_required"},
		{"GoodWithReason", func(r *RatingRequest) { r.Reasons = []RatingReason{ReasonAttitude} }, "reason_not_allowed"},
		{"NotRatedWithText", func(r *RatingRequest) { r.Level = 0; r.Comment = "hm" }, "reason_not_allowed"},
		{"DuplicateReason", func(r *RatingRequest) { r.Level = 2; r.Reasons = []RatingReason{ReasonWaiting, ReasonWaiting} }, "rating_reason"},
		{"UnknownReason", func(r *RatingRequest) { r.Level = 2; r.Reasons = []RatingReason{"x"} }, "rating_reason"},
		{"OtherNoText", func(r *RatingRequest) { r.Level = 2; r.Reasons = []RatingReason{ReasonOther}; r.Comment = "  " }, "comment_required"},
		{"LongText", func(r *RatingRequest) {
			r.Level = 2
			r.Reasons = []RatingReason{ReasonOther}
			r.Comment = strings.Repeat("慢", MaxRatingComment+1)
		}, "rating_comment"},
		{"BadCase", func(r *RatingRequest) { r.CaseID = "a b" }, "case_id"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := ok
			c.edit(&r)
			err := r.Validate()
			if ErrorReason(err) != c.reason || (c.reason != "" && ErrorCode(err) != EINVALID) {
				t.Fatalf("Validate = %v, want reason %q", err, c.reason)
			}
		})
	}
}

func TestNewRating(t *testing.T) {
	now := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
	c := Counter{ID: "c1", Number: 1}
	tk := Ticket{ID: "t1", Code: "A001", Day: "2026-11-23", ServiceID: "s", AreaID: "a", State: TicketDone, CounterID: "c1", StaffID: "1001"}
	r, err := NewRating(RatingRequest{TicketID: "t1", CounterID: "c1", Level: 2, Reasons: []RatingReason{ReasonWaiting}, Source: RatingFromPad, CaseID: "k1"}, tk, c, "2026-11-23", now)
	if err != nil || !r.FollowUp || r.StaffID != "1001" || r.CaseID != "k1" || r.CounterNumber != 1 {
		t.Fatalf("NewRating = %+v, %v", r, err)
	}
	for _, st := range []TicketState{TicketWaiting, TicketNoShow, TicketCancelled, TicketExpired} {
		tk.State = st
		if _, err := NewRating(RatingRequest{Level: 5}, tk, c, "2026-11-23", now); ErrorReason(err) != "ticket_not_rateable" {
			t.Errorf("state %s: %v", st, err)
		}
	}
}

func TestCounterFigures_Count(t *testing.T) {
	var f CounterFigures
	started := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
	done := Ticket{State: TicketDone, StartedAt: started, FinishedAt: started.Add(3 * time.Minute)}
	for _, e := range []Event{
		{Type: EventTicketFinished, Ticket: &done},
		{Type: EventTicketCalled},
		{Type: EventTicketNoShow}, {Type: EventTicketRequeued}, {Type: EventTicketTransferred},
		{Type: EventRatingRecorded, Rating: &Rating{Level: 4}},
		{Type: EventRatingRecorded, Rating: &Rating{Level: 0}},
		{Type: EventRatingRecorded},
	} {
		f.Count(e)
	}
	if f.Served != 1 || f.AverageService() != 3*time.Minute || f.NoShows != 2 || f.Transferred != 1 || f.Ratings != [6]int{1, 0, 0, 0, 1, 0} || f.Rated() != 1 {
		t.Fatalf("figures = %+v", f)
	}
}
