package bolt

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"time"

	bbolt "go.etcd.io/bbolt"
)

// Idempotency records live in bucketIdemLog under (time of the step, key): written in key
// order at the end of the bucket, so a batch of steps dirties one page for all of its records
// instead of one random page each, and the day close prunes old records from the front. The
// lookup from a caller's key to its record is an index in memory, owned by the writer goroutine:
// built at Open from the bucket, extended after each commit, and shrunk after each prune.

// idemIndex maps idempotency keys to their record's key in bucketIdemLog. Writer-owned.
type idemIndex struct {
	committed map[string][]byte
	// pending holds the records written by the transaction in progress (a key used twice in
	// one batch finds its first use here); it is merged at commit and dropped otherwise.
	pending map[string][]byte
}

// loadIdemIndex reads the index from the bucket.
func loadIdemIndex(tx *bbolt.Tx) idemIndex {
	ix := idemIndex{committed: map[string][]byte{}, pending: map[string][]byte{}}
	tx.Bucket(bucketIdemLog).ForEach(func(k, _ []byte) error {
		if len(k) > 8 {
			ix.committed[string(k[8:])] = append([]byte(nil), k...)
		}
		return nil
	})
	return ix
}

// lookup returns the record key of an idempotency key, or nil.
func (ix *idemIndex) lookup(key string) []byte {
	if lk, ok := ix.pending[key]; ok {
		return lk
	}
	return ix.committed[key]
}

// committedTx merges the pending records after a commit; abortedTx drops them.
func (ix *idemIndex) committedTx() {
	for k, lk := range ix.pending {
		ix.committed[k] = lk
	}
	clear(ix.pending)
}

func (ix *idemIndex) abortedTx() { clear(ix.pending) }

// idemLogKey is the record key of key stored at t: 8 bytes of Unix nanoseconds, then the key.
func idemLogKey(t time.Time, key string) []byte {
	return append(binary.BigEndian.AppendUint64(nil, uint64(t.UnixNano())), key...)
}

// getIdem reads the stored record of key (false when there is none).
func (w *wtx) getIdem(key string) (idemRecord, bool, error) {
	lk := w.s.idem.lookup(key)
	if lk == nil {
		return idemRecord{}, false, nil
	}
	raw := w.bucket(bucketIdemLog).Get(lk)
	if raw == nil {
		return idemRecord{}, false, internal("idempotency record", errors.New("indexed but not stored"))
	}
	var rec idemRecord
	if err := json.Unmarshal(raw, &rec); err != nil {
		return idemRecord{}, false, internal("decode idempotency record", err)
	}
	return rec, true, nil
}

// putIdem stores key's record at the end of the log.
func (w *wtx) putIdem(key string, rec idemRecord) error {
	lk := idemLogKey(w.now, key)
	if err := w.put(bucketIdemLog, lk, rec); err != nil {
		return err
	}
	w.s.idem.pending[key] = lk
	return nil
}

// pruneIdempotency forgets idempotency records older than IdempotencyRetention: a prefix of the
// log. The index forgets them once the transaction has committed.
func (w *wtx) pruneIdempotency() error {
	limit := binary.BigEndian.AppendUint64(nil, uint64(w.now.Add(-IdempotencyRetention).UnixNano()))
	var old [][]byte
	c := w.bucket(bucketIdemLog).Cursor()
	for k, _ := c.First(); k != nil && bytes.Compare(k, limit) < 0; k, _ = c.Next() {
		old = append(old, append([]byte(nil), k...))
	}
	for _, k := range old {
		if err := w.del(bucketIdemLog, k); err != nil {
			return err
		}
	}
	if len(old) > 0 {
		ix := &w.s.idem
		w.afterCommit = append(w.afterCommit, func() {
			for _, k := range old {
				if cur, ok := ix.committed[string(k[8:])]; ok && bytes.Equal(cur, k) {
					delete(ix.committed, string(k[8:]))
				}
			}
		})
	}
	return nil
}

// migrateIdemLog moves the records of the keyed bucket of schema 6 into the log.
func migrateIdemLog(tx *bbolt.Tx) error {
	log, err := tx.CreateBucketIfNotExists(bucketIdemLog)
	if err != nil {
		return err
	}
	old := tx.Bucket(bucketIdemLegacy)
	if old == nil {
		return nil
	}
	if err := old.ForEach(func(k, v []byte) error {
		var rec idemRecord
		if err := json.Unmarshal(v, &rec); err != nil {
			return nil // an unreadable record answers no retry either way
		}
		return log.Put(idemLogKey(rec.At, string(k)), v)
	}); err != nil {
		return err
	}
	return tx.DeleteBucket(bucketIdemLegacy)
}
