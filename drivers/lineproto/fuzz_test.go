package lineproto

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// withFixedChecksum returns line with its checksum digits recomputed, so that the fuzzer's
// mutations reach the parser behind the checksum check instead of stopping there.
func withFixedChecksum(line []byte) []byte {
	l := bytes.TrimRight(line, "\r\n")
	if len(l) < 4 || l[0] != '@' || l[len(l)-3] != '*' {
		return line
	}
	out := append([]byte(nil), l...)
	s := Checksum(out[1 : len(out)-3])
	out[len(out)-2], out[len(out)-1] = hexDigits[s>>4], hexDigits[s&15]
	return out
}

func seedFrames(f *testing.F) {
	for _, fields := range [][]string{
		{"PING"}, {"OK"}, {"OK", "SCORE", "A001", "1"}, {"ERR", "RANGE", "行"},
		{"SHOW", "1", "a,b*c@d%e\r\n丂㛃"}, {"CALL", "A001", "3", "10"},
	} {
		b, _ := Frame{Addr: 1, Seq: 2, Fields: fields}.Append(nil)
		f.Add(b)
	}
	f.Add([]byte("@01,05,POLL*1b\n"))
	f.Add([]byte("@@01,%4,,*ZZ\r\n\xFF"))
}

// Parse never panics, and whatever it accepts survives a round trip through Append.
func FuzzParse(f *testing.F) {
	seedFrames(f)
	f.Fuzz(func(t *testing.T, line []byte) {
		_, _ = Parse(line) // the raw bytes: must not panic
		line = withFixedChecksum(line)
		fr, err := Parse(line)
		if err != nil {
			return
		}
		out, err := fr.Append(nil)
		if err != nil {
			// Escaping can lengthen a frame that arrived with fewer escapes; only that may fail.
			if len(line) < MaxFrame/3 {
				t.Fatalf("Append of parsed %q: %v", line, err)
			}
			return
		}
		back, err := Parse(out)
		if err != nil {
			t.Fatalf("Parse(Append(Parse(%q))) = %v", line, err)
		}
		if diff := cmp.Diff(fr, back); diff != "" {
			t.Fatalf("round trip (-first +second):\n%s", diff)
		}
	})
}

// Any text survives AppendField/DecodeField, and the escaped form contains no marker bytes.
func FuzzField(f *testing.F) {
	for _, s := range []string{"", "请到3号窗口", "a,b*c@d%e\r\n", "丂㛃𠀀", "\x00\x7F", "\xFF\xFE", "\uE55B\U000F0000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		wire := AppendField(nil, s)
		if bytes.ContainsAny(wire, ",*@\r\n") {
			t.Fatalf("escaped %q contains a marker: %q", s, wire)
		}
		got, err := DecodeField(wire)
		if err != nil {
			t.Fatalf("DecodeField(AppendField(%q)): %v", s, err)
		}
		want := SanitizeText(s)
		if got != want {
			t.Fatalf("round trip %q -> %q", want, got)
		}
		_, _ = DecodeField([]byte(s)) // arbitrary wire bytes: no panic
	})
}

// The device side never panics on a byte stream, answers only well-formed frames for its
// address, and every answer is a valid frame for that address.
func FuzzResponder(f *testing.F) {
	seedFrames(f)
	f.Fuzz(func(t *testing.T, stream []byte) {
		r := &Responder{Addr: 1, Handler: func(cmd string, args []string) ([]string, error) {
			return append([]string{cmd}, args...), nil
		}}
		var sp Splitter
		for _, b := range stream {
			line, ok := sp.Feed(b)
			if !ok {
				continue
			}
			if len(line) > MaxFrame {
				t.Fatalf("Splitter returned %d bytes", len(line))
			}
			for _, l := range [][]byte{line, withFixedChecksum(line)} {
				reply := r.Respond(l)
				if reply == nil {
					continue
				}
				fr, err := Parse(reply)
				if err != nil || fr.Addr != 1 {
					t.Fatalf("reply %q to %q: %v", reply, l, err)
				}
			}
		}
	})
}

// The host side's reply interpretation never panics and classifies every frame.
func FuzzReplyData(f *testing.F) {
	seedFrames(f)
	f.Fuzz(func(t *testing.T, line []byte) {
		fr, err := Parse(withFixedChecksum(line))
		if err != nil {
			return
		}
		data, err := replyData("X", fr)
		if err == nil && fr.Fields[0] != "OK" {
			t.Fatalf("accepted %q as OK", fr.Fields)
		}
		if err == nil && len(data) != len(fr.Fields)-1 {
			t.Fatalf("data %q from %q", data, fr.Fields)
		}
	})
}
