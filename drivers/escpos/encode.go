package escpos

import (
	"errors"
	"fmt"
	"time"
	"unicode"

	qrcode "github.com/skip2/go-qrcode"
	"golang.org/x/text/encoding/simplifiedchinese"

	"hall/drivers"
)

// Paper widths in dots at 203 dpi.
const (
	Dots80mm = 576 // 80 mm paper (72 mm printable), the default
	Dots58mm = 384 // 58 mm paper (48 mm printable)
)

// Defaults used for zero Options fields.
const (
	DefaultQRModuleSize = 6  // dots per QR module: 5-8 scan well at 203 dpi
	DefaultBandRows     = 24 // rows per raster band
	DefaultReplyTimeout = 500 * time.Millisecond
	// MaxQRData is the most bytes a QR code (model 2, level L, byte mode) holds.
	MaxQRData = 7089
)

// Options configure how receipts are encoded. The zero value prints on 80 mm paper in Chinese
// mode with native QR codes.
type Options struct {
	// Dots is the printable width in dots: Dots80mm (default) or Dots58mm, or any multiple of 8
	// from 8 to 2040.
	Dots int
	// NoChineseMode leaves out FS & (1C 26) after ESC @: for printers that start in Chinese mode
	// and reject FS commands. Default: send it.
	NoChineseMode bool
	// QRAsImage sends QR codes as raster images (drawn with go-qrcode) instead of the native
	// GS ( k commands. Default: native.
	QRAsImage bool
	// BandRows is the height of one GS v 0 raster band, 1-255. Default DefaultBandRows.
	BandRows int
	// Text draws lines that must be rasterised. Default: DefaultTextRenderer (bundled font).
	Text *TextRenderer

	// The remaining fields are used by Printer only.

	// ReplyTimeout is how long Printer waits for each real-time status reply. Default
	// DefaultReplyTimeout.
	ReplyTimeout time.Duration
	// AutoStatus makes New enable automatic status back (GS a 0x0E: offline, error and paper
	// changes); the printer then reports every change by itself. Default off.
	AutoStatus bool
	// OnStatus, if set, is called with every automatic status packet, on the Printer's reader
	// goroutine: it must return quickly and must not call the Printer.
	OnStatus func(drivers.PrinterStatus)
}

// ErrInvalidReceipt is wrapped by Encode's errors for receipts it cannot encode.
var ErrInvalidReceipt = errors.New("escpos: invalid receipt")

func (o Options) withDefaults() (Options, error) {
	if o.Dots == 0 {
		o.Dots = Dots80mm
	}
	if o.Dots < 8 || o.Dots > 2040 || o.Dots%8 != 0 {
		return o, fmt.Errorf("escpos: paper width %d dots is not a multiple of 8 in 8-2040", o.Dots)
	}
	if o.BandRows == 0 {
		o.BandRows = DefaultBandRows
	}
	if o.BandRows < 1 || o.BandRows > 255 {
		return o, fmt.Errorf("escpos: band rows %d outside 1-255", o.BandRows)
	}
	if o.ReplyTimeout == 0 {
		o.ReplyTimeout = DefaultReplyTimeout
	}
	if o.Text == nil {
		t, err := DefaultTextRenderer()
		if err != nil {
			return o, err
		}
		o.Text = t
	}
	return o, nil
}

// Encode returns the ESC/POS bytes for r (see the package documentation for the exact bytes).
// It fails, wrapping ErrInvalidReceipt, for a nil block, a character size outside 1-8, empty or
// over-long (MaxQRData bytes) QR data, a QR module size outside 1-16, a feed outside 0-255, or
// a nil or empty image; and for invalid Options. Nothing is partially encoded on error.
func Encode(r drivers.Receipt, o Options) ([]byte, error) {
	o, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	out := []byte{0x1B, 0x40}
	if !o.NoChineseMode {
		out = append(out, 0x1C, 0x26)
	}
	for i, b := range r.Blocks {
		var err error
		switch b := b.(type) {
		case drivers.Line:
			out, err = encodeLine(out, b, o)
		case drivers.QR:
			out, err = encodeQR(out, b, o)
		case drivers.Image:
			var bm *Bitmap
			if bm, err = BitmapFromImage(b.Img); err == nil {
				out = appendRaster(out, place(scaleDown(bm, o.Dots), o.Dots, b.Align), o.BandRows)
			}
		case drivers.Feed:
			if b.Lines < 0 || b.Lines > 255 {
				err = fmt.Errorf("feed %d lines outside 0-255", b.Lines)
			}
			out = append(out, 0x1B, 0x64, byte(b.Lines))
		case drivers.Cut:
			if b.Feed < 0 || b.Feed > 255 {
				err = fmt.Errorf("cut feed %d lines outside 0-255", b.Feed)
			}
			out = append(out, 0x1D, 0x56, 0x42, byte(b.Feed))
		default:
			err = fmt.Errorf("unknown block %T", b)
		}
		if err != nil {
			return nil, fmt.Errorf("%w: block %d: %v", ErrInvalidReceipt, i, err)
		}
	}
	return out, nil
}

// sanitize replaces control characters (which would be taken as printer commands) by spaces.
func sanitize(s string) string {
	clean := true
	for _, r := range s {
		if unicode.IsControl(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	rs := []rune(s)
	for i, r := range rs {
		if unicode.IsControl(r) {
			rs[i] = ' '
		}
	}
	return string(rs)
}

// EncodeGB18030 returns s in GB18030 and whether every character is inside GBK (i.e. the
// encoding has no 4-byte sequence), which is what most Chinese printers print natively.
// Invalid UTF-8 is encoded as U+FFFD.
func EncodeGB18030(s string) (b []byte, gbk bool) {
	b, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(s))
	if err != nil { // GB18030 covers all of Unicode; only invalid UTF-8 gets here
		b, _ = simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(string([]rune(s))))
	}
	gbk = true
	for i := 0; i < len(b); {
		switch {
		case b[i] < 0x80:
			i++
		case i+1 < len(b) && b[i+1] >= 0x30 && b[i+1] <= 0x39:
			gbk = false
			i += 4
		default:
			i += 2
		}
	}
	return b, gbk
}

func encodeLine(out []byte, l drivers.Line, o Options) ([]byte, error) {
	w, h, err := sizes(l)
	if err != nil {
		return out, err
	}
	if l.Align > drivers.AlignRight {
		return out, fmt.Errorf("alignment %d", l.Align)
	}
	l.Text = sanitize(l.Text)
	text, gbk := EncodeGB18030(l.Text)
	if !gbk {
		bm, err := o.Text.Render(l, o.Dots)
		if err != nil {
			return out, err
		}
		return appendRaster(out, bm, o.BandRows), nil
	}
	bold := byte(0)
	if l.Bold {
		bold = 1
	}
	out = append(out, 0x1B, 0x61, byte(l.Align), 0x1D, 0x21, byte((w-1)<<4|(h-1)), 0x1B, 0x45, bold)
	out = append(out, text...)
	return append(out, 0x0A), nil
}

func encodeQR(out []byte, q drivers.QR, o Options) ([]byte, error) {
	size := q.ModuleSize
	if size == 0 {
		size = DefaultQRModuleSize
	}
	if size < 1 || size > 16 {
		return out, fmt.Errorf("QR module size %d outside 1-16", size)
	}
	if len(q.Data) == 0 || len(q.Data) > MaxQRData {
		return out, fmt.Errorf("QR data of %d bytes, want 1-%d", len(q.Data), MaxQRData)
	}
	if q.Align > drivers.AlignRight {
		return out, fmt.Errorf("alignment %d", q.Align)
	}
	var level byte
	var rl qrcode.RecoveryLevel
	switch q.Level {
	case drivers.QRLevelL:
		level, rl = 0x30, qrcode.Low
	case drivers.QRLevelM:
		level, rl = 0x31, qrcode.Medium
	case drivers.QRLevelQ:
		level, rl = 0x32, qrcode.High // go-qrcode calls Q "High"
	case drivers.QRLevelH:
		level, rl = 0x33, qrcode.Highest
	default:
		return out, fmt.Errorf("QR level %d", q.Level)
	}
	if o.QRAsImage {
		code, err := qrcode.New(q.Data, rl)
		if err != nil {
			return out, err
		}
		bits := code.Bitmap() // includes the 4-module quiet zone
		n := len(bits)
		if n*size > o.Dots {
			return out, fmt.Errorf("QR code of %d modules × %d dots wider than the paper", n, size)
		}
		bm := NewBitmap(n*size, n*size)
		for y := range bits {
			for x, black := range bits[y] {
				if !black {
					continue
				}
				for dy := 0; dy < size; dy++ {
					for dx := 0; dx < size; dx++ {
						bm.Set(x*size+dx, y*size+dy)
					}
				}
			}
		}
		return appendRaster(out, place(bm, o.Dots, q.Align), o.BandRows), nil
	}
	k := len(q.Data) + 3
	out = append(out, 0x1B, 0x61, byte(q.Align))
	out = append(out, 0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00) // model 2
	out = append(out, 0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, byte(size)) // module size
	out = append(out, 0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, level)      // error level
	out = append(out, 0x1D, 0x28, 0x6B, byte(k), byte(k>>8), 0x31, 0x50, 0x30)
	out = append(out, q.Data...)
	out = append(out, 0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30) // print
	return out, nil
}

// appendRaster appends GS v 0 commands printing b in bands of at most band rows.
func appendRaster(out []byte, b *Bitmap, band int) []byte {
	x := b.Stride()
	for y0 := 0; y0 < b.Height; y0 += band {
		rows := min(band, b.Height-y0)
		out = append(out, 0x1D, 0x76, 0x30, 0x00, byte(x), byte(x>>8), byte(rows), byte(rows>>8))
		out = append(out, b.Pix[y0*x:(y0+rows)*x]...)
	}
	return out
}
