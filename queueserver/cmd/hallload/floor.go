//go:build linux

package main

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gorilla/websocket"
)

// The floor (-floor) is what this machine's kernel alone costs for the delivery phase: a bare
// publisher in a child process (-floor-serve) writes pre-framed call messages of the server's
// size straight into S websockets, at the same rate, from one writer goroutine per core (as
// many as the server's fan-out workers), with
// no store, no requests and no hub; the same epoll reader receives and checks them. Whatever
// the server's figure has on top of the floor is the server's own.

// floorFrameSize is about a call and the finish before it, as the server writes them together.
const floorFrameSize = 1500

// floorPhase runs the child publisher, subscribes S listeners and reports publish → every
// subscriber.
func floorPhase(o options) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	child := exec.Command(self, "-floor-serve", "-subscribers", strconv.Itoa(o.subscribers),
		"-calls", strconv.Itoa(o.calls), "-call-rate", strconv.FormatFloat(o.callRate, 'f', -1, 64))
	child.Stderr = os.Stderr
	out, err := child.StdoutPipe()
	if err != nil {
		return err
	}
	if err := child.Start(); err != nil {
		return err
	}
	defer child.Process.Kill()
	addr, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		return fmt.Errorf("floor publisher: %w", err)
	}
	fmt.Printf("hallload -floor: a bare publisher at %s — %d subscribers, %d calls at %.0f/s\n",
		strings.TrimSpace(addr), o.subscribers, o.calls, o.callRate)
	var dropped, disorder atomic.Int64
	ls, err := newListeners(&dropped, &disorder)
	if err != nil {
		return err
	}
	for i := range o.subscribers {
		c, _, err := websocket.DefaultDialer.Dial("ws://"+strings.TrimSpace(addr)+"/", nil)
		if err != nil {
			return fmt.Errorf("subscriber %d: %w", i, err)
		}
		if err := ls.add(c, 1); err != nil {
			return err
		}
	}
	go ls.run()
	if err := child.Wait(); err != nil {
		return fmt.Errorf("floor publisher: %w", err)
	}
	time.Sleep(time.Second) // let the last deliveries arrive
	subs := ls.finish()

	got, lastAt, published := tally(subs)
	var all []time.Duration
	missing := 0
	for id, at := range published {
		if got[id] != o.subscribers {
			missing += o.subscribers - got[id]
			continue
		}
		all = append(all, lastAt[id].Sub(at))
	}
	missing += (o.calls - len(published)) * o.subscribers
	fmt.Printf("floor: publish → ALL subscribers (per call, the last delivery): p50 %s p99 %s max %s\n", pct(all, 50), pct(all, 99), pct(all, 100))
	fmt.Printf("missing deliveries %d, messages out of order or malformed %d\n", missing, disorder.Load())
	return lost(0, missing, dropped.Load(), disorder.Load())
}

// floorServe is the child: it accepts S websockets, then writes o.calls frames at o.callRate.
func floorServe(o options) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	fmt.Println(ln.Addr())
	var mu sync.Mutex
	var fds []int
	var keep []*websocket.Conn
	all := make(chan struct{})
	up := websocket.Upgrader{}
	go http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		raw, err := c.NetConn().(*net.TCPConn).SyscallConn()
		if err != nil {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		raw.Control(func(fd uintptr) { fds = append(fds, int(fd)) })
		keep = append(keep, c)
		if len(fds) == o.subscribers {
			close(all)
		}
	}))
	select {
	case <-all:
	case <-time.After(time.Minute):
		return errors.New("the subscribers did not all connect")
	}
	time.Sleep(500 * time.Millisecond)

	writers := min(runtime.GOMAXPROCS(0), 4, len(fds)) // as the server's fan-out workers
	work := make([]chan []byte, writers)
	var wg sync.WaitGroup
	var short atomic.Int64
	for w := range writers {
		work[w] = make(chan []byte, 16)
		mine := fds[w*len(fds)/writers : (w+1)*len(fds)/writers]
		go func() {
			for frame := range work[w] {
				for _, fd := range mine {
					if n, _ := syscall.Write(fd, frame); n != len(frame) {
						short.Add(1)
					}
				}
				wg.Done()
			}
		}()
	}
	tick := time.NewTicker(time.Duration(float64(time.Second) / o.callRate))
	defer tick.Stop()
	for seq := 1; seq <= o.calls; seq++ {
		<-tick.C
		frame := floorFrame(seq)
		wg.Add(writers)
		for _, w := range work {
			w <- frame
		}
	}
	wg.Wait()
	if n := short.Load(); n > 0 {
		return fmt.Errorf("%d writes were cut short", n)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, c := range keep {
		c.Close()
	}
	return nil
}

// floorFrame is a websocket text frame of floorFrameSize bytes carrying what the listeners
// read of a call: its seq, type, time and ticket id.
func floorFrame(seq int) []byte {
	msg := fmt.Sprintf(`{"seq":%d,"type":"ticket.called","at":"%s","data":{"ticket":{"id":"F%d"},"pad":"`,
		seq, time.Now().Format(time.RFC3339Nano), seq)
	pad := max(0, floorFrameSize-4-len(msg)-3)
	payload := msg + strings.Repeat("x", pad) + `"}}`
	frame := []byte{0x80 | websocket.TextMessage, 126, byte(len(payload) >> 8), byte(len(payload))}
	return append(frame, payload...)
}
