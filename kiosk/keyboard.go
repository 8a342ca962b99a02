package kiosk

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// touchEntry is an entry that remembers it was the last one touched, so that the on-screen
// keyboard types into it even after the keyboard's own keys took the focus.
type touchEntry struct {
	widget.Entry
	onFocus func()
}

// newTouchEntry makes an entry (a password entry when password is set).
func newTouchEntry(password bool) *touchEntry {
	e := &touchEntry{}
	e.Password = password
	e.Wrapping = fyne.TextWrapOff
	e.ExtendBaseWidget(e)
	return e
}

// FocusGained records the entry as the keyboard's target.
func (e *touchEntry) FocusGained() {
	e.Entry.FocusGained()
	if e.onFocus != nil {
		e.onFocus()
	}
}

// touchKeyboard is an on-screen keyboard of digits and Latin letters for a kiosk without a
// physical one (staff numbers and passwords on the priority lane). Keys type into the entry last
// touched, the first one until another is.
func (a *App) touchKeyboard(entries ...*touchEntry) fyne.CanvasObject {
	upper := false
	active := entries[0]
	for _, e := range entries {
		e.onFocus = func() { active = e }
	}
	target := func() *touchEntry { return active }
	var letterKeys []*tile
	key := func(label string, onTap func()) *tile {
		return newTile(colorTile, 76, false, a.tap(onTap), centred(label, sizeNormal, colorBrand, true))
	}
	typeKey := func(c string) *tile {
		t := key(c, nil)
		t.onTap = a.tap(func() {
			s := c
			if upper {
				s = strings.ToUpper(c)
			}
			e := target()
			e.SetText(e.Text + s)
		})
		if c >= "a" && c <= "z" {
			letterKeys = append(letterKeys, t)
		}
		return t
	}
	row := func(keys string, extra ...fyne.CanvasObject) fyne.CanvasObject {
		var objs []fyne.CanvasObject
		for _, k := range strings.Split(keys, " ") {
			objs = append(objs, typeKey(k))
		}
		return container.NewGridWithColumns(10, append(objs, extra...)...)
	}
	backspace := key(a.t("delete"), func() {
		e := target()
		if r := []rune(e.Text); len(r) > 0 {
			e.SetText(string(r[:len(r)-1]))
		}
	})
	shift := key("Aa", nil) // upper / lower case
	shift.onTap = a.tap(func() {
		upper = !upper
		for _, t := range letterKeys {
			if txt, ok := t.lines[0].(*canvas.Text); ok {
				if upper {
					txt.Text = strings.ToUpper(txt.Text)
				} else {
					txt.Text = strings.ToLower(txt.Text)
				}
				txt.Refresh()
			}
		}
	})
	return container.NewVBox(
		row("1 2 3 4 5 6 7 8 9 0"),
		row("q w e r t y u i o p"),
		row("a s d f g h j k l", backspace),
		row("z x c v b n m - .", shift),
	)
}
