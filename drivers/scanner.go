package drivers

import (
	"context"
	"time"
)

// Scanner is a barcode/QR code scanner. The implementation is
// barcode.Scanner (serial line mode); sim.Scanner simulates the device.
//
// NextScan may be called from one goroutine at a time; Close from any.
type Scanner interface {
	// NextScan waits for the next decoded code. Every scan is untrusted
	// input: the caller checks prefixes and check digits of its own codes.
	//
	// Errors (the caller may call NextScan again): a line longer than the
	// driver's cap (the line is dropped). Final: ctx.Err() when ctx ends,
	// ErrClosed after Close or when the port failed for good (the port's
	// error is wrapped too).
	NextScan(ctx context.Context) (Scan, error)
	// Close stops the driver and closes its port. It is idempotent.
	Close() error
}

// Scan is one decoded code.
type Scan struct {
	// Code is the decoded text with surrounding white space trimmed; never
	// empty.
	Code string
	// At is when the driver received the code's terminator.
	At time.Time
}
