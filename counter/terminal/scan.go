package terminal

import (
	"context"
	"strings"

	"hall"
	"hall/queueserver/httpapi"
)

// findScanned finds the ticket of a scanned code: the ticket's barcode (hall.TicketBarcode,
// checked), or a ticket code of today typed into a keyboard-wedge scanner ("A012"). Anything
// else is refused with the reason of hall.ParseTicketBarcode ("not_our_code", "bad_check").
func (t *Terminal) findScanned(ctx context.Context, api *httpapi.Client, code string) (hall.Ticket, error) {
	code = strings.TrimSpace(code)
	if plausibleCode(code) {
		return api.TicketByCode(ctx, code, "")
	}
	id, err := hall.ParseTicketBarcode(code)
	if err != nil {
		return hall.Ticket{}, err
	}
	st, err := api.Ticket(ctx, id)
	return st.Ticket, err
}

// plausibleCode reports whether s looks like a ticket code: letters then digits, at most 8.
func plausibleCode(s string) bool {
	if len(s) < 2 || len(s) > 8 {
		return false
	}
	i := 0
	for i < len(s) && (s[i] >= 'A' && s[i] <= 'Z' || s[i] >= 'a' && s[i] <= 'z') {
		i++
	}
	if i == 0 || i == len(s) {
		return false
	}
	for _, c := range s[i:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
