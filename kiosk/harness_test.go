package kiosk

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"hall/drivers/sim"
	"hall/queueserver/httpapi"
)

// The kiosk tests run against the real queue server (built once, started with -demo on a free
// port with its own data directory) and the real drivers on the device simulators.

var (
	serverBin     string
	serverBinOnce sync.Once
	serverBinErr  error
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "kiosk-test-")
	if err != nil {
		panic(err)
	}
	serverBin = filepath.Join(dir, "queueserver")
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func buildServer(t *testing.T) string {
	t.Helper()
	serverBinOnce.Do(func() {
		cmd := exec.Command("go", "build", "-o", serverBin, "hall/queueserver")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			serverBinErr = fmt.Errorf("go build queueserver: %v\n%s", err, out)
		}
	})
	if serverBinErr != nil {
		t.Fatal(serverBinErr)
	}
	return serverBin
}

// demoServer is a running queueserver -demo.
type demoServer struct {
	url   string
	data  string
	cmd   *exec.Cmd
	token string // kiosk-1's device token
	admin *httpapi.Client
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func startServer(t *testing.T) *demoServer {
	t.Helper()
	bin := buildServer(t)
	s := &demoServer{data: t.TempDir()}
	addr := freeAddr(t)
	s.url = "http://" + addr
	s.start(t, addr)
	t.Cleanup(s.stop)
	tok, err := TokenFromCredentials(filepath.Join(s.data, "demo-credentials.txt"), "kiosk-1")
	if err != nil {
		t.Fatal(err)
	}
	s.token = tok
	pub := httpapi.NewClient(s.url, nil)
	login, err := pub.Login(context.Background(), "admin", "admin123")
	if err != nil {
		t.Fatal(err)
	}
	s.admin = pub.WithToken(login.Token)
	_ = bin
	return s
}

func (s *demoServer) start(t *testing.T, addr string) {
	t.Helper()
	s.cmd = exec.Command(serverBin, "-demo", "-data", s.data, "-addr", addr)
	s.cmd.Stdout, s.cmd.Stderr = io.Discard, io.Discard
	dieWithTest(s.cmd)
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(s.url + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("the queue server did not start")
}

func (s *demoServer) stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		s.cmd.Process.Kill()
		s.cmd.Wait()
		s.cmd = nil
	}
}

// clock is the kiosk's clock in tests: it moves only when told.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// rig is a kiosk in a headless window with simulated devices, against a demo server.
type rig struct {
	t   *testing.T
	srv *demoServer
	k   *App
	w   fyne.Window
	dev *Simulated
	clk *clock
}

func newRig(t *testing.T, srv *demoServer, adjust ...func(*Options)) *rig {
	t.Helper()
	a := test.NewTempApp(t)
	a.Settings().SetTheme(NewTheme())
	w := test.NewTempWindow(t, widget.NewLabel(""))
	w.Resize(fyne.NewSize(1080, 1920))
	dev, err := OpenSimulated()
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: time.Now()}
	o := Options{
		Client: httpapi.NewClient(srv.url, nil).WithToken(srv.token),
		Card:   dev.Card, Scanner: dev.Scanner, Printer: dev.Printer,
		AdminPIN: "2468", Now: clk.Now, RetryInterval: 200 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	for _, f := range adjust {
		f(&o)
	}
	k := New(w, o)
	r := &rig{t: t, srv: srv, k: k, w: w, dev: dev, clk: clk}
	k.Start()
	t.Cleanup(func() {
		k.Stop()
		dev.Close()
	})
	r.waitScreen(ScreenHome)
	return r
}

// do runs f as the Fyne goroutine would, serialised with the kiosk's background callbacks.
func (r *rig) do(f func()) {
	r.k.uiMu.Lock()
	defer r.k.uiMu.Unlock()
	f()
}

// waitFor polls cond (on the UI side) until it holds.
func (r *rig) waitFor(what string, cond func() bool) {
	r.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		ok := false
		r.do(func() { ok = cond() })
		if ok {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	screen := ""
	r.do(func() { screen = r.k.screen + ": " + strings.Join(shown(r.w.Content()), " | ") })
	r.t.Fatalf("timed out waiting for %s; screen %s", what, screen)
}

func (r *rig) waitScreen(name string) {
	r.t.Helper()
	r.waitFor("screen "+name, func() bool { return r.k.screen == name && !r.k.busy })
}

// tap taps the tile or button whose text is label.
func (r *rig) tap(label string) {
	r.t.Helper()
	var target fyne.Tappable
	r.do(func() { target = findTappable(r.w.Content(), label) })
	if target == nil {
		r.t.Fatalf("nothing to tap labelled %q on %s: %v", label, r.k.screen, shown(r.w.Content()))
	}
	r.do(func() { test.Tap(target) })
}

// has reports whether the screen shows a text containing s.
func (r *rig) has(s string) bool {
	found := false
	r.do(func() {
		for _, x := range shown(r.w.Content()) {
			if strings.Contains(x, s) {
				found = true
			}
		}
	})
	return found
}

// lastReceipt returns the simulated printer's last receipt as text.
func (r *rig) lastReceipt() string {
	r.t.Helper()
	rc, ok := r.dev.PrinterSim.LastReceipt()
	if !ok {
		r.t.Fatal("nothing printed")
	}
	return sim.Text(rc, r.dev.PrinterSim.Dots())
}

// walk visits every object under o.
func walk(o fyne.CanvasObject, visit func(fyne.CanvasObject) bool) bool {
	if o == nil {
		return false
	}
	if visit(o) {
		return true
	}
	switch x := o.(type) {
	case *fyne.Container:
		for _, c := range x.Objects {
			if walk(c, visit) {
				return true
			}
		}
	case fyne.Widget:
		rend := test.WidgetRenderer(x)
		for _, c := range rend.Objects() {
			if walk(c, visit) {
				return true
			}
		}
	}
	return false
}

// shown lists the texts shown under o.
func shown(o fyne.CanvasObject) []string {
	var out []string
	walk(o, func(c fyne.CanvasObject) bool {
		switch x := c.(type) {
		case *canvas.Text:
			if x.Text != "" {
				out = append(out, x.Text)
			}
		case *widget.Label:
			out = append(out, x.Text)
		}
		return false
	})
	return out
}

// findTappable returns the tappable object under o that shows exactly label.
func findTappable(o fyne.CanvasObject, label string) fyne.Tappable {
	var found fyne.Tappable
	walk(o, func(c fyne.CanvasObject) bool {
		tp, ok := c.(fyne.Tappable)
		if !ok {
			return false
		}
		for _, s := range shown(c) {
			if s == label {
				found = tp
				return true
			}
		}
		if b, ok := c.(*widget.Button); ok && b.Text == label {
			found = tp
			return true
		}
		return false
	})
	return found
}
