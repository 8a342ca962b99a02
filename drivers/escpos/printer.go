package escpos

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"hall/drivers"
)

// Printer is a drivers.Printer speaking ESC/POS on a port. Create it with New.
//
// Its methods are safe for concurrent use: status queries and receipts are serialised.
type Printer struct {
	port io.ReadWriter
	o    Options

	// mu serialises conversations on the port (a query and its reply, or one receipt).
	mu sync.Mutex

	rt   chan byte     // real-time replies from the reader goroutine
	done chan struct{} // closed when the reader goroutine has ended

	readErr   error // why the reader ended; written before done is closed
	closed    atomic.Bool
	closeOnce sync.Once

	// autoMu guards auto and autoAt.
	autoMu sync.Mutex
	auto   drivers.PrinterStatus
	autoAt time.Time
}

var _ drivers.Printer = (*Printer)(nil)

// New starts a Printer on port and takes ownership of it: Close closes the port if it is an
// io.Closer. The port must be an io.Closer or return from Read now and then (a read timeout,
// reported as an error wrapping drivers.ErrTimeout), so that Close can stop the reader
// goroutine. With o.AutoStatus, New sends GS a 0x0E. It fails for invalid options or when that
// write fails; the port is not closed then.
func New(port io.ReadWriter, o Options) (*Printer, error) {
	o, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	if o.AutoStatus {
		if _, err := port.Write([]byte{0x1D, 0x61, 0x0E}); err != nil {
			return nil, fmt.Errorf("escpos: enable automatic status: %w", err)
		}
	}
	p := &Printer{port: port, o: o, rt: make(chan byte, 8), done: make(chan struct{})}
	go p.readLoop()
	return p, nil
}

// readLoop is the port's one reader goroutine.
func (p *Printer) readLoop() {
	defer close(p.done)
	var dec StatusDecoder
	buf := make([]byte, 256)
	for {
		n, err := p.port.Read(buf)
		for _, b := range buf[:n] {
			ev, ok := dec.Feed(b)
			if !ok {
				continue
			}
			if ev.Auto {
				p.gotAuto(ev.Packet)
				continue
			}
			select {
			case p.rt <- ev.Realtime:
			default: // nobody asked: a stale reply; drop it
			}
		}
		if p.closed.Load() {
			p.readErr = drivers.ErrClosed
			return
		}
		if err != nil && !drivers.IsTransient(err) {
			p.readErr = err
			return
		}
	}
}

func (p *Printer) gotAuto(pkt [4]byte) {
	s, err := ParseAuto(pkt)
	if err != nil { // cannot happen: the decoder checked the bits
		return
	}
	p.autoMu.Lock()
	p.auto, p.autoAt = s, time.Now()
	p.autoMu.Unlock()
	if p.o.OnStatus != nil {
		p.o.OnStatus(s)
	}
}

// AutoStatus returns the last status the printer sent by itself (automatic status back) and
// when it arrived; ok is false when none arrived yet (or AutoStatus is off).
func (p *Printer) AutoStatus() (s drivers.PrinterStatus, at time.Time, ok bool) {
	p.autoMu.Lock()
	defer p.autoMu.Unlock()
	return p.auto, p.autoAt, !p.autoAt.IsZero()
}

// errDone returns the error for calls after the reader ended.
func (p *Printer) errDone() error {
	if p.closed.Load() {
		return drivers.ErrClosed
	}
	if p.readErr == nil {
		return drivers.ErrClosed
	}
	return p.readErr
}

// query sends DLE EOT n and waits for its one-byte reply. p.mu is held.
func (p *Printer) queryLocked(ctx context.Context, n int) (byte, error) {
	for { // a late reply to an earlier query must not answer this one
		select {
		case <-p.rt:
			continue
		default:
		}
		break
	}
	select {
	case <-p.done:
		return 0, p.errDone()
	default:
	}
	if _, err := p.port.Write([]byte{0x10, 0x04, byte(n)}); err != nil {
		return 0, err
	}
	t := time.NewTimer(p.o.ReplyTimeout)
	defer t.Stop()
	select {
	case b := <-p.rt:
		return b, nil
	case <-t.C:
		return 0, fmt.Errorf("no reply to DLE EOT %d: %w", n, drivers.ErrTimeout)
	case <-ctx.Done():
		return 0, ctx.Err()
	case <-p.done:
		return 0, p.errDone()
	}
}

func (p *Printer) statusLocked(ctx context.Context) (drivers.PrinterStatus, error) {
	var s drivers.PrinterStatus
	for _, n := range []int{StatusPrinter, StatusOffline, StatusPaper} {
		b, err := p.queryLocked(ctx, n)
		if err != nil {
			return s, err
		}
		if s, err = ParseRealtime(s, n, b); err != nil {
			return s, err
		}
	}
	return s, nil
}

// Status asks DLE EOT 1, 2 and 4 in turn and combines the replies. It fails with an error
// wrapping drivers.ErrTimeout when a reply does not come within Options.ReplyTimeout,
// ctx.Err(), drivers.ErrClosed after Close, or the port's error.
func (p *Printer) Status(ctx context.Context) (drivers.PrinterStatus, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	s, err := p.statusLocked(ctx)
	if err != nil {
		return s, fmt.Errorf("escpos: status: %w", err)
	}
	return s, nil
}

// Print encodes r (see Encode), checks the status, and sends r when the printer is ready. It
// returns the status seen before printing (PaperNearEnd is a warning). It fails with an error
// wrapping ErrInvalidReceipt before talking to the printer, a *drivers.NotReadyError when the
// printer is not ready (nothing is sent), a Status error, or the port's write error (part of
// the receipt may have been printed then).
func (p *Printer) Print(ctx context.Context, r drivers.Receipt) (drivers.PrinterStatus, error) {
	data, err := Encode(r, p.o)
	if err != nil {
		return drivers.PrinterStatus{}, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	s, err := p.statusLocked(ctx)
	if err != nil {
		return s, fmt.Errorf("escpos: print: %w", err)
	}
	if err := s.Err(); err != nil {
		return s, fmt.Errorf("escpos: print: %w", err)
	}
	if _, err := p.port.Write(data); err != nil {
		return s, fmt.Errorf("escpos: print: %w", err)
	}
	return s, nil
}

// Close stops the reader goroutine: it closes the port if the port is an io.Closer and waits
// for the goroutine to end. It is idempotent and returns the port's Close error the first
// time.
func (p *Printer) Close() error {
	var err error
	p.closeOnce.Do(func() {
		p.closed.Store(true)
		if c, ok := p.port.(io.Closer); ok {
			err = c.Close()
		}
		<-p.done
		if errors.Is(err, drivers.ErrClosed) {
			err = nil
		}
	})
	return err
}
