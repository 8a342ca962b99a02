//go:build linux

package ratingpad

import (
	"testing"
	"time"

	"hall/drivers"
	"hall/drivers/serialport"
	"hall/drivers/sim"
)

// The real serial path: a rating round trip with the pad driver on drivers/serialport and the
// simulator on a pty, the visitor pressing 满意.
func TestPad_OverVirtualSerialPort(t *testing.T) {
	dev := sim.NewRatingPad(0x01)
	vp, err := sim.NewVirtualPort(dev)
	if err != nil {
		t.Fatal(err)
	}
	defer vp.Close()
	port, err := serialport.Open(vp.Path(), serialport.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := New(port, Options{PollInterval: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ch := rate(p, drivers.RatingRequest{Ticket: "C105", Staff: "0815", Timeout: 20 * time.Second})
	waitPending(t, dev)
	if err := dev.PressKey(drivers.Satisfied); err != nil {
		t.Fatal(err)
	}
	r := <-ch
	if r.err != nil || r.s != (drivers.Score{Ticket: "C105", Level: drivers.Satisfied}) {
		t.Errorf("Rate = %+v, %v; want C105 满意", r.s, r.err)
	}
}
