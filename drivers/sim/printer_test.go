package sim

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"hall/drivers"
	"hall/drivers/escpos"
)

var updatePNG = flag.Bool("update-png", false, "rewrite testdata/*.png from the printer simulator")

// servePipe runs dev on one end of a pipe and returns the other end; the test's cleanup stops
// the device and checks that Serve returned.
func servePipe(t *testing.T, dev Device) net.Conn {
	t.Helper()
	host, devEnd := net.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- dev.Serve(ctx, devEnd) }()
	t.Cleanup(func() {
		cancel()
		devEnd.Close()
		host.Close()
		select {
		case err := <-done:
			if err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrClosedPipe) {
				t.Errorf("Serve = %v", err)
			}
		case <-time.After(2 * time.Second):
			t.Error("Serve did not return after cancel and close")
		}
	})
	return host
}

func ticketReceipt() drivers.Receipt {
	return drivers.Receipt{Blocks: []drivers.Block{
		drivers.Line{Text: "某市政务服务中心", Align: drivers.AlignCenter, Bold: true, Width: 2, Height: 2},
		drivers.Line{Text: "A001", Align: drivers.AlignCenter, Width: 4, Height: 4, Bold: true},
		drivers.Line{Text: "社保医保业务  前面还有 3 人"},
		drivers.Line{Text: "姓名：张㛃（尾号 002X）"},
		drivers.Line{Text: "2026-03-02 09:15", Align: drivers.AlignRight},
		drivers.QR{Data: "https://hall.example/t/A001?k=9F2C", ModuleSize: 6, Align: drivers.AlignCenter},
		drivers.Feed{Lines: 1},
		drivers.Line{Text: "请留意叫号，过号需重新取号", Align: drivers.AlignCenter},
		drivers.Cut{Feed: 3},
	}}
}

// The driver prints a ticket; the simulator reads back the same receipt: GBK lines as text with
// their attributes, the QR code natively, the rare-character line as a raster image.
func TestPrinter_DriverRoundTrip(t *testing.T) {
	sim := NewPrinter(escpos.Dots80mm)
	p, err := escpos.New(servePipe(t, sim), escpos.Options{ReplyTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	want := ticketReceipt()
	if _, err := p.Print(context.Background(), want); err != nil {
		t.Fatalf("Print: %v", err)
	}
	got := waitReceipt(t, sim)
	if len(got.Blocks) != len(want.Blocks) {
		t.Fatalf("got %d blocks, want %d:\n%s", len(got.Blocks), len(want.Blocks), Text(got, 576))
	}
	img, ok := got.Blocks[3].(drivers.Image)
	if !ok || img.Img.Bounds().Dx() != 576 || img.Img.Bounds().Dy() != 30 {
		t.Errorf("block 3 = %#v, want a 576×30 raster image of the rare-character line", got.Blocks[3])
	}
	got.Blocks[3], want.Blocks[3] = nil, nil
	norm := func(l drivers.Line) drivers.Line { l.Width, l.Height = max(l.Width, 1), max(l.Height, 1); return l }
	if diff := cmp.Diff(want, got, cmp.Transformer("size", norm)); diff != "" {
		t.Errorf("receipt (-printed +read back):\n%s", diff)
	}
	if errs := sim.Errors(); len(errs) > 0 {
		t.Errorf("simulator saw unknown commands: %q", errs)
	}
}

func waitReceipt(t *testing.T, sim *Printer) drivers.Receipt {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for {
		if r, ok := sim.LastReceipt(); ok {
			return r
		}
		if time.Now().After(deadline) {
			t.Fatal("no receipt printed")
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestPrinter_PaperOutRefusesAndDiscards(t *testing.T) {
	sim := NewPrinter(escpos.Dots58mm)
	sim.SetPaper(PaperOut)
	port := servePipe(t, sim)
	p, err := escpos.New(port, escpos.Options{Dots: escpos.Dots58mm, ReplyTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if _, err := p.Print(context.Background(), ticketReceipt()); !errors.Is(err, drivers.ErrPaperOut) {
		t.Fatalf("Print = %v, want ErrPaperOut", err)
	}
	if _, ok := sim.LastReceipt(); ok {
		t.Error("a receipt was printed without paper")
	}
	sim.SetPaper(PaperNearEnd)
	s, err := p.Print(context.Background(), ticketReceipt())
	if err != nil || !s.Warning() {
		t.Fatalf("Print with paper near end = %v, %v; want success with a warning", s, err)
	}
	waitReceipt(t, sim)
}

func TestPrinter_RealtimeStatusBytes(t *testing.T) {
	sim := NewPrinter(0)
	tests := []struct {
		name   string
		set    func()
		n1, n2 byte
		n4     byte
	}{
		{"ready", func() {}, 0x12, 0x12, 0x12},
		{"near end", func() { sim.SetPaper(PaperNearEnd) }, 0x12, 0x12, 0x1E},
		{"paper out", func() { sim.SetPaper(PaperOut) }, 0x1A, 0x32, 0x7E},
		{"cover open", func() { sim.SetPaper(PaperOK); sim.SetCoverOpen(true) }, 0x1A, 0x16, 0x12},
		{"offline", func() { sim.SetCoverOpen(false); sim.SetOffline(true) }, 0x1A, 0x12, 0x12},
	}
	for _, tt := range tests {
		tt.set()
		_, got := sim.consume([]byte{0x10, 0x04, 1, 0x10, 0x04, 2, 0x10, 0x04, 4})
		if want := []byte{tt.n1, tt.n2, tt.n4}; !bytes.Equal(got, want) {
			t.Errorf("%s: replies % x, want % x", tt.name, got, want)
		}
	}
}

// With automatic status back on, the printer reports at once and on every change.
func TestPrinter_AutomaticStatusBack(t *testing.T) {
	sim := NewPrinter(0)
	port := servePipe(t, sim)
	go port.Write([]byte{0x1D, 0x61, 0x0E})
	read4 := func() []byte {
		b := make([]byte, 4)
		port.SetReadDeadline(time.Now().Add(2 * time.Second))
		if _, err := io.ReadFull(port, b); err != nil {
			t.Fatal(err)
		}
		return b
	}
	if got := read4(); !bytes.Equal(got, []byte{0x10, 0, 0, 0}) {
		t.Errorf("first packet % x", got)
	}
	go sim.SetCoverOpen(true)
	if got := read4(); !bytes.Equal(got, []byte{0x38, 0, 0, 0}) {
		t.Errorf("cover-open packet % x", got)
	}
}

// Garbage and truncated commands never panic or hang the simulator, and it keeps working.
func TestPrinter_GarbageThenWorks(t *testing.T) {
	sim := NewPrinter(0)
	sim.consume([]byte{0x1B, 0x99, 0x1D, 0x28, 0x41, 0xFF, 0x1D, 0x76, 0x30, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x07})
	data, err := escpos.Encode(drivers.Receipt{Blocks: []drivers.Block{drivers.Line{Text: "好"}, drivers.Cut{}}}, escpos.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sim.consume(data)
	r, ok := sim.LastReceipt()
	if !ok || len(r.Blocks) != 2 || r.Blocks[0].(drivers.Line).Text != "好" {
		t.Fatalf("after garbage: %+v", r)
	}
	if len(sim.Errors()) == 0 {
		t.Error("garbage not reported in Errors")
	}
}

func TestText_RendersTicket(t *testing.T) {
	got := Text(ticketReceipt(), 576)
	for _, want := range []string{
		"        某市政务服务中心  [2x2 bold]\n", "A001  [4x4 bold]", "[QR M size 6, center] https://hall.example/t/A001?k=9F2C",
		"                                2026-03-02 09:15\n", "✂",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("text lacks %q:\n%s", want, got)
		}
	}
}

// The rendered ticket is compared with testdata/ticket.png (look at it after -update-png).
func TestPNG_Ticket(t *testing.T) {
	sim := NewPrinter(escpos.Dots80mm)
	data, err := escpos.Encode(ticketReceipt(), escpos.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sim.consume(data)
	got, err := sim.LastReceiptPNG()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "ticket.png")
	if *updatePNG {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update-png)", err)
	}
	if !bytes.Equal(got, want) {
		os.WriteFile(filepath.Join(t.TempDir(), "ticket.png"), got, 0o644)
		t.Errorf("rendered ticket differs from %s (go test -update-png rewrites it; look at it)", path)
	}
}

func FuzzPrinterInput(f *testing.F) {
	data, _ := escpos.Encode(ticketReceipt(), escpos.Options{Dots: escpos.Dots58mm})
	f.Add(data[:min(len(data), 400)])
	f.Add([]byte{0x10, 0x04, 0x01, 0x1D, 0x61, 0x0F, 0x1D, 0x56, 0x42})
	f.Add([]byte{0x1D, 0x76, 0x30, 0x00, 0x02, 0x00, 0x02, 0x00, 0xFF, 0x00, 0x81, 0x40, 0x1D, 0x56, 0x01})
	f.Add([]byte{0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x50, 0x30, 'x', 0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30, 0x0A})
	f.Fuzz(func(t *testing.T, in []byte) {
		sim := NewPrinter(0)
		// Feed in two chunks, as a port would tear it.
		half := len(in) / 2
		pending := append([]byte(nil), in[:half]...)
		used, _ := sim.consume(pending)
		pending = append(pending[used:], in[half:]...)
		used, replies := sim.consume(pending)
		if used > len(pending) {
			t.Fatalf("used %d of %d", used, len(pending))
		}
		for _, b := range replies {
			if b&0x93 != 0x12 && b&0x93 != 0x10 && b&0x90 != 0 {
				t.Fatalf("reply byte %#02x is neither status reply nor packet", b)
			}
		}
		for _, r := range sim.Receipts() {
			_ = Text(r, 576)
		}
	})
}

// The driver with automatic status back on hears the simulator's paper running out by itself.
func TestPrinter_DriverHearsAutomaticStatus(t *testing.T) {
	sim := NewPrinter(0)
	got := make(chan drivers.PrinterStatus, 8)
	p, err := escpos.New(servePipe(t, sim), escpos.Options{AutoStatus: true, OnStatus: func(s drivers.PrinterStatus) { got <- s }})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if s := <-got; !s.Ready() {
		t.Fatalf("first automatic status %v, want ready", s)
	}
	sim.SetPaper(PaperOut)
	select {
	case s := <-got:
		if !s.PaperOut || s.Ready() {
			t.Errorf("automatic status %v, want paper out", s)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("no automatic status after the paper ran out")
	}
}
