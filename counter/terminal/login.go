package terminal

import (
	"context"
	"sort"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
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
	password *leaveEntry
	counter  *counterSelect
	button   *widget.Button
	message  *widget.Label
	// counterIDs maps the select's options to counter ids.
	counterIDs map[string]string
	// listed is true once the counters came from the server; listedFor is the staff number and
	// password they were listed with ("" with the device token), so that the same pair is not
	// sent again.
	listed    bool
	listedFor string
	// all are the counters offered, to name them again after a language switch.
	all     []hall.Counter
	langBtn *widget.Button
	// listing is true while the counters are being listed; openWhenListed opens the choice
	// once they come (it was tapped before).
	listing, openWhenListed bool
}

// leaveEntry is an entry that reports when the clerk leaves it (Tab, a click elsewhere).
type leaveEntry struct {
	widget.Entry
	onLeave func()
}

func newLeavePasswordEntry(onLeave func()) *leaveEntry {
	e := &leaveEntry{onLeave: onLeave}
	e.Password = true
	e.Wrapping = fyne.TextWrap(fyne.TextTruncateClip)
	e.ExtendBaseWidget(e)
	return e
}

// counterSelect is the counter choice; tapped before the counters are listed, it lists them
// with the staff number and password typed and then opens.
type counterSelect struct {
	widget.Select
	l *loginUI
}

func newCounterSelect(l *loginUI) *counterSelect {
	s := &counterSelect{l: l}
	s.ExtendBaseWidget(s)
	return s
}

// Tapped opens the choice, listing the counters first when they are not there yet.
func (s *counterSelect) Tapped(ev *fyne.PointEvent) {
	l := s.l
	if !l.listed && (l.listing || l.listWithPassword()) {
		l.openWhenListed = true // it opens with the counters in it
		return
	}
	s.Select.Tapped(ev)
}

// FocusLost is the clerk leaving the field.
func (e *leaveEntry) FocusLost() {
	e.Entry.FocusLost()
	if e.onLeave != nil {
		e.onLeave()
	}
}

func newLoginUI(t *Terminal) *loginUI {
	l := &loginUI{t: t, counterIDs: map[string]string{}}
	l.title = widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	l.title.SizeName = "headingText"
	l.hint = widget.NewLabel("")
	l.staff = widget.NewEntry()
	l.password = newLeavePasswordEntry(l.leavePassword)
	l.counter = newCounterSelect(l)
	l.message = widget.NewLabel("")
	l.message.Wrapping = fyne.TextWrapWord
	l.message.Importance = widget.DangerImportance
	l.button = widget.NewButton("", l.submit)
	l.button.Importance = widget.HighImportance
	l.password.OnSubmitted = func(string) { l.submit() }
	l.langBtn = widget.NewButton("", t.toggleLang)
	form := container.NewVBox(l.title, l.hint, l.staff, l.password, l.counter, l.button, l.message)
	l.content = container.NewBorder(container.NewHBox(layout.NewSpacer(), l.langBtn), nil, nil, nil,
		container.NewCenter(container.NewGridWrap(fyne.NewSize(460, 420), form)))
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
	l.langBtn.SetText(t.text("switch_lang"))
	if l.listed {
		l.setCounters(l.all, l.counterIDs[l.counter.Selected])
	}
}

// loadCounters fills the counter choice. The counters list needs a token: with the terminal's
// device token it comes from the server as soon as the server answers (retrying until then);
// otherwise once the clerk has typed the staff number and password (listWithPassword). Until
// then the counter remembered on this machine is offered.
func (l *loginUI) loadCounters() {
	remembered := l.t.RememberedCounter()
	l.t.do(func() {
		if remembered != "" && len(l.counter.Options) == 0 {
			l.counterIDs[remembered] = remembered
			l.counter.Options = []string{remembered}
			l.counter.SetSelected(remembered)
		}
	})
	if l.t.o.DeviceToken == "" {
		return
	}
	api := l.t.o.Client.WithToken(l.t.o.DeviceToken)
	for {
		ctx, cancel := context.WithTimeout(l.t.ctx, 10*time.Second)
		cs, err := api.Counters(ctx)
		cancel()
		if err == nil {
			l.t.do(func() { l.offer(cs, "") })
			return
		}
		if !transient(err) {
			l.t.o.Logger.Warn("list counters with the device token", "err", err)
			return
		}
		select {
		case <-l.t.ctx.Done():
			return
		case <-time.After(2 * time.Second):
		}
	}
}

// listWithPassword lists the counters with the staff number and password typed, when the clerk
// leaves the password field: a wrong password is told at once, and the counter choice is ready
// when the clerk gets to it. It runs on the Fyne goroutine.
func (l *loginUI) leavePassword() { l.listWithPassword() }

// listWithPassword starts listing the counters with the staff number and password typed; false
// if there is nothing to list with or they were listed with these. It runs on the Fyne goroutine.
func (l *loginUI) listWithPassword() bool {
	staff, pw := strings.TrimSpace(l.staff.Text), l.password.Text
	if staff == "" || pw == "" || (l.listed && l.listedFor == "") || l.listedFor == staff+"\x00"+pw {
		return false
	}
	l.listedFor, l.listing = staff+"\x00"+pw, true
	go func() {
		cs, err := l.fetchCounters(staff, pw)
		l.t.do(func() {
			l.listing = false
			open := l.openWhenListed
			l.openWhenListed = false
			if err != nil {
				l.listedFor = ""
				l.message.SetText(l.t.refusal("login", err))
				return
			}
			l.message.SetText("")
			l.offer(cs, "")
			if open {
				l.counter.Select.Tapped(&fyne.PointEvent{})
			}
		})
	}()
	return true
}

// fetchCounters logs staff in just to list the counters, and out again.
func (l *loginUI) fetchCounters(staff, pw string) ([]hall.Counter, error) {
	ctx, cancel := context.WithTimeout(l.t.ctx, 15*time.Second)
	defer cancel()
	res, err := l.t.o.Client.Login(ctx, staff, pw)
	if err != nil {
		return nil, err
	}
	api := l.t.o.Client.WithToken(res.Token)
	cs, err := api.Counters(ctx)
	api.Logout(ctx)
	return cs, err
}

// offer puts the server's counters into the choice, keeping the one selected (or remembered).
func (l *loginUI) offer(cs []hall.Counter, selectedID string) {
	if selectedID == "" {
		selectedID = l.counterIDs[l.counter.Selected]
	}
	if selectedID == "" {
		selectedID = l.t.RememberedCounter()
	}
	sort.Slice(cs, func(i, j int) bool { return cs[i].Number < cs[j].Number })
	l.listed = true
	l.setCounters(cs, selectedID)
}

// setCounters offers counters (after a login showed them).
func (l *loginUI) setCounters(cs []hall.Counter, selectedID string) {
	l.all = cs
	l.counterIDs = map[string]string{}
	var opts []string
	sel := ""
	staff := strings.TrimSpace(l.staff.Text)
	l.t.mu.Lock()
	lang := l.t.lang
	l.t.mu.Unlock()
	for _, c := range cs {
		o := counterName(lang, c)
		if c.State != hall.CounterLoggedOut && c.StaffID != "" && c.StaffID != staff {
			o += tr(lang, "counter_in_use", c.StaffID)
		}
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
			cs, err := l.fetchCounters(staff, pw)
			l.t.do(func() {
				l.button.Enable()
				if err != nil {
					l.message.SetText(l.t.refusal("login", err))
					return
				}
				l.offer(cs, "")
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
				l.message.SetText(l.t.refusal("login", err))
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
