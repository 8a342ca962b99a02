package drivers

import (
	"context"
	"time"
)

// Sign is a counter's LED window sign (窗口屏). Implementation: ledsign.Sign (our line protocol
// over a serial port) and the sim.Sign simulator.
//
// Methods are safe for concurrent use; calls are serialised on the port. Every method fails with
// an error wrapping ErrTimeout or ErrOffline when the sign does not answer, ErrClosed after
// Close, or a device error from the sign (see the driver) when it refuses the command.
type Sign interface {
	// Ping checks that the sign answers.
	Ping(ctx context.Context) error
	// ShowCall shows a call: ticket (e.g. "A001") to window (e.g. "3"), blinking for blink
	// (whole seconds, 0-255; 0 means no blinking).
	ShowCall(ctx context.Context, ticket, window string, blink time.Duration) error
	// ShowText shows text on a line of the sign, counted from 1. Lines the sign does not have
	// are refused by the sign.
	ShowText(ctx context.Context, line int, text string) error
	// Clear blanks the sign.
	Clear(ctx context.Context) error
	// SetBrightness sets the brightness, 0 (dimmest) to 15 (brightest); other values fail
	// before anything is sent.
	SetBrightness(ctx context.Context, level int) error
	// Close stops the driver's goroutines. It is idempotent.
	Close() error
}

// MaxBrightness is the brightest level of a Sign.
const MaxBrightness = 15
