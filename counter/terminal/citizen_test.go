package terminal

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"hall"
)

// texts returns the sizes of the texts o draws (walking the renderers of widgets).
func textSizes(o fyne.CanvasObject) map[string]float32 {
	out := map[string]float32{}
	var walk func(fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch v := o.(type) {
		case *canvas.Text:
			if v.Text != "" {
				out[v.Text] = v.TextSize
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(v).Objects() {
				walk(c)
			}
		case *fyne.Container:
			for _, c := range v.Objects {
				walk(c)
			}
		}
	}
	walk(o)
	return out
}

// TestCitizen_LargeRatingButtons: the visitor reads the five levels and the reasons from a
// distance and taps them with a finger: big labels on big buttons.
func TestCitizen_LargeRatingButtons(t *testing.T) {
	h := startHall(t)
	r := newRig(t, h, true)
	r.term.o.Pad = nil // the screen alone asks
	tk := r.issueWaiting(1)[0]
	r.callNext()
	r.tap(btnFinish)
	c := r.term.citizen
	waitText(t, func() string { return uiGet(r, func() string { return c.prompt.Text }) }, "请您对本次服务进行评价")
	r.onUI(func() {
		for _, l := range hall.RatingLevels {
			b := c.buttons[l]
			sizes := textSizes(b)
			if got := sizes[l.Label(false)]; got < 32 {
				t.Errorf("level %q drawn at %v points (%v), want 32 or more", l.Label(false), got, sizes)
			}
			if sz := b.Size(); sz.Height < 110 || sz.Width < 170 {
				t.Errorf("button %q is %v, want at least 170×110", l.Label(false), sz)
			}
			if need, have := b.MinSize(), b.Size(); need.Width > have.Width || need.Height > have.Height {
				t.Errorf("%q needs %v on a button of %v: it is cut", b.Text, need, have)
			}
		}
	})
	r.tapObj(c.buttons[hall.RatingDissatisfied])
	waitText(t, func() string { return uiGet(r, func() string { return c.prompt.Text }) }, "不满意的原因")
	r.onUI(func() {
		found := 0
		var walk func(o fyne.CanvasObject)
		walk = func(o fyne.CanvasObject) {
			switch v := o.(type) {
			case *widget.Check:
				found++
				if got := textSizes(v)[v.Text]; got < 26 {
					t.Errorf("reason %q drawn at %v points, want 26 or more", v.Text, got)
				}
			case *fyne.Container:
				for _, o := range v.Objects {
					walk(o)
				}
			case fyne.Widget:
				for _, o := range test.WidgetRenderer(v).Objects() {
					walk(o)
				}
			}
		}
		walk(c.reasons)
		if found != len(hall.RatingReasons) {
			t.Errorf("%d reasons shown, want %d", found, len(hall.RatingReasons))
		}
	})
	_ = tk
}

// TestCitizen_VisitorSwitchesToEnglish: a visitor switches the citizen window to English while
// asked to rate: the question and levels turn English, the clerk's window stays Chinese, and the
// thanks come in English.
func TestCitizen_VisitorSwitchesToEnglish(t *testing.T) {
	h := startHall(t)
	r := newRig(t, h, true)
	r.term.o.Pad = nil
	r.issueWaiting(1)
	r.callNext()
	r.tap(btnFinish)
	c := r.term.citizen
	waitText(t, func() string { return uiGet(r, func() string { return c.prompt.Text }) }, "请您对本次服务进行评价")
	r.tapObj(c.langBtn)
	if got := uiGet(r, func() string { return c.langBtn.Text }); got != "中文" {
		t.Fatalf("the way back says %q", got)
	}
	if got := uiGet(r, func() string { return c.prompt.Text }); got != "Please rate our service" {
		t.Fatalf("prompt %q", got)
	}
	r.onUI(func() {
		for _, l := range hall.RatingLevels {
			b := c.buttons[l]
			if strings.ReplaceAll(b.Text, "\n", " ") != l.Label(true) {
				t.Errorf("level button %q, want %q", b.Text, l.Label(true))
			}
			if need, have := b.MinSize(), b.Size(); need.Width > have.Width || need.Height > have.Height {
				t.Errorf("%q needs %v on a button of %v: it is cut", b.Text, need, have)
			}
		}
	})
	if got := uiGet(r, func() string { return r.term.ui.buttons[btnCall].Text }); !strings.Contains(got, "叫号") {
		t.Fatalf("the clerk's window switched too: %q", got)
	}
	r.tapObj(c.buttons[hall.RatingVerySatisfied])
	waitText(t, func() string { return uiGet(r, func() string { return c.line1.Text }) }, "Thank you")
}

// TestCitizen_NextVisitorStartsInChinese: the visitor before chose English; the next call puts
// the citizen window back in Chinese.
func TestCitizen_NextVisitorStartsInChinese(t *testing.T) {
	h := startHall(t)
	r := newRig(t, h, true)
	r.term.o.NoRatingAtFinish = true
	w01, _ := r.admin.Counter(context.Background(), "w01")
	a, b := r.issue(w01.Services[0].ServiceID), r.issue(w01.Services[0].ServiceID)
	r.waitFor("waiting", func(s Snapshot) bool { return len(s.Waiting) == 2 && !s.Busy })
	c := r.term.citizen
	r.tap(btnCall)
	waitText(t, func() string { return uiGet(r, func() string { return c.line2.Text }) }, a.Code)
	r.tapObj(c.langBtn)
	waitText(t, func() string { return uiGet(r, func() string { return c.line2.Text }) }, "Ticket "+a.Code)
	r.tap(btnFinish)
	r.waitFor("finished", func(s Snapshot) bool { return !s.Busy && s.Current == nil })
	r.tap(btnCall)
	waitText(t, func() string { return uiGet(r, func() string { return c.line2.Text }) }, "号码 "+b.Code)
}

// TestCitizen_ReasonsFitTheScreen: the reasons, in Chinese and in English, fit the citizen
// window's 1024×600 screen.
func TestCitizen_ReasonsFitTheScreen(t *testing.T) {
	h := startHall(t)
	r := newRig(t, h, true)
	r.term.o.Pad = nil
	c := r.term.citizen
	w01, _ := r.admin.Counter(context.Background(), "w01")
	for _, english := range []bool{false, true} {
		r.issue(w01.Services[0].ServiceID)
		r.waitFor("waiting", func(s Snapshot) bool { return len(s.Waiting) == 1 && !s.Busy })
		r.tap(btnCall)
		r.waitFor("called", func(s Snapshot) bool { return !s.Busy && s.Current != nil })
		if english {
			r.tapObj(c.langBtn)
		}
		r.tap(btnFinish)
		r.waitFor("asking", func(s Snapshot) bool { return s.Rating != "" && uiGet(r, c.levels.Visible) })
		r.tapObj(c.buttons[hall.RatingDissatisfied])
		r.waitFor("the reasons", func(Snapshot) bool { return uiGet(r, c.reasons.Visible) })
		r.onUI(func() {
			if need := c.win.Content().MinSize(); need.Width > 1024 || need.Height > 600 {
				t.Errorf("english=%v: the reasons need %v of the 1024×600 screen", english, need)
			}
			for _, o := range c.reasons.Objects {
				walk(o, func(o fyne.CanvasObject) {
					if ch, ok := o.(*widget.Check); ok && ch.MinSize().Width > ch.Size().Width {
						t.Errorf("english=%v: reason %q needs %v, has %v", english, ch.Text, ch.MinSize(), ch.Size())
					}
				})
			}
		})
		r.tapObj(findIn(r, c.reasons, checkText(hall.ReasonWaiting.Label(english))))
		r.tapObj(findIn(r, c.reasons, func(b *widget.Button) bool { return !b.Disabled() }))
		r.waitFor("rated", func(s Snapshot) bool { return s.Figures.Ratings[2] >= 1 && !uiGet(r, c.reasons.Visible) })
		r.waitFor("stored", func(s Snapshot) bool { return strings.Contains(s.Rating, "：") || strings.Contains(s.Rating, ": ") })
	}
}
