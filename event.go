package hall

import "time"

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
	// Note carries a free detail: a pause reason, the requeue places, the catalog kind changed.
	Note string `json:"note,omitempty"`
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
