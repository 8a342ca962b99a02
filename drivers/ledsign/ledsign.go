// Package ledsign drives a counter's LED window sign (窗口屏) over the hall line protocol
// (drivers/lineproto, specified in drivers/lineproto/PROTOCOL.md, section "LED window sign"):
//
//	PING                                  -> OK
//	SHOW,<line>,<text>                    -> OK | ERR,RANGE (no such line) | ERR,LEN (too long)
//	CALL,<ticket>,<window>[,<blink s>]    -> OK
//	CLR                                   -> OK
//	BRIGHT,<0-15>                         -> OK | ERR,RANGE
//
// Sign implements drivers.Sign. Arguments are checked before anything is sent (errors wrap
// ErrInvalidArgument); refusals from the sign are returned as *lineproto.DeviceError, matched
// with errors.Is against ErrNoSuchLine, ErrTextTooLong, ErrBusy, ErrHardware and
// ErrUnknownCommand (aliases of the lineproto codes).
//
// Concurrency: a Sign's methods are safe for concurrent use (requests are serialised on the
// port); it owns one reader goroutine (in its lineproto.Client) until Close, which is
// idempotent and closes the port.
package ledsign

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

// Options configure a Sign. The zero value talks to address 01 with lineproto's defaults
// (300 ms timeout, 2 retries).
type Options struct {
	Addr    byte          // the sign's address, 01-FF; 0 means 01
	Timeout time.Duration // reply timeout; 0 means lineproto.DefaultTimeout
	Retries int           // retries after a timeout; 0 means 2, negative means none
}

// Errors. ErrInvalidArgument is the host's own check; the others are the sign's ERR codes.
var (
	ErrInvalidArgument = errors.New("ledsign: invalid argument")
	ErrNoSuchLine      = lineproto.ErrRange // SHOW on a line the sign lacks; BRIGHT out of range
	ErrTextTooLong     = lineproto.ErrTextTooLong
	ErrBusy            = lineproto.ErrBusy
	ErrHardware        = lineproto.ErrHardware
	ErrUnknownCommand  = lineproto.ErrUnknownCommand
)

// Sign is a drivers.Sign on a serial line.
type Sign struct {
	c *lineproto.Client
}

var _ drivers.Sign = (*Sign)(nil)

// New starts a Sign on port and takes ownership of it (Close closes it if it is an io.Closer;
// see lineproto.NewClient for what the port must do). It sends nothing until the first call.
// It fails only for a negative timeout.
func New(port io.ReadWriter, o Options) (*Sign, error) {
	c, err := lineproto.NewClient(port, lineproto.Options{Addr: o.Addr, Timeout: o.Timeout, Retries: o.Retries})
	if err != nil {
		return nil, fmt.Errorf("ledsign: %w", err)
	}
	return &Sign{c: c}, nil
}

func (s *Sign) do(ctx context.Context, cmd string, args ...string) error {
	if _, err := s.c.Do(ctx, cmd, args...); err != nil {
		return fmt.Errorf("ledsign: %w", err)
	}
	return nil
}

// Ping checks that the sign answers (PING).
func (s *Sign) Ping(ctx context.Context) error { return s.do(ctx, "PING") }

// ShowCall sends CALL,<ticket>,<window>[,<blink s>]; blink is rounded up to whole seconds and
// left out when zero. It fails with ErrInvalidArgument for an empty ticket or window or a blink
// outside 0-255 s, and as described in the package documentation.
func (s *Sign) ShowCall(ctx context.Context, ticket, window string, blink time.Duration) error {
	if ticket == "" || window == "" {
		return fmt.Errorf("%w: empty ticket or window", ErrInvalidArgument)
	}
	secs := (blink + time.Second - 1) / time.Second
	if blink < 0 || secs > 255 {
		return fmt.Errorf("%w: blink %v outside 0-255 s", ErrInvalidArgument, blink)
	}
	if secs == 0 {
		return s.do(ctx, "CALL", ticket, window)
	}
	return s.do(ctx, "CALL", ticket, window, strconv.Itoa(int(secs)))
}

// ShowText sends SHOW,<line>,<text>. It fails with ErrInvalidArgument for a line below 1 or
// above 99, ErrNoSuchLine when the sign lacks the line, ErrTextTooLong when the text does not
// fit the sign (or a frame), and as described in the package documentation.
func (s *Sign) ShowText(ctx context.Context, line int, text string) error {
	if line < 1 || line > 99 {
		return fmt.Errorf("%w: line %d outside 1-99", ErrInvalidArgument, line)
	}
	err := s.do(ctx, "SHOW", strconv.Itoa(line), text)
	if errors.Is(err, lineproto.ErrTooLong) {
		return fmt.Errorf("ledsign: %w", lineproto.Errorf(ErrTextTooLong, "longer than a frame"))
	}
	return err
}

// Clear blanks the sign (CLR).
func (s *Sign) Clear(ctx context.Context) error { return s.do(ctx, "CLR") }

// SetBrightness sends BRIGHT,<level>. It fails with ErrInvalidArgument outside 0-15.
func (s *Sign) SetBrightness(ctx context.Context, level int) error {
	if level < 0 || level > drivers.MaxBrightness {
		return fmt.Errorf("%w: brightness %d outside 0-15", ErrInvalidArgument, level)
	}
	return s.do(ctx, "BRIGHT", strconv.Itoa(level))
}

// Close stops the reader goroutine and closes the port. It is idempotent.
func (s *Sign) Close() error { return s.c.Close() }
