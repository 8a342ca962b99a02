package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"hall"
	"hall/queueserver/backend"
	"hall/queueserver/httpapi"
)

const syncTestID = "110101199003070011"

// demoReceived reads what the demo platform applied.
func demoReceived(t *testing.T, s *server) []backend.Received {
	t.Helper()
	resp, err := http.Get(s.demoPlatformURL + backend.ReceiverListPath)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Deliveries []backend.Received `json:"deliveries"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out.Deliveries
}

// A case opened at a counter reaches the demo platform with the full ID number (and nowhere
// else is it in the clear); the platform's licence notice comes back; a kiosk hands it over
// once; the platform hears of the handover.
func TestMain_CaseToPlatformAndLicenceAtKiosk(t *testing.T) {
	s := newServer(t)
	ctx := context.Background()
	tok := s.roleTokens(t)
	clerk, kiosk := s.as(tok[httpapi.RoleClerk]), s.as(tok[httpapi.RoleKiosk])
	if _, err := kiosk.IssueTicket(ctx, hall.IssueRequest{ServiceID: "shebao", Channel: hall.ChannelTap}); err != nil {
		t.Fatal(err)
	}
	tk, err := clerk.CallNext(ctx, "w01", false)
	if err != nil {
		t.Fatal(err)
	}
	_, err = clerk.OpenCase(ctx, hall.OpenCaseRequest{CounterID: "w02", TicketID: tk.ID, Name: "王五", IDNumber: syncTestID})
	if hall.ErrorReason(err) != "not_your_counter" {
		t.Fatalf("open at another counter: %v", err)
	}
	c, err := clerk.OpenCase(ctx, hall.OpenCaseRequest{CounterID: "w01", TicketID: tk.ID, Name: "王五", IDNumber: syncTestID, Source: hall.ApplicantIDCard})
	if err != nil {
		t.Fatal(err)
	}
	if c.Applicant.IDNumber != "" || c.Applicant.Name != "王*" {
		t.Fatalf("the API answered the applicant unmasked: %+v", c.Applicant)
	}
	if _, err := clerk.StepCase(ctx, c.ID, hall.StepComplete, "w01", ""); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		got := demoReceived(t, s)
		if len(got) >= 2 {
			if got[0].CaseID != c.ID || got[0].Type != hall.EventCaseOpened || got[0].Case.Applicant.IDNumber != syncTestID || got[1].Type != hall.EventCaseCompleted {
				t.Fatalf("platform received %+v", got)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the platform received %d deliveries", len(got))
		}
		time.Sleep(50 * time.Millisecond)
	}
	// The platform makes the licence and posts it back, signed.
	resp, err := http.Post(s.demoPlatformURL+backend.ReceiverLicencePath, "application/json", strings.NewReader(`{"caseId":"`+c.ID+`","title":"社保转移凭证"}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("licence notice: %d %s", resp.StatusCode, body)
	}
	ls, err := kiosk.LicencesFor(ctx, syncTestID)
	if err != nil || len(ls) != 1 || ls[0].State != hall.LicenceReady {
		t.Fatalf("kiosk lookup: %+v, %v", ls, err)
	}
	p, err := kiosk.ReserveLicence(ctx, ls[0].ID, syncTestID)
	if err != nil || p.Licence.VerifyCode == "" {
		t.Fatalf("reserve: %+v, %v", p, err)
	}
	if _, err := kiosk.HandOverLicence(ctx, ls[0].ID); err != nil {
		t.Fatal(err)
	}
	ls, _ = kiosk.LicencesFor(ctx, syncTestID)
	if ls[0].State != hall.LicenceHandedOver {
		t.Fatalf("second swipe: %+v", ls[0])
	}
	_, err = kiosk.ReserveLicence(ctx, ls[0].ID, syncTestID)
	if hall.ErrorReason(err) != "licence_handed_over" {
		t.Fatalf("second print: %v", err)
	}
	v, err := s.public.VerifyLicence(ctx, p.Licence.VerifyCode)
	if err != nil || v.State != hall.LicenceHandedOver || v.Holder.MaskedID != hall.MaskID(syncTestID) {
		t.Fatalf("verify: %+v, %v", v, err)
	}
	st2, _, page := raw(t, "GET", s.URL()+"/v/"+p.Licence.VerifyCode, "", "")
	if st2 != 200 || !bytes.Contains(page, []byte("社保转移凭证")) || !bytes.Contains(page, []byte("已领取")) || !bytes.Contains(page, []byte(hall.MaskID(syncTestID))) || bytes.Contains(page, []byte(syncTestID)) {
		t.Fatalf("verification page %d:\n%s", st2, page)
	}
	if st3, _, _ := raw(t, "GET", s.URL()+"/v/not-a-code", "", ""); st3 != 404 {
		t.Fatalf("unknown code: %d", st3)
	}
	if got, _ := clerk.Case(ctx, c.ID); got.State != hall.CaseHandedOver {
		t.Fatalf("case after handover: %s", got.State)
	}
	deadline = time.Now().Add(15 * time.Second)
	for !hasType(demoReceived(t, s), hall.EventLicenceHandedOver) {
		if time.Now().After(deadline) {
			t.Fatal("the platform never heard of the handover")
		}
		time.Sleep(50 * time.Millisecond)
	}
	st, err := s.admin.SyncStatus(ctx)
	if err != nil || len(st) != 2 || st[0].Name != "platform" || st[0].Delivered < 4 || st[1].Name != "sms" {
		t.Fatalf("sync status: %+v, %v", st, err)
	}
	_, _, metrics := raw(t, "GET", s.URL()+"/metrics", "", "")
	for _, want := range []string{`hall_backend_backlog{outbox="platform"} 0`, `hall_backend_delivered_total{outbox="platform"}`, `hall_backend_failing{outbox="platform"} 0`} {
		if !bytes.Contains(metrics, []byte(want)) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	// The ID number is in the clear nowhere in the data directory.
	s.Close()
	filepath.Walk(s.dir, func(path string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			if b, _ := os.ReadFile(path); bytes.Contains(b, []byte(syncTestID)) {
				t.Errorf("%s contains the ID number in the clear", path)
			}
		}
		return nil
	})
}

func hasType(ds []backend.Received, typ hall.EventType) bool {
	for _, d := range ds {
		if d.Type == typ {
			return true
		}
	}
	return false
}

// Forged licence notices are refused at the real server with coded errors.
func TestMain_ForgedLicenceNoticeRefused(t *testing.T) {
	s := newServer(t)
	before := s.lastSeq(t)
	st, eb, _ := raw(t, "POST", s.URL()+backend.InboundPath, "", `{"licenceId":"X","title":"t","name":"n","idNumber":"`+syncTestID+`","fields":[{"label":"a","value":"b"}]}`,
		backend.HeaderTimestamp, "1800000000", backend.HeaderSignature, "sha256=00")
	if st != 401 || eb.Code != hall.EUNAUTHORIZED || eb.Message == "" {
		t.Fatalf("forged notice: %d %+v", st, eb)
	}
	if s.lastSeq(t) != before {
		t.Fatal("a forged notice changed the store")
	}
}

// startWithPlatform runs the demo hall in dir with an outside platform at url (flags, as an
// operator would set them), with fast retries.
func startWithPlatform(t *testing.T, dir, url, secretFile string) *Main {
	t.Helper()
	m := NewMain()
	if err := m.ParseFlags(context.Background(), []string{"-demo", "-data", dir, "-addr", "127.0.0.1:0", "-hall-id", "wuhou",
		"-platform-url", url, "-platform-secret-file", secretFile}); err != nil {
		t.Fatal(err)
	}
	m.Logger, m.Stdout = quiet, io.Discard
	m.Config.Platform.MinBackoff, m.Config.Platform.MaxBackoff = Duration(20*time.Millisecond), Duration(200*time.Millisecond)
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// The platform is down while cases are opened, the hall restarts, the platform comes back:
// every case event arrives exactly once in effect, in order, under the configured hall id.
func TestMain_PlatformOutageAcrossRestart(t *testing.T) {
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "platform.secret")
	os.WriteFile(secretFile, []byte("00112233445566778899aabbccddeeff\n"), 0o600)
	r := &backend.Receiver{Secret: []byte{0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff}}
	r.SetMode(backend.ModeFail, 0)
	srv := httptest.NewServer(&backend.ReceiverMux{R: r})
	defer srv.Close()
	data := filepath.Join(dir, "data")
	m := startWithPlatform(t, data, srv.URL+backend.ReceiverSyncPath, secretFile)
	ctx := context.Background()
	pub := httpapi.NewClient(m.URL(), nil)
	login, err := pub.Login(ctx, "1001", demoClerkPassword)
	if err != nil {
		t.Fatal(err)
	}
	clerk := pub.WithToken(login.Token)
	admin, _ := pub.Login(ctx, "admin", demoAdminPassword)
	var ids []string
	for i := 0; i < 20; i++ {
		if _, err := pub.WithToken(admin.Token).IssueTicket(ctx, hall.IssueRequest{ServiceID: "shebao", Channel: hall.ChannelTap}); err != nil {
			t.Fatal(err)
		}
		tk, err := clerk.CallNext(ctx, "w01", false)
		if err != nil {
			t.Fatal(err)
		}
		c, err := clerk.OpenCase(ctx, hall.OpenCaseRequest{CounterID: "w01", TicketID: tk.ID, Name: "申请人", IDNumber: syncTestID})
		if err != nil {
			t.Fatal(err)
		}
		clerk.StepCase(ctx, c.ID, hall.StepSuspend, "w01", "缺少材料")
		clerk.StepCase(ctx, c.ID, hall.StepResume, "w01", "")
		if _, err := clerk.Finish(ctx, "w01"); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		st, _ := pub.WithToken(admin.Token).SyncStatus(ctx)
		if len(st) > 0 && st[0].Failures >= 2 && st[0].Backlog == 60 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("status during the outage: %+v", st)
		}
		time.Sleep(20 * time.Millisecond)
	}
	m.Close()
	m = startWithPlatform(t, data, srv.URL+backend.ReceiverSyncPath, secretFile)
	r.SetMode(backend.ModeOK, 0)
	deadline = time.Now().Add(20 * time.Second)
	for r.Stats().Applied < 60 {
		if time.Now().After(deadline) {
			t.Fatalf("applied %d of 60", r.Stats().Applied)
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond)
	got := r.Applied()
	if len(got) != 60 || r.Stats().OutOfOrder != 0 {
		t.Fatalf("applied %d, out of order %d", len(got), r.Stats().OutOfOrder)
	}
	for i, id := range ids {
		h := r.CaseHistory(id)
		if len(h) != 3 || h[0] != hall.EventCaseOpened || h[1] != hall.EventCaseSuspended || h[2] != hall.EventCaseResumed {
			t.Fatalf("case %d at the platform: %v", i, h)
		}
	}
	if !strings.HasPrefix(got[0].IdempotencyKey, "wuhou-") || got[0].Case.Applicant.IDNumber != syncTestID {
		t.Fatalf("first delivery %+v", got[0].Delivery)
	}
}

// Kiosks race through the real API to print the same licence: one hands it over, every round.
func TestMain_KiosksRaceForOneLicence(t *testing.T) {
	s := newServer(t)
	ctx := context.Background()
	secret, err := readKeyFile(filepath.Join(s.dir, DemoPlatformSecretFile), 32, false)
	if err != nil {
		t.Fatal(err)
	}
	var kiosks []*httpapi.Client
	for i := 0; i < 4; i++ {
		e, err := s.admin.EnrolDevice(ctx, httpapi.DeviceRequest{ID: fmt.Sprintf("race-kiosk-%d", i), Name: "自助机", Kind: hall.DeviceKiosk})
		if err != nil {
			t.Fatal(err)
		}
		kiosks = append(kiosks, s.as(e.Token))
	}
	for round := 0; round < 15; round++ {
		id := fmt.Sprintf("RACE-%d", round)
		st, body, err := backend.PostLicenceNotice(ctx, nil, s.URL(), secret, hall.LicenceNotice{LicenceID: id, Title: "营业执照", Name: "王五", IDNumber: syncTestID,
			Fields: []hall.LicenceField{{Label: "名称", Value: "某公司"}}})
		if err != nil || st != http.StatusCreated {
			t.Fatalf("notice: %d %s %v", st, body, err)
		}
		var wg sync.WaitGroup
		var won atomic.Int32
		for _, k := range kiosks {
			wg.Add(1)
			go func(k *httpapi.Client) {
				defer wg.Done()
				if _, err := k.ReserveLicence(ctx, id, syncTestID); err != nil {
					if hall.ErrorCode(err) != hall.ECONFLICT {
						t.Errorf("reserve: %v", err)
					}
					return
				}
				if _, err := k.HandOverLicence(ctx, id); err != nil {
					if hall.ErrorCode(err) != hall.ECONFLICT {
						t.Errorf("hand over: %v", err)
					}
					return
				}
				won.Add(1)
			}(k)
		}
		wg.Wait()
		if won.Load() != 1 {
			t.Fatalf("round %d: %d kiosks handed the licence over", round, won.Load())
		}
	}
	evs, _ := s.Store().EventsSince(ctx, 0, 0)
	n := 0
	for _, e := range evs {
		if e.Type == hall.EventLicenceHandedOver {
			n++
		}
	}
	if n != 15 {
		t.Fatalf("%d handover events for 15 licences", n)
	}
}
