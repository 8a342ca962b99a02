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
