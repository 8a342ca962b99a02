package terminal

import (
	"context"
	"testing"
	"time"

	"hall"
	"hall/queueserver/httpapi"
)

// TestTerminal_ReportsDeviceHealth: with a counter device token, a sign that stops working is
// reported as a fault (and the clerk told), and as working again once it answers.
func TestTerminal_ReportsDeviceHealth(t *testing.T) {
	h := startHall(t)
	ctx := context.Background()
	admin := h.admin()
	enrol, err := admin.EnrolDevice(ctx, httpapi.DeviceRequest{ID: "counter-w01", Name: "1 号窗口终端", Kind: hall.DeviceCounter, CounterID: "w01"})
	if err != nil {
		t.Fatal(err)
	}
	r := newRigWith(t, h, false, func(o *Options) { o.DeviceToken = enrol.Token; o.NoRatingAtFinish = true })
	health := func(component string) hall.HealthStatus {
		ds, err := admin.Devices(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range ds {
			if d.ID != "counter-w01" {
				continue
			}
			for _, hh := range d.Health {
				if hh.Component == component {
					return hh.Status
				}
			}
		}
		return ""
	}
	waitHealth := func(component string, want hall.HealthStatus) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for health(component) != want {
			if time.Now().After(deadline) {
				t.Fatalf("%s health %q, want %q", component, health(component), want)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	waitHealth(hall.ComponentSign, hall.HealthOK)
	waitHealth(hall.ComponentScanner, hall.HealthOK)
	waitHealth(hall.ComponentPad, hall.HealthOK)
	if got := r.pad.IdleText(); got != "1号窗口 工号1001" {
		t.Fatalf("pad idle text %q", got)
	}

	w01, _ := r.admin.Counter(ctx, "w01")
	r.issue(w01.Services[0].ServiceID)
	r.waitFor("waiting", func(s Snapshot) bool { return len(s.Waiting) == 1 && !s.Busy })
	r.sign.SetFault(true)
	r.tap(btnCall)
	r.waitFor("the sign fault told", func(s Snapshot) bool { return !s.Busy && s.Current != nil && s.Notice != "" })
	if s := r.term.State(); s.Notice[:len("窗口屏 故障")] != "窗口屏 故障" {
		t.Fatalf("notice %q", s.Notice)
	}
	waitHealth(hall.ComponentSign, hall.HealthFault)
	r.sign.SetFault(false)
	r.tap(btnFinish)
	waitHealth(hall.ComponentSign, hall.HealthOK)
}
