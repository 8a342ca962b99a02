package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
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
