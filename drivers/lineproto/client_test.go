package lineproto

import (
	"context"
	"errors"
	"net"
	"runtime"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"hall/drivers"
	"hall/drivers/internal/playback"
)

func fr(t *testing.T, addr, seq byte, fields ...string) []byte {
	t.Helper()
	return mustAppend(t, Frame{Addr: addr, Seq: seq, Fields: fields})
}

func newClient(t *testing.T, port *playback.Port, o Options) *Client {
	t.Helper()
	if o.Timeout == 0 {
		o.Timeout = 30 * time.Millisecond
	}
	c, err := NewClient(port, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// The first request is preceded by PING with the reset SEQ 00; requests then count from 01.
func TestClient_SyncThenNumberedRequests(t *testing.T) {
	port := playback.New(t,
		playback.Exchange(fr(t, 1, 0, "PING"), fr(t, 1, 0, "OK")),
		playback.Exchange(fr(t, 1, 1, "SHOW", "1", "请到3号窗口"), fr(t, 1, 1, "OK")),
		playback.Exchange(fr(t, 1, 2, "POLL"), fr(t, 1, 2, "OK", "SCORE", "A001", "1")),
	)
	c := newClient(t, port, Options{})
	if _, err := c.Do(context.Background(), "SHOW", "1", "请到3号窗口"); err != nil {
		t.Fatal(err)
	}
	got, err := c.Do(context.Background(), "POLL")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"SCORE", "A001", "1"}, got); diff != "" {
		t.Errorf("reply data (-want +got):\n%s", diff)
	}
}

// A lost reply is recovered by resending the identical frame (same SEQ); a reply with a wrong
// checksum counts as lost; a torn reply (split across reads) is reassembled.
func TestClient_RetriesWithSameSeq(t *testing.T) {
	poll := fr(t, 1, 1, "POLL")
	good := fr(t, 1, 1, "OK", "SCORE", "A001", "2")
	corrupt := append([]byte(nil), good...)
	corrupt[len(corrupt)-3] ^= 1 // flip a checksum digit
	port := playback.New(t,
		playback.Exchange(fr(t, 1, 0, "PING"), fr(t, 1, 0, "OK")),
		playback.Exchange(poll),                     // lost
		playback.Exchange(poll, corrupt),            // wrong checksum: ignored
		playback.Exchange(poll, good[:7], good[7:]), // torn across two reads
	)
	c := newClient(t, port, Options{})
	got, err := c.Do(context.Background(), "POLL")
	if err != nil {
		t.Fatalf("Do: %v", err)
	}
	if diff := cmp.Diff([]string{"SCORE", "A001", "2"}, got); diff != "" {
		t.Errorf("reply data (-want +got):\n%s", diff)
	}
	if c.BadFrames() != 1 {
		t.Errorf("BadFrames = %d, want 1", c.BadFrames())
	}
}

func TestClient_TimeoutAfterRetries(t *testing.T) {
	clr := fr(t, 7, 1, "CLR")
	port := playback.New(t,
		playback.Exchange(fr(t, 7, 0, "PING"), fr(t, 7, 0, "OK")),
		playback.Exchange(clr), playback.Exchange(clr), playback.Exchange(clr), // 1 + 2 retries
		playback.Exchange(fr(t, 7, 2, "CLR"), fr(t, 7, 2, "OK")), // the next request moves on
	)
	c := newClient(t, port, Options{Addr: 7})
	if _, err := c.Do(context.Background(), "CLR"); !errors.Is(err, drivers.ErrTimeout) {
		t.Fatalf("Do = %v, want ErrTimeout", err)
	}
	if _, err := c.Do(context.Background(), "CLR"); err != nil {
		t.Fatalf("second Do: %v", err)
	}
}

// Replies for other SEQs (late answers) and other addresses are not taken as the answer.
func TestClient_IgnoresStaleAndForeignReplies(t *testing.T) {
	port := playback.New(t,
		playback.Exchange(fr(t, 1, 0, "PING"), fr(t, 1, 0, "OK")),
		playback.Exchange(fr(t, 1, 1, "POLL"),
			fr(t, 1, 0, "OK"),                    // stale SEQ
			fr(t, 2, 1, "OK", "SCORE", "X", "5"), // another device
			[]byte("\x00\xFFnoise\r\n"),          // noise
			fr(t, 1, 1, "OK", "NONE")),
	)
	c := newClient(t, port, Options{})
	got, err := c.Do(context.Background(), "POLL")
	if err != nil || len(got) != 1 || got[0] != "NONE" {
		t.Fatalf("Do = %q, %v; want [NONE]", got, err)
	}
}

func TestClient_DeviceErrorsAreTyped(t *testing.T) {
	port := playback.New(t,
		playback.Exchange(fr(t, 1, 0, "PING"), fr(t, 1, 0, "OK")),
		playback.Exchange(fr(t, 1, 1, "BRIGHT", "16"), fr(t, 1, 1, "ERR", "RANGE", "0-15")),
		playback.Exchange(fr(t, 1, 2, "FOO"), fr(t, 1, 2, "ERR", "CMD")),
		playback.Exchange(fr(t, 1, 3, "CLR"), fr(t, 1, 3, "MAYBE")),
		playback.Exchange(fr(t, 1, 4, "CLR"), fr(t, 1, 4, "ERR")),
	)
	c := newClient(t, port, Options{})
	ctx := context.Background()
	_, err := c.Do(ctx, "BRIGHT", "16")
	var de *DeviceError
	if !errors.Is(err, ErrRange) || !errors.As(err, &de) || de.Detail != "0-15" {
		t.Errorf("BRIGHT 16: %v, want ErrRange with detail", err)
	}
	if _, err := c.Do(ctx, "FOO"); !errors.Is(err, ErrUnknownCommand) || errors.Is(err, ErrRange) {
		t.Errorf("FOO: %v, want ErrUnknownCommand only", err)
	}
	if _, err := c.Do(ctx, "CLR"); !errors.Is(err, ErrBadReply) {
		t.Errorf("MAYBE reply: %v, want ErrBadReply", err)
	}
	if _, err := c.Do(ctx, "CLR"); !errors.Is(err, ErrBadReply) {
		t.Errorf("ERR without code: %v, want ErrBadReply", err)
	}
}

func TestClient_BroadcastIsSentOnceWithoutReply(t *testing.T) {
	port := playback.New(t, playback.Exchange(fr(t, 0, 0, "CLR")))
	c := newClient(t, port, Options{})
	if err := c.Broadcast(context.Background(), "CLR"); err != nil {
		t.Fatal(err)
	}
}

func TestClient_RequestThatCannotBeFramedSendsNothing(t *testing.T) {
	port := playback.New(t, playback.Exchange(fr(t, 1, 0, "PING"), fr(t, 1, 0, "OK")))
	c := newClient(t, port, Options{})
	if _, err := c.Do(context.Background(), "bad name"); !errors.Is(err, ErrMalformed) {
		t.Errorf("Do = %v, want ErrMalformed", err)
	}
}

func TestClient_ContextCancelled(t *testing.T) {
	port := playback.New(t, playback.Exchange(fr(t, 1, 0, "PING")))
	c := newClient(t, port, Options{Timeout: time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := c.Do(ctx, "CLR"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Do = %v, want DeadlineExceeded", err)
	}
}

func TestClient_CloseStopsReaderAndIsIdempotent(t *testing.T) {
	before := runtime.NumGoroutine()
	host, dev := net.Pipe()
	defer dev.Close()
	c, err := NewClient(host, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Do(context.Background(), "PING"); !errors.Is(err, drivers.ErrClosed) {
		t.Errorf("Do after Close = %v, want ErrClosed", err)
	}
	waitGoroutines(t, before)
}

// Garbage on the port yields a timeout, never a hang or a panic.
func TestClient_GarbageGivesTimeout(t *testing.T) {
	port := playback.New(t,
		playback.Exchange(fr(t, 1, 0, "PING"), []byte("@@@*\r\n@01,00,OK*ZZ\r\n\xFF\xFE@01,00,%%%*00\n")),
		playback.Exchange(fr(t, 1, 0, "PING")),
		playback.Exchange(fr(t, 1, 0, "PING"), []byte("@"+string(make([]byte, 600))+"\n")),
	)
	c := newClient(t, port, Options{})
	if _, err := c.Do(context.Background(), "PING"); !errors.Is(err, drivers.ErrTimeout) {
		t.Fatalf("Do = %v, want ErrTimeout", err)
	}
}

func waitGoroutines(t *testing.T, want int) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > want {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("goroutines leaked: %d > %d\n%s", runtime.NumGoroutine(), want, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(5 * time.Millisecond)
	}
}
