package httpapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"hall"
)

// feed is a minimal Feed for tests: Publish hands a frame to every subscriber without waiting
// and drops a subscriber whose buffer is full, as the hub does.
type feed struct {
	mu   sync.Mutex
	subs map[chan *Frame]struct{}
}

func (f *feed) Subscribe(buffer int) (<-chan *Frame, func()) {
	ch := make(chan *Frame, buffer)
	f.mu.Lock()
	if f.subs == nil {
		f.subs = map[chan *Frame]struct{}{}
	}
	f.subs[ch] = struct{}{}
	f.mu.Unlock()
	return ch, func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		if _, ok := f.subs[ch]; ok {
			delete(f.subs, ch)
			close(ch)
		}
	}
}

func (f *feed) publish(t *testing.T, e hall.Event) {
	t.Helper()
	fr, err := EncodeFrame(e)
	if err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for ch := range f.subs {
		select {
		case ch <- fr:
		default:
			delete(f.subs, ch)
			close(ch)
		}
	}
}

func (f *feed) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.subs)
}

// emptyLog is an event log with nothing in it.
type emptyLog struct{}

func (emptyLog) EventsSince(context.Context, uint64, int) ([]hall.Event, error) { return nil, nil }
func (emptyLog) LastSeq(context.Context) (uint64, error)                        { return 0, nil }

// screenAuth accepts the token "screen" as a screen device.
type screenAuth struct{ hall.Auth }

func (screenAuth) Session(_ context.Context, token string) (hall.Session, error) {
	if token != "screen" {
		return hall.Session{}, hall.Errorf(hall.EUNAUTHORIZED, "token_invalid", "无效", "invalid")
	}
	return hall.Session{DeviceID: "screen-1", DeviceKind: hall.DeviceScreen}, nil
}

// eventsServer serves the events endpoint over a test feed and an empty log.
func eventsServer(t *testing.T, buffer int) (*feed, string) {
	t.Helper()
	f := &feed{}
	s := NewServer(Config{Events: emptyLog{}, Auth: screenAuth{}, Feed: f, SubscriberBuffer: buffer})
	ts := httptest.NewServer(s)
	t.Cleanup(func() {
		s.Close()
		ts.Close()
	})
	return f, "ws" + strings.TrimPrefix(ts.URL, "http") + pathEvents + "?since=0"
}

func dial(t *testing.T, url string) *websocket.Conn {
	t.Helper()
	c, _, err := websocket.DefaultDialer.Dial(url, http.Header{"Authorization": {"Bearer screen"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// waitSubscribers waits until n websockets have subscribed to f.
func waitSubscribers(t *testing.T, f *feed, n int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); f.count() != n; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d subscribers, want %d", f.count(), n)
		}
	}
}

// readEvents reads n messages and checks that they are events 1..n with their notes intact.
func readEvents(t *testing.T, c *websocket.Conn, notes []string) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(30 * time.Second)) // a failure guard, not a timing check
	for i, note := range notes {
		var m Message
		if err := c.ReadJSON(&m); err != nil {
			t.Fatalf("message %d: %v", i+1, err)
		}
		e, err := m.Event()
		if err != nil || m.Seq != uint64(i+1) || e.Seq != m.Seq || e.Note != note {
			t.Fatalf("message %d: seq %d, event %d %.20q, %v; want seq %d and a note of %d bytes", i+1, m.Seq, e.Seq, e.Note, err, i+1, len(note))
		}
	}
}

func TestEvents_FramesOfEverySizeArriveIntactAndInOrder(t *testing.T) {
	f, url := eventsServer(t, 64)
	c := dial(t, url)
	waitSubscribers(t, f, 1)
	// Payload lengths on both sides of the 7-bit, 16-bit and 64-bit length encodings.
	var notes []string
	for _, n := range []int{0, 10, 60, 120, 200, 65400, 65600, 70000, 3} {
		notes = append(notes, strings.Repeat("x", n))
	}
	for i, note := range notes {
		f.publish(t, hall.Event{Seq: uint64(i + 1), Type: hall.EventCatalogChanged, Note: note})
	}
	readEvents(t, c, notes)
}

func TestEvents_StalledSubscriberDoesNotHoldUpOthers(t *testing.T) {
	f, url := eventsServer(t, 8)
	dial(t, url) // stalled: never reads
	live := dial(t, url)
	waitSubscribers(t, f, 2)
	// 36 MB: far more than the socket buffers and the subscriber buffer of the stalled
	// connection hold, so its writer blocks in a write and it is dropped, while the live
	// subscriber receives every event as soon as it is published.
	note := strings.Repeat("大", 20000)
	for i := range 600 {
		f.publish(t, hall.Event{Seq: uint64(i + 1), Type: hall.EventCatalogChanged, Note: note})
		live.SetReadDeadline(time.Now().Add(30 * time.Second)) // a failure guard, not a timing check
		var m Message
		if err := live.ReadJSON(&m); err != nil {
			t.Fatalf("event %d: %v", i+1, err)
		}
		if e, err := m.Event(); err != nil || m.Seq != uint64(i+1) || e.Note != note {
			t.Fatalf("event %d: got seq %d, %v", i+1, m.Seq, err)
		}
	}
	if n := f.count(); n != 1 {
		t.Fatalf("%d subscribers left, want 1: the stalled one should have been dropped", n)
	}
}

func TestEvents_PingIsAnswered(t *testing.T) {
	f, url := eventsServer(t, 8)
	c := dial(t, url)
	waitSubscribers(t, f, 1)
	pong := make(chan string, 1)
	c.SetPongHandler(func(data string) error {
		pong <- data
		return nil
	})
	go func() {
		for {
			if _, _, err := c.ReadMessage(); err != nil {
				return
			}
		}
	}()
	if err := c.WriteControl(websocket.PingMessage, []byte("hello"), time.Now().Add(10*time.Second)); err != nil {
		t.Fatal(err)
	}
	select {
	case data := <-pong:
		if data != "hello" {
			t.Fatalf("pong %q, want hello", data)
		}
	case <-time.After(30 * time.Second): // a failure guard, not a timing check
		t.Fatal("no pong")
	}
}
