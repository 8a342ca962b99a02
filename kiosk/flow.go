package kiosk

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"

	"hall/drivers"
	"hall/queueserver/httpapi"
)

// Flow is a self-service flow reached from a home screen button, such as licence printing
// (自助打证, Options.Licence). It draws its screens with the App's flow API below (Show, Home,
// Go, UI, T) and receives the ID cards and scans while its screens are shown.
type Flow interface {
	// Label is the home button's text in lang.
	Label(lang Lang) string
	// Start shows the flow's first screen. It runs on the Fyne goroutine.
	Start(a *App)
}

// ScreenFlow is the name of every screen a Flow shows.
const ScreenFlow = "flow"

// Show displays a flow's screen under the kiosk's header; it returns home after the idle
// timeout. onCard and onScan get the ID cards and codes read while it is shown (nil: ignored).
// Fyne goroutine only.
func (a *App) Show(content fyne.CanvasObject, onCard func(drivers.Card), onScan func(string)) {
	a.setContent(ScreenFlow, container.NewBorder(a.header(), nil, nil, nil, container.NewPadded(content)), a.o.IdleTimeout)
	if onCard == nil {
		onCard = func(drivers.Card) {}
	}
	if onScan == nil {
		onScan = func(string) {}
	}
	a.onCard, a.onScan = onCard, onScan
}

// Home ends the visit and shows the home screen. Fyne goroutine only.
func (a *App) Home() { a.reset() }

// Touch tells the idle timer the visitor is still there (for a flow's own widgets).
func (a *App) Touch() { a.touch() }

// T translates one of the kiosk's texts into the visitor's language.
func (a *App) T(key string, args ...any) string { return a.t(key, args...) }

// Language is the visitor's language. Fyne goroutine only.
func (a *App) Language() Lang { return a.lang }

// Client is the server client in the visitor's language. Fyne goroutine only.
func (a *App) Client() *httpapi.Client { return a.client() }

// Printer is the kiosk's ticket printer (nil when there is none).
func (a *App) Printer() drivers.Printer { return a.o.Printer }

// Go runs f on a background goroutine that the App waits for when it stops; ctx ends then.
func (a *App) Go(f func(ctx context.Context)) { a.spawn(func() { f(a.ctx) }) }

// UI runs f on the Fyne goroutine; call it from Go's goroutines, never from the Fyne goroutine.
func (a *App) UI(f func()) { a.ui(f) }
