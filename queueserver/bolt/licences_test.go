package bolt

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"hall"
)

func licenceNotice(id string) hall.LicenceNotice {
	return hall.LicenceNotice{LicenceID: id, Title: "不动产权证书", Name: "李四", IDNumber: applicantID, Issuer: "市自然资源局",
		Fields: []hall.LicenceField{{Label: "坐落", Value: "锦江区红星路一段 1 号"}, {Label: "面积", Value: "89.5 平方米"}}}
}

func TestLicences_ReadyIsIdempotentAndConflictsOnChange(t *testing.T) {
	f := openFixture(t)
	l, created, err := f.LicenceReady(f.ctx, licenceNotice("L-1"))
	if err != nil || !created || l.State != hall.LicenceReady || l.Holder.Name != "李*" || l.Holder.IDHash != "" || l.VerifyCode != "" {
		t.Fatalf("LicenceReady = %+v, %v, %v", l, created, err)
	}
	seq := f.lastSeq(t)
	if _, created, err := f.LicenceReady(f.ctx, licenceNotice("L-1")); err != nil || created {
		t.Fatalf("re-post: created %v, %v", created, err)
	}
	changed := licenceNotice("L-1")
	changed.Title = "别的证"
	_, _, err = f.LicenceReady(f.ctx, changed)
	wantCode(t, err, hall.ECONFLICT, "licence_exists")
	bad := licenceNotice("L-2")
	bad.IDNumber = "123"
	_, _, err = f.LicenceReady(f.ctx, bad)
	wantCode(t, err, hall.EINVALID, "id_length")
	if f.lastSeq(t) != seq {
		t.Fatal("a re-post or refused notice wrote events")
	}
}

func TestLicences_ReserveHandOverOnce(t *testing.T) {
	f := openFixture(t)
	f.LicenceReady(f.ctx, licenceNotice("L-1"))
	ls, err := f.LicencesFor(f.ctx, applicantID)
	if err != nil || len(ls) != 1 || ls[0].State != hall.LicenceReady {
		t.Fatalf("LicencesFor = %+v, %v", ls, err)
	}
	if other, _ := f.LicencesFor(f.ctx, idNumber("11010119900307001")); len(other) != 0 {
		t.Fatalf("another person sees %d licences", len(other))
	}
	_, _, err = f.ReserveLicence(f.ctx, "L-1", idNumber("11010119900307001"), "k1")
	wantCode(t, err, hall.ENOTFOUND, "licence_not_found")
	l, pdf, err := f.ReserveLicence(f.ctx, "L-1", applicantID, "k1")
	if err != nil || l.VerifyCode == "" || pdf != nil || l.State != hall.LicencePrinting {
		t.Fatalf("reserve = %+v, %d bytes, %v", l, len(pdf), err)
	}
	_, _, err = f.ReserveLicence(f.ctx, "L-1", applicantID, "k2")
	wantCode(t, err, hall.ECONFLICT, "licence_printing")
	_, err = f.HandOverLicence(f.ctx, "L-1", "k2")
	wantCode(t, err, hall.ECONFLICT, "licence_not_reserved")
	if _, err := f.HandOverLicence(f.ctx, "L-1", "k1"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.HandOverLicence(f.ctx, "L-1", "k1"); err != nil {
		t.Fatalf("retried handover by the same kiosk: %v", err)
	}
	_, _, err = f.ReserveLicence(f.ctx, "L-1", applicantID, "k1")
	wantCode(t, err, hall.ECONFLICT, "licence_handed_over")
	ls, _ = f.LicencesFor(f.ctx, applicantID)
	if ls[0].State != hall.LicenceHandedOver || ls[0].HandedOverBy != "k1" {
		t.Fatalf("after handover: %+v", ls[0])
	}
	if got, err := f.LicenceByVerifyCode(f.ctx, l.VerifyCode); err != nil || got.ID != "L-1" || got.State != hall.LicenceHandedOver {
		t.Fatalf("verify = %+v, %v", got, err)
	}
	n := 0
	for _, e := range f.rec.all() {
		if e.Type == hall.EventLicenceHandedOver {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d handover events", n)
	}
}

func TestLicences_ReleaseAndExpiredReservation(t *testing.T) {
	f := openFixture(t)
	f.LicenceReady(f.ctx, licenceNotice("L-1"))
	f.ReserveLicence(f.ctx, "L-1", applicantID, "k1")
	if _, err := f.ReleaseLicence(f.ctx, "L-1", "k1", "缺纸"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.ReserveLicence(f.ctx, "L-1", applicantID, "k2"); err != nil {
		t.Fatalf("after release: %v", err)
	}
	// k2 crashes mid-print: after the reservation time k1 may print.
	f.clock.Advance(hall.LicenceReservation + time.Second)
	if _, _, err := f.ReserveLicence(f.ctx, "L-1", applicantID, "k1"); err != nil {
		t.Fatalf("after the reservation ran out: %v", err)
	}
	_, err := f.HandOverLicence(f.ctx, "L-1", "k2")
	wantCode(t, err, hall.ECONFLICT, "licence_not_reserved")
}

// Kiosks race to print the same licence: exactly one hands it over, every time.
func TestLicences_RaceHandsOverOnce(t *testing.T) {
	f := openFixture(t)
	for round := 0; round < 50; round++ {
		id := fmt.Sprintf("L-%d", round)
		if _, _, err := f.LicenceReady(f.ctx, licenceNotice(id)); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		won := 0
		for k := 0; k < 8; k++ {
			wg.Add(1)
			go func(dev string) {
				defer wg.Done()
				if _, _, err := f.ReserveLicence(f.ctx, id, applicantID, dev); err != nil {
					if hall.ErrorCode(err) != hall.ECONFLICT {
						t.Errorf("reserve: %v", err)
					}
					return
				}
				if _, err := f.HandOverLicence(f.ctx, id, dev); err != nil {
					if hall.ErrorCode(err) != hall.ECONFLICT {
						t.Errorf("hand over: %v", err)
					}
					return
				}
				mu.Lock()
				won++
				mu.Unlock()
			}(fmt.Sprintf("k%d", k))
		}
		wg.Wait()
		if won != 1 {
			t.Fatalf("round %d: %d kiosks handed the licence over", round, won)
		}
	}
}

func TestLicences_CaseMovesToLicenceReadyAndHandedOver(t *testing.T) {
	f := openFixture(t)
	f.login(t, "c1")
	tk := f.servedTicket(t)
	c, err := f.OpenCase(f.ctx, hall.OpenCaseRequest{CounterID: "c1", TicketID: tk.ID, Name: "李四", IDNumber: applicantID})
	if err != nil {
		t.Fatal(err)
	}
	f.StepCase(f.ctx, c.ID, hall.StepComplete, "c1", "")
	n := licenceNotice("L-9")
	n.CaseID = c.ID
	if _, _, err := f.LicenceReady(f.ctx, n); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.Case(f.ctx, c.ID); got.State != hall.CaseLicenceReady || got.LicenceID != "L-9" {
		t.Fatalf("case after licence: %+v", got)
	}
	f.ReserveLicence(f.ctx, "L-9", applicantID, "k1")
	f.HandOverLicence(f.ctx, "L-9", "k1")
	got, _ := f.Case(f.ctx, c.ID)
	if got.State != hall.CaseHandedOver || got.Nodes[len(got.Nodes)-1].Node != hall.EventCaseHandedOver {
		t.Fatalf("case after handover: %+v", got)
	}
}
