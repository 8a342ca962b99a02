package hall

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// Codes printed as QR codes or barcodes carry a prefix and a check, so that a scanner reading a
// foreign code, a torn label or a typo is told so at once (scans are untrusted input).
const (
	qrAppointmentPrefix = "HALLA:"
	qrTicketPrefix      = "HALLT:"
)

// ShortCodeDigits is the length of a booking's short code (预约码), typed on the kiosk keypad.
const ShortCodeDigits = 6

func codeCheck(kind, payload string) string {
	sum := sha256.Sum256([]byte(kind + payload))
	return strings.ToUpper(hex.EncodeToString(sum[:2]))
}

// AppointmentQR is the text of a booking's QR code: HALLA:<code>:<check>.
func AppointmentQR(code string) string {
	return qrAppointmentPrefix + code + ":" + codeCheck(qrAppointmentPrefix, code)
}

// TicketBarcode is the text of the code on a ticket that the counter scans: HALLT:<ticket id>:<check>.
func TicketBarcode(ticketID string) string {
	return qrTicketPrefix + ticketID + ":" + codeCheck(qrTicketPrefix, ticketID)
}

// BookingRef is what a visitor presents to check in: the long code of a QR code or link, or the
// short code typed on the keypad.
type BookingRef struct {
	Code  string // the unguessable check-in code, or
	Short string // the 6-digit short code, valid on the booking's day
}

// ParseBookingRef reads a scanned or typed booking reference: an AppointmentQR text, a bare
// check-in code (32 hex digits), or a 6-digit short code. EINVALID for anything else, with a
// reason a kiosk can show ("not_our_code", "bad_check").
func ParseBookingRef(s string) (BookingRef, error) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, qrTicketPrefix) {
		return BookingRef{}, Errorf(EINVALID, "ticket_not_booking", "这是排队号码凭条，不是预约二维码", "this is a queue ticket, not a booking code")
	}
	if rest, ok := strings.CutPrefix(s, qrAppointmentPrefix); ok {
		code, check, ok := strings.Cut(rest, ":")
		if !ok || !isHex(code, 32) || !strings.EqualFold(check, codeCheck(qrAppointmentPrefix, code)) {
			return BookingRef{}, Errorf(EINVALID, "bad_check", "二维码不完整或已损坏，请重新扫描", "the QR code is damaged or incomplete; scan again")
		}
		return BookingRef{Code: strings.ToLower(code)}, nil
	}
	if isHex(s, 32) {
		return BookingRef{Code: strings.ToLower(s)}, nil
	}
	if len(s) == ShortCodeDigits && strings.Trim(s, "0123456789") == "" {
		return BookingRef{Short: s}, nil
	}
	return BookingRef{}, Errorf(EINVALID, "not_our_code", "无法识别的预约码，请扫描预约二维码或输入 6 位预约码", "not a booking code: scan the booking QR code or type the 6-digit code")
}

// ParseTicketBarcode reads a ticket's scanned code and returns the ticket id. EINVALID for a
// foreign or damaged code.
func ParseTicketBarcode(s string) (string, error) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(s), qrTicketPrefix)
	if !ok {
		return "", Errorf(EINVALID, "not_our_code", "无法识别的条码，请扫描排队凭条上的条码", "not a ticket code: scan the code on the queue ticket")
	}
	i := strings.LastIndexByte(rest, ':')
	if i <= 0 || i > 40 || !strings.EqualFold(rest[i+1:], codeCheck(qrTicketPrefix, rest[:i])) {
		return "", Errorf(EINVALID, "bad_check", "条码不完整或已损坏，请重新扫描", "the code is damaged or incomplete; scan again")
	}
	return rest[:i], nil
}

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}
