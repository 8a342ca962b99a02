//go:build linux

package sim

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// serveStopWait bounds how long Unplug and Close wait for a device's Serve
// to return after its port was closed.
const serveStopWait = 5 * time.Second

// VirtualPort is a virtual serial port on a pty: a Device serves on the
// master side; a driver opens Path (the slave side) with drivers/serialport
// exactly as it would open a real port.
//
// Path is a symbolic link that stays the same across Unplug and Replug,
// like a /dev/serial/by-id/ name: Unplug closes the pty (the driver's reads
// and writes fail, as with a USB device pulled out) and removes the link;
// Replug creates a new pty and points the link at it, so a driver that
// reopens by path finds the device again.
//
// The port keeps its own descriptor of the slave open, so the master does
// not see a hang-up while the driver closes and reopens the slave, and sets
// the slave to raw mode (no echo) at once, so nothing the device writes
// before the driver opens is echoed back to it. The master is non-blocking
// and no read deadline is ever set on it: closing it ends the device's
// pending reads and writes.
//
// All methods are safe for concurrent use. VirtualPort is Linux-only.
type VirtualPort struct {
	dev    Device
	link   string
	tmpDir string // removed on Close when the port created it

	// mu guards the fields below.
	mu      sync.Mutex
	master  *os.File
	slave   *os.File
	cancel  context.CancelFunc
	done    chan struct{} // closed when the current Serve returned
	errc    chan error    // the current Serve's result (buffered)
	lastErr error         // the last unexpected Serve error
	plugged bool
	closed  bool
}

// NewVirtualPort opens a pty, links it under a new temporary directory and
// starts dev.Serve on its master. The caller must Close the port.
//
// Errors: the pty, the directory or the link cannot be created.
func NewVirtualPort(dev Device) (*VirtualPort, error) {
	dir, err := os.MkdirTemp("", "hall-vport-")
	if err != nil {
		return nil, fmt.Errorf("sim: virtual port: %w", err)
	}
	v, err := NewVirtualPortAt(dev, filepath.Join(dir, "tty"))
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	v.tmpDir = dir
	return v, nil
}

// NewVirtualPortAt is NewVirtualPort with the link at the given path; an
// existing symbolic link there is replaced (a stale one from an earlier
// run), anything else is an error. The directory must exist.
//
// Errors: link exists and is not a symbolic link; the pty or link cannot be
// created.
func NewVirtualPortAt(dev Device, link string) (*VirtualPort, error) {
	if fi, err := os.Lstat(link); err == nil && fi.Mode()&os.ModeSymlink == 0 {
		return nil, fmt.Errorf("sim: virtual port: %s exists and is not a symbolic link", link)
	}
	v := &VirtualPort{dev: dev, link: link}
	v.mu.Lock()
	defer v.mu.Unlock()
	if err := v.plugLocked(); err != nil {
		return nil, err
	}
	return v, nil
}

// Path returns the stable name a driver opens.
func (v *VirtualPort) Path() string { return v.link }

// Device returns the pty slave the link points at now (like /dev/pts/7),
// or "" while unplugged.
func (v *VirtualPort) Device() string {
	v.mu.Lock()
	defer v.mu.Unlock()
	if !v.plugged {
		return ""
	}
	return v.slave.Name()
}

// Plugged reports whether the device is plugged in.
func (v *VirtualPort) Plugged() bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.plugged
}

// Err returns the last error with which the device's Serve ended other than
// by Unplug or Close, or nil.
func (v *VirtualPort) Err() error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.plugged {
		select {
		case err := <-v.errc:
			v.recordLocked(err)
		default:
		}
	}
	return v.lastErr
}

func (v *VirtualPort) recordLocked(err error) {
	if err != nil && !errors.Is(err, context.Canceled) {
		v.lastErr = err
	}
}

// openPTY opens a pty whose master is non-blocking (so Close interrupts
// pending I/O) and whose slave is in raw mode.
func openPTY() (master, slave *os.File, err error) {
	p, t, err := pty.Open()
	if err != nil {
		return nil, nil, err
	}
	// pty.Open leaves the master in blocking mode (it calls Fd), where Close
	// does not interrupt a pending Read. Re-wrap a non-blocking duplicate
	// so that the runtime poller manages it.
	fd, err := unix.Dup(int(p.Fd()))
	p.Close()
	if err != nil {
		t.Close()
		return nil, nil, err
	}
	unix.CloseOnExec(fd)
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		t.Close()
		return nil, nil, err
	}
	master = os.NewFile(uintptr(fd), "/dev/ptmx")
	if err := makeRaw(t); err != nil {
		master.Close()
		t.Close()
		return nil, nil, err
	}
	return master, t, nil
}

// makeRaw is cfmakeraw(3) on f.
func makeRaw(f *os.File) error {
	sc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var ioErr error
	err = sc.Control(func(fd uintptr) {
		t, err := unix.IoctlGetTermios(int(fd), unix.TCGETS)
		if err != nil {
			ioErr = err
			return
		}
		t.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON
		t.Oflag &^= unix.OPOST
		t.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
		t.Cflag &^= unix.CSIZE | unix.PARENB
		t.Cflag |= unix.CS8
		t.Cc[unix.VMIN] = 1
		t.Cc[unix.VTIME] = 0
		ioErr = unix.IoctlSetTermios(int(fd), unix.TCSETS, t)
	})
	if err != nil {
		return err
	}
	return ioErr
}

func (v *VirtualPort) plugLocked() error {
	master, slave, err := openPTY()
	if err != nil {
		return fmt.Errorf("sim: virtual port: open pty: %w", err)
	}
	// Point the link at the new slave atomically.
	tmp := v.link + ".new"
	os.Remove(tmp)
	if err := os.Symlink(slave.Name(), tmp); err != nil {
		master.Close()
		slave.Close()
		return fmt.Errorf("sim: virtual port: %w", err)
	}
	if err := os.Rename(tmp, v.link); err != nil {
		os.Remove(tmp)
		master.Close()
		slave.Close()
		return fmt.Errorf("sim: virtual port: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	errc := make(chan error, 1)
	v.master, v.slave, v.cancel, v.done, v.errc = master, slave, cancel, done, errc
	v.plugged = true
	go func() {
		defer close(done)
		errc <- v.dev.Serve(ctx, master)
	}()
	return nil
}

func (v *VirtualPort) unplugLocked() error {
	if !v.plugged {
		return nil
	}
	v.plugged = false
	rmErr := os.Remove(v.link)
	if errors.Is(rmErr, os.ErrNotExist) {
		rmErr = nil
	}
	v.cancel()
	v.master.Close()
	v.slave.Close()
	t := time.NewTimer(serveStopWait)
	defer t.Stop()
	select {
	case <-v.done:
		select {
		case err := <-v.errc:
			if !errors.Is(err, os.ErrClosed) {
				v.recordLocked(err)
			}
		default:
		}
	case <-t.C:
		return fmt.Errorf("sim: virtual port %s: device did not stop within %v", v.link, serveStopWait)
	}
	return rmErr
}

// Unplug simulates pulling the device out: the pty is closed (the driver's
// reads and writes fail), the link removed and the device's Serve stopped.
// Unplugging an unplugged port does nothing.
//
// Errors: after Close; the device did not stop within 5 s; the link could
// not be removed.
func (v *VirtualPort) Unplug() error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.closed {
		return errors.New("sim: virtual port: closed")
	}
	return v.unplugLocked()
}

// Replug simulates plugging the device in again: a new pty behind the same
// Path, with the same Device serving. Replugging a plugged port does
// nothing.
//
// Errors: after Close; the pty or the link could not be created.
func (v *VirtualPort) Replug() error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.closed {
		return errors.New("sim: virtual port: closed")
	}
	if v.plugged {
		return nil
	}
	return v.plugLocked()
}

// Close unplugs the device for good and removes the link (and the
// temporary directory NewVirtualPort made). It is idempotent.
//
// Errors: as Unplug.
func (v *VirtualPort) Close() error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.closed {
		return nil
	}
	v.closed = true
	err := v.unplugLocked()
	if v.tmpDir != "" {
		os.RemoveAll(v.tmpDir)
	}
	return err
}
