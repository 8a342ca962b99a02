package httpapi

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// SubscribeOptions say where a subscription starts.
type SubscribeOptions struct {
	// Since is the last sequence number the caller has; the feed starts after it. With Snapshot
	// set, Since is ignored and the first message is a snapshot of the live state.
	Since    uint64
	Snapshot bool
	// Area keeps only one area's events (and hall-wide ones); "" for all.
	Area string
	// Buffer is the size of C (default 256).
	Buffer int
	// MinBackoff and MaxBackoff bound the wait between reconnects (defaults 100 ms and 5 s).
	MinBackoff, MaxBackoff time.Duration
}

// Subscription is a live event feed that survives disconnects and server restarts: it
// reconnects with exponential back-off and resumes after the last sequence number it delivered,
// so the consumer sees every event once, in order (or a fresh snapshot when it had fallen too
// far behind). One goroutine owns the connection; Close stops it.
type Subscription struct {
	// C delivers event and snapshot messages in sequence order. It is closed after Close.
	C <-chan Message

	cancel context.CancelFunc
	done   chan struct{}

	// mu guards err and connects.
	mu       sync.Mutex
	err      error
	connects int
}

// Subscribe opens the event feed. It returns at once; connection errors are retried until ctx
// ends or Close is called (Err reports the latest).
func (c *Client) Subscribe(ctx context.Context, opts SubscribeOptions) *Subscription {
	if opts.Buffer <= 0 {
		opts.Buffer = 256
	}
	if opts.MinBackoff <= 0 {
		opts.MinBackoff = 100 * time.Millisecond
	}
	if opts.MaxBackoff < opts.MinBackoff {
		opts.MaxBackoff = max(5*time.Second, opts.MinBackoff)
	}
	ctx, cancel := context.WithCancel(ctx)
	ch := make(chan Message, opts.Buffer)
	s := &Subscription{C: ch, cancel: cancel, done: make(chan struct{})}
	go s.run(ctx, c, opts, ch)
	return s
}

// Close stops the subscription and waits for its goroutine; C is closed. Idempotent.
func (s *Subscription) Close() {
	s.cancel()
	<-s.done
}

// Err returns the last connection error (nil while connected and healthy).
func (s *Subscription) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Connects counts successful connections (the first one included).
func (s *Subscription) Connects() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.connects
}

func (s *Subscription) setErr(err error, connected bool) {
	s.mu.Lock()
	s.err = err
	if connected {
		s.connects++
	}
	s.mu.Unlock()
}

func (s *Subscription) run(ctx context.Context, c *Client, opts SubscribeOptions, ch chan<- Message) {
	defer close(s.done)
	defer close(ch)
	last, have := opts.Since, !opts.Snapshot
	backoff := opts.MinBackoff
	for ctx.Err() == nil {
		conn, err := c.dialEvents(ctx, last, have, opts.Area)
		if err == nil {
			s.setErr(nil, true)
			backoff = opts.MinBackoff
			err = s.read(ctx, conn, &last, &have, ch)
		}
		if ctx.Err() != nil {
			return
		}
		s.setErr(err, false)
		wait := backoff/2 + rand.N(backoff/2+1)
		backoff = min(backoff*2, opts.MaxBackoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// dialEvents opens the websocket, resuming after last when have is set.
func (c *Client) dialEvents(ctx context.Context, last uint64, have bool, area string) (*websocket.Conn, error) {
	u := c.base + pathEvents
	u = "ws" + strings.TrimPrefix(u, "http")
	q := url.Values{}
	if have {
		q.Set("since", strconv.FormatUint(last, 10))
	}
	if area != "" {
		q.Set("area", area)
	}
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	h := http.Header{}
	c.header(h)
	d := websocket.Dialer{HandshakeTimeout: 10 * time.Second}
	if t, ok := c.http.Transport.(*http.Transport); ok && t.TLSClientConfig != nil {
		d.TLSClientConfig = t.TLSClientConfig
	}
	conn, resp, err := d.DialContext(ctx, u, h)
	if err != nil {
		if resp != nil {
			defer resp.Body.Close()
			if rerr := readResponse(resp, nil); rerr != nil {
				return nil, rerr
			}
		}
		return nil, err
	}
	return conn, nil
}

// read delivers messages until the connection fails or ctx ends. A connection that stays silent
// longer than pongWait plus a margin (the server pings every pingPeriod) counts as dead.
func (s *Subscription) read(ctx context.Context, conn *websocket.Conn, last *uint64, have *bool, ch chan<- Message) error {
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	conn.SetPingHandler(func(data string) error {
		conn.SetReadDeadline(time.Now().Add(pongWait + writeWait))
		return conn.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(writeWait))
	})
	for {
		conn.SetReadDeadline(time.Now().Add(pongWait + writeWait))
		_, b, err := conn.ReadMessage()
		if err != nil {
			return err
		}
		var m Message
		if err := json.Unmarshal(b, &m); err != nil {
			return err
		}
		if m.Type != MessageSnapshot && *have && m.Seq <= *last {
			continue // already delivered before a reconnect
		}
		select {
		case ch <- m:
		case <-ctx.Done():
			return ctx.Err()
		}
		*last, *have = m.Seq, true
	}
}
