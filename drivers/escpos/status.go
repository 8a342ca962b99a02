package escpos

import (
	"fmt"

	"hall/drivers"
)

// Real-time status requests (DLE EOT n). Each is answered by one byte.
const (
	StatusPrinter = 1 // bit 3: offline
	StatusOffline = 2 // bit 2: cover open, bit 5: stopped by paper end, bit 6: error
	StatusPaper   = 4 // bits 0x0C: paper near end, bits 0x60: paper out
)

// IsRealtimeReply reports whether b has the fixed bits of a DLE EOT reply (b & 0x93 == 0x12).
func IsRealtimeReply(b byte) bool { return b&0x93 == 0x12 }

// ParseRealtime adds what reply b to DLE EOT n says to s and returns the result. It fails when
// n is not StatusPrinter, StatusOffline or StatusPaper, or b is not a real-time reply.
func ParseRealtime(s drivers.PrinterStatus, n int, b byte) (drivers.PrinterStatus, error) {
	if !IsRealtimeReply(b) {
		return s, fmt.Errorf("escpos: %#02x is not a real-time status reply", b)
	}
	switch n {
	case StatusPrinter:
		s.Offline = b&0x08 != 0
	case StatusOffline:
		s.CoverOpen = b&0x04 != 0
		s.PaperOut = s.PaperOut || b&0x20 != 0
		s.Fault = b&0x40 != 0
	case StatusPaper:
		s.PaperNearEnd = b&0x0C != 0
		s.PaperOut = s.PaperOut || b&0x60 != 0
	default:
		return s, fmt.Errorf("escpos: no real-time status %d", n)
	}
	return s, nil
}

// IsAutoStart reports whether b can start an automatic status packet (b & 0x93 == 0x10).
func IsAutoStart(b byte) bool { return b&0x93 == 0x10 }

// isAutoRest reports whether b can be byte 2, 3 or 4 of an automatic status packet.
func isAutoRest(b byte) bool { return b&0x90 == 0 }

// ParseAuto decodes a 4-byte automatic status back (ASB) packet: byte 1 bit 3 offline, bit 5
// cover open; byte 2 bits 2, 3, 5, 6 mechanical, cutter, unrecoverable and auto-recoverable
// errors; byte 3 bits 0x03 paper near end, 0x0C paper out. It fails when p does not have the
// packet's fixed bits.
func ParseAuto(p [4]byte) (drivers.PrinterStatus, error) {
	if !IsAutoStart(p[0]) || !isAutoRest(p[1]) || !isAutoRest(p[2]) || !isAutoRest(p[3]) {
		return drivers.PrinterStatus{}, fmt.Errorf("escpos: % x is not an automatic status packet", p[:])
	}
	return drivers.PrinterStatus{
		Offline:      p[0]&0x08 != 0,
		CoverOpen:    p[0]&0x20 != 0,
		Fault:        p[1]&0x6C != 0,
		PaperNearEnd: p[2]&0x03 != 0,
		PaperOut:     p[2]&0x0C != 0,
	}, nil
}

// StatusEvent is one message from the printer, as separated by a StatusDecoder.
type StatusEvent struct {
	// Auto is true for a 4-byte automatic status packet (Packet), false for a one-byte
	// real-time reply (Realtime).
	Auto     bool
	Realtime byte
	Packet   [4]byte
}

// StatusDecoder separates the bytes a printer sends into real-time replies and automatic
// status packets, resynchronising on anything else. It is not safe for concurrent use: it
// belongs to the port's one reader goroutine. The zero value is ready.
type StatusDecoder struct {
	pkt [4]byte
	n   int // bytes of an automatic packet collected so far (0 = none)
	// Dropped counts bytes that fit neither message and were discarded.
	Dropped int
}

// Feed takes the next byte and returns a complete message, if b completed one. A real-time
// reply byte arriving inside an automatic packet abandons the packet (counted in Dropped).
func (d *StatusDecoder) Feed(b byte) (StatusEvent, bool) {
	if d.n > 0 {
		if isAutoRest(b) {
			d.pkt[d.n] = b
			d.n++
			if d.n == 4 {
				d.n = 0
				return StatusEvent{Auto: true, Packet: d.pkt}, true
			}
			return StatusEvent{}, false
		}
		d.Dropped += d.n
		d.n = 0
	}
	switch {
	case IsRealtimeReply(b):
		return StatusEvent{Realtime: b}, true
	case IsAutoStart(b):
		d.pkt[0] = b
		d.n = 1
	default:
		d.Dropped++
	}
	return StatusEvent{}, false
}
