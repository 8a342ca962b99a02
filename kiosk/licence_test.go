package kiosk

import (
	"context"
	"encoding/hex"
	"fmt"
	"image/png"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"hall"
	"hall/drivers/sim"
	"hall/kiosk/cups"
	"hall/kiosk/cups/cupstest"
	"hall/queueserver/backend"
	"hall/queueserver/httpapi"
)

// postLicence posts a licence notice for the card preset as the demo platform would: signed with
// the demo platform's secret from the server's data directory.
func postLicence(t *testing.T, srv *demoServer, id, preset, title string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(srv.data, "demo-platform.secret"))
	if err != nil {
		t.Fatal(err)
	}
	secret, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	card := sim.CardPresets[preset].Card
	status, body, err := backend.PostLicenceNotice(context.Background(), nil, srv.url, secret, hall.LicenceNotice{
		LicenceID: id, Title: title, Name: card.Name, IDNumber: card.Number, Issuer: "成都市市场监督管理局",
		Fields: []hall.LicenceField{{Label: "名称", Value: "成都张三科技有限公司"}, {Label: "类型", Value: "有限责任公司"}},
	})
	if err != nil || status != 201 {
		t.Fatalf("licence notice: %d %s %v", status, body, err)
	}
}

// swipe puts a card on the reader until the screen changes to want, then takes it off.
func (r *rig) swipe(preset, want string) {
	r.t.Helper()
	r.dev.CardSim.Insert(sim.CardPresets[preset].Card)
	r.waitScreen(want)
	r.dev.CardSim.Remove()
}

// Swipe → the holder's licences → print through CUPS → handed over once: a second swipe shows
// 已领取 and the print's QR code verifies as collected.
func TestKiosk_LicencePrintedOnceAndOnlyOnce(t *testing.T) {
	printer := cupstest.Start(t)
	srv := startServer(t)
	postLicence(t, srv, fmt.Sprintf("YYZZ-%d", time.Now().UnixNano()%1e9), "zhang", "营业执照")
	r := newRig(t, srv, func(o *Options) { o.LicencePrinter = printer })

	r.tap("自助打证")
	r.waitScreen(ScreenLicenceSwipe)
	if !r.has("请将身份证放在读卡区") {
		t.Fatalf("swipe screen: %v", shown(r.w.Content()))
	}
	r.swipe("zhang", ScreenLicenceList)
	if !r.has("营业执照") || !r.has("张*（510***********") || r.has(sim.CardPresets["zhang"].Card.Number) {
		t.Fatalf("licence list: %v", shown(r.w.Content()))
	}
	r.shot("licence-list.png")
	var ls []hall.Licence
	r.do(func() { ls = r.k.licence.licences })
	if len(ls) != 1 {
		t.Fatalf("%d licences", len(ls))
	}
	r.tap("打印")
	r.waitScreen(ScreenLicenceDone)
	if !r.has("请取走您的证照") {
		t.Fatalf("done screen: %v", shown(r.w.Content()))
	}
	out := cupstest.Output(t, "licence-"+ls[0].ID)
	path := filepath.Join(t.TempDir(), "printed.pdf")
	os.WriteFile(path, out, 0o644)
	if info, _ := exec.Command("pdfinfo", path).Output(); !strings.Contains(string(info), "Pages:           1") {
		t.Fatalf("printed: %s", info)
	}

	// The second swipe shows it collected, with no way to print it again.
	r.tap("返回首页")
	r.waitScreen(ScreenHome)
	r.tap("自助打证")
	r.waitScreen(ScreenLicenceSwipe)
	r.swipe("zhang", ScreenLicenceList)
	r.shot("licence-collected.png")
	if !r.has("已领取") || findTappable(r.w.Content(), "打印") != nil {
		t.Fatalf("second swipe: %v", shown(r.w.Content()))
	}
	kioskClient := httpapi.NewClient(srv.url, nil).WithToken(srv.token)
	_, err := kioskClient.ReserveLicence(context.Background(), ls[0].ID, sim.CardPresets["zhang"].Card.Number)
	if hall.ErrorReason(err) != "licence_handed_over" {
		t.Fatalf("a second reservation: %v", err)
	}
	r.do(func() { assertNoIDShown(t, r) })
}

// assertNoIDShown checks that no screen text carries the full ID number.
func assertNoIDShown(t *testing.T, r *rig) {
	for _, s := range shown(r.w.Content()) {
		if strings.Contains(s, sim.CardPresets["zhang"].Card.Number) {
			t.Fatalf("the screen shows the full ID number: %q", s)
		}
	}
}

// A printer fault gives the reservation back: nothing is handed over, and the licence can be
// printed later.
func TestKiosk_LicencePrintFailureGivesItBack(t *testing.T) {
	printer := cupstest.Start(t)
	broken := &cups.Printer{Queue: "NoSuchQueue", Server: printer.Server}
	srv := startServer(t)
	postLicence(t, srv, "ZZ-FAIL-1", "zhang", "营业执照")
	r := newRig(t, srv, func(o *Options) { o.LicencePrinter = broken })
	r.tap("自助打证")
	r.waitScreen(ScreenLicenceSwipe)
	r.swipe("zhang", ScreenLicenceList)
	r.tap("打印")
	r.waitScreen(ScreenMessage)
	if !r.has("打印失败") || !r.has("证照未领取") {
		t.Fatalf("failure screen: %v", shown(r.w.Content()))
	}
	ls, err := httpapi.NewClient(srv.url, nil).WithToken(srv.token).LicencesFor(context.Background(), sim.CardPresets["zhang"].Card.Number)
	if err != nil || len(ls) != 1 || ls[0].State != hall.LicenceReady {
		t.Fatalf("after the failed print: %+v, %v", ls, err)
	}
}

// shot saves the window as a PNG into $KIOSK_SHOTS (when set), to look at.
func (r *rig) shot(name string) {
	dir := os.Getenv("KIOSK_SHOTS")
	if dir == "" {
		return
	}
	r.do(func() {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			r.t.Fatal(err)
		}
		defer f.Close()
		png.Encode(f, r.w.Canvas().Capture())
	})
}

// The printed licence's handover is recorded even when the server's answers fail for a while
// (the visitor has the paper): the kiosk keeps telling it, and it is handed over once.
func TestKiosk_LicenceHandOverRetriedAfterPrinting(t *testing.T) {
	printer := cupstest.Start(t)
	srv := startServer(t)
	postLicence(t, srv, "ZZ-LATE-1", "zhang", "营业执照")
	target, _ := url.Parse(srv.url)
	proxy := httputil.NewSingleHostReverseProxy(target)
	var failed atomic.Int32
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/handover") && failed.Add(1) <= 3 {
			http.Error(w, `{"code":"unavailable","reason":"test","message":"稍后再试"}`, http.StatusServiceUnavailable)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	defer front.Close()
	r := newRig(t, srv, func(o *Options) {
		o.LicencePrinter = printer
		o.Client = httpapi.NewClient(front.URL, nil).WithToken(srv.token)
	})
	r.tap("自助打证")
	r.waitScreen(ScreenLicenceSwipe)
	r.swipe("zhang", ScreenLicenceList)
	r.tap("打印")
	r.waitScreen(ScreenLicenceDone)
	cupstest.Output(t, "licence-ZZ-LATE-1")
	kc := httpapi.NewClient(srv.url, nil).WithToken(srv.token)
	deadline := time.Now().Add(30 * time.Second)
	for {
		ls, err := kc.LicencesFor(context.Background(), sim.CardPresets["zhang"].Card.Number)
		if err == nil && len(ls) == 1 && ls[0].State == hall.LicenceHandedOver {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not handed over: %+v %v (handover attempts %d)", ls, err, failed.Load())
		}
		time.Sleep(100 * time.Millisecond)
	}
	if failed.Load() < 4 {
		t.Fatalf("%d handover attempts: the failures were not retried", failed.Load())
	}
}
