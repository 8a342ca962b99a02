package escpos

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"hall/drivers"
)

func TestParseRealtime(t *testing.T) {
	tests := []struct {
		name string
		n    int
		b    byte
		want drivers.PrinterStatus
	}{
		{"printer online", 1, 0x12, drivers.PrinterStatus{}},
		{"printer offline", 1, 0x1A, drivers.PrinterStatus{Offline: true}},
		{"cover closed", 2, 0x12, drivers.PrinterStatus{}},
		{"cover open", 2, 0x16, drivers.PrinterStatus{CoverOpen: true}},
		{"stopped by paper end", 2, 0x32, drivers.PrinterStatus{PaperOut: true}},
		{"error occurred", 2, 0x52, drivers.PrinterStatus{Fault: true}},
		{"paper fine", 4, 0x12, drivers.PrinterStatus{}},
		{"paper near end", 4, 0x1E, drivers.PrinterStatus{PaperNearEnd: true}},
		{"paper out", 4, 0x72, drivers.PrinterStatus{PaperOut: true}},
		{"paper near end and out", 4, 0x7E, drivers.PrinterStatus{PaperNearEnd: true, PaperOut: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseRealtime(drivers.PrinterStatus{}, tt.n, tt.b)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseRealtime(%d, %#02x) (-want +got):\n%s", tt.n, tt.b, diff)
			}
		})
	}
}

func TestParseRealtime_Rejects(t *testing.T) {
	for _, c := range []struct {
		n int
		b byte
	}{{1, 0x00}, {1, 0x10}, {1, 0x13}, {1, 0x92}, {3, 0x12}, {0, 0x12}} {
		if _, err := ParseRealtime(drivers.PrinterStatus{}, c.n, c.b); err == nil {
			t.Errorf("ParseRealtime(%d, %#02x) accepted", c.n, c.b)
		}
	}
}

func TestParseAuto(t *testing.T) {
	tests := []struct {
		p    [4]byte
		want drivers.PrinterStatus
	}{
		{[4]byte{0x10, 0x00, 0x00, 0x00}, drivers.PrinterStatus{}},
		{[4]byte{0x18, 0x00, 0x00, 0x00}, drivers.PrinterStatus{Offline: true}},
		{[4]byte{0x38, 0x00, 0x00, 0x00}, drivers.PrinterStatus{Offline: true, CoverOpen: true}},
		{[4]byte{0x10, 0x08, 0x00, 0x00}, drivers.PrinterStatus{Fault: true}},
		{[4]byte{0x10, 0x00, 0x03, 0x00}, drivers.PrinterStatus{PaperNearEnd: true}},
		{[4]byte{0x10, 0x00, 0x0C, 0x00}, drivers.PrinterStatus{PaperOut: true}},
	}
	for _, tt := range tests {
		got, err := ParseAuto(tt.p)
		if err != nil {
			t.Fatalf("ParseAuto(% x): %v", tt.p, err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("ParseAuto(% x) (-want +got):\n%s", tt.p, diff)
		}
	}
	for _, p := range [][4]byte{{0x12, 0, 0, 0}, {0x10, 0x10, 0, 0}, {0x10, 0, 0x80, 0}, {0, 0, 0, 0}} {
		if _, err := ParseAuto(p); err == nil {
			t.Errorf("ParseAuto(% x) accepted", p)
		}
	}
}

// One reader separates interleaved real-time replies and automatic packets and drops garbage.
func TestStatusDecoder_SeparatesInterleavedMessages(t *testing.T) {
	in := []byte{
		0x12,                   // real-time reply
		0x18, 0x00, 0x0C, 0x00, // automatic packet
		0xFF, 0x00, // garbage
		0x10, 0x00, // a packet torn by...
		0x1A,                   // ...a real-time reply: the packet is abandoned
		0x10, 0x00, 0x00, 0x00, // a whole packet
	}
	var d StatusDecoder
	var got []StatusEvent
	for _, b := range in {
		if ev, ok := d.Feed(b); ok {
			got = append(got, ev)
		}
	}
	want := []StatusEvent{
		{Realtime: 0x12},
		{Auto: true, Packet: [4]byte{0x18, 0x00, 0x0C, 0x00}},
		{Realtime: 0x1A},
		{Auto: true, Packet: [4]byte{0x10, 0, 0, 0}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	if d.Dropped != 4 {
		t.Errorf("Dropped = %d, want 4 (FF, 00, and the torn packet's 2 bytes)", d.Dropped)
	}
}

func FuzzStatusDecoder(f *testing.F) {
	f.Add([]byte{0x12, 0x18, 0x00, 0x0C, 0x00})
	f.Add([]byte{0x10, 0x00, 0x1A, 0x10, 0, 0, 0})
	f.Add([]byte{0xFF, 0x93, 0x92, 0x90})
	f.Fuzz(func(t *testing.T, in []byte) {
		var d StatusDecoder
		events := 0
		for _, b := range in {
			ev, ok := d.Feed(b)
			if !ok {
				continue
			}
			events++
			if ev.Auto {
				if _, err := ParseAuto(ev.Packet); err != nil {
					t.Fatalf("decoder produced an invalid packet: %v", err)
				}
				continue
			}
			for _, n := range []int{1, 2, 4} {
				if _, err := ParseRealtime(drivers.PrinterStatus{}, n, ev.Realtime); err != nil {
					t.Fatalf("decoder produced an invalid reply: %v", err)
				}
			}
		}
		if events > len(in) || d.Dropped > len(in) {
			t.Fatalf("%d events, %d dropped from %d bytes", events, d.Dropped, len(in))
		}
	})
}

func FuzzParseRealtime(f *testing.F) {
	f.Add(1, byte(0x12))
	f.Add(4, byte(0x7E))
	f.Fuzz(func(t *testing.T, n int, b byte) {
		s, err := ParseRealtime(drivers.PrinterStatus{}, n, b)
		if err == nil && (n != 1 && n != 2 && n != 4) {
			t.Fatalf("accepted n=%d", n)
		}
		if err == nil && s.Ready() == (s.Offline || s.CoverOpen || s.PaperOut || s.Fault) {
			t.Fatalf("Ready() inconsistent with %+v", s)
		}
	})
}
