// Package ratingpad drives the counter's rating pad (评价器) over the hall line protocol
// (drivers/lineproto, specified in drivers/lineproto/PROTOCOL.md, section "Rating pad"):
//
//	PING                               -> OK
//	RATE,<ticket>,<staff>,<timeout s>  -> OK | ERR,RANGE
//	POLL                               -> OK,NONE | OK,WAIT,<ticket> | OK,SCORE,<ticket>,<1-5>
//	                                      | OK,TIMEOUT,<ticket> | OK,CANCEL,<ticket>
//	CANCEL                             -> OK
//	IDLE,<text>                        -> OK | ERR,LEN
//
// Pad implements drivers.RatingPad: Rate sends RATE and polls until the pad reports an
// outcome. The levels are the national 好差评 levels (drivers.RatingLevel).
//
// Concurrency: a Pad's methods are safe for concurrent use; each request is serialised on the
// port, but Rate does not hold the port between polls, so Cancel (or another Rate, which
// replaces the request on the pad) can interleave. A Pad owns one reader goroutine (in its
// lineproto.Client) until Close, which is idempotent and closes the port.
package ratingpad

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"hall/drivers"
	"hall/drivers/lineproto"
)

// Defaults used for zero Options fields.
const (
	DefaultRatingTimeout = 30 * time.Second
	DefaultPollInterval  = 200 * time.Millisecond
	DefaultGrace         = 2 * time.Second
)

// Options configure a Pad. The zero value talks to address 01 with lineproto's defaults.
type Options struct {
	Addr    byte          // the pad's address, 01-FF; 0 means 01
	Timeout time.Duration // reply timeout; 0 means lineproto.DefaultTimeout
	Retries int           // retries after a timeout; 0 means 2, negative means none

	// PollInterval is the pause between POLLs. Default DefaultPollInterval.
	PollInterval time.Duration
	// RatingTimeout is used for a RatingRequest without Timeout. Default DefaultRatingTimeout.
	RatingTimeout time.Duration
	// Grace is how long after the request's timeout Rate keeps polling for the pad's own
	// TIMEOUT before giving up by itself. Default DefaultGrace; negative means none.
	Grace time.Duration
}

// Errors. ErrInvalidArgument is the host's own check; ErrBadReply a POLL answer that does not
// fit the request; ERR replies are *lineproto.DeviceError (see lineproto's Err* codes).
var (
	ErrInvalidArgument = errors.New("ratingpad: invalid argument")
	ErrBadReply        = lineproto.ErrBadReply
)

// Pad is a drivers.RatingPad on a serial line.
type Pad struct {
	c *lineproto.Client
	o Options
}

var _ drivers.RatingPad = (*Pad)(nil)

// New starts a Pad on port and takes ownership of it (Close closes it if it is an io.Closer;
// see lineproto.NewClient for what the port must do). It sends nothing until the first call.
// It fails only for negative durations.
func New(port io.ReadWriter, o Options) (*Pad, error) {
	if o.PollInterval < 0 || o.RatingTimeout < 0 {
		return nil, fmt.Errorf("%w: negative duration", ErrInvalidArgument)
	}
	if o.PollInterval == 0 {
		o.PollInterval = DefaultPollInterval
	}
	if o.RatingTimeout == 0 {
		o.RatingTimeout = DefaultRatingTimeout
	}
	switch {
	case o.Grace == 0:
		o.Grace = DefaultGrace
	case o.Grace < 0:
		o.Grace = 0
	}
	c, err := lineproto.NewClient(port, lineproto.Options{Addr: o.Addr, Timeout: o.Timeout, Retries: o.Retries})
	if err != nil {
		return nil, fmt.Errorf("ratingpad: %w", err)
	}
	return &Pad{c: c, o: o}, nil
}

func (p *Pad) do(ctx context.Context, cmd string, args ...string) ([]string, error) {
	data, err := p.c.Do(ctx, cmd, args...)
	if err != nil {
		return nil, fmt.Errorf("ratingpad: %w", err)
	}
	return data, nil
}

// Ping checks that the pad answers (PING).
func (p *Pad) Ping(ctx context.Context) error {
	_, err := p.do(ctx, "PING")
	return err
}

// Rate sends RATE,<ticket>,<staff>,<timeout s> and polls until the pad reports the outcome.
// It returns the Score for SCORE, and otherwise an error wrapping:
//   - drivers.ErrRatingTimeout: the pad reported TIMEOUT, or it still waited Grace after the
//     timeout (Rate then sends CANCEL);
//   - drivers.ErrRatingCancelled: the pad reported CANCEL, or it no longer asks for this ticket
//     (another RATE replaced it, or the pad restarted);
//   - ctx.Err(): Rate sends CANCEL (best effort, within one reply timeout) and gives up;
//   - ErrInvalidArgument: empty ticket or staff, timeout outside 1-255 s (nothing sent);
//   - ErrBadReply: a POLL answer that is not in the protocol or an invalid level;
//   - *lineproto.DeviceError or a transport error from RATE. Transport errors of single POLLs
//     are retried until the deadline; the last one is returned if the deadline passes.
func (p *Pad) Rate(ctx context.Context, req drivers.RatingRequest) (drivers.Score, error) {
	timeout := req.Timeout
	if timeout == 0 {
		timeout = p.o.RatingTimeout
	}
	secs := (timeout + time.Second - 1) / time.Second
	if req.Ticket == "" || req.Staff == "" || timeout < 0 || secs < 1 || secs > 255 {
		return drivers.Score{}, fmt.Errorf("%w: ticket %q, staff %q, timeout %v (1-255 s)", ErrInvalidArgument, req.Ticket, req.Staff, timeout)
	}
	if _, err := p.do(ctx, "RATE", req.Ticket, req.Staff, strconv.Itoa(int(secs))); err != nil {
		return drivers.Score{}, err
	}
	deadline := time.Now().Add(time.Duration(secs)*time.Second + p.o.Grace)
	tick := time.NewTicker(p.o.PollInterval)
	defer tick.Stop()
	var lastErr error
	for {
		select {
		case <-ctx.Done():
			p.cancelAfter()
			return drivers.Score{}, ctx.Err()
		case <-tick.C:
		}
		data, err := p.do(ctx, "POLL")
		if err != nil {
			if ctx.Err() != nil {
				p.cancelAfter()
				return drivers.Score{}, ctx.Err()
			}
			if !drivers.IsTransient(err) {
				return drivers.Score{}, err
			}
			lastErr = err
		} else {
			lastErr = nil
			score, done, err := outcome(req.Ticket, data)
			if done {
				return score, err
			}
		}
		if time.Now().After(deadline) {
			if lastErr != nil {
				return drivers.Score{}, lastErr
			}
			p.cancelAfter()
			return drivers.Score{}, fmt.Errorf("ratingpad: pad still waiting after %v: %w", timeout+p.o.Grace, drivers.ErrRatingTimeout)
		}
	}
}

// outcome interprets a POLL reply for ticket: done is false while the pad is still asking.
func outcome(ticket string, data []string) (drivers.Score, bool, error) {
	bad := func() (drivers.Score, bool, error) {
		return drivers.Score{}, true, fmt.Errorf("ratingpad: POLL: %w: %q", ErrBadReply, data)
	}
	if len(data) == 0 {
		return bad()
	}
	switch {
	case data[0] == "NONE" && len(data) == 1:
		return drivers.Score{}, true, fmt.Errorf("ratingpad: pad has no request for %s: %w", ticket, drivers.ErrRatingCancelled)
	case len(data) >= 2 && data[1] != ticket && data[0] != "SCORE":
		if data[0] == "WAIT" || data[0] == "TIMEOUT" || data[0] == "CANCEL" {
			return drivers.Score{}, true, fmt.Errorf("ratingpad: pad is asking for %s, not %s: %w", data[1], ticket, drivers.ErrRatingCancelled)
		}
		return bad()
	case data[0] == "WAIT" && len(data) == 2:
		return drivers.Score{}, false, nil
	case data[0] == "TIMEOUT" && len(data) == 2:
		return drivers.Score{}, true, fmt.Errorf("ratingpad: %s: %w", ticket, drivers.ErrRatingTimeout)
	case data[0] == "CANCEL" && len(data) == 2:
		return drivers.Score{}, true, fmt.Errorf("ratingpad: %s: %w", ticket, drivers.ErrRatingCancelled)
	case data[0] == "SCORE" && len(data) == 3:
		if data[1] != ticket {
			return bad()
		}
		level, err := drivers.ParseRatingLevel(data[2])
		if err != nil {
			return bad()
		}
		return drivers.Score{Ticket: ticket, Level: level}, true, nil
	}
	return bad()
}

// cancelAfter sends CANCEL after the caller's context ended, bounded by one reply timeout
// (with retries).
func (p *Pad) cancelAfter() {
	ctx, cancel := context.WithTimeout(context.Background(), 3*lineproto.DefaultTimeout)
	defer cancel()
	p.do(ctx, "CANCEL") //nolint:errcheck // best effort: the caller already has its answer
}

// Cancel sends CANCEL: the pad withdraws the pending request and a waiting Rate returns
// drivers.ErrRatingCancelled. Errors: as Ping.
func (p *Pad) Cancel(ctx context.Context) error {
	_, err := p.do(ctx, "CANCEL")
	return err
}

// Idle sends IDLE,<text>: text shown while nothing is pending. Errors: as Ping, and
// lineproto.ErrTextTooLong when the pad refuses the length.
func (p *Pad) Idle(ctx context.Context, text string) error {
	_, err := p.do(ctx, "IDLE", text)
	return err
}

// Close stops the reader goroutine and closes the port. It is idempotent.
func (p *Pad) Close() error { return p.c.Close() }
