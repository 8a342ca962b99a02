package terminal

// ticketIDOf recognises a ticket id ("20261122-00000042") in a scanned code.
func ticketIDOf(code string) (string, bool) {
	if len(code) != 17 || code[8] != '-' {
		return "", false
	}
	for i, c := range code {
		if i != 8 && (c < '0' || c > '9') {
			return "", false
		}
	}
	return code, true
}
