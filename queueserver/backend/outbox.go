package backend

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"hall"
)

// Log is the event log an outbox follows (the store implements it).
type Log interface {
	EventsSince(ctx context.Context, since uint64, limit int) ([]hall.Event, error)
	LastSeq(ctx context.Context) (uint64, error)
}

// Cursors keeps each outbox's position durably (the store implements it). SetOutboxCursor
// never moves a cursor back.
type Cursors interface {
	OutboxCursor(ctx context.Context, name string) (uint64, error)
	SetOutboxCursor(ctx context.Context, name string, seq uint64) error
}

// Deliverer hands a batch of selected events, in log order, to the outside world. It returns
// nil only when every event of the batch was accepted; any error means "try the same events
// again later". A RetryAfter error asks for a minimum wait.
type Deliverer interface {
	Deliver(ctx context.Context, events []hall.Event) error
}

// RetryAfterError is a delivery failure that says when to try again (HTTP Retry-After).
type RetryAfterError struct {
	Err   error
	After time.Duration
}

func (e *RetryAfterError) Error() string { return e.Err.Error() }
func (e *RetryAfterError) Unwrap() error { return e.Err }

// OutboxOptions configure an Outbox. Name, Log, Cursors, Select and Deliverer are required.
type OutboxOptions struct {
	// Name identifies the cursor ("platform", "sms").
	Name      string
	Log       Log
	Cursors   Cursors
	Select    func(hall.Event) bool
	Deliverer Deliverer
	// Batch is the most events per delivery (default 50).
	Batch int
	// MinBackoff and MaxBackoff bound the wait after a failure (default 500 ms and 5 min); it
	// doubles with each consecutive failure, with jitter (a random wait between half and all of it).
	MinBackoff, MaxBackoff time.Duration
	// Poll is how often the log is read when nothing kicks the outbox (default 5 s).
	Poll   time.Duration
	Logger *slog.Logger
	// Now is the clock of the status (default time.Now).
	Now func() time.Time
}

// Outbox delivers the selected events of the log, in order, at least once. Run owns the
// delivery; Kick and Status may be called from any goroutine.
type Outbox struct {
	opt  OutboxOptions
	kick chan struct{}

	// mu guards st.
	mu sync.Mutex
	st hall.OutboxStatus
}

// NewOutbox returns an outbox; call Run to start delivering.
func NewOutbox(opt OutboxOptions) *Outbox {
	if opt.Batch <= 0 {
		opt.Batch = 50
	}
	if opt.MinBackoff <= 0 {
		opt.MinBackoff = 500 * time.Millisecond
	}
	if opt.MaxBackoff < opt.MinBackoff {
		opt.MaxBackoff = max(5*time.Minute, opt.MinBackoff)
	}
	if opt.Poll <= 0 {
		opt.Poll = 5 * time.Second
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	return &Outbox{opt: opt, kick: make(chan struct{}, 1), st: hall.OutboxStatus{Name: opt.Name}}
}

// Kick tells the outbox that new events were committed. It never blocks.
func (o *Outbox) Kick() {
	select {
	case o.kick <- struct{}{}:
	default:
	}
}

// pageSize is how many events are read from the log at a time.
const pageSize = 1000

// Run delivers until ctx ends. It returns ctx's error, or an error if the cursor cannot be read.
func (o *Outbox) Run(ctx context.Context) error {
	cursor, err := o.opt.Cursors.OutboxCursor(ctx, o.opt.Name)
	if err != nil {
		return err
	}
	o.update(func(st *hall.OutboxStatus) { st.Cursor = cursor; st.Running = true })
	defer o.update(func(st *hall.OutboxStatus) { st.Running = false })
	for {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		evs, err := o.opt.Log.EventsSince(ctx, cursor, pageSize)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			o.opt.Logger.Error("backend: read the event log", "outbox", o.opt.Name, "err", err)
			if !o.wait(ctx, o.opt.Poll) {
				return ctx.Err()
			}
			continue
		}
		batch, through := o.take(evs)
		if len(batch) > 0 {
			if !o.deliver(ctx, batch) {
				return ctx.Err()
			}
		}
		if through > cursor {
			if err := o.opt.Cursors.SetOutboxCursor(ctx, o.opt.Name, through); err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				// Delivered but not recorded: the batch goes again later, and the receiver drops it.
				o.opt.Logger.Error("backend: save the cursor", "outbox", o.opt.Name, "err", err)
				if !o.wait(ctx, o.opt.Poll) {
					return ctx.Err()
				}
				continue
			}
			cursor = through
			o.update(func(st *hall.OutboxStatus) { st.Cursor = cursor })
		}
		if len(evs) < pageSize && len(batch) == 0 {
			if !o.wait(ctx, o.opt.Poll) {
				return ctx.Err()
			}
		}
	}
}

// take picks up to Batch selected events from the page, and the seq the cursor may move to
// once they are delivered: the last event of the batch, or the whole page when the batch is
// not full (unselected events need no delivery).
func (o *Outbox) take(evs []hall.Event) ([]hall.Event, uint64) {
	var batch []hall.Event
	var through uint64
	for _, e := range evs {
		if o.opt.Select(e) {
			if len(batch) == o.opt.Batch {
				return batch, through
			}
			batch = append(batch, e)
		}
		through = e.Seq
	}
	return batch, through
}

// deliver tries batch until it is accepted; false when ctx ended first.
func (o *Outbox) deliver(ctx context.Context, batch []hall.Event) bool {
	for attempt := 1; ; attempt++ {
		err := o.opt.Deliverer.Deliver(ctx, batch)
		now := o.opt.Now()
		if err == nil {
			o.update(func(st *hall.OutboxStatus) {
				st.Delivered += uint64(len(batch))
				st.LastDeliveredSeq = batch[len(batch)-1].Seq
				st.LastSuccessAt = now
				st.Failing = false
				st.Attempts = 0
				st.NextAttemptAt = time.Time{}
			})
			return true
		}
		if ctx.Err() != nil {
			return false
		}
		d := o.backoff(attempt)
		var ra *RetryAfterError
		if errors.As(err, &ra) && ra.After > d {
			d = min(ra.After, o.opt.MaxBackoff)
		}
		o.update(func(st *hall.OutboxStatus) {
			st.Failures++
			st.Failing = true
			st.Attempts = attempt
			st.LastError = err.Error()
			st.LastErrorAt = now
			st.NextAttemptAt = now.Add(d)
		})
		o.opt.Logger.Warn("backend: delivery failed", "outbox", o.opt.Name, "first", batch[0].Seq, "count", len(batch), "attempt", attempt, "retryIn", d.String(), "err", err)
		if !sleep(ctx, d) {
			return false
		}
	}
}

// backoff is the wait after the attempt-th consecutive failure: MinBackoff doubled per
// failure, capped at MaxBackoff, then a random point between half and all of it.
func (o *Outbox) backoff(attempt int) time.Duration {
	d := o.opt.MinBackoff
	for i := 1; i < attempt && d < o.opt.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, o.opt.MaxBackoff)
	return d/2 + rand.N(d/2+1)
}

// wait waits for a kick, the poll interval or the end of ctx (false).
func (o *Outbox) wait(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-o.kick:
		return true
	case <-t.C:
		return true
	}
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

func (o *Outbox) update(f func(*hall.OutboxStatus)) {
	o.mu.Lock()
	f(&o.st)
	o.mu.Unlock()
}

// maxBacklogScan bounds how many log events Status reads to count the backlog.
const maxBacklogScan = 20000

// Status reports the outbox: cursor, backlog (selected events not yet delivered, counted up to
// maxBacklogScan log events ahead; BacklogCapped says the count stopped there), totals and the
// last error.
func (o *Outbox) Status(ctx context.Context) (hall.OutboxStatus, error) {
	o.mu.Lock()
	st := o.st
	o.mu.Unlock()
	if !st.Running {
		c, err := o.opt.Cursors.OutboxCursor(ctx, o.opt.Name)
		if err != nil {
			return st, err
		}
		st.Cursor = c
	}
	last, err := o.opt.Log.LastSeq(ctx)
	if err != nil {
		return st, err
	}
	st.LastSeq = last
	since := st.Cursor
	for scanned := 0; since < last; {
		if scanned >= maxBacklogScan {
			st.BacklogCapped = true
			break
		}
		evs, err := o.opt.Log.EventsSince(ctx, since, pageSize)
		if err != nil {
			return st, err
		}
		if len(evs) == 0 {
			break
		}
		for _, e := range evs {
			if o.opt.Select(e) {
				st.Backlog++
			}
		}
		scanned += len(evs)
		since = evs[len(evs)-1].Seq
	}
	return st, nil
}
