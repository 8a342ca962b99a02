package terminal

import (
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hall"
)

// citizenUI is the citizen-facing second window (窗口交互屏): the counter, the service in
// progress, and the rating buttons in place of a pad. Widgets are touched on the Fyne goroutine.
type citizenUI struct {
	t       *Terminal
	win     fyne.Window
	title   *canvas.Text
	line1   *widget.Label
	line2   *widget.Label
	prompt  *widget.Label
	levels  *fyne.Container
	reasons *fyne.Container
	buttons map[hall.RatingLevel]*widget.Button
	// public holds the window's content at the size of a public touch screen; objects added
	// later get its sizes when it is refreshed.
	public *container.ThemeOverride

	// mu guards onLevel, asked from the rating goroutine, answered on the Fyne goroutine.
	mu      sync.Mutex
	onLevel func(hall.RatingLevel)
	lang    Lang
	thanked bool // the last rating was given: thank the visitor until the next ticket
	// askTicket and askStaff are the rating being asked, to say it again after a switch.
	askTicket hall.Ticket
	askStaff  string
	langBtn   *widget.Button
	visitor   string // the ticket at the counter as of the last render
}

func newCitizenUI(t *Terminal) *citizenUI {
	c := &citizenUI{t: t, buttons: map[hall.RatingLevel]*widget.Button{}, lang: Chinese}
	c.win = t.app.NewWindow(tr(Chinese, "citizen_title"))
	c.win.Resize(fyne.NewSize(1024, 600))
	c.title = canvas.NewText("", theme.Color(theme.ColorNamePrimary))
	c.title.TextSize = 40
	c.title.TextStyle.Bold = true
	c.title.Alignment = fyne.TextAlignCenter
	c.line1 = widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	c.line1.SizeName = theme.SizeNameHeadingText
	c.line2 = widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{})
	c.line2.SizeName = theme.SizeNameSubHeadingText
	c.prompt = widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	c.prompt.SizeName = theme.SizeNameHeadingText
	row := container.NewGridWithColumns(5)
	for _, l := range hall.RatingLevels {
		l := l
		b := widget.NewButton(l.Label(false), func() { c.answer(l) })
		if l.Bad() {
			b.Importance = widget.DangerImportance
		} else {
			b.Importance = widget.HighImportance
		}
		c.buttons[l] = b
		row.Add(container.NewGridWrap(fyne.NewSize(190, 130), b))
	}
	c.levels = row
	c.levels.Hide()
	c.reasons = container.NewVBox()
	c.reasons.Hide()
	c.langBtn = widget.NewButton(tr(Chinese, "switch_lang"), c.toggleLang)
	body := container.NewVBox(layout.NewSpacer(), c.title, c.line1, c.line2, layout.NewSpacer(), c.prompt, container.NewCenter(container.NewThemeOverride(c.levels, publicLevels(t.app.Settings().Theme()))), c.reasons, layout.NewSpacer())
	content := container.NewBorder(nil, container.NewHBox(layout.NewSpacer(), c.langBtn), nil, nil, body)
	c.public = container.NewThemeOverride(content, publicScreen(t.app.Settings().Theme()))
	c.win.SetContent(c.public)
	c.win.SetCloseIntercept(func() {}) // the visitor cannot close it
	return c
}

// answer is a tap on a level button.
func (c *citizenUI) answer(l hall.RatingLevel) {
	c.mu.Lock()
	fn := c.onLevel
	c.onLevel = nil
	c.mu.Unlock()
	if fn != nil {
		fn(l)
	}
	c.levels.Hide()
	c.prompt.SetText("")
}

// askLevel shows the rating buttons for tk; on calls back with the level tapped.
func (c *citizenUI) askLevel(tk hall.Ticket, staff string, on func(hall.RatingLevel)) {
	c.mu.Lock()
	c.onLevel, c.thanked, c.askTicket, c.askStaff = on, false, tk, staff
	c.mu.Unlock()
	c.t.do(func() {
		c.labelLevels()
		c.levels.Show()
	})
}

// stopLevels hides the rating buttons once an answer came (from the pad or the screen).
func (c *citizenUI) stopLevels() {
	c.mu.Lock()
	c.onLevel = nil
	c.mu.Unlock()
	c.t.do(func() { c.levels.Hide(); c.line1.SetText("") })
}

// askReasons shows the reasons of a bad rating; it returns a function that hides them.
func (c *citizenUI) askReasons(done func([]hall.RatingReason, string)) func() {
	c.t.do(func() {
		columns := 3
		if c.lang == English {
			columns = 2 // the English reasons are longer
		}
		grid, comment, submit := reasonForm(func(k string, a ...any) string { return tr(c.lang, k, a...) }, columns, done)
		c.prompt.SetText(tr(c.lang, "reason_title"))
		// room for the reasons on the screen
		c.title.Hide()
		c.line1.Hide()
		c.line2.Hide()
		row := container.NewBorder(nil, nil, nil, submit, comment)
		form := container.NewThemeOverride(container.New(fixedWidth(960), container.NewVBox(grid, row)), publicReasons(c.t.app.Settings().Theme()))
		c.reasons.Objects = []fyne.CanvasObject{container.NewCenter(form)}
		c.reasons.Show()
		c.public.Refresh()
	})
	return func() {
		c.t.do(func() {
			c.title.Show()
			c.line1.Show()
			c.line2.Show()
			c.reasons.Hide()
			c.prompt.SetText("")
		})
	}
}

// thank thanks the visitor once the rating is given.
func (c *citizenUI) thank(l hall.RatingLevel) {
	c.mu.Lock()
	c.onLevel = nil
	c.thanked = l.Rated()
	c.mu.Unlock()
	c.t.do(func() { c.levels.Hide(); c.render() })
}

func (c *citizenUI) refresh() { c.t.do(c.render) }

func (c *citizenUI) serviceName(id string) string {
	c.t.mu.Lock()
	defer c.t.mu.Unlock()
	for _, s := range c.t.services {
		if s.ID == id {
			if c.lang == English && s.NameEN != "" {
				return s.NameEN
			}
			return s.Name
		}
	}
	return id
}

// render shows the counter's state. It runs on the Fyne goroutine.
func (c *citizenUI) render() {
	s := c.t.State()
	if s.Current != nil && s.Current.ID != c.visitor {
		// a new visitor: the screen starts in Chinese again
		c.visitor = s.Current.ID
		if c.lang != Chinese {
			c.toggleLang()
			return
		}
	}
	c.mu.Lock()
	asking, msg := c.onLevel != nil, ""
	if c.thanked {
		msg = tr(c.lang, "thanks")
	}
	c.mu.Unlock()
	c.title.Text = tr(c.lang, "citizen_idle", s.Counter.Number)
	c.title.Refresh()
	switch {
	case s.Counter.State == hall.CounterPaused:
		c.line1.SetText(tr(c.lang, "citizen_paused", s.Counter.PauseReason))
		c.line2.SetText("")
	case s.Current != nil:
		c.line1.SetText(tr(c.lang, "citizen_serving", c.serviceName(s.Current.ServiceID)))
		c.line2.SetText(tr(c.lang, "citizen_ticket", s.Current.Code))
	case !asking:
		c.line1.SetText(msg)
		c.line2.SetText("")
	default:
		c.line1.SetText("")
	}
	if !asking && !c.reasons.Visible() {
		c.prompt.SetText("")
		c.levels.Hide()
	}
}

// fixedWidth lays its objects out at a fixed width and their own height.
type fixedWidth float32

func (w fixedWidth) MinSize(objects []fyne.CanvasObject) fyne.Size {
	h := float32(0)
	for _, o := range objects {
		h = max(h, o.MinSize().Height)
	}
	return fyne.NewSize(float32(w), h)
}

func (w fixedWidth) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objects {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

// labelLevels says the rating question and the level buttons in the visitor's language. It
// runs on the Fyne goroutine.
func (c *citizenUI) labelLevels() {
	c.mu.Lock()
	tk, staff := c.askTicket, c.askStaff
	c.mu.Unlock()
	c.prompt.SetText(tr(c.lang, "rate_title"))
	c.line2.SetText(tr(c.lang, "rate_subtitle", tk.Code, c.serviceName(tk.ServiceID), staff))
	for _, l := range hall.RatingLevels {
		c.buttons[l].SetText(levelLabel(c.lang, l))
	}
}

// levelLabel is a level's name on its button: the English names take two lines ("Very" over
// "dissatisfied") to keep the public screen's large type inside the button.
func levelLabel(lang Lang, l hall.RatingLevel) string {
	if lang != English {
		return l.Label(false)
	}
	return strings.Replace(l.Label(true), " ", "\n", 1)
}

// toggleLang switches the visitor's window between Chinese and English (a visitor's choice,
// apart from the clerk's). It runs on the Fyne goroutine.
func (c *citizenUI) toggleLang() {
	c.mu.Lock()
	if c.lang == English {
		c.lang = Chinese
	} else {
		c.lang = English
	}
	asking := c.onLevel != nil
	c.mu.Unlock()
	c.langBtn.SetText(tr(c.lang, "switch_lang")) // the way back
	c.win.SetTitle(tr(c.lang, "citizen_title"))
	if asking {
		c.labelLevels()
	} else if c.reasons.Visible() {
		c.prompt.SetText(tr(c.lang, "reason_title"))
	}
	c.render()
}
