package backend

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"hall"
)

func platformTo(url string, s ApplicantIDs) *Platform {
	return &Platform{URL: url, Secret: testSecret, HallID: "hall-test", IDs: s}
}

// The platform is down while 1,000 cases are made; once it is up every case event arrives
// exactly once in effect, in order per case; the outage is visible in the status meanwhile.
func TestOutbox_BackendDownWhileCasesAreMadeThenUp(t *testing.T) {
	s := openStore(t, storePath(t), 8)
	r, srv := newReceiver(t)
	r.SetMode(ModeFail, 0)
	o, _ := runOutbox(t, s, platformTo(srv.URL, s), 50)
	ids := makeCases(t, s, 8, 1000)
	if len(ids) != 1000 {
		t.Fatalf("%d cases made", len(ids))
	}
	waitFor(t, 10*time.Second, "failures", func() bool {
		st, _ := o.Status(context.Background())
		return st.Failures >= 3
	})
	st, err := o.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := len(platformEvents(t, s))
	if !st.Failing || st.Backlog != want || !strings.Contains(st.LastError, "503") || st.Delivered != 0 {
		t.Fatalf("status during the outage: %+v (want backlog %d)", st, want)
	}
	if r.Stats().Applied != 0 {
		t.Fatal("a failing receiver applied deliveries")
	}
	r.SetMode(ModeOK, 0)
	start := time.Now()
	waitFor(t, 60*time.Second, "every delivery", func() bool { return r.Stats().Applied >= want })
	t.Logf("%d deliveries of 1,000 cases arrived %v after the platform came back (%d requests in all)", want, time.Since(start).Round(time.Millisecond), r.Stats().Requests)
	checkDelivered(t, s, r)
	waitFor(t, 5*time.Second, "an empty backlog", func() bool {
		st, _ := o.Status(context.Background())
		return st.Backlog == 0 && !st.Failing
	})
	// Each case went accepted → processing (→ completed) at the platform too.
	if h := r.CaseHistory(ids[0]); len(h) < 2 || h[0] != hall.EventCaseOpened || h[1] != hall.EventCaseProcessing {
		t.Fatalf("case %s history at the platform: %v", ids[0], h)
	}
}

// lossyAcks delivers through p but reports the first n successes as failures, as when the
// platform applied a batch and the answer was lost.
type lossyAcks struct {
	p    *Platform
	lose atomic.Int32
}

func (l *lossyAcks) Deliver(ctx context.Context, evs []hall.Event) error {
	if err := l.p.Deliver(ctx, evs); err != nil {
		return err
	}
	if l.lose.Add(-1) >= 0 {
		return errors.New("answer lost")
	}
	return nil
}

// A batch applied by the platform whose answer was lost is sent again with the same keys; the
// platform drops the repeats.
func TestOutbox_LostAnswerIsRedeliveredAndDropped(t *testing.T) {
	s := openStore(t, storePath(t), 2)
	r, srv := newReceiver(t)
	makeCases(t, s, 2, 20)
	d := &lossyAcks{p: platformTo(srv.URL, s)}
	d.lose.Store(3)
	runOutbox(t, s, d, 7)
	want := len(platformEvents(t, s))
	waitFor(t, 20*time.Second, "every delivery", func() bool { return r.Stats().Applied >= want && d.lose.Load() < 0 })
	time.Sleep(50 * time.Millisecond)
	checkDelivered(t, s, r)
	if r.Stats().Duplicates < 7 {
		t.Fatalf("duplicates %d: the lost answers were not redelivered", r.Stats().Duplicates)
	}
}

// The server restarts (store closed and reopened from its file) in the middle of delivery:
// delivery resumes from the durable cursor; nothing is lost, nothing applied twice.
func TestOutbox_RestartInTheMiddleOfDelivery(t *testing.T) {
	path := storePath(t)
	s := openStore(t, path, 4)
	r, srv := newReceiver(t)
	makeCases(t, s, 4, 200)
	want := len(platformEvents(t, s))
	r.SetMode(ModeSlow, 5*time.Millisecond)
	_, stop := runOutbox(t, s, platformTo(srv.URL, s), 10)
	waitFor(t, 20*time.Second, "some deliveries", func() bool { return r.Stats().Applied >= want/3 })
	stop()
	s.Close()
	applied := r.Stats().Applied
	if applied >= want {
		t.Fatalf("everything was delivered before the restart (%d): the test proves nothing", applied)
	}
	s2 := openStore(t, path, 4)
	cursor, _ := s2.OutboxCursor(context.Background(), "platform")
	if cursor == 0 {
		t.Fatal("the cursor did not survive the restart")
	}
	r.SetMode(ModeOK, 0)
	makeCases(t, s2, 4, 10) // the hall goes on working after the restart
	want = len(platformEvents(t, s2))
	runOutbox(t, s2, platformTo(srv.URL, s2), 10)
	waitFor(t, 20*time.Second, "every delivery", func() bool { return r.Stats().Applied >= want })
	time.Sleep(50 * time.Millisecond)
	checkDelivered(t, s2, r)
}

// A slow platform: answers slower than the client's timeout fail and are retried; when it
// answers in time everything arrives once. A platform that never answers is the same.
func TestOutbox_SlowAndHangingBackend(t *testing.T) {
	s := openStore(t, storePath(t), 2)
	r, srv := newReceiver(t)
	makeCases(t, s, 2, 30)
	want := len(platformEvents(t, s))
	p := platformTo(srv.URL, s)
	p.Client = srv.Client()
	p.Client.Timeout = 100 * time.Millisecond
	r.SetMode(ModeSlow, 400*time.Millisecond)
	o, _ := runOutbox(t, s, p, 10)
	waitFor(t, 10*time.Second, "a timeout", func() bool {
		st, _ := o.Status(context.Background())
		return st.Failures >= 2 && strings.Contains(st.LastError, "Timeout")
	})
	r.SetMode(ModeTimeout, 0)
	time.Sleep(500 * time.Millisecond) // the slow answers in flight land
	applied := r.Stats().Applied
	time.Sleep(300 * time.Millisecond)
	if r.Stats().Applied != applied {
		t.Fatal("a hanging receiver applied deliveries")
	}
	if st, _ := o.Status(context.Background()); st.Delivered != 0 {
		t.Fatalf("the outbox counted %d deliveries nobody confirmed", st.Delivered)
	}
	r.SetMode(ModeSlow, 20*time.Millisecond)
	waitFor(t, 20*time.Second, "every delivery", func() bool { return r.Stats().Applied >= want })
	time.Sleep(50 * time.Millisecond)
	checkDelivered(t, s, r)
	if applied > 0 && r.Stats().Duplicates == 0 {
		t.Fatal("batches applied during the timeouts were not sent again")
	}
}

// A receiver with another secret refuses every batch: nothing is applied and the outbox keeps
// the batch (and says why).
func TestOutbox_WrongSecretIsRefusedAndKept(t *testing.T) {
	s := openStore(t, storePath(t), 1)
	r, srv := newReceiver(t)
	makeCases(t, s, 1, 3)
	p := platformTo(srv.URL, s)
	p.Secret = []byte("not the secret")
	o, stop := runOutbox(t, s, p, 10)
	waitFor(t, 10*time.Second, "refusals", func() bool { return r.Stats().Rejected >= 2 })
	stop()
	st, _ := o.Status(context.Background())
	if r.Stats().Applied != 0 || st.Cursor != 0 || !strings.Contains(st.LastError, "401") {
		t.Fatalf("status %+v, receiver %+v", st, r.Stats())
	}
}

func TestOutbox_BackoffGrowsWithJitterAndCaps(t *testing.T) {
	o := NewOutbox(OutboxOptions{MinBackoff: 100 * time.Millisecond, MaxBackoff: time.Second})
	for attempt, want := range map[int]time.Duration{1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 3: 400 * time.Millisecond, 5: time.Second, 30: time.Second} {
		seen := map[time.Duration]bool{}
		for i := 0; i < 200; i++ {
			d := o.backoff(attempt)
			if d < want/2 || d > want {
				t.Fatalf("attempt %d: %v outside [%v, %v]", attempt, d, want/2, want)
			}
			seen[d] = true
		}
		if len(seen) < 10 {
			t.Fatalf("attempt %d: no jitter (%d distinct waits)", attempt, len(seen))
		}
	}
}
