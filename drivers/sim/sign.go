package sim

import (
	"context"
	"io"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"hall/drivers/lineproto"
)

// Sign simulates a counter's LED window sign speaking the hall line protocol
// (drivers/lineproto/PROTOCOL.md, "LED window sign"): PING, SHOW, CALL, CLR, BRIGHT. It
// records what it shows and every command it acted on. Create it with NewSign; its control
// methods are safe for concurrent use, also while Serve runs.
type Sign struct {
	resp *lineproto.Responder

	// mu guards every field below.
	mu         sync.Mutex
	lineCount  int
	maxRunes   int
	lines      []string
	call       SignCall
	brightness int
	history    []string
	fault      bool
}

// SignCall is the call a Sign shows.
type SignCall struct {
	Ticket, Window string
	Blink          time.Duration // 0: not blinking
}

// SignState is a snapshot of what a Sign shows.
type SignState struct {
	Lines      []string // text per line, index 0 is line 1; "" when blank
	Call       SignCall // the last call shown since the last CLR; zero when none
	Brightness int      // 0-15
}

// NewSign returns a sign at address addr (01-FF) with the given number of text lines (1-9)
// of at most maxRunes characters each (SHOW with more fails with ERR,LEN). Brightness starts
// at 8. Bad sizes are clamped (lines to 1-9, maxRunes to at least 1).
func NewSign(addr byte, lines, maxRunes int) *Sign {
	lines = min(max(lines, 1), 9)
	s := &Sign{lineCount: lines, maxRunes: max(maxRunes, 1), lines: make([]string, lines), brightness: 8}
	s.resp = &lineproto.Responder{Addr: addr, Handler: s.handle}
	return s
}

// Serve speaks the protocol on port until ctx ends or the port fails (see Device).
func (s *Sign) Serve(ctx context.Context, port io.ReadWriter) error { return s.resp.Serve(ctx, port) }

// handle carries out one command (called by the Responder, one at a time).
func (s *Sign) handle(cmd string, args []string) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fault && cmd != "PING" {
		return nil, lineproto.Errorf(lineproto.ErrHardware, "LED module")
	}
	switch cmd {
	case "PING":
		if len(args) != 0 {
			return nil, lineproto.Errorf(lineproto.ErrArguments)
		}
	case "SHOW":
		if len(args) != 2 {
			return nil, lineproto.Errorf(lineproto.ErrArguments, "SHOW,<line>,<text>")
		}
		n, err := number(args[0])
		if err != nil {
			return nil, err
		}
		if n < 1 || n > s.lineCount {
			return nil, lineproto.Errorf(lineproto.ErrRange, "line 1-"+strconv.Itoa(s.lineCount))
		}
		if utf8.RuneCountInString(args[1]) > s.maxRunes {
			return nil, lineproto.Errorf(lineproto.ErrTextTooLong, strconv.Itoa(s.maxRunes)+" characters")
		}
		s.lines[n-1] = args[1]
	case "CALL":
		if len(args) < 2 || len(args) > 3 || args[0] == "" || args[1] == "" {
			return nil, lineproto.Errorf(lineproto.ErrArguments, "CALL,<ticket>,<window>[,<blink s>]")
		}
		c := SignCall{Ticket: args[0], Window: args[1]}
		if len(args) == 3 {
			n, err := number(args[2])
			if err != nil {
				return nil, err
			}
			if n > 255 {
				return nil, lineproto.Errorf(lineproto.ErrRange, "blink 0-255")
			}
			c.Blink = time.Duration(n) * time.Second
		}
		s.call = c
		s.lines[0] = "请" + c.Ticket + "号到" + c.Window + "号窗口"
	case "CLR":
		if len(args) != 0 {
			return nil, lineproto.Errorf(lineproto.ErrArguments)
		}
		s.call = SignCall{}
		for i := range s.lines {
			s.lines[i] = ""
		}
	case "BRIGHT":
		if len(args) != 1 {
			return nil, lineproto.Errorf(lineproto.ErrArguments, "BRIGHT,<0-15>")
		}
		n, err := number(args[0])
		if err != nil {
			return nil, err
		}
		if n > 15 {
			return nil, lineproto.Errorf(lineproto.ErrRange, "0-15")
		}
		s.brightness = n
	default:
		return nil, lineproto.Errorf(lineproto.ErrUnknownCommand)
	}
	s.history = append(s.history, cmdString(cmd, args))
	return nil, nil
}

// number parses a protocol number: 1-3 decimal digits.
func number(s string) (int, error) {
	if len(s) == 0 || len(s) > 3 {
		return 0, lineproto.Errorf(lineproto.ErrArguments, "number "+strconv.Quote(s))
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, lineproto.Errorf(lineproto.ErrArguments, "number "+strconv.Quote(s))
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, nil
}

func cmdString(cmd string, args []string) string {
	for _, a := range args {
		cmd += "," + a
	}
	return cmd
}

// Shown returns what the sign shows now.
func (s *Sign) Shown() SignState {
	s.mu.Lock()
	defer s.mu.Unlock()
	return SignState{Lines: append([]string(nil), s.lines...), Call: s.call, Brightness: s.brightness}
}

// History returns every command the sign acted on, oldest first, as "CMD,arg,...". A repeated
// frame (a host retry) appears once.
func (s *Sign) History() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.history...)
}

// SetFault makes the sign answer every command but PING with ERR,HW (true) or work again.
func (s *Sign) SetFault(on bool) {
	s.mu.Lock()
	s.fault = on
	s.mu.Unlock()
}

var _ Device = (*Sign)(nil)
