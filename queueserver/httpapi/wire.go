package httpapi

import (
	"encoding/binary"
	"encoding/json"
	"time"

	"github.com/gorilla/websocket"

	"hall"
)

// The wire types below are shared by the server handlers and the Client, so the two cannot
// drift. Domain values (hall.Ticket, hall.Service, …) travel as their own JSON.

// LoginRequest is the body of POST /auth/login.
type LoginRequest struct {
	StaffID  string `json:"staffId"`
	Password string `json:"password"`
}

// LoginResponse carries a staff session's bearer token.
type LoginResponse struct {
	Token     string     `json:"token"`
	ExpiresAt time.Time  `json:"expiresAt"`
	Staff     hall.Staff `json:"staff"` // without its password hash
}

// Me describes the caller: GET /auth/me.
type Me struct {
	Role       Role            `json:"role"`
	StaffID    string          `json:"staffId,omitempty"`
	DeviceID   string          `json:"deviceId,omitempty"`
	DeviceKind hall.DeviceKind `json:"deviceKind,omitempty"`
	ExpiresAt  time.Time       `json:"expiresAt,omitzero"`
}

// DeviceRequest enrols a device: POST /devices.
type DeviceRequest struct {
	ID        string          `json:"id"`
	Name      string          `json:"name"`
	Kind      hall.DeviceKind `json:"kind"`
	AreaID    string          `json:"areaId,omitempty"`
	CounterID string          `json:"counterId,omitempty"`
}

// DeviceEnrolment is a device with its token, shown only once.
type DeviceEnrolment struct {
	Device hall.Device `json:"device"`
	Token  string      `json:"token"`
}

// StaffRequest creates or updates a staff member: PUT /staff/{id}. An empty Password keeps the
// current one (a new staff member needs one).
type StaffRequest struct {
	Name     string    `json:"name"`
	Role     hall.Role `json:"role"`
	Password string    `json:"password,omitempty"`
	Disabled bool      `json:"disabled,omitempty"`
}

// ServiceView is a service with its live availability (open or closed and why, waiting count,
// estimated wait).
type ServiceView struct {
	Service      hall.Service      `json:"service"`
	Availability hall.Availability `json:"availability"`
}

// CounterOpRequest is the body of POST /counters/{id}/{op}; each operation reads the fields it
// needs (see the OpenAPI document) and an empty body is allowed.
type CounterOpRequest struct {
	Silent        bool   `json:"silent,omitempty"`        // call, call-ticket
	TicketID      string `json:"ticketId,omitempty"`      // call-ticket, resume
	RequeuePlaces int    `json:"requeuePlaces,omitempty"` // noshow
	ServiceID     string `json:"serviceId,omitempty"`     // transfer, virtual
	CounterID     string `json:"counterId,omitempty"`     // transfer
	Reason        string `json:"reason,omitempty"`        // hold, pause
}

// CounterOpResult is what a counter operation returns: the ticket it acted on (public copy) or
// the counter, whichever the operation changes.
type CounterOpResult struct {
	Ticket  *hall.Ticket  `json:"ticket,omitempty"`
	Counter *hall.Counter `json:"counter,omitempty"`
}

// Counter operations, the {op} of POST /counters/{id}/{op}.
const (
	OpLogin      = "login"
	OpLogout     = "logout"
	OpCall       = "call"
	OpCallTicket = "call-ticket"
	OpRecall     = "recall"
	OpStart      = "start"
	OpNoShow     = "noshow"
	OpTransfer   = "transfer"
	OpHold       = "hold"
	OpResume     = "resume"
	OpPause      = "pause"
	OpUnpause    = "unpause"
	OpFinish     = "finish"
	OpVirtual    = "virtual"
)

// CounterOps lists every counter operation.
var CounterOps = []string{OpLogin, OpLogout, OpCall, OpCallTicket, OpRecall, OpStart, OpNoShow, OpTransfer, OpHold, OpResume, OpPause, OpUnpause, OpFinish, OpVirtual}

// Message is one websocket message of GET /events: an event of the log (Data is the hall.Event),
// or a snapshot (Type MessageSnapshot, Seq the last event it includes, Data a Snapshot).
type Message struct {
	Seq  uint64          `json:"seq"`
	Type string          `json:"type"`
	At   time.Time       `json:"at"`
	Data json.RawMessage `json:"data"`
}

// MessageSnapshot is the type of a snapshot message.
const MessageSnapshot = "snapshot"

// Event decodes an event message's data.
func (m Message) Event() (hall.Event, error) {
	var e hall.Event
	err := json.Unmarshal(m.Data, &e)
	return e, err
}

// Snapshot is the hall's live state as of event Seq, sent instead of a replay when a subscriber
// comes without a sequence number or from too far back.
type Snapshot struct {
	Seq          uint64              `json:"seq"`
	Counters     []hall.Counter      `json:"counters"`
	Availability []hall.Availability `json:"availability"`
	// RecentCalls are the latest first calls, newest first (of the subscriber's area, if any).
	RecentCalls []hall.Call `json:"recentCalls"`
}

// Frame is one event encoded once for every subscriber: the hub fans out pointers to the frames
// built by EncodeFrame (a subscriber's buffer then holds pointers, not copies), and each websocket
// writes Wire as is. Frames are shared: never modify them.
type Frame struct {
	Seq    uint64
	AreaID string
	// JSON is the Message; Wire is the same bytes as one complete websocket text frame, written
	// to the connection unchanged (the server negotiates no extensions, so frames are plain).
	JSON []byte
	Wire []byte
}

// EncodeFrame encodes e as a Message and frames it for the websocket. It is the hub's encoder.
func EncodeFrame(e hall.Event) (*Frame, error) {
	b, err := encodeEvent(e)
	if err != nil {
		return nil, err
	}
	wire := textFrame(b)
	return &Frame{Seq: e.Seq, AreaID: e.AreaID, JSON: wire[len(wire)-len(b):], Wire: wire}, nil
}

// textFrame returns payload as one final, unmasked websocket text frame, as a server sends it
// (RFC 6455 section 5.2: FIN and opcode, then the payload length in 7, 16 or 64 bits).
func textFrame(payload []byte) []byte {
	n := len(payload)
	b := make([]byte, 0, n+10)
	b = append(b, 0x80|websocket.TextMessage)
	switch {
	case n < 126:
		b = append(b, byte(n))
	case n <= 0xffff:
		b = append(b, 126)
		b = binary.BigEndian.AppendUint16(b, uint16(n))
	default:
		b = append(b, 127)
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	return append(b, payload...)
}

func encodeEvent(e hall.Event) ([]byte, error) {
	data, err := json.Marshal(e)
	if err != nil {
		return nil, err
	}
	return json.Marshal(Message{Seq: e.Seq, Type: string(e.Type), At: e.At, Data: data})
}

// Feed is the live event fan-out the events endpoint attaches to (the hub implements it).
// Attach adds a sink that gets, in order, the frames of every event published after Attach
// returns, until the sink is dropped for falling behind (Deliver answered false: the subscriber
// must resync), detach is called, or the feed closes; then its Detached is called once.
type Feed interface {
	Attach(sink FrameSink) (detach func())
}

// FrameSink is a subscriber of the Feed. Deliver is called on the feed's own goroutine with the
// frames published since its previous call; it must not block or keep the slice, and answers
// false when the subscriber cannot keep up.
type FrameSink interface {
	Deliver(frames []*Frame) bool
	Detached()
}

// signal wakes the goroutine waiting on c (capacity 1) without blocking.
func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}
