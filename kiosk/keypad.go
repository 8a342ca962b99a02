package kiosk

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"

	"hall"
)

// keypadMode is what the on-screen keypad collects.
type keypadMode int

const (
	keypadPhone   keypadMode = iota // a mobile number, then the visitor picks a service
	keypadBooking                   // a booking's 6-digit short code: check-in at once
	keypadAdmin                     // the admin PIN
)

// showKeypad shows the digit keypad for mode. In booking mode a scanned booking QR code works
// too.
func (a *App) showKeypad(mode keypadMode) {
	digits := ""
	maxLen := map[keypadMode]int{keypadPhone: 11, keypadBooking: hall.ShortCodeDigits, keypadAdmin: 12}[mode]
	prompt := map[keypadMode]string{keypadPhone: "enter_phone", keypadBooking: "enter_booking", keypadAdmin: "enter_pin"}[mode]
	display := centred("", sizeHuge/2, colorBrand, true)
	hint := centred("", sizeNormal, colorWarn, false)
	show := func() {
		if mode == keypadAdmin {
			display.Text = ""
			for range digits {
				display.Text += "●"
			}
		} else {
			display.Text = digits
		}
		display.Refresh()
	}
	press := func(d string) func() {
		return a.tap(func() {
			if len(digits) < maxLen {
				digits += d
				hint.Text = ""
				hint.Refresh()
				show()
			}
		})
	}
	submit := a.tap(func() {
		switch mode {
		case keypadPhone:
			p, err := hall.ValidatePhone(digits)
			if err != nil || len(digits) != 11 {
				hint.Text = a.t("phone_invalid")
				hint.Refresh()
				return
			}
			a.pending = &hall.IssueRequest{Channel: hall.ChannelPhone, Phone: p}
			a.showHome()
		case keypadBooking:
			if len(digits) != hall.ShortCodeDigits {
				hint.Text = a.t("booking_invalid")
				hint.Refresh()
				return
			}
			a.checkIn(digits)
		case keypadAdmin:
			if a.o.AdminPIN == "" || digits != a.o.AdminPIN {
				digits = ""
				show()
				hint.Text = a.t("wrong_pin")
				hint.Refresh()
				return
			}
			a.showAdmin()
		}
	})
	var keys []fyne.CanvasObject
	key := func(label string, onTap func()) fyne.CanvasObject {
		return newTile(colorTile, 130, false, onTap, centred(label, sizeTitle, colorBrand, true))
	}
	for _, d := range []string{"1", "2", "3", "4", "5", "6", "7", "8", "9"} {
		keys = append(keys, key(d, press(d)))
	}
	keys = append(keys,
		key(a.t("clear"), a.tap(func() { digits = ""; show() })),
		key("0", press("0")),
		key(a.t("delete"), a.tap(func() {
			if len(digits) > 0 {
				digits = digits[:len(digits)-1]
				show()
			}
		})),
	)
	body := container.NewVBox(
		centred(a.t(prompt), sizeLarge, colorText, true),
		display, hint,
		container.NewGridWithColumns(3, keys...),
		container.NewGridWithColumns(2, button(a.t("back"), false, a.tap(a.showHome)), button(a.t("ok"), true, submit)),
		layout.NewSpacer(),
	)
	a.setContent(ScreenKeypad, container.NewBorder(a.header(), nil, nil, nil, container.NewPadded(body)), a.o.IdleTimeout)
	if mode == keypadBooking {
		a.onScan = a.homeScan
	}
	a.keypad = &keypadState{mode: mode, press: func(s string) {
		for _, r := range s {
			press(string(r))()
		}
	}, submit: submit}
}

// keypadState lets tests type on the keypad shown.
type keypadState struct {
	mode   keypadMode
	press  func(digits string)
	submit func()
}

// checkIn checks in a booking by its scanned code or typed short code.
func (a *App) checkIn(code string) {
	if _, err := hall.ParseBookingRef(code); err != nil {
		a.showIssueError(err)
		return
	}
	a.issue(hall.IssueRequest{Channel: hall.ChannelAppointment, AppointmentCode: code}, nil)
}

// showAdminPIN asks for the admin PIN.
func (a *App) showAdminPIN() { a.showKeypad(keypadAdmin) }

// showAdmin is the admin panel: leave or enter full screen, quit, back.
func (a *App) showAdmin() {
	var items []fyne.CanvasObject
	items = append(items, centred(a.t("admin_title"), sizeTitle, colorText, true))
	if a.o.SetFullScreen != nil {
		items = append(items,
			button(a.t("exit_fullscreen"), false, a.tap(func() { a.o.SetFullScreen(false) })),
			button(a.t("enter_fullscreen"), false, a.tap(func() { a.o.SetFullScreen(true) })))
	}
	if a.o.Quit != nil {
		items = append(items, button(a.t("quit"), false, a.tap(a.o.Quit)))
	}
	items = append(items, button(a.t("home"), true, a.tap(a.reset)))
	a.setContent(ScreenAdmin, container.NewBorder(a.header(), nil, nil, nil, container.NewPadded(container.NewVBox(items...))), a.o.IdleTimeout)
}
