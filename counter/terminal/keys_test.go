package terminal

import (
	"context"

	"fyne.io/fyne/v2/test"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"hall"
)

// TestKeys_DialogTakesTheKeyboard: while the no-show dialog is open, F1 and F6 do nothing
// behind it; Escape cancels it (nothing happens), Enter in the next one confirms it.
func TestKeys_DialogTakesTheKeyboard(t *testing.T) {
	h := startHall(t)
	r := newRig(t, h, false)
	r.term.o.NoRatingAtFinish = true
	a := r.issueWaiting(2)[0]
	r.tap(btnCall)
	r.waitFor("a called", func(s Snapshot) bool { return !s.Busy && s.Current != nil && s.Current.ID == a.ID })
	key := func(k fyne.KeyName) { r.onUI(func() { r.term.onKey(&fyne.KeyEvent{Name: k}) }) }
	dialogOpen := func() bool {
		return uiGet(r, func() bool { return r.term.win.Canvas().Overlays().Top() != nil })
	}

	key(fyne.KeyF3)
	r.overlay()
	key(fyne.KeyF6) // finish, behind the dialog: ignored
	key(fyne.KeyF2)
	time.Sleep(300 * time.Millisecond)
	if s := r.term.State(); s.Busy || s.Current == nil || s.Current.Calls != 1 {
		t.Fatalf("a function key acted behind the dialog: %+v", s.Current)
	}
	key(fyne.KeyEscape)
	if dialogOpen() {
		t.Fatal("Escape did not close the dialog")
	}
	time.Sleep(200 * time.Millisecond)
	if s := r.term.State(); s.Current == nil || s.Current.ID != a.ID {
		t.Fatal("Escape acted")
	}
	// F3 again, Enter: no-show without putting back.
	key(fyne.KeyF3)
	r.overlay()
	key(fyne.KeyReturn)
	r.waitFor("the no-show", func(s Snapshot) bool { return !s.Busy && s.Current == nil })
	if st, _ := r.admin.Ticket(context.Background(), a.ID); st.Ticket.State != hall.TicketNoShow {
		t.Fatalf("ticket after Enter: %s", st.Ticket.State)
	}
	if dialogOpen() {
		t.Fatal("the dialog stayed open")
	}
	// With the dialog closed the keys work again.
	key(fyne.KeyF1)
	r.waitFor("the next call", func(s Snapshot) bool { return !s.Busy && s.Current != nil })
}

// TestKeys_RefusalSaysTheCodeInTheClerksLanguage: a refusal shows the operation, the server's
// message and its code, and follows the language switch.
func TestKeys_RefusalSaysTheCodeInTheClerksLanguage(t *testing.T) {
	h := startHall(t)
	r := newRig(t, h, false)
	r.term.o.NoRatingAtFinish = true
	for len(r.term.State().Waiting) > 0 {
		r.tap(btnCall)
		r.waitFor("a call", func(s Snapshot) bool { return !s.Busy && s.Current != nil })
		r.tap(btnFinish)
		r.waitFor("finish", func(s Snapshot) bool { return !s.Busy && s.Current == nil })
	}
	r.term.CallNext()
	s := r.waitFor("the refusal", func(s Snapshot) bool { return !s.Busy && s.Notice != "" })
	if !strings.HasPrefix(s.Notice, "叫号未完成：") || !strings.Contains(s.Notice, "（") || !strings.Contains(s.Notice, "/") {
		t.Fatalf("notice %q: want the operation, message and code", s.Notice)
	}
	code := s.Notice[strings.LastIndex(s.Notice, "（")+len("（") : strings.LastIndex(s.Notice, "）")]
	waitText(t, func() string { return uiGet(r, func() string { return r.term.ui.notice.Text }) }, code)
	r.onUI(r.term.toggleLang)
	// The refusal shown turns English around the server's message (which came in Chinese) …
	if en := r.term.State().Notice; !strings.HasPrefix(en, "Call next not done: ") || !strings.Contains(en, "("+code+")") {
		t.Fatalf("English notice %q", en)
	}
	waitText(t, func() string { return uiGet(r, func() string { return r.term.ui.notice.Text }) }, "Call next not done")
	// … and the next refusal is English throughout.
	r.term.CallNext()
	s = r.waitFor("the English refusal", func(s Snapshot) bool { return !s.Busy && s.Notice != "" })
	if !strings.HasPrefix(s.Notice, "Call next not done: ") || !strings.Contains(s.Notice, "("+code+")") || strings.ContainsAny(s.Notice, "没有等候") {
		t.Fatalf("English refusal %q", s.Notice)
	}
}

func TestCounterName(t *testing.T) {
	for _, c := range []struct {
		c    hall.Counter
		lang Lang
		want string
	}{
		{hall.Counter{Number: 1, Name: "1 号窗口"}, Chinese, "1 号窗口"},
		{hall.Counter{Number: 1, Name: "1号窗口"}, English, "Counter 1"},
		{hall.Counter{Number: 3, Name: "综合受理"}, Chinese, "3 号窗口 · 综合受理"},
		{hall.Counter{Number: 4}, English, "Counter 4"},
	} {
		if got := counterName(c.lang, c.c); got != c.want {
			t.Errorf("counterName(%s, %+v) = %q, want %q", c.lang, c.c, got, c.want)
		}
	}
}

// TestKeys_RatingLineFollowsTheLanguage: the outcome of a rating is said in the language the
// clerk switches to afterwards.
func TestKeys_RatingLineFollowsTheLanguage(t *testing.T) {
	h := startHall(t)
	r := newRig(t, h, false)
	tk := r.issueWaiting(1)[0]
	r.callNext()
	r.tap(btnFinish)
	waitPad(t, r.pad, tk.Code)
	r.pad.PressKey(1) // 非常满意
	r.waitFor("the rating line", func(s Snapshot) bool { return strings.Contains(s.Rating, "非常满意") })
	r.onUI(r.term.toggleLang)
	if s := r.term.State(); !strings.Contains(s.Rating, "Very satisfied") && !strings.Contains(s.Rating, "Rating of "+tk.Code) {
		t.Fatalf("rating line after the switch: %q", s.Rating)
	}
	waitText(t, func() string { return uiGet(r, func() string { return r.term.ui.rating.Text }) }, "Rating of "+tk.Code)
}

// TestKeys_PasswordPutAsideComesBack: the clerk puts the password dialog aside (稍后); the
// operation still waits, a 重新登录 button brings the dialog back, and the call goes through.
func TestKeys_PasswordPutAsideComesBack(t *testing.T) {
	h := startHall(t, "-session-ttl", "2s")
	r := newRig(t, h, false)
	w01, _ := r.admin.Counter(context.Background(), "w01")
	r.issue(w01.Services[0].ServiceID)
	r.waitFor("waiting", func(s Snapshot) bool { return len(s.Waiting) == 1 && !s.Busy })
	time.Sleep(2500 * time.Millisecond)
	r.term.CallNext()
	r.waitFor("the password asked", func(s Snapshot) bool { return s.Expired && s.Busy })
	d := r.overlay()
	r.tapObj(findIn(r, d, buttonText("稍后")))
	waitText(t, func() string {
		return uiGet(r, func() string {
			if r.term.ui.relogin.Visible() {
				return r.term.ui.relogin.Text
			}
			return ""
		})
	}, "重新登录")
	r.tapObj(r.term.ui.relogin)
	d = r.overlay()
	r.typeIn(findIn(r, d, func(e *widget.Entry) bool { return e.Password }), "clerk123")
	r.onUI(func() { r.term.onKey(&fyne.KeyEvent{Name: fyne.KeyReturn}) })
	r.waitFor("the call", func(s Snapshot) bool { return !s.Busy && !s.Expired && s.Current != nil })
	if uiGet(r, r.term.ui.relogin.Visible) {
		t.Fatal("the relogin button stays")
	}
}

// TestKeys_HoldDialogTypesAtOnce: the hold dialog takes the reason straight away; Escape in the
// field cancels, Enter holds with the reason.
func TestKeys_HoldDialogTypesAtOnce(t *testing.T) {
	h := startHall(t)
	r := newRig(t, h, false)
	r.issueWaiting(1)
	r.callNext()
	key := func(k fyne.KeyName) {
		r.onUI(func() {
			if f := r.term.win.Canvas().Focused(); f != nil {
				f.TypedKey(&fyne.KeyEvent{Name: k})
			} else {
				r.term.onKey(&fyne.KeyEvent{Name: k})
			}
		})
	}
	r.tap(btnHold)
	r.overlay()
	key(fyne.KeyEscape)
	if uiGet(r, func() bool { return r.term.win.Canvas().Overlays().Top() != nil }) {
		t.Fatal("Escape in the reason did not cancel")
	}
	r.tap(btnHold)
	r.overlay()
	r.onUI(func() {
		f, ok := r.term.win.Canvas().Focused().(*escEntry)
		if !ok {
			t.Errorf("the reason field is not focused (%T)", r.term.win.Canvas().Focused())
			return
		}
		test.Type(f, "补充材料")
	})
	key(fyne.KeyReturn)
	r.waitFor("held", func(s Snapshot) bool { return !s.Busy && len(s.Held) == 1 })
	waitText(t, func() string { return uiGet(r, func() string { return r.term.ui.row(r.term.ui.heldRows[0]) }) }, "补充材料")
}

// TestKeys_OfflineKeepsTheWindowSize: offline, every button says so on a second line, and the
// clerk's window needs no more width than online.
func TestKeys_OfflineKeepsTheWindowSize(t *testing.T) {
	h := startHall(t)
	r := newRig(t, h, false)
	r.idle()
	online := uiGet(r, func() fyne.Size { return r.term.win.Content().MinSize() })
	h.kill()
	r.term.resyncNow()
	r.waitFor("offline", func(s Snapshot) bool { return !s.Online })
	waitText(t, func() string { return uiGet(r, func() string { return r.term.ui.buttons[btnCall].Text }) }, "\n离线")
	offline := uiGet(r, func() fyne.Size { return r.term.win.Content().MinSize() })
	if offline.Width > online.Width {
		t.Fatalf("offline the window needs %v wide, online %v", offline.Width, online.Width)
	}
}

// TestKeys_PauseReasonFitsTheSign: a typed pause reason longer than the sign's line cannot be
// confirmed; a short one pauses with it and the sign shows it.
func TestKeys_PauseReasonFitsTheSign(t *testing.T) {
	h := startHall(t)
	r := newRig(t, h, false)
	r.idle()
	r.tap(btnPause)
	d := r.overlay()
	custom := findIn(r, d, func(e *escEntry) bool { return e.PlaceHolder == tr(Chinese, "pause_custom_hint", signRunes) })
	r.typeIn(&custom.Entry, strings.Repeat("长", signRunes+1))
	r.onUI(func() { r.term.onKey(&fyne.KeyEvent{Name: fyne.KeyReturn}) })
	time.Sleep(200 * time.Millisecond)
	if s := r.term.State(); s.Busy || s.Counter.State == hall.CounterPaused {
		t.Fatal("a reason longer than the sign's line was sent")
	}
	r.onUI(func() { custom.SetText("") })
	r.typeIn(&custom.Entry, "外出取件")
	r.onUI(func() { custom.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn}) })
	r.waitFor("paused", func(s Snapshot) bool {
		return !s.Busy && s.Counter.State == hall.CounterPaused && s.Counter.PauseReason == "外出取件"
	})
	waitSign(t, r.sign, []string{"暂停服务", "外出取件"})
}

// TestKeys_TransferSaysWhereTo: the transfer dialog opens on the same service at any counter,
// which goes nowhere: it says so and Enter does not send it; with counter 2 chosen Enter does.
func TestKeys_TransferSaysWhereTo(t *testing.T) {
	h := startHall(t)
	r := newRig(t, h, false)
	r.term.o.NoRatingAtFinish = true
	tk := r.issueWaiting(1)[0]
	r.callNext()
	r.tap(btnTransfer)
	d := r.overlay()
	findIn(r, d, func(l *widget.Label) bool { return l.Text == tr(Chinese, "transfer_nowhere") })
	r.onUI(func() { r.term.onKey(&fyne.KeyEvent{Name: fyne.KeyReturn}) })
	time.Sleep(200 * time.Millisecond)
	if s := r.term.State(); s.Busy || s.Current == nil || s.Notice != "" {
		t.Fatalf("Enter sent a transfer to nowhere: %+v", s.Notice)
	}
	sel := findIn(r, d, func(s *widget.Select) bool { return s.Selected == tr(Chinese, "any_counter") })
	r.onUI(func() {
		for _, o := range sel.Options {
			if strings.HasPrefix(o, "2 号窗口") {
				sel.SetSelected(o)
			}
		}
	})
	r.onUI(func() { r.term.onKey(&fyne.KeyEvent{Name: fyne.KeyReturn}) })
	r.waitFor("transferred", func(s Snapshot) bool { return !s.Busy && s.Current == nil })
	if got, err := r.admin.TicketByCode(context.Background(), tk.Code, ""); err != nil || got.TargetCounterID != "w02" {
		t.Fatalf("transferred to %q, %v", got.TargetCounterID, err)
	}
}
