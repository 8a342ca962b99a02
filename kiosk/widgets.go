package kiosk

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	halltheme "hall/assets/theme"
)

// Colours of the kiosk screens.
var (
	colorBrand    = color.NRGBA{R: 0x0b, G: 0x5c, B: 0xad, A: 0xff} // government blue
	colorTile     = color.NRGBA{R: 0xe8, G: 0xf1, B: 0xfb, A: 0xff}
	colorTileOff  = color.NRGBA{R: 0xee, G: 0xee, B: 0xee, A: 0xff}
	colorText     = color.NRGBA{R: 0x1a, G: 0x1a, B: 0x1a, A: 0xff}
	colorMuted    = color.NRGBA{R: 0x66, G: 0x66, B: 0x66, A: 0xff}
	colorWarn     = color.NRGBA{R: 0xc6, G: 0x28, B: 0x28, A: 0xff}
	colorGood     = color.NRGBA{R: 0x1b, G: 0x7f, B: 0x3b, A: 0xff}
	colorWhite    = color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff}
	colorBanner   = color.NRGBA{R: 0xff, G: 0xf4, B: 0xd6, A: 0xff}
	colorSelected = color.NRGBA{R: 0x0b, G: 0x5c, B: 0xad, A: 0xff}
)

// Text sizes on a 1080-wide portrait or 1920-wide landscape touch screen viewed from arm's length.
const (
	sizeHuge   = 140 // the ticket number
	sizeTitle  = 40
	sizeLarge  = 32
	sizeNormal = 26
	sizeSmall  = 22
)

// Theme is the kiosk's theme: the hall theme (bundled CJK font) in its light variant, with text
// and touch targets sized for a kiosk screen.
type Theme struct{ base fyne.Theme }

// NewTheme returns the kiosk theme.
func NewTheme() fyne.Theme { return Theme{base: halltheme.New()} }

// Font is the hall theme's font (the bundled CJK face).
func (t Theme) Font(s fyne.TextStyle) fyne.Resource { return t.base.Font(s) }

// Color is the hall theme's light colour: kiosks stand in bright halls.
func (t Theme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return t.base.Color(n, fynetheme.VariantLight)
}

// Icon is the hall theme's icon.
func (t Theme) Icon(n fyne.ThemeIconName) fyne.Resource { return t.base.Icon(n) }

// Size enlarges text, padding and input fields.
func (t Theme) Size(n fyne.ThemeSizeName) float32 {
	switch n {
	case fynetheme.SizeNameText:
		return sizeNormal
	case fynetheme.SizeNameHeadingText:
		return sizeTitle
	case fynetheme.SizeNameSubHeadingText:
		return sizeLarge
	case fynetheme.SizeNamePadding:
		return 8
	case fynetheme.SizeNameInnerPadding:
		return 14
	case fynetheme.SizeNameInputBorder:
		return 2
	}
	return t.base.Size(n)
}

// text returns a canvas text of the given size and colour.
func text(s string, size float32, c color.Color, bold bool) *canvas.Text {
	t := canvas.NewText(s, c)
	t.TextSize = size
	t.TextStyle.Bold = bold
	return t
}

// centred returns a centred canvas text.
func centred(s string, size float32, c color.Color, bold bool) *canvas.Text {
	t := text(s, size, c, bold)
	t.Alignment = fyne.TextAlignCenter
	return t
}

// wrapped returns a word-wrapping label for long texts (guides, messages).
func wrapped(s string) *widget.Label {
	l := widget.NewLabel(s)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// tile is a large touch target: a coloured panel with lines of text. A disabled tile is grey and
// ignores taps.
type tile struct {
	widget.BaseWidget
	bg       *canvas.Rectangle
	lines    []fyne.CanvasObject
	onTap    func()
	disabled bool
	minH     float32
}

// newTile builds a tile; onTap nil or disabled makes it inert.
func newTile(bg color.Color, minH float32, disabled bool, onTap func(), lines ...fyne.CanvasObject) *tile {
	r := canvas.NewRectangle(bg)
	r.CornerRadius = 12
	t := &tile{bg: r, lines: lines, onTap: onTap, disabled: disabled, minH: minH}
	t.ExtendBaseWidget(t)
	return t
}

func (t *tile) CreateRenderer() fyne.WidgetRenderer {
	body := container.NewVBox(t.lines...)
	return widget.NewSimpleRenderer(container.NewStack(t.bg, container.New(&minHeight{h: t.minH}, container.NewPadded(container.NewCenter(body)))))
}

// Tapped runs the tile's action unless it is disabled.
func (t *tile) Tapped(*fyne.PointEvent) {
	if !t.disabled && t.onTap != nil {
		t.onTap()
	}
}

// minHeight is a stack layout with a minimum height.
type minHeight struct{ h float32 }

func (m *minHeight) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Resize(size)
		o.Move(fyne.NewPos(0, 0))
	}
}

func (m *minHeight) MinSize(objs []fyne.CanvasObject) fyne.Size {
	s := fyne.NewSize(0, m.h)
	for _, o := range objs {
		s = s.Max(o.MinSize())
	}
	return s
}

// button is a large text tile in the brand colour (white text) or a light one.
func button(label string, primary bool, onTap func()) *tile {
	bg, fg := color.Color(colorTile), color.Color(colorBrand)
	if primary {
		bg, fg = colorBrand, colorWhite
	}
	return newTile(bg, 84, false, onTap, centred(label, sizeLarge, fg, true))
}

// disabledButton is a grey tile with a second line saying why.
func disabledButton(label, why string) *tile {
	return newTile(colorTileOff, 84, true, nil, centred(label, sizeLarge, colorMuted, true), centred(why, sizeSmall, colorMuted, false))
}

// panel puts a background colour behind content.
func panel(bg color.Color, content fyne.CanvasObject) fyne.CanvasObject {
	r := canvas.NewRectangle(bg)
	return container.NewStack(r, container.NewPadded(content))
}
