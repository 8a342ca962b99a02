package escpos

import (
	"context"
	"errors"
	"net"
	"runtime"
	"testing"
	"time"

	"hall/drivers"
	"hall/drivers/internal/playback"
)

var (
	dle = func(n byte) []byte { return []byte{0x10, 0x04, n} }
	one = func(b byte) []byte { return []byte{b} }
)

func newPrinter(t *testing.T, port *playback.Port, o Options) *Printer {
	t.Helper()
	if o.ReplyTimeout == 0 {
		o.ReplyTimeout = 50 * time.Millisecond
	}
	p, err := New(port, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func TestPrinter_PrintChecksStatusThenSendsReceipt(t *testing.T) {
	data := mustEncode(t, ticket(), Options{})
	port := playback.New(t,
		playback.Exchange(dle(1), one(0x12)),
		playback.Exchange(dle(2), one(0x12)),
		playback.Exchange(dle(4), one(0x1E)), // paper near end: a warning
		playback.Exchange(data),
	)
	p := newPrinter(t, port, Options{})
	s, err := p.Print(context.Background(), ticket())
	if err != nil {
		t.Fatalf("Print: %v", err)
	}
	if !s.Warning() || !s.PaperNearEnd {
		t.Errorf("status %v: want the near-end warning", s)
	}
}

func TestPrinter_PrintRefusesWhenNotReady(t *testing.T) {
	tests := []struct {
		name       string
		r1, r2, r4 byte
		want       error
	}{
		{"paper out", 0x12, 0x32, 0x72, drivers.ErrPaperOut},
		{"cover open", 0x1A, 0x16, 0x12, drivers.ErrCoverOpen},
		{"offline", 0x1A, 0x12, 0x12, drivers.ErrPrinterOffline},
		{"fault", 0x12, 0x52, 0x12, drivers.ErrPrinterFault},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			port := playback.New(t, // no receipt bytes follow: the script fails on any
				playback.Exchange(dle(1), one(tt.r1)),
				playback.Exchange(dle(2), one(tt.r2)),
				playback.Exchange(dle(4), one(tt.r4)),
			)
			p := newPrinter(t, port, Options{})
			_, err := p.Print(context.Background(), ticket())
			var nr *drivers.NotReadyError
			if !errors.Is(err, tt.want) || !errors.As(err, &nr) {
				t.Fatalf("Print = %v, want a NotReadyError matching %v", err, tt.want)
			}
		})
	}
}

// A printer that does not answer gives drivers.ErrTimeout; the next query works normally.
func TestPrinter_StatusTimeoutThenRecovery(t *testing.T) {
	port := playback.New(t,
		playback.Exchange(dle(1)), // silence
		playback.Exchange(dle(1), one(0x1A)),
		playback.Exchange(dle(2), one(0x12)),
		playback.Exchange(dle(4), one(0x12)),
	)
	p := newPrinter(t, port, Options{})
	if _, err := p.Status(context.Background()); !errors.Is(err, drivers.ErrTimeout) {
		t.Fatalf("Status = %v, want ErrTimeout", err)
	}
	s, err := p.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !s.Offline || s.Ready() {
		t.Errorf("status %v, want offline", s)
	}
}

func TestPrinter_StaleReplyIsDiscarded(t *testing.T) {
	port := playback.New(t,
		playback.Step{Reply: [][]byte{{0x1A}}}, // unsolicited real-time byte before any query
		playback.Exchange(dle(1), one(0x12)),
		playback.Exchange(dle(2), one(0x12)),
		playback.Exchange(dle(4), one(0x12)),
	)
	p := newPrinter(t, port, Options{})
	time.Sleep(20 * time.Millisecond) // let the reader take the stale byte
	s, err := p.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !s.Ready() {
		t.Errorf("status %v: the stale offline byte answered the query", s)
	}
}

func TestPrinter_AutoStatusBack(t *testing.T) {
	got := make(chan drivers.PrinterStatus, 4)
	port := playback.New(t,
		playback.Exchange([]byte{0x1D, 0x61, 0x0E}, []byte{0x10, 0x00}, []byte{0x0C, 0x00}), // torn packet
		playback.Exchange(dle(1), one(0x12), []byte{0x18, 0x00, 0x00, 0x00}),                // interleaved
		playback.Exchange(dle(2), one(0x12)),
		playback.Exchange(dle(4), one(0x12)),
	)
	p := newPrinter(t, port, Options{AutoStatus: true, OnStatus: func(s drivers.PrinterStatus) { got <- s }})
	if s := <-got; !s.PaperOut {
		t.Errorf("first automatic status %v, want paper out", s)
	}
	if _, err := p.Status(context.Background()); err != nil {
		t.Fatal(err)
	}
	if s := <-got; !s.Offline {
		t.Errorf("second automatic status %v, want offline", s)
	}
	if s, _, ok := p.AutoStatus(); !ok || !s.Offline {
		t.Errorf("AutoStatus() = %v, %v", s, ok)
	}
}

// Garbage from the port never answers a query and never crashes the driver.
func TestPrinter_GarbageGivesTimeoutNotPanic(t *testing.T) {
	port := playback.New(t, playback.Exchange(dle(1), []byte{0xFF, 0x00, 0x41, 0x10, 0x80}))
	p := newPrinter(t, port, Options{})
	if _, err := p.Status(context.Background()); !errors.Is(err, drivers.ErrTimeout) {
		t.Fatalf("Status = %v, want ErrTimeout", err)
	}
}

func TestPrinter_InvalidReceiptSendsNothing(t *testing.T) {
	p := newPrinter(t, playback.New(t), Options{})
	_, err := p.Print(context.Background(), drivers.Receipt{Blocks: []drivers.Block{drivers.QR{}}})
	if !errors.Is(err, ErrInvalidReceipt) {
		t.Fatalf("Print = %v, want ErrInvalidReceipt", err)
	}
}

func TestPrinter_CloseStopsReaderAndIsIdempotent(t *testing.T) {
	before := runtime.NumGoroutine()
	host, dev := net.Pipe()
	defer dev.Close()
	p, err := New(host, Options{ReplyTimeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := p.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := p.Status(context.Background()); !errors.Is(err, drivers.ErrClosed) {
		t.Errorf("Status after Close = %v, want ErrClosed", err)
	}
	waitGoroutines(t, before)
}

// A port that fails for good ends the driver: calls fail with the port's error.
func TestPrinter_PortFailureIsReported(t *testing.T) {
	host, dev := net.Pipe()
	p, err := New(host, Options{ReplyTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	dev.Close()
	if _, err := p.Status(context.Background()); err == nil || errors.Is(err, drivers.ErrTimeout) {
		t.Fatalf("Status = %v, want the port's error", err)
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
