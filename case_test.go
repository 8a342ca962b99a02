package hall

import (
	"strings"
	"testing"
	"time"
)

func TestCompleteIDNumber(t *testing.T) {
	if got := CompleteIDNumber("11010119900307001"); got != "110101199003070011" {
		t.Fatalf("got %s", got)
	}
	if _, err := ParseIDNumber(CompleteIDNumber("51010519800101123"), time.Now(), time.UTC); err != nil {
		t.Fatal(err)
	}
}

var hallZone, _ = time.LoadLocation(DefaultTimeZone)

func TestCase_DueAndSupervision(t *testing.T) {
	opened := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC) // 10:00 Shanghai
	if got := CaseDue(opened, 0, hallZone); !got.Equal(time.Date(2026, 11, 23, 16, 0, 0, 0, time.UTC)) {
		t.Fatalf("on-the-spot due %v, want hall-local midnight", got)
	}
	c := Case{ID: "c", State: CaseAccepted, OpenedAt: opened, DueAt: CaseDue(opened, 5, hallZone)}
	for _, tc := range []struct {
		after time.Duration
		want  Supervision
	}{{0, SupervisionNormal}, {95 * time.Hour, SupervisionNormal}, {97 * time.Hour, SupervisionWarning}, {120 * time.Hour, SupervisionOverdue}} {
		if got := c.Supervision(opened.Add(tc.after)); got != tc.want {
			t.Errorf("after %v: %s, want %s", tc.after, got, tc.want)
		}
	}
	// The clock stops while suspended, and resuming moves the due time on.
	if err := c.Suspend(opened.Add(time.Hour), "w1", "s1", "缺少材料"); err != nil {
		t.Fatal(err)
	}
	if got := c.Supervision(opened.Add(200 * time.Hour)); got != SupervisionNormal {
		t.Fatalf("suspended case supervised as %s", got)
	}
	if err := c.Resume(opened.Add(49*time.Hour), "w1", "s1"); err != nil {
		t.Fatal(err)
	}
	if want := opened.Add(5*24*time.Hour + 48*time.Hour); !c.DueAt.Equal(want) {
		t.Fatalf("due %v, want %v", c.DueAt, want)
	}
}

func TestCase_TransitionsRefuseIllegalMoves(t *testing.T) {
	now := time.Now()
	c := Case{ID: "c", State: CaseAccepted, OpenedAt: now, DueAt: now.Add(time.Hour)}
	for _, step := range []CaseStep{StepResume} {
		if _, err := c.Apply(step, now, "w", "s", ""); ErrorCode(err) != ECONFLICT {
			t.Errorf("%s on accepted: %v", step, err)
		}
	}
	if _, err := c.Apply(StepSuspend, now, "w", "s", strings.Repeat("长", MaxCaseText+1)); ErrorReason(err) != "case_text" {
		t.Fatalf("long reason: %v", err)
	}
	if _, err := c.Apply(StepWithdraw, now, "w", "s", ""); ErrorReason(err) != "withdraw_reason" {
		t.Fatalf("withdraw without reason: %v", err)
	}
	if _, err := c.Apply(StepComplete, now, "w", "s", ""); err != nil {
		t.Fatal(err)
	}
	if err := c.HandOver(now, "k"); ErrorReason(err) != "case_no_licence" {
		t.Fatalf("hand over without licence: %v", err)
	}
	if err := c.LicenceReady(now, "L"); err != nil || c.State != CaseLicenceReady {
		t.Fatalf("licence ready: %v %s", err, c.State)
	}
	if err := c.HandOver(now, "k"); err != nil || c.State != CaseHandedOver {
		t.Fatalf("hand over: %v", err)
	}
	if _, err := c.Apply(StepWithdraw, now, "w", "s", "不办了"); ErrorReason(err) != "case_closed" {
		t.Fatalf("withdraw a closed case: %v", err)
	}
	pub := Case{Applicant: Applicant{Name: "王小五", IDNumber: "110101199003070011", IDHash: "h", Phone: "13900139000"}}.Public()
	if pub.Applicant.IDNumber != "" || pub.Applicant.IDHash != "" || pub.Applicant.Name != "王*五" || pub.Applicant.Phone != "139****9000" {
		t.Fatalf("public applicant %+v", pub.Applicant)
	}
}
