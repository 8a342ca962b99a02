//go:build linux

package serialport_test

import (
	"bytes"
	"context"
	"errors"
	"hall/drivers/internal/leakcheck"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"hall/drivers"
	"hall/drivers/serialport"
	"hall/drivers/sim"
)

// echo is a device that sends back what it receives.
type echo struct{}

func (echo) Serve(ctx context.Context, port io.ReadWriter) error {
	buf := make([]byte, 256)
	for {
		n, err := port.Read(buf)
		if err != nil {
			return err
		}
		if _, err := port.Write(buf[:n]); err != nil {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

var fast = serialport.Options{
	Baud:        115200,
	ReadTimeout: 100 * time.Millisecond,
	ReopenMin:   20 * time.Millisecond,
	ReopenMax:   100 * time.Millisecond,
}

func newVPort(t *testing.T, dev sim.Device) *sim.VirtualPort {
	t.Helper()
	v, err := sim.NewVirtualPort(dev)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := v.Close(); err != nil {
			t.Error(err)
		}
	})
	return v
}

// readUntil reads from p until want has arrived or the deadline passes,
// tolerating timeouts and offline errors on the way.
func readUntil(t *testing.T, p *serialport.Port, want []byte, within time.Duration) {
	t.Helper()
	var got []byte
	buf := make([]byte, 64)
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		n, err := p.Read(buf)
		got = append(got, buf[:n]...)
		if bytes.Contains(got, want) {
			return
		}
		if err != nil && !drivers.IsTransient(err) {
			t.Fatalf("read: %v (got %q so far)", err, got)
		}
	}
	t.Fatalf("read %q, want %q", got, want)
}

func waitState(t *testing.T, p *serialport.Port, want serialport.State) serialport.Change {
	t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case c, ok := <-p.States():
			if !ok {
				t.Fatalf("States closed while waiting for %v", want)
			}
			if c.State == want {
				return c
			}
		case <-timeout:
			t.Fatalf("no %v state change", want)
		}
	}
}

func TestPort_WriteAndReadBackThroughPTY(t *testing.T) {
	leakcheck.Check(t)
	v := newVPort(t, echo{})
	p, err := serialport.Open(v.Path(), fast)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	waitState(t, p, serialport.Online)
	if _, err := p.Write([]byte("hello\r\n")); err != nil {
		t.Fatal(err)
	}
	readUntil(t, p, []byte("hello\r\n"), 3*time.Second)
}

func TestPort_SilenceIsATimeoutNotADisconnect(t *testing.T) {
	leakcheck.Check(t)
	v := newVPort(t, echo{})
	p, err := serialport.Open(v.Path(), fast)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for i := range 4 {
		n, err := p.Read(make([]byte, 16))
		if n != 0 || !errors.Is(err, drivers.ErrTimeout) {
			t.Fatalf("read %d on a silent port = (%d, %v), want (0, ErrTimeout)", i, n, err)
		}
		if errors.Is(err, drivers.ErrOffline) {
			t.Fatalf("read %d: a timeout was reported as offline: %v", i, err)
		}
	}
	if !p.Online() {
		t.Error("port went offline after read timeouts")
	}
}

func TestPort_UnplugGoesOfflineAndReplugComesBack(t *testing.T) {
	leakcheck.Check(t)
	v := newVPort(t, echo{})
	p, err := serialport.Open(v.Path(), fast)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	waitState(t, p, serialport.Online)

	if err := v.Unplug(); err != nil {
		t.Fatal(err)
	}
	// The reader notices the disappearance on its next read.
	var readErr error
	for i := 0; i < 50 && !errors.Is(readErr, drivers.ErrOffline); i++ {
		_, readErr = p.Read(make([]byte, 16))
	}
	if !errors.Is(readErr, drivers.ErrOffline) {
		t.Fatalf("read after unplug: %v, want ErrOffline", readErr)
	}
	if c := waitState(t, p, serialport.Offline); c.Err == nil {
		t.Error("offline change carries no cause")
	}
	if _, err := p.Write([]byte("x")); !errors.Is(err, drivers.ErrOffline) {
		t.Errorf("write while unplugged: %v, want ErrOffline", err)
	}

	if err := v.Replug(); err != nil {
		t.Fatal(err)
	}
	// Reads drive the reopen; keep reading until the port is back.
	deadline := time.Now().Add(5 * time.Second)
	for !p.Online() && time.Now().Before(deadline) {
		p.Read(make([]byte, 16))
	}
	waitState(t, p, serialport.Online)
	if _, err := p.Write([]byte("again")); err != nil {
		t.Fatal(err)
	}
	readUntil(t, p, []byte("again"), 3*time.Second)
}

func TestPort_CloseEndsAPendingReadAndIsIdempotent(t *testing.T) {
	leakcheck.Check(t)
	v := newVPort(t, echo{})
	opts := fast
	opts.ReadTimeout = 500 * time.Millisecond
	p, err := serialport.Open(v.Path(), opts)
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() {
		var err error
		for err == nil || errors.Is(err, drivers.ErrTimeout) {
			_, err = p.Read(make([]byte, 16))
		}
		errc <- err
	}()
	time.Sleep(50 * time.Millisecond)
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	select {
	case err := <-errc:
		if !errors.Is(err, drivers.ErrClosed) {
			t.Errorf("pending read ended with %v, want ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("pending read did not end after Close")
	}
	if _, err := p.Write([]byte("x")); !errors.Is(err, drivers.ErrClosed) {
		t.Errorf("write after Close: %v, want ErrClosed", err)
	}
	if _, ok := <-p.States(); ok {
		// drain: the initial Online may still be buffered
		for range p.States() {
		}
	}
}

func TestOpen_MissingDeviceFailsUnlessAllowAbsent(t *testing.T) {
	leakcheck.Check(t)
	link := filepath.Join(t.TempDir(), "reader")
	if _, err := serialport.Open(link, fast); err == nil {
		t.Fatal("Open of a missing device succeeded")
	}
	opts := fast
	opts.AllowAbsent = true
	p, err := serialport.Open(link, opts)
	if err != nil {
		t.Fatalf("Open with AllowAbsent: %v", err)
	}
	defer p.Close()
	if p.Online() {
		t.Fatal("absent device reported online")
	}
	if _, err := p.Read(make([]byte, 8)); !errors.Is(err, drivers.ErrOffline) {
		t.Fatalf("read of absent device: %v, want ErrOffline", err)
	}
	// The device appears: the port finds it.
	v, err := sim.NewVirtualPortAt(echo{}, link)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	deadline := time.Now().Add(5 * time.Second)
	for !p.Online() && time.Now().Before(deadline) {
		p.Read(make([]byte, 8))
	}
	if !p.Online() {
		t.Fatal("port did not come online when the device appeared")
	}
	p.Write([]byte("ping"))
	readUntil(t, p, []byte("ping"), 3*time.Second)
}

func TestOpen_RejectsUnsupportedBaud(t *testing.T) {
	v := newVPort(t, echo{})
	opts := fast
	opts.Baud = 12345
	opts.AllowAbsent = true
	if p, err := serialport.Open(v.Path(), opts); err == nil {
		p.Close()
		t.Fatal("Open accepted baud 12345")
	}
}

func TestOpen_RejectsANonDevice(t *testing.T) {
	f := filepath.Join(t.TempDir(), "file")
	os.WriteFile(f, nil, 0o600)
	if p, err := serialport.Open(f, fast); err == nil {
		p.Close()
		t.Fatal("Open accepted a regular file")
	}
}

// A device node replaced behind the same path (a USB device re-enumerated
// while the old descriptor still answers with timeouts) counts as a
// disconnect: the port goes offline and reopens the new node.
func TestPort_ReplacedDeviceNodeIsADisconnect(t *testing.T) {
	leakcheck.Check(t)
	link := filepath.Join(t.TempDir(), "scanner")
	first, err := sim.NewVirtualPortAt(echo{}, link)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	p, err := serialport.Open(link, fast)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	waitState(t, p, serialport.Online)

	second := newVPort(t, echo{})
	tmp := link + ".tmp"
	if err := os.Symlink(second.Device(), tmp); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, link); err != nil {
		t.Fatal(err)
	}
	// The old node is still open and silent: the next read times out, sees
	// the path now names another node and takes the port offline.
	var readErr error
	for i := 0; i < 20 && !errors.Is(readErr, drivers.ErrOffline); i++ {
		_, readErr = p.Read(make([]byte, 8))
	}
	if !errors.Is(readErr, drivers.ErrOffline) {
		t.Fatalf("read after the node was replaced: %v, want ErrOffline", readErr)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !p.Online() && time.Now().Before(deadline) {
		p.Read(make([]byte, 8))
	}
	if _, err := p.Write([]byte("new node")); err != nil {
		t.Fatal(err)
	}
	readUntil(t, p, []byte("new node"), 3*time.Second)
}
