package sim

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"strings"
	"sync"
	"unicode"

	qrcode "github.com/skip2/go-qrcode"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/width"

	"hall/drivers"
	"hall/drivers/escpos"
)

// Paper is the state of a simulated printer's paper roll.
type Paper int

// Paper states.
const (
	PaperOK Paper = iota
	PaperNearEnd
	PaperOut
)

// Printer simulates an ESC/POS thermal receipt printer (DEVICES.md, "ESC/POS ticket printer"),
// 80 mm (576 dots) unless NewPrinter says otherwise. It interprets the commands the kiosk
// sends (ESC @, FS &/FS ., ESC a, ESC E, GS !, ESC d, GS V, GS ( k QR functions, GS v 0
// raster, LF, GB18030 text), records each receipt up to its cut, answers real-time status
// requests (DLE EOT 1/2/4) and, after GS a n with n ≠ 0, sends 4-byte automatic status packets
// at once and on every change of its state.
//
// While its paper is out, its cover open or it is offline, it prints nothing: the bytes it
// receives are counted (Discarded) and dropped, as a printer without paper would lose them.
// Unknown commands are skipped and listed by Errors; no input makes it panic or hang.
//
// Receipts come back as drivers.Receipt (Line, QR, Image for raster data, Feed, Cut) and can be
// rendered as text (Text) or as a PNG image (PNG) to look at. The status-byte and command
// parsing here is written from DEVICES.md, not shared with drivers/escpos; only the text
// rasteriser (fonts, not protocol) is shared.
//
// Create it with NewPrinter. Its control methods are safe for concurrent use, also while
// Serve runs.
type Printer struct {
	dots int

	// wmu serialises writes to the port (Serve's replies and control methods' status packets)
	// and guards out.
	wmu sync.Mutex
	out io.Writer

	// mu guards every field below.
	mu        sync.Mutex
	paper     Paper
	coverOpen bool
	offline   bool
	asb       byte
	receipts  []drivers.Receipt
	cur       []drivers.Block
	line      []byte // text bytes of the line being received
	align     drivers.Align
	bold      bool
	wMul      int
	hMul      int
	chinese   bool
	qr        qrState
	discarded int
	errs      []string
}

type qrState struct {
	size  int
	level drivers.QRLevel
	data  []byte
}

// NewPrinter returns a ready printer with paper, automatic status off, Chinese mode on, for
// paper dots wide (escpos.Dots80mm or escpos.Dots58mm; other values mean 576).
func NewPrinter(dots int) *Printer {
	if dots != escpos.Dots58mm {
		dots = escpos.Dots80mm
	}
	p := &Printer{dots: dots, chinese: true}
	p.resetLocked()
	return p
}

func (p *Printer) resetLocked() {
	p.align, p.bold, p.wMul, p.hMul = drivers.AlignLeft, false, 1, 1
	p.qr = qrState{size: 3, level: drivers.QRLevelL}
	p.line = p.line[:0]
}

// maxPending caps the bytes kept while waiting for the rest of a command (a raster image of
// 2040 × 4096 dots is about 1 MB).
const maxPending = 1 << 20

// Serve speaks ESC/POS on port until ctx ends or the port fails (see Device). Transient read
// errors (drivers.ErrTimeout, drivers.ErrOffline) are retried.
func (p *Printer) Serve(ctx context.Context, port io.ReadWriter) error {
	p.wmu.Lock()
	p.out = port
	p.wmu.Unlock()
	defer func() {
		p.wmu.Lock()
		p.out = nil
		p.wmu.Unlock()
	}()
	var pending []byte
	buf := make([]byte, 4096)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, err := port.Read(buf)
		if n > 0 {
			pending = append(pending, buf[:n]...)
			used, replies := p.consume(pending)
			pending = append(pending[:0], pending[used:]...)
			if len(pending) > maxPending {
				p.mu.Lock()
				p.errs = append(p.errs, fmt.Sprintf("dropped %d bytes of an incomplete command", len(pending)))
				p.mu.Unlock()
				pending = pending[:0]
			}
			if len(replies) > 0 {
				p.write(replies)
			}
		}
		if err != nil && !drivers.IsTransient(err) {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		}
	}
}

func (p *Printer) write(b []byte) {
	p.wmu.Lock()
	defer p.wmu.Unlock()
	if p.out != nil {
		p.out.Write(b) //nolint:errcheck // a failing port ends Serve through its reads
	}
}

// consume interprets as many complete commands of in as possible and returns how many bytes
// it used and the bytes to send back.
func (p *Printer) consume(in []byte) (used int, replies []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for used < len(in) {
		n, reply := p.commandLocked(in[used:])
		if n == 0 { // incomplete: wait for more bytes
			break
		}
		used += n
		replies = append(replies, reply...)
	}
	return used, replies
}

// readyLocked reports whether the printer prints now.
func (p *Printer) readyLocked() bool { return p.paper != PaperOut && !p.coverOpen && !p.offline }

// need returns whether in holds n bytes.
func need(in []byte, n int) bool { return len(in) >= n }

// commandLocked interprets the command at the start of in. It returns the bytes it used (0
// when the command is incomplete) and any reply.
func (p *Printer) commandLocked(in []byte) (int, []byte) {
	b := in[0]
	// Real-time status requests are answered in any state.
	if b == 0x10 {
		if !need(in, 3) {
			return 0, nil
		}
		if in[1] == 0x04 {
			return 3, []byte{p.realtimeLocked(in[2])}
		}
		p.errs = append(p.errs, fmt.Sprintf("unknown DLE command % x", in[:2]))
		return 1, nil
	}
	n, printing := p.printCommandLocked(in)
	if n > 0 && printing && !p.readyLocked() {
		p.discarded += n
	}
	if n > 0 && b == 0x1D && len(in) > 2 && in[1] == 0x61 {
		return n, p.autoPacketLocked()
	}
	return n, nil
}

// printCommandLocked interprets a non-real-time command; printing says whether it is part of
// a receipt (discarded while not ready) or a setting.
func (p *Printer) printCommandLocked(in []byte) (n int, printing bool) {
	ready := p.readyLocked()
	switch in[0] {
	case 0x0A: // LF
		if ready {
			p.flushLineLocked()
		}
		return 1, true
	case 0x0D: // CR: ignored
		return 1, true
	case 0x1B: // ESC
		if !need(in, 2) {
			return 0, false
		}
		switch in[1] {
		case 0x40: // ESC @
			p.resetLocked()
			return 2, false
		case 0x61, 0x45, 0x64: // ESC a n, ESC E n, ESC d n
			if !need(in, 3) {
				return 0, false
			}
			switch in[1] {
			case 0x61:
				if in[2] <= 2 || (in[2] >= '0' && in[2] <= '2') {
					p.align = drivers.Align(in[2] % 0x30)
				}
			case 0x45:
				p.bold = in[2]&1 == 1
			case 0x64:
				if ready {
					if len(p.line) > 0 {
						p.flushLineLocked()
					}
					p.cur = append(p.cur, drivers.Feed{Lines: int(in[2])})
				}
			}
			return 3, true
		}
	case 0x1C: // FS
		if !need(in, 2) {
			return 0, false
		}
		switch in[1] {
		case 0x26:
			p.chinese = true
			return 2, false
		case 0x2E:
			p.chinese = false
			return 2, false
		}
	case 0x1D: // GS
		if !need(in, 2) {
			return 0, false
		}
		switch in[1] {
		case 0x21: // GS ! n
			if !need(in, 3) {
				return 0, false
			}
			p.wMul, p.hMul = int(in[2]>>4)+1, int(in[2]&7)+1
			return 3, true
		case 0x61: // GS a n
			if !need(in, 3) {
				return 0, false
			}
			p.asb = in[2]
			return 3, false
		case 0x56: // GS V m [n]
			if !need(in, 3) {
				return 0, false
			}
			m := in[2]
			if m == 0x41 || m == 0x42 || m == 0x61 || m == 0x62 || m == 0x67 || m == 0x68 {
				if !need(in, 4) {
					return 0, false
				}
				if ready {
					p.cutLocked(int(in[3]))
				}
				return 4, true
			}
			if m <= 1 || m == 0x30 || m == 0x31 {
				if ready {
					p.cutLocked(0)
				}
				return 3, true
			}
		case 0x28: // GS ( k pL pH cn fn ...
			if !need(in, 5) {
				return 0, false
			}
			if in[2] != 0x6B {
				break
			}
			size := 5 + int(in[3]) + int(in[4])<<8
			if !need(in, size) {
				return 0, false
			}
			if ready {
				p.qrFunctionLocked(in[5:size])
			}
			return size, true
		case 0x76: // GS v 0 m xL xH yL yH d...
			if !need(in, 8) {
				return 0, false
			}
			if in[2] != 0x30 {
				break
			}
			x := int(in[4]) + int(in[5])<<8
			y := int(in[6]) + int(in[7])<<8
			if x == 0 || y == 0 || x > 255 || y > 4096 {
				p.errs = append(p.errs, fmt.Sprintf("raster of %d bytes × %d rows refused", x, y))
				return 8, true
			}
			if !need(in, 8+x*y) {
				return 0, false
			}
			if ready {
				p.rasterLocked(x, y, in[8:8+x*y])
			}
			return 8 + x*y, true
		}
	}
	if in[0] < 0x20 || in[0] == 0x7F {
		p.errs = append(p.errs, fmt.Sprintf("unknown command byte %#02x", in[0]))
		return 1, false
	}
	// Text: collected until LF.
	if ready {
		if len(p.line) < 4096 {
			p.line = append(p.line, in[0])
		}
	}
	return 1, true
}

func (p *Printer) flushLineLocked() {
	text, err := simplifiedchinese.GB18030.NewDecoder().Bytes(p.line)
	if err != nil {
		text = bytes.ToValidUTF8(p.line, []byte("\uFFFD"))
	}
	p.cur = append(p.cur, drivers.Line{Text: string(text), Width: p.wMul, Height: p.hMul, Bold: p.bold, Align: p.align})
	p.line = p.line[:0]
}

func (p *Printer) cutLocked(feed int) {
	if len(p.line) > 0 {
		p.flushLineLocked()
	}
	p.cur = append(p.cur, drivers.Cut{Feed: feed})
	p.receipts = append(p.receipts, drivers.Receipt{Blocks: p.cur})
	p.cur = nil
}

// qrFunctionLocked handles the body of GS ( k after pL pH: cn fn [params].
func (p *Printer) qrFunctionLocked(body []byte) {
	if len(body) < 2 || body[0] != 0x31 {
		p.errs = append(p.errs, fmt.Sprintf("GS ( k with symbol % x", body[:min(len(body), 1)]))
		return
	}
	arg := body[2:]
	switch body[1] {
	case 0x41: // model
	case 0x43:
		if len(arg) == 1 {
			p.qr.size = int(arg[0])
		}
	case 0x45:
		if len(arg) == 1 && arg[0] >= 0x30 && arg[0] <= 0x33 {
			p.qr.level = [...]drivers.QRLevel{drivers.QRLevelL, drivers.QRLevelM, drivers.QRLevelQ, drivers.QRLevelH}[arg[0]-0x30]
		} else {
			p.errs = append(p.errs, fmt.Sprintf("QR error level % x", arg))
		}
	case 0x50:
		if len(arg) >= 1 && arg[0] == 0x30 {
			p.qr.data = append(p.qr.data[:0], arg[1:]...)
		}
	case 0x51:
		if len(p.qr.data) > 0 {
			if len(p.line) > 0 {
				p.flushLineLocked()
			}
			p.cur = append(p.cur, drivers.QR{Data: string(p.qr.data), ModuleSize: p.qr.size, Level: p.qr.level, Align: p.align})
		}
	default:
		p.errs = append(p.errs, fmt.Sprintf("QR function %#02x", body[1]))
	}
}

// rasterLocked records x bytes × y rows of raster data; bands that follow each other at the
// same width are joined into one image.
func (p *Printer) rasterLocked(x, y int, data []byte) {
	if len(p.line) > 0 {
		p.flushLineLocked()
	}
	if n := len(p.cur); n > 0 {
		if img, ok := p.cur[n-1].(drivers.Image); ok {
			if prev, ok := img.Img.(*image.Paletted); ok && prev.Rect.Dx() == x*8 {
				joined := image.NewPaletted(image.Rect(0, 0, x*8, prev.Rect.Dy()+y), prev.Palette)
				copy(joined.Pix, prev.Pix)
				paint(joined, prev.Rect.Dy(), x, y, data)
				p.cur[n-1] = drivers.Image{Img: joined}
				return
			}
		}
	}
	img := image.NewPaletted(image.Rect(0, 0, x*8, y), color.Palette{color.White, color.Black})
	paint(img, 0, x, y, data)
	p.cur = append(p.cur, drivers.Image{Img: img})
}

func paint(img *image.Paletted, y0, x, y int, data []byte) {
	for r := 0; r < y; r++ {
		for c := 0; c < x*8; c++ {
			if data[r*x+c/8]&(0x80>>(c%8)) != 0 {
				img.Pix[(y0+r)*img.Stride+c] = 1
			}
		}
	}
}

// realtimeLocked answers DLE EOT n (independently of drivers/escpos).
func (p *Printer) realtimeLocked(n byte) byte {
	b := byte(0x12)
	switch n {
	case 1:
		if !p.readyLocked() {
			b |= 0x08
		}
	case 2:
		if p.coverOpen {
			b |= 0x04
		}
		if p.paper == PaperOut {
			b |= 0x20
		}
	case 4:
		switch p.paper {
		case PaperNearEnd:
			b |= 0x0C
		case PaperOut:
			b |= 0x0C | 0x60
		}
	}
	return b
}

// autoPacketLocked returns the automatic status packet, or nil when it is off.
func (p *Printer) autoPacketLocked() []byte {
	if p.asb == 0 {
		return nil
	}
	pkt := []byte{0x10, 0x00, 0x00, 0x00}
	if !p.readyLocked() {
		pkt[0] |= 0x08
	}
	if p.coverOpen {
		pkt[0] |= 0x20
	}
	switch p.paper {
	case PaperNearEnd:
		pkt[2] |= 0x03
	case PaperOut:
		pkt[2] |= 0x03 | 0x0C
	}
	return pkt
}

// change applies a state change and sends an automatic status packet when enabled.
func (p *Printer) change(f func()) {
	p.mu.Lock()
	f()
	pkt := p.autoPacketLocked()
	p.mu.Unlock()
	if pkt != nil {
		p.write(pkt)
	}
}

// SetPaper sets the paper roll's state.
func (p *Printer) SetPaper(s Paper) { p.change(func() { p.paper = s }) }

// SetCoverOpen opens (true) or closes the paper cover.
func (p *Printer) SetCoverOpen(open bool) { p.change(func() { p.coverOpen = open }) }

// SetOffline takes the printer offline (true) or back online.
func (p *Printer) SetOffline(off bool) { p.change(func() { p.offline = off }) }

// Status returns the simulated state as the device-neutral status.
func (p *Printer) Status() drivers.PrinterStatus {
	p.mu.Lock()
	defer p.mu.Unlock()
	return drivers.PrinterStatus{
		Offline: !p.readyLocked(), CoverOpen: p.coverOpen,
		PaperNearEnd: p.paper != PaperOK, PaperOut: p.paper == PaperOut,
	}
}

// Receipts returns every receipt printed (cut) so far, oldest first.
func (p *Printer) Receipts() []drivers.Receipt {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]drivers.Receipt(nil), p.receipts...)
}

// LastReceipt returns the last receipt printed; ok is false when none was.
func (p *Printer) LastReceipt() (r drivers.Receipt, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.receipts) == 0 {
		return drivers.Receipt{}, false
	}
	return p.receipts[len(p.receipts)-1], true
}

// Discarded returns how many bytes of receipts were dropped because the printer was not ready.
func (p *Printer) Discarded() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.discarded
}

// Errors lists the unknown or refused commands seen so far.
func (p *Printer) Errors() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.errs...)
}

// Dots returns the paper width in dots.
func (p *Printer) Dots() int { return p.dots }

// Text renders a receipt as plain text on a paper of dots/12 columns (a 12-dot half-width
// cell; CJK characters take two): lines aligned and marked with their size and bold, QR codes
// and images as bracketed notes, feeds as empty lines and the cut as a scissors line.
func Text(r drivers.Receipt, dots int) string {
	cols := dots / 12
	var sb strings.Builder
	for _, b := range r.Blocks {
		switch b := b.(type) {
		case drivers.Line:
			w, h := max(b.Width, 1), max(b.Height, 1)
			text := b.Text
			cells := 0
			for _, c := range text {
				cells += runeCells(c) * w
			}
			pad := 0
			switch b.Align {
			case drivers.AlignCenter:
				pad = max(cols-cells, 0) / 2
			case drivers.AlignRight:
				pad = max(cols-cells, 0)
			}
			sb.WriteString(strings.Repeat(" ", pad) + text)
			var marks []string
			if w != 1 || h != 1 {
				marks = append(marks, fmt.Sprintf("%dx%d", w, h))
			}
			if b.Bold {
				marks = append(marks, "bold")
			}
			if len(marks) > 0 {
				sb.WriteString("  [" + strings.Join(marks, " ") + "]")
			}
			sb.WriteByte('\n')
		case drivers.QR:
			fmt.Fprintf(&sb, "[QR %s size %d, %s] %s\n", b.Level, b.ModuleSize, b.Align, b.Data)
		case drivers.Image:
			r := b.Img.Bounds()
			fmt.Fprintf(&sb, "[image %d×%d dots]\n", r.Dx(), r.Dy())
		case drivers.Feed:
			sb.WriteString(strings.Repeat("\n", b.Lines))
		case drivers.Cut:
			sb.WriteString(strings.Repeat("\n", b.Feed))
			sb.WriteString(strings.Repeat("- ", cols/2-2) + "✂\n")
		}
	}
	return sb.String()
}

func runeCells(r rune) int {
	switch width.LookupRune(r).Kind() {
	case width.EastAsianWide, width.EastAsianFullwidth:
		return 2
	}
	if unicode.Is(unicode.Han, r) {
		return 2
	}
	return 1
}

// feedDots is the paper advance of one fed line.
const feedDots = 30

// RenderImage draws a receipt as the paper would look, dots wide: text with the bundled CJK
// font at the printer's 24-dot cell size and multipliers, QR codes drawn by go-qrcode at their
// module size (with the quiet zone), raster images as sent, feeds as blank space and the cut
// as a dashed line. It fails when a block cannot be drawn (text size or QR data invalid).
func RenderImage(r drivers.Receipt, dots int) (*image.Paletted, error) {
	tr, err := escpos.DefaultTextRenderer()
	if err != nil {
		return nil, err
	}
	var parts []*image.Paletted
	for _, b := range r.Blocks {
		switch b := b.(type) {
		case drivers.Line:
			bm, err := tr.Render(b, dots)
			if err != nil {
				return nil, fmt.Errorf("sim: render line %q: %w", b.Text, err)
			}
			parts = append(parts, bm.Image())
		case drivers.QR:
			lvl := map[drivers.QRLevel]qrcode.RecoveryLevel{drivers.QRLevelL: qrcode.Low, drivers.QRLevelM: qrcode.Medium, drivers.QRLevelQ: qrcode.High, drivers.QRLevelH: qrcode.Highest}[b.Level]
			code, err := qrcode.New(b.Data, lvl)
			if err != nil {
				return nil, fmt.Errorf("sim: render QR: %w", err)
			}
			bits := code.Bitmap()
			size := max(b.ModuleSize, 1)
			img := blank(dots, len(bits)*size)
			off := 0
			switch b.Align {
			case drivers.AlignCenter:
				off = (dots - len(bits)*size) / 2
			case drivers.AlignRight:
				off = dots - len(bits)*size
			}
			for y := range bits {
				for x, black := range bits[y] {
					if black {
						draw.Draw(img, image.Rect(off+x*size, y*size, off+(x+1)*size, (y+1)*size), image.Black, image.Point{}, draw.Src)
					}
				}
			}
			parts = append(parts, img)
		case drivers.Image:
			img := blank(dots, b.Img.Bounds().Dy())
			draw.Draw(img, img.Bounds(), b.Img, b.Img.Bounds().Min, draw.Src)
			parts = append(parts, img)
		case drivers.Feed:
			parts = append(parts, blank(dots, b.Lines*feedDots))
		case drivers.Cut:
			img := blank(dots, b.Feed*feedDots+9)
			for x := 0; x < dots; x++ {
				if x/8%2 == 0 {
					img.Pix[(img.Rect.Dy()-5)*img.Stride+x] = 1
				}
			}
			parts = append(parts, img)
		}
	}
	h := 0
	for _, part := range parts {
		h += part.Rect.Dy()
	}
	out := blank(dots, h+16)
	y := 8
	for _, part := range parts {
		draw.Draw(out, image.Rect(0, y, dots, y+part.Rect.Dy()), part, image.Point{}, draw.Src)
		y += part.Rect.Dy()
	}
	return out, nil
}

func blank(w, h int) *image.Paletted {
	return image.NewPaletted(image.Rect(0, 0, w, h), color.Palette{color.White, color.Black})
}

// PNG renders a receipt with RenderImage and encodes it as PNG.
func PNG(r drivers.Receipt, dots int) ([]byte, error) {
	img, err := RenderImage(r, dots)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// ErrNoReceipt is returned by LastReceiptPNG when nothing was printed yet.
var ErrNoReceipt = errors.New("sim: printer: no receipt printed")

// LastReceiptPNG renders the last receipt as PNG (see PNG). It fails with ErrNoReceipt when
// nothing was printed.
func (p *Printer) LastReceiptPNG() ([]byte, error) {
	r, ok := p.LastReceipt()
	if !ok {
		return nil, ErrNoReceipt
	}
	return PNG(r, p.dots)
}

var _ Device = (*Printer)(nil)
