package bolt

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	bbolt "go.etcd.io/bbolt"

	"hall"
)

var _ hall.Desk = (*Store)(nil)

// WaitingFor lists the tickets counter counterID could call: tickets transferred to it first,
// then priority, appointment and normal tickets of its services, each in queue order (the order
// in which waiting tickets of one class are called). ENOTFOUND for an unknown counter.
func (s *Store) WaitingFor(ctx context.Context, counterID string, limit int) ([]hall.Ticket, error) {
	if limit <= 0 || limit > hall.MaxWaitingList {
		limit = hall.MaxWaitingList
	}
	var out []hall.Ticket
	err := s.view(func(tx *bbolt.Tx) error {
		var c hall.Counter
		ok, err := getJSON(tx.Bucket(bucketCounters), []byte(counterID), &c)
		if err != nil {
			return err
		}
		if !ok {
			return notFound("counter_not_found", "窗口", "counter", counterID)
		}
		type entry struct {
			rank     int
			queueKey int64
			id       string
		}
		// Each index range below is in queue order, so the first limit tickets of each range
		// are all the list can need: the work does not grow with the length of the queue.
		var entries []entry
		take := func(cur *bbolt.Cursor, prefix []byte, serviceID string, directed bool, rank int) {
			n := 0
			for k, v := cur.Seek(prefix); k != nil && hasPrefix(k, prefix) && n < limit; k, v = cur.Next() {
				if cand, ok := candidate(serviceID, k[len(prefix):], v, directed); ok {
					entries = append(entries, entry{rank, cand.QueueKey, cand.TicketID})
					n++
				}
			}
		}
		take(tx.Bucket(bucketDirected).Cursor(), joinKey(c.ID, ""), "", true, 0)
		wc := tx.Bucket(bucketWaiting).Cursor()
		for _, svc := range c.Services {
			base := joinKey(svc.ServiceID, "")
			for rank, class := range []byte{classPriority, classAppointment, classNormal} {
				take(wc, append(base[:len(base):len(base)], class), svc.ServiceID, false, rank+1)
			}
		}
		sort.SliceStable(entries, func(i, j int) bool {
			if entries[i].rank != entries[j].rank {
				return entries[i].rank < entries[j].rank
			}
			return entries[i].queueKey < entries[j].queueKey
		})
		tickets := tx.Bucket(bucketTickets)
		for _, e := range entries {
			if len(out) == limit {
				break
			}
			raw := tickets.Get([]byte(e.id))
			if raw == nil {
				return fmt.Errorf("bolt: waiting ticket %s is indexed but missing", e.id)
			}
			var t hall.Ticket
			if err := json.Unmarshal(raw, &t); err != nil {
				return internal("decode waiting ticket", err)
			}
			out = append(out, t)
		}
		return nil
	})
	return out, err
}
