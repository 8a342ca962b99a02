package terminal

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// publicTheme is the hall theme at the size of a touch screen read from a step away: the
// citizen window's texts, buttons and check boxes are about twice their desk size.
// With buttons set it is the size of the rating level buttons: a little smaller type and
// padding, so that "Very dissatisfied" (on two lines) fits five buttons across the screen.
type publicTheme struct {
	base    fyne.Theme
	buttons bool
}

func (p publicTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	return p.base.Color(n, v)
}
func (p publicTheme) Font(s fyne.TextStyle) fyne.Resource     { return p.base.Font(s) }
func (p publicTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return p.base.Icon(n) }

func (p publicTheme) Size(n fyne.ThemeSizeName) float32 {
	if p.buttons {
		switch n {
		case theme.SizeNameText:
			return 32
		case theme.SizeNameInnerPadding:
			return 8
		}
	}
	switch n {
	case theme.SizeNameText:
		return 34
	case theme.SizeNameSubHeadingText:
		return 36
	case theme.SizeNameHeadingText:
		return 44
	case theme.SizeNameInlineIcon:
		return 40
	case theme.SizeNameInnerPadding:
		return 14
	case theme.SizeNamePadding:
		return 6
	}
	return p.base.Size(n)
}
