// Package theme is Hall's Fyne theme for the kiosk and counter apps: Fyne's own fonts have no
// Chinese glyphs, so every text style uses the bundled CJK font from package assets (Noto Sans
// CJK SC, GBK plus Extension A), and everything else comes from Fyne's default theme. Apply it
// with app.Settings().SetTheme(theme.New()) — and in headless tests with test.ApplyTheme before
// any golden assertion, so that text sizes do not depend on the machine's fonts.
//
// Concurrency: a Theme is immutable and safe for concurrent use.
package theme

import (
	"image/color"

	"fyne.io/fyne/v2"
	fynetheme "fyne.io/fyne/v2/theme"

	"hall/assets"
)

// font is the bundled CJK face as a Fyne resource, shared by every Theme.
var font = fyne.NewStaticResource(assets.CJKFontFile, assets.CJKFont())

// Theme is Fyne's default theme with the bundled CJK font for all text.
type Theme struct {
	base fyne.Theme
}

var _ fyne.Theme = Theme{}

// New returns the hall theme on top of Fyne's default theme.
func New() fyne.Theme { return Theme{base: fynetheme.DefaultTheme()} }

// Font returns the bundled CJK font for every style except monospace. The bundle has one
// (regular) face, so bold and italic text use it too.
func (t Theme) Font(s fyne.TextStyle) fyne.Resource {
	if s.Monospace || s.Symbol {
		return t.base.Font(s)
	}
	return font
}

// Color is the default theme's colour.
func (t Theme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	return t.base.Color(n, v)
}

// Icon is the default theme's icon.
func (t Theme) Icon(n fyne.ThemeIconName) fyne.Resource { return t.base.Icon(n) }

// Size is the default theme's size.
func (t Theme) Size(n fyne.ThemeSizeName) float32 { return t.base.Size(n) }
