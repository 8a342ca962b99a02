package lineproto

import (
	"bytes"
	"context"
	"io"
	"sync"

	"hall/drivers"
)

// Handler carries out one command on a device: cmd is Fields[0] of the request, args the rest.
// It returns the data fields of the OK reply, or a *DeviceError for an ERR reply (any other
// error is answered as ERR,HW). It is called for broadcasts too; their reply is not sent.
type Handler func(cmd string, args []string) ([]string, error)

// Responder is the device side of the protocol: a reference for adapter firmware, used by the
// simulators. It answers frames for its address, acts on broadcasts silently, ignores other
// addresses and invalid frames (bad checksum, malformed: the host will retry), and answers a
// repeat of the last frame (same SEQ other than 00, same content) with the remembered reply
// without calling the Handler again. PING is answered OK by the Responder itself when the
// Handler reports it as unknown.
//
// Respond and Serve are safe for concurrent use; the remembered frame survives across Serve
// calls (a replugged cable does not make a device act twice).
type Responder struct {
	Addr    byte
	Handler Handler

	// mu guards the remembered frame and serialises Handler calls.
	mu        sync.Mutex
	lastBody  []byte // the last acted-on request, from ADDR to the checksum digits
	lastReply []byte
}

// Respond takes one received line (as from Splitter) and returns the reply frame to send, or
// nil when nothing is to be sent.
func (r *Responder) Respond(line []byte) []byte {
	f, err := Parse(line)
	if err != nil || (f.Addr != r.Addr && f.Addr != Broadcast) {
		return nil
	}
	body := bytes.TrimRight(line[1:], "\r")
	r.mu.Lock()
	defer r.mu.Unlock()
	if f.Addr == Broadcast {
		r.handleLocked(f)
		return nil
	}
	if f.Seq == ResetSeq {
		r.lastBody, r.lastReply = nil, nil
	} else if r.lastBody != nil && bytes.Equal(body, r.lastBody) {
		return r.lastReply // a repeat: the host did not get our reply
	}
	data, derr := r.handleLocked(f)
	var reply Frame
	if derr != nil {
		reply = Frame{Addr: r.Addr, Seq: f.Seq, Fields: []string{"ERR", derr.Code}}
		if derr.Detail != "" {
			reply.Fields = append(reply.Fields, derr.Detail)
		}
	} else {
		reply = Frame{Addr: r.Addr, Seq: f.Seq, Fields: append([]string{"OK"}, data...)}
	}
	out, err := reply.Append(nil)
	if err != nil { // the handler's data does not fit a frame
		out, _ = Frame{Addr: r.Addr, Seq: f.Seq, Fields: []string{"ERR", ErrTextTooLong.Code, "reply too long"}}.Append(nil)
	}
	if f.Seq != ResetSeq {
		r.lastBody, r.lastReply = append([]byte(nil), body...), out
	}
	return out
}

func (r *Responder) handleLocked(f Frame) ([]string, *DeviceError) {
	data, err := r.Handler(f.Fields[0], f.Fields[1:])
	if err == nil {
		return data, nil
	}
	de, ok := err.(*DeviceError)
	if !ok {
		return nil, &DeviceError{Code: ErrHardware.Code, Detail: err.Error()}
	}
	if de.Code == ErrUnknownCommand.Code && f.Fields[0] == "PING" && len(f.Fields) == 1 {
		return nil, nil
	}
	return nil, de
}

// Serve reads frames from port and writes the replies until ctx ends or the port fails. Reads
// that fail with a transient error (drivers.ErrTimeout, drivers.ErrOffline) are retried. It
// returns ctx.Err() after ctx ends and the port's error otherwise. A Read blocked on a port
// notices ctx only when it returns: whoever cancels ctx also closes the port.
func (r *Responder) Serve(ctx context.Context, port io.ReadWriter) error {
	var sp Splitter
	buf := make([]byte, 256)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, err := port.Read(buf)
		for _, b := range buf[:n] {
			line, ok := sp.Feed(b)
			if !ok {
				continue
			}
			if reply := r.Respond(line); reply != nil {
				if _, werr := port.Write(reply); werr != nil && !drivers.IsTransient(werr) {
					if ctx.Err() != nil {
						return ctx.Err()
					}
					return werr
				}
			}
		}
		if err != nil && !drivers.IsTransient(err) {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		}
	}
}
