package bolt

import (
	"context"
	"encoding/json"

	bbolt "go.etcd.io/bbolt"

	"hall"
)

var _ hall.Events = (*Store)(nil)

// MaxEventsPage caps one read of the event log.
const MaxEventsPage = 10000

// EventsSince returns up to limit events with Seq > since, in order (limit ≤ 0 or above
// MaxEventsPage means MaxEventsPage).
func (s *Store) EventsSince(ctx context.Context, since uint64, limit int) ([]hall.Event, error) {
	if limit <= 0 || limit > MaxEventsPage {
		limit = MaxEventsPage
	}
	var out []hall.Event
	err := s.view(func(tx *bbolt.Tx) error {
		cur := tx.Bucket(bucketEvents).Cursor()
		for k, v := cur.Seek(seqKey(since + 1)); k != nil && len(out) < limit; k, v = cur.Next() {
			var e hall.Event
			if err := json.Unmarshal(v, &e); err != nil {
				return internal("decode event", err)
			}
			out = append(out, e)
		}
		return nil
	})
	return out, err
}

// LastSeq returns the newest event's sequence number (0 for an empty log).
func (s *Store) LastSeq(ctx context.Context) (uint64, error) {
	var n uint64
	err := s.view(func(tx *bbolt.Tx) error {
		n = tx.Bucket(bucketEvents).Sequence()
		return nil
	})
	return n, err
}
