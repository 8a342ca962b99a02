//go:build linux

package main

import "net/http"

// receiptPNG answers with the last printed receipt rendered as the paper would look (404 before
// the first receipt).
func (h *hall) receiptPNG(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.printer.LastReceipt(); !ok {
		http.Error(w, "no receipt printed yet", http.StatusNotFound)
		return
	}
	b, err := h.printer.LastReceiptPNG()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Write(b)
}
