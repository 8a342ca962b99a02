package terminal

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// publicTheme is the hall theme at the size of a touch screen read from a step away: the
// citizen window's texts, buttons and check boxes are about twice their desk size.
type publicTheme struct {
	base fyne.Theme
	// text, padding and icon are the sizes of body text, inner padding and check boxes.
	text, padding, icon float32
}

// publicScreen is the citizen window's theme.
func publicScreen(base fyne.Theme) publicTheme {
	return publicTheme{base: base, text: 34, padding: 14, icon: 40}
}

// publicLevels is the rating level buttons' theme: a little smaller type and padding, so that
// "Very dissatisfied" (on two lines) fits five buttons across the screen.
func publicLevels(base fyne.Theme) publicTheme {
	return publicTheme{base: base, text: 32, padding: 8, icon: 40}
}

// publicReasons is the theme of a bad rating's reasons: eight check boxes, a comment and the
// submit button on one screen, in English too.
func publicReasons(base fyne.Theme) publicTheme {
	return publicTheme{base: base, text: 26, padding: 6, icon: 30}
}

// Color is the desk's: disabled labels stay readable.
func (p publicTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	return deskTheme{base: p.base}.Color(n, v)
}
func (p publicTheme) Font(s fyne.TextStyle) fyne.Resource     { return p.base.Font(s) }
func (p publicTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return p.base.Icon(n) }

func (p publicTheme) Size(n fyne.ThemeSizeName) float32 {
	switch n {
	case theme.SizeNameText:
		return p.text
	case theme.SizeNameSubHeadingText:
		return 36
	case theme.SizeNameHeadingText:
		return 44
	case theme.SizeNameInlineIcon:
		return p.icon
	case theme.SizeNameInnerPadding:
		return p.padding
	case theme.SizeNamePadding:
		return 6
	}
	return p.base.Size(n)
}
