package drivers

import "errors"

// Sentinel errors shared by every driver and port. Drivers wrap them with
// context ("idcard: find: %w"); test for them with errors.Is.
var (
	// ErrTimeout means the device did not answer (or sent nothing) in time.
	// It is transient: the port is still usable and the caller may retry.
	ErrTimeout = errors.New("timeout")

	// ErrOffline means the device is not reachable right now: its port is
	// closed by the operating system (a USB device was unplugged) or has not
	// come back yet. It is transient when the port reopens by itself
	// (drivers/serialport does, with back-off); callers keep trying.
	ErrOffline = errors.New("device offline")

	// ErrClosed means the driver or port was closed by its owner. It is final.
	ErrClosed = errors.New("closed")
)

// IsTransient reports whether err is a timeout or an offline device, i.e.
// an error after which the same driver may succeed later.
func IsTransient(err error) bool {
	return errors.Is(err, ErrTimeout) || errors.Is(err, ErrOffline)
}
