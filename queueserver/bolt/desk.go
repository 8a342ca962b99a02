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
		var entries []entry
		dp := joinKey(c.ID, "")
		cur := tx.Bucket(bucketDirected).Cursor()
		for k, v := cur.Seek(dp); k != nil && hasPrefix(k, dp); k, v = cur.Next() {
			if cand, ok := candidate("", k[len(dp):], v, true); ok {
				entries = append(entries, entry{0, cand.QueueKey, cand.TicketID})
			}
		}
		rank := map[byte]int{classPriority: 1, classAppointment: 2, classNormal: 3}
		wc := tx.Bucket(bucketWaiting).Cursor()
		for _, svc := range c.Services {
			base := joinKey(svc.ServiceID, "")
			for k, v := wc.Seek(base); k != nil && hasPrefix(k, base); k, v = wc.Next() {
				if len(k) <= len(base) {
					continue
				}
				class := k[len(base)]
				if cand, ok := candidate(svc.ServiceID, k[len(base)+1:], v, false); ok {
					entries = append(entries, entry{rank[class], cand.QueueKey, cand.TicketID})
				}
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
