package httpapi

import (
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
)

// liveSink carries one websocket subscriber's live frames from the feed to its connection.
//
// The feed calls Deliver on its delivery worker with the frames published since the last call.
// When nothing is queued and the connection's goroutine is not writing, Deliver writes them
// straight into the socket with one non-blocking system call: on a hall LAN the socket buffer
// has room, so an event reaches every screen without waking a goroutine per screen. Whatever
// the socket does not take at once — the rest of a frame, the frames behind it — is queued, and
// the connection's goroutine (take, release) writes it with ordinary blocking writes under a
// deadline. A subscriber more than limit frames behind is dropped (Deliver answers false).
//
// Frames never interleave: only one side writes at a time. The connection's goroutine owns the
// socket from take until release answers true; it writes replayed events, queued frames and
// control frames only then. Deliver writes only while the socket is not owned and nothing is
// queued, and holds the lock while it writes, so take waits for a direct write to finish. A
// connection without a plain socket (TLS) gets no direct writes: every frame is queued.
//
// Direct writes go to the socket's file descriptor number, read once. The connection's
// goroutine calls shut before it closes the connection, and Deliver writes only under the lock
// and never after shut, so a number the kernel hands to a newer connection is never written.
type liveSink struct {
	area  string
	fd    int // the socket's descriptor; -1: no direct writes
	limit int
	wake  chan struct{} // capacity 1: "there is something to write, or the feed has let go"

	// mu guards everything below.
	mu       sync.Mutex
	owned    bool     // the connection goroutine is writing
	partial  []byte   // the unwritten tail of a direct write (always written first)
	queue    []*Frame // frames waiting behind it
	spare    []*Frame // the queue's other buffer, handed back by take
	last     uint64   // the newest sequence number written or queued
	detached bool     // the feed has let go (dropped, or closing): finish what is queued, then close
	broken   bool     // a direct write failed, or the connection is being closed (shut)
}

// joinBuffers hold several frames joined for one direct write, for the length of a Deliver;
// the feed's workers share them rather than every subscriber keeping one.
var joinBuffers = sync.Pool{New: func() any { return new([]byte) }}

// newLiveSink returns a sink for conn, owned by the connection goroutine, which first replays
// the log (setting last) and then releases it.
func newLiveSink(conn net.Conn, area string, limit int) *liveSink {
	s := &liveSink{area: area, fd: -1, limit: max(limit, 1), wake: make(chan struct{}, 1), owned: true}
	if sc, ok := conn.(syscall.Conn); ok {
		if raw, err := sc.SyscallConn(); err == nil {
			raw.Control(func(fd uintptr) { s.fd = int(fd) })
		}
	}
	return s
}

// shut ends direct writes for good; the connection's goroutine calls it before closing the
// connection.
func (s *liveSink) shut() {
	s.mu.Lock()
	s.broken = true
	s.mu.Unlock()
}

// wanted reports whether f goes to this subscriber: not sent yet, and of its area or hall-wide.
func (s *liveSink) wanted(f *Frame) bool {
	return f.Seq > s.last && (s.area == "" || f.AreaID == "" || f.AreaID == s.area)
}

// Deliver is the feed's side (never blocking): write the frames now, or queue them.
func (s *liveSink) Deliver(frames []*Frame) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.broken {
		return true // the connection is gone or going: its goroutine detaches; nothing to drop
	}
	if s.owned || s.partial != nil || len(s.queue) > 0 || s.fd < 0 {
		if len(s.queue)+len(frames) > s.limit {
			return false
		}
		s.queue = append(s.queue, frames...)
		signal(s.wake)
		return true
	}
	// One frame is written as it is; several are joined into one write.
	var out []byte
	var joined *[]byte
	for _, f := range frames {
		if !s.wanted(f) {
			continue
		}
		s.last = f.Seq
		switch {
		case out == nil:
			out = f.Wire
		case joined == nil:
			joined = joinBuffers.Get().(*[]byte)
			*joined = append(append((*joined)[:0], out...), f.Wire...)
			out = *joined
		default:
			*joined = append(*joined, f.Wire...)
			out = *joined
		}
	}
	if len(out) == 0 {
		return true
	}
	n, err := s.tryWrite(out)
	if n < len(out) && err == nil {
		partialWrites.Add(1)
		s.partial = append([]byte(nil), out[n:]...)
		signal(s.wake)
	}
	if joined != nil && cap(*joined) <= maxWrite { // a rare huge batch's buffer is not kept
		joinBuffers.Put(joined)
	}
	if err != nil {
		s.broken = true // the connection's goroutine sees it at take, and leaves
		signal(s.wake)
	}
	return true
}

// partialWrites counts direct writes the socket did not take whole (the tests check that they
// exercise that path).
var partialWrites atomic.Uint64

// tryWrite writes what the socket takes without waiting (the socket is non-blocking, as the
// runtime's network poller keeps it). EAGAIN is not an error: it wrote less. s.mu is held.
func (s *liveSink) tryWrite(b []byte) (int, error) {
	written := 0
	for written < len(b) {
		n, err := syscall.Write(s.fd, b[written:])
		if n > 0 {
			written += n
		}
		switch {
		case err == nil:
		case errors.Is(err, syscall.EINTR):
		case errors.Is(err, syscall.EAGAIN):
			return written, nil
		default:
			return written, err
		}
	}
	return written, nil
}

// Detached is the feed letting go: the subscriber was dropped or the feed is closing.
func (s *liveSink) Detached() {
	s.mu.Lock()
	s.detached = true
	signal(s.wake)
	s.mu.Unlock()
}

// take is the connection goroutine's side: it owns the socket from now on and gets the bytes to
// write first, appended to out — the rest of a direct write, then the queued frames it wants
// (live frames already sent from the log are skipped). It reports whether the feed has let go
// and whether a direct write found the connection broken.
func (s *liveSink) take(out []byte) (_ []byte, detached, broken bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.owned = true
	out = append(out, s.partial...)
	s.partial = nil
	for i, f := range s.queue {
		if s.wanted(f) {
			s.last = f.Seq
			out = append(out, f.Wire...)
		}
		s.queue[i] = nil
	}
	s.queue, s.spare = s.spare[:0], s.queue[:0]
	return out, s.detached, s.broken
}

// release hands the socket back to Deliver, unless something was queued since take: then it
// reports false and the connection goroutine keeps the socket and takes again.
func (s *liveSink) release() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.partial != nil || len(s.queue) > 0 || s.detached || s.broken {
		return false
	}
	s.owned = false
	return true
}

// sentThrough records that the connection goroutine has sent everything up to seq from the
// log; live frames up to it are not sent again.
func (s *liveSink) sentThrough(seq uint64) {
	s.mu.Lock()
	s.last = max(s.last, seq)
	s.mu.Unlock()
}
