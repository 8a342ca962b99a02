package terminal

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"hall"
)

// loginUI is the login form: staff number, password and counter.
type loginUI struct {
	t        *Terminal
	content  fyne.CanvasObject
	title    *widget.Label
	hint     *widget.Label
	staff    *widget.Entry
	password *widget.Entry
	counter  *widget.Select
	button   *widget.Button
	message  *widget.Label
	// counterIDs maps the select's options to counter ids.
	counterIDs map[string]string
}

func newLoginUI(t *Terminal) *loginUI {
	l := &loginUI{t: t, counterIDs: map[string]string{}}
	l.title = widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	l.title.SizeName = "headingText"
	l.hint = widget.NewLabel("")
	l.staff = widget.NewEntry()
	l.password = widget.NewPasswordEntry()
	l.counter = widget.NewSelect(nil, nil)
	l.message = widget.NewLabel("")
	l.message.Wrapping = fyne.TextWrapWord
	l.message.Importance = widget.DangerImportance
	l.button = widget.NewButton("", l.submit)
	l.button.Importance = widget.HighImportance
	l.password.OnSubmitted = func(string) { l.submit() }
	form := container.NewVBox(l.title, l.hint, l.staff, l.password, l.counter, l.button, l.message)
	l.content = container.NewCenter(container.NewGridWrap(fyne.NewSize(460, 420), form))
	l.relabel()
	go l.loadCounters()
	return l
}

func (l *loginUI) relabel() {
	t := l.t
	l.title.SetText(t.text("login_title"))
	l.hint.SetText(t.text("login_hint"))
	l.staff.SetPlaceHolder(t.text("staff_id"))
	l.password.SetPlaceHolder(t.text("password"))
	l.counter.PlaceHolder = t.text("choose_counter")
	l.counter.Refresh()
	l.button.SetText(t.text("login"))
}

// loadCounters fills the counter choice from the server (it answers with a device or staff
// token only, so before login the list comes from the public services route… the counters
// list needs a token: the choice is filled after the first try, or from the remembered id).
func (l *loginUI) loadCounters() {
	remembered := l.t.RememberedCounter()
	l.t.do(func() {
		if remembered != "" && len(l.counter.Options) == 0 {
			l.counterIDs[remembered] = remembered
			l.counter.Options = []string{remembered}
			l.counter.SetSelected(remembered)
		}
	})
}

// setCounters offers counters (after a login showed them).
func (l *loginUI) setCounters(cs []hall.Counter, selectedID string) {
	l.counterIDs = map[string]string{}
	var opts []string
	sel := ""
	for _, c := range cs {
		o := l.t.text("counter_name", c.Number, c.Name)
		l.counterIDs[o] = c.ID
		opts = append(opts, o)
		if c.ID == selectedID {
			sel = o
		}
	}
	l.counter.Options = opts
	if sel != "" {
		l.counter.SetSelected(sel)
	}
	l.counter.Refresh()
}

// SetCounterID selects a counter by id (from a flag or the remembered choice).
func (l *loginUI) setCounterID(id string) {
	for o, cid := range l.counterIDs {
		if cid == id {
			l.counter.SetSelected(o)
			return
		}
	}
	l.counterIDs[id] = id
	l.counter.Options = append(l.counter.Options, id)
	l.counter.SetSelected(id)
}

func (l *loginUI) reset() {
	l.password.SetText("")
	l.message.SetText("")
	l.button.Enable()
	l.relabel()
}

func (l *loginUI) submit() {
	staff, pw := l.staff.Text, l.password.Text
	counterID := l.counterIDs[l.counter.Selected]
	if counterID == "" {
		// no counter chosen yet: offer the counters the staff member can see
		l.button.Disable()
		go func() {
			ctx, cancel := context.WithTimeout(l.t.ctx, 15*time.Second)
			defer cancel()
			res, err := l.t.o.Client.Login(ctx, staff, pw)
			var cs []hall.Counter
			if err == nil {
				api := l.t.o.Client.WithToken(res.Token)
				cs, err = api.Counters(ctx)
				api.Logout(ctx)
			}
			l.t.do(func() {
				l.button.Enable()
				if err != nil {
					l.message.SetText(l.t.message(err))
					return
				}
				l.setCounters(cs, "")
				l.message.SetText(l.t.text("choose_counter"))
			})
		}()
		return
	}
	l.button.Disable()
	l.message.SetText("")
	go func() {
		err := l.t.Login(staff, pw, counterID)
		l.t.do(func() {
			l.button.Enable()
			if err != nil {
				l.message.SetText(l.t.message(err))
			}
		})
	}()
}

// Prefill puts a staff number and counter into the login form.
func (t *Terminal) Prefill(staffID, counterID string) {
	t.do(func() {
		if staffID != "" {
			t.login.staff.SetText(staffID)
		}
		if counterID != "" {
			t.login.setCounterID(counterID)
		}
	})
}
