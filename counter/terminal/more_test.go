package terminal

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"hall"
	"hall/drivers"
)

// walk visits o and everything inside it: container children and widget renderers' objects.
func walk(o fyne.CanvasObject, visit func(fyne.CanvasObject)) {
	if o == nil {
		return
	}
	visit(o)
	switch x := o.(type) {
	case *fyne.Container:
		for _, c := range x.Objects {
			walk(c, visit)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(x).Objects() {
			walk(c, visit)
		}
	}
}

// findIn finds, on the UI goroutine, a visible widget of type T matching in root.
func findIn[T fyne.CanvasObject](r *rig, root fyne.CanvasObject, match func(T) bool) T {
	r.t.Helper()
	var found T
	ok := uiGet(r, func() bool {
		hit := false
		walk(root, func(o fyne.CanvasObject) {
			if x, is := o.(T); is && !hit && o.Visible() && match(x) {
				found, hit = x, true
			}
		})
		return hit
	})
	if !ok {
		r.t.Fatalf("no %T matching in %T", found, root)
	}
	return found
}

// overlay waits for the dialog on top of the clerk's window.
func (r *rig) overlay() fyne.CanvasObject {
	r.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if o := uiGet(r, func() fyne.CanvasObject { return r.term.win.Canvas().Overlays().Top() }); o != nil {
			return o
		}
		time.Sleep(10 * time.Millisecond)
	}
	r.t.Fatal("no dialog opened")
	return nil
}

func (r *rig) tapObj(o fyne.Tappable) { r.onUI(func() { test.Tap(o) }) }

func (r *rig) typeIn(e *widget.Entry, s string) { r.onUI(func() { test.Type(e, s) }) }

func buttonText(s string) func(*widget.Button) bool {
	return func(b *widget.Button) bool { return strings.Contains(b.Text, s) }
}

func checkText(s string) func(*widget.Check) bool {
	return func(c *widget.Check) bool { return c.Text == s }
}

// TestTerminal_DialogsDriveOperations presses the buttons and fills the dialogs as a clerk:
// no-show with requeue, transfer to another counter, pause with a reason.
func TestTerminal_DialogsDriveOperations(t *testing.T) {
	h := startHall(t)
	r := newRig(t, h, false)
	r.term.o.NoRatingAtFinish = true
	a := r.issueWaiting(2)[0]

	r.tap(btnCall)
	r.waitFor("a called", func(s Snapshot) bool { return !s.Busy && s.Current != nil && s.Current.ID == a.ID })
	// F3: no-show, put back 1 place.
	r.tap(btnNoShow)
	d := r.overlay()
	r.tapObj(findIn(r, d, checkText("过号重排（放回队列）")))
	r.typeIn(&findIn(r, d, func(e *escEntry) bool { return e.Text == "3" }).Entry, "\b1")
	r.tapObj(findIn(r, d, buttonText("确定")))
	s := r.waitFor("requeued", func(s Snapshot) bool { return !s.Busy && s.Current == nil })
	if len(s.Waiting) != 2 || s.Waiting[1].ID != a.ID || s.Waiting[1].Requeues != 1 {
		t.Fatalf("after requeue 1 place: %+v", s.Waiting)
	}
	// Select the requeued ticket in the list and call it ("叫此号").
	r.onUI(func() { r.term.ui.list.Select(1) })
	r.tap(btnCallThis)
	r.waitFor("a called again", func(s Snapshot) bool { return !s.Busy && s.Current != nil && s.Current.ID == a.ID })
	// F4: transfer to counter 2.
	r.tap(btnTransfer)
	d = r.overlay()
	sel := findIn(r, d, func(s *widget.Select) bool { return s.Selected == "任意窗口" })
	r.onUI(func() {
		for _, o := range sel.Options {
			if strings.HasPrefix(o, "2 号窗口") {
				sel.SetSelected(o)
			}
		}
	})
	r.tapObj(findIn(r, d, buttonText("确定")))
	r.waitFor("transferred", func(s Snapshot) bool { return !s.Busy && s.Current == nil })
	if tk, err := r.admin.TicketByCode(context.Background(), a.Code, ""); err != nil || tk.TargetCounterID != "w02" {
		t.Fatalf("transferred ticket %+v, %v", tk, err)
	}
	// F5: pause with the first offered reason, then resume with F5 again.
	r.tap(btnPause)
	d = r.overlay()
	r.tapObj(findIn(r, d, buttonText("确定")))
	s = r.waitFor("paused", func(s Snapshot) bool { return !s.Busy && s.Counter.State == hall.CounterPaused })
	if s.Counter.PauseReason != pauseReasons[0][0] {
		t.Fatalf("pause reason %q", s.Counter.PauseReason)
	}
	waitText(t, func() string { return uiGet(r, func() string { return r.term.ui.state.Text }) }, "暂停服务："+pauseReasons[0][0])
	r.onUI(func() { r.term.onKey(&fyne.KeyEvent{Name: fyne.KeyF5}) })
	r.waitFor("unpaused", func(s Snapshot) bool { return !s.Busy && s.Counter.State == hall.CounterIdle })
}

// TestTerminal_BadRatingAsksForReasons: a bad level on the pad makes the clerk's window ask the
// reasons; the rating is stored with them and flagged.
func TestTerminal_BadRatingAsksForReasons(t *testing.T) {
	h := startHall(t)
	r := newRig(t, h, false)
	tk := r.issueWaiting(1)[0]
	r.callNext()
	r.tap(btnFinish)
	waitPad(t, r.pad, tk.Code)
	r.pad.PressKey(drivers.VeryDissatisfied) // pad key 5 = national level 1
	d := r.overlay()
	r.tapObj(findIn(r, d, checkText("等候时间过长")))
	r.tapObj(findIn(r, d, checkText("其他")))
	submit := findIn(r, d, buttonText("提交"))
	// "other" without a comment: submit waits for the comment.
	if !uiGet(r, submit.Disabled) {
		t.Fatal("submit is offered for “other” without a comment")
	}
	r.typeIn(findIn(r, d, func(e *widget.Entry) bool { return e.PlaceHolder == tr(Chinese, "reason_comment") }), "叫号太慢")
	r.tapObj(submit)
	r.waitFor("the bad rating", func(s Snapshot) bool { return s.Figures.Ratings[1] == 1 })
	rt, err := r.admin.Rating(context.Background(), tk.ID)
	if err != nil || rt.Level != hall.RatingVeryDissatisfied || !rt.FollowUp || len(rt.Reasons) != 2 || rt.Comment != "叫号太慢" {
		t.Fatalf("rating %+v, %v", rt, err)
	}
}

// TestTerminal_CitizenScreenRates: with the citizen-facing window, the visitor taps a level
// there; the pad's request is withdrawn and the rating is stored as from the screen.
func TestTerminal_CitizenScreenRates(t *testing.T) {
	h := startHall(t)
	r := newRig(t, h, true)
	tk := r.issueWaiting(1)[0]
	r.callNext()
	c := r.term.citizen
	waitText(t, func() string { return uiGet(r, func() string { return c.line2.Text }) }, tk.Code)
	r.tap(btnFinish)
	waitPad(t, r.pad, tk.Code)
	waitText(t, func() string { return uiGet(r, func() string { return c.prompt.Text }) }, "请您对本次服务进行评价")
	if !uiGet(r, c.levels.Visible) {
		t.Fatal("the rating buttons are hidden")
	}
	r.tapObj(c.buttons[hall.RatingSatisfied])
	r.waitFor("the rating", func(s Snapshot) bool { return s.Figures.Ratings[4] == 1 })
	rt, _ := r.admin.Rating(context.Background(), tk.ID)
	if rt.Level != hall.RatingSatisfied || rt.Source != hall.RatingFromScreen {
		t.Fatalf("rating %+v", rt)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, _, pending := r.pad.Pending(); !pending {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the pad still asks after the screen answered")
		}
		time.Sleep(20 * time.Millisecond)
	}
	waitText(t, func() string { return uiGet(r, func() string { return c.line1.Text }) }, "感谢您的评价")
}

// TestTerminal_Scanner: the ticket's barcode calls it when the counter is free; a foreign or
// damaged code is refused with a message and changes nothing.
func TestTerminal_Scanner(t *testing.T) {
	h := startHall(t)
	r := newRig(t, h, false)
	w01, _ := r.admin.Counter(context.Background(), "w01")
	svc := w01.Services[0].ServiceID
	r.issue(svc)
	second := r.issue(svc)
	r.waitFor("waiting", func(s Snapshot) bool { return len(s.Waiting) == 2 && !s.Busy })
	r.scanner.Scan("https://example.com/x")
	s := r.waitFor("the refusal", func(s Snapshot) bool { return s.Notice != "" })
	if !strings.Contains(s.Notice, "无法识别") || s.Current != nil {
		t.Fatalf("after a foreign code: %+v", s)
	}
	bad := hall.TicketBarcode(second.ID)
	r.scanner.Scan(bad[:len(bad)-1] + "0")
	r.waitFor("the damaged code refusal", func(s Snapshot) bool { return strings.Contains(s.Notice, "损坏") })
	r.scanner.Scan(hall.TicketBarcode(second.ID))
	r.waitFor("the scanned ticket called", func(s Snapshot) bool { return !s.Busy && s.Current != nil && s.Current.ID == second.ID })
	// Scanning the current ticket opens it (no second call).
	r.scanner.Scan(second.Code)
	r.waitFor("opened", func(s Snapshot) bool { return strings.Contains(s.Notice, "已打开号码 "+second.Code) })
	if s := r.term.State(); s.Current.Calls != 1 {
		t.Fatalf("calls %d after scanning the current ticket", s.Current.Calls)
	}
}

// TestTerminal_LogoutRefusedWhileServing: the clerk cannot leave a called visitor; once the
// ticket is finished, logout clears the sign and shows the login form.
func TestTerminal_LogoutRefusedWhileServing(t *testing.T) {
	h := startHall(t)
	r := newRig(t, h, false)
	r.term.o.NoRatingAtFinish = true
	r.issueWaiting(1)
	r.callNext()
	if err := r.term.Logout(); hall.ErrorReason(err) != "counter_busy" {
		t.Fatalf("logout while serving: %v", err)
	}
	r.tap(btnFinish)
	r.waitFor("finished", func(s Snapshot) bool { return !s.Busy && s.Current == nil })
	if err := r.term.Logout(); err != nil {
		t.Fatal(err)
	}
	if s := r.term.State(); s.LoggedIn {
		t.Fatal("still logged in")
	}
	if !uiGet(r, func() bool { return r.term.win.Content() == r.term.login.content }) {
		t.Fatal("the login form is not shown")
	}
	if c, _ := r.admin.Counter(context.Background(), "w01"); c.State != hall.CounterLoggedOut {
		t.Fatalf("counter %s after logout", c.State)
	}
	if l := r.sign.Shown().Lines; l[0] != "" || l[1] != "" {
		t.Fatalf("sign after logout %q", l)
	}
}

// TestTerminal_ApplicantMaskedAndOnePressOneCall: an ID-card ticket shows its applicant masked
// (张*三, 110***********002X), never the full ID number; F1 pressed many times at once calls one
// ticket.
func TestTerminal_ApplicantMaskedAndOnePressOneCall(t *testing.T) {
	h := startHall(t)
	r := newRig(t, h, false)
	ctx := context.Background()
	w01, _ := r.admin.Counter(ctx, "w01")
	svc := w01.Services[0].ServiceID
	tk, err := r.admin.IssueTicket(ctx, hall.IssueRequest{ServiceID: svc, Channel: hall.ChannelIDCard, IDNumber: "11010519491231002X", Name: "张小三"})
	if err != nil {
		t.Fatal(err)
	}
	r.issue(svc)
	r.waitFor("two waiting", func(s Snapshot) bool { return len(s.Waiting) == 2 && !s.Busy })
	before := lastSeq(t, r)
	var accepted atomic.Int32
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if r.term.CallNext() {
				accepted.Add(1)
			}
		}()
	}
	wg.Wait()
	s := r.waitFor("the call", func(s Snapshot) bool { return !s.Busy && s.Current != nil })
	if accepted.Load() != 1 {
		t.Fatalf("%d presses accepted while one was running, want 1", accepted.Load())
	}
	if n := count(r.events(before), hall.EventTicketCalled); n != 1 {
		t.Fatalf("%d calls for 16 presses, want 1", n)
	}
	if s.Current.ID != tk.ID {
		t.Fatalf("called %s, want the first ticket %s", s.Current.Code, tk.Code)
	}
	person := uiGet(r, func() string { return r.term.ui.person.Text })
	if person != "办事人：张*三 110***********002X" {
		t.Fatalf("applicant line %q", person)
	}
	if strings.Contains(person, "11010519491231002X") || strings.Contains(person, "张小三") {
		t.Fatal("the applicant is not masked")
	}
}
