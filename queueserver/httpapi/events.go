package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gorilla/websocket"

	"hall"
)

// Websocket timing (see gorilla/websocket examples/chat). Hall screens answer pings quickly, so a
// short pongWait notices a dead screen within seconds.
const (
	// writeWait is the time allowed to write one message.
	writeWait = 10 * time.Second
	// pongWait is the time allowed to read the next pong (or any message) from the peer.
	pongWait = 15 * time.Second
	// pingPeriod sends pings within pongWait; it must be less than pongWait.
	pingPeriod = pongWait * 9 / 10
	// replayPage is how many logged events one read of the log returns during a replay.
	replayPage = 500
	// maxClientMessage bounds what a subscriber may send us (nothing but control frames).
	maxClientMessage = 512
	// maxWrite is the size of write buffer a subscriber keeps between writes.
	maxWrite = 64 << 10
)

// CloseTryAgain is the close code sent to a subscriber dropped for falling behind or at server
// shutdown: reconnect with the last sequence number seen.
const CloseTryAgain = websocket.CloseTryAgainLater

// upgrader negotiates no extension (no compression): live frames are written pre-framed
// (Frame.Wire), which a negotiated extension would invalidate.
var upgrader = websocket.Upgrader{ReadBufferSize: 1024, WriteBufferSize: 16 << 10}

// sameOrigin accepts clients that send no Origin (kiosk and counter apps, hallload) and browsers
// on a page served by this host.
func sameOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	return err == nil && u.Host == r.Host
}

// events upgrades to a websocket and streams the event log: first what the subscriber missed
// since ?since=SEQ (or a snapshot when since is absent or too far back), then live events, each
// as a Message. ?area=ID keeps only that area's events (and hall-wide ones).
//
// The handover from log to live is gap-free and without doubles: the subscription to the feed is
// made BEFORE the log is read, so every event committed after the read is in the feed; live
// frames whose seq is not above the last one sent are skipped.
func (s *Server) events(w http.ResponseWriter, r *http.Request, p Principal) error {
	q := r.URL.Query()
	area := q.Get("area")
	var since uint64
	fromLog := false
	if v := q.Get("since"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return hall.Errorf(hall.EINVALID, "since", "since 参数应为非负整数", "since must be a non-negative integer")
		}
		since, fromLog = n, true
	}
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return hall.Errorf(hall.EUNAVAILABLE, "server_closing", "服务正在关闭，请稍后重试", "the server is shutting down; try again shortly")
	}
	up := upgrader
	up.CheckOrigin = s.cfg.CheckOrigin
	if up.CheckOrigin == nil {
		up.CheckOrigin = sameOrigin
	}
	conn, err := up.Upgrade(w, r, nil)
	if err != nil {
		return nil // the upgrader has answered with an HTTP error
	}
	stop := make(chan struct{})
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		conn.Close()
		return nil
	}
	s.conns[stop] = struct{}{}
	s.wg.Add(1)
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		if _, ok := s.conns[stop]; ok {
			delete(s.conns, stop)
		}
		s.mu.Unlock()
		s.wg.Done()
	}()
	s.stream(r.Context(), conn, stop, since, fromLog, area)
	return nil
}

// stream serves one subscriber: it replays what the subscriber missed, then hands the live
// frames to a liveSink, which the feed's delivery worker writes straight into the socket.
// This goroutine writes only what the sink queues (a socket that did not take a write whole,
// a slow screen) and the control frames, owning the socket while it does (see liveSink). A
// reader goroutine notices the peer leaving, extends the read deadline on pongs and hands the
// peer's pings and close over to be answered here, so that every write is made under the
// sink's ownership.
func (s *Server) stream(ctx context.Context, conn *websocket.Conn, stop <-chan struct{}, since uint64, fromLog bool, area string) {
	nc := conn.NetConn()
	sink := newLiveSink(nc, area, s.cfg.SubscriberBuffer)
	defer func() {
		sink.shut()
		conn.Close()
	}()
	detach := s.cfg.Feed.Attach(sink) // FIRST: then read the log
	defer detach()

	gone := make(chan struct{})
	pings := make(chan string, 1)   // the latest unanswered ping's payload
	closing := make(chan []byte, 1) // the close frame to echo to a peer that closes
	go func() {
		defer close(gone)
		conn.SetReadLimit(maxClientMessage)
		conn.SetReadDeadline(time.Now().Add(pongWait))
		conn.SetPongHandler(func(string) error { return conn.SetReadDeadline(time.Now().Add(pongWait)) })
		conn.SetPingHandler(func(data string) error {
			select {
			case pings <- data:
			default: // one pong for several pings is allowed (RFC 6455 section 5.5.3)
			}
			return nil
		})
		conn.SetCloseHandler(func(code int, text string) error {
			select {
			case closing <- websocket.FormatCloseMessage(code, ""):
			default: // a peer closes once; the reader stops after it
			}
			return nil
		})
		for {
			if _, _, err := conn.ReadMessage(); err != nil {
				return
			}
		}
	}()
	defer func() {
		sink.shut() // before the descriptor is closed and its number can be reused
		conn.Close()
		<-gone
	}()

	write := func(b []byte) error {
		conn.SetWriteDeadline(time.Now().Add(writeWait))
		return conn.WriteMessage(websocket.TextMessage, b)
	}
	control := func(kind int, data []byte) error {
		return conn.WriteControl(kind, data, time.Now().Add(writeWait))
	}
	closeWith := func(code int, text string) {
		control(websocket.CloseMessage, websocket.FormatCloseMessage(code, text))
	}

	last, err := s.catchUp(ctx, since, fromLog, area, write, gone, stop)
	if err != nil {
		if hall.ErrorCode(err) == hall.EINTERNAL {
			s.log.Error("httpapi: events replay", "err", err)
		}
		closeWith(websocket.CloseInternalServerErr, "replay failed")
		return
	}
	sink.sentThrough(last)

	var out []byte         // the bytes of one write; reused
	var deadline time.Time // the write deadline last set on nc
	// flush writes what the sink has queued, owning the socket; with keep it keeps the socket
	// (a control frame follows), else it hands it back once nothing is left. It reports false
	// when the connection is done: broken, or dropped by the feed (then closed here).
	flush := func(keep bool) bool {
		for {
			var detached, broken bool
			out, detached, broken = sink.take(out[:0])
			if broken {
				return false
			}
			if len(out) > 0 {
				// Each write gets at least writeWait/2; the deadline is moved on only when
				// less is left, which spares resetting the connection's timer at every write.
				if now := time.Now(); deadline.Sub(now) < writeWait/2 {
					deadline = now.Add(writeWait)
					nc.SetWriteDeadline(deadline)
				}
				if _, err := nc.Write(out); err != nil {
					return false
				}
			}
			if cap(out) > 4*maxWrite {
				out = nil // do not keep a rare huge batch's buffer
			}
			if detached {
				closeWith(CloseTryAgain, "fell behind or server closing; reconnect with since")
				return false
			}
			if keep || sink.release() {
				return true
			}
		}
	}
	ping := time.NewTicker(pingPeriod)
	defer ping.Stop()
	for {
		if !flush(false) {
			return
		}
		select {
		case <-sink.wake:
		case data := <-pings:
			if !flush(true) || control(websocket.PongMessage, []byte(data)) != nil {
				return
			}
		case <-ping.C:
			if !flush(true) || control(websocket.PingMessage, nil) != nil {
				return
			}
		case reply := <-closing:
			if flush(true) {
				control(websocket.CloseMessage, reply)
			}
			return
		case <-gone:
			select {
			case reply := <-closing:
				if flush(true) {
					control(websocket.CloseMessage, reply)
				}
			default:
			}
			return
		case <-stop:
			if flush(true) {
				closeWith(CloseTryAgain, "server closing; reconnect with since")
			}
			return
		}
	}
}

// catchUp sends what the subscriber missed and returns the last sequence number covered: the
// logged events after since, or a snapshot when since is absent or more than MaxReplay behind.
func (s *Server) catchUp(ctx context.Context, since uint64, fromLog bool, area string, write func([]byte) error, gone, stop <-chan struct{}) (uint64, error) {
	lastSeq, err := s.cfg.Events.LastSeq(ctx)
	if err != nil {
		return 0, err
	}
	if since > lastSeq {
		since = lastSeq // a client from a restored or newer store: nothing to replay
	}
	if !fromLog || lastSeq-since > s.cfg.MaxReplay {
		return s.sendSnapshot(ctx, area, write)
	}
	last := since
	for {
		select {
		case <-gone:
			return last, context.Canceled
		case <-stop:
			return last, context.Canceled
		default:
		}
		page, err := s.cfg.Events.EventsSince(ctx, last, replayPage)
		if err != nil {
			return last, err
		}
		if len(page) == 0 {
			return last, nil
		}
		for _, e := range page {
			last = e.Seq
			if area != "" && e.AreaID != "" && e.AreaID != area {
				continue
			}
			b, err := encodeEvent(e)
			if err != nil {
				return last, err
			}
			if err := write(b); err != nil {
				return last, context.Canceled
			}
		}
	}
}

// sendSnapshot sends the live state with the sequence number it is consistent with. State and
// sequence are read separately, so it retries until the sequence stands still across the read.
func (s *Server) sendSnapshot(ctx context.Context, area string, write func([]byte) error) (uint64, error) {
	var snap Snapshot
	for try := 0; ; try++ {
		seq, err := s.cfg.Events.LastSeq(ctx)
		if err != nil {
			return 0, err
		}
		cs, err := s.cfg.Catalog.Counters(ctx)
		if err != nil {
			return 0, err
		}
		av, err := s.cfg.Reader.Availability(ctx)
		if err != nil {
			return 0, err
		}
		after, err := s.cfg.Events.LastSeq(ctx)
		if err != nil {
			return 0, err
		}
		cs = publicCopies(cs)
		calls, err := s.recentCalls(ctx, seq, area)
		if err != nil {
			return 0, err
		}
		snap = Snapshot{Seq: seq, Counters: nonNil(cs), Availability: nonNil(av), RecentCalls: nonNil(calls)}
		if after == seq || try == 4 {
			break
		}
	}
	data, err := json.Marshal(snap)
	if err != nil {
		return 0, err
	}
	b, err := json.Marshal(Message{Seq: snap.Seq, Type: MessageSnapshot, At: s.cfg.Now(), Data: data})
	if err != nil {
		return 0, err
	}
	if err := write(b); err != nil {
		return 0, context.Canceled
	}
	return snap.Seq, nil
}

// Recent calls in a snapshot: the first calls (not recalls) of the last recentCallsScan events,
// newest first, at most recentCallsMax, so that a screen opened mid-day shows what was called.
const (
	recentCallsScan = 2000
	recentCallsMax  = 10
)

// recentCalls returns the newest first calls up to event seq, of one area when area is set.
func (s *Server) recentCalls(ctx context.Context, seq uint64, area string) ([]hall.Call, error) {
	from := uint64(0)
	if seq > recentCallsScan {
		from = seq - recentCallsScan
	}
	events, err := s.cfg.Events.EventsSince(ctx, from, recentCallsScan)
	if err != nil {
		return nil, err
	}
	var calls []hall.Call
	for i := len(events) - 1; i >= 0 && len(calls) < recentCallsMax; i-- {
		e := events[i]
		if e.Seq > seq || e.Type != hall.EventTicketCalled || e.Call == nil || (area != "" && e.AreaID != area) {
			continue
		}
		calls = append(calls, *e.Call)
	}
	return calls, nil
}
