//go:build linux

package escpos_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"hall/drivers"
	"hall/drivers/escpos"
	"hall/drivers/serialport"
	"hall/drivers/sim"
)

// The real serial path: drivers/serialport opens a pty whose other side is the printer
// simulator. A receipt printed by the driver is read back from the simulator, and paper out
// refuses the print.
func TestPrinter_OverVirtualSerialPort(t *testing.T) {
	dev := sim.NewPrinter(escpos.Dots58mm)
	vp, err := sim.NewVirtualPort(dev)
	if err != nil {
		t.Fatal(err)
	}
	defer vp.Close()
	port, err := serialport.Open(vp.Path(), serialport.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := escpos.New(port, escpos.Options{Dots: escpos.Dots58mm, ReplyTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ctx := context.Background()

	receipt := drivers.Receipt{Blocks: []drivers.Block{
		drivers.Line{Text: "政务服务中心", Align: drivers.AlignCenter, Width: 2, Height: 2, Bold: true},
		drivers.Line{Text: "B017", Align: drivers.AlignCenter, Width: 3, Height: 3},
		drivers.Line{Text: "姓名：张㛃"},
		drivers.QR{Data: "https://hall.example/t/B017", Align: drivers.AlignCenter},
		drivers.Cut{Feed: 2},
	}}
	if _, err := p.Print(ctx, receipt); err != nil {
		t.Fatalf("Print: %v", err)
	}
	var got drivers.Receipt
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if r, ok := dev.LastReceipt(); ok {
			got = r
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the simulator printed nothing")
		}
	}
	text := sim.Text(got, escpos.Dots58mm)
	for _, want := range []string{"政务服务中心  [2x2 bold]", "B017  [3x3]", "[image 384×30 dots]", "[QR M size 6, center] https://hall.example/t/B017", "✂"} {
		if !strings.Contains(text, want) {
			t.Errorf("read-back receipt lacks %q:\n%s", want, text)
		}
	}

	dev.SetPaper(sim.PaperOut)
	if _, err := p.Print(ctx, receipt); !errors.Is(err, drivers.ErrPaperOut) {
		t.Fatalf("Print without paper = %v, want ErrPaperOut", err)
	}
	if n := len(dev.Receipts()); n != 1 {
		t.Errorf("%d receipts printed, want 1", n)
	}
	s, err := p.Status(ctx)
	if err != nil || !s.PaperOut || s.Ready() {
		t.Errorf("Status = %v, %v; want paper out", s, err)
	}
}
