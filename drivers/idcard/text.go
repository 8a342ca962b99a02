package idcard

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"hall/drivers"
)

// TextLen is the size of a card's text block; PhotoLen of its photo.
const (
	TextLen  = 256
	PhotoLen = 1024
)

// Field offsets and sizes in the text block (bytes of UTF-16LE).
type field struct{ off, size int }

var (
	fName      = field{0, 30}
	fGender    = field{30, 2}
	fNation    = field{32, 4}
	fBirth     = field{36, 16}
	fAddress   = field{52, 70}
	fNumber    = field{122, 36}
	fAuthority = field{158, 30}
	fFrom      = field{188, 16}
	fTo        = field{204, 16}
	fCardType  = field{248, 2}
)

// LongTermText is how a card without an end of validity says so.
const LongTermText = "长期"

// UnsupportedCardError is a card whose text block carries a card-type flag
// (byte 248): a foreigner's permanent residence card ('I') or a
// HK/Macau/Taiwan residence card ('J'), whose layouts differ. errors.Is
// matches drivers.ErrUnsupportedCard.
type UnsupportedCardError struct {
	Flag rune
}

// Error says which kind of card was refused.
func (e *UnsupportedCardError) Error() string {
	kind := "unknown card type"
	switch e.Flag {
	case 'I':
		kind = "foreigner's permanent residence card (外国人永久居留身份证)"
	case 'J':
		kind = "Hong Kong, Macau or Taiwan residence card (港澳台居民居住证)"
	}
	return fmt.Sprintf("idcard: %s (flag %q) is not supported", kind, e.Flag)
}

// Is matches drivers.ErrUnsupportedCard.
func (e *UnsupportedCardError) Is(target error) bool { return target == drivers.ErrUnsupportedCard }

// decodeField decodes a UTF-16LE field and trims padding (spaces, NULs,
// ideographic spaces).
func decodeField(b []byte, f field) string {
	raw := b[f.off : f.off+f.size]
	u := make([]uint16, len(raw)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(raw[2*i:])
	}
	return strings.Trim(string(utf16.Decode(u)), " \x00\u3000")
}

// CardType returns the card-type flag of a text block: 0 for a resident ID
// card (space or NUL at byte 248), else the flag character.
func CardType(text []byte) rune {
	if len(text) < fCardType.off+fCardType.size {
		return 0
	}
	r := rune(binary.LittleEndian.Uint16(text[fCardType.off:]))
	if r == ' ' || r == 0 {
		return 0
	}
	return r
}

// DecodeText decodes a 256-byte text block of a resident ID card and
// checks it: name present; gender a GB/T 2261.1 code; nation two digits;
// birth, valid-from and valid-to real days (valid-to may be 长期) with the
// birth not after now's day and valid-to not before valid-from; the ID
// number passing drivers.CheckIDNumber and agreeing with the birth date.
// The card's Photo is left empty.
//
// Errors: a block that is not 256 bytes or fails a check wraps
// drivers.ErrInvalidCard (messages never contain the name or number); a
// card-type flag that is an upper-case letter (a foreigner's or
// HK/Macau/Taiwan card) gives an *UnsupportedCardError, any other
// non-space flag is invalid data.
func DecodeText(text []byte, now time.Time) (drivers.Card, error) {
	if len(text) != TextLen {
		return drivers.Card{}, fmt.Errorf("%w: text block is %d bytes, want %d", drivers.ErrInvalidCard, len(text), TextLen)
	}
	if t := CardType(text); t >= 'A' && t <= 'Z' {
		return drivers.Card{}, &UnsupportedCardError{Flag: t}
	} else if t != 0 {
		return drivers.Card{}, fmt.Errorf("%w: card-type flag %U", drivers.ErrInvalidCard, t)
	}
	invalid := func(format string, a ...any) (drivers.Card, error) {
		return drivers.Card{}, fmt.Errorf("%w: "+format, append([]any{drivers.ErrInvalidCard}, a...)...)
	}
	c := drivers.Card{
		Name:      decodeField(text, fName),
		Address:   decodeField(text, fAddress),
		Number:    decodeField(text, fNumber),
		Authority: decodeField(text, fAuthority),
	}
	if c.Name == "" {
		return invalid("no name")
	}
	g := decodeField(text, fGender)
	if len(g) != 1 || g[0] < '0' || g[0] > '9' || !drivers.Gender(g[0]-'0').Valid() {
		return invalid("gender code %q", g)
	}
	c.Gender = drivers.Gender(g[0] - '0')
	nation := decodeField(text, fNation)
	if n, err := strconv.Atoi(nation); err != nil || len(nation) != 2 || n < 0 {
		return invalid("nation code %q", nation)
	} else {
		c.Nation = drivers.Nation(n)
	}
	var err error
	if c.Birth, err = drivers.ParseDate(decodeField(text, fBirth)); err != nil {
		return invalid("birth date: %v", err)
	}
	if drivers.DateOf(now).Before(c.Birth) {
		return invalid("birth date %v is in the future", c.Birth)
	}
	if err := drivers.CheckIDNumber(c.Number, now); err != nil {
		return drivers.Card{}, err
	}
	if nb, _ := drivers.IDNumberBirth(c.Number); nb != c.Birth {
		return invalid("birth date and ID number disagree")
	}
	if c.ValidFrom, err = drivers.ParseDate(decodeField(text, fFrom)); err != nil {
		return invalid("valid from: %v", err)
	}
	if to := decodeField(text, fTo); to != LongTermText {
		if c.ValidTo, err = drivers.ParseDate(to); err != nil {
			return invalid("valid to: %v", err)
		}
		if c.ValidTo.Before(c.ValidFrom) {
			return invalid("valid to %v is before valid from %v", c.ValidTo, c.ValidFrom)
		}
	}
	return c, nil
}

// DecodeAddress decodes the data of an appended-address reply (30 03):
// UTF-16LE text padded with spaces.
//
// Errors: an odd number of bytes.
func DecodeAddress(data []byte) (string, error) {
	if len(data)%2 != 0 {
		return "", errors.New("idcard: appended address has an odd number of bytes")
	}
	return decodeField(data, field{0, len(data)}), nil
}
