package backend

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"time"

	"hall"
)

// ReceiverMode is how the reference receiver answers.
type ReceiverMode string

// Receiver modes.
const (
	ModeOK      ReceiverMode = "ok"      // apply and answer 200
	ModeFail    ReceiverMode = "fail"    // answer 503 without applying
	ModeTimeout ReceiverMode = "timeout" // hold the request until the client gives up, apply nothing
	ModeSlow    ReceiverMode = "slow"    // wait Delay, then apply and answer 200
)

// Received is one delivery the receiver applied.
type Received struct {
	Delivery
	ReceivedAt time.Time `json:"receivedAt"`
}

// ReceiverStats counts what the receiver saw.
type ReceiverStats struct {
	Requests   int `json:"requests"`
	Applied    int `json:"applied"`
	Duplicates int `json:"duplicates"`
	// Rejected counts requests refused for a bad signature or body.
	Rejected int `json:"rejected"`
	// OutOfOrder counts deliveries of a case older than one already applied for it.
	OutOfOrder int `json:"outOfOrder"`
}

// Receiver is the reference platform endpoint: it verifies signatures, applies each delivery
// once (by idempotency key), checks the order per case, and can be told to fail, time out or
// answer slowly. It keeps what it applied in memory (and in Journal, one JSON line each, when
// set). Safe for concurrent use.
type Receiver struct {
	Secret []byte
	// Journal receives every applied delivery as a JSON line (optional).
	Journal io.Writer
	// Now is the clock for signature checks (default time.Now).
	Now func() time.Time
	// OnApply, if set, is called (outside the lock) with each newly applied delivery.
	OnApply func(Received)

	// mu guards everything below.
	mu       sync.Mutex
	mode     ReceiverMode
	delay    time.Duration
	seen     map[string]bool
	lastSeq  map[string]uint64 // case id → newest seq applied
	applied  []Received
	stats    ReceiverStats
	released chan struct{} // closed to free requests held by ModeTimeout
}

// SetMode switches how the receiver answers; delay is used by ModeSlow.
func (r *Receiver) SetMode(m ReceiverMode, delay time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.mode == ModeTimeout && m != ModeTimeout && r.released != nil {
		close(r.released)
		r.released = nil
	}
	r.mode, r.delay = m, delay
}

// Applied returns the deliveries applied so far, in the order applied.
func (r *Receiver) Applied() []Received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Received(nil), r.applied...)
}

// Stats returns the counters.
func (r *Receiver) Stats() ReceiverStats {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stats
}

// ServeHTTP receives one POSTed Batch.
func (r *Receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	r.mu.Lock()
	r.stats.Requests++
	mode, delay := r.mode, r.delay
	if mode == ModeTimeout && r.released == nil {
		r.released = make(chan struct{})
	}
	released := r.released
	r.mu.Unlock()
	if mode == ModeFail {
		w.Header().Set("Retry-After", "1")
		http.Error(w, "platform unavailable (told to fail)", http.StatusServiceUnavailable)
		return
	}
	body, err := io.ReadAll(io.LimitReader(req.Body, 16<<20))
	if err != nil {
		r.reject(w, http.StatusBadRequest, "unreadable body")
		return
	}
	switch mode {
	case ModeTimeout:
		select {
		case <-req.Context().Done():
		case <-released:
		}
		http.Error(w, "timed out", http.StatusGatewayTimeout)
		return
	case ModeSlow:
		// A slow platform still applies what it received, even when the hall gave up waiting:
		// the hall then sends it again and the repeat is dropped.
		time.Sleep(delay)
	}
	if err := Verify(r.Secret, req.Header, body, now()); err != nil {
		r.reject(w, http.StatusUnauthorized, err.Error())
		return
	}
	var b Batch
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil || b.Schema != SchemaVersion {
		r.reject(w, http.StatusBadRequest, "malformed batch")
		return
	}
	var fresh []Received
	r.mu.Lock()
	if r.seen == nil {
		r.seen, r.lastSeq = map[string]bool{}, map[string]uint64{}
	}
	for _, d := range b.Deliveries {
		if r.seen[d.IdempotencyKey] {
			r.stats.Duplicates++
			continue
		}
		r.seen[d.IdempotencyKey] = true
		if d.CaseID != "" {
			if d.Seq < r.lastSeq[d.CaseID] {
				r.stats.OutOfOrder++
			}
			r.lastSeq[d.CaseID] = max(r.lastSeq[d.CaseID], d.Seq)
		}
		rec := Received{Delivery: d, ReceivedAt: now()}
		r.applied = append(r.applied, rec)
		r.stats.Applied++
		fresh = append(fresh, rec)
		if r.Journal != nil {
			line, _ := json.Marshal(rec)
			r.Journal.Write(append(line, '\n'))
		}
	}
	r.mu.Unlock()
	if r.OnApply != nil {
		for _, rec := range fresh {
			r.OnApply(rec)
		}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]int{"accepted": len(b.Deliveries), "applied": len(fresh)})
}

func (r *Receiver) reject(w http.ResponseWriter, status int, msg string) {
	r.mu.Lock()
	r.stats.Rejected++
	r.mu.Unlock()
	http.Error(w, msg, status)
}

// CaseHistory returns the event types applied for one case, in order.
func (r *Receiver) CaseHistory(caseID string) []hall.EventType {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []hall.EventType
	for _, a := range r.applied {
		if a.CaseID == caseID {
			out = append(out, a.Type)
		}
	}
	return out
}
