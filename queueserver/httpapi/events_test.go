package httpapi

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"hall"
)

// feed is a minimal Feed for tests: publish hands a frame to every sink on the caller's
// goroutine, one sink at a time, and detaches a sink that answers false, as the hub does.
type feed struct {
	mu    sync.Mutex
	sinks map[FrameSink]struct{}
}

func (f *feed) Attach(sink FrameSink) func() {
	f.mu.Lock()
	if f.sinks == nil {
		f.sinks = map[FrameSink]struct{}{}
	}
	f.sinks[sink] = struct{}{}
	f.mu.Unlock()
	return func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		if _, ok := f.sinks[sink]; ok {
			delete(f.sinks, sink)
			sink.Detached()
		}
	}
}

func (f *feed) publish(t *testing.T, e hall.Event) {
	t.Helper()
	fr, err := EncodeFrame(e)
	if err != nil {
		t.Fatal(err)
	}
	f.publishFrame(fr)
}

func (f *feed) publishFrame(fr *Frame) { f.publishFrames([]*Frame{fr}) }

// publishFrames hands frames to every sink in one Deliver, as the hub does with frames that
// arrived together.
func (f *feed) publishFrames(frs []*Frame) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for sink := range f.sinks {
		if !sink.Deliver(frs) {
			delete(f.sinks, sink)
			sink.Detached()
		}
	}
}

func (f *feed) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.sinks)
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
	return startEventsServer(t, buffer, false)
}

// smallBufferEventsServer is eventsServer with a small send buffer on every accepted
// connection, so that direct writes of larger frames are cut short and the connection's
// goroutine takes over and hands back often.
func smallBufferEventsServer(t *testing.T, buffer int) (*feed, string) {
	t.Helper()
	return startEventsServer(t, buffer, true)
}

func startEventsServer(t *testing.T, buffer int, smallBuffers bool) (*feed, string) {
	t.Helper()
	f := &feed{}
	s := NewServer(Config{Events: emptyLog{}, Auth: screenAuth{}, Feed: f, SubscriberBuffer: buffer})
	ts := httptest.NewUnstartedServer(s)
	if smallBuffers {
		ts.Listener = smallSendBuffers{ts.Listener}
	}
	ts.Start()
	t.Cleanup(func() {
		s.Close()
		ts.Close()
	})
	return f, "ws" + strings.TrimPrefix(ts.URL, "http") + pathEvents + "?since=0"
}

type smallSendBuffers struct{ net.Listener }

func (l smallSendBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetWriteBuffer(4 << 10)
	}
	return c, err
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

// TestEvents_SubscriberThatPausesGetsEverythingOnceItReadsAgain stops reading while 12 MB of
// events are published — far more than the socket buffers hold, so the direct writes are cut
// short and the rest waits for the connection's goroutine — then reads every event, whole and
// in order.
func TestEvents_SubscriberThatPausesGetsEverythingOnceItReadsAgain(t *testing.T) {
	f, url := eventsServer(t, 4096)
	c := dial(t, url)
	waitSubscribers(t, f, 1)
	before := partialWrites.Load()
	var notes []string
	for i := range 300 {
		note := strings.Repeat(string(rune('a'+i%26)), 40000)
		notes = append(notes, note)
		f.publish(t, hall.Event{Seq: uint64(i + 1), Type: hall.EventCatalogChanged, Note: note})
	}
	if partialWrites.Load() == before {
		t.Fatal("no direct write was cut short: the test did not exercise the queued path")
	}
	readEvents(t, c, notes)
}

// TestEvents_PingsAreAnsweredWhileEventsStream sends pings as fast as it can while large events
// are published to a reader that keeps the socket nearly full, so direct writes are often cut
// short. The answers and the events share one socket: a pong written into the middle of an
// event would break the stream. Every event must arrive in order and pongs must come back.
func TestEvents_PingsAreAnsweredWhileEventsStream(t *testing.T) {
	for round := range 3 {
		f, url := smallBufferEventsServer(t, 4096)
		c := dial(t, url)
		waitSubscribers(t, f, 1)
		var pongs atomic.Int64
		c.SetPongHandler(func(string) error {
			pongs.Add(1)
			return nil
		})
		const events = 1000
		stop := make(chan struct{})
		pinged := make(chan struct{})
		go func() {
			defer close(pinged)
			for {
				select {
				case <-stop:
					return
				default:
				}
				if c.WriteControl(websocket.PingMessage, []byte("p"), time.Now().Add(10*time.Second)) != nil {
					return
				}
			}
		}()
		notes := make([]string, events)
		for i := range notes {
			notes[i] = strings.Repeat(string(rune('a'+i%26)), 1000+(i*7919)%30000)
		}
		published := make(chan struct{})
		go func() {
			defer close(published)
			for i, note := range notes {
				fr, _ := EncodeFrame(hall.Event{Seq: uint64(i + 1), Type: hall.EventCatalogChanged, Note: note})
				f.publishFrame(fr)
				if i%2 == 0 {
					time.Sleep(50 * time.Microsecond) // let the connection's goroutine catch up and hand back
				}
			}
		}()
		c.SetReadDeadline(time.Now().Add(60 * time.Second)) // a failure guard, not a timing check
		for i, note := range notes {
			var m Message
			if err := c.ReadJSON(&m); err != nil {
				t.Fatalf("round %d, event %d: %v (after %d pongs)", round, i+1, err, pongs.Load())
			}
			if e, err := m.Event(); err != nil || m.Seq != uint64(i+1) || e.Note != note {
				t.Fatalf("round %d: got seq %d (%v), want %d intact", round, m.Seq, err, i+1)
			}
		}
		<-published
		close(stop)
		<-pinged
		t.Logf("round %d: %d pongs, %d partial writes", round, pongs.Load(), partialWrites.Load())
		if pongs.Load() == 0 {
			t.Fatalf("round %d: no pong came back", round)
		}
	}
}

// TestEvents_AreaSubscriberGetsItsAreaAndHallWideEvents checks the area filter on live frames.
func TestEvents_AreaSubscriberGetsItsAreaAndHallWideEvents(t *testing.T) {
	f, url := eventsServer(t, 64)
	c := dial(t, url+"&area=a1")
	waitSubscribers(t, f, 1)
	areas := []string{"a2", "a1", "", "a2", "a1"}
	for i, a := range areas {
		f.publish(t, hall.Event{Seq: uint64(i + 1), Type: hall.EventTicketIssued, AreaID: a})
	}
	c.SetReadDeadline(time.Now().Add(30 * time.Second)) // a failure guard, not a timing check
	for _, want := range []uint64{2, 3, 5} {
		var m Message
		if err := c.ReadJSON(&m); err != nil {
			t.Fatal(err)
		}
		if m.Seq != want {
			t.Fatalf("got seq %d, want %d (area a1 and hall-wide only)", m.Seq, want)
		}
	}
}

// TestEvents_OverTLSEveryFrameGoesThroughTheConnection covers a connection without a plain
// socket: nothing is written directly, everything through the connection's goroutine.
func TestEvents_OverTLSEveryFrameGoesThroughTheConnection(t *testing.T) {
	f := &feed{}
	s := NewServer(Config{Events: emptyLog{}, Auth: screenAuth{}, Feed: f, SubscriberBuffer: 64})
	ts := httptest.NewTLSServer(s)
	t.Cleanup(func() {
		s.Close()
		ts.Close()
	})
	dialer := websocket.Dialer{TLSClientConfig: ts.Client().Transport.(*http.Transport).TLSClientConfig}
	c, _, err := dialer.Dial("wss"+strings.TrimPrefix(ts.URL, "https")+pathEvents+"?since=0", http.Header{"Authorization": {"Bearer screen"}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	waitSubscribers(t, f, 1)
	notes := []string{"a", strings.Repeat("b", 70000), "c"}
	for i, note := range notes {
		f.publish(t, hall.Event{Seq: uint64(i + 1), Type: hall.EventCatalogChanged, Note: note})
	}
	readEvents(t, c, notes)
}

// TestEvents_CloseIsEchoedAndTheSubscriberLeaves checks the closing handshake: the peer's close
// frame is answered with its code, and the subscription ends.
func TestEvents_CloseIsEchoedAndTheSubscriberLeaves(t *testing.T) {
	f, url := eventsServer(t, 8)
	c := dial(t, url)
	waitSubscribers(t, f, 1)
	if err := c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, "bye"), time.Now().Add(10*time.Second)); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(30 * time.Second)) // a failure guard, not a timing check
	_, _, err := c.ReadMessage()
	if !websocket.IsCloseError(err, websocket.CloseNormalClosure) {
		t.Fatalf("read after close: %v, want the close echoed with 1000", err)
	}
	waitSubscribers(t, f, 0)
}

// TestEvents_FramesDeliveredTogetherArriveIntact hands the sink batches of one to five frames
// of mixed sizes and areas, as the hub does when frames pile up; an area subscriber gets its
// own and the hall-wide ones of every batch, whole and in order.
func TestEvents_FramesDeliveredTogetherArriveIntact(t *testing.T) {
	f, url := eventsServer(t, 4096)
	all := dial(t, url)
	a1 := dial(t, url+"&area=a1")
	waitSubscribers(t, f, 2)
	var notes, a1Notes []string
	seq := uint64(0)
	for batch := range 40 {
		var frs []*Frame
		for i := range batch%5 + 1 {
			seq++
			area := []string{"a1", "a2", ""}[(batch+i)%3]
			note := strings.Repeat(string(rune('a'+seq%26)), int(seq*977%70000))
			fr, err := EncodeFrame(hall.Event{Seq: seq, Type: hall.EventCatalogChanged, AreaID: area, Note: note})
			if err != nil {
				t.Fatal(err)
			}
			frs = append(frs, fr)
			notes = append(notes, note)
			if area != "a2" {
				a1Notes = append(a1Notes, note)
			}
		}
		f.publishFrames(frs)
	}
	readEvents(t, all, notes)
	a1.SetReadDeadline(time.Now().Add(30 * time.Second)) // a failure guard, not a timing check
	for i, note := range a1Notes {
		var m Message
		if err := a1.ReadJSON(&m); err != nil {
			t.Fatalf("area subscriber, message %d: %v", i+1, err)
		}
		if e, err := m.Event(); err != nil || e.Note != note || e.AreaID == "a2" {
			t.Fatalf("area subscriber, message %d: seq %d area %q, %v", i+1, m.Seq, e.AreaID, err)
		}
	}
}
