package hall

import (
	"context"
	"strings"
	"time"
)

// DeviceKind is what an enrolled device is.
type DeviceKind string

// Device kinds.
const (
	DeviceKiosk   DeviceKind = "kiosk"   // 取号机 at the entrance
	DeviceScreen  DeviceKind = "screen"  // hall or area board, window sign page
	DeviceCounter DeviceKind = "counter" // 窗口叫号终端; a clerk still logs in on it
)

// Valid reports whether k is a known kind.
func (k DeviceKind) Valid() bool {
	return k == DeviceKiosk || k == DeviceScreen || k == DeviceCounter
}

// Device is a kiosk, screen or counter terminal enrolled by an admin. It authenticates with a
// device token that only the enrolment returns; the store keeps a hash of it.
type Device struct {
	ID   string     `json:"id"`
	Name string     `json:"name"`
	Kind DeviceKind `json:"kind"`
	// AreaID ties a screen or kiosk to an area (optional).
	AreaID string `json:"areaId,omitempty"`
	// CounterID ties a counter terminal to its counter (optional).
	CounterID  string    `json:"counterId,omitempty"`
	EnrolledAt time.Time `json:"enrolledAt"`
	// Health is the latest report of each of the device's components, filled in by the devices
	// list (not stored with the device).
	Health []DeviceHealth `json:"health,omitempty"`
}

// Validate checks the device record.
func (d Device) Validate() error {
	if err := validateID("device", d.ID); err != nil {
		return err
	}
	if strings.TrimSpace(d.Name) == "" {
		return Errorf(EINVALID, "device_name", "设备名称不能为空", "the device needs a name")
	}
	if !d.Kind.Valid() {
		return Errorf(EINVALID, "device_kind", "未知设备类型：%q", "unknown device kind: %q", string(d.Kind))
	}
	return nil
}

// Session is what a bearer token stands for: a logged-in staff member or an enrolled device.
// Exactly one of StaffID and DeviceID is set.
type Session struct {
	StaffID string `json:"staffId,omitempty"`
	Role    Role   `json:"role,omitempty"`
	// DeviceID and DeviceKind are set for device tokens, which do not expire.
	DeviceID   string     `json:"deviceId,omitempty"`
	DeviceKind DeviceKind `json:"deviceKind,omitempty"`
	CreatedAt  time.Time  `json:"createdAt"`
	// ExpiresAt is zero for device tokens.
	ExpiresAt time.Time `json:"expiresAt,omitzero"`
}

// Auth keeps staff sessions and device enrolments. Tokens are random and shown once; only their
// hashes are stored, and both survive restarts. Password checks happen above this interface
// (the API hashes and verifies; Staff.PasswordHash is the stored form).
type Auth interface {
	// CreateSession starts a session for staffID lasting ttl and returns its token. ENOTFOUND for
	// an unknown staff member; EFORBIDDEN for a disabled account; EINVALID for ttl ≤ 0.
	CreateSession(ctx context.Context, staffID string, ttl time.Duration) (token string, s Session, err error)
	// Session returns what token stands for. EUNAUTHORIZED for an unknown token (reason
	// "token_invalid"), an expired session ("token_expired"), or a staff member who was since
	// disabled or deleted.
	Session(ctx context.Context, token string) (Session, error)
	// DeleteSession ends the session or device token; deleting an unknown token is not an error.
	DeleteSession(ctx context.Context, token string) error
	// EnrolDevice creates or re-enrols a device and returns its new token; a re-enrolment
	// revokes the old token. EINVALID if the device does not validate.
	EnrolDevice(ctx context.Context, d Device) (token string, out Device, err error)
	Devices(ctx context.Context) ([]Device, error)
	// DeleteDevice removes a device and revokes its token. ENOTFOUND if absent.
	DeleteDevice(ctx context.Context, id string) error
}
