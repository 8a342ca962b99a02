package escpos

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"sync"
	"unicode"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"hall/assets"
	"hall/drivers"
)

// Bitmap is a black-and-white picture in the printer's raster layout: Height rows of
// Stride() bytes, the most significant bit of each byte is the leftmost dot, 1 prints black.
type Bitmap struct {
	Width, Height int
	Pix           []byte
}

// NewBitmap returns a white bitmap of the given size (both must be ≥ 0).
func NewBitmap(w, h int) *Bitmap {
	b := &Bitmap{Width: w, Height: h}
	b.Pix = make([]byte, b.Stride()*h)
	return b
}

// Stride is the number of bytes per row: Width rounded up to whole bytes.
func (b *Bitmap) Stride() int { return (b.Width + 7) / 8 }

// Black reports whether dot (x, y) prints; dots outside the bitmap are white.
func (b *Bitmap) Black(x, y int) bool {
	if x < 0 || y < 0 || x >= b.Width || y >= b.Height {
		return false
	}
	return b.Pix[y*b.Stride()+x/8]&(0x80>>(x%8)) != 0
}

// Set makes dot (x, y) black; dots outside the bitmap are ignored.
func (b *Bitmap) Set(x, y int) {
	if x < 0 || y < 0 || x >= b.Width || y >= b.Height {
		return
	}
	b.Pix[y*b.Stride()+x/8] |= 0x80 >> (x % 8)
}

// Image returns the bitmap as a black-on-white paletted image (for PNG files and comparisons).
func (b *Bitmap) Image() *image.Paletted {
	img := image.NewPaletted(image.Rect(0, 0, b.Width, b.Height), color.Palette{color.White, color.Black})
	for y := 0; y < b.Height; y++ {
		for x := 0; x < b.Width; x++ {
			if b.Black(x, y) {
				img.Pix[y*img.Stride+x] = 1
			}
		}
	}
	return img
}

// BitmapFromImage converts img to dots: a pixel is black when it is at least half opaque and
// its luminance is below half. It fails when img is nil or empty.
func BitmapFromImage(img image.Image) (*Bitmap, error) {
	if img == nil {
		return nil, errors.New("nil image")
	}
	r := img.Bounds()
	if r.Empty() {
		return nil, errors.New("empty image")
	}
	b := NewBitmap(r.Dx(), r.Dy())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
			if c.A < 0x80 {
				continue
			}
			lum := (299*int(c.R) + 587*int(c.G) + 114*int(c.B)) / 1000
			if lum < 0x80 {
				b.Set(x-r.Min.X, y-r.Min.Y)
			}
		}
	}
	return b, nil
}

// scaleDown returns b shrunk (nearest neighbour, keeping the aspect ratio) to at most maxW dots
// wide; b itself when it already fits.
func scaleDown(b *Bitmap, maxW int) *Bitmap {
	if b.Width <= maxW {
		return b
	}
	h := b.Height * maxW / b.Width
	if h < 1 {
		h = 1
	}
	out := NewBitmap(maxW, h)
	for y := 0; y < h; y++ {
		sy := y * b.Height / h
		for x := 0; x < maxW; x++ {
			if b.Black(x*b.Width/maxW, sy) {
				out.Set(x, y)
			}
		}
	}
	return out
}

// place returns a bitmap width dots wide with b drawn at the given alignment (b must fit).
func place(b *Bitmap, width int, a drivers.Align) *Bitmap {
	if b.Width == width {
		return b
	}
	off := 0
	switch a {
	case drivers.AlignCenter:
		off = (width - b.Width) / 2
	case drivers.AlignRight:
		off = width - b.Width
	}
	out := NewBitmap(width, b.Height)
	for y := 0; y < b.Height; y++ {
		for x := 0; x < b.Width; x++ {
			if b.Black(x, y) {
				out.Set(x+off, y)
			}
		}
	}
	return out
}

// DotsPerLine is the height in dots of a text line of height multiplier 1: the 24-dot Chinese
// font of ESC/POS printers.
const DotsPerLine = 24

// lineGap is the space in dots below each rasterised text line (the printers' default line
// spacing is about 30 dots for a 24-dot font).
const lineGap = 6

// TextRenderer draws text lines the way a printer would print them, with a given font. It is
// safe for concurrent use.
type TextRenderer struct {
	font *opentype.Font

	mu    sync.Mutex // guards faces
	faces map[int]font.Face
}

// NewTextRenderer parses an OpenType/TrueType font (one face, not a collection). It fails when
// the font cannot be parsed.
func NewTextRenderer(fontData []byte) (*TextRenderer, error) {
	f, err := opentype.Parse(fontData)
	if err != nil {
		return nil, fmt.Errorf("escpos: font: %w", err)
	}
	return &TextRenderer{font: f, faces: map[int]font.Face{}}, nil
}

var defaultRenderer = sync.OnceValues(func() (*TextRenderer, error) {
	return NewTextRenderer(assets.CJKFont())
})

// DefaultTextRenderer returns the renderer for the bundled CJK font (assets.CJKFont). It fails
// only if the bundled font is broken.
func DefaultTextRenderer() (*TextRenderer, error) { return defaultRenderer() }

// faceLocked returns the face for a pixel size; r.mu is held.
func (r *TextRenderer) faceLocked(px int) (font.Face, error) {
	if f, ok := r.faces[px]; ok {
		return f, nil
	}
	f, err := opentype.NewFace(r.font, &opentype.FaceOptions{Size: float64(px), DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		return nil, err
	}
	r.faces[px] = f
	return f, nil
}

// Render draws l as the printer would print it on paper width dots wide: character cells of
// 24·Height dots, stretched to Width/Height times as wide, bold drawn Height dots thicker, wrapped
// at the paper width, aligned, each row followed by a small gap. Control characters are drawn
// as spaces; characters the font lacks are drawn as its empty-box glyph. It fails when the
// size multipliers are outside 1-8 (0 counts as 1) or width < one character cell.
func (r *TextRenderer) Render(l drivers.Line, width int) (*Bitmap, error) {
	w, h, err := sizes(l)
	if err != nil {
		return nil, err
	}
	px := DotsPerLine * h
	if width < DotsPerLine*w {
		return nil, fmt.Errorf("paper width %d too small", width)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	face, err := r.faceLocked(px)
	if err != nil {
		return nil, err
	}
	// Measure runes at the face's size, then stretch horizontally by w/h.
	stretch := func(v fixed.Int26_6) int { return (v.Ceil()*w + h - 1) / h }
	type glyph struct {
		r   rune
		adv int
	}
	var rows [][]glyph
	var row []glyph
	rowW := 0
	for _, c := range l.Text {
		if unicode.IsControl(c) {
			c = ' '
		}
		adv, ok := face.GlyphAdvance(c)
		if !ok {
			adv, _ = face.GlyphAdvance('□')
		}
		a := stretch(adv)
		if rowW+a > width && len(row) > 0 {
			rows = append(rows, row)
			row, rowW = nil, 0
		}
		row = append(row, glyph{c, a})
		rowW += a
	}
	rows = append(rows, row)

	extra := 0
	if l.Bold {
		extra = h // one dot thicker per height step, so bold shows at every size
	}
	rowH := px + lineGap*h
	out := NewBitmap(width, rowH*len(rows))
	ascent := px * 88 / 100 // Noto CJK ideographs sit between -0.12 and 0.88 em
	for i, row := range rows {
		natural := 0
		for _, g := range row {
			natural += (g.adv*h + w - 1) / w
		}
		src := image.NewGray(image.Rect(0, 0, natural+extra+1, px))
		draw.Draw(src, src.Bounds(), image.White, image.Point{}, draw.Src)
		for dx := 0; dx <= extra; dx++ {
			d := font.Drawer{Dst: src, Src: image.Black, Face: face, Dot: fixed.P(dx, ascent)}
			for _, g := range row {
				d.DrawString(string(g.r))
			}
		}
		drawn := 0
		for _, g := range row {
			drawn += g.adv
		}
		off := 0
		switch l.Align {
		case drivers.AlignCenter:
			off = (width - drawn) / 2
		case drivers.AlignRight:
			off = width - drawn
		}
		y0 := i * rowH
		inked := min(drawn+extra*w/h, width-off)
		for y := 0; y < px; y++ {
			for x := 0; x < inked; x++ {
				sx := x * h / w
				if src.GrayAt(sx, y).Y < 0x80 {
					out.Set(off+x, y0+y)
				}
			}
		}
	}
	return out, nil
}

// sizes validates and returns the width and height multipliers of l.
func sizes(l drivers.Line) (w, h int, err error) {
	w, h = l.Width, l.Height
	if w == 0 {
		w = 1
	}
	if h == 0 {
		h = 1
	}
	if w < 1 || w > 8 || h < 1 || h > 8 {
		return 0, 0, fmt.Errorf("character size %dx%d outside 1-8", l.Width, l.Height)
	}
	return w, h, nil
}
