// Package barcode drives barcode and QR code scanners in serial mode: the
// scanner sends each decoded code as text followed by CR or CR LF (usually
// at 9600 8N1) and expects nothing back. USB scanners must be switched to
// USB-CDC mode to appear as serial ports. See DEVICES.md, "Barcode / QR
// scanner".
//
// The package owns line framing (Splitter: configurable terminator, length
// cap with resynchronisation at the next terminator, trimming, empty lines
// ignored) and the Scanner driver (duplicate suppression and delivery
// through drivers.Scanner). Every code is untrusted input: callers check
// prefixes and check digits of their own codes.
//
// # Concurrency
//
// A Scanner owns one goroutine, the port's only reader, which frames lines
// and suppresses duplicates; it stops on Close. NextScan may be called from
// one goroutine at a time; Close from any. A Splitter is not safe for
// concurrent use.
package barcode

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"
	"unicode"

	"hall/drivers"
)

// Defaults used for zero Options fields.
const (
	DefaultBaud        = 9600 // for drivers/serialport; the driver itself ignores it
	DefaultMaxLen      = 512
	DefaultDedupWindow = time.Second
	DefaultBuffer      = 16
)

// ErrLineTooLong reports a line longer than the cap; the line is dropped
// and framing resumes after the next terminator.
var ErrLineTooLong = errors.New("barcode: line too long")

// Splitter cuts a byte stream into trimmed, non-empty lines.
type Splitter struct {
	term     byte // 0: CR or LF
	max      int
	line     []byte
	overflow int // bytes of the current line beyond the cap, 0 if none
}

// NewSplitter returns a Splitter. term is the terminator byte; 0 means CR
// or LF (so CR, LF and CR LF all work). maxLen caps a line in bytes
// before trimming (DefaultMaxLen when <= 0).
func NewSplitter(term byte, maxLen int) *Splitter {
	if maxLen <= 0 {
		maxLen = DefaultMaxLen
	}
	return &Splitter{term: term, max: maxLen}
}

func (s *Splitter) isTerm(c byte) bool {
	if s.term == 0 {
		return c == '\r' || c == '\n'
	}
	return c == s.term
}

// Feed consumes b and calls emit, in stream order, with each complete line
// (white space and control characters trimmed from both ends; empty lines
// are skipped) or with an error wrapping
// ErrLineTooLong for a line over the cap. Bytes after the last terminator
// are kept for the next Feed.
func (s *Splitter) Feed(b []byte, emit func(line string, err error)) {
	for len(b) > 0 {
		i := -1
		for j, c := range b {
			if s.isTerm(c) {
				i = j
				break
			}
		}
		chunk := b
		if i >= 0 {
			chunk = b[:i]
		}
		s.add(chunk)
		if i < 0 {
			return
		}
		s.end(emit)
		b = b[i+1:]
	}
}

func (s *Splitter) add(chunk []byte) {
	if s.overflow > 0 {
		s.overflow += len(chunk)
		return
	}
	if room := s.max - len(s.line); len(chunk) > room {
		s.overflow = len(s.line) + len(chunk)
		s.line = s.line[:0]
		return
	}
	s.line = append(s.line, chunk...)
}

func (s *Splitter) end(emit func(string, error)) {
	if s.overflow > 0 {
		emit("", fmt.Errorf("%w: %d bytes, cap %d", ErrLineTooLong, s.overflow, s.max))
		s.overflow = 0
		return
	}
	line := string(bytes.TrimFunc(s.line, isPadding))
	s.line = s.line[:0]
	if line != "" {
		emit(line, nil)
	}
}

// isPadding reports white space and control characters, trimmed from both
// ends of a line.
func isPadding(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }

// Pending returns how many bytes of an unfinished line are held.
func (s *Splitter) Pending() int { return len(s.line) + s.overflow }

// Options configure a Scanner. The zero value is usable.
type Options struct {
	// Terminator ends a code; 0 (the default) accepts CR, LF and CR LF.
	Terminator byte
	// MaxLen caps a line in bytes; default 512.
	MaxLen int
	// DedupWindow drops a code equal to the previous one seen less than
	// this long before (the window restarts with every sighting, so a code
	// held under the scanner is reported once); default 1 s, negative
	// turns suppression off.
	DedupWindow time.Duration
	// Buffer is how many scans wait for NextScan; default 16. When it is
	// full, new scans are dropped (and counted, see Dropped): a code
	// scanned while nobody listens is stale.
	Buffer int
	// Now is the clock; default time.Now.
	Now func() time.Time
}

func (o Options) withDefaults() Options {
	if o.MaxLen <= 0 {
		o.MaxLen = DefaultMaxLen
	}
	if o.DedupWindow == 0 {
		o.DedupWindow = DefaultDedupWindow
	}
	if o.Buffer <= 0 {
		o.Buffer = DefaultBuffer
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

type result struct {
	scan drivers.Scan
	err  error
}

// Scanner reads codes from a serial scanner. It implements
// drivers.Scanner.
type Scanner struct {
	port       io.Reader
	opts       Options
	out        chan result
	done       chan struct{} // closed by Close
	readerDone chan struct{} // closed when the read loop ended
	readErr    error         // why it ended; set before readerDone closes
	dropped    atomic.Int64
	closeOnce  sync.Once
	closeErr   error
}

// New starts a Scanner reading port (the scanner sends, the driver never
// writes). The caller must Close it.
func New(port io.Reader, opts Options) *Scanner {
	s := &Scanner{
		port:       port,
		opts:       opts.withDefaults(),
		done:       make(chan struct{}),
		readerDone: make(chan struct{}),
	}
	s.out = make(chan result, s.opts.Buffer)
	go s.readLoop()
	return s
}

// readLoop is the port's only reader; it owns the splitter and the
// duplicate state.
func (s *Scanner) readLoop() {
	defer close(s.readerDone)
	sp := NewSplitter(s.opts.Terminator, s.opts.MaxLen)
	var last string
	var lastAt time.Time
	emit := func(line string, err error) {
		if err == nil {
			now := s.opts.Now()
			dup := s.opts.DedupWindow > 0 && line == last && now.Sub(lastAt) < s.opts.DedupWindow
			last, lastAt = line, now
			if dup {
				return
			}
			s.push(result{scan: drivers.Scan{Code: line, At: now}})
			return
		}
		s.push(result{err: err})
	}
	buf := make([]byte, 1024)
	for {
		n, err := s.port.Read(buf)
		if n > 0 {
			sp.Feed(buf[:n], emit)
		}
		select {
		case <-s.done:
			s.readErr = drivers.ErrClosed
			return
		default:
		}
		if err != nil && !drivers.IsTransient(err) {
			s.readErr = err
			return
		}
	}
}

func (s *Scanner) push(r result) {
	select {
	case s.out <- r:
	default:
		s.dropped.Add(1)
	}
}

// Dropped returns how many scans were dropped because nobody took them.
func (s *Scanner) Dropped() int64 { return s.dropped.Load() }

// NextScan waits for the next code.
//
// Errors: an over-long line wraps ErrLineTooLong (call again). Final:
// ctx.Err(); drivers.ErrClosed after Close, or wrapping the port's error
// when the port failed for good (after the scans already received).
func (s *Scanner) NextScan(ctx context.Context) (drivers.Scan, error) {
	select {
	case r := <-s.out:
		return r.scan, r.err
	case <-ctx.Done():
		return drivers.Scan{}, ctx.Err()
	case <-s.done:
		return drivers.Scan{}, fmt.Errorf("barcode: %w", drivers.ErrClosed)
	case <-s.readerDone:
		select {
		case r := <-s.out:
			return r.scan, r.err
		default:
		}
		if errors.Is(s.readErr, drivers.ErrClosed) {
			return drivers.Scan{}, fmt.Errorf("barcode: %w", s.readErr)
		}
		return drivers.Scan{}, fmt.Errorf("barcode: %w: port read: %w", drivers.ErrClosed, s.readErr)
	}
}

// Close stops the Scanner and closes the port if it is an io.Closer, then
// waits for the read loop to end (a port that is not an io.Closer and never
// returns from Read is left behind). Close is idempotent and returns the
// port's Close error.
func (s *Scanner) Close() error {
	s.closeOnce.Do(func() {
		close(s.done)
		if c, ok := s.port.(io.Closer); ok {
			s.closeErr = c.Close()
			<-s.readerDone
		}
	})
	return s.closeErr
}

var _ drivers.Scanner = (*Scanner)(nil)
