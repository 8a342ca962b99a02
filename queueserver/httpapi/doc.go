// Package httpapi is Hall's wire protocol: the HTTP JSON API under /api/v1 with its websocket
// event feed (Server), and the Go client the kiosk and counter apps use (Client). Both sides share
// one set of wire types (wire.go) and the one table between domain error codes and HTTP statuses
// (errors.go), so they cannot drift; openapi.json describes every route and a test keeps the two
// in step.
//
// The package sees only the domain's interfaces (hall.Queue, hall.QueueReader, hall.Catalog,
// hall.Appointments, hall.Events, hall.Auth) and a Feed of pre-encoded frames; never the store or
// the hub. Access is denied by default: every route lists the roles it admits (admin, supervisor,
// clerk, kiosk, screen, counter, public) and a clerk acts only on the counter they are logged in
// to. Errors reach people as {code, reason, message}, Chinese unless Accept-Language asks for
// English; internal details go to the log only.
//
// Concurrency: Server is safe for concurrent use. Each websocket subscriber has one reader
// goroutine (pongs move the read deadline; the peer's pings are handed to the writer; it notices the
// peer leaving) and one writer, the only goroutine that writes to the connection (log replay, then
// live frames, pings and pong answers); a subscriber that
// falls behind is dropped by the feed and told to reconnect with the last sequence it saw, so a
// publisher never waits. Close ends every subscription and waits for their goroutines. Client is
// safe for concurrent use; a Subscription reconnects with back-off and resumes after the last
// sequence number it delivered.
package httpapi
