//go:build linux

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"hall/drivers/internal/leakcheck"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"hall/drivers/barcode"
	"hall/drivers/idcard"
	"hall/drivers/serialport"
)

// syncBuffer is an io.Writer safe for concurrent use.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startTool runs devicesim as main does, with its HTTP control on a free
// loopback port, and returns the control's base URL and the port dir.
func startTool(t *testing.T) (base, dir string, out *syncBuffer) {
	t.Helper()
	dir = t.TempDir()
	out = &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-dir", dir, "-http", "127.0.0.1:0", "-console=false", "-read-delay", "0"}, strings.NewReader(""), out)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
		if _, err := os.Lstat(filepath.Join(dir, portIDCard)); err == nil {
			t.Error("port link left behind")
		}
	})
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		s := out.String()
		if i := strings.Index(s, "HTTP control on http://"); i >= 0 {
			rest := s[i+len("HTTP control on "):]
			return strings.Fields(rest)[0], dir, out
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("devicesim did not start:\n%s", out.String())
	return
}

func post(t *testing.T, url, body string) string {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST %s %s: %s %s", url, body, resp.Status, b)
	}
	return string(b)
}

func getState(t *testing.T, base string) State {
	t.Helper()
	resp, err := http.Get(base + "/state")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st State
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	return st
}

func TestDevicesim_DrivenOverHTTPSeenByTheDrivers(t *testing.T) {
	leakcheck.Check(t)
	base, dir, out := startTool(t)
	for _, name := range portOrder {
		if !strings.Contains(out.String(), filepath.Join(dir, name)) {
			t.Errorf("port %s not printed:\n%s", name, out)
		}
	}

	// The kiosk's ID card reader.
	port, err := serialport.Open(filepath.Join(dir, portIDCard), serialport.Options{Baud: idcard.DefaultBaud})
	if err != nil {
		t.Fatal(err)
	}
	reader := idcard.New(port, idcard.Options{PollInterval: 20 * time.Millisecond})
	defer reader.Close()
	post(t, base+"/card", `{"preset":"zhang"}`)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	c, err := reader.NextCard(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "张三" {
		t.Errorf("card %v, want 张三's", c)
	}
	st := getState(t, base)
	if st.CardReader.Reads != 1 || !st.CardReader.Spent || strings.Contains(st.CardReader.Card, "张三") {
		t.Errorf("state after a read: %+v (want 1 read, spent, masked)", st.CardReader)
	}

	// The counter's scanner.
	sport, err := serialport.Open(filepath.Join(dir, portCounterScanner), serialport.Options{})
	if err != nil {
		t.Fatal(err)
	}
	scanner := barcode.New(sport, barcode.Options{})
	defer scanner.Close()
	post(t, base+"/scan", `{"code":"HALL-A001-7","scanner":"counter"}`)
	sc, err := scanner.NextScan(ctx)
	if err != nil || sc.Code != "HALL-A001-7" {
		t.Fatalf("scan: %+v, %v", sc, err)
	}

	// Unplug the reader through the control: the driver sees it offline.
	post(t, base+"/unplug", `{"port":"kiosk-idcard"}`)
	if st := getState(t, base); st.Ports[portIDCard].Plugged {
		t.Error("state says the reader is still plugged in")
	}
	for {
		_, err := reader.NextCard(ctx)
		if err != nil && strings.Contains(err.Error(), "offline") {
			break
		}
		if ctx.Err() != nil {
			t.Fatal("the driver never saw the reader go")
		}
	}
	post(t, base+"/replug", `{"port":"kiosk-idcard"}`)
	post(t, base+"/cmd", "remove card")
	post(t, base+"/cmd", "insert card li")
	for {
		c, err = reader.NextCard(ctx)
		if err == nil || ctx.Err() != nil {
			break
		}
	}
	if err != nil || c.Name != "李梅" {
		t.Fatalf("after replug: %v, %v", c, err)
	}
}

func TestDevicesim_ControlRejectsBadRequests(t *testing.T) {
	leakcheck.Check(t)
	base, _, _ := startTool(t)
	for _, tt := range []struct{ path, body string }{
		{"/card", `{"preset":"nobody"}`},
		{"/card", `{"presett":"zhang"}`},
		{"/card", `not json`},
		{"/scan", `{"code":""}`},
		{"/scan", `{"code":"A","scanner":"printer"}`},
		{"/rate", `{"level":7}`},
		{"/rate", `{"level":3}`}, // nothing pending on the pad
		{"/unplug", `{"port":"toaster"}`},
		{"/cmd", `frobnicate`},
		{"/printer", `{}`},
	} {
		resp, err := http.Post(base+tt.path, "application/json", strings.NewReader(tt.body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("POST %s %s: %s, want 400", tt.path, tt.body, resp.Status)
		}
	}
	resp, err := http.Get(base + "/card")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET /card: %s, want 405", resp.Status)
	}
}

func TestListenLoopback_RefusesOtherAddresses(t *testing.T) {
	for _, addr := range []string{":8765", "0.0.0.0:8765", "192.168.1.10:8765", "[::]:8765", "example.com:80"} {
		if ln, err := listenLoopback(addr); err == nil {
			ln.Close()
			t.Errorf("listenLoopback(%q) succeeded", addr)
		}
	}
	ln, err := listenLoopback("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln.Close()
}

func TestLoopbackOnly_RefusesRemotePeers(t *testing.T) {
	h := loopbackOnly(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	for addr, want := range map[string]int{"127.0.0.1:5000": 200, "[::1]:5000": 200, "10.0.0.2:5000": 403, "garbage": 403} {
		r, _ := http.NewRequest("GET", "/state", nil)
		r.RemoteAddr = addr
		w := &recorder{header: http.Header{}}
		h.ServeHTTP(w, r)
		if w.code == 0 {
			w.code = 200
		}
		if w.code != want {
			t.Errorf("peer %s: %d, want %d", addr, w.code, want)
		}
	}
}

type recorder struct {
	header http.Header
	code   int
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) Write(b []byte) (int, error) { return len(b), nil }
func (r *recorder) WriteHeader(code int)        { r.code = code }

// The console: commands typed by a person, including quit.
func TestDevicesim_Console(t *testing.T) {
	leakcheck.Check(t)
	dir := t.TempDir()
	var out syncBuffer
	in := strings.NewReader(strings.Join([]string{
		"help", "cards", "insert card elder", "card fault torn", "card sticky on",
		"scan kiosk HALL-B002-5", "scanner crlf on", "scan counter X",
		"paper low", "cover open", "cover close", "paper ok", "receipt",
		"sign", "pad", "rate 1", "rate auto 2", "unplug counter-pad", "replug counter-pad",
		"ports", "state", "bogus", "quit",
	}, "\n"))
	err := run(context.Background(), []string{"-dir", dir, "-http", ""}, in, &out)
	if err != nil {
		t.Fatal(err)
	}
	s := out.String()
	for _, want := range []string{
		"card placed: 王德福", "card reader fault: torn", "sticky: true",
		`scanned "HALL-B002-5" on the kiosk scanner`, `scanned "X" on the counter scanner`,
		"paper near end", "cover open", "no receipt printed yet", "brightness: 8",
		"no rating pending", "error: sim: rating pad", "auto answer: 2",
		"counter-pad unplugged", "counter-pad plugged in at", `"cardReader"`,
		`error: unknown command "bogus"`, "devicesim: closing the ports",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("console output lacks %q", want)
		}
	}
	if t.Failed() {
		fmt.Println(s)
	}
}

// Input that is not a terminal running out (a script, /dev/null) does not
// stop the tool; cancelling (a signal) does.
func TestDevicesim_KeepsServingAfterScriptedInputEnds(t *testing.T) {
	leakcheck.Check(t)
	var out syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-dir", t.TempDir(), "-http", ""}, strings.NewReader("insert card li\n"), &out)
	}()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(out.String(), "still serving") && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	select {
	case err := <-done:
		t.Fatalf("devicesim stopped when its input ended: %v\n%s", err, out.String())
	case <-time.After(100 * time.Millisecond):
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "card placed: 李梅") {
		t.Errorf("scripted command not run:\n%s", out.String())
	}
}
