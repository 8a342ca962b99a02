//go:build linux

package sim_test

import (
	"context"
	"errors"
	"hall/drivers/internal/leakcheck"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"hall/drivers/sim"
)

// recorder is a device that records what it reads and says hello first.
type recorder struct {
	mu     sync.Mutex
	got    []byte
	serves int
}

func (r *recorder) Serve(ctx context.Context, port io.ReadWriter) error {
	r.mu.Lock()
	r.serves++
	r.mu.Unlock()
	if _, err := port.Write([]byte("hello")); err != nil {
		return err
	}
	b := make([]byte, 64)
	for {
		n, err := port.Read(b)
		r.mu.Lock()
		r.got = append(r.got, b[:n]...)
		r.mu.Unlock()
		if err != nil {
			return err
		}
	}
}

func (r *recorder) received() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return string(r.got)
}

// openSlave opens the port's path the way a terminal program would (no
// tarm/serial here: that is drivers/serialport's test).
func openSlave(t *testing.T, path string) *os.File {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func readFor(t *testing.T, f *os.File, want string) {
	t.Helper()
	f.SetReadDeadline(time.Now().Add(3 * time.Second))
	buf := make([]byte, len(want))
	if _, err := io.ReadFull(f, buf); err != nil || string(buf) != want {
		t.Fatalf("read %q, %v; want %q", buf, err, want)
	}
}

func TestVirtualPort_TalksRawBothWays(t *testing.T) {
	leakcheck.Check(t)
	dev := &recorder{}
	v, err := sim.NewVirtualPort(dev)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	// The device wrote before anyone opened the port: raw mode means the
	// bytes wait for the driver and are not echoed back to the device.
	time.Sleep(20 * time.Millisecond)
	f := openSlave(t, v.Path())
	defer f.Close()
	readFor(t, f, "hello")
	f.Write([]byte("abc\r\n"))
	deadline := time.Now().Add(3 * time.Second)
	for dev.received() != "abc\r\n" && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if got := dev.received(); got != "abc\r\n" {
		t.Errorf("device received %q, want %q (no echo, no CR/LF translation)", got, "abc\r\n")
	}
}

func TestVirtualPort_UnplugAndReplugKeepThePath(t *testing.T) {
	leakcheck.Check(t)
	dev := &recorder{}
	v, err := sim.NewVirtualPort(dev)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	path, first := v.Path(), v.Device()
	f := openSlave(t, path)
	defer f.Close()
	readFor(t, f, "hello")

	if err := v.Unplug(); err != nil {
		t.Fatal(err)
	}
	if v.Plugged() || v.Device() != "" {
		t.Error("still plugged after Unplug")
	}
	if _, err := os.Lstat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("link still there after Unplug: %v", err)
	}
	// The open slave sees the device gone.
	f.SetReadDeadline(time.Now().Add(3 * time.Second))
	if _, err := f.Read(make([]byte, 8)); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("read on an unplugged port: %v, want an I/O error", err)
	}
	if err := v.Unplug(); err != nil {
		t.Errorf("second Unplug: %v", err)
	}

	if err := v.Replug(); err != nil {
		t.Fatal(err)
	}
	if v.Path() != path || !v.Plugged() {
		t.Fatalf("after Replug: path %q plugged %v", v.Path(), v.Plugged())
	}
	t.Logf("pty %s, then %s", first, v.Device())
	g := openSlave(t, path)
	defer g.Close()
	readFor(t, g, "hello")
	if dev.serves != 2 {
		t.Errorf("Serve ran %d times, want 2", dev.serves)
	}
	if err := v.Err(); err != nil {
		t.Errorf("Err() = %v after a clean unplug", err)
	}
}

func TestVirtualPort_CloseIsIdempotentAndCleansUp(t *testing.T) {
	leakcheck.Check(t)
	v, err := sim.NewVirtualPort(&recorder{})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(v.Path())
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	if err := v.Close(); err != nil {
		t.Fatal("second Close:", err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("temporary directory left behind: %v", err)
	}
	if err := v.Replug(); err == nil {
		t.Error("Replug after Close succeeded")
	}
}

func TestNewVirtualPortAt_ReplacesAStaleLinkOnly(t *testing.T) {
	leakcheck.Check(t)
	dir := t.TempDir()
	stale := filepath.Join(dir, "reader")
	os.Symlink("/dev/pts/does-not-exist", stale)
	v, err := sim.NewVirtualPortAt(&recorder{}, stale)
	if err != nil {
		t.Fatalf("stale link: %v", err)
	}
	v.Close()
	file := filepath.Join(dir, "file")
	os.WriteFile(file, nil, 0o600)
	if v, err := sim.NewVirtualPortAt(&recorder{}, file); err == nil {
		v.Close()
		t.Error("replaced a regular file")
	}
}

// failing is a device whose Serve fails at once.
type failing struct{}

func (failing) Serve(context.Context, io.ReadWriter) error { return errors.New("broken device") }

func TestVirtualPort_ErrReportsADeviceFailure(t *testing.T) {
	leakcheck.Check(t)
	v, err := sim.NewVirtualPort(failing{})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	deadline := time.Now().Add(3 * time.Second)
	for v.Err() == nil && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if err := v.Err(); err == nil || err.Error() != "broken device" {
		t.Errorf("Err() = %v", err)
	}
}
