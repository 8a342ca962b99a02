package sim

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"

	"hall/drivers"
	"hall/drivers/lineproto"
)

func frame(t testing.TB, addr, seq byte, fields ...string) []byte {
	b, err := lineproto.Frame{Addr: addr, Seq: seq, Fields: fields}.Append(nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A retried RATE (same SEQ) does not restart the request, and a retried POLL repeats the
// score instead of losing it.
func TestRatingPad_RepeatedFramesAreIdempotent(t *testing.T) {
	p := NewRatingPad(1)
	rate := frame(t, 1, 1, "RATE", "A001", "0427", "30")
	p.resp.Respond(rate)
	p.resp.Respond(rate)
	if err := p.PressKey(drivers.VeryDissatisfied); err != nil {
		t.Fatal(err)
	}
	poll := frame(t, 1, 2, "POLL")
	first, again := p.resp.Respond(poll), p.resp.Respond(poll)
	want := frame(t, 1, 2, "OK", "SCORE", "A001", "5")
	if string(first) != string(want) || string(again) != string(want) {
		t.Errorf("POLL replies %q, %q; want %q twice", first, again, want)
	}
	if got := p.resp.Respond(frame(t, 1, 3, "POLL")); string(got) != string(frame(t, 1, 3, "OK", "NONE")) {
		t.Errorf("next POLL %q, want NONE", got)
	}
	if diff := cmp.Diff([]string{"RATE,A001,0427,30"}, p.History()); diff != "" {
		t.Errorf("history (-want +got):\n%s", diff)
	}
}

func TestRatingPad_AutoAnswer(t *testing.T) {
	p := NewRatingPad(1)
	p.AutoAnswer(drivers.BasicallySatisfied)
	p.resp.Respond(frame(t, 1, 1, "RATE", "A001", "0427", "30"))
	if got := p.resp.Respond(frame(t, 1, 2, "POLL")); string(got) != string(frame(t, 1, 2, "OK", "SCORE", "A001", "3")) {
		t.Errorf("POLL = %q", got)
	}
	if err := p.PressKey(drivers.Satisfied); err == nil {
		t.Error("PressKey with nothing pending succeeded")
	}
	if err := p.PressKey(0); err == nil {
		t.Error("PressKey(0) succeeded")
	}
}

func TestSign_ClearAndBroadcast(t *testing.T) {
	s := NewSign(1, 2, 16)
	s.resp.Respond(frame(t, 1, 1, "CALL", "A001", "3", "5"))
	s.resp.Respond(frame(t, 0, 0, "BRIGHT", "2")) // broadcast: acts, no reply
	if got := s.resp.Respond(frame(t, 0, 0, "CLR")); got != nil {
		t.Errorf("broadcast answered %q", got)
	}
	want := SignState{Lines: []string{"", ""}, Brightness: 2}
	if diff := cmp.Diff(want, s.Shown()); diff != "" {
		t.Errorf("shown (-want +got):\n%s", diff)
	}
}

// fixChecksum recomputes the checksum digits of a line that has them.
func fixChecksum(line []byte) []byte {
	l := bytes.TrimRight(line, "\r\n")
	if len(l) < 4 || l[0] != '@' || l[len(l)-3] != '*' {
		return line
	}
	out := append([]byte(nil), l...)
	s := lineproto.Checksum(out[1 : len(out)-3])
	out[len(out)-2], out[len(out)-1] = "0123456789ABCDEF"[s>>4], "0123456789ABCDEF"[s&15]
	return out
}

// The simulated pad and sign survive any frame: every reply is a valid frame for their address.
func FuzzPadAndSignFrames(f *testing.F) {
	for _, fields := range [][]string{
		{"RATE", "A001", "0427", "30"}, {"POLL"}, {"CANCEL"}, {"IDLE", "欢迎"}, {"SHOW", "1", "x"},
		{"CALL", "A1", "3", "999"}, {"BRIGHT", "15"}, {"CLR"}, {"PING"}, {"RATE", "", "", "0"},
	} {
		b, _ := lineproto.Frame{Addr: 1, Seq: 1, Fields: fields}.Append(nil)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, stream []byte) {
		pad, sign := NewRatingPad(1), NewSign(1, 2, 16)
		var sp lineproto.Splitter
		for _, b := range stream {
			line, ok := sp.Feed(b)
			if !ok {
				continue
			}
			fixed := fixChecksum(line) // reach the handlers behind the checksum check
			for _, r := range [][]byte{pad.resp.Respond(line), sign.resp.Respond(line), pad.resp.Respond(fixed), sign.resp.Respond(fixed)} {
				if r == nil {
					continue
				}
				if fr, err := lineproto.Parse(r); err != nil || fr.Addr != 1 {
					t.Fatalf("reply %q: %v", r, err)
				}
			}
		}
		if st := sign.Shown(); st.Brightness < 0 || st.Brightness > 15 || len(st.Lines) != 2 {
			t.Fatalf("sign state %+v", st)
		}
	})
}
