package bolt

import (
	"context"
	"time"

	bbolt "go.etcd.io/bbolt"

	"hall"
)

// Slots lists a service's appointment slots on day with their live bookings, for the booking
// page. ENOTFOUND for an unknown service; EINVALID for a malformed day.
func (s *Store) Slots(ctx context.Context, serviceID string, day hall.Day) ([]hall.SlotAvailability, error) {
	if _, err := day.Start(time.UTC); err != nil {
		return nil, err
	}
	svc, err := s.Service(ctx, serviceID)
	if err != nil {
		return nil, err
	}
	h, err := s.Hall(ctx)
	if err != nil {
		return nil, err
	}
	loc, err := h.Location()
	if err != nil {
		return nil, err
	}
	now := s.now()
	var out []hall.SlotAvailability
	err = s.view(func(tx *bbolt.Tx) error {
		for _, sl := range svc.Slots {
			booked := slotCount(tx, slotKey(svc.ID, day, sl.Start))
			out = append(out, hall.SlotAvailabilityOf(svc, sl, day, booked, now, loc))
		}
		return nil
	})
	return out, err
}
