package barcode_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	goldenfile "hall/drivers/internal/golden"
	"hall/drivers/internal/leakcheck"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/google/go-cmp/cmp"

	"hall/drivers"
	"hall/drivers/barcode"
)

// split feeds chunks through a Splitter and records what it emits.
func split(term byte, maxLen int, chunks ...string) []string {
	s := barcode.NewSplitter(term, maxLen)
	var got []string
	for _, c := range chunks {
		s.Feed([]byte(c), func(line string, err error) {
			if err != nil {
				if !errors.Is(err, barcode.ErrLineTooLong) {
					panic(err)
				}
				got = append(got, "ERR too long")
				return
			}
			got = append(got, line)
		})
	}
	return got
}

func TestSplitter(t *testing.T) {
	long := strings.Repeat("x", 513)
	tests := []struct {
		name   string
		term   byte
		max    int
		chunks []string
		want   []string
	}{
		{"CR", 0, 0, []string{"A123\rB456\r"}, []string{"A123", "B456"}},
		{"CR LF", 0, 0, []string{"A123\r\nB456\r\n"}, []string{"A123", "B456"}},
		{"LF", 0, 0, []string{"A123\nB456\n"}, []string{"A123", "B456"}},
		{"CR LF split between reads", 0, 0, []string{"A12", "3\r", "\nB4", "56\r\n"}, []string{"A123", "B456"}},
		{"no terminator yet", 0, 0, []string{"A123"}, nil},
		{"empty lines ignored", 0, 0, []string{"\r\n\r\n \t \r\nA\r\n\n\n"}, []string{"A"}},
		{"trimmed", 0, 0, []string{"  HALL-1 \t\r"}, []string{"HALL-1"}},
		{"inner spaces kept", 0, 0, []string{"a b\r"}, []string{"a b"}},
		{"UTF-8 kept", 0, 0, []string{"办件-123\r"}, []string{"办件-123"}},
		{"custom terminator ETX", 0x03, 0, []string{"A\r1\x03B\x03"}, []string{"A\r1", "B"}},
		{"custom terminator leaves a LF to trim", '\r', 0, []string{"A\r\nB\r\n"}, []string{"A", "B"}},
		{"exactly the cap", 0, 4, []string{"abcd\r"}, []string{"abcd"}},
		{"over the cap, resync at the terminator", 0, 4, []string{"abcde\rok\r"}, []string{"ERR too long", "ok"}},
		{"over the cap across reads", 0, 4, []string{"ab", "cd", "ef", "gh\r", "ok\r"}, []string{"ERR too long", "ok"}},
		{"default cap 512", 0, 0, []string{long + "\rok\r"}, []string{"ERR too long", "ok"}},
		{"default cap allows 512", 0, 0, []string{long[:512] + "\r"}, []string{long[:512]}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := split(tt.term, tt.max, tt.chunks...)
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("lines (-want +got):\n%s", d)
			}
		})
	}
}

// A recorded stream of a scanner session (mixed terminators, blanks,
// garbage, an over-long line) and what the splitter makes of it.
func TestSplitter_GoldenStream(t *testing.T) {
	stream, err := os.ReadFile(filepath.Join("testdata", "stream.bin"))
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	s := barcode.NewSplitter(0, 64)
	s.Feed(stream, func(line string, err error) {
		if err != nil {
			fmt.Fprintf(&sb, "error: %v\n", err)
			return
		}
		fmt.Fprintf(&sb, "code: %q\n", line)
	})
	fmt.Fprintf(&sb, "pending: %d bytes\n", s.Pending())
	path := filepath.Join("testdata", "stream.golden")
	if goldenfile.Update() {
		os.WriteFile(path, []byte(sb.String()), 0o644)
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(string(want), sb.String()); d != "" {
		t.Errorf("stream.golden (-want +got), go test -update rewrites it:\n%s", d)
	}
}

// FuzzSplitter: lines never contain a terminator, are trimmed, non-empty
// and within the cap, and the result does not depend on how the stream
// was cut into reads.
func FuzzSplitter(f *testing.F) {
	f.Add([]byte("A123\r\nB456\r\n"), uint8(3))
	f.Add([]byte("\r\n\r\n  \r"), uint8(1))
	f.Add(bytes.Repeat([]byte("x"), 40), uint8(7))
	f.Add([]byte("abc\x00\xff\xfe\rdef"), uint8(2))
	f.Fuzz(func(t *testing.T, data []byte, cut uint8) {
		const maxLen = 16
		whole := barcode.NewSplitter(0, maxLen)
		var a []string
		whole.Feed(data, func(line string, err error) {
			if err != nil {
				a = append(a, "ERR")
				return
			}
			if line == "" || len(line) > maxLen || strings.ContainsAny(line, "\r\n") || strings.TrimFunc(line, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) != line {
				t.Fatalf("bad line %q", line)
			}
			a = append(a, line)
		})
		parts := barcode.NewSplitter(0, maxLen)
		var b []string
		step := int(cut%8) + 1
		for i := 0; i < len(data); i += step {
			parts.Feed(data[i:min(i+step, len(data))], func(line string, err error) {
				if err != nil {
					b = append(b, "ERR")
					return
				}
				b = append(b, line)
			})
		}
		if d := cmp.Diff(a, b); d != "" {
			t.Fatalf("chunking changed the lines (-whole +chunks of %d):\n%s", step, d)
		}
		if whole.Pending() != parts.Pending() {
			t.Fatalf("pending %d vs %d", whole.Pending(), parts.Pending())
		}
	})
}

// playback is a port that plays recorded device bytes, one chunk per Read,
// then blocks until closed; it fails the test if the host writes anything
// (a scanner takes no commands). A chunk may first advance a fake clock,
// so that the driver sees it arrive at a chosen time.
type playback struct {
	t      *testing.T
	clock  *fakeClock
	chunks chan chunk
	closed chan struct{}
	once   sync.Once
}

type chunk struct {
	after time.Duration
	data  []byte
}

func newPlayback(t *testing.T, chunks ...string) *playback {
	p := &playback{t: t, chunks: make(chan chunk, len(chunks)+64), closed: make(chan struct{})}
	for _, c := range chunks {
		p.play(c)
	}
	return p
}

func (p *playback) play(s string) { p.chunks <- chunk{data: []byte(s)} }

// playAfter plays s once the clock was advanced by d.
func (p *playback) playAfter(d time.Duration, s string) { p.chunks <- chunk{after: d, data: []byte(s)} }

func (p *playback) Read(b []byte) (int, error) {
	select {
	case c := <-p.chunks:
		if p.clock != nil {
			p.clock.Advance(c.after)
		}
		return copy(b, c.data), nil
	case <-p.closed:
		return 0, io.EOF
	}
}

func (p *playback) Write(b []byte) (int, error) {
	p.t.Errorf("host wrote %q to a scanner", b)
	return len(b), nil
}

func (p *playback) Close() error {
	p.once.Do(func() { close(p.closed) })
	return nil
}

// fakeClock is advanced by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func next(t *testing.T, s *barcode.Scanner) (drivers.Scan, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	return s.NextScan(ctx)
}

func nothingPending(t *testing.T, s *barcode.Scanner) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if sc, err := s.NextScan(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %+v, %v; want nothing", sc, err)
	}
}

func TestScanner_Playback(t *testing.T) {
	leakcheck.Check(t)
	clock := &fakeClock{now: time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)}
	p := newPlayback(t, "HALL-A", "001\r\n", "\r\nHALL-B002\r")
	s := barcode.New(p, barcode.Options{Now: clock.Now})
	defer s.Close()
	for _, want := range []string{"HALL-A001", "HALL-B002"} {
		sc, err := next(t, s)
		if err != nil || sc.Code != want || !sc.At.Equal(clock.Now()) {
			t.Fatalf("got %+v, %v; want %s at %v", sc, err, want, clock.Now())
		}
	}
	nothingPending(t, s)
}

func TestScanner_DropsRepeatsWithinTheWindow(t *testing.T) {
	leakcheck.Check(t)
	clock := &fakeClock{now: time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)}
	p := newPlayback(t)
	p.clock = clock
	s := barcode.New(p, barcode.Options{Now: clock.Now})
	defer s.Close()

	p.play("A1\r")
	if sc, err := next(t, s); err != nil || sc.Code != "A1" {
		t.Fatalf("first scan: %+v, %v", sc, err)
	}
	p.playAfter(500*time.Millisecond, "A1\r") // the same code half a second later: a double read
	p.playAfter(400*time.Millisecond, "B2\r") // another code is never suppressed
	if sc, err := next(t, s); err != nil || sc.Code != "B2" {
		t.Fatalf("after a repeat: %+v, %v; want B2", sc, err)
	}
	p.playAfter(1100*time.Millisecond, "B2\r") // the same code after the window: a new scan
	if sc, err := next(t, s); err != nil || sc.Code != "B2" {
		t.Fatalf("after the window: %+v, %v; want B2", sc, err)
	}
	nothingPending(t, s)
}

func TestScanner_WindowRestartsWhileACodeIsHeld(t *testing.T) {
	leakcheck.Check(t)
	clock := &fakeClock{now: time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)}
	p := newPlayback(t)
	p.clock = clock
	s := barcode.New(p, barcode.Options{Now: clock.Now, DedupWindow: time.Second})
	defer s.Close()
	p.play("Q\r")
	next(t, s)
	for range 5 { // held under the scanner, re-read every 0.6 s
		p.playAfter(600*time.Millisecond, "Q\r")
	}
	p.play("END\r")
	if sc, err := next(t, s); err != nil || sc.Code != "END" {
		t.Fatalf("got %+v, %v; want END (Q suppressed while held)", sc, err)
	}
}

func TestScanner_SuppressionCanBeTurnedOff(t *testing.T) {
	leakcheck.Check(t)
	p := newPlayback(t, "A\rA\r")
	s := barcode.New(p, barcode.Options{DedupWindow: -1})
	defer s.Close()
	for range 2 {
		if sc, err := next(t, s); err != nil || sc.Code != "A" {
			t.Fatalf("got %+v, %v", sc, err)
		}
	}
}

func TestScanner_OverLongLineIsAnErrorAndScanningGoesOn(t *testing.T) {
	leakcheck.Check(t)
	p := newPlayback(t, strings.Repeat("9", 600), "9999\r", "OK-1\r")
	s := barcode.New(p, barcode.Options{})
	defer s.Close()
	if _, err := next(t, s); !errors.Is(err, barcode.ErrLineTooLong) {
		t.Fatalf("got %v, want ErrLineTooLong", err)
	}
	if sc, err := next(t, s); err != nil || sc.Code != "OK-1" {
		t.Fatalf("after an over-long line: %+v, %v", sc, err)
	}
}

func TestScanner_GarbageNeverPanicsOrHangs(t *testing.T) {
	leakcheck.Check(t)
	noise := make([]byte, 5000)
	for i := range noise {
		noise[i] = byte(i*131 + i/7)
	}
	p := newPlayback(t, string(noise), "\rAFTER\r")
	s := barcode.New(p, barcode.Options{MaxLen: 64, DedupWindow: -1})
	defer s.Close()
	for {
		sc, err := next(t, s)
		if errors.Is(err, context.DeadlineExceeded) {
			t.Fatal("AFTER never arrived")
		}
		if err == nil && sc.Code == "AFTER" {
			break
		}
	}
}

func TestScanner_FullBufferDropsNewScans(t *testing.T) {
	leakcheck.Check(t)
	var stream strings.Builder
	for i := range 5 {
		fmt.Fprintf(&stream, "C%d\r", i)
	}
	p := newPlayback(t, stream.String(), "LAST\r")
	s := barcode.New(p, barcode.Options{Buffer: 2})
	defer s.Close()
	deadline := time.Now().Add(5 * time.Second)
	for s.Dropped() < 4 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if s.Dropped() != 4 {
		t.Fatalf("dropped %d, want 4", s.Dropped())
	}
	for _, want := range []string{"C0", "C1"} {
		if sc, _ := next(t, s); sc.Code != want {
			t.Errorf("got %q, want %q (the oldest are kept)", sc.Code, want)
		}
	}
}

func TestScanner_CloseAndPortEnd(t *testing.T) {
	leakcheck.Check(t)
	p := newPlayback(t, "A\r")
	s := barcode.New(p, barcode.Options{})
	if sc, err := next(t, s); err != nil || sc.Code != "A" {
		t.Fatal(sc, err)
	}
	p.Close() // the port ends: final error after what was received
	if _, err := next(t, s); !errors.Is(err, drivers.ErrClosed) || !errors.Is(err, io.EOF) {
		t.Fatalf("after the port ended: %v, want ErrClosed wrapping io.EOF", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal("second Close:", err)
	}
	if _, err := next(t, s); !errors.Is(err, drivers.ErrClosed) {
		t.Fatalf("after Close: %v", err)
	}
}
