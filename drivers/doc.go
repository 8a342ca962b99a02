// Package drivers holds the device role interfaces of the hall's serial
// hardware (CardReader, Scanner; Printer, RatingPad and Sign live beside
// them) and the device-neutral types they exchange (Card, Scan, ...).
//
// It knows nothing of tickets, queues or screens: kiosk and counter adapt
// these types to the domain. It imports the standard library only.
//
// # Layout
//
//   - drivers/serialport opens real serial ports (the only importer of
//     github.com/tarm/serial), hides tarm's timeout quirks and reopens a port
//     after a USB device disappears and comes back.
//   - drivers/idcard speaks the resident ID card reader's SAM protocol
//     (GA/T 467), drivers/barcode the serial barcode/QR scanner.
//   - drivers/sim simulates every device and provides virtual serial ports
//     (ptys) so that the real serial path can be tested without hardware;
//     drivers/sim/cmd/devicesim opens a whole kiosk and counter set by hand.
//
// Protocol notes for every device are in the project's DEVICES.md
// (/work/shared/DEVICES.md at the time of writing); each device package
// repeats the parts it relies on.
//
// # Port contract
//
// Drivers talk to an io.ReadWriter. A port may return errors that wrap
// ErrTimeout (nothing arrived in time) or ErrOffline (the device went away
// and the port is trying to reopen it): drivers treat both as transient and
// keep going. Any other read error (io.EOF from a pipe, ErrClosed) is final:
// the driver's reader goroutine ends and later calls fail.
//
// # Concurrency
//
// The types in this package are plain values. Each driver owns one reader
// goroutine per port, documents which of its methods may be called
// concurrently, stops when its Close is called (Close is idempotent) and
// closes its port if the port is an io.Closer.
//
// # Personal data
//
// A Card carries personal information (PIPL). Its String, GoString and
// LogValue methods mask the name and the ID number, so that printing or
// logging a Card never leaks them; MaskName and MaskIDNumber do the same for
// single fields. Keep only what a case needs.
package drivers
