//go:build linux

package kiosk

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"hall"
	"hall/queueserver/httpapi"
)

// Screen positions of the kiosk window at 1080×1920 (portrait), as laid out by showHome and
// showTicket. If the layout changes, the e2e test fails (nothing printed, wrong ticket) rather
// than passing by accident; take a screenshot and update these.
var (
	posShebao   = [2]int{807, 530}  // 社保 tile (area A)
	posYibao    = [2]int{272, 710}  // 医保 tile (area A)
	posEnglish  = [2]int{1019, 57}  // language switch
	posHomeTabs = [2]int{540, 1870} // 返回首页 at the bottom of the ticket screen
	posPhone    = [2]int{182, 1754} // 手机号取号
	posPriority = [2]int{897, 1754} // 绿色通道
	// The phone keypad's digits and its OK button.
	posDigits = map[rune][2]int{
		'1': {182, 404}, '2': {539, 404}, '3': {897, 404},
		'4': {182, 542}, '5': {539, 542}, '6': {897, 542},
		'7': {182, 680}, '8': {539, 680}, '9': {897, 680}, '0': {539, 818},
	}
	posKeypadOK    = [2]int{807, 931}
	posStaffID     = [2]int{583, 338} // priority lane: staff number entry
	posPassword    = [2]int{583, 411}
	posVerify      = [2]int{807, 539}
	posClassDisabl = [2]int{807, 237} // 残疾人
)

// TestE2E_KioskUnderXvfb runs `make run`'s demo launcher under Xvfb — the real queueserver -demo,
// devicesim's ptys and the real kiosk window — and walks a visitor through it with xdotool:
// tap → printed ticket, ID card → ticket with the masked holder, paper out → number on screen and
// the fault on the server, English, and the paused screen while the server does not answer.
// Screenshots and the printer's rendering of each ticket go to $KIOSK_E2E_SHOTS (default: a
// temporary directory).
func TestE2E_KioskUnderXvfb(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("-short or -race")
	}
	for _, tool := range []string{"Xvfb", "xdotool", "import", "curl"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is needed for the Xvfb run: run `make deps`", tool)
		}
	}
	shots := os.Getenv("KIOSK_E2E_SHOTS")
	if shots == "" {
		shots = t.TempDir()
	}
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	display := startXvfb(t)
	dir := t.TempDir()
	addr, simAddr := freeAddr(t), freeAddr(t)
	script := exec.Command("../packaging/demo-hall.sh")
	script.Env = append(os.Environ(), "DISPLAY="+display, "KIOSK_SCALE=1", "NO_BROWSER=1", "NO_COUNTER=1", "DATA="+filepath.Join(dir, "data"),
		"ADDR="+addr, "DEVICES="+filepath.Join(dir, "dev"), "SIM_HTTP="+simAddr, "BIN="+filepath.Join(dir, "bin"))
	log, err := os.Create(filepath.Join(shots, "demo-hall.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	script.Stdout, script.Stderr = log, log
	// Its own process group, and a SIGTERM (its trap stops the hall) if this test binary dies.
	script.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := script.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		script.Process.Signal(syscall.SIGTERM) // its trap stops the server, devicesim and kiosk
		done := make(chan struct{})
		go func() { script.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			syscall.Kill(-script.Process.Pid, syscall.SIGKILL)
		}
	})

	x := &xsession{t: t, display: display, shots: shots, sim: "http://" + simAddr, server: "http://" + addr}
	x.waitWindow(10 * time.Minute) // the first Fyne build takes minutes
	time.Sleep(2 * time.Second)
	x.shot("1-home")

	// Tap 社保: a ticket is printed.
	x.click(posShebao)
	x.waitReceipts(1)
	x.shot("2-ticket-printed")
	x.receipt("2-ticket-printed-receipt")

	// ID card: the next ticket carries the person, masked.
	x.click(posHomeTabs)
	x.post("/card", `{"preset":"zhang"}`)
	time.Sleep(2500 * time.Millisecond)
	x.shot("3-card-read")
	x.click(posYibao)
	x.waitReceipts(2)
	x.shot("4-card-ticket")
	x.receipt("4-card-ticket-receipt")
	admin := x.admin()
	ts, err := admin.TicketByCode(context.Background(), "B001", "")
	if err != nil || ts.Person == nil || ts.Person.MaskedID == "" || ts.Channel != hall.ChannelIDCard {
		t.Fatalf("the card ticket on the server: %+v %v", ts, err)
	}
	x.post("/card", `{"remove":true}`)

	// Paper out: the number is shown, nothing printed, the server told.
	x.click(posHomeTabs)
	x.post("/printer", `{"paper":"out"}`)
	time.Sleep(500 * time.Millisecond)
	x.click(posShebao)
	time.Sleep(3 * time.Second)
	x.shot("5-paper-out")
	if n := x.receipts(); n != 2 {
		t.Fatalf("%d receipts after paper out, want 2", n)
	}
	ds, err := admin.Devices(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	fault := false
	for _, d := range ds {
		for _, h := range d.Health {
			fault = fault || d.ID == "kiosk-1" && h.Component == "printer" && h.Reason == "paper_out"
		}
	}
	if !fault {
		t.Fatalf("the server does not know the printer is out of paper: %+v", ds)
	}
	x.post("/printer", `{"paper":"ok"}`)

	// English.
	x.click(posHomeTabs)
	time.Sleep(500 * time.Millisecond)
	x.click(posEnglish)
	time.Sleep(time.Second)
	x.shot("6-english")
	x.click(posShebao)
	x.waitReceipts(3)
	x.shot("7-english-ticket")
	x.receipt("7-english-ticket-receipt")
	x.click(posHomeTabs)

	// A phone number on the keypad, then 社保.
	x.click(posPhone)
	for _, d := range "13800138000" {
		x.click(posDigits[d])
	}
	x.shot("8a-phone-keypad")
	x.click(posKeypadOK)
	x.click(posShebao)
	x.waitReceipts(4)
	x.shot("8b-phone-ticket")
	x.receipt("8b-phone-ticket-receipt")
	x.click(posHomeTabs)

	// The priority lane: a clerk confirms with the password and picks 残疾人.
	x.click(posPriority)
	x.click(posStaffID)
	x.run("xdotool", "type", "--window", x.window, "1001")
	x.click(posPassword)
	x.run("xdotool", "type", "--window", x.window, "clerk123")
	x.shot("8c-priority")
	x.click(posVerify)
	time.Sleep(1500 * time.Millisecond)
	x.click(posClassDisabl)
	x.click(posShebao)
	x.waitReceipts(5)
	x.shot("8d-priority-ticket")
	x.receipt("8d-priority-ticket-receipt")
	x.click(posHomeTabs)

	// A booking's QR code under the scanner checks it in.
	appt := bookNow(t, admin, "13900000009")
	x.post("/scan", fmt.Sprintf(`{"code":%q,"scanner":"kiosk"}`, hall.AppointmentQR(appt.Code)))
	x.waitReceipts(6)
	x.shot("8e-booking-ticket")
	x.receipt("8e-booking-ticket-receipt")
	x.click(posHomeTabs)

	// The card reader and the printer are unplugged and plugged back: the kiosk reports them
	// offline, keeps going, and uses them again once they are back.
	x.post("/unplug", `{"port":"kiosk-idcard"}`)
	x.waitHealth("idcard", hall.HealthFault)
	x.post("/replug", `{"port":"kiosk-idcard"}`)
	x.post("/card", `{"preset":"li"}`)
	x.waitHealth("idcard", hall.HealthOK)
	time.Sleep(time.Second)
	x.shot("8-card-after-replug")
	x.click(posShebao)
	x.waitReceipts(7)
	x.post("/card", `{"remove":true}`)
	x.click(posHomeTabs)
	x.post("/unplug", `{"port":"kiosk-printer"}`)
	time.Sleep(500 * time.Millisecond)
	x.click(posShebao)
	time.Sleep(6 * time.Second)
	x.shot("9-printer-unplugged")
	x.waitHealth("printer", hall.HealthFault)
	x.post("/replug", `{"port":"kiosk-printer"}`)
	x.click(posHomeTabs)
	time.Sleep(time.Second)
	x.click(posShebao)
	x.waitReceipts(8)
	x.click(posHomeTabs)

	// The server stops answering: 暂停服务; it answers again: back to the home screen.
	pid := x.serverPID(filepath.Join(dir, "bin", "queueserver"))
	syscall.Kill(pid, syscall.SIGSTOP)
	time.Sleep(17 * time.Second)
	x.shot("10-paused")
	syscall.Kill(pid, syscall.SIGCONT)
	time.Sleep(6 * time.Second)
	x.shot("11-back")
	t.Logf("screenshots in %s", shots)
}

// waitHealth waits until the server has the kiosk's component in status.
func (x *xsession) waitHealth(component string, status hall.HealthStatus) {
	x.t.Helper()
	var last []hall.DeviceHealth
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(300 * time.Millisecond) {
		ds, err := x.admin().Devices(context.Background())
		if err != nil {
			x.t.Fatal(err)
		}
		for _, d := range ds {
			if d.ID != "kiosk-1" {
				continue
			}
			last = d.Health
			for _, h := range d.Health {
				if h.Component == component && h.Status == status {
					return
				}
			}
		}
	}
	x.shot("failed")
	x.t.Fatalf("kiosk-1 %s never reported %s: %+v", component, status, last)
}

func startXvfb(t *testing.T) string {
	t.Helper()
	for n := 90; n < 200; n++ {
		if _, err := os.Stat(fmt.Sprintf("/tmp/.X11-unix/X%d", n)); err == nil {
			continue
		}
		if _, err := os.Stat(fmt.Sprintf("/tmp/.X%d-lock", n)); err == nil {
			continue
		}
		display := ":" + strconv.Itoa(n)
		cmd := exec.Command("Xvfb", display, "-screen", "0", "1080x1920x24", "-nolisten", "tcp")
		dieWithTest(cmd)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 50; i++ {
			if _, err := os.Stat(fmt.Sprintf("/tmp/.X11-unix/X%d", n)); err == nil {
				t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
				return display
			}
			time.Sleep(100 * time.Millisecond)
		}
		cmd.Process.Kill()
		cmd.Wait()
	}
	t.Fatal("no free X display")
	return ""
}

// xsession drives the kiosk window and the virtual devices.
type xsession struct {
	t              *testing.T
	display, shots string
	sim, server    string
	window         string
	adminClient    *httpapi.Client
}

func (x *xsession) run(name string, args ...string) string {
	x.t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), "DISPLAY="+x.display)
	out, err := cmd.CombinedOutput()
	if err != nil {
		x.t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	return strings.TrimSpace(string(out))
}

func (x *xsession) waitWindow(limit time.Duration) {
	x.t.Helper()
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		cmd := exec.Command("xdotool", "search", "--name", "Hall kiosk")
		cmd.Env = append(os.Environ(), "DISPLAY="+x.display)
		if out, err := cmd.Output(); err == nil && len(strings.TrimSpace(string(out))) > 0 {
			x.window = strings.Fields(string(out))[0]
			return
		}
		time.Sleep(500 * time.Millisecond)
	}
	x.t.Fatal("the kiosk window did not open (see demo-hall.log)")
}

func (x *xsession) click(p [2]int) {
	x.t.Helper()
	x.run("xdotool", "mousemove", "--window", x.window, strconv.Itoa(p[0]), strconv.Itoa(p[1]), "click", "1")
	time.Sleep(300 * time.Millisecond)
}

func (x *xsession) shot(name string) {
	x.t.Helper()
	x.run("import", "-window", "root", filepath.Join(x.shots, name+".png"))
}

func (x *xsession) post(path, body string) {
	x.t.Helper()
	resp, err := http.Post(x.sim+path, "application/json", strings.NewReader(body))
	if err != nil {
		x.t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		x.t.Fatalf("devicesim %s: %d %s", path, resp.StatusCode, b)
	}
}

func (x *xsession) receipts() int {
	x.t.Helper()
	resp, err := http.Get(x.sim + "/state")
	if err != nil {
		x.t.Fatal(err)
	}
	defer resp.Body.Close()
	var st struct {
		Printer struct {
			Receipts int `json:"receipts"`
		} `json:"printer"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		x.t.Fatal(err)
	}
	return st.Printer.Receipts
}

func (x *xsession) waitReceipts(n int) {
	x.t.Helper()
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if x.receipts() >= n {
			time.Sleep(500 * time.Millisecond)
			return
		}
	}
	x.shot("failed")
	x.t.Fatalf("receipt %d was not printed (screenshot failed.png)", n)
}

// receipt saves the printer simulator's rendering of the last receipt.
func (x *xsession) receipt(name string) {
	x.t.Helper()
	resp, err := http.Get(x.sim + "/receipt.png")
	if err != nil {
		x.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		x.t.Fatalf("receipt.png: %d %s", resp.StatusCode, b)
	}
	if err := os.WriteFile(filepath.Join(x.shots, name+".png"), b, 0o644); err != nil {
		x.t.Fatal(err)
	}
}

func (x *xsession) admin() *httpapi.Client {
	x.t.Helper()
	if x.adminClient == nil {
		c := httpapi.NewClient(x.server, nil)
		login, err := c.Login(context.Background(), "admin", "admin123")
		if err != nil {
			x.t.Fatal(err)
		}
		x.adminClient = c.WithToken(login.Token)
	}
	return x.adminClient
}

// serverPID finds the queue server started from bin.
func (x *xsession) serverPID(bin string) int {
	x.t.Helper()
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		exe, err := os.Readlink(filepath.Join("/proc", e.Name(), "exe"))
		if err == nil && exe == bin {
			return pid
		}
	}
	x.t.Fatal("queue server process not found")
	return 0
}
