package terminal

import (
	"fmt"
	"image/color"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hall"
)

// Operation button keys, in the order of the function keys F1…F10.
const (
	btnCall     = "op_call"
	btnRecall   = "op_recall"
	btnNoShow   = "op_noshow"
	btnTransfer = "op_transfer"
	btnPause    = "op_pause"
	btnFinish   = "op_finish"
	btnStart    = "op_start"
	btnHold     = "op_hold"
	btnRate     = "op_rate"
	btnVirtual  = "op_virtual"
	btnResume   = "op_resume"
	btnCallThis = "op_call_this"
)

var fkeys = []struct {
	key fyne.KeyName
	btn string
}{
	{fyne.KeyF1, btnCall}, {fyne.KeyF2, btnRecall}, {fyne.KeyF3, btnNoShow}, {fyne.KeyF4, btnTransfer},
	{fyne.KeyF5, btnPause}, {fyne.KeyF6, btnFinish}, {fyne.KeyF7, btnStart}, {fyne.KeyF8, btnHold},
	{fyne.KeyF9, btnRate}, {fyne.KeyF10, btnVirtual}, {fyne.KeyF11, btnCase},
}

// mainUI is the clerk's main screen. Its fields are touched on the Fyne goroutine only.
type mainUI struct {
	t       *Terminal
	content fyne.CanvasObject

	header   *widget.Label
	state    *widget.Label
	conn     *canvas.Text
	langBtn  *widget.Button
	logout   *widget.Button
	relogin  *widget.Button
	code     *canvas.Text
	service  *widget.Label
	wait     *widget.Label
	person   *widget.Label
	marks    *widget.Label
	tstate   *widget.Label
	notice   *widget.Label
	rating   *widget.Label
	figures  *widget.Label
	buttons  map[string]*widget.Button
	waitHead *widget.Label
	heldHead *widget.Label
	list     *widget.List
	heldList *widget.List

	// rows are the lists' data, copied from the model in render.
	rows               []hall.Ticket
	heldRows           []hall.Ticket
	selected           string
	heldSel            string
	idle, online, busy bool // as of the last render
	modal              *modal
	pwDialog           dialog.Dialog
}

func newMainUI(t *Terminal) *mainUI {
	u := &mainUI{t: t, buttons: map[string]*widget.Button{}}
	u.header = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	u.state = widget.NewLabel("")
	u.conn = canvas.NewText("", color.NRGBA{0x1b, 0x8a, 0x3c, 0xff})
	u.conn.TextStyle.Bold = true
	u.langBtn = widget.NewButton("", t.toggleLang)
	u.logout = widget.NewButtonWithIcon("", theme.LogoutIcon(), func() {
		go func() {
			if err := t.Logout(); err != nil {
				t.refuse("logout", err)
			}
		}()
	})
	u.relogin = widget.NewButtonWithIcon("", theme.LoginIcon(), u.askPassword)
	u.relogin.Importance = widget.DangerImportance
	u.relogin.Hide()
	top := container.NewBorder(nil, nil, container.NewHBox(u.header, u.state), container.NewHBox(u.relogin, u.conn, u.langBtn, u.logout))

	u.code = canvas.NewText("", theme.Color(theme.ColorNamePrimary))
	u.code.TextSize = 96
	u.code.TextStyle.Bold = true
	u.code.Alignment = fyne.TextAlignCenter
	u.service = widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	u.service.SizeName = theme.SizeNameSubHeadingText
	u.wait = widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{})
	u.person = widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{})
	u.marks = widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	u.marks.Importance = widget.WarningImportance
	u.tstate = widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{})
	card := widget.NewCard("", "", container.NewVBox(u.code, u.service, u.marks, u.wait, u.person, u.tstate))

	mk := func(key string, fn func()) *widget.Button {
		b := widget.NewButton("", fn)
		u.buttons[key] = b
		return b
	}
	mk(btnCall, func() { t.CallNext() }).Importance = widget.HighImportance
	mk(btnRecall, func() { t.Recall() })
	mk(btnNoShow, u.noShowDialog).Importance = widget.WarningImportance
	mk(btnTransfer, u.transferDialog)
	mk(btnPause, u.pauseOrUnpause)
	mk(btnFinish, func() { t.Finish() }).Importance = widget.SuccessImportance
	mk(btnStart, func() { t.Start() })
	mk(btnHold, u.holdDialog)
	mk(btnRate, func() { t.AskRating() })
	mk(btnVirtual, u.virtualDialog)
	mk(btnCase, u.caseDialog)
	mk(btnResume, func() {
		if u.heldSel != "" {
			t.Resume(u.heldSel)
		}
	})
	mk(btnCallThis, func() {
		if u.selected != "" {
			t.CallTicket(u.selected)
		}
	})
	grid := container.NewGridWithColumns(5)
	for _, f := range fkeys {
		grid.Add(u.buttons[f.btn])
	}
	desk := deskTheme{base: t.app.Settings().Theme()}
	u.notice = widget.NewLabel("")
	u.notice.Wrapping = fyne.TextWrapWord
	u.notice.Importance = widget.DangerImportance
	u.rating = widget.NewLabel("")
	u.rating.Importance = widget.SuccessImportance
	u.figures = widget.NewLabel("")
	u.figures.Wrapping = fyne.TextWrapWord
	left := container.NewBorder(nil, container.NewVBox(container.NewThemeOverride(grid, desk), u.notice, u.rating, widget.NewSeparator(), u.figures), nil, nil, card)

	u.waitHead = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	u.list = u.ticketList(&u.rows, &u.selected)
	u.heldHead = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	u.heldList = u.ticketList(&u.heldRows, &u.heldSel)
	heldBox := container.NewBorder(u.heldHead, container.NewThemeOverride(u.buttons[btnResume], desk), nil, nil, u.heldList)
	waitBox := container.NewBorder(u.waitHead, container.NewThemeOverride(u.buttons[btnCallThis], desk), nil, nil, u.list)
	right := container.NewVSplit(waitBox, heldBox)
	right.Offset = 0.72
	split := container.NewHSplit(left, right)
	split.Offset = 0.64
	u.content = container.NewBorder(container.NewVBox(top, widget.NewSeparator()), nil, nil, nil, split)
	return u
}

// row is one line of the waiting or held list.
// ticketList lists *rows (the waiting or the held tickets); the selected ticket's id goes to
// *selected.
func (u *mainUI) ticketList(rows *[]hall.Ticket, selected *string) *widget.List {
	l := widget.NewList(func() int { return len(*rows) },
		func() fyne.CanvasObject { return widget.NewLabel("A000  service name here  00 min") },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i < len(*rows) {
				o.(*widget.Label).SetText(u.row((*rows)[i]))
			}
		})
	l.OnSelected = func(i widget.ListItemID) {
		if i < len(*rows) {
			*selected = (*rows)[i].ID
		}
		u.selectionButtons()
		u.unfocus()
	}
	l.OnUnselected = func(widget.ListItemID) { *selected = ""; u.selectionButtons() }
	return l
}

func (u *mainUI) row(tk hall.Ticket) string {
	u.t.mu.Lock()
	name := u.t.serviceNameLocked(tk.ServiceID)
	lang := u.t.lang
	u.t.mu.Unlock()
	s := tr(lang, "waiting_row", tk.Code, name, duration(lang, u.t.o.Now().Sub(tk.ArrivedAt)))
	if m := marks(lang, tk); m != "" {
		s += "  [" + m + "]"
	}
	if tk.State == hall.TicketHeld {
		u.t.mu.Lock()
		r := u.t.holdReasons[tk.ID]
		u.t.mu.Unlock()
		if r != "" {
			s += "  · " + r
		}
	}
	return s
}

// marks lists a ticket's appointment, priority and transfer marks.
func marks(lang Lang, tk hall.Ticket) string {
	var m []string
	if tk.AppointmentID != "" {
		m = append(m, tr(lang, "mark_appointment"))
	}
	if tk.Priority != hall.PriorityNone {
		m = append(m, tr(lang, "mark_priority"))
	}
	if tk.TransferredFrom != "" {
		m = append(m, tr(lang, "mark_transferred"))
	}
	if tk.Virtual {
		m = append(m, tr(lang, "mark_virtual"))
	}
	if tk.Requeues > 0 {
		m = append(m, tr(lang, "mark_requeued"))
	}
	return strings.Join(m, " · ")
}

// duration is a wait or service time for people: "12 分钟", "3 min 20 s".
func duration(lang Lang, d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int(d / time.Second)
	switch {
	case s < 60:
		return tr(lang, "seconds", s)
	case s < 600:
		return tr(lang, "min_sec", s/60, s%60)
	}
	return tr(lang, "minutes", s/60)
}

// selectionButtons enables "call this" and "resume held" after a selection, by the state the
// last render saw.
func (u *mainUI) selectionButtons() {
	free := u.idle && u.online && !u.busy
	if free && u.selected != "" {
		u.buttons[btnCallThis].Enable()
	} else {
		u.buttons[btnCallThis].Disable()
	}
	if free && u.heldSel != "" {
		u.buttons[btnResume].Enable()
	} else {
		u.buttons[btnResume].Disable()
	}
}

// render shows the model. It runs on the Fyne goroutine (renderMu keeps the headless test
// driver, which runs fyne.Do at once on the caller's goroutine, to one render at a time).
func (t *Terminal) render() {
	t.renderMu.Lock()
	defer t.renderMu.Unlock()
	s := t.State()
	t.mu.Lock()
	lang, staff, pending := t.lang, t.staff, t.pending
	var svc string
	if s.Current != nil {
		svc = t.serviceNameLocked(s.Current.ServiceID)
	}
	t.mu.Unlock()
	u := t.ui
	L := func(k string, a ...any) string { return tr(lang, k, a...) }

	u.header.SetText(L("counter_label", s.Counter.Number) + "  " + L("clerk_line", staff.ID, staff.Name))
	switch s.Counter.State {
	case hall.CounterPaused:
		u.state.SetText(L("state_paused", s.Counter.PauseReason))
		u.state.Importance = widget.WarningImportance
	case hall.CounterServing:
		u.state.SetText(L("state_serving"))
		u.state.Importance = widget.HighImportance
	case hall.CounterIdle:
		u.state.SetText(L("state_idle"))
		u.state.Importance = widget.MediumImportance
	default:
		u.state.SetText(L("state_logged_out"))
	}
	u.state.Refresh()
	if s.Online {
		u.conn.Text, u.conn.Color = "● "+L("online"), color.NRGBA{0x1b, 0x8a, 0x3c, 0xff}
	} else {
		u.conn.Text, u.conn.Color = "● "+L("offline"), color.NRGBA{0xc6, 0x28, 0x28, 0xff}
	}
	u.conn.Refresh()
	u.langBtn.SetText(L("switch_lang"))
	// A password dialog put aside: the way back to it (the waiting operation needs it).
	u.relogin.SetText(L("relogin"))
	if s.Expired && u.pwDialog == nil {
		u.relogin.Show()
	} else {
		u.relogin.Hide()
	}
	u.logout.SetText(L("logout"))

	if tk := s.Current; tk != nil {
		u.code.Text = tk.Code
		u.service.SetText(svc)
		u.marks.SetText(marks(lang, *tk))
		waited := tk.WaitTime()
		u.wait.SetText(L("waited", duration(lang, waited)) + "   " + L("called_times", tk.Calls))
		name, id := "", ""
		if tk.Person != nil {
			name, id = tk.Person.Name, tk.Person.MaskedID
		}
		if name != "" || id != "" {
			u.person.SetText(L("applicant", name, id))
		} else {
			u.person.SetText("")
		}
		t.mu.Lock()
		caseLine := t.caseLineLocked(tk)
		t.mu.Unlock()
		if caseLine != "" {
			caseLine = "   " + caseLine
		}
		u.tstate.SetText(L("ticket_state", tk.State.Label(lang == English)) + caseLine)
	} else {
		u.code.Text = ""
		u.service.SetText(L("no_ticket"))
		u.marks.SetText("")
		if s.Counter.State == hall.CounterPaused {
			u.wait.SetText(L("press_f5"))
		} else {
			u.wait.SetText(L("press_f1"))
		}
		u.person.SetText("")
		u.tstate.SetText("")
	}
	u.code.Refresh()

	cur := s.Current
	called := cur != nil && cur.State == hall.TicketCalled
	atCounter := cur != nil && (cur.State == hall.TicketCalled || cur.State == hall.TicketServing)
	idle := s.Counter.State == hall.CounterIdle
	paused := s.Counter.State == hall.CounterPaused
	u.idle, u.online, u.busy = idle, s.Online, pending != nil
	enabled := map[string]bool{
		btnCall: idle, btnRecall: called, btnNoShow: called, btnTransfer: atCounter, btnPause: idle || paused,
		btnFinish: atCounter, btnStart: called, btnHold: atCounter, btnRate: cur != nil || t.hasLast(),
		btnVirtual: idle, btnResume: idle && u.heldSel != "", btnCallThis: idle && u.selected != "",
		btnCase: cur != nil && cur.State != hall.TicketHeld || cur == nil && t.hasLast(),
	}
	for i, f := range fkeys {
		label := fmt.Sprintf("F%d  %s", i+1, L(f.btn))
		if f.btn == btnPause && paused {
			label = fmt.Sprintf("F%d  %s", i+1, L("op_unpause"))
		}
		u.setButton(f.btn, label, enabled[f.btn], s.Online, pending, lang)
	}
	u.setButton(btnResume, L(btnResume), enabled[btnResume], s.Online, pending, lang)
	u.setButton(btnCallThis, L(btnCallThis), enabled[btnCallThis], s.Online, pending, lang)

	if pending != nil && s.Online {
		u.notice.SetText(L("working"))
	} else {
		u.notice.SetText(s.Notice)
	}
	u.rating.SetText(s.Rating)
	f := s.Figures
	good := f.Ratings[3] + f.Ratings[4] + f.Ratings[5]
	bad := f.Ratings[1] + f.Ratings[2]
	u.figures.SetText(L("today", f.Served, duration(lang, f.AverageService), f.NoShows, f.Transferred, f.Rated(), good, bad, f.Ratings[0]))

	u.rows, u.heldRows = s.Waiting, s.Held
	if !containsID(u.rows, u.selected) {
		u.selected = ""
		u.list.UnselectAll()
	}
	if !containsID(u.heldRows, u.heldSel) {
		u.heldSel = ""
		u.heldList.UnselectAll()
	}
	u.waitHead.SetText(L("waiting_list", len(u.rows)))
	u.heldHead.SetText(L("held_list", len(u.heldRows)))
	u.list.Refresh()
	u.heldList.Refresh()
	if t.citizen != nil {
		t.citizen.render()
	}
}

func containsID(ts []hall.Ticket, id string) bool {
	for _, tk := range ts {
		if tk.ID == id {
			return true
		}
	}
	return false
}

func (t *Terminal) hasLast() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.last != nil
}

// setButton labels a button and enables it when its operation is possible now, the server is
// reachable and no operation waits; offline it says so.
func (u *mainUI) setButton(key, label string, possible, online bool, pending *pendingOp, lang Lang) {
	b := u.buttons[key]
	if !online {
		label += "\n" + tr(lang, "offline_button") // a second line: the button does not widen the window
	}
	b.SetText(label)
	if possible && online && pending == nil {
		b.Enable()
	} else {
		b.Disable()
	}
}

// onKey maps the function keys to the buttons. While a dialog is open they do nothing; Enter
// and Escape answer the dialog.
func (t *Terminal) onKey(ev *fyne.KeyEvent) {
	if t.ui.modalKey(ev) {
		return
	}
	for _, f := range fkeys {
		if ev.Name == f.key {
			if b := t.ui.buttons[f.btn]; b != nil && !b.Disabled() && b.OnTapped != nil {
				b.OnTapped()
			}
			return
		}
	}
}

// toggleLang switches the clerk's window between Chinese and English.
func (t *Terminal) toggleLang() {
	t.mu.Lock()
	if t.lang == English {
		t.lang = Chinese
	} else {
		t.lang = English
	}
	if t.api != nil {
		if t.lang == English {
			t.api = t.api.WithEnglish()
		} else {
			t.api = t.o.Client.WithToken(t.api.Token())
		}
	}
	t.mu.Unlock()
	t.win.SetTitle(t.text("app_title"))
	t.login.relabel()
	t.render()
}

// --- dialogs ---

func (u *mainUI) noShowDialog() {
	t := u.t
	places := newEscEntry()
	places.SetText("3")
	places.Disable() // only when putting back
	requeue := widget.NewCheck(t.text("noshow_requeue"), func(on bool) {
		if on {
			places.Enable()
		} else {
			places.Disable()
		}
		u.unfocus()
	})
	items := []*widget.FormItem{widget.NewFormItem("", requeue), widget.NewFormItem(t.text("noshow_places"), places)}
	var d *dialog.FormDialog
	places.OnSubmitted = func(string) { d.Submit() }
	places.onEscape = func() { d.Hide() }
	code := ""
	if cur := t.State().Current; cur != nil {
		code = cur.Code
	}
	d = dialog.NewForm(t.text("noshow_title", code), t.text("ok"), t.text("cancel"), items, func(ok bool) {
		if !ok {
			return
		}
		n := 0
		if requeue.Checked {
			n, _ = strconv.Atoi(strings.TrimSpace(places.Text))
			if n < 1 {
				n = 1
			}
		}
		t.NoShow(n)
	}, t.win)
	d.Resize(fyne.NewSize(480, 220))
	u.showForm(d)
}

func (u *mainUI) transferDialog() {
	t := u.t
	s := t.State()
	if s.Current == nil {
		return
	}
	t.mu.Lock()
	var svcOpts, cntOpts []string
	svcIDs, cntIDs := map[string]string{}, map[string]string{}
	for _, svc := range t.services {
		name := t.serviceNameLocked(svc.ID)
		svcOpts = append(svcOpts, name)
		svcIDs[name] = svc.ID
	}
	anyCounter := tr(t.lang, "any_counter")
	cntOpts = append(cntOpts, anyCounter)
	for _, c := range t.counters {
		if c.ID == t.counterID {
			continue
		}
		o := counterName(t.lang, c)
		cntOpts = append(cntOpts, o)
		cntIDs[o] = c.ID
	}
	curSvc := t.serviceNameLocked(s.Current.ServiceID)
	t.mu.Unlock()
	// The same service at any counter goes nowhere: the line below says so until the clerk
	// picks another service or a counter (OK still asks the server, which refuses with its code).
	hint := widget.NewLabel("")
	hint.Importance = widget.DangerImportance
	svcSel := widget.NewSelect(svcOpts, nil)
	cntSel := widget.NewSelect(cntOpts, nil)
	nowhere := func() bool { return svcSel.Selected == curSvc && cntSel.Selected == anyCounter }
	check := func(string) {
		if nowhere() {
			hint.SetText(t.text("transfer_nowhere"))
		} else {
			hint.SetText("")
		}
	}
	svcSel.OnChanged, cntSel.OnChanged = check, check
	svcSel.SetSelected(curSvc)
	cntSel.SetSelected(anyCounter)
	items := []*widget.FormItem{widget.NewFormItem(t.text("transfer_service"), svcSel), widget.NewFormItem(t.text("transfer_counter"), cntSel), widget.NewFormItem("", hint)}
	d := dialog.NewForm(t.text("transfer_title", s.Current.Code), t.text("ok"), t.text("cancel"), items, func(ok bool) {
		if ok {
			t.Transfer(hall.TransferTarget{ServiceID: svcIDs[svcSel.Selected], CounterID: cntIDs[cntSel.Selected]})
		}
	}, t.win)
	d.Resize(fyne.NewSize(560, 280))
	u.showModal(d, &modal{submit: func() {
		if !nowhere() {
			d.Submit()
		}
	}, cancel: d.Hide})
}

// pauseReasons are offered when pausing; the clerk may type another.
var pauseReasons = [][2]string{
	{"暂停服务 请稍候", "Back shortly"},
	{"业务咨询中", "Answering a question"},
	{"系统维护", "System maintenance"},
	{"午间休息", "Lunch break"},
	{"内部会议", "Staff meeting"},
}

func (u *mainUI) pauseOrUnpause() {
	t := u.t
	if t.State().Counter.State == hall.CounterPaused {
		t.Unpause()
		return
	}
	t.mu.Lock()
	lang := t.lang
	t.mu.Unlock()
	var opts []string
	zh := map[string]string{}
	for _, r := range pauseReasons {
		o := r[0]
		if lang == English {
			o = r[1]
		}
		opts = append(opts, o)
		zh[o] = r[0] // the sign and the hall board show the Chinese reason
	}
	sel := widget.NewSelect(opts, nil)
	sel.SetSelected(opts[0])
	custom := newEscEntry()
	custom.SetPlaceHolder(t.text("pause_custom_hint", signRunes))
	tooLong := func() bool { return len([]rune(strings.TrimSpace(custom.Text))) > signRunes }
	left := widget.NewLabel(t.text("pause_left", signRunes))
	custom.OnChanged = func(string) {
		if n := len([]rune(strings.TrimSpace(custom.Text))); n > signRunes {
			left.Importance = widget.DangerImportance
			left.SetText(t.text("pause_too_long", signRunes))
		} else {
			left.Importance = widget.MediumImportance
			left.SetText(t.text("pause_left", signRunes-n))
		}
	}
	items := []*widget.FormItem{widget.NewFormItem(t.text("pause_reason"), sel), widget.NewFormItem(t.text("pause_custom"), custom), widget.NewFormItem("", left)}
	var d *dialog.FormDialog
	submit := func() {
		if !tooLong() { // too long for the sign: the dialog stays, the line below says why
			d.Submit()
		}
	}
	custom.OnSubmitted = func(string) { submit() }
	custom.onEscape = func() { d.Hide() }
	d = dialog.NewForm(t.text("pause_title"), t.text("ok"), t.text("cancel"), items, func(ok bool) {
		if !ok {
			return
		}
		reason := strings.TrimSpace(custom.Text)
		if reason == "" {
			reason = zh[sel.Selected]
		}
		if tooLong() {
			t.setNotice(t.text("pause_too_long", signRunes))
			return
		}
		t.Pause(reason)
	}, t.win)
	d.Resize(fyne.NewSize(560, 260))
	u.showModal(d, &modal{submit: submit, cancel: d.Hide})
}

func (u *mainUI) holdDialog() {
	t := u.t
	reason := newEscEntry()
	reason.SetPlaceHolder(t.text("hold_reason"))
	items := []*widget.FormItem{widget.NewFormItem("", reason)}
	var d *dialog.FormDialog
	reason.OnSubmitted = func(string) { d.Submit() }
	reason.onEscape = func() { d.Hide() }
	d = dialog.NewForm(t.text("hold_title"), t.text("ok"), t.text("cancel"), items, func(ok bool) {
		if ok {
			t.Hold(reason.Text)
		}
	}, t.win)
	d.Resize(fyne.NewSize(560, 200))
	u.showForm(d)
	t.win.Canvas().Focus(reason) // type the reason at once; Enter holds, Escape cancels
}

func (u *mainUI) virtualDialog() {
	t := u.t
	t.mu.Lock()
	var opts []string
	ids := map[string]string{}
	for _, cs := range t.counter.Services {
		name := t.serviceNameLocked(cs.ServiceID)
		opts = append(opts, name)
		ids[name] = cs.ServiceID
	}
	t.mu.Unlock()
	sel := widget.NewSelect(opts, nil)
	if len(opts) > 0 {
		sel.SetSelected(opts[0])
	}
	items := []*widget.FormItem{widget.NewFormItem(t.text("service"), sel)}
	u.showForm(dialog.NewForm(t.text("virtual_title"), t.text("ok"), t.text("cancel"), items, func(ok bool) {
		if ok && ids[sel.Selected] != "" {
			t.VirtualCall(ids[sel.Selected])
		}
	}, t.win))
}

// askPassword asks for the password again after the session expired; the terminal keeps its
// counter, ticket and waiting operation.
func (u *mainUI) askPassword() {
	t := u.t
	if u.pwDialog != nil {
		return
	}
	pw := widget.NewPasswordEntry()
	msg := widget.NewLabel(t.text("session_expired"))
	msg.Wrapping = fyne.TextWrapWord
	items := []*widget.FormItem{widget.NewFormItem("", msg), widget.NewFormItem(t.text("password"), pw)}
	var d *dialog.FormDialog
	pw.OnSubmitted = func(string) { d.Submit() }
	d = dialog.NewForm(t.text("login_title"), t.text("login"), t.text("later"), items, func(ok bool) {
		u.pwDialog = nil
		t.render()
		t.mu.Lock()
		staff, counterID := t.staff.ID, t.counterID
		t.mu.Unlock()
		if !ok {
			return
		}
		go func() {
			if err := t.Login(staff, pw.Text, counterID); err != nil {
				t.refuse("login", err)
				u.t.do(u.askPassword)
			}
		}()
	}, t.win)
	u.pwDialog = d
	d.Resize(fyne.NewSize(480, 240))
	u.showModal(d, &modal{submit: d.Submit, cancel: d.Hide})
	t.win.Canvas().Focus(pw)
}

// closePassword closes the password dialog (the session was renewed).
func (u *mainUI) closePassword() {
	if u.pwDialog != nil {
		d := u.pwDialog
		u.pwDialog = nil
		d.Hide()
	}
}

// askReasons shows the reasons of a bad rating on the clerk's window; done receives them. It
// returns a function that closes the dialog.
func (u *mainUI) askReasons(done func([]hall.RatingReason, string)) func() {
	var d dialog.Dialog
	u.t.do(func() {
		grid, comment, submit := reasonForm(u.t.text, 2, done)
		d = dialog.NewCustomWithoutButtons(u.t.text("reason_title"), container.NewVBox(grid, comment, submit), u.t.win)
		d.Resize(fyne.NewSize(520, 420))
		u.showModal(d, &modal{}) // the visitor answers; the function keys wait
	})
	return func() {
		u.t.do(func() {
			if d != nil {
				d.Hide()
			}
		})
	}
}

// reasonForm builds the check boxes (in columns), comment and submit button of a bad rating's
// reasons. Submit is enabled once a reason is ticked (and, with "other", a comment typed).
func reasonForm(text func(string, ...any) string, columns int, done func([]hall.RatingReason, string)) (*fyne.Container, *widget.Entry, *widget.Button) {
	checks := map[hall.RatingReason]*widget.Check{}
	grid := container.NewGridWithColumns(columns)
	english := text("ok") == "OK"
	comment := widget.NewEntry()
	comment.SetPlaceHolder(text("reason_comment"))
	submit := widget.NewButton(text("submit"), nil)
	submit.Importance = widget.HighImportance
	chosen := func() []hall.RatingReason {
		var rs []hall.RatingReason
		for _, r := range hall.RatingReasons {
			if checks[r].Checked {
				rs = append(rs, r)
			}
		}
		if len(rs) == 0 || (checks[hall.ReasonOther].Checked && strings.TrimSpace(comment.Text) == "") {
			return nil
		}
		return rs
	}
	update := func() {
		if chosen() != nil {
			submit.Enable()
		} else {
			submit.Disable()
		}
	}
	for _, r := range hall.RatingReasons {
		c := widget.NewCheck(r.Label(english), func(bool) { update() })
		checks[r] = c
		grid.Add(c)
	}
	comment.OnChanged = func(string) { update() }
	submit.OnTapped = func() {
		rs := chosen()
		if rs == nil {
			return
		}
		submit.Disable()
		done(rs, comment.Text)
	}
	submit.Disable()
	return grid, comment, submit
}
