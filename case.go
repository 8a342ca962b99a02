package hall

import (
	"context"
	"strings"
	"time"
)

// CaseState is where a case (办件) is in its life.
//
//	accepted ──▶ processing ──▶ completed ──▶ licence_ready ──▶ handed_over
//	    │  ▲          │  ▲           (a licence the platform made, collected at the kiosk)
//	    ▼  │resume    ▼  │resume
//	  suspended    suspended            accepted/processing/suspended ──withdraw──▶ withdrawn
//
// Completed, handed over and withdrawn cases are final, except that a completed case moves on
// to licence_ready when the platform says its licence is ready.
type CaseState string

// Case states.
const (
	CaseAccepted     CaseState = "accepted"      // 已受理
	CaseProcessing   CaseState = "processing"    // 办理中
	CaseSuspended    CaseState = "suspended"     // 已挂起（补正材料等）
	CaseCompleted    CaseState = "completed"     // 已办结
	CaseLicenceReady CaseState = "licence_ready" // 证照已出
	CaseHandedOver   CaseState = "handed_over"   // 已领证
	CaseWithdrawn    CaseState = "withdrawn"     // 已撤回
)

var caseStateLabels = map[CaseState][2]string{
	CaseAccepted:     {"已受理", "Accepted"},
	CaseProcessing:   {"办理中", "Processing"},
	CaseSuspended:    {"已挂起", "Suspended"},
	CaseCompleted:    {"已办结", "Completed"},
	CaseLicenceReady: {"证照已出", "Licence ready"},
	CaseHandedOver:   {"已领证", "Handed over"},
	CaseWithdrawn:    {"已撤回", "Withdrawn"},
}

// Label returns the state's name for people.
func (s CaseState) Label(english bool) string {
	if english {
		return caseStateLabels[s][1]
	}
	return caseStateLabels[s][0]
}

// Open reports whether the case is still being worked on (its time limit runs).
func (s CaseState) Open() bool {
	return s == CaseAccepted || s == CaseProcessing || s == CaseSuspended
}

// Supervision is the time-limit state of an open case (电子监察).
type Supervision string

// Supervision states.
const (
	SupervisionNormal  Supervision = "normal"  // 正常
	SupervisionWarning Supervision = "warning" // 预警: less than a fifth of the time limit left
	SupervisionOverdue Supervision = "overdue" // 超期
)

// Case event types. Append only, like the rest (event.go).
const (
	EventCaseOpened       EventType = "case.opened"
	EventCaseProcessing   EventType = "case.processing"
	EventCaseSuspended    EventType = "case.suspended"
	EventCaseResumed      EventType = "case.resumed"
	EventCaseCompleted    EventType = "case.completed"
	EventCaseWithdrawn    EventType = "case.withdrawn"
	EventCaseLicenceReady EventType = "case.licence_ready"
	EventCaseHandedOver   EventType = "case.handed_over"
	EventCaseWarning      EventType = "case.warning"
	EventCaseOverdue      EventType = "case.overdue"
)

// ApplicantSource says where the applicant's identity came from.
type ApplicantSource string

// Applicant sources.
const (
	ApplicantIDCard ApplicantSource = "idcard" // read from the ID card at the counter
	ApplicantTyped  ApplicantSource = "typed"  // typed in by the clerk
	ApplicantTicket ApplicantSource = "ticket" // taken over from the ticket (no full number)
)

// Applicant is who a case is for. IDNumber is the full number: it lives only in the case, is
// sealed (encrypted) at rest, and is set only on the copies that go to the platform. Everything
// shown to people uses MaskedID and a masked Name.
type Applicant struct {
	Name     string          `json:"name"`
	IDNumber string          `json:"idNumber,omitempty"`
	MaskedID string          `json:"maskedId,omitempty"`
	IDHash   string          `json:"idHash,omitempty"`
	Phone    string          `json:"phone,omitempty"`
	Source   ApplicantSource `json:"source"`
}

// CaseNode is one time-stamped step of a case: accepted, processing, suspended (with the reason),
// resumed, completed, licence ready, handed over, and the supervision warnings.
type CaseNode struct {
	At        time.Time `json:"at"`
	Node      EventType `json:"node"`
	State     CaseState `json:"state"`
	CounterID string    `json:"counterId,omitempty"`
	StaffID   string    `json:"staffId,omitempty"`
	Note      string    `json:"note,omitempty"`
}

// Case is one application (办件) opened at a counter from a ticket.
type Case struct {
	ID         string    `json:"id"`
	Day        Day       `json:"day"`
	TicketID   string    `json:"ticketId"`
	TicketCode string    `json:"ticketCode"`
	ServiceID  string    `json:"serviceId"`
	AreaID     string    `json:"areaId,omitempty"`
	CounterID  string    `json:"counterId"`
	StaffID    string    `json:"staffId"`
	Applicant  Applicant `json:"applicant"`
	// Matter describes what is applied for, in the clerk's words (optional).
	Matter string    `json:"matter,omitempty"`
	State  CaseState `json:"state"`
	// OpenedAt starts the time limit (承诺时限); DueAt is when it runs out, moved on by the time
	// spent suspended. Warned and Overdue record that the supervision events were sent.
	OpenedAt    time.Time  `json:"openedAt"`
	DueAt       time.Time  `json:"dueAt"`
	LimitDays   int        `json:"limitDays"`
	SuspendedAt time.Time  `json:"suspendedAt,omitzero"`
	Reason      string     `json:"reason,omitempty"`
	ClosedAt    time.Time  `json:"closedAt,omitzero"`
	Warned      bool       `json:"warned,omitempty"`
	Overdue     bool       `json:"overdue,omitempty"`
	LicenceID   string     `json:"licenceId,omitempty"`
	Nodes       []CaseNode `json:"nodes"`
}

// MaxCaseText bounds the free texts of a case (matter, reasons).
const MaxCaseText = 200

// CaseDue returns when a case opened at opened with a limit of days runs out: days × 24 h later,
// or for 0 (即办, on the spot) the next hall-local midnight.
func CaseDue(opened time.Time, days int, loc *time.Location) time.Time {
	if days > 0 {
		return opened.Add(time.Duration(days) * 24 * time.Hour)
	}
	l := opened.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day()+1, 0, 0, 0, 0, loc)
}

// Supervision returns the case's time-limit state at now: overdue past DueAt, warning once less
// than a fifth of the limit is left, normal otherwise. Final cases keep the state they ended in.
func (c Case) Supervision(now time.Time) Supervision {
	if !c.State.Open() && !c.ClosedAt.IsZero() {
		now = c.ClosedAt
	}
	if c.State == CaseSuspended && !c.SuspendedAt.IsZero() {
		now = c.SuspendedAt // the clock stops while the applicant brings missing papers
	}
	if !now.Before(c.DueAt) {
		return SupervisionOverdue
	}
	total := c.DueAt.Sub(c.OpenedAt)
	if c.DueAt.Sub(now)*5 < total {
		return SupervisionWarning
	}
	return SupervisionNormal
}

func caseConflict(c *Case, reason, zh, en string) *Error {
	return &Error{Code: ECONFLICT, Reason: reason, Message: "办件 " + c.ID + " " + zh, English: "case " + c.ID + " " + en}
}

func (c *Case) node(at time.Time, typ EventType, counterID, staffID, note string) {
	c.Nodes = append(c.Nodes, CaseNode{At: at, Node: typ, State: c.State, CounterID: counterID, StaffID: staffID, Note: note})
}

// CheckCaseText refuses a text over MaxCaseText characters or with control characters.
func CheckCaseText(what, s string) error {
	if len([]rune(s)) > MaxCaseText || strings.IndexFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0 {
		return Errorf(EINVALID, "case_text", "%s最多 %d 个字，且不能含控制字符", "%s: at most %d characters and no control characters", what, MaxCaseText)
	}
	return nil
}

// Process moves an accepted case into processing (办理中).
func (c *Case) Process(now time.Time, counterID, staffID string) error {
	if c.State != CaseAccepted {
		return caseConflict(c, "case_not_accepted", "不在已受理状态，不能开始办理", "is not accepted and cannot start processing")
	}
	c.State = CaseProcessing
	c.node(now, EventCaseProcessing, counterID, staffID, "")
	return nil
}

// Suspend stops the clock of an open case for a reason (e.g. 补正材料); EINVALID without a reason.
func (c *Case) Suspend(now time.Time, counterID, staffID, reason string) error {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return Errorf(EINVALID, "suspend_reason", "挂起办件须填写原因", "suspending a case needs a reason")
	}
	if err := CheckCaseText("挂起原因", reason); err != nil {
		return err
	}
	if c.State != CaseAccepted && c.State != CaseProcessing {
		return caseConflict(c, "case_not_active", "不在受理或办理中，不能挂起", "is not accepted or processing and cannot be suspended")
	}
	c.State, c.SuspendedAt, c.Reason = CaseSuspended, now, reason
	c.node(now, EventCaseSuspended, counterID, staffID, reason)
	return nil
}

// Resume continues a suspended case; the time spent suspended is added to DueAt.
func (c *Case) Resume(now time.Time, counterID, staffID string) error {
	if c.State != CaseSuspended {
		return caseConflict(c, "case_not_suspended", "未挂起，不能恢复", "is not suspended and cannot be resumed")
	}
	if now.After(c.SuspendedAt) {
		c.DueAt = c.DueAt.Add(now.Sub(c.SuspendedAt))
	}
	c.State, c.SuspendedAt, c.Reason = CaseProcessing, time.Time{}, ""
	c.node(now, EventCaseResumed, counterID, staffID, "")
	return nil
}

// Complete closes an accepted or processing case as done (办结).
func (c *Case) Complete(now time.Time, counterID, staffID, note string) error {
	if err := CheckCaseText("办结说明", note); err != nil {
		return err
	}
	if c.State != CaseAccepted && c.State != CaseProcessing {
		return caseConflict(c, "case_not_active", "不在受理或办理中，不能办结", "is not accepted or processing and cannot be completed")
	}
	c.State, c.ClosedAt = CaseCompleted, now
	c.node(now, EventCaseCompleted, counterID, staffID, note)
	return nil
}

// Withdraw ends an open case at the applicant's request (撤回), with a reason.
func (c *Case) Withdraw(now time.Time, counterID, staffID, reason string) error {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return Errorf(EINVALID, "withdraw_reason", "撤回办件须填写原因", "withdrawing a case needs a reason")
	}
	if err := CheckCaseText("撤回原因", reason); err != nil {
		return err
	}
	if !c.State.Open() {
		return caseConflict(c, "case_closed", "已结束，不能撤回", "has ended and cannot be withdrawn")
	}
	c.State, c.ClosedAt, c.SuspendedAt, c.Reason = CaseWithdrawn, now, time.Time{}, reason
	c.node(now, EventCaseWithdrawn, counterID, staffID, reason)
	return nil
}

// LicenceReady records that the platform produced the case's licence. An open case is completed
// by it (the platform decided); a completed case moves on.
func (c *Case) LicenceReady(now time.Time, licenceID string) error {
	switch c.State {
	case CaseAccepted, CaseProcessing, CaseSuspended:
		c.ClosedAt, c.SuspendedAt = now, time.Time{}
	case CaseCompleted:
	default:
		return caseConflict(c, "case_not_completed", "的状态不能接收证照", "cannot take a licence in its state")
	}
	c.State, c.LicenceID = CaseLicenceReady, licenceID
	c.node(now, EventCaseLicenceReady, "", "", licenceID)
	return nil
}

// HandOver records that the case's licence was collected.
func (c *Case) HandOver(now time.Time, deviceID string) error {
	if c.State != CaseLicenceReady {
		return caseConflict(c, "case_no_licence", "没有待领取的证照", "has no licence waiting")
	}
	c.State = CaseHandedOver
	c.node(now, EventCaseHandedOver, "", "", deviceID)
	return nil
}

// Public returns the copy that events, screens and logs carry: the name masked, no full ID
// number, no ID hash, the phone masked.
func (c Case) Public() Case {
	c.Applicant.Name = MaskName(c.Applicant.Name)
	c.Applicant.IDNumber, c.Applicant.IDHash = "", ""
	c.Applicant.Phone = MaskPhone(c.Applicant.Phone)
	c.Nodes = append([]CaseNode(nil), c.Nodes...)
	return c
}

// CaseEvent builds an event about case c (made public).
func CaseEvent(typ EventType, c Case, at time.Time, note string) Event {
	pub := c.Public()
	return Event{Type: typ, At: at, Day: c.Day, AreaID: c.AreaID, ServiceID: c.ServiceID, CounterID: c.CounterID, StaffID: c.StaffID, Case: &pub, Note: note}
}

// OpenCaseRequest opens a case at a counter from the ticket it serves: TicketBarcode is the
// scanned code of the ticket (HALLT:<ticket id>:<check>, see TicketBarcode), TicketID the id it
// carries, or TicketCode ("A012", today's) typed by the clerk; the first one set is used. The
// applicant comes from the ID card (IDNumber and Name read by the counter's reader, Source
// "idcard") or typed; without an IDNumber the ticket's person is taken over.
type OpenCaseRequest struct {
	CounterID     string          `json:"counterId"`
	TicketBarcode string          `json:"ticketBarcode,omitempty"`
	TicketID      string          `json:"ticketId,omitempty"`
	TicketCode    string          `json:"ticketCode,omitempty"`
	Name          string          `json:"name,omitempty"`
	IDNumber      string          `json:"idNumber,omitempty"`
	Phone         string          `json:"phone,omitempty"`
	Source        ApplicantSource `json:"source,omitempty"`
	Matter        string          `json:"matter,omitempty"`
}

// CaseStep is a node the clerk moves a case to: POST /cases/{id}/{step}.
type CaseStep string

// Case steps.
const (
	StepProcess  CaseStep = "process"
	StepSuspend  CaseStep = "suspend"
	StepResume   CaseStep = "resume"
	StepComplete CaseStep = "complete"
	StepWithdraw CaseStep = "withdraw"
)

// Apply moves c by step at counter/staff with note (the reason for suspend and withdraw).
// EINVALID for an unknown step; the transition's own errors otherwise.
func (c *Case) Apply(step CaseStep, now time.Time, counterID, staffID, note string) (EventType, error) {
	switch step {
	case StepProcess:
		return EventCaseProcessing, c.Process(now, counterID, staffID)
	case StepSuspend:
		return EventCaseSuspended, c.Suspend(now, counterID, staffID, note)
	case StepResume:
		return EventCaseResumed, c.Resume(now, counterID, staffID)
	case StepComplete:
		return EventCaseCompleted, c.Complete(now, counterID, staffID, note)
	case StepWithdraw:
		return EventCaseWithdrawn, c.Withdraw(now, counterID, staffID, note)
	}
	return "", Errorf(EINVALID, "case_step", "未知办件操作：%q", "unknown case step: %q", string(step))
}

// Cases keeps cases. Every method is one durable step with its event.
type Cases interface {
	// OpenCase opens a case from the ticket the counter is serving (or has just served).
	// ENOTFOUND for an unknown counter or ticket; ECONFLICT when the ticket is not at this
	// counter or already has an open case; EINVALID for a bad ID number or name;
	// EUNAVAILABLE when the store has no key to seal ID numbers.
	OpenCase(ctx context.Context, r OpenCaseRequest) (Case, error)
	// StepCase moves a case by step at counterID. ENOTFOUND, EINVALID, ECONFLICT as the transitions say.
	StepCase(ctx context.Context, caseID string, step CaseStep, counterID, note string) (Case, error)
	// Case returns a case without the full ID number.
	Case(ctx context.Context, caseID string) (Case, error)
	// CasesOfDay lists a day's cases (without full ID numbers), oldest first.
	CasesOfDay(ctx context.Context, day Day) ([]Case, error)
	// CaseApplicantID unseals the applicant's full ID number ("" when the case has none), for
	// the delivery to the platform only. ENOTFOUND for an unknown case.
	CaseApplicantID(ctx context.Context, caseID string) (string, error)
	// SuperviseCases sends case.warning and case.overdue once for every open case that reached
	// those states by now, and returns how many it sent.
	SuperviseCases(ctx context.Context) (int, error)
}
