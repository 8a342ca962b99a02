package kiosk

import (
	"context"
	"errors"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"

	"hall"
	"hall/drivers"
	"hall/kiosk/licencepdf"
	"hall/queueserver/httpapi"
)

// Self-service licence printing (自助打证): the visitor swipes the ID card, sees the licences the
// platform made for them, and prints one on the kiosk's A4 printer. The server reserves the
// licence for this kiosk before anything is printed, and records the handover only after the
// printer finished the job, so a licence is handed over once: a second swipe shows 已领取.
// A failed print gives the reservation back, and the licence can be printed again.

// LicencePrinter prints a PDF on the kiosk's A4 printer and waits for the job (*cups.Printer).
type LicencePrinter interface {
	Print(ctx context.Context, title string, pdf []byte) (job string, err error)
	Wait(ctx context.Context, job string) error
}

// Licence screens.
const (
	ScreenLicenceSwipe = "licence-swipe"
	ScreenLicenceList  = "licence-list"
	ScreenLicenceDone  = "licence-done"
)

var licenceTexts = map[string][2]string{
	"licence_title":        {"自助打证", "Print your licence"},
	"licence_swipe":        {"请将身份证放在读卡区", "Place your ID card on the reader"},
	"licence_swipe_hint":   {"办好的证照可在此打印，每份证照只能领取一次", "Licences that are ready can be printed here, each one once"},
	"licence_looking":      {"正在查询您的证照…", "Looking up your licences…"},
	"licence_none":         {"暂无可领取的证照", "No licences for you yet"},
	"licence_none_body":    {"证照办好后会以短信通知您", "We will send you a text message when a licence is ready"},
	"licence_for":          {"%s（%s）的证照", "Licences of %s (%s)"},
	"licence_print":        {"打印", "Print"},
	"licence_collected":    {"已领取 %s", "Collected %s"},
	"licence_printing_now": {"打印中", "Being printed"},
	"licence_printing":     {"正在打印，请稍候…", "Printing, please wait…"},
	"licence_take":         {"请取走您的证照", "Please take your licence"},
	"licence_take_body":    {"《%s》已打印，扫描证照上的二维码可核验", "“%s” is printed; scan its QR code to verify it"},
	"licence_failed":       {"打印失败", "Printing failed"},
	"licence_failed_body":  {"证照未领取，可稍后再试，或请工作人员协助：%s", "The licence was not handed over; try again later or ask the staff: %s"},
	"licence_no_printer":   {"本机未连接证照打印机", "No licence printer on this kiosk"},
	"licence_issuer":       {"发证机关：%s", "Issued by %s"},
}

func init() {
	for k, v := range licenceTexts {
		texts[k] = v
	}
}

// licenceVisit is the card holder of the licence screens. The ID number stays in memory only
// while the screens are shown; it goes to the server, never to the screen.
type licenceVisit struct {
	number, name string
	licences     []hall.Licence
}

// licenceEntry is the home screen's way into licence printing: a plugged-in Options.Licence
// flow if there is one, else this file's flow when the kiosk has a licence printer, else a
// disabled button that says why.
func (a *App) licenceEntry() fyne.CanvasObject {
	if f := a.o.Licence; f != nil {
		return button(f.Label(a.lang), false, a.tap(func() { f.Start(a) }))
	}
	if a.o.LicencePrinter == nil {
		return disabledButton(a.t("way_licence"), a.t("licence_no_printer"))
	}
	return button(a.t("way_licence"), false, a.tap(a.showLicenceSwipe))
}

// showLicenceSwipe asks for the ID card.
func (a *App) showLicenceSwipe() {
	a.licence = nil
	c := container.NewVBox(
		layout.NewSpacer(),
		centred(a.t("licence_title"), sizeTitle, colorBrand, true),
		centred(a.t("licence_swipe"), sizeLarge, colorText, true),
		wrappedCentred(a.t("licence_swipe_hint")),
		layout.NewSpacer(),
		button(a.t("home"), false, a.tap(a.reset)),
	)
	a.setContent(ScreenLicenceSwipe, container.NewBorder(a.header(), nil, nil, nil, container.NewPadded(c)), a.o.IdleTimeout)
	a.onCard = a.licenceCard
}

// licenceCard looks up the licences of the card's holder.
func (a *App) licenceCard(c drivers.Card) {
	if a.busy {
		return
	}
	a.busy = true
	a.showLicenceBusy(a.t("licence_looking"))
	cl := a.client()
	v := &licenceVisit{number: c.Number, name: c.Name}
	a.spawn(func() {
		ctx, cancel := context.WithTimeout(a.ctx, 30*time.Second)
		defer cancel()
		ls, err := cl.LicencesFor(ctx, v.number)
		a.ui(func() {
			a.busy = false
			if err != nil {
				a.showMessage(a.t("licence_failed"), a.errText(err))
				return
			}
			v.licences = ls
			a.licence = v
			a.showLicenceList()
		})
	})
}

// showLicenceBusy is the screen while the server or the printer works.
func (a *App) showLicenceBusy(msg string) {
	c := container.NewVBox(layout.NewSpacer(), centred(msg, sizeTitle, colorBrand, true), layout.NewSpacer())
	a.setContent(ScreenBusy, container.NewBorder(a.header(), nil, nil, nil, c), 0)
}

// showLicenceList lists the holder's licences: ready ones with a print button, collected ones
// marked 已领取.
func (a *App) showLicenceList() {
	v := a.licence
	if v == nil {
		a.showLicenceSwipe()
		return
	}
	items := []fyne.CanvasObject{
		centred(a.t("licence_for", drivers.MaskName(v.name), drivers.MaskIDNumber(v.number)), sizeLarge, colorText, true),
	}
	if len(v.licences) == 0 {
		items = append(items, layout.NewSpacer(),
			centred(a.t("licence_none"), sizeTitle, colorWarn, true),
			wrappedCentred(a.t("licence_none_body")))
	}
	for _, l := range v.licences {
		items = append(items, a.licenceTile(l))
	}
	home := container.NewPadded(button(a.t("home"), true, a.tap(a.reset)))
	a.setContent(ScreenLicenceList, container.NewBorder(a.header(), home, nil, nil,
		container.NewVScroll(container.NewPadded(container.NewVBox(items...)))), a.o.IdleTimeout)
	a.onCard = a.licenceCard // another card starts over
}

// licenceTile shows one licence and what can be done with it.
func (a *App) licenceTile(l hall.Licence) fyne.CanvasObject {
	lines := []fyne.CanvasObject{centred(l.Title, sizeTitle, colorBrand, true)}
	if l.Issuer != "" {
		lines = append(lines, centred(a.t("licence_issuer", l.Issuer), sizeSmall, colorMuted, false))
	}
	switch l.State {
	case hall.LicenceHandedOver:
		when := l.HandedOverAt.In(a.location()).Format("2006-01-02 15:04")
		lines = append(lines, centred(a.t("licence_collected", when), sizeLarge, colorGood, true))
		return newTile(colorTileOff, 150, true, nil, lines...)
	case hall.LicencePrinting:
		lines = append(lines, centred(a.t("licence_printing_now"), sizeLarge, colorMuted, true))
		return newTile(colorTileOff, 150, true, nil, lines...)
	}
	id := l.ID
	lines = append(lines, centred(a.t("licence_print"), sizeLarge, colorText, true))
	return newTile(colorTile, 150, false, a.tap(func() { a.printLicence(id) }), lines...)
}

// location is the hall's zone (for dates shown), Shanghai until the hall is loaded.
func (a *App) location() *time.Location {
	if loc, err := a.info.Location(); err == nil {
		return loc
	}
	loc, _ := time.LoadLocation(hall.DefaultTimeZone)
	return loc
}

// printLicence reserves, prints and hands over one licence.
func (a *App) printLicence(id string) {
	v := a.licence
	if a.busy || v == nil {
		return
	}
	a.busy = true
	a.showLicenceBusy(a.t("licence_printing"))
	cl, loc, now := a.client(), a.location(), a.o.Now()
	a.spawn(func() {
		title, err := a.printAndHandOver(cl, loc, now, id, v.number)
		a.ui(func() {
			a.busy = false
			if err != nil {
				a.showLicenceFailure(err)
				return
			}
			a.licence = nil
			c := container.NewVBox(
				layout.NewSpacer(),
				centred(a.t("licence_take"), sizeTitle, colorGood, true),
				wrappedCentred(a.t("licence_take_body", title)),
				layout.NewSpacer(),
				button(a.t("home"), true, a.tap(a.reset)),
			)
			a.setContent(ScreenLicenceDone, container.NewBorder(a.header(), nil, nil, nil, container.NewPadded(c)), a.o.TicketTimeout)
		})
	})
}

// printAndHandOver runs on a background goroutine: reserve (committed before printing), make
// the PDF (the platform's own, or ours with the verification QR code), print, wait for the
// printer, then hand over. A failure after the reservation gives it back.
func (a *App) printAndHandOver(cl *httpapi.Client, loc *time.Location, now time.Time, id, number string) (string, error) {
	ctx, cancel := context.WithTimeout(a.ctx, 3*time.Minute)
	defer cancel()
	p, err := cl.ReserveLicence(ctx, id, number)
	if err != nil {
		return "", err
	}
	release := func(cause error) error {
		rctx, rcancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer rcancel()
		reason := cause.Error()
		if r := []rune(reason); len(r) > hall.MaxCaseText {
			reason = string(r[:hall.MaxCaseText])
		}
		if _, err := cl.ReleaseLicence(rctx, id, strings.ReplaceAll(reason, "\n", " ")); err != nil {
			a.log.Error("kiosk: give back a licence reservation", "licence", id, "err", err)
		}
		return cause
	}
	pdf := p.PDF
	if len(pdf) == 0 {
		pdf, err = licencepdf.Make(licencepdf.Print{
			Licence: p.Licence, VerifyURL: strings.TrimRight(a.o.PublicURL, "/") + "/v/" + p.Licence.VerifyCode, // the server's verification page
			KioskID: p.Licence.ReservedBy, PrintedAt: now, Location: loc,
		})
		if err != nil {
			return "", release(err)
		}
	}
	job, err := a.o.LicencePrinter.Print(ctx, "licence-"+id, pdf)
	if err == nil {
		err = a.o.LicencePrinter.Wait(ctx, job)
	}
	if err != nil {
		return "", release(errPrintFailed{err})
	}
	if _, err := cl.HandOverLicence(ctx, id); err != nil {
		// Printed: the paper is out, the visitor has it. Keep telling the server (a repeat by
		// this kiosk is harmless) while the reservation holds the licence for this kiosk.
		a.log.Warn("kiosk: licence printed; recording the handover again", "licence", id, "err", err)
		a.spawn(func() { a.retryHandOver(cl, id) })
		return p.Licence.Title, nil
	}
	a.log.Info("kiosk: licence handed over", "licence", id, "job", job)
	return p.Licence.Title, nil
}

// retryHandOver records a printed licence's handover until the server takes it or the
// reservation (hall.LicenceReservation) would have run out; then the staff must be told.
func (a *App) retryHandOver(cl *httpapi.Client, id string) {
	deadline := time.Now().Add(hall.LicenceReservation - 10*time.Second)
	for wait := time.Second; time.Now().Before(deadline); wait = min(2*wait, 15*time.Second) {
		select {
		case <-a.ctx.Done():
			return
		case <-time.After(wait):
		}
		ctx, cancel := context.WithTimeout(a.ctx, 10*time.Second)
		_, err := cl.HandOverLicence(ctx, id)
		cancel()
		if err == nil {
			a.log.Info("kiosk: licence handed over (late)", "licence", id)
			return
		}
		if code := hall.ErrorCode(err); code == hall.ECONFLICT || code == hall.ENOTFOUND {
			a.log.Error("kiosk: the server refuses the handover of a printed licence; tell the staff", "licence", id, "err", err)
			return
		}
	}
	a.log.Error("kiosk: a printed licence's handover could not be recorded; tell the staff", "licence", id)
}

// errPrintFailed marks a printer fault (as opposed to a refusal by the server).
type errPrintFailed struct{ err error }

func (e errPrintFailed) Error() string { return "printer: " + e.err.Error() }

// showLicenceFailure explains a refusal (已领取, printing elsewhere) or a printer fault.
func (a *App) showLicenceFailure(err error) {
	var pf errPrintFailed
	if errors.As(err, &pf) {
		a.showMessage(a.t("licence_failed"), a.t("licence_failed_body", pf.err.Error()))
		return
	}
	a.showMessage(a.t("licence_failed"), a.errText(err))
}
