package hub

import (
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"hall"
)

type frame struct{ seq uint64 }

// newTestHub starts a hub with three delivery workers, so that every test also checks that
// subscribers spread over workers see the same frames in the same order.
func newTestHub(t *testing.T, encodes *atomic.Int64) *Hub[frame] {
	t.Helper()
	h := New(func(e hall.Event) (frame, error) {
		if encodes != nil {
			encodes.Add(1)
		}
		if e.Type == "bad" {
			return frame{}, errors.New("cannot encode")
		}
		return frame{seq: e.Seq}, nil
	}, Options{Workers: 3})
	t.Cleanup(h.Close)
	return h
}

func events(from, to uint64) []hall.Event {
	var out []hall.Event
	for s := from; s <= to; s++ {
		out = append(out, hall.Event{Seq: s, Type: hall.EventTicketIssued})
	}
	return out
}

// receive reads n frames or fails after a generous timeout.
func receive(t *testing.T, ch <-chan frame, n int) []uint64 {
	t.Helper()
	var got []uint64
	for len(got) < n {
		select {
		case f, ok := <-ch:
			if !ok {
				t.Fatalf("channel closed after %v", got)
			}
			got = append(got, f.seq)
		case <-time.After(5 * time.Second):
			t.Fatalf("timed out after %v", got)
		}
	}
	return got
}

func TestHub_DeliversEachEventOnceInOrderToEverySubscriber(t *testing.T) {
	var encodes atomic.Int64
	h := newTestHub(t, &encodes)
	a, _ := h.Subscribe(16)
	b, _ := h.Subscribe(16)
	h.Publish(events(1, 3))
	h.Publish(events(4, 5))
	for _, ch := range []<-chan frame{a, b} {
		got := receive(t, ch, 5)
		for i, s := range got {
			if s != uint64(i+1) {
				t.Fatalf("got %v, want 1..5 in order", got)
			}
		}
	}
	if n := encodes.Load(); n != 5 {
		t.Errorf("encoded %d times for 5 events and 2 subscribers, want 5 (once per event)", n)
	}
	if h.LastSeq() != 5 || h.Subscribers() != 2 {
		t.Errorf("LastSeq %d Subscribers %d, want 5 and 2", h.LastSeq(), h.Subscribers())
	}
}

func TestHub_SubscriberSeesOnlyEventsPublishedAfterSubscribe(t *testing.T) {
	h := newTestHub(t, nil)
	early, _ := h.Subscribe(16)
	h.Publish(events(1, 2))
	receive(t, early, 2) // the hub has handled 1..2
	late, _ := h.Subscribe(16)
	h.Publish(events(3, 3))
	if got := receive(t, late, 1); got[0] != 3 {
		t.Fatalf("late subscriber got %v first, want 3", got)
	}
}

func TestHub_SlowSubscriberIsDroppedWithoutBlockingOthers(t *testing.T) {
	h := newTestHub(t, nil)
	slow, _ := h.Subscribe(2)
	fast, _ := h.Subscribe(100)
	done := make(chan struct{})
	go func() {
		h.Publish(events(1, 50)) // must return although slow never reads
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Publish blocked on a slow subscriber")
	}
	receive(t, fast, 50)
	// The slow subscriber is on another worker: wait for it to be dropped before reading, or
	// reading would make room for more.
	for deadline := time.Now().Add(10 * time.Second); h.Dropped() == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the slow subscriber was not dropped")
		}
	}
	got := []uint64{}
	for f := range slow { // closed after its buffer
		got = append(got, f.seq)
	}
	if len(got) != 2 || got[0] != 1 || got[1] != 2 {
		t.Fatalf("slow subscriber got %v, want [1 2] then closed", got)
	}
	if h.Dropped() != 1 || h.Subscribers() != 1 {
		t.Errorf("Dropped %d Subscribers %d, want 1 and 1", h.Dropped(), h.Subscribers())
	}
}

func TestHub_UnsubscribeAndCloseCloseChannels(t *testing.T) {
	h := newTestHub(t, nil)
	a, leave := h.Subscribe(4)
	b, _ := h.Subscribe(4)
	leave()
	leave() // idempotent
	if _, ok := <-a; ok {
		t.Fatal("unsubscribed channel delivered a frame")
	}
	h.Publish([]hall.Event{{Seq: 1, Type: "bad"}, {Seq: 2}})
	if got := receive(t, b, 1); got[0] != 2 {
		t.Fatalf("got %v, want the encodable event 2 only", got)
	}
	h.Close()
	h.Close()
	if _, ok := <-b; ok {
		t.Fatal("channel open after Close")
	}
	c, _ := h.Subscribe(1)
	if _, ok := <-c; ok {
		t.Fatal("Subscribe after Close returned an open channel")
	}
	h.Publish(events(3, 3)) // does nothing, does not panic
	if h.Subscribers() != 0 {
		t.Errorf("Subscribers = %d after Close", h.Subscribers())
	}
}

// recorder is a Sink that records its Deliver calls; hold, when set, blocks the first Deliver
// until it is closed (holding up its worker, as a test only may).
type recorder struct {
	mu       sync.Mutex
	calls    [][]uint64
	detached int
	late     bool // a Deliver after Detached
	hold     chan struct{}
	entered  chan struct{}
}

func (r *recorder) Deliver(frames []frame) bool {
	if r.hold != nil {
		close(r.entered)
		<-r.hold
		r.hold = nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.detached > 0 {
		r.late = true
	}
	var seqs []uint64
	for _, f := range frames {
		seqs = append(seqs, f.seq)
	}
	r.calls = append(r.calls, seqs)
	return true
}

func (r *recorder) Detached() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.detached++
}

func (r *recorder) snapshot() ([][]uint64, int, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.calls), r.detached, r.late
}

func TestHub_FramesThatArriveDuringADeliveryGoOutTogether(t *testing.T) {
	h := New(func(e hall.Event) (frame, error) { return frame{seq: e.Seq}, nil }, Options{Workers: 1})
	defer h.Close()
	r := &recorder{hold: make(chan struct{}), entered: make(chan struct{})}
	detach := h.Attach(r)
	h.Publish(events(1, 1))
	<-r.entered // the worker is inside the first Deliver
	h.Publish(events(2, 3))
	h.Publish(events(4, 4))
	h.Publish(events(5, 6))
	for h.LastSeq() != 6 {
		time.Sleep(time.Millisecond) // the owner has routed everything to the busy worker
	}
	close(r.hold)
	detach()
	detach()
	for {
		calls, detached, late := r.snapshot()
		if detached == 0 {
			time.Sleep(time.Millisecond)
			continue
		}
		if !slices.EqualFunc(calls, [][]uint64{{1}, {2, 3, 4, 5, 6}}, slices.Equal) {
			t.Fatalf("Deliver calls %v, want [[1] [2 3 4 5 6]]: what queued up behind a delivery goes out in one call", calls)
		}
		if detached != 1 || late {
			t.Fatalf("Detached %d times, Deliver after Detached %v; want once and no", detached, late)
		}
		break
	}
	if h.Subscribers() != 0 {
		t.Errorf("Subscribers = %d after detach", h.Subscribers())
	}
}

// TestHub_AttachDetachAndPublishRaceAcrossWorkers runs subscribers that come and go on several
// workers while events are published, many times: each subscriber must see a gap-free run of
// sequence numbers that starts after it attached, every one that stays sees the end, and every
// sink is detached exactly once.
func TestHub_AttachDetachAndPublishRaceAcrossWorkers(t *testing.T) {
	for round := range 50 {
		h := New(func(e hall.Event) (frame, error) { return frame{seq: e.Seq}, nil }, Options{Workers: 3})
		const perPublisher = 400
		var published atomic.Uint64
		var wg, attached sync.WaitGroup
		stop := make(chan struct{})
		var sinks []*recorder
		var stays []bool
		var mu sync.Mutex
		for i := range 12 {
			wg.Add(1)
			attached.Add(1)
			go func() {
				defer wg.Done()
				r := &recorder{}
				before := published.Load()
				detach := h.Attach(r)
				attached.Done()
				mu.Lock()
				sinks = append(sinks, r)
				stays = append(stays, i%3 != 0)
				mu.Unlock()
				if i%3 == 0 {
					time.Sleep(time.Duration(i) * 50 * time.Microsecond)
					detach()
				}
				<-stop
				calls, _, _ := r.snapshot()
				var seqs []uint64
				for _, c := range calls {
					seqs = append(seqs, c...)
				}
				for j := 1; j < len(seqs); j++ {
					if seqs[j] != seqs[j-1]+1 {
						t.Errorf("round %d: subscriber %d got a gap or a repeat: %d after %d", round, i, seqs[j], seqs[j-1])
						return
					}
				}
				if len(seqs) > 0 && seqs[0] <= before {
					t.Errorf("round %d: subscriber %d got %d, published before it attached (%d)", round, i, seqs[0], before)
				}
			}()
		}
		for s := uint64(1); s <= perPublisher; s++ {
			if s == perPublisher/2 {
				attached.Wait() // the second half is published to every subscriber that stays
			}
			h.Publish(events(s, s))
			published.Store(s)
		}
		for h.LastSeq() != perPublisher {
			time.Sleep(100 * time.Microsecond)
		}
		h.Close()
		close(stop)
		wg.Wait()
		for i, r := range sinks {
			calls, detached, late := r.snapshot()
			if detached != 1 || late {
				t.Fatalf("round %d: sink %d detached %d times, Deliver after Detached %v", round, i, detached, late)
			}
			if stays[i] && (len(calls) == 0 || slices.Max(calls[len(calls)-1]) != perPublisher) {
				t.Fatalf("round %d: sink %d stayed attached but did not get the last event", round, i)
			}
		}
	}
}

// TestHub_EventsThatCanWaitGoOutWithTheNextPromptOne checks Options.Linger: a finish waits for
// the next call and goes out with it in one Deliver, in order; with nothing prompt behind it,
// it goes out once the linger is over.
func TestHub_EventsThatCanWaitGoOutWithTheNextPromptOne(t *testing.T) {
	const linger = 300 * time.Millisecond
	h := New(func(e hall.Event) (frame, error) { return frame{seq: e.Seq}, nil }, Options{Workers: 2, Linger: linger})
	defer h.Close()
	r := &recorder{}
	h.Attach(r)
	h.Publish([]hall.Event{{Seq: 1, Type: hall.EventTicketFinished}})
	h.Publish([]hall.Event{{Seq: 2, Type: hall.EventTicketIssued}})
	h.Publish([]hall.Event{{Seq: 3, Type: hall.EventTicketCalled}})
	waitCalls := func(n int) [][]uint64 {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
			calls, _, _ := r.snapshot()
			if len(calls) >= n {
				return calls
			}
			if time.Now().After(deadline) {
				t.Fatalf("got %v, want %d Deliver calls", calls, n)
			}
		}
	}
	if calls := waitCalls(1); !slices.Equal(calls[0], []uint64{1, 2, 3}) {
		t.Fatalf("first Deliver %v, want [1 2 3]: the call takes the waiting frames with it", calls[0])
	}
	start := time.Now()
	h.Publish([]hall.Event{{Seq: 4, Type: hall.EventTicketFinished}})
	calls := waitCalls(2)
	if waited := time.Since(start); !slices.Equal(calls[1], []uint64{4}) || waited < linger/2 {
		t.Fatalf("second Deliver %v after %v, want [4] after about %v", calls[1], waited, linger)
	}
}
