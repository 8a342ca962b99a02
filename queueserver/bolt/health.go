package bolt

import (
	"bytes"
	"context"

	"hall"
)

// bucketHealth holds the latest health report of every device component:
// device id 0x00 component → hall.DeviceHealth.
var bucketHealth = []byte("health")

func healthKey(deviceID, component string) []byte {
	return append(append([]byte(deviceID), 0), component...)
}

// ReportHealth records the latest state of one device component and publishes a device.health
// event in the same transaction. EINVALID for a malformed report; ENOTFOUND for a device that is
// not enrolled (a deleted kiosk whose token was revoked cannot get here anyway).
func (s *Store) ReportHealth(ctx context.Context, h hall.DeviceHealth) (hall.DeviceHealth, error) {
	if err := h.Validate(); err != nil {
		return hall.DeviceHealth{}, err
	}
	err := s.update(ctx, func(w *wtx) error {
		var dev deviceRecord
		ok, err := w.get(bucketDevices, []byte(h.DeviceID), &dev)
		if err != nil {
			return err
		}
		if !ok {
			return notFound("device_not_found", "设备", "device", h.DeviceID)
		}
		h.At = w.now
		if err := w.put(bucketHealth, healthKey(h.DeviceID, h.Component), h); err != nil {
			return err
		}
		hc := h
		return w.emit(hall.Event{Type: hall.EventDeviceHealth, At: w.now, AreaID: dev.Device.AreaID, CounterID: dev.Device.CounterID, Health: &hc, Note: h.Component + ":" + string(h.Status)})
	})
	if err != nil {
		return hall.DeviceHealth{}, err
	}
	return h, nil
}

// DeviceHealth lists the latest report of every device component, ordered by device then
// component.
func (s *Store) DeviceHealth(ctx context.Context) ([]hall.DeviceHealth, error) {
	return list[hall.DeviceHealth](s, bucketHealth)
}

// deleteHealth removes every health report of a device (when it is deleted).
func (w *wtx) deleteHealth(deviceID string) error {
	prefix := healthKey(deviceID, "")
	var keys [][]byte
	c := w.bucket(bucketHealth).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		keys = append(keys, append([]byte(nil), k...))
	}
	for _, k := range keys {
		if err := w.del(bucketHealth, k); err != nil {
			return err
		}
	}
	return nil
}
