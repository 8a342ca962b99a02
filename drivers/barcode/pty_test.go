//go:build linux

package barcode_test

import (
	"errors"
	"hall/drivers/internal/leakcheck"
	"testing"
	"time"

	"hall/drivers"
	"hall/drivers/barcode"
	"hall/drivers/serialport"
	"hall/drivers/sim"
)

// The real serial path: tarm/serial (through drivers/serialport) on a pty
// whose master the simulated scanner writes to.
func TestScanner_OverPTY_ScansAndSurvivesUnplug(t *testing.T) {
	leakcheck.Check(t)
	dev := sim.NewScanner()
	v, err := sim.NewVirtualPort(dev)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	port, err := serialport.Open(v.Path(), serialport.Options{
		Baud:      barcode.DefaultBaud,
		ReopenMin: 20 * time.Millisecond,
		ReopenMax: 100 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	s := barcode.New(port, barcode.Options{})
	defer s.Close()

	dev.Scan("HALL-A001-7")
	dev.SetSuffix("\r\n")
	dev.Scan("HALL-B002-5")
	for _, want := range []string{"HALL-A001-7", "HALL-B002-5"} {
		sc, err := next(t, s)
		if err != nil || sc.Code != want {
			t.Fatalf("got %+v, %v; want %s", sc, err, want)
		}
	}

	if err := v.Unplug(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for port.Online() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if port.Online() {
		t.Fatal("port still online after unplug")
	}
	if err := v.Replug(); err != nil {
		t.Fatal(err)
	}
	for !port.Online() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if !port.Online() {
		t.Fatal("port not back online after replug")
	}
	dev.Scan("HALL-C003-1")
	if sc, err := next(t, s); err != nil || sc.Code != "HALL-C003-1" {
		t.Fatalf("after replug: %+v, %v", sc, err)
	}
	var states []serialport.State
	for done := false; !done; {
		select {
		case c := <-port.States():
			states = append(states, c.State)
		default:
			done = true
		}
	}
	want := []serialport.State{serialport.Online, serialport.Offline, serialport.Online}
	if len(states) != 3 || states[0] != want[0] || states[1] != want[1] || states[2] != want[2] {
		t.Errorf("state changes %v, want %v", states, want)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.NextScan(t.Context()); !errors.Is(err, drivers.ErrClosed) {
		t.Errorf("after Close: %v", err)
	}
}
