// Package serialport opens serial ports for the device drivers. It is the
// only package of the module that imports github.com/tarm/serial, so that
// tarm's quirks stay here and a later move to another library is a
// one-package change.
//
// What it adds on top of tarm/serial:
//
//   - A read timeout is always set (tarm without one blocks forever and Close
//     blocks behind the read). tarm reports a timeout as (0, io.EOF) on Linux
//     and (0, nil) on Windows; Port.Read turns both into an error wrapping
//     drivers.ErrTimeout, never into a disconnect.
//   - A vanished device (read or write error, the device node gone or
//     replaced, or a hung-up tty that keeps answering (0, io.EOF) at once)
//     turns the port offline: Read and Write return errors wrapping
//     drivers.ErrOffline, and the port reopens the same path with exponential
//     back-off. Reopening happens inside Read and Write (a driver's reader
//     goroutine calls Read all the time), so the package starts no
//     goroutines of its own. Every change between online and offline is
//     sent on the States channel.
//   - Close never hangs: a pending Read returns within one read timeout.
//
// # Concurrency
//
// One goroutine may Read while others Write; Close may be called from any
// goroutine, any number of times. State changes are delivered on States in
// the order they happened; the channel is buffered and, when nobody reads
// it, the oldest changes are dropped (the latest is always kept).
//
// Protocol notes: see DEVICES.md, "Serial ports and testing without hardware".
package serialport

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"
	"time"

	"github.com/tarm/serial"

	"hall/drivers"
)

// Defaults used for zero Options fields.
const (
	DefaultBaud        = 9600
	DefaultReadTimeout = 100 * time.Millisecond
	DefaultReopenMin   = 250 * time.Millisecond
	DefaultReopenMax   = 5 * time.Second
)

// fastEOFLimit is how many reads in a row may return (0, io.EOF) well before
// the read timeout before the port is taken for hung up: a tty whose USB
// device disappeared answers every read with 0 bytes at once.
const fastEOFLimit = 3

// Options configure a Port. The zero value is usable.
type Options struct {
	// Baud is the line speed; default DefaultBaud (9600). A pty ignores it.
	Baud int
	// ReadTimeout bounds one Read; default DefaultReadTimeout (100 ms).
	// tarm/serial works in tenths of a second: values are rounded down to
	// a multiple of 100 ms, with 100 ms the least and 25.5 s the most.
	ReadTimeout time.Duration
	// ReopenMin is the first wait before reopening a vanished device;
	// default DefaultReopenMin (250 ms). Each failed attempt doubles the wait
	// up to ReopenMax; default DefaultReopenMax (5 s).
	ReopenMin, ReopenMax time.Duration
	// AllowAbsent makes Open succeed when the device cannot be opened yet:
	// the port starts offline and keeps trying. Without it Open fails.
	AllowAbsent bool
}

func (o Options) withDefaults() Options {
	if o.Baud <= 0 {
		o.Baud = DefaultBaud
	}
	if o.ReadTimeout <= 0 {
		o.ReadTimeout = DefaultReadTimeout
	}
	if o.ReopenMin <= 0 {
		o.ReopenMin = DefaultReopenMin
	}
	if o.ReopenMax <= 0 {
		o.ReopenMax = DefaultReopenMax
	}
	if o.ReopenMax < o.ReopenMin {
		o.ReopenMax = o.ReopenMin
	}
	return o
}

// effectiveTimeout is the read timeout tarm/serial really applies.
func (o Options) effectiveTimeout() time.Duration {
	d := o.ReadTimeout / (100 * time.Millisecond) * (100 * time.Millisecond)
	return min(max(d, 100*time.Millisecond), 25500*time.Millisecond)
}

// openDevice opens the device; tests replace it to play devices whose
// behaviour a pty cannot show (a hung-up tty).
var openDevice = func(c *serial.Config) (io.ReadWriteCloser, error) {
	return serial.OpenPort(c)
}

// State is whether a port's device is reachable.
type State int

// Port states.
const (
	Offline State = iota
	Online
)

// String returns "online" or "offline".
func (s State) String() string {
	if s == Online {
		return "online"
	}
	return "offline"
}

// Change is one transition of a port, sent on Port.States.
type Change struct {
	State State
	// Err is why the port went offline (nil for Online).
	Err error
	At  time.Time
}

// Port is a serial port that survives its device being unplugged and
// plugged in again. It implements io.ReadWriteCloser.
type Port struct {
	path   string
	opts   Options
	closed chan struct{} // closed by Close
	states chan Change

	// mu guards the fields below.
	mu       sync.Mutex
	cur      io.ReadWriteCloser // the open device (a *serial.Port); nil while offline
	info     os.FileInfo        // identity of the device node cur was opened from
	gen      int                // incremented on every successful open
	nextTry  time.Time          // earliest next reopen attempt while offline
	backoff  time.Duration
	lastErr  error
	fastEOFs int
	isClosed bool
}

// Open opens the serial port at path (for example /dev/ttyUSB0, a
// /dev/serial/by-id/ link, COM3, or a VirtualPort's Path).
//
// Errors: an invalid baud rate, or — unless opts.AllowAbsent — any error
// opening the device (missing, permission denied, busy).
func Open(path string, opts Options) (*Port, error) {
	opts = opts.withDefaults()
	p := &Port{
		path:    path,
		opts:    opts,
		closed:  make(chan struct{}),
		states:  make(chan Change, 16),
		backoff: opts.ReopenMin,
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.openLocked(); err != nil {
		if !opts.AllowAbsent || errors.Is(err, errBadBaud) {
			return nil, fmt.Errorf("serialport: open %s: %w", path, err)
		}
	}
	return p, nil
}

var errBadBaud = errors.New("unsupported baud rate")

var supportedBauds = map[int]bool{
	1200: true, 2400: true, 4800: true, 9600: true, 19200: true, 38400: true,
	57600: true, 115200: true, 230400: true, 460800: true, 921600: true,
}

// openLocked tries to open the device once; it records the outcome and
// reports a transition. p.mu is held.
func (p *Port) openLocked() error {
	if !supportedBauds[p.opts.Baud] {
		return fmt.Errorf("%w: %d", errBadBaud, p.opts.Baud)
	}
	sp, err := openDevice(&serial.Config{
		Name:        p.path,
		Baud:        p.opts.Baud,
		ReadTimeout: p.opts.ReadTimeout,
	})
	if err == nil {
		p.info, err = os.Stat(p.path)
		if err != nil && runtime.GOOS == "windows" {
			p.info, err = nil, nil // COM ports cannot be stat'ed
		}
		if err != nil {
			sp.Close()
		}
	}
	now := time.Now()
	if err != nil {
		p.lastErr = err
		p.nextTry = now.Add(p.backoff)
		p.backoff = min(2*p.backoff, p.opts.ReopenMax)
		return err
	}
	p.cur = sp
	p.gen++
	p.fastEOFs = 0
	p.backoff = p.opts.ReopenMin
	p.lastErr = nil
	p.sendLocked(Change{State: Online, At: now})
	return nil
}

// sendLocked delivers a state change without blocking, dropping the oldest
// undelivered change when the buffer is full. p.mu is held.
func (p *Port) sendLocked(c Change) {
	for {
		select {
		case p.states <- c:
			return
		default:
		}
		select {
		case <-p.states:
		default:
		}
	}
}

// failLocked takes the port offline after an error on generation gen.
// p.mu is held.
func (p *Port) failLocked(gen int, cause error) {
	if p.cur == nil || gen != p.gen {
		return // already handled
	}
	p.cur.Close()
	p.cur = nil
	p.lastErr = cause
	p.backoff = p.opts.ReopenMin
	p.nextTry = time.Now().Add(p.opts.ReopenMin)
	p.sendLocked(Change{State: Offline, Err: cause, At: time.Now()})
}

// Path returns the path the port opens.
func (p *Port) Path() string { return p.path }

// States returns the channel on which online/offline changes are sent. It
// is closed by Close. The initial Online of a successful Open is on it too.
func (p *Port) States() <-chan Change { return p.states }

// Online reports whether the device is open right now.
func (p *Port) Online() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cur != nil
}

func (p *Port) offlineErr(cause error) error {
	if cause == nil {
		return fmt.Errorf("serialport %s: %w", p.path, drivers.ErrOffline)
	}
	return fmt.Errorf("serialport %s: %w: %w", p.path, drivers.ErrOffline, cause)
}

func (p *Port) closedErr() error {
	return fmt.Errorf("serialport %s: %w", p.path, drivers.ErrClosed)
}

// acquire returns the open device, reopening it if the back-off allows.
// While offline and not yet due, it waits up to one read timeout when wait
// is set (so a reader loop does not spin) and then reports offline.
func (p *Port) acquire(wait bool) (io.ReadWriteCloser, int, error) {
	for attempt := 0; ; attempt++ {
		p.mu.Lock()
		if p.isClosed {
			p.mu.Unlock()
			return nil, 0, p.closedErr()
		}
		if p.cur != nil {
			sp, gen := p.cur, p.gen
			p.mu.Unlock()
			return sp, gen, nil
		}
		d := time.Until(p.nextTry)
		if d <= 0 {
			err := p.openLocked()
			sp, gen := p.cur, p.gen
			p.mu.Unlock()
			if err != nil {
				return nil, 0, p.offlineErr(err)
			}
			return sp, gen, nil
		}
		cause := p.lastErr
		p.mu.Unlock()
		if !wait || attempt > 0 {
			return nil, 0, p.offlineErr(cause)
		}
		t := time.NewTimer(min(d, p.opts.effectiveTimeout()))
		select {
		case <-t.C:
		case <-p.closed:
			t.Stop()
			return nil, 0, p.closedErr()
		}
	}
}

// Read reads what the device sent, waiting at most the read timeout.
//
// Errors: nothing arrived in time wraps drivers.ErrTimeout; the device is
// gone or not back yet wraps drivers.ErrOffline (Read then waits up to one
// read timeout before returning, so a loop does not spin); after Close it
// wraps drivers.ErrClosed.
func (p *Port) Read(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	sp, gen, err := p.acquire(true)
	if err != nil {
		return 0, err
	}
	start := time.Now()
	n, err := sp.Read(b)
	if n > 0 {
		p.mu.Lock()
		if gen == p.gen {
			p.fastEOFs = 0
		}
		p.mu.Unlock()
		return n, nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.isClosed {
		return 0, p.closedErr()
	}
	if err != nil && err != io.EOF {
		p.failLocked(gen, err)
		return 0, p.offlineErr(err)
	}
	// (0, io.EOF) on Linux, (0, nil) on Windows: a timeout, unless the
	// device node went away or the tty was hung up.
	if !p.sameDeviceLocked() {
		cause := errors.New("device node removed or replaced")
		p.failLocked(gen, cause)
		return 0, p.offlineErr(cause)
	}
	if gen == p.gen {
		if time.Since(start) < p.opts.effectiveTimeout()/4 {
			p.fastEOFs++
		} else {
			p.fastEOFs = 0
		}
		if p.fastEOFs >= fastEOFLimit {
			cause := errors.New("tty hung up")
			p.failLocked(gen, cause)
			return 0, p.offlineErr(cause)
		}
	}
	return 0, fmt.Errorf("serialport %s: read: %w", p.path, drivers.ErrTimeout)
}

// sameDeviceLocked reports whether path still names the node that was
// opened. p.mu is held.
func (p *Port) sameDeviceLocked() bool {
	if p.info == nil {
		return true
	}
	fi, err := os.Stat(p.path)
	return err == nil && os.SameFile(fi, p.info)
}

// Write sends b to the device. It returns once the operating system took
// the bytes; without flow control a port drains at line speed, so this is
// bounded (a pty whose other side stops reading can block it, though).
//
// Errors: the device is gone or not back yet wraps drivers.ErrOffline
// (Write does not wait for it); after Close it wraps drivers.ErrClosed.
func (p *Port) Write(b []byte) (int, error) {
	sp, gen, err := p.acquire(false)
	if err != nil {
		return 0, err
	}
	n, err := sp.Write(b)
	if err != nil {
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.isClosed {
			return n, p.closedErr()
		}
		p.failLocked(gen, err)
		return n, p.offlineErr(err)
	}
	return n, nil
}

// Close closes the port and the States channel. A Read in progress returns
// within one read timeout with an error wrapping drivers.ErrClosed. Close
// is idempotent and never blocks on the device; it returns the error of
// closing the device, if any.
func (p *Port) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.isClosed {
		return nil
	}
	p.isClosed = true
	close(p.closed)
	close(p.states)
	var err error
	if p.cur != nil {
		err = p.cur.Close()
		p.cur = nil
	}
	return err
}
