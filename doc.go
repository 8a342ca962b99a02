// Package hall is the domain of Hall, the queue, kiosk and counter system for government service
// halls (政务服务大厅智能排队叫号系统).
//
// It owns the nouns of a hall — Hall, Area, Service, Counter, Staff, Ticket, Appointment, Event —
// their states and legal transitions, the pure calling rule that decides which ticket a counter
// calls next (PickNext), the issuing rules (CheckIssue, ValidateIDNumber), the estimated wait, and
// the role interfaces (Queue, Catalog, Events) that the store implements and the API consumes.
//
// Every operation that is refused returns an *Error with a stable Code (part of the wire protocol)
// and messages in Chinese and English; a refused operation changes nothing.
//
// Concurrency: the types here are plain values with no internal locking. Whoever holds a value
// owns it; the store owns the durable queue state and serialises every change through its writer.
//
// The package imports the standard library only (see deps_test.go).
package hall
