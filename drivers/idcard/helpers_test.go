package idcard_test

import (
	"bytes"
	"encoding/hex"
	"fmt"
	goldenfile "hall/drivers/internal/golden"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// formatHex writes b as rows of 16 hex bytes.
func formatHex(b []byte) string {
	var sb strings.Builder
	for i := 0; i < len(b); i += 16 {
		row := b[i:min(i+16, len(b))]
		for j, c := range row {
			if j > 0 {
				sb.WriteByte(' ')
			}
			fmt.Fprintf(&sb, "%02x", c)
		}
		sb.WriteByte('\n')
	}
	return sb.String()
}

// parseHex reads hex bytes separated by white space; '#' starts a comment.
func parseHex(t testing.TB, s string) []byte {
	t.Helper()
	var out []byte
	for _, line := range strings.Split(s, "\n") {
		line, _, _ = strings.Cut(line, "#")
		for _, f := range strings.Fields(line) {
			b, err := hex.DecodeString(f)
			if err != nil {
				t.Fatalf("bad hex %q: %v", f, err)
			}
			out = append(out, b...)
		}
	}
	return out
}

func readHexFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return parseHex(t, string(b))
}

// exchange is one step of a scripted conversation: the exact bytes the
// host must write, and the bytes the device answers with.
type exchange struct {
	host, device []byte
}

// script is an io.ReadWriteCloser that plays a device: it asserts that the
// host writes exactly the scripted bytes, in order, and answers each write
// with the scripted reply. Reads block until a reply is due or Close.
type script struct {
	t     testing.TB
	steps []exchange

	mu      sync.Mutex
	next    int
	partial []byte // host bytes of the current step received so far
	replies chan []byte
	closed  chan struct{}
	once    sync.Once

	pend []byte // reply bytes not read yet; only the reading goroutine uses it
}

func newScript(t testing.TB, steps ...exchange) *script {
	s := &script{t: t, steps: steps, replies: make(chan []byte, len(steps)+1), closed: make(chan struct{})}
	return s
}

func (s *script) Write(b []byte) (int, error) {
	select {
	case <-s.closed:
		return 0, io.ErrClosedPipe
	default:
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.partial = append(s.partial, b...)
	for s.next < len(s.steps) && len(s.partial) >= len(s.steps[s.next].host) {
		st := s.steps[s.next]
		got := s.partial[:len(st.host)]
		if !bytes.Equal(got, st.host) {
			s.t.Errorf("step %d: host wrote\n%swant\n%s", s.next, formatHex(got), formatHex(st.host))
		}
		s.partial = s.partial[len(st.host):]
		s.next++
		if st.device != nil {
			s.replies <- st.device
		}
	}
	if s.next == len(s.steps) && len(s.partial) > 0 {
		s.t.Errorf("host wrote after the script ended:\n%s", formatHex(s.partial))
		s.partial = nil
	}
	return len(b), nil
}

func (s *script) Read(b []byte) (int, error) {
	if len(s.pend) == 0 {
		select {
		case s.pend = <-s.replies:
		case <-s.closed:
			return 0, io.EOF
		}
	}
	n := copy(b, s.pend)
	s.pend = s.pend[n:]
	return n, nil
}

func (s *script) Close() error {
	s.once.Do(func() { close(s.closed) })
	return nil
}

// done asserts that every step was played.
func (s *script) done() {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.next != len(s.steps) {
		s.t.Errorf("script stopped at step %d of %d", s.next, len(s.steps))
	}
}

// golden pins text in testdata/<name>.
func golden(t *testing.T, name, got string) {
	t.Helper()
	goldenfile.Text(t, name, got)
}
