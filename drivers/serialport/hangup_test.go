package serialport

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tarm/serial"

	"hall/drivers"
)

// hungUp plays a tty whose USB device went away: Linux answers every read
// with 0 bytes at once, which tarm/serial reports like a timeout.
type hungUp struct{}

func (hungUp) Read([]byte) (int, error)    { return 0, io.EOF }
func (hungUp) Write(b []byte) (int, error) { return len(b), nil }
func (hungUp) Close() error                { return nil }

// slow plays a healthy silent device: reads time out after the timeout.
type slow struct{ d time.Duration }

func (s slow) Read([]byte) (int, error)  { time.Sleep(s.d); return 0, io.EOF }
func (slow) Write(b []byte) (int, error) { return len(b), nil }
func (slow) Close() error                { return nil }

func withDevice(t *testing.T, dev io.ReadWriteCloser) string {
	t.Helper()
	old := openDevice
	openDevice = func(*serial.Config) (io.ReadWriteCloser, error) { return dev, nil }
	t.Cleanup(func() { openDevice = old })
	path := filepath.Join(t.TempDir(), "ttyUSB0")
	if err := os.WriteFile(path, nil, 0o600); err != nil { // something to stat
		t.Fatal(err)
	}
	return path
}

func TestRead_HungUpTTYGoesOffline(t *testing.T) {
	// A long timeout keeps "at once" unambiguous on a loaded machine.
	p, err := Open(withDevice(t, hungUp{}), Options{ReadTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	var errs []error
	for range fastEOFLimit {
		_, err := p.Read(make([]byte, 8))
		errs = append(errs, err)
	}
	for _, err := range errs[:fastEOFLimit-1] {
		if !errors.Is(err, drivers.ErrTimeout) {
			t.Fatalf("early instant EOF: %v, want a timeout", err)
		}
	}
	if last := errs[fastEOFLimit-1]; !errors.Is(last, drivers.ErrOffline) {
		t.Fatalf("read %d of a hung-up tty: %v, want ErrOffline", fastEOFLimit, last)
	}
	if p.Online() {
		t.Error("still online")
	}
}

func TestRead_RealTimeoutsNeverGoOffline(t *testing.T) {
	p, err := Open(withDevice(t, slow{d: 100 * time.Millisecond}), Options{ReadTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for i := range fastEOFLimit + 2 {
		if _, err := p.Read(make([]byte, 8)); !errors.Is(err, drivers.ErrTimeout) {
			t.Fatalf("read %d: %v, want a timeout", i, err)
		}
	}
	if !p.Online() {
		t.Error("a silent device went offline")
	}
}

func TestRead_RemovedDeviceNodeGoesOffline(t *testing.T) {
	path := withDevice(t, slow{d: time.Millisecond * 100})
	p, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	os.Remove(path)
	if _, err := p.Read(make([]byte, 8)); !errors.Is(err, drivers.ErrOffline) {
		t.Fatalf("read after the node disappeared: %v, want ErrOffline", err)
	}
}
