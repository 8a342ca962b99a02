// Package bolt is Hall's durable store on go.etcd.io/bbolt: the catalog, the queue, bookings and
// the event log in one file, implementing hall.Queue, hall.QueueReader, hall.Catalog,
// hall.Appointments and hall.Events.
//
// # Transactions and group commit
//
// Every workflow step (issue a ticket, call next, …) is one function run inside a bbolt write
// transaction, together with the events it appends to the log, whose sequence numbers are gap-free
// because they are assigned in the same transaction. A single writer goroutine owns all writes: it
// takes every step that is waiting, runs them one after another in ONE transaction and commits them
// with one fsync (group commit). Unlike bbolt's Batch there is no timer: a lone caller is committed
// at once, and under load the batch is simply whatever queued up during the previous fsync. A step
// that fails validates before it writes, so it leaves the shared transaction untouched; a step that
// fails after writing poisons the batch, which is then rolled back and re-run one step per
// transaction. Nothing is acknowledged, and no event published, before its commit.
//
// # Concurrency
//
// The writer goroutine owns the queue state: there is no mutex around it. Reads run in their own
// read-only transactions on any goroutine and copy values out before they end. Options.Publish is
// called by the writer after each commit, in sequence order, and must not block. Session answers
// are cached behind a mutex; the writer empties that cache after any commit that writes a session,
// a staff member or a device, before it answers the step, so a revocation takes effect at once.
//
// # Layout
//
// Buckets and keys are described in schema.go; the schema version and its migrations live there too.
package bolt
