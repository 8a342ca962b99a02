// Package playback provides a scripted port for driver tests: record/playback of a device
// conversation. A Port expects the host to write exactly the bytes of each step, in order, and
// answers each step with the device bytes recorded for it, split into separate reads as
// scripted (to test torn replies). Anything unexpected fails the test.
//
// Concurrency: a Port is safe for one reader goroutine and any number of writers; Close may be
// called from any goroutine, any number of times.
package playback

import (
	"bytes"
	"encoding/hex"
	"errors"
	"io"
	"sync"
	"testing"
)

// Step is one exchange: the host writes Host (possibly in several writes), then the device
// sends each chunk of Reply as a separate read. A step with empty Host plays its reply at once
// (after the previous step): unsolicited device bytes. A step with no Reply is a device that
// stays silent (the host should time out).
type Step struct {
	Host  []byte
	Reply [][]byte
}

// Exchange is a convenience constructor: host bytes and reply chunks.
func Exchange(host []byte, reply ...[]byte) Step { return Step{Host: host, Reply: reply} }

// ErrClosed is returned by Read and Write after Close.
var ErrClosed = errors.New("playback: port closed")

// Port is the scripted io.ReadWriteCloser.
type Port struct {
	t testing.TB

	// mu guards every field below; cond signals readers.
	mu     sync.Mutex
	cond   *sync.Cond
	steps  []Step
	got    []byte   // host bytes of the current step so far
	queue  [][]byte // device chunks not yet read
	closed bool
	failed bool
}

// New returns a port playing steps. At the end of the test it fails the test if a step was not
// played completely.
func New(t testing.TB, steps ...Step) *Port {
	p := &Port{t: t, steps: steps}
	p.cond = sync.NewCond(&p.mu)
	p.mu.Lock()
	p.advanceLocked()
	p.mu.Unlock()
	t.Cleanup(func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		if !p.failed && len(p.steps) > 0 {
			t.Errorf("playback: %d step(s) not played; next expects host bytes\n%s", len(p.steps), hex.Dump(p.steps[0].Host))
		}
	})
	return p
}

// advanceLocked plays steps that need no host bytes.
func (p *Port) advanceLocked() {
	for len(p.steps) > 0 && len(p.steps[0].Host) == 0 {
		p.queue = append(p.queue, p.steps[0].Reply...)
		p.steps = p.steps[1:]
	}
	p.cond.Broadcast()
}

// Write checks b against the script. Unexpected bytes fail the test and the write.
func (p *Port) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return 0, ErrClosed
	}
	for i, c := range b {
		if len(p.steps) == 0 {
			p.failLocked("host wrote % x after the end of the script", b[i:])
			return i, errors.New("playback: unexpected write")
		}
		want := p.steps[0].Host
		if c != want[len(p.got)] {
			p.failLocked("host wrote\n%s\nwant\n%s", hex.Dump(append(append([]byte(nil), p.got...), b[i:]...)), hex.Dump(want))
			return i, errors.New("playback: unexpected write")
		}
		p.got = append(p.got, c)
		if len(p.got) == len(want) {
			p.queue = append(p.queue, p.steps[0].Reply...)
			p.steps = p.steps[1:]
			p.got = nil
			p.advanceLocked()
		}
	}
	return len(b), nil
}

func (p *Port) failLocked(format string, args ...any) {
	p.failed = true
	p.t.Errorf("playback: "+format, args...)
}

// Read returns the next scripted chunk (or as much of it as fits), blocking until there is one
// or the port is closed.
func (p *Port) Read(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for len(p.queue) == 0 && !p.closed {
		p.cond.Wait()
	}
	if p.closed {
		return 0, ErrClosed
	}
	n := copy(b, p.queue[0])
	if n == len(p.queue[0]) {
		p.queue = p.queue[1:]
	} else {
		p.queue[0] = p.queue[0][n:]
	}
	return n, nil
}

// Close unblocks readers; later reads and writes fail with ErrClosed.
func (p *Port) Close() error {
	p.mu.Lock()
	p.closed = true
	p.cond.Broadcast()
	p.mu.Unlock()
	return nil
}

// Done reports whether every step has been played and every reply read.
func (p *Port) Done() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.steps) == 0 && len(p.queue) == 0
}

var _ io.ReadWriteCloser = (*Port)(nil)

// Concat joins byte slices (to build frames in scripts).
func Concat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
