package terminal

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// deskTheme is the hall theme for the clerk's operation buttons, used all day: larger labels,
// taller buttons, and the label of a disabled button still readable (grey, not near-black).
type deskTheme struct{ base fyne.Theme }

func (d deskTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	switch n {
	case theme.ColorNameSuccess: // white on it: a deeper green than the default
		return color.NRGBA{0x2e, 0x7d, 0x32, 0xff}
	case theme.ColorNameWarning:
		return color.NRGBA{0xd8, 0x5a, 0x00, 0xff}
	}
	if n == theme.ColorNameDisabled {
		if v == theme.VariantDark {
			return color.NRGBA{0x9e, 0x9e, 0x9e, 0xff}
		}
		return color.NRGBA{0x75, 0x75, 0x75, 0xff}
	}
	return d.base.Color(n, v)
}
func (d deskTheme) Font(s fyne.TextStyle) fyne.Resource     { return d.base.Font(s) }
func (d deskTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return d.base.Icon(n) }

func (d deskTheme) Size(n fyne.ThemeSizeName) float32 {
	switch n {
	case theme.SizeNameText:
		return 17
	case theme.SizeNameInnerPadding:
		return 14
	}
	return d.base.Size(n)
}
