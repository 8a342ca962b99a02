// Package hub is Hall's in-memory event fan-out: the store hands it the events of each commit
// (Publish), it encodes every event ONCE into a frame, and copies that frame to every subscriber.
//
// # Concurrency
//
// One goroutine (started by New, stopped by Close) owns the subscriber set. Publish, Subscribe
// and unsubscribe only append an operation to an ordered queue under a short mutex and wake that
// goroutine, so Publish never waits for a subscriber: it is safe to call from the store's writer
// goroutine. Because subscriptions and publications go through the same queue, a subscriber
// receives exactly the events published after its Subscribe returned — the property the
// websocket handler relies on to hand over from log replay to live events without a gap.
//
// Each subscriber has a bounded buffer. A subscriber whose buffer is full when a frame arrives is
// dropped: its channel is closed and it must reconnect and resync from the event log. Frames are
// delivered in publication (sequence) order.
package hub

import (
	"log/slog"
	"sync"
	"sync/atomic"

	"hall"
)

// Hub fans out encoded events of frame type F. Create it with New; Close it to stop its goroutine.
type Hub[F any] struct {
	encode func(hall.Event) (F, error)
	log    *slog.Logger

	// mu guards queue and closed.
	mu     sync.Mutex
	queue  []op[F]
	closed bool

	wake    chan struct{} // capacity 1: "the queue is not empty"
	stopped chan struct{}

	subscribers atomic.Int64
	lastSeq     atomic.Uint64
	dropped     atomic.Uint64
	published   atomic.Uint64
}

// op is one queued operation: a batch of events, a new subscriber, or a leaving one.
type op[F any] struct {
	events []hall.Event
	sub    *sub[F]
	leave  *sub[F]
}

// sub is one subscriber; ch is closed by the hub goroutine when the subscriber leaves, is
// dropped or the hub closes.
type sub[F any] struct {
	ch   chan F
	done bool // hub-goroutine owned
}

// New starts a hub that encodes each event with encode (called once per event, on the hub
// goroutine; an event that fails to encode is logged and skipped). logger may be nil.
func New[F any](encode func(hall.Event) (F, error), logger *slog.Logger) *Hub[F] {
	if logger == nil {
		logger = slog.Default()
	}
	h := &Hub[F]{encode: encode, log: logger, wake: make(chan struct{}, 1), stopped: make(chan struct{})}
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

// push appends o to the queue and wakes the hub goroutine. It reports false after Close.
func (h *Hub[F]) push(o op[F]) bool {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return false
	}
	h.queue = append(h.queue, o)
	h.mu.Unlock()
	select {
	case h.wake <- struct{}{}:
	default:
	}
	return true
}

// Subscribe adds a subscriber with room for buffer frames (at least 1) and returns its channel
// and a function that ends the subscription (idempotent). The subscriber receives every frame
// published after Subscribe returns, in order, until it is dropped for falling behind, it
// unsubscribes, or the hub closes; then the channel is closed. After Close the returned channel
// is already closed.
func (h *Hub[F]) Subscribe(buffer int) (<-chan F, func()) {
	s := &sub[F]{ch: make(chan F, max(buffer, 1))}
	h.subscribers.Add(1) // counted at once, so that whoever has subscribed sees it counted
	if !h.push(op[F]{sub: s}) {
		h.subscribers.Add(-1)
		close(s.ch)
		return s.ch, func() {}
	}
	var once sync.Once
	return s.ch, func() { once.Do(func() { h.push(op[F]{leave: s}) }) }
}

// Subscribers is how many subscribers are connected (for metrics).
func (h *Hub[F]) Subscribers() int { return int(h.subscribers.Load()) }

// LastSeq is the sequence number of the newest event published (0 before the first).
func (h *Hub[F]) LastSeq() uint64 { return h.lastSeq.Load() }

// Dropped counts subscribers dropped for falling behind.
func (h *Hub[F]) Dropped() uint64 { return h.dropped.Load() }

// Close stops the hub goroutine and closes every subscriber's channel. Operations queued before
// Close are still carried out. It is idempotent.
func (h *Hub[F]) Close() {
	h.mu.Lock()
	already := h.closed
	h.closed = true
	h.mu.Unlock()
	if !already {
		select {
		case h.wake <- struct{}{}:
		default:
		}
	}
	<-h.stopped
}

// run is the hub goroutine: the only owner of the subscriber set.
func (h *Hub[F]) run() {
	defer close(h.stopped)
	subs := map[*sub[F]]struct{}{}
	var batch []op[F]
	for range h.wake {
		h.mu.Lock()
		batch, h.queue = h.queue, batch[:0]
		closed := h.closed
		h.mu.Unlock()
		for i := range batch {
			h.apply(subs, batch[i])
			batch[i] = op[F]{}
		}
		if closed {
			for s := range subs {
				h.remove(subs, s)
			}
			return
		}
	}
}

func (h *Hub[F]) apply(subs map[*sub[F]]struct{}, o op[F]) {
	switch {
	case o.sub != nil:
		subs[o.sub] = struct{}{}
	case o.leave != nil:
		h.remove(subs, o.leave)
	default:
		for _, e := range o.events {
			f, err := h.encode(e)
			if err != nil {
				h.log.Error("hub: encode event", "seq", e.Seq, "err", err)
				continue
			}
			// Counted before the fan-out, so that whoever has received the frame sees it counted.
			h.lastSeq.Store(e.Seq)
			h.published.Add(1)
			for s := range subs {
				select {
				case s.ch <- f:
				default:
					h.dropped.Add(1)
					h.remove(subs, s)
				}
			}
		}
	}
}

func (h *Hub[F]) remove(subs map[*sub[F]]struct{}, s *sub[F]) {
	if s.done {
		return
	}
	s.done = true
	delete(subs, s)
	close(s.ch)
	h.subscribers.Add(-1)
}
