package idcard_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/google/go-cmp/cmp"

	"hall/drivers"
	"hall/drivers/idcard"
	"hall/drivers/sim"
)

func preset(name string) drivers.Card { return sim.CardPresets[name].Card }

// setField overwrites the UTF-16LE field at off (size bytes) with s,
// padded with spaces.
func setField(text []byte, off, size int, s string) []byte {
	text = bytes.Clone(text)
	u := utf16.Encode([]rune(s))
	for i := 0; i < size/2; i++ {
		c := uint16(' ')
		if i < len(u) {
			c = u[i]
		}
		binary.LittleEndian.PutUint16(text[off+2*i:], c)
	}
	return text
}

func TestDecodeText_ResidentCard(t *testing.T) {
	want := preset("zhang")
	got, err := idcard.DecodeText(sim.EncodeCardText(want, 0), today)
	if err != nil {
		t.Fatal(err)
	}
	want.NewAddress, want.Photo = "", nil
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("decoded card (-want +got):\n%s", d)
	}
}

func TestDecodeText_LongTermValidity(t *testing.T) {
	c, err := idcard.DecodeText(sim.EncodeCardText(preset("li"), 0), today)
	if err != nil {
		t.Fatal(err)
	}
	if !c.LongTerm() || c.Expired(today) {
		t.Errorf("长期 card: ValidTo %v, LongTerm %v", c.ValidTo, c.LongTerm())
	}
}

func TestDecodeText_CharacterOutsideGBK(t *testing.T) {
	c, err := idcard.DecodeText(sim.EncodeCardText(preset("rare"), 0), today)
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "阿依㛃" || c.Nation.String() != "维吾尔" {
		t.Errorf("got name %q nation %v", c.Name, c.Nation)
	}
}

func TestDecodeText_RefusesForeignAndHKMacauTaiwanCards(t *testing.T) {
	for _, flag := range []rune{'I', 'J', 'Z'} {
		_, err := idcard.DecodeText(sim.EncodeCardText(preset("zhang"), flag), today)
		var uc *idcard.UnsupportedCardError
		if !errors.As(err, &uc) || uc.Flag != flag || !errors.Is(err, drivers.ErrUnsupportedCard) {
			t.Errorf("flag %q: got %v, want *UnsupportedCardError matching ErrUnsupportedCard", flag, err)
		}
	}
	// A NUL at 248 is a resident card too.
	text := sim.EncodeCardText(preset("zhang"), 0)
	text[248], text[249] = 0, 0
	if _, err := idcard.DecodeText(text, today); err != nil {
		t.Errorf("NUL card-type flag: %v", err)
	}
}

func TestDecodeText_Invalid(t *testing.T) {
	good := sim.EncodeCardText(preset("zhang"), 0)
	number := preset("zhang").Number
	tests := []struct {
		name string
		text []byte
	}{
		{"short block", good[:255]},
		{"long block", append(bytes.Clone(good), 0)},
		{"no name", setField(good, 0, 30, "")},
		{"gender not a code", setField(good, 30, 2, "3")},
		{"gender not a digit", setField(good, 30, 2, "男")},
		{"nation not digits", setField(good, 32, 4, "汉")},
		{"birth not a date", setField(good, 36, 16, "19900230")},
		{"birth in the future", setField(good, 36, 16, "20990101")},
		{"number check digit", setField(good, 122, 36, number[:17]+"0")},
		{"number too short", setField(good, 122, 36, number[:17])},
		{"number and birth disagree", setField(good, 36, 16, "19900308")},
		{"valid from not a date", setField(good, 188, 16, "2016051")},
		{"valid to garbage", setField(good, 204, 16, "永久")},
		{"valid to before valid from", setField(good, 204, 16, "20150101")},
		{"all zero", make([]byte, 256)},
		{"all 0xFF", bytes.Repeat([]byte{0xFF}, 256)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := idcard.DecodeText(tt.text, today)
			if !errors.Is(err, drivers.ErrInvalidCard) {
				t.Fatalf("got %v, want ErrInvalidCard", err)
			}
			if strings.Contains(err.Error(), number) || strings.Contains(err.Error(), "张三") {
				t.Errorf("error leaks personal data: %v", err)
			}
		})
	}
}

// FuzzDecodeText: any block decodes or fails with a typed error, never a
// panic; an accepted card passes the ID number check and survives a
// re-encoding unchanged.
func FuzzDecodeText(f *testing.F) {
	for _, name := range sim.PresetNames() {
		p := sim.CardPresets[name]
		f.Add(sim.EncodeCardText(p.Card, p.Flag))
	}
	f.Add(make([]byte, 256))
	f.Add([]byte("short"))
	f.Fuzz(func(t *testing.T, text []byte) {
		c, err := idcard.DecodeText(text, today)
		if err != nil {
			if !errors.Is(err, drivers.ErrInvalidCard) && !errors.Is(err, drivers.ErrUnsupportedCard) {
				t.Fatalf("untyped error: %v", err)
			}
			return
		}
		if err := drivers.CheckIDNumber(c.Number, today); err != nil {
			t.Fatalf("accepted an invalid number: %v", err)
		}
		again, err := idcard.DecodeText(sim.EncodeCardText(c, 0), today)
		if err != nil {
			t.Fatalf("re-encoded card does not decode: %v", err)
		}
		if d := cmp.Diff(c, again); d != "" {
			t.Fatalf("re-encoding changed the card (-first +again):\n%s", d)
		}
	})
}
