package bolt

import (
	"context"
	"crypto/cipher"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	bbolt "go.etcd.io/bbolt"

	"hall"
)

// Options configure a Store. The zero value is usable.
type Options struct {
	// Now is the clock (default time.Now). Tests inject a fixed or stepping clock.
	Now func() time.Time
	// Publish receives the events of each commit, in sequence order, after the commit is durable.
	// It is called by the writer goroutine and must not block (hand off to a hub).
	Publish func([]hall.Event)
	// MaxBatch caps how many steps share one transaction (default 512).
	MaxBatch int
	// Logger receives store faults (default slog.Default()).
	Logger *slog.Logger
	// SealKey is the 32-byte AES-256 key that seals the full ID numbers of cases at rest. Without
	// it, cases can still be opened but not with a full ID number (EUNAVAILABLE).
	SealKey []byte
	// OpenTimeout bounds the wait for the file lock held by another process (default 5 s).
	OpenTimeout time.Duration
}

// Store is Hall's durable store. Open it, use it from any goroutine, Close it.
type Store struct {
	db      *bbolt.DB
	now     func() time.Time
	publish func([]hall.Event)
	log     *slog.Logger
	idKey   []byte
	sealer  cipher.AEAD // nil without Options.SealKey

	maxBatch int
	requests chan *request
	quit     chan struct{}
	stopped  chan struct{}

	closeOnce sync.Once
	closeErr  error

	// Writer-owned state: touched only by the writer goroutine.
	cachedHall *hallConfig
	idem       idemIndex

	// sessions caches Session answers; the writer empties it (see sessionCache).
	sessions sessionCache

	stats struct {
		batches, steps atomic.Uint64
	}
}

// hallConfig is the decoded hall with its zone.
type hallConfig struct {
	hall hall.Hall
	loc  *time.Location
}

// request is one step waiting for the writer.
type request struct {
	ctx  context.Context
	fn   func(*wtx) error
	done chan error // buffered 1
	// claimed is set by whoever takes the request first: the writer (to run it) or the caller
	// (to abandon it on context cancellation before it ran).
	claimed atomic.Bool
}

var errClosed = hall.Errorf(hall.EUNAVAILABLE, "store_closed", "服务正在关闭，请稍后重试", "the server is shutting down; try again shortly")

// Open opens (creating if needed) the store at path, runs pending schema migrations and starts
// the writer. It fails if another process holds the file, if the file is newer than this program,
// or if the file is corrupt.
func Open(path string, opts Options) (*Store, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = 512
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.OpenTimeout <= 0 {
		opts.OpenTimeout = 5 * time.Second
	}
	sealer, err := newSealer(opts.SealKey)
	if err != nil {
		return nil, err
	}
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{
		Timeout: opts.OpenTimeout,
		// The freelist is rebuilt at open instead of written at every commit: fewer pages per fsync.
		NoFreelistSync: true,
		FreelistType:   bbolt.FreelistMapType,
	})
	if err != nil {
		return nil, fmt.Errorf("bolt: open %s: %w", path, err)
	}
	s := &Store{
		db: db, sealer: sealer, now: opts.Now, publish: opts.Publish, log: opts.Logger, maxBatch: opts.MaxBatch,
		requests: make(chan *request, 4096), quit: make(chan struct{}), stopped: make(chan struct{}),
	}
	if err := db.Update(func(tx *bbolt.Tx) error {
		ran, err := migrate(tx, migrations, SchemaVersion)
		if err != nil {
			return err
		}
		for _, name := range ran {
			s.log.Info("bolt: migrated", "step", name)
		}
		meta := tx.Bucket(bucketMeta)
		if meta.Get(metaHall) == nil {
			b, _ := json.Marshal(hall.DefaultHall())
			if err := meta.Put(metaHall, b); err != nil {
				return err
			}
		}
		key := meta.Get(metaIDKey)
		if key == nil {
			key = make([]byte, 32)
			if _, err := rand.Read(key); err != nil {
				return err
			}
			if err := meta.Put(metaIDKey, key); err != nil {
				return err
			}
		}
		s.idKey = append([]byte(nil), key...)
		s.idem = loadIdemIndex(tx)
		return nil
	}); err != nil {
		db.Close()
		return nil, err
	}
	go s.writer()
	return s, nil
}

// Path returns the data file's path.
func (s *Store) Path() string { return s.db.Path() }

// Close stops the writer after the steps already taken, refuses new ones with EUNAVAILABLE, and
// closes the file. It is idempotent.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		close(s.quit)
		<-s.stopped
		s.closeErr = s.db.Close()
	})
	return s.closeErr
}

// updateOut is update for a step that returns a value in *out: with an idempotency key in ctx
// (hall.WithIdempotencyKey) a repeated key returns the stored value without running fn again,
// and a success stores its value in the same transaction.
func (s *Store) updateOut(ctx context.Context, out any, fn func(*wtx) error) error {
	key := hall.IdempotencyKey(ctx)
	if key == "" {
		return s.update(ctx, fn)
	}
	return s.update(ctx, func(w *wtx) error {
		if rec, ok, err := w.getIdem(key); err != nil {
			return err
		} else if ok {
			if rec.Op != opName(ctx) {
				return hall.Errorf(hall.ECONFLICT, "idempotency_key_reused", "重复使用的请求标识", "the idempotency key was used for another request")
			}
			if err := json.Unmarshal(rec.Result, out); err != nil {
				return internal("decode idempotent result", err)
			}
			return nil
		}
		if err := fn(w); err != nil {
			return err
		}
		res, err := json.Marshal(out)
		if err != nil {
			w.wrote = true
			return internal("encode idempotent result", err)
		}
		return w.putIdem(key, idemRecord{Op: opName(ctx), At: w.now, Result: res})
	})
}

// idemRecord is a stored first result of an idempotent step.
type idemRecord struct {
	Op     string          `json:"op"`
	At     time.Time       `json:"at"`
	Result json.RawMessage `json:"result"`
}

type opNameKey struct{}

// withOp names the operation a step performs, so that a key reused for another operation is refused.
func withOp(ctx context.Context, name string) context.Context {
	return context.WithValue(ctx, opNameKey{}, name)
}

func opName(ctx context.Context) string {
	n, _ := ctx.Value(opNameKey{}).(string)
	return n
}

// update runs fn as one durable step: it returns once fn's changes are committed (nil) or
// abandoned (an error; nothing changed).
func (s *Store) update(ctx context.Context, fn func(*wtx) error) error {
	r := &request{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case <-s.quit:
		return errClosed
	default:
	}
	select {
	case s.requests <- r:
	case <-s.quit:
		return errClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-r.done:
		return err
	case <-ctx.Done():
		if r.claimed.CompareAndSwap(false, true) {
			return ctx.Err() // the writer will skip it: it never ran
		}
		return <-r.done // already running: its outcome is the truth
	case <-s.stopped:
		// Close raced our enqueue: the writer is gone. Unless it took the request before it
		// stopped (then the answer is already in r.done), nobody ever will.
		if r.claimed.CompareAndSwap(false, true) {
			return errClosed
		}
		return <-r.done
	}
}

// writer is the single goroutine that owns every write.
func (s *Store) writer() {
	defer close(s.stopped)
	batch := make([]*request, 0, s.maxBatch)
	for {
		batch = batch[:0]
		select {
		case r := <-s.requests:
			batch = append(batch, r)
		case <-s.quit:
			s.drainClosed()
			return
		}
	fill:
		for len(batch) < s.maxBatch {
			select {
			case r := <-s.requests:
				batch = append(batch, r)
			default:
				break fill
			}
		}
		s.runBatch(batch)
	}
}

// drainClosed refuses every request still queued at Close.
func (s *Store) drainClosed() {
	for {
		select {
		case r := <-s.requests:
			if r.claimed.CompareAndSwap(false, true) {
				r.done <- errClosed
			}
		default:
			return
		}
	}
}

// errPoisoned marks a batch that must be re-run one step at a time.
var errPoisoned = errors.New("bolt: a failed step wrote before failing")

// runBatch runs the claimed requests of batch in one transaction and one commit.
func (s *Store) runBatch(batch []*request) {
	live := batch[:0:0]
	for _, r := range batch {
		if r.claimed.CompareAndSwap(false, true) {
			live = append(live, r)
		}
	}
	if len(live) == 0 {
		return
	}
	results, events, err := s.runTx(live)
	if errors.Is(err, errPoisoned) {
		for _, r := range live {
			res, ev, err := s.runTx([]*request{r})
			if err != nil {
				res = []error{err}
			}
			s.finish([]*request{r}, res, ev)
		}
		return
	}
	if err != nil {
		for i := range results {
			results[i] = err
		}
		events = nil
	}
	s.finish(live, results, events)
}

// finish publishes the committed events and answers the callers.
func (s *Store) finish(reqs []*request, results []error, events []hall.Event) {
	if len(events) > 0 && s.publish != nil {
		s.publish(events)
	}
	for i, r := range reqs {
		r.done <- results[i]
	}
}

// runTx runs reqs in one write transaction. It returns each step's result, the events of the
// steps that succeeded, and an error when the whole transaction failed (nothing committed).
func (s *Store) runTx(reqs []*request) (results []error, events []hall.Event, err error) {
	s.stats.batches.Add(1)
	s.stats.steps.Add(uint64(len(reqs)))
	tx, err := s.db.Begin(true)
	if err != nil {
		return make([]error, len(reqs)), nil, internal("begin", err)
	}
	s.idem.abortedTx() // what an earlier, rolled back transaction left
	cfg := s.cachedHall
	results = make([]error, len(reqs))
	var afterCommit []func()
	authChanged := false
	for i, r := range reqs {
		if r.ctx.Err() != nil {
			results[i] = r.ctx.Err()
			continue
		}
		w := &wtx{s: s, tx: tx, now: s.now()}
		if cfg == nil {
			if cfg, err = loadHallConfig(tx); err != nil {
				tx.Rollback()
				return results, nil, err
			}
		}
		w.cfg = cfg
		err := runStep(r.fn, w)
		if err != nil {
			if w.wrote {
				tx.Rollback()
				if len(reqs) == 1 {
					return []error{err}, nil, nil
				}
				return results, nil, errPoisoned
			}
			results[i] = err
			continue
		}
		events = append(events, w.events...)
		afterCommit = append(afterCommit, w.afterCommit...)
		authChanged = authChanged || w.authChanged
		if w.cfgChanged != nil {
			cfg = w.cfgChanged
		}
	}
	if len(events) == 0 && len(afterCommit) == 0 && !anyWrote(results) {
		// Only failures or read-only steps: nothing to make durable.
		tx.Rollback()
		return results, nil, nil
	}
	if err := tx.Commit(); err != nil {
		s.cachedHall = nil
		if authChanged {
			s.sessions.invalidate()
		}
		return results, nil, internal("commit", err)
	}
	s.cachedHall = cfg
	s.idem.committedTx()
	if authChanged {
		s.sessions.invalidate()
	}
	for _, f := range afterCommit {
		f()
	}
	return results, events, nil
}

// anyWrote is true when some step succeeded (it may have written without an event).
func anyWrote(results []error) bool {
	for _, r := range results {
		if r == nil {
			return true
		}
	}
	return false
}

// runStep runs fn and turns a panic into an internal error that poisons the transaction.
func runStep(fn func(*wtx) error, w *wtx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			w.wrote = true
			err = internal("step panicked", fmt.Errorf("%v", p))
		}
	}()
	return fn(w)
}

// internal wraps a storage fault: logged in full by the caller, shown to people as a generic error.
func internal(what string, err error) error {
	return fmt.Errorf("bolt: %s: %w", what, err)
}

// view runs fn in a read-only transaction.
func (s *Store) view(fn func(tx *bbolt.Tx) error) error {
	return s.db.View(fn)
}

// BatchStats reports how many transactions and steps the writer has run (for metrics and tests).
func (s *Store) BatchStats() (batches, steps uint64) {
	return s.stats.batches.Load(), s.stats.steps.Load()
}

func loadHallConfig(tx *bbolt.Tx) (*hallConfig, error) {
	var h hall.Hall
	if ok, err := getJSON(tx.Bucket(bucketMeta), metaHall, &h); err != nil || !ok {
		return nil, internal("load hall", fmt.Errorf("found %v: %w", ok, err))
	}
	loc, err := h.Location()
	if err != nil {
		return nil, err
	}
	return &hallConfig{hall: h, loc: loc}, nil
}
