//go:build linux

package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
)

// handler is the HTTP control. Every request from a non-loopback address
// is refused.
func (h *hall) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /state", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.Encode(h.state())
	})
	mux.HandleFunc("POST /cmd", func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(io.LimitReader(r.Body, 4096))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		h.reply(w, strings.TrimSpace(string(b)))
	})
	mux.HandleFunc("POST /card", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Preset string `json:"preset"`
			Remove bool   `json:"remove"`
			Fault  string `json:"fault"`
		}
		if !decode(w, r, &req) {
			return
		}
		switch {
		case req.Remove:
			h.reply(w, "remove card")
		case req.Fault != "":
			h.reply(w, "card fault "+req.Fault)
		default:
			h.reply(w, "insert card "+req.Preset)
		}
	})
	mux.HandleFunc("POST /scan", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Code    string `json:"code"`
			Scanner string `json:"scanner"`
		}
		if !decode(w, r, &req) {
			return
		}
		sc := h.kioskScanner
		if req.Scanner == "counter" {
			sc = h.counterScanner
		} else if req.Scanner != "" && req.Scanner != "kiosk" {
			http.Error(w, `scanner must be "kiosk" or "counter"`, http.StatusBadRequest)
			return
		}
		// Not through exec: a code may have leading words like "counter".
		if err := sc.Scan(req.Code); err != nil || req.Code == "" {
			http.Error(w, fmt.Sprintf("cannot scan %q: %v", req.Code, err), http.StatusBadRequest)
			return
		}
		fmt.Fprintf(w, "scanned %q\n", req.Code)
	})
	mux.HandleFunc("POST /rate", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Level  int  `json:"level"`
			Cancel bool `json:"cancel"`
		}
		if !decode(w, r, &req) {
			return
		}
		if req.Cancel {
			h.reply(w, "rate cancel")
			return
		}
		h.reply(w, fmt.Sprintf("rate %d", req.Level))
	})
	mux.HandleFunc("POST /printer", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Paper string `json:"paper"`
			Cover string `json:"cover"`
		}
		if !decode(w, r, &req) {
			return
		}
		if req.Paper == "" && req.Cover == "" {
			http.Error(w, `want "paper" and/or "cover"`, http.StatusBadRequest)
			return
		}
		var out []string
		for _, cmd := range []string{"paper " + req.Paper, "cover " + req.Cover} {
			if strings.HasSuffix(cmd, " ") {
				continue
			}
			res, err := h.exec(cmd)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			out = append(out, res)
		}
		fmt.Fprintln(w, strings.Join(out, "\n"))
	})
	for _, verb := range []string{"unplug", "replug"} {
		mux.HandleFunc("POST /"+verb, func(w http.ResponseWriter, r *http.Request) {
			var req struct {
				Port string `json:"port"`
			}
			if !decode(w, r, &req) {
				return
			}
			h.reply(w, verb+" "+req.Port)
		})
	}
	mux.HandleFunc("GET /receipt.png", h.receiptPNG)
	return loopbackOnly(mux)
}

// reply runs a console command and writes its output, or 400 with the
// error.
func (h *hall) reply(w http.ResponseWriter, cmd string) {
	res, err := h.exec(cmd)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintln(w, res)
}

// decode reads a JSON body into v, answering 400 on failure.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(io.LimitReader(r.Body, 4096))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		http.Error(w, "bad JSON body: "+err.Error(), http.StatusBadRequest)
		return false
	}
	return true
}

// loopbackOnly refuses requests whose peer is not a loopback address.
func loopbackOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
			http.Error(w, "devicesim: loopback only", http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}
