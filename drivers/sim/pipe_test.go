package sim_test

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"testing"
	"time"

	"hall/drivers/sim"
)

func TestPipe_ConnectsADriverAndStopsTheDeviceOnClose(t *testing.T) {
	before := runtime.NumGoroutine()
	r := sim.NewCardReader()
	r.InsertPreset("zhang")
	p := sim.Pipe(r)
	if _, err := p.Write(simFind); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, 15)
	if _, err := io.ReadFull(p, got); err != nil || got[9] != 0x9F {
		t.Fatalf("find over the pipe: % x, %v", got, err)
	}
	s := sim.NewScanner()
	sp := sim.Pipe(s)
	s.Scan("A1")
	line := make([]byte, 3)
	if _, err := io.ReadFull(sp, line); err != nil || !bytes.Equal(line, []byte("A1\r")) {
		t.Fatalf("scan over the pipe: %q, %v", line, err)
	}
	for _, c := range []io.Closer{p, sp, p, sp} {
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := p.Write(simFind); !errors.Is(err, io.ErrClosedPipe) {
		t.Errorf("write after Close: %v", err)
	}
	deadline := time.Now().Add(3 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines left after Close", n-before)
	}
}
