package bolt

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"

	bbolt "go.etcd.io/bbolt"

	"hall"
)

// Verify checks the store's invariants in one read transaction and returns every violation found
// (nil when all hold): the event log is gap-free; ticket numbers are unique per service and day;
// each waiting ticket is in exactly the index its fields say and every index entry is a waiting
// ticket; no ticket is at two counters and every called or served ticket is its counter's
// current one; the per-service tallies and open-counter counts match the records. It reads every
// ticket: run it on demand (tests, a maintenance command), not on a hot path.
func (s *Store) Verify(ctx context.Context) error {
	var problems []error
	bad := func(format string, args ...any) {
		if len(problems) < 50 {
			problems = append(problems, fmt.Errorf(format, args...))
		}
	}
	err := s.view(func(tx *bbolt.Tx) error {
		// Event log: keys 1..Sequence, each decoding to its own seq.
		ev := tx.Bucket(bucketEvents)
		want := uint64(1)
		ev.ForEach(func(k, v []byte) error {
			seq := binary.BigEndian.Uint64(k)
			if seq != want {
				bad("event log: found seq %d where %d was expected", seq, want)
			}
			var e hall.Event
			if json.Unmarshal(v, &e) != nil || e.Seq != seq {
				bad("event %d: undecodable or wrong seq %d", seq, e.Seq)
			}
			want = seq + 1
			return nil
		})
		if want-1 != ev.Sequence() {
			bad("event log ends at %d but the sequence is %d", want-1, ev.Sequence())
		}

		// Tickets.
		type numberKey struct {
			day     hall.Day
			service string
			number  int
			virtual bool
		}
		numbers := map[numberKey]string{}
		issued := map[string]int{}
		lastNumber := map[string]int{}
		atCounter := map[string]string{} // ticket id -> counter id
		waiting := map[string]bool{}
		tx.Bucket(bucketTickets).ForEach(func(k, v []byte) error {
			var t hall.Ticket
			if err := json.Unmarshal(v, &t); err != nil {
				bad("ticket %s: %v", k, err)
				return nil
			}
			if t.TransferredFrom == "" {
				nk := numberKey{t.Day, t.ServiceID, t.Number, t.Virtual}
				if other, dup := numbers[nk]; dup {
					bad("number %s of %s on %s issued twice: %s and %s", t.Code, t.ServiceID, t.Day, other, t.ID)
				}
				numbers[nk] = t.ID
				tallyKey := string(joinKey(string(t.Day), t.ServiceID))
				if t.Virtual {
					tallyKey = string(joinKey(string(t.Day), t.ServiceID, "virtual"))
				}
				issued[tallyKey]++
				lastNumber[tallyKey] = max(lastNumber[tallyKey], t.Number)
			}
			switch t.State {
			case hall.TicketWaiting:
				waiting[t.ID] = true
				b, key := indexKey(&t)
				if tx.Bucket(b).Get(key) == nil {
					bad("waiting ticket %s (%s) is missing from the %s index", t.ID, t.Code, b)
				}
			case hall.TicketCalled, hall.TicketServing:
				atCounter[t.ID] = t.CounterID
			case hall.TicketHeld:
				if tx.Bucket(bucketHeld).Get(joinKey(t.CounterID, t.ID)) == nil {
					bad("held ticket %s is missing from the held index", t.ID)
				}
			}
			return nil
		})
		for _, b := range [][]byte{bucketWaiting, bucketDirected} {
			tx.Bucket(b).ForEach(func(k, _ []byte) error {
				if len(k) < 17 {
					bad("%s index: short key %q", b, k)
					return nil
				}
				id := string(k[len(k)-17:])
				if !waiting[id] {
					bad("%s index lists %s, which is not waiting", b, id)
				}
				delete(waiting, id) // each ticket indexed once
				return nil
			})
		}
		for k, n := range issued {
			var d hall.ServiceDay
			getJSON(tx.Bucket(bucketSvcDay), []byte(k), &d)
			if d.Issued != n || d.LastNumber < lastNumber[k] {
				bad("tally %q says %d issued up to %d; tickets say %d up to %d", k, d.Issued, d.LastNumber, n, lastNumber[k])
			}
		}

		// Counters.
		open := map[string]uint32{}
		current := map[string]string{}
		tx.Bucket(bucketCounters).ForEach(func(k, v []byte) error {
			var c hall.Counter
			if err := json.Unmarshal(v, &c); err != nil {
				bad("counter %s: %v", k, err)
				return nil
			}
			if c.Open() {
				for _, s := range c.Services {
					open[s.ServiceID]++
				}
			}
			if c.State == hall.CounterServing {
				if other, dup := current[c.TicketID]; dup {
					bad("ticket %s is current at counters %s and %s", c.TicketID, other, c.ID)
				}
				current[c.TicketID] = c.ID
				if atCounter[c.TicketID] != c.ID {
					bad("counter %s serves %s, but that ticket is not called or served there", c.ID, c.TicketID)
				}
			} else if c.TicketID != "" {
				bad("counter %s is %s but holds ticket %s", c.ID, c.State, c.TicketID)
			}
			return nil
		})
		for id, cid := range atCounter {
			if current[id] != cid {
				bad("ticket %s is called or served at %s, which does not hold it", id, cid)
			}
		}
		tx.Bucket(bucketServices).ForEach(func(k, _ []byte) error {
			if got := openCount(tx, string(k)); got != open[string(k)] {
				bad("service %s: open-counter count %d, counters say %d", k, got, open[string(k)])
			}
			return nil
		})
		return nil
	})
	if err != nil {
		return err
	}
	return errors.Join(problems...)
}
