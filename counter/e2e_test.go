//go:build linux

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hall"
	"hall/queueserver/httpapi"
)

// TestE2E_MorningUnderXvfb runs the real programs: `queueserver -demo`, devicesim with its
// counter ptys, and this terminal in a real window on Xvfb with the citizen window, logged in as
// clerk 1001 at w01. Keys are pressed with xdotool; the sign and pad are read back through
// devicesim's control; the hall's live state (what the hall board shows) through the API.
// Screenshots go to $HALL_SCREENSHOTS (default: the test's temp dir); look at them.
// Needs Xvfb, xdotool and ImageMagick (make deps installs them).
func TestE2E_MorningUnderXvfb(t *testing.T) {
	for _, tool := range []string{"Xvfb", "xdotool", "import"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is needed for the Xvfb run: run `make deps`", tool)
		}
	}
	bin := t.TempDir()
	build := func(env []string, pkgs ...string) {
		cmd := exec.Command("go", append([]string{"build", "-o", bin + "/"}, pkgs...)...)
		cmd.Env = append(os.Environ(), env...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("build %v: %v\n%s", pkgs, err, out)
		}
	}
	build([]string{"CGO_ENABLED=0"}, "hall/queueserver")
	build(nil, "hall/counter", "hall/drivers/sim/cmd/devicesim")
	shots := os.Getenv("HALL_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	}
	os.MkdirAll(shots, 0o755)
	dir := t.TempDir()

	display := freeDisplay(t)
	start(t, exec.Command("Xvfb", display, "-screen", "0", "2260x800x24", "-nolisten", "tcp"))
	waitFor(t, "Xvfb", func() bool { _, err := os.Stat("/tmp/.X11-unix/X" + display[1:]); return err == nil })

	addr, devHTTP := freeAddr(t), freeAddr(t)
	server := "http://" + addr
	start(t, exec.Command(bin+"/queueserver", "-demo", "-data", filepath.Join(dir, "data"), "-addr", addr))
	waitFor(t, "the server", func() bool { return get(server+"/healthz") == nil })
	devs := filepath.Join(dir, "dev")
	start(t, exec.Command(bin+"/devicesim", "-dir", devs, "-http", devHTTP, "-console=false"))
	waitFor(t, "devicesim", func() bool { return get("http://"+devHTTP+"/state") == nil })

	ctx := context.Background()
	api := httpapi.NewClient(server, nil)
	login, err := api.Login(ctx, "admin", "admin123")
	if err != nil {
		t.Fatal(err)
	}
	admin := api.WithToken(login.Token)
	w01, err := admin.Counter(ctx, "w01")
	if err != nil {
		t.Fatal(err)
	}
	var tickets []hall.Ticket
	for range 3 {
		tk, err := admin.IssueTicket(ctx, hall.IssueRequest{ServiceID: w01.Services[0].ServiceID, Channel: hall.ChannelTap})
		if err != nil {
			t.Fatal(err)
		}
		tickets = append(tickets, tk)
	}

	cmd := exec.Command(bin+"/counter", "-server", server, "-counter", "w01", "-staff", "1001", "-citizen",
		"-sign", devs+"/counter-sign", "-pad", devs+"/counter-pad", "-scanner", devs+"/counter-scanner", "-rating-timeout", "20s")
	cmd.Env = append(os.Environ(), "DISPLAY="+display, "LANG=zh_CN.UTF-8", "HALL_COUNTER_PASSWORD=clerk123", "HOME="+dir)
	start(t, cmd)
	d := &desk{t: t, display: display, devHTTP: "http://" + devHTTP, shots: shots}
	d.waitSign("login", "1号窗口", "工号1001")
	d.window = d.windowID("窗口叫号终端")
	d.citizen = d.windowID("窗口交互屏")
	d.xdo("windowmove", d.window, "0", "0")
	d.xdo("windowmove", d.citizen, "1220", "0") // side by side: two screens of one counter
	d.shot("e2e-01-logged-in", d.window)

	// F1: the first ticket is called; sign and hall board follow.
	d.key("F1")
	d.waitCall(tickets[0].Code)
	d.waitBoard(admin, tickets[0].Code)
	d.shot("e2e-02-called", d.window)
	// F2: recall.
	seq := lastSeq(t, admin)
	d.key("F2")
	waitFor(t, "the recall", func() bool { return countSince(t, admin, seq, hall.EventTicketRecalled) == 1 })
	// F6: finish; the pad asks; the visitor presses 2 (满意 → level 4).
	d.key("F6")
	waitFor(t, "the pad asking", func() bool { return d.state().Pad.Pending && d.state().Pad.Ticket == tickets[0].Code })
	d.shot("e2e-03-citizen-rating", d.citizen)
	d.post("/rate", `{"level":2}`)
	waitFor(t, "the rating stored", func() bool {
		r, err := admin.Rating(ctx, tickets[0].ID)
		return err == nil && r.Level == hall.RatingSatisfied && r.StaffID == "1001"
	})
	d.waitSign("finish", "1号窗口", "工号1001")
	// The scanner calls the third ticket by its barcode.
	d.post("/scan", fmt.Sprintf(`{"code":%q,"scanner":"counter"}`, hall.TicketBarcode(tickets[2].ID)))
	d.waitCall(tickets[2].Code)
	d.waitBoard(admin, tickets[2].Code)
	d.shot("e2e-04-scanned-call", d.window)
	d.key("F6")
	waitFor(t, "the pad asking", func() bool { return d.state().Pad.Pending && d.state().Pad.Ticket == tickets[2].Code })
	d.post("/rate", `{"cancel":true}`)
	waitFor(t, "not rated stored", func() bool {
		r, err := admin.Rating(ctx, tickets[2].ID)
		return err == nil && r.Level == hall.RatingNotRated
	})
	figs := func() httpapi.FiguresView {
		c := api.WithToken(mustLogin(t, api, "1001"))
		f, _ := c.Today(ctx, "w01")
		return f
	}()
	if figs.Served != 2 || figs.Ratings[hall.RatingSatisfied] != 1 || figs.Ratings[hall.RatingNotRated] != 1 {
		t.Fatalf("today's figures %+v", figs)
	}
	d.shot("e2e-05-after-two", d.window)
}

type desk struct {
	t                       *testing.T
	display, devHTTP, shots string
	window, citizen         string
}

type devState struct {
	Sign struct {
		Lines []string
		Call  struct{ Ticket, Window string }
	} `json:"sign"`
	Pad struct {
		Pending bool   `json:"pending"`
		Ticket  string `json:"ticket"`
	} `json:"pad"`
}

func (d *desk) state() devState {
	var s devState
	resp, err := http.Get(d.devHTTP + "/state")
	if err != nil {
		d.t.Fatal(err)
	}
	defer resp.Body.Close()
	json.NewDecoder(resp.Body).Decode(&s)
	return s
}

func (d *desk) post(path, body string) {
	resp, err := http.Post(d.devHTTP+path, "application/json", strings.NewReader(body))
	if err != nil {
		d.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		d.t.Fatalf("devicesim %s %s: %s", path, body, resp.Status)
	}
}

func (d *desk) waitSign(what string, line1, line2 string) {
	d.t.Helper()
	waitFor(d.t, "the sign after "+what, func() bool {
		l := d.state().Sign.Lines
		return len(l) == 2 && l[0] == line1 && l[1] == line2
	})
}

func (d *desk) waitCall(code string) {
	d.t.Helper()
	waitFor(d.t, "the sign calling "+code, func() bool {
		s := d.state().Sign
		return s.Call.Ticket == code && s.Call.Window == "1" && len(s.Lines) == 2 && s.Lines[0] == "请"+code+"号到1号窗口" && s.Lines[1] == "工号1001"
	})
}

// waitBoard waits until the hall's live snapshot — what the hall board draws — has code as its
// newest call.
func (d *desk) waitBoard(admin *httpapi.Client, code string) {
	d.t.Helper()
	waitFor(d.t, "the board showing "+code, func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		sub := admin.Subscribe(ctx, httpapi.SubscribeOptions{Snapshot: true})
		defer sub.Close()
		select {
		case m := <-sub.C:
			var snap httpapi.Snapshot
			return m.Type == httpapi.MessageSnapshot && json.Unmarshal(m.Data, &snap) == nil && len(snap.RecentCalls) > 0 && snap.RecentCalls[0].Code == code
		case <-ctx.Done():
			return false
		}
	})
}

func (d *desk) xdo(args ...string) string {
	cmd := exec.Command("xdotool", args...)
	cmd.Env = append(os.Environ(), "DISPLAY="+d.display)
	out, _ := cmd.Output()
	return strings.TrimSpace(string(out))
}

func (d *desk) windowID(title string) string {
	d.t.Helper()
	var id string
	waitFor(d.t, "window "+title, func() bool {
		id = d.xdo("search", "--name", "^"+title+"$")
		return id != ""
	})
	return strings.Fields(id)[0]
}

// key presses a key in the clerk's window.
func (d *desk) key(k string) {
	d.xdo("windowraise", d.window)
	d.xdo("windowfocus", "--sync", d.window)
	d.xdo("key", "--window", d.window, k)
}

// shot saves a screenshot of a window.
func (d *desk) shot(name, window string) {
	time.Sleep(500 * time.Millisecond) // let the window draw
	d.xdo("windowraise", window)
	path := filepath.Join(d.shots, name+".png")
	cmd := exec.Command("import", "-window", window, path)
	cmd.Env = append(os.Environ(), "DISPLAY="+d.display)
	if out, err := cmd.CombinedOutput(); err != nil {
		d.t.Fatalf("screenshot %s: %v\n%s", name, err, out)
	}
	d.t.Logf("screenshot %s", path)
}

func start(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("%s output:\n%s", filepath.Base(cmd.Path), out.String())
		}
	})
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if ok() {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

func get(url string) error {
	resp, err := http.Get(url)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("%s", resp.Status)
	}
	return nil
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// freeDisplay picks an X display number nobody uses (other sessions run their own Xvfb).
func freeDisplay(t *testing.T) string {
	for n := 140; n < 240; n++ {
		if _, err := os.Stat(fmt.Sprintf("/tmp/.X%d-lock", n)); os.IsNotExist(err) {
			if _, err := os.Stat(fmt.Sprintf("/tmp/.X11-unix/X%d", n)); os.IsNotExist(err) {
				return fmt.Sprintf(":%d", n)
			}
		}
	}
	t.Fatal("no free X display")
	return ""
}

func mustLogin(t *testing.T, api *httpapi.Client, staff string) string {
	r, err := api.Login(context.Background(), staff, "clerk123")
	if err != nil {
		t.Fatal(err)
	}
	return r.Token
}

func lastSeq(t *testing.T, admin *httpapi.Client) uint64 {
	var last uint64
	for _, e := range eventsSince(t, admin, 0) {
		last = e.Seq
	}
	return last
}

func countSince(t *testing.T, admin *httpapi.Client, seq uint64, typ hall.EventType) int {
	n := 0
	for _, e := range eventsSince(t, admin, seq) {
		if e.Type == typ {
			n++
		}
	}
	return n
}

func eventsSince(t *testing.T, admin *httpapi.Client, seq uint64) []hall.Event {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	sub := admin.Subscribe(ctx, httpapi.SubscribeOptions{Since: seq})
	defer sub.Close()
	var out []hall.Event
	for {
		select {
		case m := <-sub.C:
			if e, err := m.Event(); err == nil {
				out = append(out, e)
			}
		case <-ctx.Done():
			return out
		}
	}
}
