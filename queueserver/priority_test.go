package main

import (
	"context"
	"testing"

	"hall"
	"hall/queueserver/httpapi"
)

// TestMain_PriorityClassNeedsStaff: a kiosk's priority class is refused, and changes nothing,
// without a staff member's number and password, with a wrong password, or with an approver on a
// ticket that needs none; with a clerk's password it is issued and names the clerk. A
// supervisor issuing one approves it themselves; the age rule needs no one.
func TestMain_PriorityClassNeedsStaff(t *testing.T) {
	s := newServer(t)
	ctx := context.Background()
	tok := s.roleTokens(t)
	kiosk := s.as(tok[httpapi.RoleKiosk])
	disabled := hall.IssueRequest{ServiceID: "shebao", Channel: hall.ChannelPriority, Priority: hall.PriorityDisabled}

	refusals := []struct {
		name     string
		req      hall.IssueRequest
		approver *httpapi.Approver
		code     string
		reason   string
	}{
		{"NoApprover", disabled, nil, hall.EFORBIDDEN, "priority_needs_staff"},
		{"WrongPassword", disabled, &httpapi.Approver{StaffID: "1001", Password: "wrong-password"}, hall.EFORBIDDEN, "approver_invalid"},
		{"UnknownStaff", disabled, &httpapi.Approver{StaffID: "9999", Password: demoClerkPassword}, hall.EFORBIDDEN, "approver_invalid"},
		{"EmptyPassword", disabled, &httpapi.Approver{StaffID: "1001"}, hall.EINVALID, "credentials_missing"},
		{"ApproverWithoutClass", hall.IssueRequest{ServiceID: "shebao", Channel: hall.ChannelTap}, &httpapi.Approver{StaffID: "1001", Password: demoClerkPassword}, hall.EINVALID, "approver_unneeded"},
	}
	for _, c := range refusals {
		t.Run(c.name, func(t *testing.T) {
			before := s.lastSeq(t)
			_, err := kiosk.IssueApprovedTicket(ctx, c.req, c.approver)
			if !httpapi.IsCode(err, c.code) || hall.ErrorReason(err) != c.reason {
				t.Fatalf("got %v, want %s/%s", err, c.code, c.reason)
			}
			if hall.ErrorMessage(err, false) == "" || hall.ErrorMessage(err, true) == "" {
				t.Fatal("no message for people")
			}
			if after := s.lastSeq(t); after != before {
				t.Fatalf("the refusal changed the log: seq %d → %d", before, after)
			}
		})
	}

	tk, err := kiosk.IssueApprovedTicket(ctx, disabled, &httpapi.Approver{StaffID: "1001", Password: demoClerkPassword})
	if err != nil {
		t.Fatal(err)
	}
	if tk.Priority != hall.PriorityDisabled || tk.ApprovedBy != "1001" {
		t.Fatalf("confirmed priority ticket: priority %q approved by %q", tk.Priority, tk.ApprovedBy)
	}
	sup := s.as(tok[httpapi.RoleSupervisor])
	if tk, err := sup.IssueTicket(ctx, disabled); err != nil || tk.ApprovedBy != "supervisor" {
		t.Fatalf("supervisor's own priority ticket: %+v, %v", tk, err)
	}
	// The age rule: the server reads the age from the ID number; nobody needs to confirm.
	elder := hall.IssueRequest{ServiceID: "shebao", Channel: hall.ChannelPriority, IDNumber: hall.CompleteIDNumber("11010519400101001")}
	if tk, err := kiosk.IssueTicket(ctx, elder); err != nil || tk.Priority != hall.PriorityElderly || tk.ApprovedBy != "" {
		t.Fatalf("age-rule ticket: %+v, %v", tk, err)
	}
}
