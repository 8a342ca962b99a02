package terminal

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// modal is the dialog open on the clerk's window: while it is open the function keys do nothing
// (no operation behind the clerk's back), Enter confirms it and Escape cancels it. Touched on
// the Fyne goroutine only.
type modal struct {
	submit func() // nil: Enter does nothing
	cancel func() // nil: Escape does nothing
}

// showForm opens a form dialog as the modal: Enter submits it, Escape cancels it.
func (u *mainUI) showForm(d *dialog.FormDialog) {
	u.showModal(d, &modal{submit: d.Submit, cancel: d.Hide})
}

// showModal opens d with the keys of m until it closes.
func (u *mainUI) showModal(d dialog.Dialog, m *modal) {
	u.modal = m
	d.SetOnClosed(func() {
		if u.modal == m {
			u.modal = nil
		}
	})
	d.Show()
	// Nothing focused: Enter and Escape reach the window (a focused widget would take them).
	u.t.win.Canvas().Unfocus()
}

// modalKey handles a key while a dialog is open; it reports whether one is.
func (u *mainUI) modalKey(ev *fyne.KeyEvent) bool {
	m := u.modal
	if m == nil {
		return false
	}
	switch ev.Name {
	case fyne.KeyEscape:
		if m.cancel != nil {
			m.cancel()
		}
	case fyne.KeyReturn, fyne.KeyEnter:
		if m.submit != nil {
			m.submit()
		}
	}
	return true
}

// unfocus gives the keyboard back to the window after a widget that takes the focus when tapped
// (a list row, a check box), so that the function keys, Enter and Escape keep working.
func (u *mainUI) unfocus() {
	c := u.t.win.Canvas()
	switch c.Focused().(type) {
	case *widget.List, *widget.Check:
		c.Unfocus()
	}
}

// escEntry is a text entry of a dialog that also hands Escape to the dialog (a focused entry
// takes every key; Enter is its OnSubmitted).
type escEntry struct {
	widget.Entry
	onEscape func()
}

func newEscEntry() *escEntry {
	e := &escEntry{}
	e.ExtendBaseWidget(e)
	return e
}

// TypedKey is Escape for the dialog, anything else for the entry.
func (e *escEntry) TypedKey(ev *fyne.KeyEvent) {
	if ev.Name == fyne.KeyEscape && e.onEscape != nil {
		e.onEscape()
		return
	}
	e.Entry.TypedKey(ev)
}
