package idcard

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"hall/drivers"
)

// Defaults used for zero Options fields.
const (
	DefaultBaud         = 115200 // for drivers/serialport; the reader itself ignores it
	DefaultReplyTimeout = 3 * time.Second
	DefaultPollInterval = time.Second
)

// Options configure a Reader. The zero value is usable.
type Options struct {
	// ReplyTimeout bounds the wait for one reply; default 3 s (reading a
	// card takes about 1 s).
	ReplyTimeout time.Duration
	// PollInterval is the pause between two "find card" polls of NextCard;
	// default 1 s.
	PollInterval time.Duration
	// MaxFrameLen caps a reply's LEN field; default DefaultMaxLen (4096).
	MaxFrameLen int
	// AppendedAddress makes NextCard also ask for the appended address
	// (30 03) and fill Card.NewAddress. Default off.
	AppendedAddress bool
	// Now gives the date for the card checks; default time.Now.
	Now func() time.Time
}

func (o Options) withDefaults() Options {
	if o.ReplyTimeout <= 0 {
		o.ReplyTimeout = DefaultReplyTimeout
	}
	if o.PollInterval <= 0 {
		o.PollInterval = DefaultPollInterval
	}
	if o.MaxFrameLen <= 0 {
		o.MaxFrameLen = DefaultMaxLen
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Reader drives an ID card reader on a port. It implements
// drivers.CardReader.
//
// A Reader owns one goroutine that reads the port; it ends when Close is
// called (Close closes the port when it is an io.Closer, which ends a
// pending Read) or when the port's Read fails with a final error (see the
// port contract in package drivers). Commands are serialised: methods may
// be called from several goroutines, one command runs at a time.
type Reader struct {
	port       io.ReadWriter
	opts       Options
	chunks     chan []byte   // bytes from the read loop
	done       chan struct{} // closed by Close
	readerDone chan struct{} // closed when the read loop ended
	readErr    error         // why the read loop ended; set before readerDone closes
	closeOnce  sync.Once
	closeErr   error

	// pollMu serialises NextCard calls and guards nextPoll.
	pollMu   sync.Mutex
	nextPoll time.Time // earliest start of the next poll

	// cmdMu serialises commands and guards the fields below.
	cmdMu sync.Mutex
	buf   []byte // received bytes not yet parsed
	// present is the text block of the last card NextCard reported (or
	// refused) and that has not been lifted since.
	present string
}

// New starts a Reader on port. The caller must Close it.
func New(port io.ReadWriter, opts Options) *Reader {
	r := &Reader{
		port:       port,
		opts:       opts.withDefaults(),
		chunks:     make(chan []byte, 16),
		done:       make(chan struct{}),
		readerDone: make(chan struct{}),
	}
	go r.readLoop()
	return r
}

// readLoop is the port's only reader.
func (r *Reader) readLoop() {
	defer close(r.readerDone)
	b := make([]byte, 1024)
	for {
		n, err := r.port.Read(b)
		if n > 0 {
			select {
			case r.chunks <- bytes.Clone(b[:n]):
			case <-r.done:
				r.readErr = drivers.ErrClosed
				return
			}
		}
		select {
		case <-r.done:
			r.readErr = drivers.ErrClosed
			return
		default:
		}
		if err != nil && !drivers.IsTransient(err) {
			r.readErr = err
			return
		}
	}
}

// Close stops the Reader and closes the port if it is an io.Closer, then
// waits for the read loop to end (which a closed port makes it do; a port
// that is not an io.Closer and never returns from Read is left behind).
// Close is idempotent and returns the port's Close error.
func (r *Reader) Close() error {
	r.closeOnce.Do(func() {
		close(r.done)
		if c, ok := r.port.(io.Closer); ok {
			r.closeErr = c.Close()
			<-r.readerDone
		}
	})
	return r.closeErr
}

func (r *Reader) finalErr() error {
	select {
	case <-r.done:
		return fmt.Errorf("idcard: %w", drivers.ErrClosed)
	default:
	}
	if errors.Is(r.readErr, drivers.ErrClosed) {
		return fmt.Errorf("idcard: %w", r.readErr)
	}
	return fmt.Errorf("idcard: %w: port read: %w", drivers.ErrClosed, r.readErr)
}

// transact sends one command and returns the reply frame. r.cmdMu is held.
func (r *Reader) transact(ctx context.Context, cmd, para byte) (*Reply, error) {
	select {
	case <-r.done:
		return nil, r.finalErr()
	case <-r.readerDone:
		return nil, r.finalErr()
	default:
	}
	// Whatever arrived before the command is stale.
	r.buf = r.buf[:0]
	for drained := false; !drained; {
		select {
		case <-r.chunks:
		default:
			drained = true
		}
	}
	if _, err := r.port.Write(EncodeCommand(cmd, para, nil)); err != nil {
		return nil, fmt.Errorf("idcard: write: %w", err)
	}
	timer := time.NewTimer(r.opts.ReplyTimeout)
	defer timer.Stop()
	garbage := 0
	for {
		for {
			rep, n, err := ParseReply(r.buf, r.opts.MaxFrameLen)
			if rep == nil && err == nil {
				garbage += n
			}
			r.buf = r.buf[n:]
			if rep != nil {
				return rep, nil
			}
			if err != nil {
				return nil, err
			}
			if n == 0 {
				break
			}
		}
		select {
		case b := <-r.chunks:
			r.buf = append(r.buf, b...)
		case <-timer.C:
			switch {
			case startsFrame(r.buf):
				return nil, fmt.Errorf("%w: %d bytes of a frame, then silence", ErrTornFrame, len(r.buf))
			case garbage+len(r.buf) > 0:
				return nil, fmt.Errorf("%w (%d bytes)", ErrGarbage, garbage+len(r.buf))
			}
			return nil, fmt.Errorf("idcard: no reply within %v: %w", r.opts.ReplyTimeout, drivers.ErrTimeout)
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-r.done:
			return nil, r.finalErr()
		case <-r.readerDone:
			return nil, r.finalErr()
		}
	}
}

// command sends cmd/para and checks that the reply reports success (one
// of okCodes) with dataLen bytes of data (dataLen < 0: any length).
func (r *Reader) command(ctx context.Context, name string, cmd, para byte, dataLen int, okCodes ...byte) (*Reply, error) {
	rep, err := r.transact(ctx, cmd, para)
	if err != nil {
		return nil, fmt.Errorf("idcard: %s: %w", name, err)
	}
	if rep.SW1 != 0 || rep.SW2 != 0 {
		return nil, fmt.Errorf("idcard: %s: %w", name, &StatusError{rep.SW1, rep.SW2, rep.SW3})
	}
	for _, ok := range okCodes {
		if rep.SW3 == ok {
			if dataLen >= 0 && len(rep.Data) != dataLen {
				return nil, fmt.Errorf("idcard: %s: %w: status %02X with %d data bytes, want %d",
					name, ErrUnexpectedReply, rep.SW3, len(rep.Data), dataLen)
			}
			return rep, nil
		}
	}
	return rep, fmt.Errorf("idcard: %s: %w", name, &StatusError{rep.SW1, rep.SW2, rep.SW3})
}

// SAMStatus asks whether the reader's SAM module is working (11 FF).
//
// Errors: a *StatusError (errors.Is ErrSAM for a failed or unauthorised
// SAM); the transport errors of every command: ErrTimeout, ErrOffline,
// ErrTornFrame, ErrGarbage, ErrChecksum, ErrFrameLength,
// ErrUnexpectedReply, ctx.Err(), ErrClosed.
func (r *Reader) SAMStatus(ctx context.Context) error {
	r.cmdMu.Lock()
	defer r.cmdMu.Unlock()
	_, err := r.command(ctx, "SAM status", CmdSAMStatus, ParaAll, -1, SWSuccess)
	return err
}

// Find asks whether a card is on the reader (20 01). A card that was read
// is not found again until it has been lifted.
//
// Errors: as SAMStatus; "no card" is (false, nil), not an error.
func (r *Reader) Find(ctx context.Context) (bool, error) {
	r.cmdMu.Lock()
	defer r.cmdMu.Unlock()
	return r.find(ctx)
}

func (r *Reader) find(ctx context.Context) (bool, error) {
	_, err := r.command(ctx, "find card", CmdCard, ParaFind, 4, SWCardFound)
	if errors.Is(err, ErrNoCard) {
		return false, nil
	}
	return err == nil, err
}

// Select selects the card found by Find (20 02).
//
// Errors: a *StatusError matching ErrSelectFailed; as SAMStatus.
func (r *Reader) Select(ctx context.Context) error {
	r.cmdMu.Lock()
	defer r.cmdMu.Unlock()
	return r.selectCard(ctx)
}

func (r *Reader) selectCard(ctx context.Context) error {
	_, err := r.command(ctx, "select card", CmdCard, ParaSelect, 8, SWSuccess)
	return err
}

// ReadCard reads the selected card's text and photo (30 01) and decodes
// them with DecodeText.
//
// Errors: a *StatusError (ErrReadFailed, ErrNoCard, ...); a reply whose
// lengths do not add up wraps ErrUnexpectedReply; the errors of
// DecodeText (drivers.ErrInvalidCard, *UnsupportedCardError); as
// SAMStatus.
func (r *Reader) ReadCard(ctx context.Context) (drivers.Card, error) {
	r.cmdMu.Lock()
	defer r.cmdMu.Unlock()
	c, _, err := r.readCard(ctx)
	return c, err
}

// readCard returns the card and its raw text block (also on decode
// errors, when the reply itself was sound).
func (r *Reader) readCard(ctx context.Context) (drivers.Card, []byte, error) {
	rep, err := r.command(ctx, "read card", CmdRead, ParaReadText, -1, SWSuccess)
	if err != nil {
		return drivers.Card{}, nil, err
	}
	text, photo, err := splitTextPhoto(rep.Data)
	if err != nil {
		return drivers.Card{}, nil, fmt.Errorf("idcard: read card: %w", err)
	}
	c, err := DecodeText(text, r.opts.Now())
	if err != nil {
		return drivers.Card{}, text, fmt.Errorf("idcard: read card: %w", err)
	}
	c.Photo = photo
	return c, text, nil
}

// splitTextPhoto splits the data of a 30 01 reply: text length (2 bytes
// big-endian), photo length, text, photo.
func splitTextPhoto(data []byte) (text, photo []byte, err error) {
	if len(data) < 4 {
		return nil, nil, fmt.Errorf("%w: %d data bytes, want at least 4", ErrUnexpectedReply, len(data))
	}
	tl := int(binary.BigEndian.Uint16(data[0:2]))
	pl := int(binary.BigEndian.Uint16(data[2:4]))
	if tl != TextLen || 4+tl+pl != len(data) {
		return nil, nil, fmt.Errorf("%w: text %d + photo %d bytes in %d data bytes", ErrUnexpectedReply, tl, pl, len(data)-4)
	}
	return data[4 : 4+tl], data[4+tl:], nil
}

// AppendedAddress reads the selected card's appended address (30 03). A
// card without one gives ("", nil).
//
// Errors: as ReadCard.
func (r *Reader) AppendedAddress(ctx context.Context) (string, error) {
	r.cmdMu.Lock()
	defer r.cmdMu.Unlock()
	return r.appendedAddress(ctx)
}

func (r *Reader) appendedAddress(ctx context.Context) (string, error) {
	rep, err := r.command(ctx, "appended address", CmdRead, ParaReadAddr, -1, SWSuccess)
	if errors.Is(err, ErrNoContent) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	s, err := DecodeAddress(rep.Data)
	if err != nil {
		return "", fmt.Errorf("idcard: appended address: %w: %w", ErrUnexpectedReply, err)
	}
	return s, nil
}

// NextCard implements drivers.CardReader: it polls the reader every
// PollInterval (find, select, read) until a card is read, and returns it.
// Polls stay PollInterval apart across calls, so calling NextCard again
// right after an error does not flood the reader.
//
// A card is reported once per placement. Most readers do not find a card
// again after it was read until it is lifted; readers that do are handled
// too: the same card is not reported again until a poll finds no card.
// A refused card (foreign, invalid) is likewise reported once.
//
// Errors, after which NextCard may be called again: *UnsupportedCardError
// (drivers.ErrUnsupportedCard), drivers.ErrInvalidCard, a *StatusError for
// a failed read, frame errors (ErrChecksum, ErrTornFrame, ErrGarbage, ...),
// drivers.ErrTimeout or drivers.ErrOffline when the reader does not answer.
// A failed select (the card is moving) is not reported; polling goes on.
// Final: ctx.Err(), drivers.ErrClosed.
func (r *Reader) NextCard(ctx context.Context) (drivers.Card, error) {
	r.pollMu.Lock()
	defer r.pollMu.Unlock()
	for {
		// Polls are PollInterval apart, also across calls: a caller that
		// calls again at once after an error does not make the reader spin.
		if d := time.Until(r.nextPoll); d > 0 {
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				return drivers.Card{}, ctx.Err()
			case <-r.done:
				t.Stop()
				return drivers.Card{}, r.finalErr()
			}
		}
		r.nextPoll = time.Now().Add(r.opts.PollInterval)
		c, ok, err := r.poll(ctx)
		if ok || err != nil {
			return c, err
		}
	}
}

// poll runs one find/select/read round. ok reports a new card.
func (r *Reader) poll(ctx context.Context) (c drivers.Card, ok bool, err error) {
	r.cmdMu.Lock()
	defer r.cmdMu.Unlock()
	found, err := r.find(ctx)
	if err != nil {
		return c, false, err
	}
	if !found {
		r.present = "" // lifted
		return c, false, nil
	}
	if err := r.selectCard(ctx); err != nil {
		if errors.Is(err, ErrSelectFailed) || errors.Is(err, ErrNoCard) {
			return c, false, nil
		}
		return c, false, err
	}
	c, text, err := r.readCard(ctx)
	if text != nil && string(text) == r.present {
		return drivers.Card{}, false, nil // still the same card
	}
	if err != nil {
		if text != nil {
			r.present = string(text)
		}
		return drivers.Card{}, false, err
	}
	if r.opts.AppendedAddress {
		a, err := r.appendedAddress(ctx)
		if err != nil {
			return drivers.Card{}, false, err
		}
		c.NewAddress = a
	}
	r.present = string(text)
	return c, true, nil
}

var _ drivers.CardReader = (*Reader)(nil)
