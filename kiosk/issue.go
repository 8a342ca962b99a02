package kiosk

import (
	"context"
	"errors"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"hall"
	"hall/drivers"
	"hall/queueserver/httpapi"
)

// Issued is a ticket the kiosk handed out and how the visitor got it.
type Issued struct {
	Ticket  hall.Ticket
	Service hall.Service
	// Ahead and Wait are the place in the queue when issued (Ahead -1: unknown).
	Ahead int
	Wait  time.Duration
	At    time.Time
	// Printed reports whether the receipt was printed; otherwise Problem is the text key of why
	// (reason_paper_out, ...) and the number is shown on screen only.
	Printed bool
	Problem string
	Receipt drivers.Receipt
}

// takeNumber completes the pending request (card, phone, priority) or a plain tap with the
// service the visitor tapped.
func (a *App) takeNumber(serviceID string) {
	req := hall.IssueRequest{ServiceID: serviceID, Channel: hall.ChannelTap}
	if a.pending != nil {
		req = *a.pending
		req.ServiceID = serviceID
	}
	a.issue(req, nil)
}

// issue asks the server for a ticket and prints it, showing a busy screen meanwhile. notFound,
// when set, handles an ENOTFOUND answer instead of the error screen (a card with no booking).
func (a *App) issue(req hall.IssueRequest, notFound func()) {
	if a.busy {
		return
	}
	a.busy = true
	a.showBusy()
	cl, lang, services, info := a.client(), a.lang, a.services, a.info
	var approver *httpapi.Approver
	if req.Priority != hall.PriorityNone {
		approver = a.approver
	}
	a.spawn(func() {
		res, err := a.issueAndPrint(cl, lang, info, services, req, approver)
		a.ui(func() {
			a.busy = false
			switch {
			case err != nil && notFound != nil && hall.ErrorCode(err) == hall.ENOTFOUND:
				notFound()
			case err != nil:
				a.showIssueError(err)
			default:
				a.pending, a.holder, a.approver = nil, "", nil
				a.lastIssue = res
				a.showTicket(res)
			}
		})
	})
}

// issueAndPrint is one issue on a background goroutine: check the printer, issue, look up the
// place in the queue, print, and report the printer's health. A number that cannot be printed is
// still issued and returned (the ticket screen shows it); nothing is printed for a refused one.
// approver confirms a priority class chosen by staff (nil for any other ticket).
func (a *App) issueAndPrint(cl *httpapi.Client, lang Lang, info hall.Hall, services []httpapi.ServiceView, req hall.IssueRequest, approver *httpapi.Approver) (Issued, error) {
	ctx, cancel := context.WithTimeout(a.ctx, a.o.IssueRetryFor+30*time.Second)
	defer cancel()
	res := Issued{Ahead: -1}

	problem, st := a.checkPrinter(ctx)

	// One idempotency key for every attempt: a request whose answer was lost on the way is
	// answered again, never issued twice, once the server can be reached.
	ictx := hall.WithIdempotencyKey(ctx, httpapi.NewIdempotencyKey())
	deadline := time.Now().Add(a.o.IssueRetryFor)
	var t hall.Ticket
	var err error
	for {
		t, err = cl.IssueApprovedTicket(ictx, req, approver)
		if err == nil || hall.ErrorReason(err) != "server_unreachable" || !time.Now().Before(deadline) || ctx.Err() != nil {
			break
		}
		a.log.Warn("kiosk: issuing: the server cannot be reached; trying again", "err", err)
		a.sleep(time.Second)
	}
	if err != nil {
		return res, err
	}
	res.Ticket, res.At = t, a.o.Now()
	for _, sv := range services {
		if sv.Service.ID == t.ServiceID {
			res.Service = sv.Service
		}
	}
	if ts, err := cl.Ticket(ctx, t.ID); err == nil {
		res.Ahead, res.Wait = ts.Ahead, ts.EstimatedWait
	} else {
		a.log.Warn("kiosk: ticket status", "ticket", t.Code, "err", err)
	}
	res.Receipt = a.receipt(lang, info, res)
	if problem == "" {
		if _, err := a.o.Printer.Print(ctx, res.Receipt); err != nil {
			problem = printProblem(err)
			a.log.Warn("kiosk: printing failed", "ticket", t.Code, "err", err)
		} else {
			res.Printed = true
		}
	}
	res.Problem = problem
	a.reportPrinter(problem, st)
	return res, nil
}

// checkPrinter asks the printer for its status before a number is issued. It returns "" when
// the printer can print, else the text key of the problem.
func (a *App) checkPrinter(ctx context.Context) (string, drivers.PrinterStatus) {
	if a.o.Printer == nil {
		return "reason_no_printer", drivers.PrinterStatus{}
	}
	sctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	st, err := a.o.Printer.Status(sctx)
	if err != nil {
		a.log.Warn("kiosk: printer status", "err", err)
		return "reason_offline", st
	}
	return statusProblem(st), st
}

// statusProblem names what stops a printer ("" when ready).
func statusProblem(st drivers.PrinterStatus) string {
	switch {
	case st.PaperOut:
		return "reason_paper_out"
	case st.CoverOpen:
		return "reason_cover_open"
	case st.Fault:
		return "reason_fault"
	case st.Offline:
		return "reason_offline"
	}
	return ""
}

// printProblem names why Print failed.
func printProblem(err error) string {
	var nr *drivers.NotReadyError
	if errors.As(err, &nr) {
		if p := statusProblem(nr.Status); p != "" {
			return p
		}
	}
	if drivers.IsTransient(err) {
		return "reason_offline"
	}
	return "reason_print_failed"
}

// reportPrinter tells the server how the printer is (on change only).
func (a *App) reportPrinter(problem string, st drivers.PrinterStatus) {
	switch {
	case problem == "reason_no_printer":
		a.health.report(hall.ComponentPrinter, hall.HealthFault, "not_connected", "")
	case problem != "":
		a.health.report(hall.ComponentPrinter, hall.HealthFault, healthReason(problem), tr(Chinese, problem))
	case st.PaperNearEnd:
		a.health.report(hall.ComponentPrinter, hall.HealthWarning, "paper_near_end", "纸将用尽")
	default:
		a.health.report(hall.ComponentPrinter, hall.HealthOK, "", "")
	}
}

// healthReason turns a text key (reason_paper_out) into the reported code (paper_out).
func healthReason(key string) string {
	const p = "reason_"
	if len(key) > len(p) && key[:len(p)] == p {
		return key[len(p):]
	}
	return key
}

// showBusy is the screen while a number is being issued.
func (a *App) showBusy() {
	c := container.NewVBox(layout.NewSpacer(), centred(a.t("issuing"), sizeTitle, colorBrand, true), layout.NewSpacer())
	a.setContent(ScreenBusy, container.NewBorder(a.header(), nil, nil, nil, c), 0)
}

// showIssueError explains a refusal (already waiting, service closed, unknown booking).
func (a *App) showIssueError(err error) {
	title := a.t("error_title")
	body := a.errText(err)
	if hall.ErrorReason(err) == "person_already_waiting" {
		title = a.t("already_waiting_any")
	}
	if hall.ErrorReason(err) == "server_unreachable" {
		// The number may have been issued without the answer arriving: say so.
		body = a.t("issue_unknown")
		a.online = false
		a.requestRefresh()
	}
	a.showMessage(title, body)
}

// showMessage shows a title and an explanation with a way home; it times out like any screen.
func (a *App) showMessage(title, body string) {
	c := container.NewVBox(
		layout.NewSpacer(),
		centred(title, sizeTitle, colorWarn, true),
		wrappedCentred(body),
		layout.NewSpacer(),
		button(a.t("home"), true, a.tap(a.reset)),
	)
	a.setContent(ScreenMessage, container.NewBorder(a.header(), nil, nil, nil, container.NewPadded(c)), a.o.IdleTimeout/2)
}

// showTicket shows the number just issued: large, with the service, the place in the queue and,
// when it could not be printed, why and a QR code for the phone.
func (a *App) showTicket(r Issued) {
	items := []fyne.CanvasObject{
		centred(a.t("your_number"), sizeLarge, colorMuted, false),
		centred(r.Ticket.Code, sizeHuge, colorBrand, true),
		centred(a.name(r.Service.Name, r.Service.NameEN), sizeTitle, colorText, true),
	}
	if r.Ahead >= 0 {
		items = append(items, centred(a.t("ahead", r.Ahead)+"  ·  "+waitText(a.lang, r.Wait), sizeLarge, colorText, false))
	}
	if r.Ticket.Priority != "" {
		items = append(items, centred(a.t("priority_label")+" · "+a.priorityName(r.Ticket.Priority), sizeLarge, colorGood, true))
	}
	if r.Ticket.AppointmentID != "" {
		items = append(items, centred(a.t("checked_in"), sizeLarge, colorGood, true))
	}
	if d := a.name(r.Service.Direction, r.Service.DirectionEN); d != "" {
		items = append(items, centred(d, sizeNormal, colorText, false))
	}
	if p := r.Ticket.Person; p != nil && p.MaskedID != "" {
		items = append(items, centred(a.t("person", hall.MaskName(p.Name), p.MaskedID), sizeNormal, colorText, false))
	}
	if r.Printed {
		items = append(items, centred(a.t("take_ticket"), sizeTitle, colorGood, true))
	} else {
		fault := wrappedCentred(a.t("printer_fault", a.t(r.Problem)))
		fault.(*widget.Label).Importance = widget.DangerImportance
		fault.(*widget.Label).TextStyle.Bold = true
		items = append(items, fault, centred(a.t("staff_told"), sizeSmall, colorMuted, false))
	}
	if img := qrImage(mobileURL(a.o.PublicURL, r.Ticket.AccessToken), 240); img != nil {
		items = append(items, container.NewCenter(img), centred(a.t("scan_mobile"), sizeNormal, colorMuted, false))
	}
	timeout := a.o.TicketTimeout
	if !r.Printed {
		timeout = 3 * timeout // time to note the number or scan it
	}
	home := container.NewPadded(button(a.t("home"), true, a.tap(a.reset)))
	a.setContent(ScreenTicket, container.NewBorder(a.header(), home, nil, nil, container.NewVScroll(container.NewPadded(container.NewVBox(items...)))), timeout)
}

// priorityName is the name of a priority class.
func (a *App) priorityName(p hall.PriorityClass) string { return a.t(priorityKey(p)) }
