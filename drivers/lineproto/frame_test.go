package lineproto

import (
	"bytes"
	"errors"
	goldenfile "hall/drivers/internal/golden"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func mustAppend(t *testing.T, f Frame) []byte {
	t.Helper()
	b, err := f.Append(nil)
	if err != nil {
		t.Fatalf("Append(%+v): %v", f, err)
	}
	return b
}

// The exact frame for a simple request: checksum = XOR of "01,05,PING" = 0x14.
func TestFrame_AppendExact(t *testing.T) {
	got := mustAppend(t, Frame{Addr: 1, Seq: 5, Fields: []string{"PING"}})
	want := "@01,05,PING*14\r\n"
	var x byte
	for _, c := range []byte("01,05,PING") {
		x ^= c
	}
	if x != 0x14 {
		t.Fatalf("test arithmetic: XOR = %02X", x)
	}
	if string(got) != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestFrame_Golden(t *testing.T) {
	tests := []struct {
		name string
		f    Frame
	}{
		{"ping_reset_seq", Frame{Addr: 0x01, Seq: 0x00, Fields: []string{"PING"}}},
		{"ok_reply", Frame{Addr: 0x01, Seq: 0x05, Fields: []string{"OK"}}},
		{"err_reply", Frame{Addr: 0x0A, Seq: 0xFF, Fields: []string{"ERR", "RANGE", "第9行"}}},
		{"broadcast", Frame{Addr: 0x00, Seq: 0x00, Fields: []string{"CLR"}}},
		// Every escaped byte: , * @ % CR LF, a control byte, and 丂 (81 40: trail byte '@').
		{"escapes", Frame{Addr: 0x02, Seq: 0x10, Fields: []string{"SHOW", "1", "a,b*c@d%e\r\n\x01丂"}}},
		{"rare_character", Frame{Addr: 0x02, Seq: 0x11, Fields: []string{"SHOW", "2", "张㛃"}}},
		{"empty_field", Frame{Addr: 0x02, Seq: 0x12, Fields: []string{"IDLE", ""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := mustAppend(t, tt.f)
			golden(t, tt.name, b)
			got, err := Parse(b)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if diff := cmp.Diff(tt.f, got); diff != "" {
				t.Errorf("round trip (-want +got):\n%s", diff)
			}
		})
	}
}

// The example in PROTOCOL.md, byte for byte.
func TestFrame_ProtocolExample(t *testing.T) {
	got := mustAppend(t, Frame{Addr: 1, Seq: 5, Fields: []string{"SHOW", "1", "请到3号窗口"}})
	want := "@01,05,SHOW,1,\xC7\xEB\xB5\xBD3\xBA\xC5\xB4\xB0\xBF\xDA*3F\r\n"
	if string(got) != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestAppendField_EscapesMarkersAfterGB18030(t *testing.T) {
	got := string(AppendField(nil, "丂,*@%\r\n㛃"))
	want := "\x81%40%2C%2A%40%25%0D%0A\x82\x30\xB7\x31"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// Private-use characters do not survive GB18030 reliably: they are sent as U+FFFD.
func TestAppendField_PrivateUseBecomesReplacement(t *testing.T) {
	got, err := DecodeField(AppendField(nil, "A\uE55B\uF8FFB"))
	if err != nil || got != "A\uFFFD\uFFFDB" {
		t.Errorf("got %q, %v", got, err)
	}
}

func TestParse_Rejects(t *testing.T) {
	ok := string(mustAppend(t, Frame{Addr: 1, Seq: 2, Fields: []string{"SHOW", "1", "x"}}))
	tests := []struct {
		name string
		line string
		want error
	}{
		{"wrong checksum", ok[:len(ok)-4] + "00\r\n", ErrChecksum},
		{"no at", "01,02,PING*00", ErrMalformed},
		{"short", "@01,02*00", ErrMalformed},
		{"no star", "@01,02,PINGX6E", ErrMalformed},
		{"bad checksum digits", "@01,02,PING*GG", ErrMalformed},
		{"bad address", withSum("ZZ,02,PING"), ErrMalformed},
		{"bad seq", withSum("01,2,PING"), ErrMalformed},
		{"lowercase command", withSum("01,02,ping"), ErrMalformed},
		{"empty command", withSum("01,02,"), ErrMalformed},
		{"missing command", withSum("01,02"), ErrMalformed},
		{"truncated escape", withSum("01,02,SHOW,1,%4"), ErrMalformed},
		{"bad escape", withSum("01,02,SHOW,1,%4G"), ErrMalformed},
		{"unescaped at", withSum("01,02,SHOW,1,a@b"), ErrMalformed},
		{"unescaped control byte", withSum("01,02,SHOW,1,a\x01b"), ErrMalformed},
		{"too long", withSum("01,02,SHOW,1," + string(bytes.Repeat([]byte("x"), MaxFrame))), ErrTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse([]byte(tt.line))
			if !errors.Is(err, tt.want) {
				t.Errorf("Parse(%q) = %+v, %v; want %v", tt.line, f, err, tt.want)
			}
		})
	}
}

// withSum frames body with '@' and its correct checksum.
func withSum(body string) string {
	s := Checksum([]byte(body))
	return "@" + body + "*" + string(hexDigits[s>>4]) + string(hexDigits[s&15]) + "\r\n"
}

func TestParse_AcceptsLowercaseChecksumAndBareLF(t *testing.T) {
	f, err := Parse([]byte("@01,05,POLL*1b\n"))
	if err != nil || f.Fields[0] != "POLL" {
		t.Errorf("Parse = %+v, %v", f, err)
	}
}

func TestAppend_Errors(t *testing.T) {
	if _, err := (Frame{Addr: 1}).Append(nil); !errors.Is(err, ErrMalformed) {
		t.Errorf("no fields: %v", err)
	}
	if _, err := (Frame{Addr: 1, Fields: []string{"sh,ow"}}).Append(nil); !errors.Is(err, ErrMalformed) {
		t.Errorf("bad command: %v", err)
	}
	long := string(bytes.Repeat([]byte("政"), 300))
	if b, err := (Frame{Addr: 1, Fields: []string{"SHOW", "1", long}}).Append([]byte("keep")); !errors.Is(err, ErrTooLong) || string(b) != "keep" {
		t.Errorf("too long: %q, %v", b, err)
	}
}

func TestSplitter_ResynchronisesOnAt(t *testing.T) {
	a := mustAppend(t, Frame{Addr: 1, Seq: 1, Fields: []string{"OK"}})
	b := mustAppend(t, Frame{Addr: 1, Seq: 2, Fields: []string{"OK", "丂"}}) // contains escaped '@'
	stream := bytes.Join([][]byte{
		[]byte("garbage\r\n"),
		a[:5], // torn frame...
		a,     // ...abandoned at the next '@'
		{0xFF, 0x00},
		b,
		[]byte("@01,0"), // torn at the end: nothing
	}, nil)
	var s Splitter
	var got []string
	for _, c := range stream {
		if line, ok := s.Feed(c); ok {
			got = append(got, string(line))
		}
	}
	want := []string{string(a[:len(a)-1]), string(b[:len(b)-1])}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
	if s.Dropped != len("garbage\r\n")+5+2 {
		t.Errorf("Dropped = %d", s.Dropped)
	}
}

func TestSplitter_DropsOverlongFrames(t *testing.T) {
	var s Splitter
	for _, c := range append([]byte("@"), bytes.Repeat([]byte("x"), 2*MaxFrame)...) {
		if _, ok := s.Feed(c); ok {
			t.Fatal("got a line from an overlong frame")
		}
	}
	ok := mustAppend(t, Frame{Addr: 1, Seq: 1, Fields: []string{"OK"}})
	var got []byte
	for _, c := range append([]byte("\r\n"), ok...) {
		if line, done := s.Feed(c); done {
			got = line
		}
	}
	if _, err := Parse(got); err != nil {
		t.Errorf("next frame after an overlong one: %q, %v", got, err)
	}
}

// golden pins bytes in testdata/<name>.hex.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	goldenfile.Bytes(t, name, got)
}
