package sim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"hall/drivers"
	"hall/drivers/lineproto"
)

// RatingPad simulates a counter's rating pad (评价器) speaking the hall line protocol
// (drivers/lineproto/PROTOCOL.md, "Rating pad"): PING, RATE, POLL, CANCEL, IDLE.
//
// A visitor is played with PressKey (a level) and PressCancel; AutoAnswer makes the pad press a
// key by itself on every request, for hands-off runs; Expire (or the injectable clock passing
// the request's timeout) makes the request time out. Create it with NewRatingPad; its control
// methods are safe for concurrent use, also while Serve runs.
type RatingPad struct {
	resp *lineproto.Responder

	// mu guards every field below.
	mu      sync.Mutex
	now     func() time.Time
	idle    string
	pending *padRequest
	result  []string // the unreported outcome, as POLL data; nil when none
	auto    drivers.RatingLevel
	history []string
}

type padRequest struct {
	ticket, staff string
	deadline      time.Time
}

// NewRatingPad returns a pad at address addr (01-FF) using the real clock.
func NewRatingPad(addr byte) *RatingPad {
	p := &RatingPad{now: time.Now}
	p.resp = &lineproto.Responder{Addr: addr, Handler: p.handle}
	return p
}

// SetClock replaces the pad's clock (for tests: a request times out when now passes its
// deadline). nil restores time.Now.
func (p *RatingPad) SetClock(now func() time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if now == nil {
		now = time.Now
	}
	p.now = now
}

// Serve speaks the protocol on port until ctx ends or the port fails (see Device).
func (p *RatingPad) Serve(ctx context.Context, port io.ReadWriter) error {
	return p.resp.Serve(ctx, port)
}

// maxIdleRunes is the longest IDLE text the simulated display takes.
const maxIdleRunes = 32

func (p *RatingPad) handle(cmd string, args []string) ([]string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.expireLocked()
	var reply []string
	switch cmd {
	case "PING":
	case "RATE":
		if len(args) != 3 || args[0] == "" {
			return nil, lineproto.Errorf(lineproto.ErrArguments, "RATE,<ticket>,<staff>,<timeout s>")
		}
		secs, err := number(args[2])
		if err != nil {
			return nil, err
		}
		if secs < 1 || secs > 255 {
			return nil, lineproto.Errorf(lineproto.ErrRange, "timeout 1-255")
		}
		p.pending = &padRequest{ticket: args[0], staff: args[1], deadline: p.now().Add(time.Duration(secs) * time.Second)}
		p.result = nil
		if p.auto.Valid() {
			p.pressLocked(p.auto)
		}
	case "POLL":
		if len(args) != 0 {
			return nil, lineproto.Errorf(lineproto.ErrArguments)
		}
		switch {
		case p.result != nil:
			reply, p.result = p.result, nil
		case p.pending != nil:
			reply = []string{"WAIT", p.pending.ticket}
		default:
			reply = []string{"NONE"}
		}
		return reply, nil // POLLs are not recorded in the history
	case "CANCEL":
		if p.pending != nil {
			p.result = []string{"CANCEL", p.pending.ticket}
			p.pending = nil
		}
	case "IDLE":
		if len(args) != 1 {
			return nil, lineproto.Errorf(lineproto.ErrArguments, "IDLE,<text>")
		}
		if utf8.RuneCountInString(args[0]) > maxIdleRunes {
			return nil, lineproto.Errorf(lineproto.ErrTextTooLong, strconv.Itoa(maxIdleRunes)+" characters")
		}
		p.idle = args[0]
	default:
		return nil, lineproto.Errorf(lineproto.ErrUnknownCommand)
	}
	p.history = append(p.history, cmdString(cmd, args))
	return reply, nil
}

// expireLocked turns a pending request whose deadline passed into a TIMEOUT outcome.
func (p *RatingPad) expireLocked() {
	if p.pending != nil && !p.now().Before(p.pending.deadline) {
		p.result = []string{"TIMEOUT", p.pending.ticket}
		p.pending = nil
	}
}

func (p *RatingPad) pressLocked(l drivers.RatingLevel) {
	p.result = []string{"SCORE", p.pending.ticket, strconv.Itoa(int(l))}
	p.pending = nil
}

// PressKey presses the key for level l, answering the pending request. It fails when l is not
// a level or no request is pending (or it already timed out).
func (p *RatingPad) PressKey(l drivers.RatingLevel) error {
	if !l.Valid() {
		return fmt.Errorf("sim: rating pad: %w", drivers.ErrInvalidRatingLevel)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.expireLocked()
	if p.pending == nil {
		return errNothingPending
	}
	p.pressLocked(l)
	return nil
}

// PressCancel presses the pad's cancel key: the pending request ends as CANCEL. It fails when
// no request is pending.
func (p *RatingPad) PressCancel() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.expireLocked()
	if p.pending == nil {
		return errNothingPending
	}
	p.result = []string{"CANCEL", p.pending.ticket}
	p.pending = nil
	return nil
}

// Expire makes the pending request time out now, whatever its timeout. It fails when no
// request is pending.
func (p *RatingPad) Expire() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.pending == nil {
		return errNothingPending
	}
	p.result = []string{"TIMEOUT", p.pending.ticket}
	p.pending = nil
	return nil
}

// AutoAnswer makes the pad answer every later RATE at once with level l; 0 turns it off.
func (p *RatingPad) AutoAnswer(l drivers.RatingLevel) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.auto = l
}

// Pending returns the request the pad is asking for, if any.
func (p *RatingPad) Pending() (ticket, staff string, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.expireLocked()
	if p.pending == nil {
		return "", "", false
	}
	return p.pending.ticket, p.pending.staff, true
}

// IdleText returns the text last set by IDLE.
func (p *RatingPad) IdleText() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.idle
}

// History returns every command the pad acted on except POLL, oldest first, as
// "CMD,arg,...". A repeated frame (a host retry) appears once.
func (p *RatingPad) History() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.history...)
}

var _ Device = (*RatingPad)(nil)

// errNothingPending is returned by RatingPad controls that need a pending request.
var errNothingPending = errors.New("sim: rating pad: no rating request pending")
