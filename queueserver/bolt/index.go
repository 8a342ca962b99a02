package bolt

import (
	"encoding/binary"
	"sort"
	"time"

	bbolt "go.etcd.io/bbolt"

	"hall"
)

// Waiting-index classes: the calling rule needs the head of the normal and priority lines of each
// service and every waiting appointment ticket (there are few).
const (
	classAppointment = 'a'
	classNormal      = 'n'
	classPriority    = 'p'
)

// orderKey turns a signed queue key into 8 bytes that sort like the numbers.
func orderKey(k int64) []byte { return binary.BigEndian.AppendUint64(nil, uint64(k)^(1<<63)) }

func fromOrderKey(b []byte) int64 { return int64(binary.BigEndian.Uint64(b) ^ (1 << 63)) }

func classOf(t *hall.Ticket) byte {
	switch {
	case !t.AppointmentFrom.IsZero():
		return classAppointment
	case t.Priority != hall.PriorityNone:
		return classPriority
	}
	return classNormal
}

// indexKey is where a waiting ticket sits: in its service's line, or in the line of the one
// counter it was transferred to.
func indexKey(t *hall.Ticket) (bucket, key []byte) {
	if t.TargetCounterID != "" {
		k := append(joinKey(t.TargetCounterID, ""), orderKey(t.QueueKey)...)
		return bucketDirected, append(k, t.ID...)
	}
	k := append(joinKey(t.ServiceID, ""), classOf(t))
	k = append(k, orderKey(t.QueueKey)...)
	return bucketWaiting, append(k, t.ID...)
}

// indexValue is the entry: flags (bit 0 priority) and the appointment slot start (Unix ns, 0 none).
func indexValue(t *hall.Ticket) []byte {
	v := make([]byte, 9)
	if t.Priority != hall.PriorityNone {
		v[0] = 1
	}
	if !t.AppointmentFrom.IsZero() {
		binary.BigEndian.PutUint64(v[1:], uint64(t.AppointmentFrom.UnixNano()))
	}
	return v
}

func (w *wtx) enqueue(t *hall.Ticket) error {
	b, k := indexKey(t)
	return w.putRaw(b, k, indexValue(t))
}

func (w *wtx) dequeue(t *hall.Ticket) error {
	b, k := indexKey(t)
	return w.del(b, k)
}

// candidate decodes an index entry whose key starts with a prefix of length plen followed by an
// optional class byte.
func candidate(serviceID string, rest, v []byte, directed bool) (hall.Candidate, bool) {
	if len(rest) < 9 || len(v) != 9 {
		return hall.Candidate{}, false
	}
	c := hall.Candidate{
		ServiceID: serviceID, QueueKey: fromOrderKey(rest[:8]), TicketID: string(rest[8:]),
		Priority: v[0]&1 == 1, Directed: directed,
	}
	if ns := int64(binary.BigEndian.Uint64(v[1:])); ns != 0 {
		c.AppointmentFrom = time.Unix(0, ns)
	}
	return c, true
}

// candidates gathers what the calling rule needs for counter c: tickets transferred to it, and per
// service the head of the normal and priority lines plus every waiting appointment ticket.
func candidates(tx *bbolt.Tx, c *hall.Counter) []hall.Candidate {
	var out []hall.Candidate
	dp := joinKey(c.ID, "")
	cur := tx.Bucket(bucketDirected).Cursor()
	for k, v := cur.Seek(dp); k != nil && hasPrefix(k, dp); k, v = cur.Next() {
		if cand, ok := candidate("", k[len(dp):], v, true); ok {
			out = append(out, cand)
		}
	}
	wc := tx.Bucket(bucketWaiting).Cursor()
	for _, s := range c.Services {
		base := joinKey(s.ServiceID, "")
		for _, class := range []byte{classNormal, classPriority, classAppointment} {
			p := append(append([]byte(nil), base...), class)
			for k, v := wc.Seek(p); k != nil && hasPrefix(k, p); k, v = wc.Next() {
				if cand, ok := candidate(s.ServiceID, k[len(p):], v, false); ok {
					out = append(out, cand)
				}
				if class != classAppointment {
					break // only the head of the line matters
				}
			}
		}
	}
	return out
}

// waitingKeys returns the queue keys of every ticket waiting in a service, ascending.
func waitingKeys(tx *bbolt.Tx, serviceID string) []int64 {
	var keys []int64
	base := joinKey(serviceID, "")
	cur := tx.Bucket(bucketWaiting).Cursor()
	for k, _ := cur.Seek(base); k != nil && hasPrefix(k, base); k, _ = cur.Next() {
		if len(k) >= len(base)+9 {
			keys = append(keys, fromOrderKey(k[len(base)+1:len(base)+9]))
		}
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	return keys
}

// waitingCount counts tickets waiting in a service's line.
func waitingCount(tx *bbolt.Tx, serviceID string) int {
	n := 0
	base := joinKey(serviceID, "")
	cur := tx.Bucket(bucketWaiting).Cursor()
	for k, _ := cur.Seek(base); k != nil && hasPrefix(k, base); k, _ = cur.Next() {
		n++
	}
	return n
}
