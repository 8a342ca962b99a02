package drivers

import (
	"context"
	"errors"
	"image"
	"strconv"
	"strings"
)

// Printer is a receipt (ticket) printer. Implementations: escpos.Printer (ESC/POS over a serial
// port) and, through that driver, the sim.Printer simulator.
//
// Methods are safe for concurrent use; calls are serialised on the port.
type Printer interface {
	// Status asks the printer for its current state. It fails with an error wrapping ErrTimeout
	// when the printer does not answer, ErrOffline or another port error when the port fails,
	// ErrClosed after Close. A printer that answers "paper out" is not an error here: inspect
	// the returned PrinterStatus.
	Status(ctx context.Context) (PrinterStatus, error)
	// Print checks the status first and refuses to print when the printer is not ready, with a
	// *NotReadyError (errors.Is matches ErrPaperOut, ErrCoverOpen, ErrPrinterOffline or
	// ErrPrinterFault). Otherwise it sends the receipt and returns the status seen before
	// printing: PaperNearEnd set there is a warning to pass on to the hall staff, not an error.
	// Receipts that cannot be encoded (see the driver) fail before anything is sent; status
	// query failures are returned as from Status.
	Print(ctx context.Context, r Receipt) (PrinterStatus, error)
	// Close stops the driver's goroutines. It is idempotent.
	Close() error
}

// PrinterStatus is what a printer reports about itself. The zero value is a ready printer with
// plenty of paper.
type PrinterStatus struct {
	Offline      bool // the printer is offline (e.g. after an error, while feeding, cover open)
	CoverOpen    bool // the paper cover is open
	PaperNearEnd bool // the roll is nearly used up: still prints, tell the staff
	PaperOut     bool // no paper: cannot print
	Fault        bool // a mechanical, cutter or unrecoverable error was reported
}

// Ready reports whether a receipt can be printed now: not offline, cover closed, paper present,
// no fault. A printer whose paper is near its end is still ready.
func (s PrinterStatus) Ready() bool {
	return !s.Offline && !s.CoverOpen && !s.PaperOut && !s.Fault
}

// Warning reports whether the printer is ready but needs attention soon (paper near end).
func (s PrinterStatus) Warning() bool { return s.Ready() && s.PaperNearEnd }

// Err returns nil when the printer is ready, else a *NotReadyError describing why.
func (s PrinterStatus) Err() error {
	if s.Ready() {
		return nil
	}
	return &NotReadyError{Status: s}
}

// String lists the set conditions in English, e.g. "paper out, cover open", or "ready".
func (s PrinterStatus) String() string {
	var parts []string
	for _, c := range []struct {
		on   bool
		name string
	}{
		{s.Offline, "offline"}, {s.CoverOpen, "cover open"}, {s.PaperOut, "paper out"},
		{s.Fault, "fault"}, {s.PaperNearEnd, "paper near end"},
	} {
		if c.on {
			parts = append(parts, c.name)
		}
	}
	if len(parts) == 0 {
		return "ready"
	}
	return strings.Join(parts, ", ")
}

// Reasons a printer refuses to print, matched with errors.Is against a *NotReadyError.
// ErrPrinterOffline is the printer's own "offline" state (it answers but will not print, e.g.
// after an error); an unreachable port is ErrOffline.
var (
	ErrPaperOut       = errors.New("printer: paper out")
	ErrCoverOpen      = errors.New("printer: cover open")
	ErrPrinterOffline = errors.New("printer: offline")
	ErrPrinterFault   = errors.New("printer: fault")
)

// NotReadyError is returned by Printer.Print when the status check before printing finds the
// printer not ready. Nothing was sent to the printer.
type NotReadyError struct {
	Status PrinterStatus
}

// Error lists the conditions that stop the printer, e.g. "printer not ready: paper out".
func (e *NotReadyError) Error() string { return "printer not ready: " + e.Status.String() }

// Is matches ErrPaperOut, ErrCoverOpen, ErrPrinterOffline and ErrPrinterFault according to the
// status, so that callers can ask errors.Is(err, drivers.ErrPaperOut).
func (e *NotReadyError) Is(target error) bool {
	switch target {
	case ErrPaperOut:
		return e.Status.PaperOut
	case ErrCoverOpen:
		return e.Status.CoverOpen
	case ErrPrinterOffline:
		return e.Status.Offline
	case ErrPrinterFault:
		return e.Status.Fault
	}
	return false
}

// Receipt is a device-neutral printout: blocks printed top to bottom. Build it with the
// block types Line, QR, Image, Feed and Cut:
//
//	drivers.Receipt{Blocks: []drivers.Block{
//		drivers.Line{Text: "政务服务中心", Align: drivers.AlignCenter, Bold: true},
//		drivers.Line{Text: "A001", Width: 3, Height: 3, Align: drivers.AlignCenter},
//		drivers.QR{Data: "https://hall.example/t/A001", Align: drivers.AlignCenter},
//		drivers.Cut{},
//	}}
type Receipt struct {
	Blocks []Block
}

// Block is one element of a Receipt: Line, QR, Image, Feed or Cut. The set is closed.
type Block interface{ receiptBlock() }

// Align is the horizontal alignment of a block.
type Align uint8

// Alignments. The zero value is AlignLeft.
const (
	AlignLeft Align = iota
	AlignCenter
	AlignRight
)

// String returns "left", "center" or "right".
func (a Align) String() string {
	switch a {
	case AlignLeft:
		return "left"
	case AlignCenter:
		return "center"
	case AlignRight:
		return "right"
	}
	return "Align(" + strconv.Itoa(int(a)) + ")"
}

// Line is one line of text. Text must not contain line breaks; control characters are printed
// as spaces. Width and Height are character size multipliers 1-8 (0 means 1); drivers reject
// larger values. A line wider than the paper wraps.
type Line struct {
	Text          string
	Width, Height int
	Bold          bool
	Align         Align
}

// QRLevel is a QR code error-correction level.
type QRLevel uint8

// QR error-correction levels. The zero value is QRLevelM (about 15 % recovery).
const (
	QRLevelM QRLevel = iota
	QRLevelL
	QRLevelQ
	QRLevelH
)

// String returns "L", "M", "Q" or "H".
func (l QRLevel) String() string {
	switch l {
	case QRLevelL:
		return "L"
	case QRLevelM:
		return "M"
	case QRLevelQ:
		return "Q"
	case QRLevelH:
		return "H"
	}
	return "?"
}

// QR is a QR code (model 2) holding Data as bytes. ModuleSize is the side of one module in
// printer dots, 1-16 (0 means the driver's default, usually 6); Level is the error correction.
type QR struct {
	Data       string
	ModuleSize int
	Level      QRLevel
	Align      Align
}

// Image is a picture printed as black and white dots: a pixel prints when its luminance is
// below half and it is not transparent. Drivers scale down an image wider than the paper.
type Image struct {
	Img   image.Image
	Align Align
}

// Feed advances the paper by Lines text lines (0-255).
type Feed struct {
	Lines int
}

// Cut feeds the paper past the cutter (Feed extra lines, 0-255) and cuts it partially, leaving
// a small tab so the ticket does not fall. A receipt normally ends with one.
type Cut struct {
	Feed int
}

func (Line) receiptBlock()  {}
func (QR) receiptBlock()    {}
func (Image) receiptBlock() {}
func (Feed) receiptBlock()  {}
func (Cut) receiptBlock()   {}
