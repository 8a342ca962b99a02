package kiosk

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"hall"
	"hall/drivers"
	"hall/queueserver/httpapi"
)

// cardLoop reads ID cards and hands each to the active screen. A reader that stops answering
// (unplugged) is reported to the server and polled again; it is picked up when it comes back.
func (a *App) cardLoop() {
	for {
		c, err := a.o.Card.NextCard(a.ctx)
		if a.ctx.Err() != nil {
			return
		}
		switch {
		case err == nil:
			a.health.report(hall.ComponentIDCard, hall.HealthOK, "", "")
			a.ui(func() { a.cardRead(c) })
		case errors.Is(err, drivers.ErrClosed):
			a.health.report(hall.ComponentIDCard, hall.HealthFault, "closed", "")
			a.log.Error("kiosk: the card reader is closed", "err", err)
			return
		case drivers.IsTransient(err):
			a.health.report(hall.ComponentIDCard, hall.HealthFault, "offline", "读卡器无响应")
			a.sleep(time.Second)
		case errors.Is(err, drivers.ErrUnsupportedCard):
			a.ui(func() { a.cardProblem("card_unsupported") })
		case errors.Is(err, drivers.ErrInvalidCard):
			a.ui(func() { a.cardProblem("card_invalid") })
		default:
			// A failed read (the card moved) or a corrupt reply: ask the visitor to try again.
			a.log.Warn("kiosk: card read", "err", err)
			a.ui(func() { a.cardProblem("card_read_failed") })
			a.sleep(500 * time.Millisecond)
		}
	}
}

// scanLoop reads codes from the scanner and hands each to the active screen.
func (a *App) scanLoop() {
	for {
		s, err := a.o.Scanner.NextScan(a.ctx)
		if a.ctx.Err() != nil {
			return
		}
		if err != nil {
			if errors.Is(err, drivers.ErrClosed) {
				a.health.report(hall.ComponentScanner, hall.HealthFault, "closed", "")
				a.log.Error("kiosk: the scanner is closed", "err", err)
				return
			}
			a.log.Warn("kiosk: scan", "err", err)
			continue
		}
		a.health.report(hall.ComponentScanner, hall.HealthOK, "", "")
		code := s.Code
		a.ui(func() { a.scanned(code) })
	}
}

// printerWatch checks the printer now and then while nobody is issuing, so that a printer out
// of paper is reported before the next visitor finds out.
func (a *App) printerWatch() {
	t := time.NewTicker(a.o.HealthInterval)
	defer t.Stop()
	for {
		problem, st := a.checkPrinter(a.ctx)
		if a.ctx.Err() != nil {
			return
		}
		a.reportPrinter(problem, st)
		select {
		case <-a.ctx.Done():
			return
		case <-t.C:
		}
	}
}

// sleep waits d or until the App stops.
func (a *App) sleep(d time.Duration) {
	select {
	case <-a.ctx.Done():
	case <-time.After(d):
	}
}

// cardRead routes a card to the active screen's handler (Fyne goroutine).
func (a *App) cardRead(c drivers.Card) {
	if a.busy {
		return
	}
	a.touch()
	if c.Expired(a.o.Now()) {
		a.cardProblem("card_expired")
		return
	}
	if a.onCard != nil {
		a.onCard(c)
		return
	}
	a.homeCard(c)
}

// scanned routes a scanned code to the active screen's handler (Fyne goroutine).
func (a *App) scanned(code string) {
	if a.busy {
		return
	}
	a.touch()
	if a.onScan != nil {
		a.onScan(code)
		return
	}
	a.homeScan(code)
}

// cardProblem tells the visitor why the card was not taken.
func (a *App) cardProblem(key string) {
	if a.busy || a.screen == ScreenOffline {
		return
	}
	a.showMessage(a.t("error_title"), a.t(key))
}

// homeCard: the card checks in the holder's booking of today if there is one; otherwise it
// carries the person into the ticket of the service tapped next.
func (a *App) homeCard(c drivers.Card) {
	if a.screen == ScreenOffline {
		return
	}
	holder := drivers.MaskName(c.Name)
	req := hall.IssueRequest{Channel: hall.ChannelAppointment, IDNumber: c.Number, Name: c.Name}
	a.issue(req, func() {
		a.pending = &hall.IssueRequest{Channel: hall.ChannelIDCard, IDNumber: c.Number, Name: c.Name}
		a.holder = holder
		a.showHome()
	})
}

// homeScan: a scanned booking code checks the booking in.
func (a *App) homeScan(code string) {
	if a.screen == ScreenOffline {
		return
	}
	a.checkIn(code)
}

// healthReporter sends device health to the server when a component's state changes. Reports
// run on their own goroutine, newest state wins, and a failed report is tried again with the
// next change or check.
type healthReporter struct {
	client *httpapi.Client
	log    *slog.Logger

	mu   sync.Mutex
	sent map[string]httpapi.HealthReport // component → last report the server took
}

func newHealthReporter(c *httpapi.Client, log *slog.Logger) *healthReporter {
	return &healthReporter{client: c, log: log, sent: map[string]httpapi.HealthReport{}}
}

// report sends the component's state unless the server already has it. It blocks for at most a
// few seconds (it is called from background goroutines only).
func (h *healthReporter) report(component string, status hall.HealthStatus, reason, detail string) {
	r := httpapi.HealthReport{Component: component, Status: status, Reason: reason, Detail: detail}
	h.mu.Lock()
	last, ok := h.sent[component]
	h.mu.Unlock()
	if ok && last == r {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := h.client.ReportHealth(ctx, r); err != nil {
		h.log.Warn("kiosk: device health report", "component", component, "status", status, "err", err)
		return
	}
	h.log.Info("kiosk: device health", "component", component, "status", status, "reason", reason)
	h.mu.Lock()
	h.sent[component] = r
	h.mu.Unlock()
}

// last returns the last health report the server took for component (tests).
func (h *healthReporter) last(component string) (httpapi.HealthReport, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	r, ok := h.sent[component]
	return r, ok
}
