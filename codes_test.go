package hall

import (
	"strings"
	"testing"
)

func TestBookingRef(t *testing.T) {
	code := "0123456789abcdef0123456789abcdef"
	qr := AppointmentQR(code)
	if ref, err := ParseBookingRef(qr); err != nil || ref.Code != code {
		t.Fatalf("own QR: %+v %v", ref, err)
	}
	if ref, err := ParseBookingRef(" " + strings.ToUpper(code) + "\r\n"); err != nil || ref.Code != code {
		t.Fatalf("bare code: %+v %v", ref, err)
	}
	if ref, err := ParseBookingRef("042317"); err != nil || ref.Short != "042317" {
		t.Fatalf("short code: %+v %v", ref, err)
	}
	bad := map[string]string{
		flipLast(qr):                       "bad_check",
		strings.Replace(qr, "01", "10", 1): "bad_check",
		qr[:20]:                            "bad_check",
		"https://example.com/pay":          "not_our_code",
		"12345":                            "not_our_code",
		"":                                 "not_our_code",
		TicketBarcode("20261123-00000001"): "ticket_not_booking",
	}
	for in, reason := range bad {
		if _, err := ParseBookingRef(in); ErrorReason(err) != reason || ErrorCode(err) != EINVALID {
			t.Errorf("ParseBookingRef(%q) = %v, want %s", in, err, reason)
		}
	}
}

func TestTicketBarcode(t *testing.T) {
	id := "20261123-00000042"
	if got, err := ParseTicketBarcode(TicketBarcode(id)); err != nil || got != id {
		t.Fatalf("round trip: %q %v", got, err)
	}
	code := TicketBarcode(id)
	for in, reason := range map[string]string{
		flipLast(code): "bad_check",
		"HALLT::00":    "bad_check",
		AppointmentQR("0123456789abcdef0123456789abcdef"): "not_our_code",
		"A012": "not_our_code",
	} {
		if _, err := ParseTicketBarcode(in); ErrorReason(err) != reason {
			t.Errorf("ParseTicketBarcode(%q) = %v, want %s", in, err, reason)
		}
	}
}

func FuzzParseBookingRef(f *testing.F) {
	for _, s := range []string{AppointmentQR("0123456789abcdef0123456789abcdef"), "123456", "HALLA::", TicketBarcode("x")} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ref, err := ParseBookingRef(s)
		if err != nil {
			if ErrorCode(err) != EINVALID {
				t.Fatalf("code %q", ErrorCode(err))
			}
			return
		}
		if (ref.Code == "") == (ref.Short == "") {
			t.Fatalf("ref %+v", ref)
		}
		if id, err := ParseTicketBarcode(s); err == nil {
			t.Fatalf("%q read as both a booking and ticket %s", s, id)
		}
	})
}

// flipLast changes the last character of s to another hex digit.
func flipLast(s string) string {
	last := s[len(s)-1]
	if last == '0' {
		return s[:len(s)-1] + "1"
	}
	return s[:len(s)-1] + "0"
}
