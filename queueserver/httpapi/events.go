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
	// maxWrite is the size beyond which queued live frames are not added to one write.
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

// stream is the connection's only writer; a reader goroutine notices the peer leaving, extends
// the read deadline on pongs and hands the peer's pings over to be answered here.
//
// Live frames are written as they are (Frame.Wire) straight to the network connection, bypassing
// the websocket writer. That is safe because every write, ours or the websocket's, is whole
// frames in one Write call, which the connection never interleaves with another; and all writes
// come from this goroutine except the close reply the websocket reader sends when the peer
// closes. Frames that queued up while the previous write was in progress go out together in one
// write, so a burst of events costs one system call per subscriber instead of one per event.
func (s *Server) stream(ctx context.Context, conn *websocket.Conn, stop <-chan struct{}, since uint64, fromLog bool, area string) {
	defer conn.Close()
	frames, unsubscribe := s.cfg.Feed.Subscribe(s.cfg.SubscriberBuffer) // FIRST: then read the log
	defer unsubscribe()

	gone := make(chan struct{})
	pings := make(chan string, 1) // the latest unanswered ping's payload
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
		for {
			if _, _, err := conn.ReadMessage(); err != nil {
				return
			}
		}
	}()
	defer func() {
		conn.Close()
		<-gone
	}()

	write := func(b []byte) error {
		conn.SetWriteDeadline(time.Now().Add(writeWait))
		return conn.WriteMessage(websocket.TextMessage, b)
	}
	closeWith := func(code int, text string) {
		conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, text), time.Now().Add(writeWait))
	}

	last, err := s.catchUp(ctx, since, fromLog, area, write, gone, stop)
	if err != nil {
		if hall.ErrorCode(err) == hall.EINTERNAL {
			s.log.Error("httpapi: events replay", "err", err)
		}
		closeWith(websocket.CloseInternalServerErr, "replay failed")
		return
	}

	nc := conn.NetConn()
	var out []byte         // the frames of one write; reused
	var deadline time.Time // the write deadline last set on nc
	// add appends f unless it was already sent from the log or is for another area.
	add := func(f *Frame) {
		if f.Seq <= last {
			return
		}
		last = f.Seq
		if area != "" && f.AreaID != "" && f.AreaID != area {
			return
		}
		out = append(out, f.Wire...)
	}
	ping := time.NewTicker(pingPeriod)
	defer ping.Stop()
	for {
		select {
		case f, ok := <-frames:
			open := ok
			out = out[:0]
			if ok {
				add(f)
			}
		more: // take what else is queued, up to a bounded write
			for open && len(out) < maxWrite {
				select {
				case f, ok := <-frames:
					if !ok {
						open = false
						break more
					}
					add(f)
				default:
					break more
				}
			}
			if len(out) > 0 {
				// Each write gets at least writeWait/2; the deadline is moved on only when
				// less is left, which spares resetting the connection's timer at every write.
				if now := time.Now(); deadline.Sub(now) < writeWait/2 {
					deadline = now.Add(writeWait)
					nc.SetWriteDeadline(deadline)
				}
				if _, err := nc.Write(out); err != nil {
					return
				}
			}
			if cap(out) > 4*maxWrite {
				out = nil // do not keep a rare huge batch's buffer
			}
			if !open {
				closeWith(CloseTryAgain, "fell behind or server closing; reconnect with since")
				return
			}
		case data := <-pings:
			if err := conn.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(writeWait)); err != nil {
				return
			}
		case <-ping.C:
			if err := conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeWait)); err != nil {
				return
			}
		case <-gone:
			return
		case <-stop:
			closeWith(CloseTryAgain, "server closing; reconnect with since")
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
