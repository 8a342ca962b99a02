//go:build linux

package ledsign

import (
	"context"
	"testing"
	"time"

	"hall/drivers/serialport"
	"hall/drivers/sim"
)

// The real serial path: the sign driver on drivers/serialport, the simulator on a pty.
func TestSign_OverVirtualSerialPort(t *testing.T) {
	dev := sim.NewSign(0x01, 2, 16)
	vp, err := sim.NewVirtualPort(dev)
	if err != nil {
		t.Fatal(err)
	}
	defer vp.Close()
	port, err := serialport.Open(vp.Path(), serialport.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(port, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.ShowCall(context.Background(), "A023", "5", 3*time.Second); err != nil {
		t.Fatalf("ShowCall: %v", err)
	}
	got := dev.Shown()
	if got.Call != (sim.SignCall{Ticket: "A023", Window: "5", Blink: 3 * time.Second}) || got.Lines[0] != "请A023号到5号窗口" {
		t.Errorf("sign shows %+v", got)
	}
}
