package terminal

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"hall"
	"hall/queueserver/httpapi"
)

// Cases (办件) at the counter: the clerk opens a case from the ticket being served (F11), with
// the applicant's name and ID number, and moves it on: 开始办理, 挂起 (with a reason), 恢复, 办结.
// Every step is one idempotent operation like the counter's own; the server keeps the case, seals
// the ID number and reports it to the platform. The terminal remembers the case it opened last
// (t.kase, under t.mu) to show it and step it.

const btnCase = "op_case"

var caseTexts = map[string][2]string{
	btnCase:           {"办件", "Case"},
	"op_case_open":    {"受理办件", "opening the case"},
	"op_case_step":    {"办件操作", "the case step"},
	"case_open_title": {"受理办件 · %s 号", "Open a case · %s"},
	"case_name":       {"申请人姓名", "Applicant's name"},
	"case_id_number":  {"身份证号码", "ID number"},
	"case_id_hint":    {"可不填（取号时已刷卡则沿用）", "optional (taken from the ticket's card)"},
	"case_matter":     {"办理事项说明", "What is applied for"},
	"case_open":       {"受理", "Open"},
	"case_title":      {"办件 %s", "Case %s"},
	"case_line":       {"办件 %s · %s", "Case %s · %s"},
	"case_due":        {"承诺时限：%s 前", "Due by %s"},
	"case_process":    {"开始办理", "Start processing"},
	"case_suspend":    {"挂起（补正材料）", "Suspend (documents missing)"},
	"case_resume":     {"恢复办理", "Resume"},
	"case_complete":   {"办结", "Complete"},
	"case_new":        {"为当前号码受理新办件", "Open a new case for this ticket"},
	"case_reason":     {"挂起原因", "Reason"},
	"close":           {"关闭", "Close"},
}

func init() {
	for k, v := range caseTexts {
		texts[k] = v
	}
}

// Case returns the case the terminal opened last (nil for none).
func (t *Terminal) Case() *hall.Case {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.kase == nil {
		return nil
	}
	c := *t.kase
	return &c
}

// OpenCase opens a case from the ticket at the counter (or the one finished last) for the
// applicant: name and, when typed or read, the ID number (else the ticket's card holder).
func (t *Terminal) OpenCase(name, idNumber, matter string) bool {
	t.mu.Lock()
	tk := t.current
	if tk == nil {
		tk = t.last
	}
	t.mu.Unlock()
	if tk == nil {
		return false
	}
	counterID, _ := t.ids()
	req := hall.OpenCaseRequest{CounterID: counterID, TicketID: tk.ID, Name: name, IDNumber: idNumber, Matter: matter}
	if idNumber != "" {
		req.Source = hall.ApplicantTyped
	}
	var got hall.Case
	return t.run("op_case_open", func(ctx context.Context, api *httpapi.Client) (err error) {
		got, err = api.OpenCase(ctx, req)
		return err
	}, func() {
		t.update(func() { t.kase = &got }) // shown on the ticket's state line
	})
}

// StepCase moves the terminal's case on (note: the reason of a suspension).
func (t *Terminal) StepCase(step hall.CaseStep, note string) bool {
	c := t.Case()
	if c == nil {
		return false
	}
	counterID, _ := t.ids()
	var got hall.Case
	return t.run("op_case_step", func(ctx context.Context, api *httpapi.Client) (err error) {
		got, err = api.StepCase(ctx, c.ID, step, counterID, note)
		return err
	}, func() { t.update(func() { t.kase = &got }) })
}

// caseLine is the case shown under the current ticket ("" for none of this ticket).
func (t *Terminal) caseLineLocked(tk *hall.Ticket) string {
	if t.kase == nil || tk == nil || t.kase.TicketID != tk.ID {
		return ""
	}
	return tr(t.lang, "case_line", t.kase.ID, t.kase.State.Label(t.lang == English))
}

// caseDialog opens a case for the ticket at the counter, or shows the open case with its steps.
func (u *mainUI) caseDialog() {
	t := u.t
	t.mu.Lock()
	tk := t.current
	if tk == nil {
		tk = t.last
	}
	var kase *hall.Case
	if t.kase != nil && tk != nil && t.kase.TicketID == tk.ID {
		c := *t.kase
		kase = &c
	}
	t.mu.Unlock()
	if kase == nil || !kase.State.Open() {
		if tk != nil {
			u.openCaseDialog(*tk)
		}
		return
	}
	u.stepCaseDialog(*kase)
}

func (u *mainUI) openCaseDialog(tk hall.Ticket) {
	t := u.t
	name, id, matter := widget.NewEntry(), widget.NewEntry(), widget.NewEntry()
	id.SetPlaceHolder(t.text("case_id_hint"))
	if tk.Person != nil && tk.Person.MaskedID != "" {
		id.SetPlaceHolder(tk.Person.MaskedID + " · " + t.text("case_id_hint"))
	}
	items := []*widget.FormItem{
		widget.NewFormItem(t.text("case_name"), name),
		widget.NewFormItem(t.text("case_id_number"), id),
		widget.NewFormItem(t.text("case_matter"), matter),
	}
	var d *dialog.FormDialog
	matter.OnSubmitted = func(string) { d.Submit() }
	d = dialog.NewForm(t.text("case_open_title", tk.Code), t.text("case_open"), t.text("cancel"), items, func(ok bool) {
		if ok {
			t.OpenCase(name.Text, id.Text, matter.Text)
		}
	}, t.win)
	d.Resize(fyne.NewSize(560, 300)) // room for an 18-character ID number
	u.showForm(d)
}

func (u *mainUI) stepCaseDialog(c hall.Case) {
	t := u.t
	reason := widget.NewEntry()
	reason.SetPlaceHolder(t.text("case_reason"))
	var d dialog.Dialog
	step := func(s hall.CaseStep) func() {
		return func() {
			d.Hide()
			t.StepCase(s, reason.Text)
		}
	}
	loc, err := time.LoadLocation(hall.DefaultTimeZone) // the hall's time, not the PC's
	if err != nil {
		loc = time.Local
	}
	info := widget.NewLabel(c.State.Label(t.lang == English) + "\n" + t.text("case_due", c.DueAt.In(loc).Format("2006-01-02 15:04")))
	var buttons []fyne.CanvasObject
	switch c.State {
	case hall.CaseAccepted:
		buttons = append(buttons, widget.NewButton(t.text("case_process"), step(hall.StepProcess)))
		fallthrough
	case hall.CaseProcessing:
		buttons = append(buttons, reason, widget.NewButton(t.text("case_suspend"), step(hall.StepSuspend)),
			widget.NewButton(t.text("case_complete"), step(hall.StepComplete)))
	case hall.CaseSuspended:
		buttons = append(buttons, widget.NewButton(t.text("case_resume"), step(hall.StepResume)))
	}
	d = dialog.NewCustom(t.text("case_title", c.ID), t.text("close"), container.NewVBox(append([]fyne.CanvasObject{info}, buttons...)...), t.win)
	d.Resize(fyne.NewSize(480, 0))
	u.showModal(d, &modal{cancel: d.Hide})
}
