package playback

import (
	"fmt"
	"io"
	"testing"
)

// recordingTB captures failures instead of failing the real test.
type recordingTB struct {
	testing.TB
	errors   []string
	cleanups []func()
}

func (r *recordingTB) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}
func (r *recordingTB) Cleanup(f func()) { r.cleanups = append(r.cleanups, f) }
func (r *recordingTB) finish() {
	for _, f := range r.cleanups {
		f()
	}
}

func TestPort_PlaysRepliesInChunks(t *testing.T) {
	p := New(t, Exchange([]byte("AB"), []byte("x"), []byte("yz")), Step{Reply: [][]byte{[]byte("!")}})
	p.Write([]byte("A"))
	p.Write([]byte("B"))
	buf := make([]byte, 8)
	var got []string
	for i := 0; i < 3; i++ {
		n, err := p.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, string(buf[:n]))
	}
	if fmt.Sprint(got) != "[x yz !]" {
		t.Errorf("reads %q", got)
	}
	p.Close()
	if _, err := p.Read(buf); err != ErrClosed {
		t.Errorf("Read after Close = %v", err)
	}
}

func TestPort_FailsOnUnexpectedBytes(t *testing.T) {
	tb := &recordingTB{TB: t}
	p := New(tb, Exchange([]byte("AB")))
	if _, err := p.Write([]byte("AC")); err == nil || len(tb.errors) != 1 {
		t.Errorf("wrong byte: err %v, %d errors reported", err, len(tb.errors))
	}
	tb2 := &recordingTB{TB: t}
	p2 := New(tb2)
	if _, err := p2.Write([]byte("X")); err == nil || len(tb2.errors) != 1 {
		t.Errorf("write after the script: err %v, %d errors", err, len(tb2.errors))
	}
}

func TestPort_FailsWhenScriptNotPlayed(t *testing.T) {
	tb := &recordingTB{TB: t}
	New(tb, Exchange([]byte("AB")))
	tb.finish()
	if len(tb.errors) != 1 {
		t.Errorf("unplayed script: %d errors reported, want 1", len(tb.errors))
	}
}

var _ io.ReadWriteCloser = (*Recorder)(nil)
