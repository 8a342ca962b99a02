package idcard

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// Preamble starts every frame in both directions.
var Preamble = []byte{0xAA, 0xAA, 0xAA, 0x96, 0x69}

// Command codes (CMD, PARA) of GA/T 467.
const (
	CmdReset      = 0x10 // PARA 0xFF: reset the SAM
	CmdSAMStatus  = 0x11 // PARA 0xFF: SAM status
	CmdSAMID      = 0x12 // PARA 0xFF: SAM id
	CmdCard       = 0x20 // PARA ParaFind or ParaSelect
	CmdRead       = 0x30 // PARA ParaReadText, ParaReadAddress
	ParaAll       = 0xFF
	ParaFind      = 0x01
	ParaSelect    = 0x02
	ParaReadText  = 0x01 // text + photo
	ParaReadAddr  = 0x03 // appended address
	ParaReadPrint = 0x10 // text + photo + fingerprint (not used)
)

// Frame size limits. DefaultMaxLen is the largest LEN accepted by default:
// a text+photo reply has LEN 1288, one with fingerprints 2314.
const (
	headerLen     = 7 // preamble + LEN
	minReplyLen   = 4 // SW1 SW2 SW3 CHK
	DefaultMaxLen = 4096
)

// Frame errors. A frame error consumes the offending bytes, so decoding can
// go on with what follows.
var (
	// ErrChecksum: a frame's XOR checksum does not match its contents.
	ErrChecksum = errors.New("idcard: frame checksum mismatch")
	// ErrFrameLength: a frame's LEN is below the minimum or above the cap.
	ErrFrameLength = errors.New("idcard: frame length out of range")
	// ErrTornFrame: a frame started but did not finish in time.
	ErrTornFrame = errors.New("idcard: torn frame")
	// ErrGarbage: bytes arrived but no frame among them.
	ErrGarbage = errors.New("idcard: garbage instead of a reply")
	// ErrUnexpectedReply: a well-formed reply whose size or status does
	// not fit the command sent.
	ErrUnexpectedReply = errors.New("idcard: unexpected reply")
)

// checksum is the XOR of b.
func checksum(b []byte) byte {
	var c byte
	for _, x := range b {
		c ^= x
	}
	return c
}

// EncodeCommand returns the host frame for cmd, para and data:
// AA AA AA 96 69 | LEN | CMD PARA DATA… | CHK.
func EncodeCommand(cmd, para byte, data []byte) []byte {
	n := 2 + len(data) + 1
	f := make([]byte, 0, headerLen+n)
	f = append(f, Preamble...)
	f = binary.BigEndian.AppendUint16(f, uint16(n))
	f = append(f, cmd, para)
	f = append(f, data...)
	return append(f, checksum(f[len(Preamble):]))
}

// Reply is a reader's answer: the status words and the data after them.
type Reply struct {
	SW1, SW2, SW3 byte
	Data          []byte
}

// ParseReply decodes the first reply frame in buf, skipping garbage before
// it. maxLen caps LEN (DefaultMaxLen when <= 0). It returns how many bytes
// of buf it used and exactly one of:
//
//   - a reply (r != nil): a whole, well-formed frame was consumed;
//   - an error (ErrFrameLength or ErrChecksum): a corrupt frame start was
//     consumed (n > 0); call again with buf[n:] to resynchronise on the next
//     preamble;
//   - neither: n bytes of garbage were skipped (n may be 0); when n is 0,
//     more bytes are needed.
//
// ParseReply never panics and never returns n > len(buf). r.Data is a copy.
func ParseReply(buf []byte, maxLen int) (r *Reply, n int, err error) {
	if maxLen <= 0 {
		maxLen = DefaultMaxLen
	}
	i := bytes.Index(buf, Preamble)
	if i < 0 {
		// Keep a tail that may be the start of a preamble.
		keep := min(len(buf), len(Preamble)-1)
		for keep > 0 && !bytes.HasPrefix(Preamble, buf[len(buf)-keep:]) {
			keep--
		}
		return nil, len(buf) - keep, nil
	}
	if i > 0 {
		return nil, i, nil
	}
	if len(buf) < headerLen {
		return nil, 0, nil
	}
	l := int(binary.BigEndian.Uint16(buf[5:7]))
	if l < minReplyLen || l > maxLen {
		return nil, 1, fmt.Errorf("%w: LEN %d", ErrFrameLength, l)
	}
	if len(buf) < headerLen+l {
		return nil, 0, nil
	}
	frame := buf[:headerLen+l]
	if want, got := checksum(frame[5:len(frame)-1]), frame[len(frame)-1]; want != got {
		return nil, 1, fmt.Errorf("%w: got %02X, want %02X", ErrChecksum, got, want)
	}
	return &Reply{
		SW1:  frame[7],
		SW2:  frame[8],
		SW3:  frame[9],
		Data: bytes.Clone(frame[10 : len(frame)-1]),
	}, len(frame), nil
}

// startsFrame reports whether buf holds the beginning of a frame.
func startsFrame(buf []byte) bool {
	return bytes.Contains(buf, Preamble)
}
