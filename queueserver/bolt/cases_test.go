package bolt

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hall"
)

// idNumber completes 17 digits with the GB 11643 check character.
func idNumber(first17 string) string { return hall.CompleteIDNumber(first17) }

var applicantID = idNumber("51010519800101123")

// servedTicket issues a shebao ticket and calls it at c1 (logged in by s1).
func (f *fixture) servedTicket(t testing.TB) hall.Ticket {
	t.Helper()
	f.issue(t, hall.IssueRequest{ServiceID: "shebao"})
	tk, err := f.CallNext(f.ctx, "c1", false)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func TestCases_OpenFromTicketWithIDCard(t *testing.T) {
	f := openFixture(t)
	f.login(t, "c1")
	tk := f.servedTicket(t)
	c, err := f.OpenCase(f.ctx, hall.OpenCaseRequest{CounterID: "c1", TicketID: tk.ID, Name: "张小三", IDNumber: applicantID, Source: hall.ApplicantIDCard, Phone: "13800138000", Matter: "社保转移"})
	if err != nil {
		t.Fatal(err)
	}
	if c.State != hall.CaseAccepted || c.TicketCode != tk.Code || c.StaffID != "s1" || c.Applicant.Name != "张*三" || c.Applicant.IDNumber != "" || c.Applicant.MaskedID != "510***********"+applicantID[14:] {
		t.Fatalf("case = %+v", c)
	}
	if got, err := f.CaseApplicantID(f.ctx, c.ID); err != nil || got != applicantID {
		t.Fatalf("CaseApplicantID = %q, %v", got, err)
	}
	evs := f.rec.all()
	last := evs[len(evs)-1]
	if last.Type != hall.EventCaseOpened || last.Case == nil || last.Case.ID != c.ID || strings.Contains(mustJSON(t, last), applicantID) {
		t.Fatalf("event = %+v", last)
	}
	// The due time is the next hall-local midnight for an on-the-spot service.
	if want := time.Date(2026, 11, 23, 16, 0, 0, 0, time.UTC); !c.DueAt.Equal(want) {
		t.Fatalf("due %v, want %v", c.DueAt, want)
	}
}

func TestCases_OpenByScannedBarcode(t *testing.T) {
	f := openFixture(t)
	f.login(t, "c1")
	tk := f.servedTicket(t)
	c, err := f.OpenCase(f.ctx, hall.OpenCaseRequest{CounterID: "c1", TicketBarcode: hall.TicketBarcode(tk.ID), Name: "李四"})
	if err != nil || c.TicketID != tk.ID {
		t.Fatalf("case %+v, %v", c, err)
	}
	damaged := hall.TicketBarcode(tk.ID)
	last := "0"
	if strings.HasSuffix(damaged, "0") {
		last = "1"
	}
	damaged = damaged[:len(damaged)-1] + last // a wrong check character
	_, err = f.OpenCase(f.ctx, hall.OpenCaseRequest{CounterID: "c1", TicketBarcode: damaged, Name: "李四"})
	if hall.ErrorCode(err) != hall.EINVALID {
		t.Fatalf("damaged barcode: %v", err)
	}
}

func TestCases_OpenByTypedCode(t *testing.T) {
	f := openFixture(t)
	f.login(t, "c1")
	tk := f.servedTicket(t)
	c, err := f.OpenCase(f.ctx, hall.OpenCaseRequest{CounterID: "c1", TicketCode: strings.ToLower(tk.Code), Name: "李四"})
	if err != nil {
		t.Fatal(err)
	}
	if c.TicketID != tk.ID || c.Applicant.Source != hall.ApplicantTicket {
		t.Fatalf("case = %+v", c)
	}
}

func TestCases_OpenRefusesBadInputAndChangesNothing(t *testing.T) {
	f := openFixture(t)
	f.login(t, "c1", "c2")
	tk := f.servedTicket(t)
	other := f.issue(t, hall.IssueRequest{ServiceID: "shebao"})
	cases := []struct {
		name         string
		r            hall.OpenCaseRequest
		code, reason string
	}{
		{"no ticket", hall.OpenCaseRequest{CounterID: "c1", Name: "李四"}, hall.EINVALID, "ticket_missing"},
		{"unknown ticket", hall.OpenCaseRequest{CounterID: "c1", TicketID: "20261123-09999999", Name: "李四"}, hall.ENOTFOUND, "ticket_not_found"},
		{"waiting ticket", hall.OpenCaseRequest{CounterID: "c1", TicketID: other.ID, Name: "李四"}, hall.ECONFLICT, "ticket_not_at_counter"},
		{"other counter", hall.OpenCaseRequest{CounterID: "c2", TicketID: tk.ID, Name: "李四"}, hall.ECONFLICT, "ticket_not_at_counter"},
		{"logged out counter", hall.OpenCaseRequest{CounterID: "c3", TicketID: tk.ID, Name: "李四"}, hall.ECONFLICT, "counter_logged_out"},
		{"bad id", hall.OpenCaseRequest{CounterID: "c1", TicketID: tk.ID, Name: "李四", IDNumber: applicantID[:17] + "0"}, hall.EINVALID, "id_checksum"},
		{"id without name", hall.OpenCaseRequest{CounterID: "c1", TicketID: tk.ID, IDNumber: applicantID}, hall.EINVALID, "applicant_name"},
		{"nobody", hall.OpenCaseRequest{CounterID: "c1", TicketID: tk.ID}, hall.EINVALID, "applicant_missing"},
		{"card without number", hall.OpenCaseRequest{CounterID: "c1", TicketID: tk.ID, Name: "李四", Source: hall.ApplicantIDCard}, hall.EINVALID, "applicant_id"},
		{"bad phone", hall.OpenCaseRequest{CounterID: "c1", TicketID: tk.ID, Name: "李四", Phone: "12"}, hall.EINVALID, "phone"},
		{"long matter", hall.OpenCaseRequest{CounterID: "c1", TicketID: tk.ID, Name: "李四", Matter: strings.Repeat("长", 201)}, hall.EINVALID, "case_text"},
	}
	before := f.lastSeq(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.OpenCase(f.ctx, tc.r)
			wantCode(t, err, tc.code, tc.reason)
		})
	}
	if f.lastSeq(t) != before {
		t.Fatal("a refused open changed the log")
	}
	if cs, _ := f.CasesOfDay(f.ctx, "2026-11-23"); len(cs) != 0 {
		t.Fatalf("cases stored: %d", len(cs))
	}
}

func TestCases_NodesSuspendResumeComplete(t *testing.T) {
	f := openFixture(t)
	f.login(t, "c1", "c2")
	tk := f.servedTicket(t)
	f.PutService(f.ctx, hall.Service{ID: "shebao", Name: "社保", AreaID: "a1", Prefix: "A", NumberFrom: 1, NumberTo: 999, Digits: 3, TimeLimitDays: 5})
	c, err := f.OpenCase(f.ctx, hall.OpenCaseRequest{CounterID: "c1", TicketID: tk.ID, Name: "李四", IDNumber: applicantID})
	if err != nil {
		t.Fatal(err)
	}
	due := c.DueAt
	step := func(s hall.CaseStep, counter, note string) hall.Case {
		t.Helper()
		c, err := f.StepCase(f.ctx, c.ID, s, counter, note)
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		return c
	}
	step(hall.StepProcess, "c1", "")
	_, err = f.StepCase(f.ctx, c.ID, hall.StepSuspend, "c1", " ")
	wantCode(t, err, hall.EINVALID, "suspend_reason")
	step(hall.StepSuspend, "c1", "缺少户口簿")
	f.clock.Advance(48 * time.Hour)
	c = step(hall.StepResume, "c2", "")
	if moved := c.DueAt.Sub(due); moved < 48*time.Hour || moved > 48*time.Hour+time.Second {
		t.Fatalf("due moved by %v, want the 48 h suspended", moved)
	}
	c = step(hall.StepComplete, "c2", "")
	_, err = f.StepCase(f.ctx, c.ID, hall.StepSuspend, "c2", "x")
	wantCode(t, err, hall.ECONFLICT, "case_not_active")
	_, err = f.StepCase(f.ctx, c.ID, "explode", "c2", "")
	wantCode(t, err, hall.EINVALID, "case_step")
	var nodes []string
	for _, n := range c.Nodes {
		nodes = append(nodes, string(n.Node)+"/"+n.StaffID)
	}
	if got := strings.Join(nodes, " "); got != "case.opened/s1 case.processing/s1 case.suspended/s1 case.resumed/s2 case.completed/s2" {
		t.Fatalf("nodes: %s", got)
	}
	if c.Nodes[2].Note != "缺少户口簿" {
		t.Fatalf("suspend reason lost: %+v", c.Nodes[2])
	}
}

func TestCases_SupervisionWarnsAndFlagsOverdueOnce(t *testing.T) {
	f := openFixture(t)
	f.login(t, "c1")
	f.PutService(f.ctx, hall.Service{ID: "shebao", Name: "社保", AreaID: "a1", Prefix: "A", NumberFrom: 1, NumberTo: 999, Digits: 3, TimeLimitDays: 5})
	tk := f.servedTicket(t)
	c, err := f.OpenCase(f.ctx, hall.OpenCaseRequest{CounterID: "c1", TicketID: tk.ID, Name: "李四"})
	if err != nil {
		t.Fatal(err)
	}
	count := func() int {
		n, err := f.SuperviseCases(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(); n != 0 {
		t.Fatalf("fresh case supervised: %d", n)
	}
	f.clock.Advance(4*24*time.Hour + time.Hour) // less than a fifth of 5 days left
	if n := count(); n != 1 {
		t.Fatalf("warning sent %d times", n)
	}
	if n := count(); n != 0 {
		t.Fatalf("warning repeated: %d", n)
	}
	f.clock.Advance(24 * time.Hour)
	if n := count(); n != 1 {
		t.Fatalf("overdue sent %d times", n)
	}
	got, _ := f.Case(f.ctx, c.ID)
	if !got.Overdue || got.Supervision(f.clock.Now()) != hall.SupervisionOverdue {
		t.Fatalf("case = %+v", got)
	}
	var types []hall.EventType
	for _, e := range f.rec.all() {
		if e.Case != nil {
			types = append(types, e.Type)
		}
	}
	if len(types) != 3 || types[1] != hall.EventCaseWarning || types[2] != hall.EventCaseOverdue {
		t.Fatalf("case events %v", types)
	}
	// A completed case is no longer watched.
	if _, err := f.StepCase(f.ctx, c.ID, hall.StepComplete, "c1", ""); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(24 * time.Hour)
	if n := count(); n != 0 {
		t.Fatalf("closed case supervised: %d", n)
	}
}

// The full ID number is sealed: the file's bytes never contain it, and a store opened with
// another key cannot read it back.
func TestCases_IDNumberSealedAtRest(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hall.db")
	f := openFixtureAt(t, path, true)
	f.login(t, "c1")
	tk := f.servedTicket(t)
	c, err := f.OpenCase(f.ctx, hall.OpenCaseRequest{CounterID: "c1", TicketID: tk.ID, Name: "李四", IDNumber: applicantID})
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte(applicantID)) || bytes.Contains(raw, []byte(applicantID[6:14]+applicantID[14:])) {
		t.Fatal("the data file contains the ID number in the clear")
	}
	if !bytes.Contains(raw, []byte(hall.MaskID(applicantID))) {
		t.Fatal("the masked ID is missing: the check above proves nothing")
	}
	other, err := Open(path, Options{Logger: quietLog, SealKey: []byte("another key, also 32 bytes long!")})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.CaseApplicantID(f.ctx, c.ID); err == nil {
		t.Fatal("a wrong key unsealed the ID number")
	}
	none, err := Open(filepath.Join(t.TempDir(), "nokey.db"), Options{Logger: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	defer none.Close()
	seedHall(t, none)
	none.Login(f.ctx, "c1", "s1")
	none.IssueTicket(f.ctx, hall.IssueRequest{ServiceID: "shebao", Channel: hall.ChannelTap})
	tk2, _ := none.CallNext(f.ctx, "c1", false)
	_, err = none.OpenCase(f.ctx, hall.OpenCaseRequest{CounterID: "c1", TicketID: tk2.ID, Name: "李四", IDNumber: applicantID})
	wantCode(t, err, hall.EUNAVAILABLE, "id_key_missing")
}

func TestCases_IdempotentOpen(t *testing.T) {
	f := openFixture(t)
	f.login(t, "c1")
	tk := f.servedTicket(t)
	ctx := hall.WithIdempotencyKey(f.ctx, "device:k1:open-1")
	a, err := f.OpenCase(ctx, hall.OpenCaseRequest{CounterID: "c1", TicketID: tk.ID, Name: "李四"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.OpenCase(ctx, hall.OpenCaseRequest{CounterID: "c1", TicketID: tk.ID, Name: "李四"})
	if err != nil || a.ID != b.ID {
		t.Fatalf("retry opened %v (%v), first %v", b.ID, err, a.ID)
	}
	if cs, _ := f.CasesOfDay(f.ctx, "2026-11-23"); len(cs) != 1 {
		t.Fatalf("%d cases, want 1", len(cs))
	}
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A rating is linked to the case opened from the rated ticket, and a case of another ticket is refused.
func TestCases_RatingLinksTheCase(t *testing.T) {
	f := openFixture(t)
	f.login(t, "c1")
	tk := f.servedTicket(t)
	c, err := f.OpenCase(f.ctx, hall.OpenCaseRequest{CounterID: "c1", TicketID: tk.ID, Name: "李四"})
	if err != nil {
		t.Fatal(err)
	}
	f.Finish(f.ctx, "c1")
	other := f.servedTicket(t)
	f.Finish(f.ctx, "c1")
	_, err = f.RecordRating(f.ctx, hall.RatingRequest{TicketID: other.ID, CounterID: "c1", Level: hall.RatingSatisfied, Source: hall.RatingFromPad, CaseID: c.ID})
	wantCode(t, err, hall.ECONFLICT, "case_other_ticket")
	_, err = f.RecordRating(f.ctx, hall.RatingRequest{TicketID: other.ID, CounterID: "c1", Level: hall.RatingSatisfied, Source: hall.RatingFromPad, CaseID: "20261123-09999999"})
	wantCode(t, err, hall.ENOTFOUND, "case_not_found")
	r, err := f.RecordRating(f.ctx, hall.RatingRequest{TicketID: tk.ID, CounterID: "c1", Level: hall.RatingDissatisfied, Reasons: []hall.RatingReason{hall.ReasonWaiting}, Source: hall.RatingFromPad})
	if err != nil || r.CaseID != c.ID || !r.FollowUp {
		t.Fatalf("rating %+v, %v", r, err)
	}
	r2, err := f.RecordRating(f.ctx, hall.RatingRequest{TicketID: other.ID, CounterID: "c1", Level: hall.RatingNotRated, Source: hall.RatingFromPad})
	if err != nil || r2.CaseID != "" {
		t.Fatalf("rating without a case %+v, %v", r2, err)
	}
}
