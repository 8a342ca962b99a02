package kiosk

import (
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	qrcode "github.com/skip2/go-qrcode"

	"hall"
	"hall/drivers"
)

// mobileURL is the address of a ticket's mobile page, opened by the QR code.
func mobileURL(base, token string) string {
	return strings.TrimRight(base, "/") + "/t/" + token
}

// receipt lays out the printed ticket (凭条) in the visitor's language: the hall, the number
// large, the service, the place in the queue, priority or booking, the holder masked, where to
// go and what to bring, the time, a QR code for the phone and a code for the counter to scan.
func (a *App) receipt(lang Lang, info hall.Hall, r Issued) drivers.Receipt {
	t := func(key string, args ...any) string { return tr(lang, key, args...) }
	name := func(zh, en string) string { return pick(lang, zh, en) }
	b := []drivers.Block{
		drivers.Line{Text: name(info.Name, info.NameEN), Align: drivers.AlignCenter, Bold: true, Width: 1, Height: 2},
		drivers.Line{Text: strings.Repeat("─", 24)},
		drivers.Line{Text: name(r.Service.Name, r.Service.NameEN), Align: drivers.AlignCenter, Bold: true, Width: 2, Height: 2},
		drivers.Line{Text: r.Ticket.Code, Align: drivers.AlignCenter, Bold: true, Width: 4, Height: 4},
	}
	if r.Ahead >= 0 {
		b = append(b, drivers.Line{Text: t("ahead", r.Ahead) + "  " + waitText(lang, r.Wait), Align: drivers.AlignCenter})
	}
	if r.Ticket.Priority != "" {
		b = append(b, drivers.Line{Text: t("priority_label") + " · " + tr(lang, priorityKey(r.Ticket.Priority)), Align: drivers.AlignCenter, Bold: true})
	}
	if r.Ticket.AppointmentID != "" {
		slot := ""
		if !r.Ticket.AppointmentFrom.IsZero() {
			loc, _ := info.Location()
			if loc != nil {
				slot = r.Ticket.AppointmentFrom.In(loc).Format("15:04") + "-" + r.Ticket.AppointmentUntil.In(loc).Format("15:04")
			}
		}
		b = append(b, drivers.Line{Text: t("appointment", slot), Align: drivers.AlignCenter, Bold: true})
	}
	if p := r.Ticket.Person; p != nil && (p.Name != "" || p.MaskedID != "") {
		b = append(b, drivers.Line{Text: t("person", hall.MaskName(p.Name), p.MaskedID)})
	}
	if r.Ticket.Phone != "" {
		b = append(b, drivers.Line{Text: t("phone", hall.MaskPhone(r.Ticket.Phone))})
	}
	if d := name(r.Service.Direction, r.Service.DirectionEN); d != "" {
		b = append(b, drivers.Line{Text: d, Bold: true})
	}
	if len(r.Service.Materials) > 0 {
		b = append(b, drivers.Line{Text: t("bring", strings.Join(r.Service.Materials, t("list_sep")))})
	}
	at := r.At
	if loc, err := info.Location(); err == nil {
		at = at.In(loc)
	}
	b = append(b,
		drivers.Line{Text: t("issued_at", at.Format("2006-01-02 15:04:05"))},
		drivers.Feed{Lines: 1},
		drivers.QR{Data: mobileURL(a.o.PublicURL, r.Ticket.AccessToken), ModuleSize: 6, Align: drivers.AlignCenter},
		drivers.Line{Text: t("scan_mobile"), Align: drivers.AlignCenter},
		drivers.QR{Data: hall.TicketBarcode(r.Ticket.ID), ModuleSize: 3, Align: drivers.AlignCenter},
		drivers.Line{Text: t("counter_scan"), Align: drivers.AlignCenter},
		drivers.Line{Text: t("keep_ticket"), Align: drivers.AlignCenter},
		drivers.Cut{Feed: 3},
	)
	return drivers.Receipt{Blocks: b}
}

// waitText is the estimated wait, or "no wait" under a minute.
func waitText(lang Lang, d time.Duration) string {
	if m := minutes(d); m > 0 {
		return tr(lang, "wait_minutes", m)
	}
	return tr(lang, "no_wait")
}

// priorityKey is the text key of a priority class.
func priorityKey(p hall.PriorityClass) string {
	switch p {
	case hall.PriorityElderly:
		return "class_elderly"
	case hall.PriorityDisabled:
		return "class_disabled"
	case hall.PriorityMilitary:
		return "class_military"
	}
	return "class_other"
}

// qrImage draws a QR code for the screen, size points square; nil when data cannot be encoded.
func qrImage(data string, size float32) *canvas.Image {
	q, err := qrcode.New(data, qrcode.Medium)
	if err != nil {
		return nil
	}
	img := canvas.NewImageFromImage(q.Image(512))
	img.FillMode = canvas.ImageFillContain
	img.ScaleMode = canvas.ImageScalePixels
	img.SetMinSize(fyne.NewSize(size, size))
	return img
}
