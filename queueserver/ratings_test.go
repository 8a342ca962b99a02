package main

import (
	"context"
	"testing"

	"hall"
	"hall/queueserver/httpapi"
)

// TestMain_RatingAndTodayFigures runs a clerk's ticket through the real server: waiting list,
// call, finish, a bad rating with a reason, its event on the feed, the refused second rating,
// and today's figures.
func TestMain_RatingAndTodayFigures(t *testing.T) {
	s := newServer(t)
	ctx := context.Background()
	tok := s.roleTokens(t)
	clerk := s.as(tok[httpapi.RoleClerk])
	w01, err := clerk.Counter(ctx, "w01")
	if err != nil {
		t.Fatal(err)
	}
	issued, err := s.admin.IssueTicket(ctx, hall.IssueRequest{ServiceID: w01.Services[0].ServiceID, Channel: hall.ChannelTap})
	if err != nil {
		t.Fatal(err)
	}
	waiting, err := clerk.Waiting(ctx, "w01", 0)
	if err != nil || len(waiting) == 0 || waiting[0].ID != issued.ID {
		t.Fatalf("waiting = %+v, %v; want %s first", waiting, err, issued.Code)
	}
	if _, err := clerk.Waiting(ctx, "w02", 0); !httpapi.IsCode(err, hall.EFORBIDDEN) {
		t.Fatalf("another counter's list: %v, want forbidden", err)
	}
	if _, err := clerk.CallTicket(ctx, "w01", issued.ID, false); err != nil {
		t.Fatal(err)
	}
	if _, err := clerk.Finish(ctx, "w01"); err != nil {
		t.Fatal(err)
	}
	sub := s.as(tok[httpapi.RoleScreen]).Subscribe(ctx, httpapi.SubscribeOptions{Since: s.lastSeq(t)})
	defer sub.Close()

	req := hall.RatingRequest{TicketID: issued.ID, CounterID: "w01", Level: hall.RatingDissatisfied, Reasons: []hall.RatingReason{hall.ReasonWaiting}, Source: hall.RatingFromPad}
	bad := req
	bad.Reasons = nil
	if _, err := clerk.RecordRating(ctx, bad); !httpapi.IsCode(err, hall.EINVALID) {
		t.Fatalf("bad rating without a reason: %v", err)
	}
	keyed := hall.WithIdempotencyKey(ctx, "rate-"+issued.ID)
	r, err := clerk.RecordRating(keyed, req)
	if err != nil || r.StaffID != "1001" || r.CounterNumber != 1 || !r.FollowUp {
		t.Fatalf("rating = %+v, %v", r, err)
	}
	if again, err := clerk.RecordRating(keyed, req); err != nil || again.At != r.At {
		t.Fatalf("retry with the same key = %+v, %v", again, err)
	}
	if _, err := clerk.RecordRating(ctx, req); hall.ErrorReason(err) != "already_rated" {
		t.Fatalf("second rating: %v", err)
	}
	m := next(t, sub)
	e, err := m.Event()
	if err != nil || m.Type != string(hall.EventRatingRecorded) || e.Rating == nil || e.Rating.TicketID != issued.ID || e.Rating.Level != hall.RatingDissatisfied {
		t.Fatalf("feed message %s %+v, %v", m.Type, e, err)
	}
	got, err := clerk.Rating(ctx, issued.ID)
	if err != nil || got.Level != hall.RatingDissatisfied {
		t.Fatalf("Rating = %+v, %v", got, err)
	}
	today, err := clerk.Today(ctx, "w01")
	if err != nil || today.Served != 1 || today.StaffID != "1001" || today.Ratings[hall.RatingDissatisfied] != 1 || today.AverageService != today.ServiceTime {
		t.Fatalf("today = %+v, %v", today, err)
	}
}
