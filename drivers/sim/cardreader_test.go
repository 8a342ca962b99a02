package sim_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hall/drivers/sim"
)

// The -update flag may be defined by another test file of this package;
// register it only if nobody did (package variables are initialised before
// init functions run).
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the golden files under testdata/")
	}
}

func updatingGolden() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

func hexRows(b []byte) string {
	var sb strings.Builder
	for i := 0; i < len(b); i += 16 {
		for j, c := range b[i:min(i+16, len(b))] {
			if j > 0 {
				sb.WriteByte(' ')
			}
			fmt.Fprintf(&sb, "%02x", c)
		}
		sb.WriteByte('\n')
	}
	return sb.String()
}

func compareGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if updatingGolden() {
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, []byte(hexRows(got)), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -update creates it)", err)
	}
	if hexRows(got) != string(want) {
		t.Errorf("%s differs (go test -update rewrites it)\ngot:\n%swant:\n%s", path, hexRows(got), want)
	}
}

// conversation feeds host bytes to a device and returns what it answers.
type conversation struct {
	in  *bytes.Reader
	out bytes.Buffer
}

func (c *conversation) Read(b []byte) (int, error)  { return c.in.Read(b) }
func (c *conversation) Write(b []byte) (int, error) { return c.out.Write(b) }

func ask(t *testing.T, d sim.Device, host ...byte) []byte {
	t.Helper()
	c := &conversation{in: bytes.NewReader(host)}
	d.Serve(context.Background(), c) // returns io.EOF once the input is used up
	return c.out.Bytes()
}

var (
	simFind    = []byte{0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x03, 0x20, 0x01, 0x22}
	simSelect  = []byte{0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x03, 0x20, 0x02, 0x21}
	simRead    = []byte{0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x03, 0x30, 0x01, 0x32}
	simAddress = []byte{0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x03, 0x30, 0x03, 0x30}
	simStatus  = []byte{0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x03, 0x11, 0xFF, 0xED}
)

func TestCardReader_RepliesGolden(t *testing.T) {
	withCard := func(name string) *sim.CardReader {
		r := sim.NewCardReader()
		if err := r.InsertPreset(name); err != nil {
			t.Fatal(err)
		}
		return r
	}
	tests := []struct {
		name string
		dev  *sim.CardReader
		host []byte
		size int
	}{
		{"sam_status", sim.NewCardReader(), simStatus, 11},
		{"find_no_card", sim.NewCardReader(), simFind, 11},
		{"find_card", withCard("zhang"), simFind, 15},
		{"select_card", withCard("zhang"), simSelect, 19},
		{"select_no_card", sim.NewCardReader(), simSelect, 11},
		{"read_zhang", withCard("zhang"), simRead, 1295},
		{"read_rare", withCard("rare"), simRead, 1295},
		{"read_no_card", sim.NewCardReader(), simRead, 11},
		{"address_li", withCard("li"), simAddress, 81},
		{"address_none", withCard("zhang"), simAddress, 11},
		{"bad_checksum_from_host", sim.NewCardReader(), []byte{0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x03, 0x20, 0x01, 0x23}, 11},
		{"bad_length_from_host", sim.NewCardReader(), []byte{0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x01, 0x00, 0x20, 0x01}, 11},
		{"unknown_command", sim.NewCardReader(), []byte{0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x03, 0x77, 0x01, 0x75}, 11},
		{"garbage_before_command", withCard("zhang"), append([]byte{0x01, 0xAA, 0x96}, simFind...), 15},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ask(t, tt.dev, tt.host...)
			if len(got) != tt.size {
				t.Errorf("reply is %d bytes, want %d", len(got), tt.size)
			}
			compareGolden(t, "cardreader/"+tt.name+".hex", got)
		})
	}
}

func TestCardReader_CardMustBeLiftedAfterARead(t *testing.T) {
	r := sim.NewCardReader()
	r.InsertPreset("zhang")
	if got := ask(t, r, simFind...); got[9] != 0x9F {
		t.Fatalf("find before reading: SW3 %02X, want 9F", got[9])
	}
	ask(t, r, simRead...)
	if got := ask(t, r, simFind...); got[9] != 0x80 {
		t.Errorf("find after reading: SW3 %02X, want 80 until lifted", got[9])
	}
	r.Remove()
	r.InsertPreset("zhang")
	if got := ask(t, r, simFind...); got[9] != 0x9F {
		t.Errorf("find after lifting and placing again: SW3 %02X, want 9F", got[9])
	}
	r.SetSticky(true)
	ask(t, r, simRead...)
	if got := ask(t, r, simFind...); got[9] != 0x9F {
		t.Errorf("sticky reader after reading: SW3 %02X, want 9F", got[9])
	}
	if st := r.State(); st.Reads != 2 || strings.Contains(st.Card, "张三") {
		t.Errorf("state %+v: want 2 reads and a masked card", st)
	}
}

func TestCardReader_Faults(t *testing.T) {
	good := ask(t, func() *sim.CardReader { r := sim.NewCardReader(); r.InsertPreset("zhang"); return r }(), simRead...)
	for _, tt := range []struct {
		fault sim.CardFault
		check func([]byte) error
	}{
		{sim.FaultBadChecksum, func(b []byte) error {
			if len(b) != len(good) || b[len(b)-1] == good[len(good)-1] || !bytes.Equal(b[:len(b)-1], good[:len(good)-1]) {
				return errors.New("want the good reply with another checksum")
			}
			return nil
		}},
		{sim.FaultTornFrame, func(b []byte) error {
			if len(b) >= len(good) || !bytes.HasPrefix(good, b) {
				return errors.New("want a prefix of the good reply")
			}
			return nil
		}},
		{sim.FaultGarbage, func(b []byte) error {
			if !bytes.HasSuffix(b, good) || len(b) == len(good) {
				return errors.New("want garbage and then the good reply")
			}
			return nil
		}},
		{sim.FaultReadFailed, func(b []byte) error {
			if len(b) != 11 || b[9] != 0x41 {
				return errors.New("want an 11-byte 41 reply")
			}
			return nil
		}},
		{sim.FaultSilent, func(b []byte) error {
			if len(b) != 0 {
				return errors.New("want silence")
			}
			return nil
		}},
	} {
		t.Run(tt.fault.String(), func(t *testing.T) {
			r := sim.NewCardReader()
			r.InsertPreset("zhang")
			r.SetFault(tt.fault)
			if err := tt.check(ask(t, r, simRead...)); err != nil {
				t.Error(err)
			}
			f, err := sim.ParseCardFault(tt.fault.String())
			if err != nil || f != tt.fault {
				t.Errorf("ParseCardFault(%q) = %v, %v", tt.fault, f, err)
			}
		})
	}
}

func TestCardPresets_AreWhatTheySay(t *testing.T) {
	for _, name := range sim.PresetNames() {
		p := sim.CardPresets[name]
		if p.About == "" || p.Card.Name == "" {
			t.Errorf("preset %s lacks a description or a name", name)
		}
	}
	r := sim.NewCardReader()
	if err := r.InsertPreset("nobody"); err == nil {
		t.Error("InsertPreset of an unknown name succeeded")
	}
}

func TestScanner_SendsCodesWithTheSuffix(t *testing.T) {
	s := sim.NewScanner()
	if err := s.Scan("bad\rcode"); err == nil {
		t.Error("a code with CR was accepted")
	}
	s.Scan("A1")
	s.SetSuffix("\r\n")
	s.Scan("B2")
	s.ScanRaw([]byte{0x00, 0xFF})
	var out bytes.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	w := &countingWriter{w: &out, after: 3, cancel: cancel}
	if err := s.Serve(ctx, w); !errors.Is(err, context.Canceled) {
		t.Fatalf("Serve: %v", err)
	}
	if got, want := out.String(), "A1\rB2\r\n\x00\xff"; got != want {
		t.Errorf("sent %q, want %q", got, want)
	}
	if st := s.State(); st.Sent != 3 || st.Waiting != 0 {
		t.Errorf("state %+v", st)
	}
}

// countingWriter cancels after a number of writes.
type countingWriter struct {
	w      *bytes.Buffer
	n      int
	after  int
	cancel func()
}

func (c *countingWriter) Read([]byte) (int, error) { select {} }
func (c *countingWriter) Write(b []byte) (int, error) {
	c.n++
	if c.n == c.after {
		defer c.cancel()
	}
	return c.w.Write(b)
}
