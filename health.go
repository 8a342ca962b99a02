package hall

import (
	"context"
	"time"
)

// HealthStatus is how a device component is doing.
type HealthStatus string

// Health statuses.
const (
	HealthOK      HealthStatus = "ok"      // working
	HealthWarning HealthStatus = "warning" // working, needs attention soon (paper near end)
	HealthFault   HealthStatus = "fault"   // not working (paper out, cover open, unplugged)
)

// Valid reports whether s is a known status.
func (s HealthStatus) Valid() bool { return s == HealthOK || s == HealthWarning || s == HealthFault }

// Device components that report health. Other components may be named (letters, digits, '-' and
// '_'); these are the ones the kiosk and counter apps use.
const (
	ComponentPrinter = "printer" // ticket printer
	ComponentIDCard  = "idcard"  // ID card reader
	ComponentScanner = "scanner" // barcode / QR scanner
	ComponentSign    = "sign"    // LED window sign
	ComponentPad     = "pad"     // rating pad
)

// DeviceHealth is one component's latest state as its device reported it: a kiosk's printer out
// of paper, a counter's rating pad unplugged. The server keeps the latest report per device and
// component, shows it in the devices list and publishes each report as a device.health event.
type DeviceHealth struct {
	DeviceID  string       `json:"deviceId"`
	Component string       `json:"component"`
	Status    HealthStatus `json:"status"`
	// Reason is a code for programs, e.g. "paper_out", "cover_open", "offline" ("" when ok).
	Reason string `json:"reason,omitempty"`
	// Detail is a short free text for the hall staff (no personal data).
	Detail string `json:"detail,omitempty"`
	// At is when the server recorded the report.
	At time.Time `json:"at"`
}

// Validate checks a report's shape; DeviceID and At are set by the server.
func (h DeviceHealth) Validate() error {
	if !validComponent(h.Component) {
		return Errorf(EINVALID, "health_component", "部件名称应为 1 到 32 个字母、数字、- 或 _：%q",
			"the component must be 1 to 32 letters, digits, '-' or '_': %q", h.Component)
	}
	if !h.Status.Valid() {
		return Errorf(EINVALID, "health_status", "未知状态：%q（应为 ok、warning 或 fault）",
			"unknown status %q (want ok, warning or fault)", string(h.Status))
	}
	if len(h.Reason) > 64 || !validCode(h.Reason) {
		return Errorf(EINVALID, "health_reason", "原因代码应为不超过 64 个小写字母、数字或 _", "the reason must be at most 64 lower-case letters, digits or '_'")
	}
	if len([]rune(h.Detail)) > 200 {
		return Errorf(EINVALID, "health_detail", "说明过长（最多 200 字）", "the detail is too long (200 characters at most)")
	}
	return nil
}

func validComponent(s string) bool {
	if len(s) < 1 || len(s) > 32 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

func validCode(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

// EventDeviceHealth is published when a device reports a component's health.
const EventDeviceHealth EventType = "device.health"

// DeviceHealthStore keeps the latest health report of every device component.
type DeviceHealthStore interface {
	// ReportHealth records h (At is set to now) and publishes a device.health event in the same
	// step. EINVALID for a malformed report; ENOTFOUND when the device is not enrolled.
	ReportHealth(ctx context.Context, h DeviceHealth) (DeviceHealth, error)
	// DeviceHealth lists the latest report of every device component, by device then component.
	DeviceHealth(ctx context.Context) ([]DeviceHealth, error)
}
