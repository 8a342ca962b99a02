package kiosk

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"fyne.io/fyne/v2"

	"hall"
	"hall/drivers"
	"hall/queueserver/httpapi"
)

// Options configure an App.
type Options struct {
	// Client talks to the queue server with the kiosk's device token.
	Client *httpapi.Client
	// Devices; nil means absent (a kiosk without a scanner, say). A missing printer means every
	// number is shown on screen only.
	Card    drivers.CardReader
	Scanner drivers.Scanner
	Printer drivers.Printer
	// PaperDots is the printer's width in dots (576 for 80 mm, 384 for 58 mm); default 576.
	PaperDots int
	// PublicURL is the server address phones reach, for the QR code of the mobile ticket page;
	// default the client's base URL.
	PublicURL string
	// Area shows this area first (the kiosk's own area); "" for the first area.
	Area string
	// AdminPIN unlocks the admin panel (leave full screen, quit); "" disables the panel.
	AdminPIN string
	// IdleTimeout returns an unattended screen to the home screen; default 60 s.
	IdleTimeout time.Duration
	// TicketTimeout is how long the ticket screen stays; default 15 s.
	TicketTimeout time.Duration
	// Language is the start language (and the one the home screen returns to); default Chinese.
	Language Lang
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Logger (default slog.Default()).
	Logger *slog.Logger
	// SetFullScreen and Quit are called from the admin panel (nil: the buttons are not shown).
	SetFullScreen func(bool)
	Quit          func()
	// HealthInterval is how often an idle kiosk checks its printer; default 15 s.
	HealthInterval time.Duration
	// RetryInterval is how often the kiosk tries the server again while paused; default 3 s.
	RetryInterval time.Duration
	// IssueRetryFor is how long an issue is tried again, with the same idempotency key, while the
	// server cannot be reached; default 20 s.
	IssueRetryFor time.Duration
	// Licence is the self-service licence printing flow (自助打证) behind its home button; nil
	// shows the built-in flow when LicencePrinter is set, else the button disabled.
	Licence Flow
	// LicencePrinter is the A4 printer of self-service licence printing (自助打证), a CUPS
	// queue; nil leaves the licence entry disabled.
	LicencePrinter LicencePrinter
}

func (o Options) withDefaults() Options {
	if o.PaperDots <= 0 {
		o.PaperDots = 576
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = 60 * time.Second
	}
	if o.TicketTimeout <= 0 {
		o.TicketTimeout = 15 * time.Second
	}
	if o.Language == "" {
		o.Language = Chinese
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.HealthInterval <= 0 {
		o.HealthInterval = 15 * time.Second
	}
	if o.IssueRetryFor <= 0 {
		o.IssueRetryFor = 20 * time.Second
	}
	if o.RetryInterval <= 0 {
		o.RetryInterval = 3 * time.Second
	}
	return o
}

// Screen names, for tests and logs.
const (
	ScreenHome     = "home"
	ScreenKeypad   = "keypad"
	ScreenBusy     = "busy"
	ScreenTicket   = "ticket"
	ScreenMessage  = "message"
	ScreenOffline  = "offline"
	ScreenGuide    = "guide"
	ScreenPriority = "priority"
	ScreenAdmin    = "admin"
)

// App is the kiosk: its window, what it knows of the hall, and the visit in progress.
type App struct {
	o   Options
	w   fyne.Window
	log *slog.Logger
	zh  *httpapi.Client
	en  *httpapi.Client

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	// uiMu serialises UI callbacks from background goroutines (see the package doc).
	uiMu sync.Mutex
	// refresh asks the refresher for a new catalog and availability (buffered, 1).
	refresh chan struct{}
	health  *healthReporter

	// The fields below are touched only on the Fyne goroutine.
	lang     Lang
	screen   string
	info     hall.Hall
	areas    []hall.Area
	services []httpapi.ServiceView
	loaded   bool
	online   bool
	area     string
	// pending is the ticket request the next service tap completes (a card, a phone number, a
	// priority class), nil for a plain tap.
	pending *hall.IssueRequest
	// approver is the staff member who confirmed the priority lane, sent with a ticket whose
	// class they chose (the server checks the password again); forgotten with the visit.
	approver  *httpapi.Approver
	holder    string // masked name and number of the card holder, for the banner
	lastTouch time.Time
	timeout   time.Duration // how long the current screen may stay untouched
	onCard    func(drivers.Card)
	onScan    func(string)
	busy      bool
	keypad    *keypadState // the keypad shown, if any
	// priorityForm is the staff form shown, if any
	priorityForm *priorityForm
	guideService string        // the service whose guide is shown ("" for the index)
	lastIssue    Issued        // the last ticket shown, for tests and the e2e run
	licence      *licenceVisit // the card holder of the licence screens, if any
}

// New builds the kiosk in window w. Call Start to connect and run the devices, Stop to end.
func New(w fyne.Window, o Options) *App {
	o = o.withDefaults()
	if o.PublicURL == "" {
		o.PublicURL = o.Client.BaseURL()
	}
	a := &App{
		o: o, w: w, log: o.Logger, zh: o.Client, en: o.Client.WithEnglish(),
		refresh: make(chan struct{}, 1), lang: o.Language, area: o.Area,
	}
	a.health = newHealthReporter(o.Client, o.Logger)
	a.ctx, a.cancel = context.WithCancel(context.Background())
	a.lastTouch = o.Now()
	a.showOffline()
	return a
}

// Start loads the hall, subscribes to the event feed and starts the device loops. It returns at
// once; the screens follow the server's state.
func (a *App) Start() {
	a.spawn(a.refresher)
	a.spawn(a.feed)
	if a.o.Card != nil {
		a.spawn(a.cardLoop)
	}
	if a.o.Scanner != nil {
		a.spawn(a.scanLoop)
	}
	a.spawn(a.printerWatch)
	a.spawn(a.idleLoop)
	a.requestRefresh()
}

// Stop ends the background work and waits for it. The devices are the caller's to close; Stop
// does not close them, but their loops end with the App's context.
func (a *App) Stop() {
	a.cancel()
	a.wg.Wait()
}

func (a *App) spawn(f func()) {
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		f()
	}()
}

// ui runs f on the Fyne goroutine (see the package doc). Background goroutines only.
func (a *App) ui(f func()) {
	a.uiMu.Lock()
	defer a.uiMu.Unlock()
	if a.ctx.Err() != nil {
		return
	}
	fyne.DoAndWait(f)
}

// client returns the client that speaks the visitor's language.
func (a *App) client() *httpapi.Client {
	if a.lang == English {
		return a.en
	}
	return a.zh
}

// t translates key into the visitor's language.
func (a *App) t(key string, args ...any) string { return tr(a.lang, key, args...) }

// name picks the catalog name in the visitor's language.
func (a *App) name(zh, en string) string { return pick(a.lang, zh, en) }

// touch records activity: the idle timer starts again.
func (a *App) touch() { a.lastTouch = a.o.Now() }

// tap wraps a tap handler: it records activity, then runs f.
func (a *App) tap(f func()) func() {
	return func() {
		a.touch()
		f()
	}
}

// setContent shows a screen. timeout 0 means the screen never times out (home, paused).
func (a *App) setContent(name string, c fyne.CanvasObject, timeout time.Duration) {
	a.screen = name
	a.timeout = timeout
	a.onCard, a.onScan = nil, nil
	a.keypad, a.priorityForm = nil, nil
	a.touch()
	a.w.SetContent(c)
}

// Screen returns the name of the screen shown (Fyne goroutine).
func (a *App) Screen() string { return a.screen }

// LastIssued returns the last ticket the kiosk showed (Fyne goroutine).
func (a *App) LastIssued() Issued { return a.lastIssue }

// checkIdle returns an untouched screen home (and forgets the visit) once its timeout passed.
func (a *App) checkIdle() {
	if a.timeout <= 0 || a.busy {
		return
	}
	if a.o.Now().Sub(a.lastTouch) >= a.timeout {
		a.log.Info("kiosk: idle, back to the home screen", "screen", a.screen)
		a.reset()
	}
}

// reset forgets the visit (card holder, phone, language) and shows the home screen.
func (a *App) reset() {
	a.pending, a.holder, a.licence, a.approver = nil, "", nil, nil
	a.lang = a.o.Language
	a.area = a.o.Area
	if (a.area == "" || !a.hasArea(a.area)) && len(a.areas) > 0 {
		a.area = a.areas[0].ID
	}
	if a.online {
		a.showHome()
	} else {
		a.showOffline()
	}
}

func (a *App) idleLoop() {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-a.ctx.Done():
			return
		case <-t.C:
			a.ui(a.checkIdle)
		}
	}
}

// requestRefresh asks for a reload of the catalog and availability (coalesced).
func (a *App) requestRefresh() {
	select {
	case a.refresh <- struct{}{}:
	default:
	}
}

// snapshot is what one refresh loads.
type snapshot struct {
	info     hall.Hall
	areas    []hall.Area
	services []httpapi.ServiceView
}

func (a *App) load(ctx context.Context) (snapshot, error) {
	var s snapshot
	var err error
	if s.info, err = a.zh.Hall(ctx); err != nil {
		return s, err
	}
	if s.areas, err = a.zh.Areas(ctx); err != nil {
		return s, err
	}
	s.services, err = a.zh.Services(ctx)
	return s, err
}

// refresher reloads on request, every 10 s (opening hours pass without events, and a server
// that stopped answering must be noticed), and every RetryInterval while the server cannot be
// reached.
func (a *App) refresher() {
	periodic := time.NewTicker(10 * time.Second)
	defer periodic.Stop()
	for {
		ctx, cancel := context.WithTimeout(a.ctx, 5*time.Second)
		s, err := a.load(ctx)
		cancel()
		if a.ctx.Err() != nil {
			return
		}
		if err != nil {
			a.log.Warn("kiosk: cannot load the hall", "err", err)
		}
		a.ui(func() { a.applySnapshot(s, err) })
		wait := periodic.C
		var retry <-chan time.Time
		if err != nil {
			retry = time.After(a.o.RetryInterval)
		}
		select {
		case <-a.ctx.Done():
			return
		case <-a.refresh:
		case <-wait:
		case <-retry:
		}
		// Coalesce a burst of events into one reload.
		select {
		case <-a.ctx.Done():
			return
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// applySnapshot takes a refresh's result: the new state, or the paused screen when the server
// cannot be reached.
func (a *App) applySnapshot(s snapshot, err error) {
	if err != nil {
		if a.online || !a.loaded || a.screen != ScreenOffline {
			a.online = false
			if !a.busy && a.screen != ScreenTicket {
				a.showOffline()
			}
		}
		return
	}
	wasOnline := a.online
	a.info, a.areas, a.services, a.loaded, a.online = s.info, s.areas, s.services, true, true
	if a.area == "" || !a.hasArea(a.area) {
		if len(a.areas) > 0 {
			a.area = a.areas[0].ID
		}
	}
	switch {
	case !wasOnline && (a.screen == ScreenOffline || a.screen == ""):
		a.showHome()
	case a.screen == ScreenHome:
		a.showHome() // new counts and availability
	}
}

func (a *App) hasArea(id string) bool {
	for _, ar := range a.areas {
		if ar.ID == id {
			return true
		}
	}
	return false
}

// feed follows the event feed and reloads when something that changes availability happens.
func (a *App) feed() {
	sub := a.zh.Subscribe(a.ctx, httpapi.SubscribeOptions{Snapshot: true, MaxBackoff: a.o.RetryInterval})
	defer sub.Close()
	for {
		select {
		case <-a.ctx.Done():
			return
		case m, ok := <-sub.C:
			if !ok {
				return
			}
			if m.Type != string(hall.EventDeviceHealth) {
				a.requestRefresh()
			}
		}
	}
}

// errText is the message of err for the visitor: the server's message in their language, or a
// generic one for faults.
func (a *App) errText(err error) string {
	var he *hall.Error
	if errors.As(err, &he) {
		if a.lang == English && he.English != "" {
			return he.English
		}
		if he.Message != "" {
			return he.Message
		}
	}
	return a.t("offline_body")
}
