package terminal

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"hall"
	"hall/assets/theme"
	"hall/queueserver/httpapi"
)

// loginRig is a terminal that nobody logged in yet, on a machine that remembers no counter.
func loginRig(t *testing.T, h *hallServer, deviceToken string) *rig {
	t.Helper()
	a := test.NewTempApp(t)
	a.Settings().SetTheme(theme.New())
	r := &rig{t: t, h: h, admin: h.admin(), loop: newUILoop(t)}
	o := Options{Client: httpapi.NewClient(h.url(), nil), Lang: Chinese, Prefs: a.Preferences(),
		RetryInterval: 100 * time.Millisecond, ResyncInterval: time.Second, Logger: quiet, Do: r.loop.Do,
		DeviceToken: deviceToken}
	r.onUI(func() { r.term = New(a, o) })
	t.Cleanup(r.term.Close)
	r.onUI(r.term.Show)
	return r
}

// counterOptions returns the login form's counter choice.
func (r *rig) counterOptions() []string {
	return uiGet(r, func() []string { return append([]string(nil), r.term.login.counter.Options...) })
}

func (r *rig) waitOptions(what string) {
	r.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		for _, o := range r.counterOptions() {
			if strings.Contains(o, "2 号窗口") {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	r.t.Fatalf("%s: counter choice %q, message %q", what, r.counterOptions(), uiGet(r, func() string { return r.term.login.message.Text }))
}

// TestLogin_CountersOfferedAfterThePassword: on a first login the clerk types the staff number
// and password and moves on to the counter choice: the counters are there, and one press of
// 登录 logs in at the chosen one, which the machine remembers.
func TestLogin_CountersOfferedAfterThePassword(t *testing.T) {
	h := startHall(t)
	r := loginRig(t, h, "")
	if opts := r.counterOptions(); len(opts) != 0 {
		t.Fatalf("counters offered before any login: %q", opts)
	}
	l := r.term.login
	typeCredentials(r, "1001", "clerk123", true)
	r.waitOptions("after the password")
	r.onUI(func() {
		for _, o := range l.counter.Options {
			if strings.HasPrefix(o, "1 号窗口") {
				l.counter.SetSelected(o)
			}
		}
		test.Tap(l.button)
	})
	waitLoggedIn(r)
	s := r.term.State()
	if s.Counter.ID != "w01" {
		t.Fatalf("logged in at %q", s.Counter.ID)
	}
	if got := r.term.RememberedCounter(); got != "w01" {
		t.Fatalf("remembered %q", got)
	}
}

// TestLogin_WrongPasswordSaidAtOnce: a wrong password is told when the clerk leaves the password
// field, with the server's coded message, and no counter is offered.
func TestLogin_WrongPasswordSaidAtOnce(t *testing.T) {
	h := startHall(t)
	r := loginRig(t, h, "")
	l := r.term.login
	typeCredentials(r, "1001", "wrong-password", true)
	waitText(t, func() string { return uiGet(r, func() string { return l.message.Text }) }, "工号或密码错误")
	if opts := r.counterOptions(); len(opts) != 0 {
		t.Fatalf("counters offered after a wrong password: %q", opts)
	}
}

// TestLogin_CountersFromTheDeviceToken: a terminal enrolled as a counter device lists the
// counters as soon as the server answers, before anyone types.
func TestLogin_CountersFromTheDeviceToken(t *testing.T) {
	h := startHall(t)
	enrol, err := h.admin().EnrolDevice(context.Background(), httpapi.DeviceRequest{ID: "counter-w01", Name: "1 号窗口终端", Kind: hall.DeviceCounter, CounterID: "w01"})
	if err != nil {
		t.Fatal(err)
	}
	r := loginRig(t, h, enrol.Token)
	r.waitOptions("with the device token")
}

// waitLoggedIn waits for the main screen, saying the login form's message if it does not come.
func waitLoggedIn(r *rig) {
	r.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if s := r.term.State(); s.LoggedIn && !s.Busy && s.Counter.ID != "" {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	r.t.Fatalf("not logged in; the form says %q", uiGet(r, func() string { return r.term.login.message.Text }))
}

// TestLogin_EnglishAndCountersInUse: the login form switches to English, names the counters
// again in English, and marks the counters another clerk works at.
func TestLogin_EnglishAndCountersInUse(t *testing.T) {
	h := startHall(t)
	r := loginRig(t, h, "")
	l := r.term.login
	typeCredentials(r, "1002", "clerk123", true)
	r.waitOptions("after the password")
	opts := r.counterOptions()
	if !strings.Contains(strings.Join(opts, "|"), "1 号窗口（使用中：工号 1001）") {
		t.Fatalf("counter 1 (clerk 1001 at it) not marked: %q", opts)
	}
	r.onUI(func() { test.Tap(l.langBtn) })
	opts = r.counterOptions()
	joined := strings.Join(opts, "|")
	if !strings.Contains(joined, "Counter 1 (in use: staff 1001)") || strings.Contains(joined, "号窗口") {
		t.Fatalf("English counters %q", opts)
	}
	if got := uiGet(r, func() string { return l.button.Text }); got != "Log in" {
		t.Fatalf("login button %q", got)
	}
}

// TestLogin_TapOnTheChoiceListsFirst: the clerk types the password and taps the counter choice
// straight away: the counters are listed and the choice opens with them.
func TestLogin_TapOnTheChoiceListsFirst(t *testing.T) {
	h := startHall(t)
	r := loginRig(t, h, "")
	l := r.term.login
	typeCredentials(r, "1001", "clerk123", false)
	r.onUI(func() { l.counter.Tapped(&fyne.PointEvent{}) })
	r.waitOptions("after the tap")
	waitText(t, func() string {
		return uiGet(r, func() string {
			if top := r.term.win.Canvas().Overlays().Top(); top != nil {
				return "open"
			}
			return ""
		})
	}, "open")
}

// typeCredentials types a staff number and password into the login form as a clerk would;
// tabOut then moves the focus on to the counter choice (leaving the password field).
func typeCredentials(r *rig, staff, password string, tabOut bool) {
	l := r.term.login
	r.onUI(func() {
		c := r.term.win.Canvas()
		c.Focus(l.staff)
		test.Type(l.staff, staff)
		c.Focus(l.password)
		test.Type(l.password, password)
		if tabOut {
			c.FocusNext()
		}
	})
}
