package hall

import (
	"context"
	"time"
)

// TransferTarget is where a transferred ticket goes: another service, one counter, or both.
type TransferTarget struct {
	ServiceID string `json:"serviceId,omitempty"`
	CounterID string `json:"counterId,omitempty"`
}

// TicketStatus is a ticket with its live place in line.
type TicketStatus struct {
	Ticket Ticket `json:"ticket"`
	// Ahead counts waiting tickets that the calling rule would, as things stand, call first in the
	// ticket's service (an estimate: priority and appointments can still go ahead).
	Ahead         int           `json:"ahead"`
	EstimatedWait time.Duration `json:"estimatedWait"`
}

// DayCloseReport says what a day close did.
type DayCloseReport struct {
	Day        Day `json:"day"`
	Expired    int `json:"expired"`
	LoggedOut  int `json:"loggedOut"`
	Cancelled  int `json:"appointmentsExpired"`
	AlreadyRan bool
}

// Queue is the hall's queue: issuing tickets and every counter operation. Each method is one
// durable step: when it returns nil the change and its events are on disk; when it returns an
// error nothing changed. Errors are *Error with the codes documented on each transition
// (ENOTFOUND for unknown ids, ECONFLICT for illegal moves, EINVALID for bad input, EUNAVAILABLE
// when the service cannot be taken).
type Queue interface {
	IssueTicket(ctx context.Context, r IssueRequest) (Ticket, error)
	CancelTicket(ctx context.Context, ticketID string) (Ticket, error)

	Login(ctx context.Context, counterID, staffID string) (Counter, error)
	Logout(ctx context.Context, counterID string) (Counter, error)
	// CallNext calls the ticket the counter's rule picks; ENOTFOUND/"queue_empty" when nobody waits.
	CallNext(ctx context.Context, counterID string, silent bool) (Ticket, error)
	// CallTicket calls one chosen waiting ticket (指定叫号); the choice is logged.
	CallTicket(ctx context.Context, counterID, ticketID string, silent bool) (Ticket, error)
	Recall(ctx context.Context, counterID string) (Ticket, error)
	Start(ctx context.Context, counterID string) (Ticket, error)
	// NoShow marks the called ticket missed; with requeuePlaces > 0 it goes back that many places.
	NoShow(ctx context.Context, counterID string, requeuePlaces int) (Ticket, error)
	// Transfer ends the counter's ticket as transferred and returns the new waiting ticket.
	Transfer(ctx context.Context, counterID string, to TransferTarget) (Ticket, error)
	Hold(ctx context.Context, counterID, reason string) (Ticket, error)
	Resume(ctx context.Context, counterID, ticketID string) (Ticket, error)
	Pause(ctx context.Context, counterID, reason string) (Counter, error)
	Unpause(ctx context.Context, counterID string) (Counter, error)
	Finish(ctx context.Context, counterID string) (Ticket, error)
	// VirtualCall serves a visitor without a ticket (虚拟叫号): a ticket is made, called and started at once.
	VirtualCall(ctx context.Context, counterID, serviceID string) (Ticket, error)
	// CloseDay expires live tickets and bookings of days up to and including day, and logs out
	// every counter. Running it twice for the same day changes nothing the second time.
	CloseDay(ctx context.Context, day Day) (DayCloseReport, error)
}

// QueueReader answers questions about the queue without changing it.
type QueueReader interface {
	Ticket(ctx context.Context, ticketID string) (Ticket, error)
	TicketStatus(ctx context.Context, ticketID string) (TicketStatus, error)
	Availability(ctx context.Context) ([]Availability, error)
	Counter(ctx context.Context, counterID string) (Counter, error)
	// TicketByToken finds the ticket a mobile page's token opens (the newest of a transfer chain).
	TicketByToken(ctx context.Context, token string) (Ticket, error)
	// TicketByCode finds the newest ticket with a code ("A012") on a day.
	TicketByCode(ctx context.Context, day Day, code string) (Ticket, error)
	// HeldTickets lists the tickets a counter has on hold.
	HeldTickets(ctx context.Context, counterID string) ([]Ticket, error)
}

// Catalog is the hall's configuration: hall, areas, services, counters and staff.
type Catalog interface {
	Hall(ctx context.Context) (Hall, error)
	SetHall(ctx context.Context, h Hall) error
	Areas(ctx context.Context) ([]Area, error)
	PutArea(ctx context.Context, a Area) error
	DeleteArea(ctx context.Context, id string) error
	Services(ctx context.Context) ([]Service, error)
	Service(ctx context.Context, id string) (Service, error)
	PutService(ctx context.Context, s Service) error
	DeleteService(ctx context.Context, id string) error
	Counters(ctx context.Context) ([]Counter, error)
	// PutCounter creates or reconfigures a counter; its live state is kept.
	PutCounter(ctx context.Context, c Counter) error
	DeleteCounter(ctx context.Context, id string) error
	StaffList(ctx context.Context) ([]Staff, error)
	Staff(ctx context.Context, id string) (Staff, error)
	PutStaff(ctx context.Context, s Staff) error
	DeleteStaff(ctx context.Context, id string) error
}

// Appointments books, cancels and finds bookings; check-in goes through Queue.IssueTicket with
// the appointment channel.
type Appointments interface {
	Book(ctx context.Context, r BookingRequest) (Appointment, error)
	CancelAppointment(ctx context.Context, code string) (Appointment, error)
	AppointmentByCode(ctx context.Context, code string) (Appointment, error)
	// Slots lists a service's slots on a day with their bookings and whether each can be booked.
	Slots(ctx context.Context, serviceID string, day Day) ([]SlotAvailability, error)
}

// Events reads the event log.
type Events interface {
	// EventsSince returns up to limit events with Seq > since, in order.
	EventsSince(ctx context.Context, since uint64, limit int) ([]Event, error)
	// LastSeq is the sequence number of the newest event (0 when the log is empty).
	LastSeq(ctx context.Context) (uint64, error)
}

type idempotencyKey struct{}

// WithIdempotencyKey marks ctx so that the step run with it acts at most once: a retry with the
// same key gets the first success's result again without acting twice. Keys should be unique per
// caller (the API prefixes the device or staff identity). A failed step stores nothing, so a retry
// after a failure runs afresh (the failure changed nothing).
func WithIdempotencyKey(ctx context.Context, key string) context.Context {
	if key == "" {
		return ctx
	}
	return context.WithValue(ctx, idempotencyKey{}, key)
}

// IdempotencyKey returns the key set by WithIdempotencyKey, or "".
func IdempotencyKey(ctx context.Context) string {
	k, _ := ctx.Value(idempotencyKey{}).(string)
	return k
}
