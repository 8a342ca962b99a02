// Package backend syncs the hall with the province/city platform (一窗受理系统, 好差评系统).
//
// Outbound, an Outbox follows the hall's event log from a durable cursor and hands the events
// it selects (cases, ratings, licence handovers) to a Deliverer in log order; Platform is the
// Deliverer that POSTs them as signed JSON batches to the platform (SCHEMA.md). Delivery is at
// least once: the cursor moves only after the platform answered 2xx, and every delivery carries
// an idempotency key derived from the hall id and the event's sequence number, so the receiver
// drops repeats. Log order is kept, so the events of one case arrive in order. Failures are
// retried with exponential back-off and jitter, for as long as it takes; the cursor lives in
// the store, so restarts resume where delivery stopped.
//
// Inbound, Inbound is the handler where the platform posts "licence ready" notices, signed
// with the same shared secret (openapi.json).
//
// Receiver is a reference platform for tests and demos (cmd/platformsim): it checks
// signatures, stores what it receives, drops repeated idempotency keys, checks per-case order,
// and can be told to fail, time out or answer slowly.
//
// Concurrency: an Outbox runs one goroutine (Run) that owns its cursor and retry state; Status
// and Kick may be called from any goroutine. Inbound and Receiver are http.Handlers safe for
// concurrent use.
package backend
