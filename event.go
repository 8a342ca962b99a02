package hall

import (
	"strconv"
	"time"
)

// EventType names what happened.
type EventType string

// Event types. Append only: screens, counters and the backend depend on them.
const (
	EventTicketIssued      EventType = "ticket.issued"
	EventTicketCalled      EventType = "ticket.called"
	EventTicketRecalled    EventType = "ticket.recalled"
	EventTicketStarted     EventType = "ticket.started"
	EventTicketFinished    EventType = "ticket.finished"
	EventTicketNoShow      EventType = "ticket.noshow"
	EventTicketRequeued    EventType = "ticket.requeued"
	EventTicketTransferred EventType = "ticket.transferred"
	// EventTicketContinued carries the new waiting ticket that continues a transferred one.
	EventTicketContinued   EventType = "ticket.continued"
	EventTicketHeld        EventType = "ticket.held"
	EventTicketResumed     EventType = "ticket.resumed"
	EventTicketCancelled   EventType = "ticket.cancelled"
	EventTicketExpired     EventType = "ticket.expired"
	EventCounterLogin      EventType = "counter.login"
	EventCounterLogout     EventType = "counter.logout"
	EventCounterPaused     EventType = "counter.paused"
	EventCounterUnpaused   EventType = "counter.unpaused"
	EventDayClosed         EventType = "day.closed"
	EventCatalogChanged    EventType = "catalog.changed"
	EventAppointmentBooked EventType = "appointment.booked"
	EventAppointmentCancel EventType = "appointment.cancelled"
	EventAppointmentIn     EventType = "appointment.checked_in"
	// EventRatingRecorded carries a visitor's rating (Rating) of a ticket's service, or the
	// record that the visitor did not rate.
	EventRatingRecorded EventType = "rating.recorded"
)

// Event is one entry of the hall's event log: the audit trail, the live feed of screens and
// counters, the source of statistics and the backend's outbox cursor. Seq is gap-free and
// increasing across the whole hall; it is assigned in the same transaction as the change.
// Events carry public copies only (masked names, no tokens, no ID hashes).
type Event struct {
	Seq    uint64    `json:"seq"`
	Type   EventType `json:"type"`
	At     time.Time `json:"at"`
	Day    Day       `json:"day"`
	AreaID string    `json:"areaId,omitempty"`
	// ServiceID, CounterID and StaffID say who and what, for statistics and the audit log.
	ServiceID string `json:"serviceId,omitempty"`
	CounterID string `json:"counterId,omitempty"`
	StaffID   string `json:"staffId,omitempty"`
	// Ticket is the ticket after the change; Counter the counter after the change.
	Ticket      *Ticket      `json:"ticket,omitempty"`
	Counter     *Counter     `json:"counter,omitempty"`
	Appointment *Appointment `json:"appointment,omitempty"`
	// Rating is set on rating.recorded.
	Rating *Rating `json:"rating,omitempty"`
	// Case is set on case.* events, Licence on licence.* events (public copies).
	Case    *Case    `json:"case,omitempty"`
	Licence *Licence `json:"licence,omitempty"`
	// Health is set on device.health: the component report.
	Health *DeviceHealth `json:"health,omitempty"`
	// Call is set on ticket.called and ticket.recalled: what screens show and announce.
	Call *Call `json:"call,omitempty"`
	// Note carries a free detail: a pause reason, the requeue places, the catalog kind changed.
	Note string `json:"note,omitempty"`
}

// Prompt reports whether people in the hall wait to see or hear this event the moment it
// happens: a call or a recall, which screens show and announce, and a counter opening or
// closing to visitors. The live feed sends these at once and lets others wait a moment to
// share a write with them.
func (e Event) Prompt() bool {
	switch e.Type {
	case EventTicketCalled, EventTicketRecalled, EventCounterPaused, EventCounterUnpaused:
		return true
	}
	return false
}

// TicketEvent builds an event about t (made public) at counter c (may be nil).
func TicketEvent(typ EventType, t Ticket, c *Counter, at time.Time, note string) Event {
	pub := t.Public()
	e := Event{Type: typ, At: at, Day: t.Day, AreaID: t.AreaID, ServiceID: t.ServiceID, Ticket: &pub, Note: note}
	if c != nil {
		cc := c.Public()
		e.Counter, e.CounterID, e.StaffID = &cc, c.ID, c.StaffID
	}
	return e
}

// Call is one announcement of a ticket at a counter: what the hall screens show large, what the
// window sign shows and what the voice says ("请 A012 号 到 3 号窗口 办理").
type Call struct {
	TicketID      string `json:"ticketId"`
	Code          string `json:"code"`
	ServiceID     string `json:"serviceId"`
	AreaID        string `json:"areaId"`
	CounterID     string `json:"counterId"`
	CounterNumber int    `json:"counterNumber"`
	// SignGroup and Position name the shared sign and this counter's place under it (一屏双号双呼);
	// the announcement names the position when set.
	SignGroup string    `json:"signGroup,omitempty"`
	Position  string    `json:"position,omitempty"`
	StaffID   string    `json:"staffId,omitempty"`
	At        time.Time `json:"at"`
	// Attempt is 1 for the first call and counts up with each recall (重呼).
	Attempt int `json:"attempt"`
	// Silent calls (静默叫号) are shown and sent by SMS but not spoken.
	Silent bool `json:"silent,omitempty"`
}

// Announcement is the Chinese sentence a call speaks, e.g. "请 A012 号 到 3 号窗口 办理" or, for
// a position under a shared sign, "请 A012 号 到 3 号窗口 左 办理".
func (c Call) Announcement() string {
	where := strconv.Itoa(c.CounterNumber) + " 号窗口"
	if c.Position != "" {
		where += " " + c.Position
	}
	return "请 " + c.Code + " 号 到 " + where + " 办理"
}

// CallEvent builds a ticket.called or ticket.recalled event carrying the Call.
func CallEvent(typ EventType, t Ticket, c *Counter, at time.Time, note string) Event {
	e := TicketEvent(typ, t, c, at, note)
	e.Call = &Call{
		TicketID: t.ID, Code: t.Code, ServiceID: t.ServiceID, AreaID: t.AreaID, CounterID: c.ID, CounterNumber: c.Number,
		SignGroup: c.SignGroup, Position: c.Position, StaffID: c.StaffID, At: at, Attempt: t.Calls, Silent: t.Silent,
	}
	return e
}

// CounterEvent builds an event about counter c.
func CounterEvent(typ EventType, c Counter, day Day, at time.Time, note string) Event {
	cc := c.Public()
	return Event{Type: typ, At: at, Day: day, AreaID: c.AreaID, CounterID: c.ID, StaffID: c.StaffID, Counter: &cc, Note: note}
}

// Public returns the counter without its calling-rule memory.
func (c Counter) Public() Counter {
	c.RuleState = RuleState{}
	return c
}
