package bolt

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	bbolt "go.etcd.io/bbolt"

	"hall"
)

// wtx is one step's view of the shared write transaction. Steps write only through its methods,
// so that the writer knows whether a failed step touched the transaction.
type wtx struct {
	s   *Store
	tx  *bbolt.Tx
	now time.Time
	cfg *hallConfig

	wrote       bool
	authChanged bool // a session, staff member or device was written: empty the session cache
	events      []hall.Event
	afterCommit []func()
	cfgChanged  *hallConfig
}

func (w *wtx) hall() hall.Hall                  { return w.cfg.hall }
func (w *wtx) loc() *time.Location              { return w.cfg.loc }
func (w *wtx) today() hall.Day                  { return hall.DayOf(w.now, w.cfg.loc) }
func (w *wtx) bucket(name []byte) *bbolt.Bucket { return w.tx.Bucket(name) }

// get decodes key of bucket into v; false when absent.
func (w *wtx) get(bucket, key []byte, v any) (bool, error) {
	return getJSON(w.tx.Bucket(bucket), key, v)
}

// put encodes v as JSON under key.
func (w *wtx) put(bucket, key []byte, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		w.wrote = true
		return internal("encode", err)
	}
	return w.putRaw(bucket, key, b)
}

// putRaw stores val under key.
func (w *wtx) putRaw(bucket, key, val []byte) error {
	w.wrote = true
	w.noteAuth(bucket)
	if err := w.tx.Bucket(bucket).Put(key, val); err != nil {
		return internal("put "+string(bucket), err)
	}
	return nil
}

// del removes key.
func (w *wtx) del(bucket, key []byte) error {
	w.wrote = true
	w.noteAuth(bucket)
	if err := w.tx.Bucket(bucket).Delete(key); err != nil {
		return internal("delete "+string(bucket), err)
	}
	return nil
}

// noteAuth marks the step when bucket holds what a session resolves from.
func (w *wtx) noteAuth(bucket []byte) {
	if bytes.Equal(bucket, bucketSessions) || bytes.Equal(bucket, bucketStaff) || bytes.Equal(bucket, bucketDevices) {
		w.authChanged = true
	}
}

// emit appends e to the event log with the next sequence number; it is published after commit.
func (w *wtx) emit(e hall.Event) error {
	w.wrote = true
	b := w.tx.Bucket(bucketEvents)
	seq, err := b.NextSequence()
	if err != nil {
		return internal("event sequence", err)
	}
	e.Seq = seq
	if e.At.IsZero() {
		e.At = w.now
	}
	if e.Day == "" {
		e.Day = w.today()
	}
	b.FillPercent = 1 // append only
	if err := w.put(bucketEvents, seqKey(seq), e); err != nil {
		return err
	}
	if err := w.countFigures(e); err != nil {
		return err
	}
	w.events = append(w.events, e)
	return nil
}

// getJSON decodes key of b into v; false when absent.
func getJSON(b *bbolt.Bucket, key []byte, v any) (bool, error) {
	raw := b.Get(key)
	if raw == nil {
		return false, nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return true, internal(fmt.Sprintf("decode %q", key), err)
	}
	return true, nil
}

func seqKey(seq uint64) []byte { return binary.BigEndian.AppendUint64(nil, seq) }

// joinKey joins key parts with 0x00, which no id contains.
func joinKey(parts ...string) []byte {
	n := len(parts)
	for _, p := range parts {
		n += len(p)
	}
	k := make([]byte, 0, n)
	for i, p := range parts {
		if i > 0 {
			k = append(k, 0)
		}
		k = append(k, p...)
	}
	return k
}

// idHash is the keyed hash that finds the same person again without storing the ID number.
func (s *Store) idHash(idNumber string) string {
	m := hmac.New(sha256.New, s.idKey)
	m.Write([]byte(idNumber))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// newToken returns an unguessable token of 128 random bits.
func newToken() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return hex.EncodeToString(b)
}

// newTicketToken returns a ticket's mobile access token: the ticket id's digits, so that
// tokens are written in key order at the end of their bucket (a random key would dirty a page of
// its own in every commit), then 128 random bits, which make it unguessable.
func newTicketToken(ticketID string) string {
	return strings.ReplaceAll(ticketID, "-", "") + newToken()
}

// dayID makes a sortable id "20261122-00000042" from a day and a sequence number.
func dayID(d hall.Day, n uint64) string {
	b := make([]byte, 0, 17)
	for i := 0; i < len(d); i++ {
		if d[i] != '-' {
			b = append(b, d[i])
		}
	}
	return fmt.Sprintf("%s-%08d", b, n)
}

// dayOfID returns the day an id made by dayID belongs to.
func dayOfID(id string) hall.Day {
	if len(id) < 8 {
		return ""
	}
	return hall.Day(id[0:4] + "-" + id[4:6] + "-" + id[6:8])
}
