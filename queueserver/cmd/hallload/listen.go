//go:build linux

package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"net"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gorilla/websocket"
)

// listeners reads every subscriber's websocket with one epoll loop on one goroutine, instead
// of a goroutine per subscriber: the server's frames are read, parsed and checked the same way,
// pings are answered, but waking a thousand goroutines per event — which on a 2-core machine
// costs more than the server's own sends — is left out.
type listeners struct {
	epfd     int
	byFd     map[int32]*listener
	all      []*listener
	dropped  *atomic.Int64
	disorder *atomic.Int64
	stop     chan struct{}
	done     chan struct{}
}

// listener is one subscriber's connection and what it received; owned by the loop goroutine.
type listener struct {
	conn    *websocket.Conn
	nc      net.Conn
	fd      int
	pending []byte // a frame's start, waiting for the rest
	next    uint64 // the sequence number the next event must carry
	recv    []received
	stamps  bool // the first subscriber also reads each call's step time ("at")
	closed  bool
	mask    *rand.Rand
}

func newListeners(dropped, disorder *atomic.Int64) (*listeners, error) {
	epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return nil, err
	}
	return &listeners{epfd: epfd, byFd: map[int32]*listener{}, dropped: dropped, disorder: disorder,
		stop: make(chan struct{}), done: make(chan struct{})}, nil
}

// add registers a dialled subscriber that expects next as its first event's sequence number.
func (ls *listeners) add(c *websocket.Conn, next uint64) error {
	tcp, ok := c.NetConn().(*net.TCPConn)
	if !ok {
		return errors.New("not a TCP connection")
	}
	raw, err := tcp.SyscallConn()
	if err != nil {
		return err
	}
	l := &listener{conn: c, nc: tcp, next: next, mask: rand.New(rand.NewPCG(uint64(len(ls.all)), 3)), stamps: len(ls.all) == 0}
	raw.Control(func(fd uintptr) { l.fd = int(fd) })
	if err := syscall.EpollCtl(ls.epfd, syscall.EPOLL_CTL_ADD, l.fd, &syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: int32(l.fd)}); err != nil {
		return err
	}
	ls.byFd[int32(l.fd)] = l
	ls.all = append(ls.all, l)
	return nil
}

// run is the loop; it returns when stop is closed.
func (ls *listeners) run() {
	defer close(ls.done)
	buf := make([]byte, 256<<10)
	evs := make([]syscall.EpollEvent, 512)
	for {
		select {
		case <-ls.stop:
			return
		default:
		}
		n, err := syscall.EpollWait(ls.epfd, evs, 100)
		if err != nil {
			continue // EINTR
		}
		now := time.Now()
		for _, ev := range evs[:n] {
			l := ls.byFd[ev.Fd]
			if l == nil || l.closed {
				continue
			}
			m, err := syscall.Read(l.fd, buf)
			if m <= 0 {
				if errors.Is(err, syscall.EAGAIN) {
					continue
				}
				ls.forget(l)
				continue
			}
			data := buf[:m]
			if len(l.pending) > 0 {
				l.pending = append(l.pending, data...)
				data = l.pending
			}
			used := ls.frames(l, data, now)
			l.pending = append(l.pending[:0], data[used:]...)
		}
	}
}

func (ls *listeners) forget(l *listener) {
	l.closed = true
	syscall.EpollCtl(ls.epfd, syscall.EPOLL_CTL_DEL, l.fd, nil)
}

// frames handles the whole frames at the start of b and returns how many bytes they took.
func (ls *listeners) frames(l *listener, b []byte, now time.Time) int {
	off := 0
	for !l.closed {
		rest := b[off:]
		if len(rest) < 2 {
			return off
		}
		op, n, h := rest[0]&0x0f, int(rest[1]&0x7f), 2
		switch n {
		case 126:
			if len(rest) < 4 {
				return off
			}
			n, h = int(binary.BigEndian.Uint16(rest[2:])), 4
		case 127:
			if len(rest) < 10 {
				return off
			}
			n, h = int(binary.BigEndian.Uint64(rest[2:])), 10
		}
		if rest[1]&0x80 != 0 || rest[0]&0x80 == 0 {
			ls.disorder.Add(1) // a server never masks; we send no fragmented messages
		}
		if len(rest) < h+n {
			return off
		}
		payload := rest[h : h+n]
		off += h + n
		switch op {
		case websocket.TextMessage:
			ls.message(l, payload, now)
		case websocket.PingMessage:
			l.pong(payload)
		case websocket.CloseMessage:
			if len(payload) >= 2 && binary.BigEndian.Uint16(payload) == websocket.CloseTryAgainLater {
				ls.dropped.Add(1)
			}
			ls.forget(l)
		case websocket.PongMessage:
		default:
			ls.disorder.Add(1)
		}
	}
	return off
}

// message checks one event: its seq follows the previous one (every event once, in order, no
// gaps); a call is timed, its ticket id found without decoding the whole message.
func (ls *listeners) message(l *listener, b []byte, now time.Time) {
	seq, ok := fieldUint(b, seqField)
	if !ok || seq != l.next {
		ls.disorder.Add(1)
	}
	l.next = seq + 1
	if !bytes.Contains(b[:min(len(b), 64)], calledType) {
		return
	}
	if id, ok := fieldString(b, ticketIDField); ok {
		r := received{ticket: id, at: now}
		if l.stamps {
			if v, ok := fieldString(b, atField); ok {
				r.step, _ = time.Parse(time.RFC3339Nano, v)
			}
		}
		l.recv = append(l.recv, r)
	} else {
		ls.disorder.Add(1)
	}
}

// pong answers a ping with a masked pong frame, as a client must.
func (l *listener) pong(payload []byte) {
	if len(payload) > 125 {
		return
	}
	f := make([]byte, 6+len(payload))
	f[0], f[1] = 0x80|websocket.PongMessage, 0x80|byte(len(payload))
	binary.BigEndian.PutUint32(f[2:], l.mask.Uint32())
	for i, c := range payload {
		f[6+i] = c ^ f[2+i%4]
	}
	l.nc.SetWriteDeadline(time.Now().Add(5 * time.Second))
	l.nc.Write(f)
}

// finish stops the loop and returns what each subscriber received.
func (ls *listeners) finish() [][]received {
	close(ls.stop)
	<-ls.done
	syscall.Close(ls.epfd)
	out := make([][]received, len(ls.all))
	for i, l := range ls.all {
		out[i] = l.recv
		l.conn.Close()
	}
	return out
}
