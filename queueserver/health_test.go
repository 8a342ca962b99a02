package main

import (
	"context"
	"strings"
	"testing"

	"hall"
	"hall/queueserver/httpapi"
)

// TestMain_DeviceHealth: a kiosk reports its printer out of paper; the report is in the devices
// list, on the event feed as device.health and in /metrics; a later ok replaces it; bad reports
// are refused with a code and change nothing; staff cannot report.
func TestMain_DeviceHealth(t *testing.T) {
	s := newServer(t)
	ctx := context.Background()
	tok := s.roleTokens(t)
	kiosk := s.as(tok[httpapi.RoleKiosk])
	sub := s.as(tok[httpapi.RoleScreen]).Subscribe(ctx, httpapi.SubscribeOptions{Since: s.lastSeq(t)})
	defer sub.Close()

	got, err := kiosk.ReportHealth(ctx, httpapi.HealthReport{Component: hall.ComponentPrinter, Status: hall.HealthFault, Reason: "paper_out", Detail: "缺纸"})
	if err != nil {
		t.Fatal(err)
	}
	if got.DeviceID != "test-kiosk" || got.At.IsZero() {
		t.Fatalf("report = %+v", got)
	}
	m := next(t, sub)
	e, err := m.Event()
	if err != nil || e.Type != hall.EventDeviceHealth || e.Health == nil || e.Health.Reason != "paper_out" || e.Health.DeviceID != "test-kiosk" {
		t.Fatalf("event = %+v %v", e, err)
	}

	for _, bad := range []httpapi.HealthReport{
		{Component: "", Status: hall.HealthOK},
		{Component: "printer", Status: "broken"},
		{Component: "printer", Status: hall.HealthFault, Reason: "Paper Out!"},
		{Component: "打印机", Status: hall.HealthOK},
	} {
		_, err := kiosk.ReportHealth(ctx, bad)
		if hall.ErrorCode(err) != hall.EINVALID {
			t.Errorf("%+v: err = %v, want invalid", bad, err)
		}
	}
	if _, err := s.admin.ReportHealth(ctx, httpapi.HealthReport{Component: "printer", Status: hall.HealthOK}); hall.ErrorCode(err) != hall.EFORBIDDEN {
		t.Errorf("admin report: err = %v, want forbidden", err)
	}

	ds, err := s.admin.Devices(ctx)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, d := range ds {
		if d.ID == "test-kiosk" {
			found = len(d.Health) == 1 && d.Health[0].Status == hall.HealthFault && d.Health[0].Reason == "paper_out"
		}
	}
	if !found {
		t.Fatalf("devices list lacks the printer fault: %+v", ds)
	}
	_, _, body := raw(t, "GET", s.URL()+"/metrics", "", "")
	if want := `hall_device_health{component="printer",device="test-kiosk",reason="paper_out",status="fault"} 1`; !strings.Contains(string(body), want) {
		t.Errorf("metrics lack %q", want)
	}

	if _, err := kiosk.ReportHealth(ctx, httpapi.HealthReport{Component: hall.ComponentPrinter, Status: hall.HealthOK}); err != nil {
		t.Fatal(err)
	}
	_, _, body = raw(t, "GET", s.URL()+"/metrics", "", "")
	if want := `hall_device_health{component="printer",device="test-kiosk",reason="",status="ok"} 1`; !strings.Contains(string(body), want) {
		t.Errorf("metrics lack %q after the ok", want)
	}

	// A deleted device takes its health with it.
	if err := s.admin.DeleteDevice(ctx, "test-kiosk"); err != nil {
		t.Fatal(err)
	}
	hs, err := s.Store().DeviceHealth(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hs {
		if h.DeviceID == "test-kiosk" {
			t.Fatalf("health of a deleted device kept: %+v", h)
		}
	}
}
