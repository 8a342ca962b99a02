// Package sim simulates the hall's serial devices and provides virtual
// serial ports, so that drivers, kiosk and counter run and are tested
// without hardware.
//
// A simulator is a Device: it speaks its device's wire protocol on an
// io.ReadWriter: the master side of a pty from NewVirtualPort (the real
// serial path, Linux only), or the far end of an in-memory pipe from Pipe
// (the -sim mode of kiosk and counter, and tests). Each simulator also has methods to act like a
// person or the device itself would (place an ID card, scan a code, run
// out of paper); those are safe to call from any goroutine at any time,
// whether or not Serve is running.
//
// Protocol notes for every device are in DEVICES.md; the simulators follow
// them byte for byte and are written independently of the drivers, so that
// a mistake in a driver's codec is not mirrored here.
//
// The tool drivers/sim/cmd/devicesim opens virtual ports for a whole kiosk
// and counter set and lets a person drive them.
package sim

import (
	"context"
	"io"
)

// Device is a simulated serial device: it speaks its wire protocol on port
// until ctx ends or port fails.
//
// Serve returns ctx.Err() (or nil) after ctx ends, and the port's error
// after the port fails. A device blocked in port.Read notices ctx only when
// that read returns, so whoever cancels ctx also closes the port
// (VirtualPort does both). Serve may be called again, on another port,
// after it returned: device state (the card on the reader, paper) survives
// a virtual unplug.
type Device interface {
	Serve(ctx context.Context, port io.ReadWriter) error
}
