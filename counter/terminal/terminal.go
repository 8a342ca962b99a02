package terminal

import (
	"context"
	"errors"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"

	"hall"
	"hall/drivers"
	"hall/queueserver/httpapi"
)

// Options configure a Terminal. Client is required; every device may be nil (no such device).
type Options struct {
	// Client reaches the queue server (without a token: the clerk logs in).
	Client *httpapi.Client
	// Lang is the language of the clerk's window; the citizen window starts in Chinese.
	Lang Lang
	// Prefs remembers the chosen counter on this machine (nil: not remembered).
	Prefs fyne.Preferences
	// Sign, Pad and Scanner are the counter's devices.
	Sign    drivers.Sign
	Pad     drivers.RatingPad
	Scanner drivers.Scanner
	// CitizenWindow opens the citizen-facing second window (窗口交互屏).
	CitizenWindow bool
	// RatingTimeout is how long a visitor has to rate (default 30 s).
	RatingTimeout time.Duration
	// NoRatingAtFinish turns off asking for a rating at every finish (the clerk can still ask).
	NoRatingAtFinish bool
	// RetryInterval is the pause between attempts while the server cannot be reached (default 1 s).
	RetryInterval time.Duration
	// ResyncInterval is how often the terminal re-reads its state even without events (default 3 s).
	ResyncInterval time.Duration
	Logger         *slog.Logger
	Now            func() time.Time
	// DeviceToken is the counter terminal's device token (an admin enrols it as a counter
	// device); with it the terminal reports its devices' health. "" for none.
	DeviceToken string
	// Do runs a function on the UI goroutine, in order, without waiting (default fyne.Do).
	// Headless tests pass their own UI loop, because fyne/test runs fyne.Do at once on the
	// calling goroutine.
	Do func(func())
}

// Terminal is one counter terminal: a clerk's session at a counter, its windows and devices.
type Terminal struct {
	o       Options
	app     fyne.App
	win     fyne.Window
	citizen *citizenUI
	ui      *mainUI
	login   *loginUI

	ctx      context.Context
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	renderMu sync.Mutex
	// signMu orders what is written to the sign; signShown is the key of the view it shows
	// ("" unknown) and signFailed the view whose failure the clerk was told about.
	signMu       sync.Mutex
	signShown    string
	signFailed   string
	signFailedAt time.Time
	healthRep    *healthReporter
	// kick asks the sync loop for a resync now.
	kick chan struct{}

	// mu guards the model below.
	mu            sync.Mutex
	lang          Lang
	api           *httpapi.Client
	staff         hall.Staff
	counterID     string
	counter       hall.Counter
	current       *hall.Ticket
	last          *hall.Ticket // the ticket finished last, for a rating on demand
	waiting       []hall.Ticket
	held          []hall.Ticket
	holdReasons   map[string]string // ticket id → why this terminal held it
	figures       httpapi.FiguresView
	services      []hall.Service
	counters      []hall.Counter
	loggedIn      bool
	online        bool
	pending       *pendingOp
	opsInFlight   int    // operations started and not yet done painting the devices
	opGen         uint64 // counts operations started and ended, for restoreSign
	expired       bool
	relogin       chan struct{} // closed when the clerk has logged in again after expiry
	notice        string
	refused       *refusal          // the last refusal, shown in place of notice
	rating        func(Lang) string // the rating asked or its outcome, for the clerk (nil: none)
	sessionCancel context.CancelFunc
	ratingCancel  context.CancelFunc
	kase          *hall.Case // the case opened last at this terminal (cases.go)
}

// pendingOp is an operation the clerk asked for that has no definite answer yet.
type pendingOp struct {
	name string // text key of the operation, for people
	key  string // idempotency key, the same on every attempt
	run  func(ctx context.Context, api *httpapi.Client) error
}

// New builds the terminal's windows on app (the clerk's window shows the login form). Call
// Show, then ShowAndRun on the app (or drive it with fyne/test).
func New(app fyne.App, o Options) *Terminal {
	if o.Lang == "" {
		o.Lang = Chinese
	}
	if o.RatingTimeout <= 0 {
		o.RatingTimeout = 30 * time.Second
	}
	if o.RetryInterval <= 0 {
		o.RetryInterval = time.Second
	}
	if o.ResyncInterval <= 0 {
		o.ResyncInterval = 3 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Do == nil {
		o.Do = fyne.Do
	}
	ctx, cancel := context.WithCancel(context.Background())
	t := &Terminal{o: o, app: app, ctx: ctx, cancel: cancel, kick: make(chan struct{}, 1), lang: o.Lang, online: true}
	t.win = app.NewWindow(tr(o.Lang, "app_title"))
	t.win.Resize(fyne.NewSize(1180, 760))
	t.login = newLoginUI(t)
	t.ui = newMainUI(t)
	t.win.SetContent(t.login.content)
	t.win.Canvas().SetOnTypedKey(t.onKey)
	if o.CitizenWindow {
		t.citizen = newCitizenUI(t)
	}
	if o.DeviceToken != "" {
		t.healthRep = newHealthReporter(o.Client.WithToken(o.DeviceToken), o.Logger.Warn)
		t.wg.Add(1)
		go func() { defer t.wg.Done(); t.healthRep.run(t.ctx, 5*time.Second) }()
		if o.Scanner != nil {
			t.health(hall.ComponentScanner, nil)
		}
	}
	if o.Scanner != nil {
		t.wg.Add(1)
		go t.scanLoop()
	}
	return t
}

// Window returns the clerk's window.
func (t *Terminal) Window() fyne.Window { return t.win }

// Show shows the windows.
func (t *Terminal) Show() {
	t.win.Show()
	if t.citizen != nil {
		t.citizen.win.Show()
	}
}

// Close stops the terminal's goroutines (not its devices, which the caller owns) and waits for them.
func (t *Terminal) Close() {
	t.cancel()
	t.wg.Wait()
}

// do runs fn on the UI goroutine.
func (t *Terminal) do(fn func()) { t.o.Do(fn) }

// text translates key in the clerk's language.
func (t *Terminal) text(key string, args ...any) string {
	t.mu.Lock()
	l := t.lang
	t.mu.Unlock()
	return tr(l, key, args...)
}

// update changes the model under the lock and re-renders on the Fyne goroutine.
func (t *Terminal) update(fn func()) {
	t.mu.Lock()
	fn()
	t.mu.Unlock()
	t.do(t.render)
}

// setNotice shows a message to the clerk.
func (t *Terminal) setNotice(s string) { t.update(func() { t.notice, t.refused = s, nil }) }

// refuse shows the clerk that operation op (a text key, "" for none) was refused or failed,
// with the server's message and code, in the clerk's language even after a switch.
func (t *Terminal) refuse(op string, err error) {
	t.update(func() { t.notice, t.refused = "", &refusal{op: op, err: err} })
}

// refusal is err for the clerk as a refusal of op, in the clerk's language.
func (t *Terminal) refusal(op string, err error) string {
	t.mu.Lock()
	l := t.lang
	t.mu.Unlock()
	return refusalText(l, op, err)
}

// transient reports whether err means "no answer from the server" (retry with the same key)
// rather than a definite answer.
func transient(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var he *hall.Error
	if !errors.As(err, &he) {
		return false
	}
	switch he.Reason {
	case "server_unreachable", "store_closed", "http_502", "http_503", "http_504":
		return true
	}
	return false
}

func expiredErr(err error) bool { return hall.ErrorCode(err) == hall.EUNAUTHORIZED }

// --- login and session ---

// Login logs staffID in with password at counterID: a staff session, then the counter. On a
// session that expired, it renews the session only and lets the waiting operation go on.
func (t *Terminal) Login(staffID, password, counterID string) error {
	ctx, cancel := context.WithTimeout(t.ctx, 30*time.Second)
	defer cancel()
	res, err := t.o.Client.Login(ctx, staffID, password)
	if err != nil {
		return err
	}
	api := t.o.Client.WithToken(res.Token)
	t.mu.Lock()
	english, wasExpired, sameClerk := t.lang == English, t.expired, t.staff.ID == staffID && t.loggedIn
	t.mu.Unlock()
	if english {
		api = api.WithEnglish()
	}
	if wasExpired && sameClerk {
		// Same clerk, same counter: renew the token, follow the feed with it, and let the
		// operation that waited go on with its key.
		sctx, scancel := context.WithCancel(t.ctx)
		var stop context.CancelFunc
		t.update(func() {
			stop = t.sessionCancel
			t.api, t.expired, t.notice, t.sessionCancel = api, false, "", scancel
			if t.relogin != nil {
				close(t.relogin)
				t.relogin = nil
			}
		})
		if stop != nil {
			stop()
		}
		t.do(t.ui.closePassword)
		t.wg.Add(1)
		go t.syncLoop(sctx)
		t.resyncNow()
		return nil
	}
	c, err := api.CounterLogin(ctx, counterID)
	if err != nil {
		api.Logout(ctx)
		return err
	}
	svcs, err := api.Services(ctx)
	if err != nil {
		return err
	}
	counters, err := api.Counters(ctx)
	if err != nil {
		return err
	}
	if t.o.Prefs != nil {
		t.o.Prefs.SetString(prefCounter, counterID)
	}
	sctx, scancel := context.WithCancel(t.ctx)
	t.update(func() {
		t.api, t.staff, t.counterID, t.counter, t.loggedIn, t.online = api, res.Staff, counterID, c, true, true
		t.services = t.services[:0]
		for _, v := range svcs {
			t.services = append(t.services, v.Service)
		}
		sort.Slice(counters, func(i, j int) bool { return counters[i].Number < counters[j].Number })
		t.counters, t.expired, t.notice, t.sessionCancel = counters, false, "", scancel
	})
	t.do(func() { t.win.SetContent(t.ui.content) })
	t.wg.Add(1)
	go t.syncLoop(sctx)
	t.resync(sctx)
	t.showCounterOnDevices(sctx)
	return nil
}

const prefCounter = "counter"

// RememberedCounter returns the counter chosen last time on this machine ("" if none).
func (t *Terminal) RememberedCounter() string {
	if t.o.Prefs == nil {
		return ""
	}
	return t.o.Prefs.String(prefCounter)
}

// Logout ends the counter session and the staff session. Refused (with the server's message)
// while a ticket is at the counter.
func (t *Terminal) Logout() error {
	t.mu.Lock()
	api, id := t.api, t.counterID
	t.mu.Unlock()
	if api == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(t.ctx, 15*time.Second)
	defer cancel()
	if _, err := api.CounterLogout(ctx, id); err != nil && hall.ErrorReason(err) != "counter_logged_out" {
		return err
	}
	api.Logout(ctx)
	t.mu.Lock()
	stop := t.sessionCancel
	t.mu.Unlock()
	if stop != nil {
		stop()
	}
	if t.o.Sign != nil {
		t.signMu.Lock()
		t.o.Sign.Clear(ctx)
		t.signShown = ""
		t.signMu.Unlock()
	}
	t.update(func() {
		t.api, t.loggedIn, t.current, t.waiting, t.held, t.staff, t.notice = nil, false, nil, nil, nil, hall.Staff{}, ""
		t.kase = nil
	})
	t.do(func() { t.login.reset(); t.win.SetContent(t.login.content) })
	return nil
}

// sessionExpired keeps everything and asks the clerk for the password again; it returns a
// channel closed once the clerk has logged in again.
func (t *Terminal) sessionExpired() <-chan struct{} {
	var ch chan struct{}
	t.update(func() {
		if t.relogin == nil {
			t.relogin = make(chan struct{})
		}
		t.expired, ch = true, t.relogin
		t.notice = tr(t.lang, "session_expired")
	})
	t.do(t.ui.askPassword)
	return ch
}

// --- operations ---

// Busy reports whether an operation waits for its answer.
func (t *Terminal) Busy() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.pending != nil
}

// run starts an operation with a fresh idempotency key; it is refused while another runs. The
// operation is retried with the same key until the server answers it; then the terminal resyncs
// and after() runs with the result (on success only, in the background).
func (t *Terminal) run(name string, fn func(ctx context.Context, api *httpapi.Client) error, after func()) bool {
	op := &pendingOp{name: name, key: httpapi.NewIdempotencyKey(), run: fn}
	t.mu.Lock()
	if t.pending != nil || !t.loggedIn {
		t.mu.Unlock()
		return false
	}
	t.pending = op
	t.notice, t.refused = "", nil
	t.opsInFlight++
	t.opGen++
	t.mu.Unlock()
	t.do(t.render)
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		defer func() {
			t.mu.Lock()
			t.opsInFlight--
			t.opGen++
			t.mu.Unlock()
		}()
		err := t.attempt(op)
		if t.ctx.Err() != nil {
			return
		}
		// Read the outcome before the buttons come back, so that they match the counter's new
		// state (no F1 that looks possible right after a call).
		t.resync(t.ctx)
		t.update(func() {
			t.pending = nil
			if err != nil {
				t.notice, t.refused = "", &refusal{op: name, err: err}
			}
		})
		if err == nil && after != nil {
			after()
		}
		t.resyncNow()
	}()
	return true
}

// attempt runs op until it has a definite answer: success or a refusal. Transport faults and an
// expired session do not end it; it waits and tries again with the same key.
func (t *Terminal) attempt(op *pendingOp) error {
	for {
		t.mu.Lock()
		api := t.api
		t.mu.Unlock()
		ctx, cancel := context.WithTimeout(hall.WithIdempotencyKey(t.ctx, op.key), 20*time.Second)
		err := op.run(ctx, api)
		cancel()
		switch {
		case t.ctx.Err() != nil:
			return t.ctx.Err()
		case transient(err):
			t.update(func() { t.online = false; t.notice = tr(t.lang, "retrying", tr(t.lang, op.name)) })
			select {
			case <-t.ctx.Done():
				return t.ctx.Err()
			case <-time.After(t.o.RetryInterval):
			}
		case expiredErr(err):
			select {
			case <-t.sessionExpired():
			case <-t.ctx.Done():
				return t.ctx.Err()
			}
		default:
			if err == nil {
				t.update(func() { t.online = true })
			}
			return err
		}
	}
}

func (t *Terminal) ids() (counterID, staffID string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.counterID, t.staff.ID
}

// CallNext calls the next visitor (F1).
func (t *Terminal) CallNext() bool {
	id, _ := t.ids()
	var got hall.Ticket
	return t.run("op_call", func(ctx context.Context, api *httpapi.Client) (err error) {
		got, err = api.CallNext(ctx, id, false)
		return err
	}, func() { t.showCall(got) })
}

// CallTicket calls one chosen waiting ticket (指定叫号).
func (t *Terminal) CallTicket(ticketID string) bool {
	id, _ := t.ids()
	var got hall.Ticket
	return t.run("op_call_this", func(ctx context.Context, api *httpapi.Client) (err error) {
		got, err = api.CallTicket(ctx, id, ticketID, false)
		return err
	}, func() { t.showCall(got) })
}

// Recall announces the current ticket again (F2).
func (t *Terminal) Recall() bool {
	id, _ := t.ids()
	var got hall.Ticket
	return t.run("op_recall", func(ctx context.Context, api *httpapi.Client) (err error) {
		got, err = api.Recall(ctx, id)
		return err
	}, func() { t.showCall(got) })
}

// Start marks that the called visitor arrived.
func (t *Terminal) Start() bool {
	id, _ := t.ids()
	return t.run("op_start", func(ctx context.Context, api *httpapi.Client) error {
		_, err := api.Start(ctx, id)
		return err
	}, nil)
}

// NoShow marks the called visitor missed (F3); requeuePlaces > 0 puts the ticket back.
func (t *Terminal) NoShow(requeuePlaces int) bool {
	id, _ := t.ids()
	return t.run("op_noshow", func(ctx context.Context, api *httpapi.Client) error {
		_, err := api.NoShow(ctx, id, requeuePlaces)
		return err
	}, func() { t.showCounterOnDevices(t.ctx) })
}

// Transfer sends the current ticket to another service and/or counter (F4).
func (t *Terminal) Transfer(to hall.TransferTarget) bool {
	id, _ := t.ids()
	return t.run("op_transfer", func(ctx context.Context, api *httpapi.Client) error {
		_, err := api.Transfer(ctx, id, to)
		return err
	}, func() { t.showCounterOnDevices(t.ctx) })
}

// Hold puts the current ticket aside; the held list shows the reason (the server keeps it in
// the ticket's history, which it does not hand out).
func (t *Terminal) Hold(reason string) bool {
	id, _ := t.ids()
	var got hall.Ticket
	return t.run("op_hold", func(ctx context.Context, api *httpapi.Client) (err error) {
		got, err = api.Hold(ctx, id, reason)
		return err
	}, func() {
		t.update(func() {
			if t.holdReasons == nil {
				t.holdReasons = map[string]string{}
			}
			t.holdReasons[got.ID] = strings.TrimSpace(reason)
		})
		t.showCounterOnDevices(t.ctx)
	})
}

// Resume brings a held ticket back.
func (t *Terminal) Resume(ticketID string) bool {
	id, _ := t.ids()
	var got hall.Ticket
	return t.run("op_resume", func(ctx context.Context, api *httpapi.Client) (err error) {
		got, err = api.Resume(ctx, id, ticketID)
		return err
	}, func() { t.showCall(got) })
}

// Pause stops calling with a reason shown on the sign (F5).
func (t *Terminal) Pause(reason string) bool {
	id, _ := t.ids()
	return t.run("op_pause", func(ctx context.Context, api *httpapi.Client) error {
		_, err := api.Pause(ctx, id, reason)
		return err
	}, func() { t.showCounterOnDevices(t.ctx) })
}

// Unpause resumes calling (F5 again).
func (t *Terminal) Unpause() bool {
	id, _ := t.ids()
	return t.run("op_unpause", func(ctx context.Context, api *httpapi.Client) error {
		_, err := api.Unpause(ctx, id)
		return err
	}, func() { t.showCounterOnDevices(t.ctx) })
}

// Finish closes the current ticket as done (F6) and, unless turned off, asks for a rating.
func (t *Terminal) Finish() bool {
	id, _ := t.ids()
	var got hall.Ticket
	return t.run("op_finish", func(ctx context.Context, api *httpapi.Client) (err error) {
		got, err = api.Finish(ctx, id)
		return err
	}, func() {
		t.update(func() { tk := got; t.last = &tk })
		t.showCounterOnDevices(t.ctx)
		if !t.o.NoRatingAtFinish && (t.o.Pad != nil || t.citizen != nil) {
			t.startRating(got)
		}
	})
}

// VirtualCall serves a visitor without a ticket in service serviceID.
func (t *Terminal) VirtualCall(serviceID string) bool {
	id, _ := t.ids()
	return t.run("op_virtual", func(ctx context.Context, api *httpapi.Client) error {
		_, err := api.VirtualCall(ctx, id, serviceID)
		return err
	}, nil)
}

// AskRating asks the visitor to rate the current ticket, or the one finished last (on demand).
func (t *Terminal) AskRating() bool {
	t.mu.Lock()
	tk := t.current
	if tk == nil {
		tk = t.last
	}
	t.mu.Unlock()
	if tk == nil {
		return false
	}
	t.startRating(*tk)
	return true
}

// --- sync ---

// resyncNow asks the sync loop for a resync.
func (t *Terminal) resyncNow() {
	select {
	case t.kick <- struct{}{}:
	default:
	}
}

// syncLoop follows the event feed and resyncs on every event that concerns the counter, on every
// reconnect, when asked, and every ResyncInterval (every RetryInterval while offline).
func (t *Terminal) syncLoop(ctx context.Context) {
	defer t.wg.Done()
	t.mu.Lock()
	api := t.api
	t.mu.Unlock()
	sub := api.Subscribe(ctx, httpapi.SubscribeOptions{Snapshot: true, MinBackoff: 200 * time.Millisecond, MaxBackoff: 2 * time.Second})
	defer sub.Close()
	timer := time.NewTimer(t.o.ResyncInterval)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case m, ok := <-sub.C:
			if !ok {
				return
			}
			if !t.concerns(m) {
				continue
			}
		case <-t.kick:
		case <-timer.C:
		}
		t.resync(ctx)
		t.mu.Lock()
		wait := t.o.ResyncInterval
		if !t.online {
			wait = t.o.RetryInterval
		}
		t.mu.Unlock()
		timer.Reset(wait)
	}
}

// concerns reports whether a feed message may change what the terminal shows.
func (t *Terminal) concerns(m httpapi.Message) bool {
	if m.Type == httpapi.MessageSnapshot {
		return true
	}
	e, err := m.Event()
	if err != nil {
		return true
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if e.CounterID == t.counterID || e.Type == hall.EventDayClosed || e.Type == hall.EventCatalogChanged {
		return true
	}
	return e.ServiceID != "" && t.counter.Serves(e.ServiceID)
}

// resync re-reads the counter, its ticket, waiting and held lists and today's figures.
func (t *Terminal) resync(ctx context.Context) {
	t.mu.Lock()
	api, id, expired, gen := t.api, t.counterID, t.expired, t.opGen
	t.mu.Unlock()
	if api == nil || expired {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	c, err := api.Counter(ctx, id)
	var cur *hall.Ticket
	var waiting, held []hall.Ticket
	var fig httpapi.FiguresView
	if err == nil && c.TicketID != "" {
		var st hall.TicketStatus
		if st, err = api.Ticket(ctx, c.TicketID); err == nil {
			cur = &st.Ticket
		}
	}
	if err == nil {
		waiting, err = api.Waiting(ctx, id, 200)
	}
	if err == nil {
		held, err = api.HeldTickets(ctx, id)
	}
	if err == nil {
		fig, err = api.Today(ctx, id)
	}
	switch {
	case err == nil:
		t.update(func() {
			wasOffline := !t.online
			t.counter, t.current, t.waiting, t.held, t.figures, t.online = c, cur, waiting, held, fig, true
			if wasOffline && t.pending == nil {
				t.notice = ""
			}
		})
		t.restoreSign(ctx, gen)
	case transient(err):
		t.update(func() { t.online = false })
	case expiredErr(err):
		go t.sessionExpired()
	default:
		t.o.Logger.Warn("resync", "err", err)
		t.update(func() { t.notice, t.refused = "", &refusal{err: err} })
	}
}

// Snapshot is what the terminal shows, for tests and the citizen window.
type Snapshot struct {
	Online   bool
	Busy     bool
	Expired  bool
	Counter  hall.Counter
	Current  *hall.Ticket
	Waiting  []hall.Ticket
	Held     []hall.Ticket
	Figures  httpapi.FiguresView
	Notice   string
	Rating   string
	LoggedIn bool
}

// State returns a copy of the model.
func (t *Terminal) State() Snapshot {
	t.mu.Lock()
	defer t.mu.Unlock()
	notice, rating := t.notice, ""
	if t.rating != nil {
		rating = t.rating(t.lang)
	}
	if t.refused != nil {
		notice = refusalText(t.lang, t.refused.op, t.refused.err)
	}
	return Snapshot{Online: t.online, Busy: t.pending != nil, Expired: t.expired, Counter: t.counter, Current: t.current,
		Waiting: append([]hall.Ticket(nil), t.waiting...), Held: append([]hall.Ticket(nil), t.held...), Figures: t.figures,
		Notice: notice, Rating: rating, LoggedIn: t.loggedIn}
}

// serviceName returns a service's name in the clerk's language.
func (t *Terminal) serviceNameLocked(id string) string {
	for _, s := range t.services {
		if s.ID == id {
			if t.lang == English && s.NameEN != "" {
				return s.NameEN
			}
			return s.Name
		}
	}
	return id
}

// --- scanner ---

// scanLoop reads the scanner: a ticket's code calls it when the counter is free, or opens it.
func (t *Terminal) scanLoop() {
	defer t.wg.Done()
	for {
		s, err := t.o.Scanner.NextScan(t.ctx)
		if err != nil {
			if t.ctx.Err() != nil {
				return
			}
			if errors.Is(err, drivers.ErrClosed) {
				t.health(hall.ComponentScanner, err)
				return
			}
			continue
		}
		t.onScan(s.Code)
	}
}

// onScan handles one scanned code.
func (t *Terminal) onScan(code string) {
	t.mu.Lock()
	api, loggedIn, state, cur := t.api, t.loggedIn, t.counter.State, t.current
	t.mu.Unlock()
	if !loggedIn || api == nil {
		return
	}
	ctx, cancel := context.WithTimeout(t.ctx, 10*time.Second)
	defer cancel()
	tk, err := t.findScanned(ctx, api, code)
	if err != nil {
		t.setNotice(t.text("scan_unknown", code) + " — " + t.refusal("", err))
		return
	}
	if cur != nil && cur.ID == tk.ID {
		t.setNotice(t.text("scan_opened", tk.Code))
		return
	}
	if tk.State == hall.TicketWaiting && state == hall.CounterIdle {
		if !t.CallTicket(tk.ID) {
			// another operation is still under way: say so rather than drop the scan
			t.setNotice(t.text("scan_busy", tk.Code))
		}
		return
	}
	t.setNotice(t.text("scan_opened", tk.Code) + " · " + tk.State.Label(t.lang == English))
}
