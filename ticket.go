package hall

import (
	"strconv"
	"time"
)

// TicketState is where a ticket is in its life.
type TicketState string

// Ticket states. Waiting, Called, Serving and Held are live; the rest are final.
//
//	waiting ──call──▶ called ──start──▶ serving ──finish──▶ done
//	   ▲  │             │ ▲ recall         │ │
//	   │  │cancel       │ └──────┘         │ └─hold──▶ held ──resume──▶ serving
//	   │  ▼             ├─noshow──▶ noshow │
//	   │ cancelled      ├─requeue (back N places)──▶ waiting
//	   │                └─transfer─┬───────┘
//	   │                           ▼
//	   │                     transferred (a new waiting ticket continues elsewhere)
//	   any live state ──day close──▶ expired
const (
	TicketWaiting     TicketState = "waiting"
	TicketCalled      TicketState = "called"
	TicketServing     TicketState = "serving"
	TicketHeld        TicketState = "held"
	TicketDone        TicketState = "done"
	TicketNoShow      TicketState = "noshow"
	TicketTransferred TicketState = "transferred"
	TicketExpired     TicketState = "expired"
	TicketCancelled   TicketState = "cancelled"
)

var ticketStateLabels = map[TicketState][2]string{
	TicketWaiting:     {"等候中", "Waiting"},
	TicketCalled:      {"已叫号", "Called"},
	TicketServing:     {"办理中", "Being served"},
	TicketHeld:        {"已挂起", "On hold"},
	TicketDone:        {"已办结", "Done"},
	TicketNoShow:      {"已过号", "Missed"},
	TicketTransferred: {"已转移", "Transferred"},
	TicketExpired:     {"已过期", "Expired"},
	TicketCancelled:   {"已取消", "Cancelled"},
}

// Label returns the state's name for people.
func (s TicketState) Label(english bool) string {
	if english {
		return ticketStateLabels[s][1]
	}
	return ticketStateLabels[s][0]
}

// Live reports whether the ticket can still change.
func (s TicketState) Live() bool {
	return s == TicketWaiting || s == TicketCalled || s == TicketServing || s == TicketHeld
}

// Channel is how a ticket was taken.
type Channel string

// Channels.
const (
	ChannelTap         Channel = "tap"         // a tap on the kiosk
	ChannelIDCard      Channel = "idcard"      // the kiosk read an ID card
	ChannelPhone       Channel = "phone"       // a phone number typed at the kiosk
	ChannelAppointment Channel = "appointment" // check-in of a booking
	ChannelPriority    Channel = "priority"    // 绿色通道, chosen by staff
	ChannelMobile      Channel = "mobile"      // 手机取号 from the web page
	ChannelVirtual     Channel = "virtual"     // a visitor served without a ticket (虚拟叫号)
)

// Valid reports whether c is a known channel.
func (c Channel) Valid() bool {
	switch c {
	case ChannelTap, ChannelIDCard, ChannelPhone, ChannelAppointment, ChannelPriority, ChannelMobile, ChannelVirtual:
		return true
	}
	return false
}

// PriorityClass says why a ticket is a priority (绿色通道) ticket; "" for none.
type PriorityClass string

// Priority classes.
const (
	PriorityNone     PriorityClass = ""
	PriorityElderly  PriorityClass = "elderly"
	PriorityDisabled PriorityClass = "disabled"
	PriorityMilitary PriorityClass = "military"
	PriorityOther    PriorityClass = "other"
)

// Valid reports whether p is a known class.
func (p PriorityClass) Valid() bool {
	switch p {
	case PriorityNone, PriorityElderly, PriorityDisabled, PriorityMilitary, PriorityOther:
		return true
	}
	return false
}

// Person is who holds a ticket or booking. The ID number itself is never stored: only its masked
// form for people and a keyed hash to find the same person again.
type Person struct {
	Name     string `json:"name,omitempty"`
	MaskedID string `json:"maskedId,omitempty"`
	IDHash   string `json:"idHash,omitempty"`
}

// Step is one entry of a ticket's history.
type Step struct {
	At        time.Time   `json:"at"`
	Action    string      `json:"action"`
	State     TicketState `json:"state"`
	CounterID string      `json:"counterId,omitempty"`
	StaffID   string      `json:"staffId,omitempty"`
	Note      string      `json:"note,omitempty"`
}

// maxHistory bounds a ticket's history so repeated recalls cannot grow it without end; the event
// log keeps everything.
const maxHistory = 64

// Ticket is a visitor's place in a service's queue.
type Ticket struct {
	ID        string        `json:"id"`
	Day       Day           `json:"day"`
	ServiceID string        `json:"serviceId"`
	AreaID    string        `json:"areaId"`
	Number    int           `json:"number"`
	Code      string        `json:"code"` // "A012", what is printed and announced
	Channel   Channel       `json:"channel"`
	Person    *Person       `json:"person,omitempty"`
	Phone     string        `json:"phone,omitempty"`
	Priority  PriorityClass `json:"priority,omitempty"`
	// ApprovedBy is the staff member who confirmed a staff-chosen priority class.
	ApprovedBy string `json:"approvedBy,omitempty"`
	// AppointmentID links a checked-in booking; AppointmentFrom/Until is its slot. Within the slot
	// the ticket goes ahead of walk-ins (when the counter's rule says so).
	AppointmentID    string    `json:"appointmentId,omitempty"`
	AppointmentFrom  time.Time `json:"appointmentFrom,omitzero"`
	AppointmentUntil time.Time `json:"appointmentUntil,omitzero"`
	ArrivedAt        time.Time `json:"arrivedAt"`
	// QueueKey orders waiting tickets of a service: the arrival time in Unix nanoseconds, moved
	// back when a missed ticket is put back N places.
	QueueKey int64       `json:"queueKey"`
	State    TicketState `json:"state"`
	// TargetCounterID routes a transferred ticket to one counter.
	TargetCounterID string    `json:"targetCounterId,omitempty"`
	CounterID       string    `json:"counterId,omitempty"`
	CounterNumber   int       `json:"counterNumber,omitempty"`
	StaffID         string    `json:"staffId,omitempty"`
	CalledAt        time.Time `json:"calledAt,omitzero"`
	StartedAt       time.Time `json:"startedAt,omitzero"`
	FinishedAt      time.Time `json:"finishedAt,omitzero"`
	Calls           int       `json:"calls,omitempty"`
	Silent          bool      `json:"silent,omitempty"`
	Virtual         bool      `json:"virtual,omitempty"`
	Requeues        int       `json:"requeues,omitempty"`
	TransferredFrom string    `json:"transferredFrom,omitempty"`
	TransferredTo   string    `json:"transferredTo,omitempty"`
	// AccessToken is the unguessable key of the mobile ticket page; never put it in events or logs.
	AccessToken string `json:"accessToken,omitempty"`
	History     []Step `json:"history,omitempty"`
}

// Public returns a copy fit for screens, phones and the event feed: the name and phone masked,
// no ID hash, no access token, no history.
func (t Ticket) Public() Ticket {
	if t.Person != nil {
		t.Person = &Person{Name: MaskName(t.Person.Name), MaskedID: t.Person.MaskedID}
	}
	t.Phone = MaskPhone(t.Phone)
	t.AccessToken = ""
	t.History = nil
	return t
}

// WaitTime is how long the visitor waited before the (last) call; zero if never called.
func (t Ticket) WaitTime() time.Duration {
	if t.CalledAt.IsZero() {
		return 0
	}
	return t.CalledAt.Sub(t.ArrivedAt)
}

// ServiceTime is how long the visitor was served; zero unless done.
func (t Ticket) ServiceTime() time.Duration {
	if t.State != TicketDone || t.StartedAt.IsZero() {
		return 0
	}
	return t.FinishedAt.Sub(t.StartedAt)
}

func (t *Ticket) step(now time.Time, action, note string) {
	t.History = append(t.History, Step{At: now, Action: action, State: t.State, CounterID: t.CounterID, StaffID: t.StaffID, Note: note})
	if len(t.History) > maxHistory {
		t.History = append(t.History[:1], t.History[len(t.History)-maxHistory+1:]...)
	}
}

func ticketConflict(t *Ticket, reason, zh, en string) *Error {
	return Errorf(ECONFLICT, reason, "%s 号"+zh+"（当前："+t.State.Label(false)+"）",
		"ticket %s "+en+" (now: "+t.State.Label(true)+")", t.Code)
}

// Issued records the first step of a new ticket.
func (t *Ticket) Issued(now time.Time) {
	t.State = TicketWaiting
	t.step(now, "issued", string(t.Channel))
}

// Call moves a waiting ticket to called at the counter.
func (t *Ticket) Call(c *Counter, now time.Time, silent bool) error {
	if t.State != TicketWaiting {
		return ticketConflict(t, "ticket_not_waiting", "不在等候中，不能叫号", "is not waiting and cannot be called")
	}
	if t.TargetCounterID != "" && t.TargetCounterID != c.ID {
		return ticketConflict(t, "ticket_for_other_counter", "已转给其他窗口", "was transferred to another counter")
	}
	t.State, t.CounterID, t.CounterNumber, t.StaffID = TicketCalled, c.ID, c.Number, c.StaffID
	t.CalledAt, t.Calls, t.Silent = now, 1, silent
	t.step(now, "called", "")
	return nil
}

// Recall announces a called ticket again (重呼).
func (t *Ticket) Recall(now time.Time) error {
	if t.State != TicketCalled {
		return ticketConflict(t, "ticket_not_called", "不在叫号状态，不能重呼", "is not called and cannot be recalled")
	}
	t.Calls++
	t.step(now, "recalled", "")
	return nil
}

// Start marks that the visitor arrived at the counter and service began.
func (t *Ticket) Start(now time.Time) error {
	if t.State != TicketCalled {
		return ticketConflict(t, "ticket_not_called", "不在叫号状态，不能开始办理", "is not called and cannot start")
	}
	t.State, t.StartedAt = TicketServing, now
	t.step(now, "started", "")
	return nil
}

// Finish closes the ticket as done (办结). A called ticket that was never started counts as
// served from its call.
func (t *Ticket) Finish(now time.Time) error {
	switch t.State {
	case TicketCalled:
		t.StartedAt = t.CalledAt
	case TicketServing:
	default:
		return ticketConflict(t, "ticket_not_served", "不在办理中，不能办结", "is not being served and cannot be finished")
	}
	t.State, t.FinishedAt = TicketDone, now
	t.step(now, "finished", "")
	return nil
}

// NoShow closes a called ticket whose visitor did not come (过号).
func (t *Ticket) NoShow(now time.Time) error {
	if t.State != TicketCalled {
		return ticketConflict(t, "ticket_not_called", "不在叫号状态，不能过号", "is not called and cannot be marked missed")
	}
	t.State, t.FinishedAt = TicketNoShow, now
	t.step(now, "noshow", "")
	return nil
}

// MaxRequeues is how often one ticket may be put back after a no-show.
const MaxRequeues = 3

// Requeue puts a called ticket whose visitor did not come back into the queue with a new queue
// key (过号重排). The arrival time is kept.
func (t *Ticket) Requeue(now time.Time, queueKey int64, places int) error {
	if t.State != TicketCalled {
		return ticketConflict(t, "ticket_not_called", "不在叫号状态，不能过号重排", "is not called and cannot be put back")
	}
	if t.Requeues >= MaxRequeues {
		return ticketConflict(t, "requeue_limit", "过号重排次数已达上限", "has been put back too often")
	}
	t.State, t.QueueKey, t.Requeues = TicketWaiting, queueKey, t.Requeues+1
	t.step(now, "requeued", "back "+strconv.Itoa(places))
	t.CounterID, t.CounterNumber, t.StaffID, t.CalledAt, t.Calls, t.TargetCounterID = "", 0, "", time.Time{}, 0, ""
	return nil
}

// Hold puts a ticket in service aside (挂起), e.g. while the visitor fetches a document; the
// counter is free to call others and resumes it later.
func (t *Ticket) Hold(now time.Time, reason string) error {
	if t.State != TicketServing && t.State != TicketCalled {
		return ticketConflict(t, "ticket_not_served", "不在办理中，不能挂起", "is not being served and cannot be held")
	}
	if t.StartedAt.IsZero() {
		t.StartedAt = now
	}
	t.State = TicketHeld
	t.step(now, "held", reason)
	return nil
}

// Resume brings a held ticket back into service at counter c, which must be the counter that held it.
func (t *Ticket) Resume(c *Counter, now time.Time) error {
	if t.State != TicketHeld {
		return ticketConflict(t, "ticket_not_held", "未挂起，不能恢复", "is not on hold and cannot be resumed")
	}
	if t.CounterID != c.ID {
		return ticketConflict(t, "ticket_held_elsewhere", "由其他窗口挂起", "is held by another counter")
	}
	t.State, t.StaffID = TicketServing, c.StaffID
	t.step(now, "resumed", "")
	return nil
}

// TransferTo closes a called or served ticket as transferred (转移) to the ticket toID, which
// continues in another service or at another counter with the same code and arrival time.
func (t *Ticket) TransferTo(toID string, now time.Time, note string) error {
	if t.State != TicketCalled && t.State != TicketServing {
		return ticketConflict(t, "ticket_not_served", "不在办理中，不能转移", "is not at a counter and cannot be transferred")
	}
	if t.StartedAt.IsZero() {
		t.StartedAt = t.CalledAt
	}
	t.State, t.FinishedAt, t.TransferredTo = TicketTransferred, now, toID
	t.step(now, "transferred", note)
	return nil
}

// Continuation returns the waiting ticket that carries a transferred visitor on: same code,
// person, channel, priority and arrival time, in service svc (and only at counterID if set).
func (t Ticket) Continuation(id string, svc Service, counterID string, now time.Time) Ticket {
	n := Ticket{
		ID: id, Day: t.Day, ServiceID: svc.ID, AreaID: svc.AreaID, Number: t.Number, Code: t.Code,
		Channel: t.Channel, Person: t.Person, Phone: t.Phone, Priority: t.Priority,
		AppointmentID: t.AppointmentID, AppointmentFrom: t.AppointmentFrom, AppointmentUntil: t.AppointmentUntil,
		ArrivedAt: t.ArrivedAt, QueueKey: t.ArrivedAt.UnixNano(), TargetCounterID: counterID,
		TransferredFrom: t.ID, AccessToken: t.AccessToken,
	}
	n.State = TicketWaiting
	n.step(now, "transferred_in", t.ServiceID)
	return n
}

// Cancel withdraws a waiting ticket at the visitor's request.
func (t *Ticket) Cancel(now time.Time) error {
	if t.State != TicketWaiting {
		return ticketConflict(t, "ticket_not_waiting", "不在等候中，不能取消", "is not waiting and cannot be cancelled")
	}
	t.State, t.FinishedAt = TicketCancelled, now
	t.step(now, "cancelled", "")
	return nil
}

// Expire ends a live ticket at day close; it stays in history.
func (t *Ticket) Expire(now time.Time) error {
	if !t.State.Live() {
		return ticketConflict(t, "ticket_final", "已结束", "has already ended")
	}
	t.State, t.FinishedAt = TicketExpired, now
	t.step(now, "expired", "day_close")
	return nil
}
