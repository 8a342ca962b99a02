package ledsign

import (
	"context"
	"errors"
	goldenfile "hall/drivers/internal/golden"
	"net"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"hall/drivers"
	"hall/drivers/internal/playback"
	"hall/drivers/lineproto"
	"hall/drivers/sim"
)

// withSim starts a simulated sign (address 05, 2 lines of 16 characters) on a pipe and a Sign
// driver on the other end, recording the conversation.
func withSim(t *testing.T) (*Sign, *sim.Sign, *playback.Recorder) {
	t.Helper()
	dev := sim.NewSign(0x05, 2, 16)
	host, devEnd := net.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { dev.Serve(ctx, devEnd); close(done) }()
	rec := &playback.Recorder{Port: host}
	s, err := New(rec, Options{Addr: 0x05, Timeout: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Close()
		cancel()
		devEnd.Close()
		<-done
	})
	return s, dev, rec
}

// Every command and its reply, byte for byte.
func TestSign_GoldenConversations(t *testing.T) {
	s, dev, rec := withSim(t)
	ctx := context.Background()
	steps := []struct {
		name string
		do   func() error
	}{
		{"ping_first_syncs_with_seq_00", func() error { return s.Ping(ctx) }},
		{"show", func() error { return s.ShowText(ctx, 2, "请到3号窗口") }},
		{"show_escaped_text", func() error { return s.ShowText(ctx, 2, "a,b*c@d%e丂") }},
		{"call", func() error { return s.ShowCall(ctx, "A001", "3", 0) }},
		{"call_blink", func() error { return s.ShowCall(ctx, "B012", "12", 10*time.Second) }},
		{"bright", func() error { return s.SetBrightness(ctx, 15) }},
		{"clear", func() error { return s.Clear(ctx) }},
		{"err_range", func() error { return s.ShowText(ctx, 3, "x") }},
		{"err_len", func() error { return s.ShowText(ctx, 1, "这一行文字太长了放不下这块窗口屏的一行") }},
	}
	for _, st := range steps {
		err := st.do()
		if (err != nil) != (st.name[:4] == "err_") {
			t.Errorf("%s: %v", st.name, err)
		}
		golden(t, st.name, rec.Take())
	}
	if diff := cmp.Diff([]string{
		"PING", // the SEQ 00 sync before the first request
		"PING", "SHOW,2,请到3号窗口", "SHOW,2,a,b*c@d%e丂", "CALL,A001,3", "CALL,B012,12,10", "BRIGHT,15", "CLR",
	}, dev.History()); diff != "" {
		t.Errorf("sign history (-want +got):\n%s", diff)
	}
}

func TestSign_ShowsCallAndText(t *testing.T) {
	s, dev, _ := withSim(t)
	ctx := context.Background()
	if err := s.ShowCall(ctx, "A001", "3", 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := s.ShowText(ctx, 2, "欢迎光临"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetBrightness(ctx, 3); err != nil {
		t.Fatal(err)
	}
	want := sim.SignState{
		Lines:      []string{"请A001号到3号窗口", "欢迎光临"},
		Call:       sim.SignCall{Ticket: "A001", Window: "3", Blink: 5 * time.Second},
		Brightness: 3,
	}
	if diff := cmp.Diff(want, dev.Shown()); diff != "" {
		t.Errorf("shown (-want +got):\n%s", diff)
	}
}

func TestSign_ErrorsAreTyped(t *testing.T) {
	s, dev, _ := withSim(t)
	ctx := context.Background()
	if err := s.ShowText(ctx, 3, "x"); !errors.Is(err, ErrNoSuchLine) {
		t.Errorf("line 3 of 2: %v, want ErrNoSuchLine", err)
	}
	if err := s.ShowText(ctx, 1, "这一行文字太长了放不下这块窗口屏的一行"); !errors.Is(err, ErrTextTooLong) {
		t.Errorf("long text: %v, want ErrTextTooLong", err)
	}
	dev.SetFault(true)
	if err := s.Clear(ctx); !errors.Is(err, ErrHardware) {
		t.Errorf("faulty sign: %v, want ErrHardware", err)
	}
	var de *lineproto.DeviceError
	if err := s.Clear(ctx); !errors.As(err, &de) || de.Detail != "LED module" {
		t.Errorf("faulty sign: %v, want a DeviceError with detail", err)
	}
}

// Bad arguments fail before anything is sent: the empty script would fail on any byte.
func TestSign_InvalidArgumentsSendNothing(t *testing.T) {
	s, err := New(playback.New(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	for name, err := range map[string]error{
		"brightness 16":  s.SetBrightness(ctx, 16),
		"brightness -1":  s.SetBrightness(ctx, -1),
		"line 0":         s.ShowText(ctx, 0, "x"),
		"empty ticket":   s.ShowCall(ctx, "", "3", 0),
		"blink 256 s":    s.ShowCall(ctx, "A1", "3", 256*time.Second),
		"negative blink": s.ShowCall(ctx, "A1", "3", -time.Second),
	} {
		if !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("%s: %v, want ErrInvalidArgument", name, err)
		}
	}
}

// A sign that never answers: ErrTimeout after the retries, which is transient.
func TestSign_SilentSignTimesOut(t *testing.T) {
	ping := []byte("@01,00,PING*11\r\n") // the reset-sequence PING every driver starts with
	port := playback.New(t, playback.Exchange(ping), playback.Exchange(ping), playback.Exchange(ping))
	s, err := New(port, Options{Timeout: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Ping(context.Background()); !errors.Is(err, drivers.ErrTimeout) || !drivers.IsTransient(err) {
		t.Errorf("Ping = %v, want a transient ErrTimeout", err)
	}
}

// golden pins text in testdata/<name>.txt.
func golden(t *testing.T, name, got string) {
	t.Helper()
	goldenfile.Text(t, name+".txt", got)
}
