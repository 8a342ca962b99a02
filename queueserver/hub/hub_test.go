package hub

import (
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"hall"
)

type frame struct{ seq uint64 }

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
	}, nil)
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
