package lineproto

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// Wire limits and markers.
const (
	// MaxFrame is the longest frame, from '@' to LF inclusive. Longer frames are refused by
	// Append and discarded by receivers.
	MaxFrame = 512
	// Broadcast is the address every device acts on without replying.
	Broadcast byte = 0x00
	// ResetSeq is the sequence number that is never a repeat and makes a device forget its
	// remembered frame; hosts send PING with it when they open a port.
	ResetSeq byte = 0x00
)

// Frame is one decoded frame. Fields[0] is the command (host to device: PING, SHOW, ...) or the
// result (device to host: OK or ERR); the other fields are its arguments, as UTF-8 text.
type Frame struct {
	Addr   byte
	Seq    byte
	Fields []string
}

// Errors from Parse (wrapped with details) and Append.
var (
	ErrMalformed = errors.New("lineproto: malformed frame")
	ErrChecksum  = errors.New("lineproto: checksum mismatch")
	ErrTooLong   = errors.New("lineproto: frame too long")
)

// needsEscape reports whether byte b must be sent as %XX inside a field: control bytes, DEL,
// and the protocol's own markers , * @ %.
func needsEscape(b byte) bool {
	return b < 0x20 || b == 0x7F || b == ',' || b == '*' || b == '@' || b == '%'
}

const hexDigits = "0123456789ABCDEF"

// SanitizeText returns text as AppendField sends it: invalid UTF-8 and BMP private-use
// characters replaced by U+FFFD.
func SanitizeText(text string) string {
	if !utf8.ValidString(text) {
		text = strings.ToValidUTF8(text, "\uFFFD")
	}
	if !strings.ContainsFunc(text, isPrivateUse) {
		return text
	}
	return strings.Map(func(r rune) rune {
		if isPrivateUse(r) {
			return '\uFFFD'
		}
		return r
	}, text)
}

func isPrivateUse(r rune) bool { return r >= 0xE000 && r <= 0xF8FF }

// AppendField appends text encoded in GB18030 and escaped for the wire. Invalid UTF-8 and
// characters of the BMP Private Use Area (U+E000–U+F8FF) are sent as U+FFFD: GB18030's PUA
// mappings changed between its 2005 and 2022 editions, so such a character could arrive as
// another one (a fuzz test found U+E55B coming back as U+F56F), and it means nothing to a
// device anyway.
func AppendField(dst []byte, text string) []byte {
	text = SanitizeText(text)
	enc, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(text))
	if err != nil { // GB18030 encodes every valid code point; not reached
		enc = []byte(text)
	}
	for _, b := range enc {
		if needsEscape(b) {
			dst = append(dst, '%', hexDigits[b>>4], hexDigits[b&15])
		} else {
			dst = append(dst, b)
		}
	}
	return dst
}

// DecodeField reverses AppendField: it unescapes %XX (hex digits of either case) and decodes
// GB18030; BMP private-use characters come back as U+FFFD, as AppendField sends them. It fails,
// wrapping ErrMalformed, on a '%' not followed by two hex digits, on an unescaped marker byte, or
// on bytes that are not GB18030.
func DecodeField(wire []byte) (string, error) {
	raw := make([]byte, 0, len(wire))
	for i := 0; i < len(wire); i++ {
		b := wire[i]
		switch {
		case b == '%':
			if i+2 >= len(wire) {
				return "", fmt.Errorf("%w: truncated escape", ErrMalformed)
			}
			hi, ok1 := unhex(wire[i+1])
			lo, ok2 := unhex(wire[i+2])
			if !ok1 || !ok2 {
				return "", fmt.Errorf("%w: bad escape %q", ErrMalformed, wire[i:i+3])
			}
			raw = append(raw, hi<<4|lo)
			i += 2
		case needsEscape(b):
			return "", fmt.Errorf("%w: unescaped byte %#02x in a field", ErrMalformed, b)
		default:
			raw = append(raw, b)
		}
	}
	dec, err := simplifiedchinese.GB18030.NewDecoder().Bytes(raw)
	if err != nil || !utf8.Valid(dec) {
		return "", fmt.Errorf("%w: text is not GB18030", ErrMalformed)
	}
	// The same rule as the sending side: a private-use character from a device means nothing and
	// could not be sent back as itself, so both directions carry it as U+FFFD.
	return SanitizeText(string(dec)), nil
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}

func hex2(s []byte) (byte, bool) {
	if len(s) != 2 {
		return 0, false
	}
	hi, ok1 := unhex(s[0])
	lo, ok2 := unhex(s[1])
	return hi<<4 | lo, ok1 && ok2
}

// Checksum is the XOR of the bytes between '@' and '*' (exclusive), as sent on the wire.
func Checksum(body []byte) byte {
	var x byte
	for _, b := range body {
		x ^= b
	}
	return x
}

// validName reports whether s can be a command or result name: 1-16 of A-Z and 0-9.
func validName(s string) bool {
	if len(s) == 0 || len(s) > 16 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !(s[i] >= 'A' && s[i] <= 'Z' || s[i] >= '0' && s[i] <= '9') {
			return false
		}
	}
	return true
}

// Append appends f as a complete frame, '@' to CR LF. It fails with ErrMalformed when f has no
// fields or Fields[0] is not 1-16 of A-Z and 0-9, and with ErrTooLong when the frame would
// exceed MaxFrame bytes.
func (f Frame) Append(dst []byte) ([]byte, error) {
	if len(f.Fields) == 0 || !validName(f.Fields[0]) {
		return dst, fmt.Errorf("%w: bad command %q", ErrMalformed, f.Fields)
	}
	start := len(dst)
	dst = append(dst, '@', hexDigits[f.Addr>>4], hexDigits[f.Addr&15], ',', hexDigits[f.Seq>>4], hexDigits[f.Seq&15])
	for _, field := range f.Fields {
		dst = append(dst, ',')
		dst = AppendField(dst, field)
	}
	sum := Checksum(dst[start+1:])
	dst = append(dst, '*', hexDigits[sum>>4], hexDigits[sum&15], '\r', '\n')
	if len(dst)-start > MaxFrame {
		return dst[:start], fmt.Errorf("%w: %d bytes", ErrTooLong, len(dst)-start)
	}
	return dst, nil
}

// Parse decodes one frame: line runs from '@' to the checksum, with or without the CR LF. It
// fails, wrapping ErrTooLong, ErrChecksum or ErrMalformed, for anything that is not exactly a
// frame as Append writes it (checksum digits may be lowercase).
func Parse(line []byte) (Frame, error) {
	line = bytes.TrimSuffix(line, []byte("\n"))
	line = bytes.TrimSuffix(line, []byte("\r"))
	if len(line) > MaxFrame-2 {
		return Frame{}, ErrTooLong
	}
	if len(line) < 10 || line[0] != '@' {
		return Frame{}, fmt.Errorf("%w: too short or no '@'", ErrMalformed)
	}
	star := len(line) - 3
	if line[star] != '*' {
		return Frame{}, fmt.Errorf("%w: no '*' before the checksum", ErrMalformed)
	}
	body := line[1:star]
	sum, ok := hex2(line[star+1:])
	if !ok {
		return Frame{}, fmt.Errorf("%w: bad checksum digits", ErrMalformed)
	}
	if got := Checksum(body); got != sum {
		return Frame{}, fmt.Errorf("%w: computed %02X, frame says %02X", ErrChecksum, got, sum)
	}
	parts := bytes.Split(body, []byte{','})
	if len(parts) < 3 {
		return Frame{}, fmt.Errorf("%w: want ADDR,SEQ,CMD", ErrMalformed)
	}
	var f Frame
	if f.Addr, ok = hex2(parts[0]); !ok {
		return Frame{}, fmt.Errorf("%w: bad address %q", ErrMalformed, parts[0])
	}
	if f.Seq, ok = hex2(parts[1]); !ok {
		return Frame{}, fmt.Errorf("%w: bad sequence number %q", ErrMalformed, parts[1])
	}
	f.Fields = make([]string, 0, len(parts)-2)
	for _, p := range parts[2:] {
		s, err := DecodeField(p)
		if err != nil {
			return Frame{}, err
		}
		f.Fields = append(f.Fields, s)
	}
	if !validName(f.Fields[0]) {
		return Frame{}, fmt.Errorf("%w: bad command %q", ErrMalformed, f.Fields[0])
	}
	return f, nil
}

// Splitter cuts a byte stream into frames: it starts a frame at every '@' (abandoning a torn
// one), ends it at LF, and discards bytes outside frames and frames longer than MaxFrame. It
// is not safe for concurrent use: it belongs to a port's one reader goroutine. The zero value
// is ready.
type Splitter struct {
	buf     []byte
	inFrame bool
	// Dropped counts bytes discarded: outside frames, in torn or over-long frames.
	Dropped int
}

// Feed takes the next byte and returns a complete line ('@' up to but not including LF; a
// trailing CR stays for Parse to remove) when b ends one. The returned slice is valid until
// the next call.
func (s *Splitter) Feed(b byte) ([]byte, bool) {
	switch {
	case b == '@':
		s.Dropped += len(s.buf)
		s.buf = append(s.buf[:0], b)
		s.inFrame = true
	case !s.inFrame:
		s.Dropped++
	case b == '\n':
		s.inFrame = false
		line := s.buf
		s.buf = s.buf[:0]
		return line, true
	case len(s.buf) >= MaxFrame-1:
		s.Dropped += len(s.buf) + 1
		s.buf = s.buf[:0]
		s.inFrame = false
	default:
		s.buf = append(s.buf, b)
	}
	return nil, false
}
