package hall

import "context"

// MaxWaitingList caps the waiting list a counter terminal is sent.
const MaxWaitingList = 500

// Desk answers what a counter terminal shows beside its current ticket: the waiting list of its
// services and the clerk's figures of the day. Both are read from the store, never kept by the
// terminal.
type Desk interface {
	// WaitingFor lists the tickets counter counterID could call, at most limit (≤ 0 or above
	// MaxWaitingList means MaxWaitingList): first those transferred to this counter, then per
	// class (priority, appointment, normal) in queue order. ENOTFOUND for an unknown counter.
	WaitingFor(ctx context.Context, counterID string, limit int) ([]Ticket, error)
	// CounterFigures returns the figures of staffID at counterID on day. Unknown ids give zero
	// figures.
	CounterFigures(ctx context.Context, day Day, counterID, staffID string) (CounterFigures, error)
}
