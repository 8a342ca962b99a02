package lineproto

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"hall/drivers"
)

// Defaults used for zero Options fields.
const (
	DefaultAddr    byte = 0x01
	DefaultTimeout      = 300 * time.Millisecond
	DefaultRetries      = 2
)

// Options configure a Client. The zero value talks to address 01 with a 300 ms timeout and
// 2 retries.
type Options struct {
	// Addr is the device's address, 01-FF. 00 (the broadcast address, never a request
	// target) means DefaultAddr.
	Addr byte
	// Timeout is how long to wait for each reply. Default DefaultTimeout.
	Timeout time.Duration
	// Retries is how many times a request is repeated (with the same SEQ) after a timeout.
	// 0 means DefaultRetries; a negative value means no retries.
	Retries int
}

// ErrBadReply is wrapped when a device answers with neither OK nor ERR,<code>.
var ErrBadReply = errors.New("lineproto: bad reply")

// Client is the host side of the line protocol on one port, for one device address. Create it
// with NewClient.
//
// Its methods are safe for concurrent use: requests are serialised (one outstanding request per
// port, as the protocol requires).
type Client struct {
	port io.ReadWriter
	o    Options

	// mu serialises requests and guards seq and synced.
	mu     sync.Mutex
	seq    byte
	synced bool

	replies chan Frame    // frames from the reader goroutine
	done    chan struct{} // closed when the reader goroutine ends

	readErr   error // why the reader ended; written before done is closed
	closed    atomic.Bool
	closeOnce sync.Once
	bad       atomic.Int64
}

// NewClient starts a Client on port and takes ownership of it: Close closes the port if it is
// an io.Closer. The port must be an io.Closer or return from Read now and then (e.g. a read
// timeout wrapping drivers.ErrTimeout) so that Close can stop the reader goroutine. It fails
// only when o.Timeout is negative. It sends nothing.
func NewClient(port io.ReadWriter, o Options) (*Client, error) {
	if o.Addr == Broadcast {
		o.Addr = DefaultAddr
	}
	if o.Timeout < 0 {
		return nil, fmt.Errorf("lineproto: negative timeout %v", o.Timeout)
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	switch {
	case o.Retries == 0:
		o.Retries = DefaultRetries
	case o.Retries < 0:
		o.Retries = 0
	}
	c := &Client{port: port, o: o, replies: make(chan Frame, 8), done: make(chan struct{})}
	go c.readLoop()
	return c, nil
}

// readLoop is the port's one reader goroutine: it splits and parses frames and hands replies
// for our address to the waiting request.
func (c *Client) readLoop() {
	defer close(c.done)
	var sp Splitter
	buf := make([]byte, 256)
	for {
		n, err := c.port.Read(buf)
		for _, b := range buf[:n] {
			line, ok := sp.Feed(b)
			if !ok {
				continue
			}
			f, perr := Parse(line)
			if perr != nil || f.Addr != c.o.Addr {
				c.bad.Add(1)
				continue
			}
			select {
			case c.replies <- f:
			default: // nobody is waiting: a stale reply
			}
		}
		if c.closed.Load() {
			c.readErr = drivers.ErrClosed
			return
		}
		if err != nil && !drivers.IsTransient(err) {
			c.readErr = err
			return
		}
	}
}

// BadFrames counts received lines that were not valid frames from our device (bad checksum,
// malformed, other address): a health indicator for the wiring.
func (c *Client) BadFrames() int64 { return c.bad.Load() }

func (c *Client) errDone() error {
	if c.closed.Load() || c.readErr == nil {
		return drivers.ErrClosed
	}
	return c.readErr
}

// Do sends cmd with args and returns the data fields of the OK reply. On the first request
// after NewClient it first sends PING with SEQ 00 (the reset sequence). It repeats the same
// frame, same SEQ, up to Options.Retries times when no reply comes within Options.Timeout, so
// a device acts at most once. Errors: *DeviceError for an ERR reply (match codes with
// errors.Is(err, ErrRange) etc.); an error wrapping drivers.ErrTimeout when every try timed
// out; ErrBadReply; ErrMalformed/ErrTooLong for a request that cannot be framed (nothing is
// sent); ctx.Err(); drivers.ErrClosed after Close; the port's error.
func (c *Client) Do(ctx context.Context, cmd string, args ...string) ([]string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.synced {
		if _, err := c.roundTripLocked(ctx, ResetSeq, "PING", nil); err != nil {
			return nil, err
		}
		c.synced = true
	}
	c.seq++
	if c.seq == ResetSeq {
		c.seq = 1
	}
	return c.roundTripLocked(ctx, c.seq, cmd, args)
}

func (c *Client) roundTripLocked(ctx context.Context, seq byte, cmd string, args []string) ([]string, error) {
	frame, err := Frame{Addr: c.o.Addr, Seq: seq, Fields: append([]string{cmd}, args...)}.Append(nil)
	if err != nil {
		return nil, err
	}
	t := time.NewTimer(c.o.Timeout)
	defer t.Stop()
	for try := 0; try <= c.o.Retries; try++ {
	drain: // replies that arrived after an earlier request timed out are stale
		for {
			select {
			case <-c.replies:
			default:
				break drain
			}
		}
		select {
		case <-c.done:
			return nil, fmt.Errorf("lineproto: %s: %w", cmd, c.errDone())
		default:
		}
		if _, err := c.port.Write(frame); err != nil {
			return nil, fmt.Errorf("lineproto: %s: %w", cmd, err)
		}
		t.Reset(c.o.Timeout)
	wait:
		for {
			select {
			case f := <-c.replies:
				if f.Seq != seq {
					continue // a late reply to an earlier request
				}
				return replyData(cmd, f)
			case <-t.C:
				break wait
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-c.done:
				return nil, fmt.Errorf("lineproto: %s: %w", cmd, c.errDone())
			}
		}
	}
	return nil, fmt.Errorf("lineproto: %s: no reply after %d tries: %w", cmd, c.o.Retries+1, drivers.ErrTimeout)
}

func replyData(cmd string, f Frame) ([]string, error) {
	switch f.Fields[0] {
	case "OK":
		return f.Fields[1:], nil
	case "ERR":
		if len(f.Fields) < 2 || f.Fields[1] == "" {
			return nil, fmt.Errorf("lineproto: %s: %w: ERR without a code", cmd, ErrBadReply)
		}
		e := &DeviceError{Code: f.Fields[1]}
		if len(f.Fields) > 2 {
			e.Detail = f.Fields[2]
		}
		return nil, fmt.Errorf("lineproto: %s: %w", cmd, e)
	}
	return nil, fmt.Errorf("lineproto: %s: %w: %q", cmd, ErrBadReply, f.Fields[0])
}

// Broadcast sends cmd to every device on the line (address 00), once: devices act without
// replying, so nothing confirms it arrived. It fails only for a frame that cannot be built,
// after Close, or on a write error.
func (c *Client) Broadcast(ctx context.Context, cmd string, args ...string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case <-c.done:
		return fmt.Errorf("lineproto: %s: %w", cmd, c.errDone())
	default:
	}
	frame, err := Frame{Addr: Broadcast, Seq: ResetSeq, Fields: append([]string{cmd}, args...)}.Append(nil)
	if err != nil {
		return err
	}
	if _, err := c.port.Write(frame); err != nil {
		return fmt.Errorf("lineproto: %s: %w", cmd, err)
	}
	return nil
}

// Close stops the reader goroutine: it closes the port if it is an io.Closer and waits for the
// goroutine to end. It is idempotent and returns the port's Close error the first time.
func (c *Client) Close() error {
	var err error
	c.closeOnce.Do(func() {
		c.closed.Store(true)
		if cl, ok := c.port.(io.Closer); ok {
			err = cl.Close()
		}
		<-c.done
	})
	return err
}
