package ratingpad

import (
	"context"
	"errors"
	goldenfile "hall/drivers/internal/golden"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"hall/drivers"
	"hall/drivers/internal/playback"
	"hall/drivers/lineproto"
	"hall/drivers/sim"
)

const fastPoll = 5 * time.Millisecond

// withSim starts a simulated pad (address 02) on a pipe and a Pad driver on the other end.
func withSim(t *testing.T) (*Pad, *sim.RatingPad, *playback.Recorder) {
	t.Helper()
	dev := sim.NewRatingPad(0x02)
	host, devEnd := net.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { dev.Serve(ctx, devEnd); close(done) }()
	rec := &playback.Recorder{Port: host}
	p, err := New(rec, Options{Addr: 0x02, Timeout: 500 * time.Millisecond, PollInterval: fastPoll})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		p.Close()
		cancel()
		devEnd.Close()
		<-done
	})
	return p, dev, rec
}

// waitPending waits until the simulated pad asks for a rating.
func waitPending(t *testing.T, dev *sim.RatingPad) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for {
		if _, _, ok := dev.Pending(); ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the pad never got the request")
		}
		time.Sleep(time.Millisecond)
	}
}

// rate runs Rate in the background.
func rate(p *Pad, req drivers.RatingRequest) <-chan result {
	ch := make(chan result, 1)
	go func() {
		s, err := p.Rate(context.Background(), req)
		ch <- result{s, err}
	}()
	return ch
}

type result struct {
	s   drivers.Score
	err error
}

func TestPad_RatingRoundTrip(t *testing.T) {
	for l := drivers.VerySatisfied; l <= drivers.VeryDissatisfied; l++ {
		t.Run(l.String(), func(t *testing.T) {
			p, dev, _ := withSim(t)
			ch := rate(p, drivers.RatingRequest{Ticket: "A001", Staff: "0427", Timeout: 30 * time.Second})
			waitPending(t, dev)
			if ticket, staff, _ := dev.Pending(); ticket != "A001" || staff != "0427" {
				t.Errorf("pad asks for %q by %q", ticket, staff)
			}
			if err := dev.PressKey(l); err != nil {
				t.Fatal(err)
			}
			r := <-ch
			if r.err != nil || r.s != (drivers.Score{Ticket: "A001", Level: l}) {
				t.Errorf("Rate = %+v, %v; want level %d", r.s, r.err, l)
			}
		})
	}
}

func TestPad_OutcomesOtherThanAScore(t *testing.T) {
	tests := []struct {
		name string
		act  func(*Pad, *sim.RatingPad) error
		want error
	}{
		{"visitor cancels on the pad", func(_ *Pad, d *sim.RatingPad) error { return d.PressCancel() }, drivers.ErrRatingCancelled},
		{"clerk cancels", func(p *Pad, _ *sim.RatingPad) error { return p.Cancel(context.Background()) }, drivers.ErrRatingCancelled},
		{"pad times out", func(_ *Pad, d *sim.RatingPad) error { return d.Expire() }, drivers.ErrRatingTimeout},
		{"another request replaces it", func(p *Pad, _ *sim.RatingPad) error {
			_, err := p.do(context.Background(), "RATE", "B002", "0427", "30")
			return err
		}, drivers.ErrRatingCancelled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, dev, _ := withSim(t)
			ch := rate(p, drivers.RatingRequest{Ticket: "A001", Staff: "0427"})
			waitPending(t, dev)
			if err := tt.act(p, dev); err != nil {
				t.Fatal(err)
			}
			if r := <-ch; !errors.Is(r.err, tt.want) {
				t.Errorf("Rate = %+v, %v; want %v", r.s, r.err, tt.want)
			}
		})
	}
}

// The pad's own clock runs out: it reports TIMEOUT.
func TestPad_PadClockTimeout(t *testing.T) {
	p, dev, _ := withSim(t)
	var mu sync.Mutex
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.Local)
	dev.SetClock(func() time.Time { mu.Lock(); defer mu.Unlock(); return now })
	ch := rate(p, drivers.RatingRequest{Ticket: "A001", Staff: "0427", Timeout: 10 * time.Second})
	waitPending(t, dev)
	mu.Lock()
	now = now.Add(10 * time.Second)
	mu.Unlock()
	if r := <-ch; !errors.Is(r.err, drivers.ErrRatingTimeout) {
		t.Errorf("Rate = %v, want ErrRatingTimeout", r.err)
	}
}

// Cancelling the context withdraws the request on the pad.
func TestPad_ContextCancelSendsCancel(t *testing.T) {
	p, dev, _ := withSim(t)
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan error, 1)
	go func() {
		_, err := p.Rate(ctx, drivers.RatingRequest{Ticket: "A001", Staff: "0427"})
		ch <- err
	}()
	waitPending(t, dev)
	cancel()
	if err := <-ch; !errors.Is(err, context.Canceled) {
		t.Errorf("Rate = %v, want context.Canceled", err)
	}
	if _, _, ok := dev.Pending(); ok {
		t.Error("the pad still asks after the context was cancelled")
	}
	if h := dev.History(); h[len(h)-1] != "CANCEL" {
		t.Errorf("history %q, want CANCEL last", h)
	}
}

// Each command and its reply, byte for byte, including every POLL answer.
func TestPad_GoldenConversations(t *testing.T) {
	p, dev, rec := withSim(t)
	ctx := context.Background()
	poll := func() error { _, err := p.do(ctx, "POLL"); return err }
	steps := []struct {
		name string
		do   func() error
	}{
		{"ping_first_syncs_with_seq_00", func() error { return p.Ping(ctx) }},
		{"idle", func() error { return p.Idle(ctx, "欢迎光临 3号窗口 张㛃") }},
		{"poll_none", poll},
		{"rate", func() error { _, err := p.do(ctx, "RATE", "A001", "0427", "30"); return err }},
		{"poll_wait", poll},
		{"poll_score", func() error { dev.PressKey(drivers.Satisfied); return poll() }},
		{"poll_timeout", func() error { p.do(ctx, "RATE", "A002", "0427", "30"); rec.Take(); dev.Expire(); return poll() }},
		{"cancel", func() error { p.do(ctx, "RATE", "A003", "0427", "30"); rec.Take(); return p.Cancel(ctx) }},
		{"poll_cancel", poll},
		{"err_range", func() error { _, err := p.do(ctx, "RATE", "A004", "0427", "0"); return err }},
		{"err_len", func() error {
			return p.Idle(ctx, "这段问候语实在太长了，评价器的小屏幕根本放不下这么多的字，真的放不下")
		}},
		{"err_unknown_command", func() error { _, err := p.do(ctx, "BEEP"); return err }},
	}
	for _, st := range steps {
		err := st.do()
		if (err != nil) != (st.name[:4] == "err_") {
			t.Errorf("%s: %v", st.name, err)
		}
		golden(t, st.name, rec.Take())
	}
}

func TestPad_DeviceErrorsAreTyped(t *testing.T) {
	p, _, _ := withSim(t)
	ctx := context.Background()
	if err := p.Idle(ctx, "这段问候语实在太长了，评价器的小屏幕根本放不下这么多的字，真的放不下"); !errors.Is(err, lineproto.ErrTextTooLong) {
		t.Errorf("Idle = %v, want ErrTextTooLong", err)
	}
	if _, err := p.do(ctx, "RATE", "A1", "1", "300"); !errors.Is(err, lineproto.ErrRange) {
		t.Errorf("RATE 300 s = %v, want ErrRange", err)
	}
}

func TestPad_InvalidRequestsSendNothing(t *testing.T) {
	p, err := New(playback.New(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for _, req := range []drivers.RatingRequest{
		{Staff: "1"}, {Ticket: "A1"}, {Ticket: "A1", Staff: "1", Timeout: 256 * time.Second},
		{Ticket: "A1", Staff: "1", Timeout: -time.Second},
	} {
		if _, err := p.Rate(context.Background(), req); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("Rate(%+v) = %v, want ErrInvalidArgument", req, err)
		}
	}
}

// Scripted pad answers that do not fit the request are errors, never scores.
func TestPad_BadPollAnswers(t *testing.T) {
	fr := func(seq byte, fields ...string) []byte {
		b, err := lineproto.Frame{Addr: 1, Seq: seq, Fields: fields}.Append(nil)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tests := []struct {
		name  string
		reply []string
		want  error
	}{
		{"score for another ticket", []string{"OK", "SCORE", "Z999", "1"}, ErrBadReply},
		{"level 6", []string{"OK", "SCORE", "A001", "6"}, ErrBadReply},
		{"level 0", []string{"OK", "SCORE", "A001", "0"}, ErrBadReply},
		{"unknown outcome", []string{"OK", "MAYBE"}, ErrBadReply},
		{"empty OK", []string{"OK"}, ErrBadReply},
		{"pad forgot the request", []string{"OK", "NONE"}, drivers.ErrRatingCancelled},
		{"ERR on POLL", []string{"ERR", "HW"}, lineproto.ErrHardware},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			port := playback.New(t,
				playback.Exchange(fr(0, "PING"), fr(0, "OK")),
				playback.Exchange(fr(1, "RATE", "A001", "0427", "30"), fr(1, "OK")),
				playback.Exchange(fr(2, "POLL"), fr(2, "OK", "WAIT", "A001")),
				playback.Exchange(fr(3, "POLL"), fr(3, tt.reply...)),
			)
			p, err := New(port, Options{Timeout: 50 * time.Millisecond, PollInterval: fastPoll})
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			s, err := p.Rate(context.Background(), drivers.RatingRequest{Ticket: "A001", Staff: "0427"})
			if !errors.Is(err, tt.want) {
				t.Errorf("Rate = %+v, %v; want %v", s, err, tt.want)
			}
		})
	}
}

// A pad that keeps saying WAIT past timeout + grace: the host gives up by itself and cancels.
func TestPad_HostDeadline(t *testing.T) {
	p, dev, _ := withSim(t)
	p.o.Grace = 0
	var mu sync.Mutex
	frozen := time.Now()
	dev.SetClock(func() time.Time { mu.Lock(); defer mu.Unlock(); return frozen }) // the pad's clock stands still
	start := time.Now()
	_, err := p.Rate(context.Background(), drivers.RatingRequest{Ticket: "A001", Staff: "0427", Timeout: time.Second})
	if !errors.Is(err, drivers.ErrRatingTimeout) {
		t.Fatalf("Rate = %v, want ErrRatingTimeout", err)
	}
	if time.Since(start) < time.Second {
		t.Errorf("gave up before the request's timeout")
	}
	if diff := cmp.Diff([]string{"PING", "RATE,A001,0427,1", "CANCEL"}, dev.History()); diff != "" {
		t.Errorf("history (-want +got):\n%s", diff)
	}
}

func TestRatingLevelNames(t *testing.T) {
	want := []string{"非常满意", "满意", "基本满意", "不满意", "非常不满意"}
	for i, zh := range want {
		l := drivers.RatingLevel(i + 1)
		if l.Chinese() != zh {
			t.Errorf("level %d: %q, want %q", i+1, l.Chinese(), zh)
		}
	}
	if drivers.RatingLevel(0).Valid() || drivers.RatingLevel(6).Chinese() != "" || drivers.Dissatisfied.Good() || !drivers.BasicallySatisfied.Good() {
		t.Error("validity or good/bad split wrong")
	}
}

// No POLL answer, however odd, yields a score for another ticket or an invalid level.
func FuzzOutcome(f *testing.F) {
	f.Add("SCORE", "A001", "1")
	f.Add("WAIT", "A001", "")
	f.Add("TIMEOUT", "B", "")
	f.Add("SCORE", "A001", "9")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		for _, data := range [][]string{{a}, {a, b}, {a, b, c}, {}} {
			s, done, err := outcome("A001", data)
			if !done && err != nil {
				t.Fatalf("not done but error %v", err)
			}
			if done && err == nil && (s.Ticket != "A001" || !s.Level.Valid()) {
				t.Fatalf("outcome(%q) = %+v", data, s)
			}
		}
	})
}

// golden pins text in testdata/<name>.txt.
func golden(t *testing.T, name, got string) {
	t.Helper()
	goldenfile.Text(t, name+".txt", got)
}
