package bolt

import (
	"testing"
	"time"

	"hall"
)

func TestAuth_SessionLifecycle(t *testing.T) {
	f := openFixture(t)
	token, sess, err := f.CreateSession(f.ctx, "s1", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if sess.StaffID != "s1" || sess.Role != hall.RoleClerk || token == "" {
		t.Fatalf("session = %+v, token %q", sess, token)
	}
	got, err := f.Session(f.ctx, token)
	if err != nil || got.StaffID != "s1" {
		t.Fatalf("Session = %+v, %v", got, err)
	}
	t.Run("ErrUnknownToken", func(t *testing.T) {
		if _, err := f.Session(f.ctx, "nope"); hall.ErrorReason(err) != "token_invalid" {
			t.Fatalf("err = %v, want token_invalid", err)
		}
	})
	t.Run("ErrExpired", func(t *testing.T) {
		f.clock.Advance(time.Hour)
		if _, err := f.Session(f.ctx, token); hall.ErrorReason(err) != "token_expired" {
			t.Fatalf("err = %v, want token_expired", err)
		}
		if n, err := f.PruneSessions(f.ctx); err != nil || n != 1 {
			t.Fatalf("PruneSessions = %d, %v; want 1", n, err)
		}
		if _, err := f.Session(f.ctx, token); hall.ErrorReason(err) != "token_invalid" {
			t.Fatalf("after prune err = %v, want token_invalid", err)
		}
	})
	t.Run("ErrDisabledStaff", func(t *testing.T) {
		tok, _, err := f.CreateSession(f.ctx, "s2", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		st, _ := f.Staff(f.ctx, "s2")
		st.Disabled = true
		if err := f.PutStaff(f.ctx, st); err != nil {
			t.Fatal(err)
		}
		if _, err := f.Session(f.ctx, tok); hall.ErrorCode(err) != hall.EUNAUTHORIZED {
			t.Fatalf("err = %v, want unauthorized", err)
		}
		if _, _, err := f.CreateSession(f.ctx, "s2", time.Hour); hall.ErrorCode(err) != hall.EFORBIDDEN {
			t.Fatalf("CreateSession of a disabled account: err = %v, want forbidden", err)
		}
	})
	t.Run("Logout", func(t *testing.T) {
		tok, _, _ := f.CreateSession(f.ctx, "s3", time.Hour)
		if err := f.DeleteSession(f.ctx, tok); err != nil {
			t.Fatal(err)
		}
		if _, err := f.Session(f.ctx, tok); hall.ErrorCode(err) != hall.EUNAUTHORIZED {
			t.Fatalf("err = %v, want unauthorized", err)
		}
	})
}

func TestAuth_DeviceTokensSurviveRestartAndReenrolRevokes(t *testing.T) {
	f := openFixture(t)
	tok1, _, err := f.EnrolDevice(f.ctx, hall.Device{ID: "kiosk-1", Name: "取号机", Kind: hall.DeviceKiosk})
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	g := openFixtureAt(t, f.path, false)
	sess, err := g.Session(g.ctx, tok1)
	if err != nil || sess.DeviceID != "kiosk-1" || sess.DeviceKind != hall.DeviceKiosk || !sess.ExpiresAt.IsZero() {
		t.Fatalf("after restart Session = %+v, %v", sess, err)
	}
	tok2, _, err := g.EnrolDevice(g.ctx, hall.Device{ID: "kiosk-1", Name: "取号机", Kind: hall.DeviceKiosk})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.Session(g.ctx, tok1); hall.ErrorCode(err) != hall.EUNAUTHORIZED {
		t.Fatalf("old token after re-enrolment: err = %v, want unauthorized", err)
	}
	if err := g.DeleteDevice(g.ctx, "kiosk-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := g.Session(g.ctx, tok2); hall.ErrorCode(err) != hall.EUNAUTHORIZED {
		t.Fatalf("token of a deleted device: err = %v, want unauthorized", err)
	}
	if ds, _ := g.Devices(g.ctx); len(ds) != 0 {
		t.Fatalf("devices = %v, want none", ds)
	}
	if _, _, err := g.EnrolDevice(g.ctx, hall.Device{ID: "x", Name: "x", Kind: "toaster"}); hall.ErrorCode(err) != hall.EINVALID {
		t.Fatalf("bad kind: err = %v, want invalid", err)
	}
}

// TestAuth_CachedSessionsAreRevokedAtOnce uses every token before revoking it, so that the answer
// is in the session cache, and checks that the revocation still takes effect at once.
func TestAuth_CachedSessionsAreRevokedAtOnce(t *testing.T) {
	f := openFixture(t)
	use := func(t *testing.T, token string) hall.Session {
		t.Helper()
		for range 2 { // the second answer comes from the cache
			sess, err := f.Session(f.ctx, token)
			if err != nil {
				t.Fatalf("Session before revocation: %v", err)
			}
			if s, _, ok := f.sessions.get(string(tokenHash(token))); !ok || s != sess {
				t.Fatalf("cached = %+v %v, want %+v", s, ok, sess)
			}
		}
		sess, _ := f.Session(f.ctx, token)
		return sess
	}
	revoked := func(t *testing.T, token, reason string) {
		t.Helper()
		if _, err := f.Session(f.ctx, token); hall.ErrorReason(err) != reason {
			t.Fatalf("Session after revocation: err = %v, want %s", err, reason)
		}
	}
	t.Run("Logout", func(t *testing.T) {
		tok, _, _ := f.CreateSession(f.ctx, "s1", time.Hour)
		use(t, tok)
		if err := f.DeleteSession(f.ctx, tok); err != nil {
			t.Fatal(err)
		}
		revoked(t, tok, "token_invalid")
	})
	t.Run("DisabledStaff", func(t *testing.T) {
		tok, _, _ := f.CreateSession(f.ctx, "s2", time.Hour)
		use(t, tok)
		st, _ := f.Staff(f.ctx, "s2")
		st.Disabled = true
		if err := f.PutStaff(f.ctx, st); err != nil {
			t.Fatal(err)
		}
		revoked(t, tok, "token_invalid")
	})
	t.Run("RoleChangeSeenAtOnce", func(t *testing.T) {
		tok, _, _ := f.CreateSession(f.ctx, "s3", time.Hour)
		if sess := use(t, tok); sess.Role != hall.RoleClerk {
			t.Fatalf("role = %s, want clerk", sess.Role)
		}
		st, _ := f.Staff(f.ctx, "s3")
		st.Role = hall.RoleSupervisor
		if err := f.PutStaff(f.ctx, st); err != nil {
			t.Fatal(err)
		}
		if sess, err := f.Session(f.ctx, tok); err != nil || sess.Role != hall.RoleSupervisor {
			t.Fatalf("after role change Session = %+v, %v; want supervisor", sess, err)
		}
	})
	t.Run("Expiry", func(t *testing.T) {
		tok, _, _ := f.CreateSession(f.ctx, "s1", time.Hour)
		use(t, tok)
		f.clock.Advance(time.Hour)
		revoked(t, tok, "token_expired")
	})
	t.Run("DeviceReenrolledAndDeleted", func(t *testing.T) {
		tok1, _, err := f.EnrolDevice(f.ctx, hall.Device{ID: "screen-1", Name: "大屏", Kind: hall.DeviceScreen})
		if err != nil {
			t.Fatal(err)
		}
		use(t, tok1)
		tok2, _, err := f.EnrolDevice(f.ctx, hall.Device{ID: "screen-1", Name: "大屏", Kind: hall.DeviceScreen})
		if err != nil {
			t.Fatal(err)
		}
		revoked(t, tok1, "token_invalid")
		use(t, tok2)
		if err := f.DeleteDevice(f.ctx, "screen-1"); err != nil {
			t.Fatal(err)
		}
		revoked(t, tok2, "token_invalid")
	})
}

// TestSessionCache_StaleReadIsNotStored checks the generation rule: an answer read before an
// invalidation is not cached after it.
func TestSessionCache_StaleReadIsNotStored(t *testing.T) {
	var c sessionCache
	_, gen, ok := c.get("k")
	if ok {
		t.Fatal("empty cache hit")
	}
	c.invalidate() // a commit lands between the read and the store
	c.put("k", hall.Session{DeviceID: "d"}, gen)
	if _, _, ok := c.get("k"); ok {
		t.Fatal("a session read before the invalidation was cached")
	}
	_, gen, _ = c.get("k")
	c.put("k", hall.Session{DeviceID: "d"}, gen)
	if s, _, ok := c.get("k"); !ok || s.DeviceID != "d" {
		t.Fatalf("fresh read not cached: %+v %v", s, ok)
	}
}
