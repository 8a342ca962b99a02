// Package hub is Hall's in-memory event fan-out: the store hands it the events of each commit
// (Publish), it encodes every event ONCE into a frame, and hands that frame to every subscriber.
//
// # Concurrency
//
// One owner goroutine (started by New, stopped by Close) orders everything. Publish, Attach and
// detach only append an operation to an ordered queue under a short mutex and wake it, so
// Publish never waits for a subscriber: it is safe to call from the store's writer goroutine.
// The owner encodes each event and passes the frames on to a few delivery workers (Options.
// Workers); each worker owns a share of the subscribers and hands every one of them the frames
// that arrived since its last round, in one Deliver call. A subscriber is a Sink: on a hall
// screen's websocket, Deliver writes straight into the socket without waiting, so an event
// reaches a thousand screens without waking a goroutine per screen.
//
// Because attachments and publications go through the same ordered queues, a sink receives
// exactly the frames of the events published after its Attach returned — the property the
// websocket handler relies on to hand over from log replay to live events without a gap.
// Frames are delivered in publication (sequence) order.
//
// A sink that cannot keep up says so (Deliver returns false) and is dropped: it is detached and
// must reconnect and resync from the event log. Subscribe wraps a bounded channel in a sink for
// in-process subscribers.
package hub

import (
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"hall"
)

// Sink is one subscriber. The hub calls it on one of its delivery workers, never on two at once.
type Sink[F any] interface {
	// Deliver takes the frames published since the previous call, in order. It must not block
	// (it runs on a worker shared with other subscribers) and must not keep the slice. Returning
	// false drops the subscriber: the hub detaches it.
	Deliver(frames []F) bool
	// Detached is called exactly once when the hub lets go of the sink — it was dropped, its
	// detach function was called, or the hub closed — after its last Deliver.
	Detached()
}

// Options tune a hub. The zero value is usable.
type Options struct {
	// Workers is how many delivery workers share the subscribers (default 1). One worker
	// leaves the rest of the machine's cores to the requests that make the events; more
	// workers shorten a fan-out on a machine with cores to spare.
	Workers int
	// Linger is how long the frame of an event that is not prompt (hall.Event.Prompt) may wait
	// to share a write with the frames after it (default 0: no waiting). A prompt event goes
	// out at once and takes everything waiting with it, in order; so a call, coming after a
	// finish, costs each screen one write instead of two.
	Linger time.Duration
	// Logger receives encoding errors; nil is slog.Default().
	Logger *slog.Logger
}

// maxLingering bounds how many frames wait for company before they are delivered anyway.
const maxLingering = 256

// Hub fans out encoded events of frame type F. Create it with New; Close it to stop its goroutines.
type Hub[F any] struct {
	encode func(hall.Event) (F, error)
	log    *slog.Logger

	// mu guards queue and closed.
	mu     sync.Mutex
	queue  []op[F]
	closed bool

	wake    chan struct{} // capacity 1: "the queue is not empty"
	stopped chan struct{}
	workers []*worker[F]

	subscribers atomic.Int64
	lastSeq     atomic.Uint64
	dropped     atomic.Uint64
	published   atomic.Uint64
}

// op is one queued operation: a batch of events, a new sink, or a leaving one.
type op[F any] struct {
	events []hall.Event
	attach *member[F]
	leave  *member[F]
}

// member is an attached sink with the worker it belongs to.
type member[F any] struct {
	sink   Sink[F]
	worker int
	gone   bool // worker-owned: detached already
}

// New starts a hub that encodes each event with encode (called once per event, on the hub's
// owner goroutine; an event that fails to encode is logged and skipped).
func New[F any](encode func(hall.Event) (F, error), opt Options) *Hub[F] {
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	h := &Hub[F]{encode: encode, log: opt.Logger, wake: make(chan struct{}, 1), stopped: make(chan struct{})}
	for range max(opt.Workers, 1) {
		w := &worker[F]{hub: h, linger: opt.Linger, wake: make(chan struct{}, 1), stopped: make(chan struct{})}
		h.workers = append(h.workers, w)
		go w.run()
	}
	go h.run()
	return h
}

// Publish queues events (in sequence order) for every subscriber and returns at once. It never
// blocks on subscribers; after Close it does nothing. It is bolt.Options.Publish.
func (h *Hub[F]) Publish(events []hall.Event) {
	if len(events) == 0 {
		return
	}
	h.push(op[F]{events: events})
}

// push appends o to the queue and wakes the owner goroutine. It reports false after Close.
func (h *Hub[F]) push(o op[F]) bool {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return false
	}
	h.queue = append(h.queue, o)
	h.mu.Unlock()
	signal(h.wake)
	return true
}

// signal wakes the goroutine waiting on c (capacity 1) without blocking.
func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// Attach adds sink: it gets every frame published after Attach returns, in order, until it is
// dropped, detach is called (idempotent) or the hub closes; then its Detached is called. After
// Close, Detached is called at once.
func (h *Hub[F]) Attach(sink Sink[F]) (detach func()) {
	m := &member[F]{sink: sink}
	h.subscribers.Add(1) // counted at once, so that whoever has attached sees it counted
	if !h.push(op[F]{attach: m}) {
		h.subscribers.Add(-1)
		sink.Detached()
		return func() {}
	}
	var once sync.Once
	return func() { once.Do(func() { h.push(op[F]{leave: m}) }) }
}

// Subscribe attaches a bounded channel with room for buffer frames (at least 1) and returns it
// with a function that ends the subscription (idempotent). The channel receives every frame
// published after Subscribe returns, in order, until the subscriber falls buffer frames behind
// and is dropped, it unsubscribes, or the hub closes; then the channel is closed.
func (h *Hub[F]) Subscribe(buffer int) (<-chan F, func()) {
	c := chanSink[F](make(chan F, max(buffer, 1)))
	return c, h.Attach(c)
}

// chanSink is a Sink that puts frames into a channel without waiting.
type chanSink[F any] chan F

func (c chanSink[F]) Deliver(frames []F) bool {
	for _, f := range frames {
		select {
		case c <- f:
		default:
			return false
		}
	}
	return true
}

func (c chanSink[F]) Detached() { close(c) }

// Subscribers is how many subscribers are attached (for metrics).
func (h *Hub[F]) Subscribers() int { return int(h.subscribers.Load()) }

// LastSeq is the sequence number of the newest event published (0 before the first).
func (h *Hub[F]) LastSeq() uint64 { return h.lastSeq.Load() }

// Dropped counts subscribers dropped for falling behind.
func (h *Hub[F]) Dropped() uint64 { return h.dropped.Load() }

// Close stops the hub's goroutines and detaches every sink. Operations queued before Close are
// still carried out. It is idempotent.
func (h *Hub[F]) Close() {
	h.mu.Lock()
	already := h.closed
	h.closed = true
	h.mu.Unlock()
	if !already {
		signal(h.wake)
	}
	<-h.stopped
	for _, w := range h.workers {
		<-w.stopped
	}
}

// run is the owner goroutine: it encodes events and routes every operation to the workers, in
// the order the operations were queued.
func (h *Hub[F]) run() {
	defer close(h.stopped)
	load := make([]int, len(h.workers)) // attached sinks per worker
	var batch []op[F]
	for range h.wake {
		h.mu.Lock()
		batch, h.queue = h.queue, batch[:0]
		closed := h.closed
		h.mu.Unlock()
		for i := range batch {
			h.route(batch[i], load)
			batch[i] = op[F]{}
		}
		if closed {
			for _, w := range h.workers {
				w.push(work[F]{close: true})
			}
			return
		}
	}
}

// route hands one operation to the workers: a sink to the least loaded worker, frames to all.
func (h *Hub[F]) route(o op[F], load []int) {
	switch {
	case o.attach != nil:
		w := 0
		for i := range load {
			if load[i] < load[w] {
				w = i
			}
		}
		load[w]++
		o.attach.worker = w
		h.workers[w].push(work[F]{attach: o.attach})
	case o.leave != nil:
		load[o.leave.worker]--
		h.workers[o.leave.worker].push(work[F]{leave: o.leave})
	default:
		frames := make([]F, 0, len(o.events))
		prompt := false
		for _, e := range o.events {
			f, err := h.encode(e)
			if err != nil {
				h.log.Error("hub: encode event", "seq", e.Seq, "err", err)
				continue
			}
			frames = append(frames, f)
			prompt = prompt || e.Prompt()
			// Counted before the fan-out, so that whoever has received the frame sees it counted.
			h.lastSeq.Store(e.Seq)
			h.published.Add(1)
		}
		if len(frames) == 0 {
			return
		}
		for i, w := range h.workers {
			if load[i] > 0 { // a worker without subscribers is not woken for nothing
				w.push(work[F]{frames: frames, prompt: prompt})
			}
		}
	}
}

// worker delivers frames to its share of the sinks.
type worker[F any] struct {
	hub     *Hub[F]
	linger  time.Duration
	wake    chan struct{}
	stopped chan struct{}

	// mu guards queue.
	mu    sync.Mutex
	queue []work[F]
}

// work is one item for a worker: frames (shared, read-only; prompt when one of their events
// is), a sink arriving or leaving, or the end.
type work[F any] struct {
	frames []F
	prompt bool
	attach *member[F]
	leave  *member[F]
	close  bool
}

func (w *worker[F]) push(x work[F]) {
	w.mu.Lock()
	w.queue = append(w.queue, x)
	w.mu.Unlock()
	signal(w.wake)
}

// run takes everything queued at each wake-up and delivers the frames that arrived together in
// one Deliver per sink: a burst of events costs one write per screen, not one per event. Frames
// of events that are not prompt wait up to linger for company.
func (w *worker[F]) run() {
	defer close(w.stopped)
	var sinks []*member[F]
	var batch []work[F]
	var pending []F
	lingering := time.NewTimer(time.Hour)
	lingering.Stop()
	var due <-chan time.Time // lingering.C while frames wait for company
	flush := func() {
		if due != nil {
			lingering.Stop()
			due = nil
		}
		if len(pending) == 0 {
			return
		}
		kept := sinks[:0]
		for _, m := range sinks {
			if m.sink.Deliver(pending) {
				kept = append(kept, m)
				continue
			}
			w.hub.dropped.Add(1)
			w.detach(m)
		}
		clear(sinks[len(kept):])
		sinks = kept
		clear(pending)
		pending = pending[:0]
	}
	for {
		select {
		case <-w.wake:
		case <-due:
			due = nil
			flush()
			continue
		}
		w.mu.Lock()
		batch, w.queue = w.queue, batch[:0]
		w.mu.Unlock()
		prompt := w.linger <= 0
		for i, x := range batch {
			batch[i] = work[F]{}
			switch {
			case x.frames != nil:
				pending = append(pending, x.frames...)
				prompt = prompt || x.prompt
			case x.attach != nil:
				flush() // the frames before it are not the new sink's
				sinks = append(sinks, x.attach)
			case x.leave != nil:
				flush()
				if i := indexOf(sinks, x.leave); i >= 0 {
					sinks = append(sinks[:i], sinks[i+1:]...)
				}
				w.detach(x.leave)
			case x.close:
				flush()
				for _, m := range sinks {
					w.detach(m)
				}
				return
			}
		}
		switch {
		case prompt || len(pending) >= maxLingering:
			flush()
		case len(pending) > 0 && due == nil:
			lingering.Reset(w.linger)
			due = lingering.C
		}
	}
}

// detach lets go of m once.
func (w *worker[F]) detach(m *member[F]) {
	if m.gone {
		return
	}
	m.gone = true
	w.hub.subscribers.Add(-1)
	m.sink.Detached()
}

func indexOf[F any](sinks []*member[F], m *member[F]) int {
	for i, s := range sinks {
		if s == m {
			return i
		}
	}
	return -1
}
