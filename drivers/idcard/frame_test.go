package idcard_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"hall/drivers"
	"hall/drivers/idcard"
	"hall/drivers/sim"
)

// Commands as DEVICES.md spells them; the golden files must agree.
func TestEncodeCommand_MatchesTheProtocolNotes(t *testing.T) {
	for _, tt := range []struct {
		name      string
		cmd, para byte
		want      string
	}{
		{"find", idcard.CmdCard, idcard.ParaFind, "aa aa aa 96 69 00 03 20 01 22"},
		{"select", idcard.CmdCard, idcard.ParaSelect, "aa aa aa 96 69 00 03 20 02 21"},
		{"read", idcard.CmdRead, idcard.ParaReadText, "aa aa aa 96 69 00 03 30 01 32"},
	} {
		if got := formatHex(idcard.EncodeCommand(tt.cmd, tt.para, nil)); got != tt.want+"\n" {
			t.Errorf("%s: got %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestEncodeCommand_Golden(t *testing.T) {
	for _, tt := range []struct {
		name      string
		cmd, para byte
		data      []byte
	}{
		{"reset", idcard.CmdReset, idcard.ParaAll, nil},
		{"samstatus", idcard.CmdSAMStatus, idcard.ParaAll, nil},
		{"samid", idcard.CmdSAMID, idcard.ParaAll, nil},
		{"find", idcard.CmdCard, idcard.ParaFind, nil},
		{"select", idcard.CmdCard, idcard.ParaSelect, nil},
		{"read", idcard.CmdRead, idcard.ParaReadText, nil},
		{"address", idcard.CmdRead, idcard.ParaReadAddr, nil},
		{"with-data", 0x61, 0xFF, []byte{0x01, 0x02, 0x03}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			golden(t, "commands/"+tt.name+".hex", formatHex(idcard.EncodeCommand(tt.cmd, tt.para, tt.data)))
		})
	}
}

// describeReply renders a reply, and the card in it if any, for golden
// files.
func describeReply(r *idcard.Reply) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "status %02x %02x %02x, %d data bytes\n", r.SW1, r.SW2, r.SW3, len(r.Data))
	if r.SW3 != idcard.SWSuccess && r.SW3 != idcard.SWCardFound {
		fmt.Fprintf(&sb, "error: %v\n", &idcard.StatusError{SW1: r.SW1, SW2: r.SW2, SW3: r.SW3})
	}
	if len(r.Data) == 70 {
		a, err := idcard.DecodeAddress(r.Data)
		fmt.Fprintf(&sb, "appended address: %s (err %v)\n", a, err)
	}
	if len(r.Data) == 4+idcard.TextLen+idcard.PhotoLen {
		c, err := idcard.DecodeText(r.Data[4:4+idcard.TextLen], today)
		if err != nil {
			fmt.Fprintf(&sb, "text: %v\n", err)
			return sb.String()
		}
		fmt.Fprintf(&sb, "name: %s\ngender: %s\nnation: %s\nbirth: %s\naddress: %s\nnumber: %s\nauthority: %s\nvalid: %s to %s (long-term %v)\nphoto: %d bytes\n",
			c.Name, c.Gender, c.Nation, c.Birth, c.Address, c.Number, c.Authority, c.ValidFrom, c.ValidTo, c.LongTerm(), len(r.Data)-4-idcard.TextLen)
	}
	return sb.String()
}

var today = time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)

// simReply asks the simulated reader for the reply to one command.
func simReply(t *testing.T, r *sim.CardReader, cmd []byte) []byte {
	t.Helper()
	port := &loopback{in: bytes.NewReader(cmd)}
	r.Serve(t.Context(), port) // ends with io.EOF after the command
	return port.out.Bytes()
}

type loopback struct {
	in  *bytes.Reader
	out bytes.Buffer
}

func (l *loopback) Read(b []byte) (int, error)  { return l.in.Read(b) }
func (l *loopback) Write(b []byte) (int, error) { return l.out.Write(b) }

// Replies: the hand-written short ones come from DEVICES.md's sizes; the
// card replies are what the simulator sends (rewritten by -update) and
// must decode to the golden description.
func TestParseReply_Golden(t *testing.T) {
	find := idcard.EncodeCommand(idcard.CmdCard, idcard.ParaFind, nil)
	read := idcard.EncodeCommand(idcard.CmdRead, idcard.ParaReadText, nil)
	addr := idcard.EncodeCommand(idcard.CmdRead, idcard.ParaReadAddr, nil)
	generated := map[string]func() []byte{
		"read_zhang.hex": func() []byte {
			r := sim.NewCardReader()
			r.InsertPreset("zhang")
			simReply(t, r, find)
			return simReply(t, r, read)
		},
		"read_li_longterm.hex": func() []byte {
			r := sim.NewCardReader()
			r.InsertPreset("li")
			return simReply(t, r, read)
		},
		"read_foreign.hex": func() []byte {
			r := sim.NewCardReader()
			r.InsertPreset("foreign")
			return simReply(t, r, read)
		},
		"address_li.hex": func() []byte {
			r := sim.NewCardReader()
			r.InsertPreset("li")
			return simReply(t, r, addr)
		},
	}
	for _, name := range []string{
		"find_ok.hex", "no_card.hex", "select_ok.hex", "select_failed.hex", "read_failed.hex",
		"no_content.hex", "sam_unauthorised.hex",
		"read_zhang.hex", "read_li_longterm.hex", "read_foreign.hex", "address_li.hex",
	} {
		t.Run(name, func(t *testing.T) {
			if gen, ok := generated[name]; ok {
				golden(t, "replies/"+name, formatHex(gen()))
			}
			b := readHexFile(t, "replies/"+name)
			r, n, err := idcard.ParseReply(b, 0)
			if err != nil || r == nil || n != len(b) {
				t.Fatalf("ParseReply = %v, %d, %v; want a reply using all %d bytes", r, n, err, len(b))
			}
			golden(t, "replies/"+strings.TrimSuffix(name, ".hex")+".golden", describeReply(r))
		})
	}
}

func TestParseReply_SizesFromTheProtocolNotes(t *testing.T) {
	for name, size := range map[string]int{
		"find_ok.hex": 15, "select_ok.hex": 19, "no_card.hex": 11, "read_zhang.hex": 1295,
	} {
		if b := readHexFile(t, "replies/"+name); len(b) != size {
			t.Errorf("%s is %d bytes, want %d", name, len(b), size)
		}
	}
}

// parseAll feeds b through ParseReply until it needs more bytes.
func parseAll(b []byte) (replies []*idcard.Reply, errs []error, rest []byte) {
	for {
		r, n, err := idcard.ParseReply(b, 0)
		b = b[n:]
		switch {
		case r != nil:
			replies = append(replies, r)
		case err != nil:
			errs = append(errs, err)
		case n == 0:
			return replies, errs, b
		}
	}
}

func TestParseReply_Robustness(t *testing.T) {
	noCard := parseHex(t, "aa aa aa 96 69 00 04 00 00 80 84")
	findOK := parseHex(t, "aa aa aa 96 69 00 08 00 00 9f 00 00 00 00 97")
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	badSum := bytes.Clone(noCard)
	badSum[len(badSum)-1] ^= 1

	tests := []struct {
		name              string
		in                []byte
		replies, errCount int
		errIs             error
		restLen           int
	}{
		{"one frame", noCard, 1, 0, nil, 0},
		{"two frames back to back", cat(noCard, findOK), 2, 0, nil, 0},
		{"garbage before a frame", cat([]byte{0x00, 0x13, 0xAA, 0x96}, noCard), 1, 0, nil, 0},
		{"false preamble start before a frame", cat([]byte{0xAA, 0xAA, 0xAA, 0x96, 0x00}, noCard), 1, 0, nil, 0},
		{"a frame cut short waits for more", findOK[:10], 0, 0, nil, 10},
		{"a preamble cut short waits for more", findOK[:3], 0, 0, nil, 3},
		{"only garbage keeps at most a preamble's start", []byte{1, 2, 3, 4, 5, 6, 0xAA, 0xAA}, 0, 0, nil, 2},
		{"bad checksum, then a good frame", cat(badSum, findOK), 1, 1, idcard.ErrChecksum, 0},
		{"LEN too small", cat(parseHex(t, "aa aa aa 96 69 00 02 00 00"), noCard), 1, 1, idcard.ErrFrameLength, 0},
		{"LEN above the cap", cat(parseHex(t, "aa aa aa 96 69 ff ff 00 00 90"), noCard), 1, 1, idcard.ErrFrameLength, 0},
		{"empty", nil, 0, 0, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			replies, errs, rest := parseAll(tt.in)
			if len(replies) != tt.replies || len(errs) != tt.errCount || len(rest) != tt.restLen {
				t.Fatalf("got %d replies, errors %v, %d bytes left; want %d, %d, %d",
					len(replies), errs, len(rest), tt.replies, tt.errCount, tt.restLen)
			}
			for _, err := range errs {
				if !errors.Is(err, tt.errIs) {
					t.Errorf("error %v, want %v", err, tt.errIs)
				}
			}
		})
	}
}

func TestStatusError_EveryCodeIsTyped(t *testing.T) {
	for code, want := range map[byte]error{
		0x80: idcard.ErrNoCard, 0x81: idcard.ErrSelectFailed, 0x41: idcard.ErrReadFailed,
		0x91: idcard.ErrNoContent, 0x10: idcard.ErrRejectedFrame, 0x11: idcard.ErrRejectedFrame,
		0x21: idcard.ErrCommandRefused, 0x23: idcard.ErrCommandRefused, 0x24: idcard.ErrCommandRefused,
		0x31: idcard.ErrAuthentication, 0x32: idcard.ErrAuthentication, 0x33: idcard.ErrAuthentication,
		0x40: idcard.ErrUnknownCardType, 0x60: idcard.ErrSAM, 0x66: idcard.ErrSAM,
	} {
		err := error(&idcard.StatusError{SW3: code})
		if !errors.Is(err, want) || !errors.Is(err, idcard.ErrStatus) {
			t.Errorf("SW3 %02X: %v does not match %v and ErrStatus", code, err, want)
		}
		if strings.Contains(err.Error(), "unknown code") {
			t.Errorf("SW3 %02X has no description: %v", code, err)
		}
		if errors.Is(err, idcard.ErrNoCard) != (code == 0x80) {
			t.Errorf("SW3 %02X: matches ErrNoCard wrongly", code)
		}
	}
	odd := &idcard.StatusError{SW3: 0x77}
	if !errors.Is(odd, idcard.ErrStatus) || errors.Is(odd, idcard.ErrNoCard) || !strings.Contains(odd.Error(), "77") {
		t.Errorf("an unknown SW3 is a plain status error: %v", odd)
	}
	if errors.Is(&idcard.StatusError{SW1: 1, SW3: 0x80}, idcard.ErrNoCard) {
		t.Error("SW1 != 0 is not a GA/T 467 no-card status")
	}
}

// FuzzParseReply: no input makes the frame parser panic, overrun or stall;
// everything it accepts has a valid checksum and a sane length.
func FuzzParseReply(f *testing.F) {
	for _, s := range []string{
		"aa aa aa 96 69 00 04 00 00 80 84",
		"aa aa aa 96 69 00 08 00 00 9f 00 00 00 00 97",
		"00 aa aa aa 96 69 00 04 00 00 80 85 aa aa aa 96 69 00 04 00 00 80 84",
		"aa aa aa 96 69 ff ff",
		"aa aa aa 96 69 00 00",
		"aa aa aa 96 aa aa aa 96 69 00 04",
	} {
		f.Add(parseHex(f, s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		rest := b
		for steps := 0; ; steps++ {
			if steps > len(b)+1 {
				t.Fatalf("no progress after %d steps", steps)
			}
			r, n, err := idcard.ParseReply(rest, 0)
			if n < 0 || n > len(rest) {
				t.Fatalf("consumed %d of %d bytes", n, len(rest))
			}
			if r != nil && err != nil {
				t.Fatal("both a reply and an error")
			}
			if err != nil && n == 0 {
				t.Fatal("an error without consuming anything")
			}
			if r != nil {
				frame := rest[:n]
				if !bytes.HasPrefix(frame, idcard.Preamble) || len(frame) != 7+int(frame[5])<<8+int(frame[6]) {
					t.Fatalf("accepted a frame with a bad shape: %x", frame)
				}
				if len(r.Data) != n-11 {
					t.Fatalf("data is %d bytes in a %d-byte frame", len(r.Data), n)
				}
			}
			rest = rest[n:]
			if n == 0 {
				break
			}
		}
		if len(rest) > 7+idcard.DefaultMaxLen {
			t.Fatalf("kept %d bytes waiting for more", len(rest))
		}
	})
}

var _ = drivers.ErrTimeout
