package bolt

import (
	"encoding/binary"
	"encoding/json"
	"sync"
	"testing"
	"time"

	bbolt "go.etcd.io/bbolt"

	"hall"
)

// A key sent by many callers at once — the copies share a batch — acts once, and every caller
// gets the first result. Run over many rounds.
func TestIdempotency_SameKeyInOneBatchActsOnce(t *testing.T) {
	f := openFixture(t)
	f.login(t, "c1")
	for round := range 30 {
		seq := f.lastSeq(t)
		ctx := hall.WithIdempotencyKey(f.ctx, "kiosk-1:round-"+string(rune('a'+round%26))+string(rune('a'+round/26)))
		var wg sync.WaitGroup
		ids := make([]string, 8)
		errs := make([]error, 8)
		for i := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				tk, err := f.IssueTicket(ctx, hall.IssueRequest{ServiceID: "shebao", Channel: hall.ChannelTap})
				ids[i], errs[i] = tk.ID, err
			}()
		}
		wg.Wait()
		for i := range ids {
			if errs[i] != nil || ids[i] != ids[0] {
				t.Fatalf("round %d caller %d: %s, %v; want the one ticket %s", round, i, ids[i], errs[i], ids[0])
			}
		}
		if got := f.lastSeq(t) - seq; got != 1 {
			t.Fatalf("round %d: %d events for one key, want 1", round, got)
		}
	}
	f.verify(t)
}

// The index is rebuilt from the file: a retry after a restart answers the first result.
func TestIdempotency_RetryAfterRestart(t *testing.T) {
	f := openFixture(t)
	f.login(t, "c1")
	f.issue(t, hall.IssueRequest{ServiceID: "shebao"})
	ctx := hall.WithIdempotencyKey(f.ctx, "terminal-1:call-7")
	first, err := f.CallNext(ctx, "c1", false)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	g := openFixtureAt(t, f.path, false)
	seq := g.lastSeq(t)
	again, err := g.CallNext(ctx, "c1", false)
	if err != nil || again.ID != first.ID {
		t.Fatalf("retry after restart: %+v %v, want %s", again, err, first.ID)
	}
	if g.lastSeq(t) != seq {
		t.Fatal("the retry after a restart acted again")
	}
	if _, err := g.Recall(ctx, "c1"); hall.ErrorReason(err) != "idempotency_key_reused" {
		t.Fatalf("key reused for another operation after a restart: %v", err)
	}
}

// Records are written in time order, and the day close prunes the ones past the retention from
// the front of the log and from the index: a key that old acts anew.
func TestIdempotency_LogOrderAndPruning(t *testing.T) {
	f := openFixture(t)
	f.login(t, "c4")
	old := hall.WithIdempotencyKey(f.ctx, "kiosk-1:old")
	first, err := f.IssueTicket(old, hall.IssueRequest{ServiceID: "gjj", Channel: hall.ChannelTap})
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(IdempotencyRetention + time.Hour)
	recent := hall.WithIdempotencyKey(f.ctx, "kiosk-1:recent")
	kept, err := f.IssueTicket(recent, hall.IssueRequest{ServiceID: "gjj", Channel: hall.ChannelTap})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	f.db.View(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketIdemLog).ForEach(func(k, _ []byte) error {
			keys = append(keys, string(k[8:]))
			return nil
		})
	})
	if len(keys) != 2 || keys[0] != "kiosk-1:old" || keys[1] != "kiosk-1:recent" {
		t.Fatalf("log order %q, want old then recent", keys)
	}
	if err := f.update(f.ctx, func(w *wtx) error { return w.pruneIdempotency() }); err != nil {
		t.Fatal(err)
	}
	if tk, err := f.IssueTicket(recent, hall.IssueRequest{ServiceID: "gjj", Channel: hall.ChannelTap}); err != nil || tk.ID != kept.ID {
		t.Fatalf("a recent key after the prune: %+v %v, want %s", tk, err, kept.ID)
	}
	tk, err := f.IssueTicket(old, hall.IssueRequest{ServiceID: "gjj", Channel: hall.ChannelTap})
	if err != nil || tk.ID == first.ID {
		t.Fatalf("a pruned key: %+v %v, want a new ticket", tk, err)
	}
	f.verify(t)
}

// A file of schema 6 keeps its records in the keyed bucket: opening it moves them to the log,
// where they still answer retries.
func TestIdempotency_MigratesTheKeyedBucket(t *testing.T) {
	f := openFixture(t)
	f.login(t, "c4")
	ctx := hall.WithIdempotencyKey(f.ctx, "kiosk-1:before-upgrade")
	first, err := f.IssueTicket(ctx, hall.IssueRequest{ServiceID: "gjj", Channel: hall.ChannelTap})
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	// Put the file back as schema 6 wrote it: the record under its key, version 6.
	db, err := bbolt.Open(f.path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bbolt.Tx) error {
		log := tx.Bucket(bucketIdemLog)
		k, v := log.Cursor().First()
		var rec idemRecord
		if err := json.Unmarshal(v, &rec); err != nil {
			return err
		}
		legacy, err := tx.CreateBucket(bucketIdemLegacy)
		if err != nil {
			return err
		}
		if err := legacy.Put(append([]byte(nil), k[8:]...), append([]byte(nil), v...)); err != nil {
			return err
		}
		if err := tx.DeleteBucket(bucketIdemLog); err != nil {
			return err
		}
		return tx.Bucket(bucketMeta).Put(metaSchema, binary.BigEndian.AppendUint32(nil, 6))
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	g := openFixtureAt(t, f.path, false)
	seq := g.lastSeq(t)
	again, err := g.IssueTicket(ctx, hall.IssueRequest{ServiceID: "gjj", Channel: hall.ChannelTap})
	if err != nil || again.ID != first.ID || g.lastSeq(t) != seq {
		t.Fatalf("retry after the upgrade: %+v %v, want %s without acting", again, err, first.ID)
	}
	g.db.View(func(tx *bbolt.Tx) error {
		if tx.Bucket(bucketIdemLegacy) != nil {
			t.Error("the keyed bucket is still there")
		}
		return nil
	})
}
