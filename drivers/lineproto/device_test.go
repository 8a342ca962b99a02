package lineproto

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// counter is a device whose COUNT command counts how often it really acted.
type counter struct{ acted []string }

func (c *counter) handle(cmd string, args []string) ([]string, error) {
	switch cmd {
	case "COUNT":
		c.acted = append(c.acted, cmd)
		return []string{string(rune('0' + len(c.acted)))}, nil
	case "FAIL":
		return nil, errors.New("relay stuck")
	}
	return nil, Errorf(ErrUnknownCommand)
}

func TestResponder_RepeatIsAnsweredWithoutActing(t *testing.T) {
	c := &counter{}
	r := &Responder{Addr: 3, Handler: c.handle}
	req := fr(t, 3, 9, "COUNT")
	first := r.Respond(req)
	again := r.Respond(req) // the host lost our reply and resent the same frame
	if string(first) != string(fr(t, 3, 9, "OK", "1")) || string(again) != string(first) {
		t.Errorf("replies %q, %q; want the same OK,1 twice", first, again)
	}
	if len(c.acted) != 1 {
		t.Errorf("acted %d times, want once", len(c.acted))
	}
	// A new SEQ acts again; SEQ 00 always acts and resets the memory.
	if got := r.Respond(fr(t, 3, 10, "COUNT")); string(got) != string(fr(t, 3, 10, "OK", "2")) {
		t.Errorf("new SEQ: %q", got)
	}
	r.Respond(fr(t, 3, 0, "COUNT"))
	r.Respond(fr(t, 3, 0, "COUNT"))
	if len(c.acted) != 4 {
		t.Errorf("acted %d times, want 4 (SEQ 00 is never a repeat)", len(c.acted))
	}
	// Same SEQ but different content (a restarted host) is not a repeat.
	r.Respond(fr(t, 3, 10, "COUNT"))
	r.Respond(fr(t, 3, 10, "PING"))
	if got := r.Respond(fr(t, 3, 10, "COUNT")); len(c.acted) != 6 {
		t.Errorf("acted %d times, want 6; reply %q", len(c.acted), got)
	}
}

func TestResponder_AddressingAndErrors(t *testing.T) {
	c := &counter{}
	r := &Responder{Addr: 3, Handler: c.handle}
	tests := []struct {
		name string
		in   []byte
		want []byte
	}{
		{"other address", fr(t, 4, 1, "COUNT"), nil},
		{"broadcast acts silently", fr(t, 0, 0, "COUNT"), nil},
		{"bad checksum", []byte("@03,01,PING*00\r\n"), nil},
		{"garbage", []byte("\xFF@,,*\r\n"), nil},
		{"ping", fr(t, 3, 2, "PING"), fr(t, 3, 2, "OK")},
		{"unknown", fr(t, 3, 3, "NOPE"), fr(t, 3, 3, "ERR", "CMD")},
		{"handler failure is HW", fr(t, 3, 4, "FAIL"), fr(t, 3, 4, "ERR", "HW", "relay stuck")},
	}
	for _, tt := range tests {
		if got := r.Respond(tt.in); string(got) != string(tt.want) {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
	if diff := cmp.Diff([]string{"COUNT"}, c.acted); diff != "" {
		t.Errorf("acted (-want +got):\n%s", diff)
	}
}

// Client and Responder interoperate over a pipe, and Serve ends with ctx.Err() when its
// context is cancelled and the port closed.
func TestClientResponder_OverPipe(t *testing.T) {
	c := &counter{}
	host, dev := net.Pipe()
	r := &Responder{Addr: 1, Handler: c.handle}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- r.Serve(ctx, dev) }()
	cl, err := NewClient(host, Options{Timeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	got, err := cl.Do(context.Background(), "COUNT")
	if err != nil || len(got) != 1 || got[0] != "1" {
		t.Fatalf("Do = %q, %v", got, err)
	}
	cancel() // whoever cancels also closes the port
	cl.Close()
	dev.Close()
	if err := <-served; !errors.Is(err, context.Canceled) {
		t.Errorf("Serve = %v, want context.Canceled", err)
	}
}
