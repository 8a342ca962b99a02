package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"hall"
	"hall/queueserver/httpapi"
)

// The browser tests drive the real pages in headless Chromium (Debian package chromium) against
// the real server: store, hub, API and pages. Screenshots go to $HALL_SCREENSHOTS (default
// $TMPDIR/hall-screenshots) so a person can look at them.

func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("HALL_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	t.Fatal("headless Chromium is needed for the page tests: run `make deps` (installs Debian's chromium) or set HALL_CHROMIUM")
	return ""
}

func screenshotDir(t *testing.T) string {
	dir := os.Getenv("HALL_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "hall-screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// browser starts one headless Chromium for the test. Sound may play without a gesture, as on a
// hall screen started in kiosk mode.
func browser(t *testing.T) context.Context {
	t.Helper()
	opts := append(slices.Clone(chromedp.DefaultExecAllocatorOptions[:]),
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.NoSandbox,
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// tab opens another tab of the same browser. The first action on a tab context creates the tab
// and ties the tab's life to that call's context, so it runs here without a deadline.
func tab(t *testing.T, b context.Context) context.Context {
	ctx, cancel := chromedp.NewContext(b)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	return ctx
}

func run(t *testing.T, ctx context.Context, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(c, actions...); err != nil {
		t.Fatal(err)
	}
}

func waitJS(t *testing.T, ctx context.Context, expr string, timeout time.Duration) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(timeout), chromedp.WithPollingInterval(20*time.Millisecond))); err != nil {
		state, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText.slice(0, 400) : ""`))
		t.Fatalf("waiting for %s: %v\npage: %s", expr, err, state)
	}
}

func evalJS[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

func screenshot(t *testing.T, ctx context.Context, name string, w, h int64) {
	t.Helper()
	run(t, ctx, chromedp.EmulateViewport(w, h), chromedp.Sleep(300*time.Millisecond))
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(screenshotDir(t), name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot %s", path)
}

// hallServer is a demo hall on a fixed loopback port, so that it can be restarted in place.
type hallServer struct {
	t    *testing.T
	dir  string
	addr string
	m    *Main
	now  func() time.Time
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func startHall(t *testing.T) *hallServer {
	s := &hallServer{t: t, dir: t.TempDir(), addr: freeAddr(t)}
	s.start()
	t.Cleanup(func() { s.m.Close() })
	return s
}

func (s *hallServer) start() {
	m := NewMain()
	m.Config.Addr, m.Config.DataDir, m.Config.Demo = s.addr, s.dir, true
	m.Config.PublicRate, m.Config.PublicBurst = 1000, 1000 // the tests are one busy client
	m.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	m.Stdout = io.Discard
	if s.now != nil {
		m.Now = s.now
	}
	if err := m.Run(context.Background()); err != nil {
		s.t.Fatal(err)
	}
	s.m = m
}

func (s *hallServer) restart() {
	s.t.Helper()
	if err := s.m.Close(); err != nil {
		s.t.Fatal(err)
	}
	s.start()
}

func (s *hallServer) url() string { return "http://" + s.addr }

// client logs in staffID with the demo password for its role.
func (s *hallServer) client(staffID string) *httpapi.Client {
	s.t.Helper()
	pw := demoClerkPassword
	if staffID == "admin" {
		pw = demoAdminPassword
	}
	c := httpapi.NewClient(s.url(), nil)
	res, err := c.Login(context.Background(), staffID, pw)
	if err != nil {
		s.t.Fatalf("login %s: %v", staffID, err)
	}
	return c.WithToken(res.Token)
}

func (s *hallServer) screenToken(admin *httpapi.Client, id string) string {
	s.t.Helper()
	e, err := admin.EnrolDevice(context.Background(), httpapi.DeviceRequest{ID: id, Name: "测试屏 " + id, Kind: hall.DeviceScreen})
	if err != nil {
		s.t.Fatal(err)
	}
	return e.Token
}

// spoken returns the announcement ids the board has finished speaking ("seq:code").
func spoken(t *testing.T, ctx context.Context) []string {
	return evalJS[[]string](t, ctx, `window.hallBoard.announcer.spoken.slice()`)
}

func TestBrowser_BoardShowsAndAnnouncesCalls(t *testing.T) {
	s := startHall(t)
	ctx := context.Background()
	admin := s.client("admin")
	token := s.screenToken(admin, "test-board")
	b := browser(t)
	board := tab(t, b)
	run(t, board, chromedp.EmulateViewport(1920, 1080), chromedp.Navigate(s.url()+"/board?token="+token))
	waitJS(t, board, `window.hallBoard && window.hallBoard.feedState === "live"`, 10*time.Second)
	if blocked := evalJS[bool](t, board, `window.hallBoard.announcer.blocked`); blocked {
		t.Fatal("sound is blocked although the browser runs with the kiosk autoplay flag")
	}

	var issued []hall.Ticket
	for i := 0; i < 4; i++ {
		tk, err := admin.IssueTicket(ctx, hall.IssueRequest{ServiceID: "shebao", Channel: hall.ChannelTap})
		if err != nil {
			t.Fatal(err)
		}
		issued = append(issued, tk)
	}
	clerks := map[string]*httpapi.Client{"w01": s.client("1001"), "w02": s.client("1002"), "w03": s.client("1003")}

	// One call: on the board within a second, then spoken.
	called, err := clerks["w01"].CallNext(ctx, "w01", false)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	waitJS(t, board, fmt.Sprintf(`document.getElementById("nowCode").textContent === %q`, called.Code), time.Second)
	t.Logf("call %s shown on the board %v after the API answered", called.Code, time.Since(start).Round(time.Millisecond))
	where := evalJS[string](t, board, `document.getElementById("nowWhere").textContent`)
	if !strings.Contains(where, "请到 1 号窗口") {
		t.Fatalf("board says %q", where)
	}
	waitJS(t, board, `window.hallBoard.announcer.spoken.length === 1`, 15*time.Second)
	screenshot(t, board, "board-landscape-1920x1080", 1920, 1080)

	// Three calls at once: all spoken, in the order of the log.
	if _, err := clerks["w01"].Finish(ctx, "w01"); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for _, id := range []string{"w01", "w02", "w03"} {
		wg.Add(1)
		go func(id string) {
			defer wg.Done()
			if _, err := clerks[id].CallNext(ctx, id, false); err != nil {
				t.Error(err)
			}
		}(id)
	}
	wg.Wait()
	waitJS(t, board, `window.hallBoard.announcer.spoken.length === 4`, 40*time.Second)
	said := spoken(t, board)
	var seqs []int
	for _, id := range said {
		var seq int
		fmt.Sscanf(id, "%d:", &seq)
		seqs = append(seqs, seq)
	}
	if !slices.IsSorted(seqs) || len(slices.Compact(slices.Clone(seqs))) != 4 {
		t.Fatalf("announcements out of order or doubled: %v", said)
	}
	recent := evalJS[[]string](t, board, `[...document.querySelectorAll("#recent li .c")].map(e => e.textContent)`)
	if len(recent) != 4 {
		t.Fatalf("recent calls %v", recent)
	}

	// A recall speaks again.
	if _, err := clerks["w02"].Recall(ctx, "w02"); err != nil {
		t.Fatal(err)
	}
	waitJS(t, board, `window.hallBoard.announcer.spoken.length === 5`, 15*time.Second)

	// The waiting table follows the queue.
	waitJS(t, board, `(() => { const r = document.querySelector('.tile[data-service="shebao"] .n'); return r && r.textContent === "0"; })()`, 5*time.Second)
	screenshot(t, board, "board-portrait-1080x1920", 1080, 1920)

	// A board opened now shows the recent calls at once, newest first, and speaks none of them.
	late := tab(t, b)
	run(t, late, chromedp.EmulateViewport(1920, 1080), chromedp.Navigate(s.url()+"/board?token="+token))
	waitJS(t, late, `document.querySelectorAll("#recent li").length === 4`, 10*time.Second)
	if now := evalJS[string](t, late, `document.getElementById("nowCode").textContent`); now != recent[0] {
		t.Fatalf("a late board shows %q large, want the newest call %q", now, recent[0])
	}
	time.Sleep(500 * time.Millisecond)
	if n := evalJS[int](t, late, `window.hallBoard.announcer.spoken.length + window.hallBoard.announcer.queue.length`); n != 0 {
		t.Fatalf("a late board announced %d old calls", n)
	}

	// An area board shows only its area's calls.
	area := tab(t, b)
	run(t, area, chromedp.EmulateViewport(1920, 1080), chromedp.Navigate(s.url()+"/board?area=a2&token="+token))
	waitJS(t, area, `window.hallBoard && window.hallBoard.feedState === "live"`, 10*time.Second)
	rows := evalJS[int](t, area, `document.querySelectorAll("#services .tile").length`)
	if rows != 3 { // 不动产登记, 户籍, 出入境
		t.Fatalf("area a2 board lists %d services", rows)
	}
	if n := evalJS[int](t, area, `document.querySelectorAll("#recent li").length`); n != 0 {
		t.Fatalf("the area a2 board lists %d calls of area a1", n)
	}
	screenshot(t, area, "board-area-a2", 1920, 1080)
}

func TestBrowser_BoardResumesAfterServerRestart(t *testing.T) {
	s := startHall(t)
	ctx := context.Background()
	admin := s.client("admin")
	token := s.screenToken(admin, "test-board")
	b := browser(t)
	board := tab(t, b)
	run(t, board, chromedp.EmulateViewport(1920, 1080), chromedp.Navigate(s.url()+"/board?token="+token))
	waitJS(t, board, `window.hallBoard.feedState === "live"`, 10*time.Second)
	for i := 0; i < 3; i++ {
		if _, err := admin.IssueTicket(ctx, hall.IssueRequest{ServiceID: "gjj", Channel: hall.ChannelTap}); err != nil {
			t.Fatal(err)
		}
	}
	clerk := s.client("1006")
	first, err := clerk.CallNext(ctx, "w06", false)
	if err != nil {
		t.Fatal(err)
	}
	waitJS(t, board, `window.hallBoard.announcer.spoken.length === 1`, 15*time.Second)

	s.m.Close()
	waitJS(t, board, `!document.getElementById("conn").classList.contains("hidden")`, 10*time.Second)
	screenshot(t, board, "board-disconnected", 1920, 1080)
	s.start()
	waitJS(t, board, `window.hallBoard.feedState === "live"`, 20*time.Second)
	if !evalJS[bool](t, board, `document.getElementById("conn").classList.contains("hidden")`) {
		t.Fatal("the 连接中断 banner stays after the server came back")
	}

	clerk = s.client("1006") // sessions survive restarts, but a fresh login is what a clerk would do
	if _, err := clerk.Finish(ctx, "w06"); err != nil {
		t.Fatal(err)
	}
	second, err := clerk.CallNext(ctx, "w06", false)
	if err != nil {
		t.Fatal(err)
	}
	waitJS(t, board, fmt.Sprintf(`document.getElementById("nowCode").textContent === %q`, second.Code), 5*time.Second)
	waitJS(t, board, `window.hallBoard.announcer.spoken.length === 2`, 15*time.Second)
	time.Sleep(time.Second) // anything doubled would be spoken by now
	said := spoken(t, board)
	if len(said) != 2 || !strings.HasSuffix(said[0], ":"+first.Code) || !strings.HasSuffix(said[1], ":"+second.Code) {
		t.Fatalf("after a restart the board said %v; want %s once then %s once", said, first.Code, second.Code)
	}
	shown := evalJS[[]int](t, board, `window.hallBoard.shown.slice()`)
	if len(shown) != 2 {
		t.Fatalf("calls shown %v: a replay doubled one", shown)
	}
}

func TestBrowser_MobileTicketPage(t *testing.T) {
	s := startHall(t)
	ctx := context.Background()
	admin := s.client("admin")
	var tickets []hall.Ticket
	for i := 0; i < 3; i++ {
		tk, err := admin.IssueTicket(ctx, hall.IssueRequest{ServiceID: "huji", Channel: hall.ChannelTap})
		if err != nil {
			t.Fatal(err)
		}
		tickets = append(tickets, tk)
	}
	mine := tickets[2]
	b := browser(t)
	phone := tab(t, b)
	run(t, phone, chromedp.EmulateViewport(390, 844), chromedp.Navigate(s.url()+"/t/"+mine.AccessToken))
	waitJS(t, phone, fmt.Sprintf(`document.getElementById("code").textContent === %q`, mine.Code), 10*time.Second)
	waitJS(t, phone, `document.getElementById("ahead").textContent === "2"`, 5*time.Second)
	screenshot(t, phone, "mobile-waiting-390x844", 390, 844)

	clerk := s.client("1012") // w12 serves 户籍
	for i := 0; i < 2; i++ {
		if _, err := clerk.CallNext(ctx, "w12", false); err != nil {
			t.Fatal(err)
		}
		if _, err := clerk.Finish(ctx, "w12"); err != nil {
			t.Fatal(err)
		}
	}
	waitJS(t, phone, `document.getElementById("ahead").textContent === "0"`, 12*time.Second)
	if _, err := clerk.CallNext(ctx, "w12", false); err != nil {
		t.Fatal(err)
	}
	waitJS(t, phone, `!document.getElementById("turn").classList.contains("hidden")`, 12*time.Second)
	turn := evalJS[string](t, phone, `document.getElementById("turn").textContent`)
	if !strings.Contains(turn, "请到 12 号窗口") {
		t.Fatalf("turn says %q", turn)
	}
	screenshot(t, phone, "mobile-called-390x844", 390, 844)

	// Forged, garbled and unknown links: a clear message, nothing else.
	for _, link := range []string{"/t/0123456789abcdef0123456789abcdef", "/t/not-a-token", "/t/" + strings.ToUpper(mine.AccessToken)} {
		p := tab(t, b)
		run(t, p, chromedp.EmulateViewport(390, 844), chromedp.Navigate(s.url()+link))
		waitJS(t, p, `!document.getElementById("error").classList.contains("hidden")`, 10*time.Second)
		msg := evalJS[string](t, p, `document.getElementById("error").textContent`)
		if !strings.Contains(msg, "链接") {
			t.Fatalf("%s says %q", link, msg)
		}
		if link == "/t/0123456789abcdef0123456789abcdef" {
			screenshot(t, p, "mobile-bad-link", 390, 844)
		}
	}
}

func TestBrowser_WindowSign(t *testing.T) {
	s := startHall(t)
	ctx := context.Background()
	admin := s.client("admin")
	token := s.screenToken(admin, "test-sign")
	for _, id := range []string{"w04", "w05"} { // two positions under one sign
		c, err := admin.Counter(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		c.SignGroup, c.Position = "sign-45", map[string]string{"w04": "左", "w05": "右"}[id]
		if _, err := admin.PutCounter(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 2; i++ {
		if _, err := admin.IssueTicket(ctx, hall.IssueRequest{ServiceID: "yibao", Channel: hall.ChannelTap}); err != nil {
			t.Fatal(err)
		}
	}
	b := browser(t)
	sign := tab(t, b)
	run(t, sign, chromedp.EmulateViewport(1920, 1080), chromedp.Navigate(s.url()+"/sign?group=sign-45&token="+token))
	waitJS(t, sign, `document.querySelectorAll(".pos[data-counter]").length === 2`, 10*time.Second)
	left, err := s.client("1004").CallNext(ctx, "w04", false)
	if err != nil {
		t.Fatal(err)
	}
	waitJS(t, sign, fmt.Sprintf(`document.querySelector('.pos[data-counter="w04"] .code').textContent === %q`, left.Code), 5*time.Second)
	right := s.client("1005")
	if _, err := right.Pause(ctx, "w05", "午间休息"); err != nil {
		t.Fatal(err)
	}
	waitJS(t, sign, `document.querySelector('.pos[data-counter="w05"]').textContent.includes("午间休息")`, 5*time.Second)
	screenshot(t, sign, "sign-two-positions", 1920, 1080)

	// A sign page opened later shows the current number straight away (from the snapshot).
	late := tab(t, b)
	run(t, late, chromedp.EmulateViewport(1280, 720), chromedp.Navigate(s.url()+"/sign?counter=w04&token="+token))
	waitJS(t, late, fmt.Sprintf(`(document.querySelector('.pos[data-counter="w04"] .code') || {}).textContent === %q`, left.Code), 10*time.Second)
	screenshot(t, late, "sign-one-counter", 1280, 720)
}

// do runs a statement in the page.
func do(t *testing.T, ctx context.Context, js string) {
	t.Helper()
	evalJS[bool](t, ctx, "(() => { "+js+"; return true; })()")
}

func TestBrowser_BookingAndCheckIn(t *testing.T) {
	loc, _ := time.LoadLocation(hall.DefaultTimeZone)
	today := time.Now().In(loc)
	base := time.Date(today.Year(), today.Month(), today.Day(), 10, 15, 0, 0, loc)
	began := time.Now()
	s := &hallServer{t: t, dir: t.TempDir(), addr: freeAddr(t), now: func() time.Time { return base.Add(time.Since(began)) }}
	s.start()
	t.Cleanup(func() { s.m.Close() })
	ctx := context.Background()
	admin := s.client("admin")
	view, err := admin.Service(ctx, "yibao")
	if err != nil {
		t.Fatal(err)
	}
	svc := view.Service
	svc.Slots = []hall.SlotTemplate{
		{Start: hall.MustClock("10:00"), End: hall.MustClock("11:00"), Capacity: 1},
		{Start: hall.MustClock("11:00"), End: hall.MustClock("12:00"), Capacity: 5},
	}
	if err := admin.PutService(ctx, svc); err != nil {
		t.Fatal(err)
	}
	b := browser(t)
	page := tab(t, b)
	run(t, page, chromedp.EmulateViewport(390, 844), chromedp.Navigate(s.url()+"/book"))
	waitJS(t, page, `!!document.querySelector('#service option[value="yibao"]')`, 10*time.Second)
	do(t, page, `const s = document.getElementById("service"); s.value = "yibao"; s.dispatchEvent(new Event("change"))`)
	waitJS(t, page, `!!document.querySelector('#slots button[data-start="10:00"]')`, 10*time.Second)
	if rem := evalJS[string](t, page, `document.querySelector('#slots button[data-start="10:00"]').textContent`); !strings.Contains(rem, "余 1") {
		t.Fatalf("slot shows %q", rem)
	}
	// Bad input first: an invalid phone number is refused with a clear message and books nothing.
	do(t, page, `document.querySelector('#slots button[data-start="11:00"]').click(); document.getElementById("phone").value = "12345"`)
	do(t, page, `document.getElementById("submit").click()`)
	waitJS(t, page, `!document.getElementById("error").classList.contains("hidden")`, 10*time.Second)
	if msg := evalJS[string](t, page, `document.getElementById("error").textContent`); !strings.Contains(msg, "手机号码格式不正确") {
		t.Fatalf("invalid phone says %q", msg)
	}
	do(t, page, `document.getElementById("phone").value = ""; document.getElementById("idnum").value = "110105194912310021"`)
	do(t, page, `document.getElementById("submit").click()`)
	waitJS(t, page, `document.getElementById("error").textContent.includes("校验位")`, 10*time.Second)
	screenshot(t, page, "booking-bad-id", 390, 844)
	day := hall.Day(today.Format(time.DateOnly))
	if slots, err := admin.Slots(ctx, "yibao", day); err != nil || slots[1].Booked != 0 {
		t.Fatalf("refused bookings changed the slot: %+v %v", slots, err)
	}

	// A good booking: QR code and short code.
	waitJS(t, page, `!!document.querySelector('#slots button[data-start="10:00"]')`, 10*time.Second)
	do(t, page, `document.querySelector('#slots button[data-start="10:00"]').click(); document.getElementById("idnum").value = ""; document.getElementById("phone").value = "13800138000"; document.getElementById("name").value = "王小明"`)
	do(t, page, `document.getElementById("submit").click()`)
	waitJS(t, page, `!document.getElementById("done").classList.contains("hidden")`, 10*time.Second)
	waitJS(t, page, `document.getElementById("qr").complete && document.getElementById("qr").naturalWidth > 0`, 10*time.Second)
	booked := evalJS[map[string]any](t, page, `window.hallBook.booked`)
	code, _ := booked["code"].(string)
	short, _ := booked["shortCode"].(string)
	if len(code) != 32 || len(short) != 6 || evalJS[string](t, page, `document.getElementById("short").textContent`) != short {
		t.Fatalf("booking %v", booked)
	}
	screenshot(t, page, "booking-done", 390, 844)

	// The slot is now full: another visitor sees it greyed out.
	other := tab(t, b)
	run(t, other, chromedp.EmulateViewport(390, 844), chromedp.Navigate(s.url()+"/book"))
	waitJS(t, other, `!!document.querySelector('#service option[value="yibao"]')`, 10*time.Second)
	do(t, other, `const s = document.getElementById("service"); s.value = "yibao"; s.dispatchEvent(new Event("change"))`)
	waitJS(t, other, `!!document.querySelector('#slots button[data-start="10:00"]')`, 10*time.Second)
	if !evalJS[bool](t, other, `document.querySelector('#slots button[data-start="10:00"]').disabled`) {
		t.Fatal("a full slot can still be chosen")
	}
	screenshot(t, other, "booking-slot-full", 390, 844)

	// At the kiosk: the short code checks in and gives a ticket with the booking.
	tk, err := admin.IssueTicket(ctx, hall.IssueRequest{Channel: hall.ChannelAppointment, AppointmentCode: short})
	if err != nil {
		t.Fatal(err)
	}
	if tk.ServiceID != "yibao" || tk.AppointmentID == "" || tk.AppointmentFrom.IsZero() {
		t.Fatalf("check-in ticket %+v", tk)
	}
	// The booking's own page now says it was used, and offers no cancel.
	mine := tab(t, b)
	run(t, mine, chromedp.EmulateViewport(390, 844), chromedp.Navigate(s.url()+"/book?code="+code))
	waitJS(t, mine, `document.getElementById("doneText").textContent.includes("已签到")`, 10*time.Second)
	if evalJS[bool](t, mine, `!document.getElementById("cancelBooking").classList.contains("hidden")`) {
		t.Fatal("a used booking offers a cancel")
	}
	// A forged manage link.
	forged := tab(t, b)
	run(t, forged, chromedp.EmulateViewport(390, 844), chromedp.Navigate(s.url()+"/book?code=0123456789abcdef0123456789abcdef"))
	waitJS(t, forged, `document.getElementById("error").textContent.includes("未找到")`, 10*time.Second)
}
