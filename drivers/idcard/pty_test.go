//go:build linux

package idcard_test

import (
	"errors"
	"hall/drivers/internal/leakcheck"
	"testing"
	"time"

	"hall/drivers"
	"hall/drivers/idcard"
	"hall/drivers/serialport"
	"hall/drivers/sim"
)

// The real serial path: tarm/serial (through drivers/serialport) on a pty
// whose master the simulated reader serves.
func TestReader_OverPTY_ReadsCardsAndSurvivesUnplug(t *testing.T) {
	leakcheck.Check(t)
	dev := sim.NewCardReader()
	v, err := sim.NewVirtualPort(dev)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	port, err := serialport.Open(v.Path(), serialport.Options{
		Baud:        idcard.DefaultBaud,
		ReadTimeout: 100 * time.Millisecond,
		ReopenMin:   20 * time.Millisecond,
		ReopenMax:   100 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	opts := quickOpts()
	opts.PollInterval = 20 * time.Millisecond
	r := idcard.New(port, opts)
	defer r.Close()

	dev.InsertPreset("zhang")
	c, err := r.NextCard(ctxTimeout(t, 5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	wantCard(t, c, "zhang")

	// Pull the reader out: polling reports it offline.
	if err := v.Unplug(); err != nil {
		t.Fatal(err)
	}
	ctx := ctxTimeout(t, 5*time.Second)
	for {
		_, err := r.NextCard(ctx)
		if errors.Is(err, drivers.ErrOffline) {
			break
		}
		if !drivers.IsTransient(err) {
			t.Fatalf("after unplug: %v, want ErrOffline", err)
		}
	}
	if port.Online() {
		t.Error("port still online after unplug")
	}

	// Plug it back in and place another card: it is read.
	if err := v.Replug(); err != nil {
		t.Fatal(err)
	}
	dev.Remove()
	dev.InsertPreset("li")
	ctx = ctxTimeout(t, 5*time.Second)
	for {
		c, err = r.NextCard(ctx)
		if err == nil || !drivers.IsTransient(err) {
			break
		}
	}
	if err != nil {
		t.Fatalf("after replug: %v", err)
	}
	wantCard(t, c, "li")
	if !port.Online() {
		t.Error("port not online after replug")
	}
	var sawOffline, sawOnlineAgain bool
	for done := false; !done; {
		select {
		case ch := <-port.States():
			if ch.State == serialport.Offline {
				sawOffline = true
			} else if sawOffline {
				sawOnlineAgain = true
			}
		default:
			done = true
		}
	}
	if !sawOffline || !sawOnlineAgain {
		t.Errorf("state changes: offline %v, online again %v; want both", sawOffline, sawOnlineAgain)
	}
}
