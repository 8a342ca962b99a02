// Package web serves the hall's pages from files embedded in the binary: the hall and area boards
// (/board), the window sign for TV-type signs (/sign), the mobile ticket page (/t/{token}), the
// appointment booking page (/book) and their scripts, styles, web font and voice clips under
// /static/. Nothing is fetched from the internet. The pages talk to the server only through the
// JSON API and the websocket feed (queueserver/httpapi); this package holds no state.
//
// Concurrency: the handler is safe for concurrent use; everything it serves is read-only.
package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"regexp"
	"strings"
	"time"

	qrcode "github.com/skip2/go-qrcode"

	"hall"
)

//go:embed static
var files embed.FS

// asset is one embedded file with its validator.
type asset struct {
	body []byte
	etag string
}

// Handler serves the pages. It answers only the paths it owns (see Paths) and 404 for the rest
// of what it is given.
type Handler struct {
	assets map[string]asset // "/static/…" → file
	mux    *http.ServeMux
	start  time.Time
}

// Paths are the URL patterns Handler serves; the server mounts each of them.
var Paths = []string{"GET /{$}", "GET /board", "GET /sign", "GET /book", "GET /t/{token}", "GET /static/", "GET /qr/appointment/{file}"}

// New loads the embedded files.
func New() (*Handler, error) {
	h := &Handler{assets: map[string]asset{}, mux: http.NewServeMux(), start: time.Now()}
	err := fs.WalkDir(files, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		h.assets["/"+p] = asset{body: b, etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
		return nil
	})
	if err != nil {
		return nil, err
	}
	page := func(file string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) { h.serve(w, r, "/static/"+file) }
	}
	h.mux.HandleFunc("GET /{$}", page("index.html"))
	h.mux.HandleFunc("GET /board", page("board.html"))
	h.mux.HandleFunc("GET /sign", page("sign.html"))
	h.mux.HandleFunc("GET /book", page("book.html"))
	h.mux.HandleFunc("GET /t/{token}", h.ticketPage)
	h.mux.HandleFunc("GET /static/", func(w http.ResponseWriter, r *http.Request) { h.serve(w, r, r.URL.Path) })
	h.mux.HandleFunc("GET /qr/appointment/{file}", h.appointmentQR)
	return h, nil
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Referrer-Policy", "no-referrer") // the mobile page's link is its key: never leak it
	hdr.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; media-src 'self'; connect-src 'self' ws: wss:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'")
	h.mux.ServeHTTP(w, r)
}

var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
	".ogg": "audio/ogg", ".woff2": "font/woff2", ".txt": "text/plain; charset=utf-8", ".png": "image/png",
}

// serve writes an embedded file with an ETag. Pages and scripts are revalidated on every load (a
// server upgrade reaches the screens at once); fonts and voice clips are cached for a day.
func (h *Handler) serve(w http.ResponseWriter, r *http.Request, name string) {
	a, ok := h.assets[path.Clean(name)]
	if !ok {
		http.NotFound(w, r)
		return
	}
	ext := path.Ext(name)
	w.Header().Set("Content-Type", contentTypes[ext])
	w.Header().Set("ETag", a.etag)
	if ext == ".ogg" || ext == ".woff2" {
		w.Header().Set("Cache-Control", "public, max-age=86400")
	} else {
		w.Header().Set("Cache-Control", "no-cache")
	}
	http.ServeContent(w, r, "", h.start, bytes.NewReader(a.body))
}

var tokenPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)

// ticketPage serves the mobile ticket page for a well-formed token; the page itself asks the API
// whether the ticket exists. A malformed link gets the page too, which says the link is broken.
func (h *Handler) ticketPage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Robots-Tag", "noindex")
	h.serve(w, r, "/static/ticket.html")
}

// appointmentQR renders the QR code a booking shows (hall.AppointmentQR of its check-in code) as
// a PNG: /qr/appointment/{code}.png. 400 for anything but a 32-hex-digit code.
func (h *Handler) appointmentQR(w http.ResponseWriter, r *http.Request) {
	code, ok := strings.CutSuffix(r.PathValue("file"), ".png")
	if !ok || !tokenPattern.MatchString(code) {
		http.Error(w, "预约码格式错误 / malformed booking code", http.StatusBadRequest)
		return
	}
	png, err := qrcode.Encode(hall.AppointmentQR(code), qrcode.Medium, 320)
	if err != nil {
		http.Error(w, "二维码生成失败 / QR encoding failed", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "private, max-age=86400")
	w.Write(png)
}
