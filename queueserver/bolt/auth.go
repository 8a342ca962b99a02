package bolt

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"time"

	bbolt "go.etcd.io/bbolt"

	"hall"
)

var _ hall.Auth = (*Store)(nil)

// Buckets added by schema version 2 (see migrations in schema.go).
var (
	bucketSessions = []byte("sessions") // sha256(token) hex → hall.Session (staff sessions and device tokens)
	bucketDevices  = []byte("devices")  // device id → deviceRecord
)

// deviceRecord is a device with the hash of its current token.
type deviceRecord struct {
	hall.Device
	TokenHash string `json:"tokenHash"`
}

// tokenHash is how a token is stored: its SHA-256. Tokens carry 128 random bits, so a plain
// hash suffices (no salt or stretching needed to resist guessing).
func tokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return []byte(hex.EncodeToString(h[:]))
}

var errTokenInvalid = hall.Errorf(hall.EUNAUTHORIZED, "token_invalid", "登录凭证无效，请重新登录", "the credentials are not valid; please log in again")

// CreateSession starts a staff session lasting ttl. ENOTFOUND for an unknown staff member;
// EFORBIDDEN for a disabled account; EINVALID for ttl ≤ 0.
func (s *Store) CreateSession(ctx context.Context, staffID string, ttl time.Duration) (string, hall.Session, error) {
	if ttl <= 0 {
		return "", hall.Session{}, hall.Errorf(hall.EINVALID, "session_ttl", "会话有效期无效", "the session lifetime must be positive")
	}
	token := newToken()
	var out hall.Session
	err := s.update(ctx, func(w *wtx) error {
		var st hall.Staff
		ok, err := w.get(bucketStaff, []byte(staffID), &st)
		if err != nil {
			return err
		}
		if !ok {
			return notFound("staff_not_found", "工作人员", "staff member", staffID)
		}
		if st.Disabled {
			return hall.Errorf(hall.EFORBIDDEN, "staff_disabled", "账号 %s 已停用", "account %s is disabled", staffID)
		}
		out = hall.Session{StaffID: st.ID, Role: st.Role, CreatedAt: w.now, ExpiresAt: w.now.Add(ttl)}
		return w.put(bucketSessions, tokenHash(token), out)
	})
	if err != nil {
		return "", hall.Session{}, err
	}
	return token, out, nil
}

// Session returns what token stands for. EUNAUTHORIZED for an unknown token, an expired
// session, or a staff member since disabled or deleted (the role is read afresh each time).
//
// Answers are cached in memory; every commit that changes a session, a staff member or a device
// empties the cache before the step that made it returns, so a logout, a revoked device token or
// a disabled account takes effect at once. Expiry is checked on every use.
func (s *Store) Session(ctx context.Context, token string) (hall.Session, error) {
	if token == "" {
		return hall.Session{}, errTokenInvalid
	}
	now := s.now()
	key := tokenHash(token)
	sess, gen, ok := s.sessions.get(string(key))
	if ok {
		if err := checkExpiry(sess, now); err != nil {
			return hall.Session{}, err
		}
		return sess, nil
	}
	var out hall.Session
	err := s.view(func(tx *bbolt.Tx) error {
		ok, err := getJSON(tx.Bucket(bucketSessions), key, &out)
		if err != nil {
			return err
		}
		if !ok {
			return errTokenInvalid
		}
		if out.StaffID != "" {
			var st hall.Staff
			ok, err := getJSON(tx.Bucket(bucketStaff), []byte(out.StaffID), &st)
			if err != nil {
				return err
			}
			if !ok || st.Disabled {
				return errTokenInvalid
			}
			out.Role = st.Role
		}
		return nil
	})
	if err != nil {
		return hall.Session{}, err
	}
	s.sessions.put(string(key), out, gen)
	if err := checkExpiry(out, now); err != nil {
		return hall.Session{}, err
	}
	return out, nil
}

// checkExpiry refuses a session whose time is up.
func checkExpiry(sess hall.Session, now time.Time) error {
	if !sess.ExpiresAt.IsZero() && !now.Before(sess.ExpiresAt) {
		return hall.Errorf(hall.EUNAUTHORIZED, "token_expired", "登录已过期，请重新登录", "the session has expired; please log in again")
	}
	return nil
}

// maxCachedSessions bounds the session cache; it is emptied when full.
const maxCachedSessions = 4096

// sessionCache remembers resolved sessions by token hash. An entry read from a transaction that
// began before an invalidation must not be stored after it: get returns the generation, and put
// stores only if no invalidation happened since.
type sessionCache struct {
	// mu guards gen and m.
	mu  sync.Mutex
	gen uint64
	m   map[string]hall.Session
}

// get returns the cached session of key, and the generation to hand to put on a miss.
func (c *sessionCache) get(key string) (hall.Session, uint64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	sess, ok := c.m[key]
	return sess, c.gen, ok
}

// put caches sess under key if nothing was invalidated since generation gen.
func (c *sessionCache) put(key string, sess hall.Session, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if c.m == nil || len(c.m) >= maxCachedSessions {
		c.m = make(map[string]hall.Session)
	}
	c.m[key] = sess
}

// invalidate forgets every cached session. The writer calls it after a commit that touched the
// sessions, staff or devices bucket, before answering the steps of that commit.
func (c *sessionCache) invalidate() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.m = nil
}

// DeleteSession ends a session or revokes a device token; an unknown token is not an error.
func (s *Store) DeleteSession(ctx context.Context, token string) error {
	return s.update(ctx, func(w *wtx) error {
		k := tokenHash(token)
		if w.bucket(bucketSessions).Get(k) == nil {
			return nil
		}
		return w.del(bucketSessions, k)
	})
}

// PruneSessions forgets staff sessions that expired before now and returns how many.
func (s *Store) PruneSessions(ctx context.Context) (int, error) {
	n := 0
	err := s.update(ctx, func(w *wtx) error {
		n = 0
		var old [][]byte
		w.bucket(bucketSessions).ForEach(func(k, v []byte) error {
			var sess hall.Session
			if getJSON(w.bucket(bucketSessions), k, &sess); !sess.ExpiresAt.IsZero() && !w.now.Before(sess.ExpiresAt) {
				old = append(old, append([]byte(nil), k...))
			}
			return nil
		})
		for _, k := range old {
			if err := w.del(bucketSessions, k); err != nil {
				return err
			}
		}
		n = len(old)
		return nil
	})
	return n, err
}

// EnrolDevice creates or re-enrols a device and returns its new token, revoking any previous
// token of the device. EINVALID if the device does not validate.
func (s *Store) EnrolDevice(ctx context.Context, d hall.Device) (string, hall.Device, error) {
	if err := d.Validate(); err != nil {
		return "", hall.Device{}, err
	}
	token := newToken()
	err := s.update(ctx, func(w *wtx) error {
		var old deviceRecord
		ok, err := w.get(bucketDevices, []byte(d.ID), &old)
		if err != nil {
			return err
		}
		d.EnrolledAt = w.now
		if ok && old.TokenHash != "" {
			if err := w.del(bucketSessions, []byte(old.TokenHash)); err != nil {
				return err
			}
		}
		h := tokenHash(token)
		if err := w.put(bucketDevices, []byte(d.ID), deviceRecord{Device: d, TokenHash: string(h)}); err != nil {
			return err
		}
		return w.put(bucketSessions, h, hall.Session{DeviceID: d.ID, DeviceKind: d.Kind, CreatedAt: w.now})
	})
	if err != nil {
		return "", hall.Device{}, err
	}
	return token, d, nil
}

// Devices lists the enrolled devices.
func (s *Store) Devices(ctx context.Context) ([]hall.Device, error) {
	recs, err := list[deviceRecord](s, bucketDevices)
	out := make([]hall.Device, len(recs))
	for i, r := range recs {
		out[i] = r.Device
	}
	return out, err
}

// DeleteDevice removes a device and revokes its token. ENOTFOUND if absent.
func (s *Store) DeleteDevice(ctx context.Context, id string) error {
	return s.update(ctx, func(w *wtx) error {
		var rec deviceRecord
		ok, err := w.get(bucketDevices, []byte(id), &rec)
		if err != nil {
			return err
		}
		if !ok {
			return notFound("device_not_found", "设备", "device", id)
		}
		if rec.TokenHash != "" {
			if err := w.del(bucketSessions, []byte(rec.TokenHash)); err != nil {
				return err
			}
		}
		if err := w.deleteHealth(id); err != nil {
			return err
		}
		return w.del(bucketDevices, []byte(id))
	})
}
