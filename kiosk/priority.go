package kiosk

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"hall"
	"hall/drivers"
	"hall/queueserver/httpapi"
)

// showPriority is the priority lane (绿色通道): seniors of the hall's priority age place their ID
// card (the server gives the ticket its class by age); anyone else needs a staff member, who
// confirms with their staff number and password and picks the class.
func (a *App) showPriority() {
	staffID := newTouchEntry(false)
	staffID.SetPlaceHolder(a.t("staff_id"))
	password := newTouchEntry(true)
	password.SetPlaceHolder(a.t("password"))
	hint := centred("", sizeNormal, colorWarn, false)
	verify := button(a.t("verify"), true, nil)
	verify.onTap = a.tap(func() { a.verifyStaff(staffID.Text, password.Text, hint) })
	age := a.info.PriorityAge
	body := container.NewVBox(
		centred(a.t("priority_title"), sizeTitle, colorText, true),
		wrapped(a.t("priority_body", age)),
		widget.NewForm(widget.NewFormItem(a.t("staff_id"), staffID), widget.NewFormItem(a.t("password"), password)),
		hint,
		container.NewGridWithColumns(2, button(a.t("back"), false, a.tap(a.showHome)), verify),
		a.touchKeyboard(staffID, password),
	)
	a.setContent(ScreenPriority, container.NewBorder(a.header(), nil, nil, nil, container.NewPadded(body)), a.o.IdleTimeout)
	a.onCard = a.priorityCard
	a.onScan = a.homeScan
	a.priorityForm = &priorityForm{staffID: staffID, password: password, verify: verify.onTap, hint: hint}
}

// priorityForm lets tests fill in the staff form.
type priorityForm struct {
	staffID, password *touchEntry
	verify            func()
	hint              *canvas.Text
}

// verifyStaff checks the staff member's password with the server (a login that is ended at
// once) and then offers the priority classes. The number and password stay in memory until the
// ticket is issued or the visit ends: the server checks them again when the ticket is issued.
func (a *App) verifyStaff(staffID, password string, hint *canvas.Text) {
	if a.busy {
		return
	}
	a.busy = true
	cl := a.client()
	setHint := func(s string) {
		hint.Text = s
		hint.Refresh()
	}
	setHint(a.t("verifying"))
	a.spawn(func() {
		ctx, cancel := context.WithTimeout(a.ctx, 10*time.Second)
		defer cancel()
		login, err := cl.Login(ctx, staffID, password)
		if err == nil {
			if lerr := cl.WithToken(login.Token).Logout(ctx); lerr != nil {
				a.log.Warn("kiosk: ending the staff check session", "err", lerr)
			}
			a.log.Info("kiosk: priority lane opened by staff", "staff", login.Staff.ID)
		}
		a.ui(func() {
			a.busy = false
			if err != nil {
				setHint(a.errText(err))
				return
			}
			a.approver = &httpapi.Approver{StaffID: staffID, Password: password}
			a.showPriorityClasses()
		})
	})
}

// showPriorityClasses lets the staff member pick the class; the visitor then picks the service.
func (a *App) showPriorityClasses() {
	var items []fyne.CanvasObject
	for _, c := range []hall.PriorityClass{hall.PriorityElderly, hall.PriorityDisabled, hall.PriorityMilitary, hall.PriorityOther} {
		class := c
		items = append(items, button(a.t(priorityKey(class)), false, a.tap(func() {
			a.pending = &hall.IssueRequest{Channel: hall.ChannelPriority, Priority: class}
			a.showHome()
		})))
	}
	body := container.NewVBox(
		centred(a.t("choose_class"), sizeTitle, colorText, true),
		container.NewGridWithColumns(2, items...),
		button(a.t("back"), false, a.tap(a.showHome)),
	)
	a.setContent(ScreenPriority, container.NewBorder(a.header(), nil, nil, nil, container.NewPadded(body)), a.o.IdleTimeout)
	a.onCard = a.priorityCard
}

// priorityCard takes a card on the priority screen: old enough by the hall's rule, the visitor
// picks a service for a priority ticket; a class already chosen by staff gets the person added.
func (a *App) priorityCard(c drivers.Card) {
	if a.pending != nil && a.pending.Channel == hall.ChannelPriority {
		a.pending.IDNumber, a.pending.Name = c.Number, c.Name
		a.holder = drivers.MaskName(c.Name)
		a.showHome()
		return
	}
	age := ageOn(c.Birth, a.o.Now())
	if a.info.PriorityAge <= 0 || age < a.info.PriorityAge {
		a.showMessage(a.t("priority_title"), a.t("too_young", a.info.PriorityAge))
		return
	}
	a.pending = &hall.IssueRequest{Channel: hall.ChannelPriority, IDNumber: c.Number, Name: c.Name}
	a.holder = drivers.MaskName(c.Name)
	a.showHome()
}

// ageOn is the age in whole years on the day of now.
func ageOn(birth drivers.Date, now time.Time) int {
	y, m, d := now.Date()
	age := y - birth.Year
	if m < birth.Month || m == birth.Month && d < birth.Day {
		age--
	}
	return age
}
