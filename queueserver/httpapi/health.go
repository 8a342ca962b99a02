package httpapi

import (
	"context"
	"net/http"

	"hall"
)

// devices are the roles of enrolled devices, which report their own health.
var devices = []Role{RoleKiosk, RoleScreen, RoleCounter}

// HealthReport is the body of POST /devices/self/health: one component's state.
type HealthReport struct {
	Component string            `json:"component"`
	Status    hall.HealthStatus `json:"status"`
	Reason    string            `json:"reason,omitempty"`
	Detail    string            `json:"detail,omitempty"`
}

// reportHealth records the calling device's component state (printer out of paper, reader
// unplugged) and publishes it as a device.health event.
func (s *Server) reportHealth(w http.ResponseWriter, r *http.Request, p Principal) error {
	var req HealthReport
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if s.cfg.Health == nil {
		return hall.Errorf(hall.EUNAVAILABLE, "health_unavailable", "服务器未启用设备状态", "device health is not enabled on this server")
	}
	h, err := s.cfg.Health.ReportHealth(r.Context(), hall.DeviceHealth{
		DeviceID: p.DeviceID, Component: req.Component, Status: req.Status, Reason: req.Reason, Detail: req.Detail,
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, h)
	return nil
}

// withHealth attaches each device's latest component reports to the device list.
func (s *Server) withHealth(ctx context.Context, ds []hall.Device) ([]hall.Device, error) {
	if s.cfg.Health == nil {
		return ds, nil
	}
	hs, err := s.cfg.Health.DeviceHealth(ctx)
	if err != nil {
		return nil, err
	}
	byDevice := map[string][]hall.DeviceHealth{}
	for _, h := range hs {
		byDevice[h.DeviceID] = append(byDevice[h.DeviceID], h)
	}
	for i := range ds {
		ds[i].Health = byDevice[ds[i].ID]
	}
	return ds, nil
}

// ReportHealth tells the server the state of one of the calling device's components (device
// token only). Errors: EINVALID for a malformed report, EFORBIDDEN for a staff token.
func (c *Client) ReportHealth(ctx context.Context, r HealthReport) (hall.DeviceHealth, error) {
	var out hall.DeviceHealth
	err := c.do(ctx, http.MethodPost, "/api/v1/devices/self/health", r, &out)
	return out, err
}
