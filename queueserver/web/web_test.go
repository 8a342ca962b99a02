package web

import (
	"bytes"
	"image/png"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func get(t *testing.T, h http.Handler, path string, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest("GET", path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestHandler_ServesPagesAndAssets(t *testing.T) {
	h, err := New()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ path, ctype, contains string }{
		{"/", "text/html", "政务服务大厅"},
		{"/board", "text/html", "board.js"},
		{"/board?area=a1", "text/html", "board.js"},
		{"/sign?counter=c1", "text/html", "sign.js"},
		{"/book", "text/html", "book.js"},
		{"/t/0123456789abcdef0123456789abcdef", "text/html", "ticket.js"},
		{"/static/hall.js", "text/javascript", "class Feed"},
		{"/static/hall.css", "text/css", "@font-face"},
		{"/static/voice/chime.ogg", "audio/ogg", "OggS"},
		{"/static/fonts/hall-sc.woff2", "font/woff2", "wOF2"},
	}
	for _, c := range cases {
		w := get(t, h, c.path)
		if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), c.ctype) || !strings.Contains(w.Body.String(), c.contains) {
			t.Errorf("%s: %d %q, body has %q: %v", c.path, w.Code, w.Header().Get("Content-Type"), c.contains, strings.Contains(w.Body.String(), c.contains))
		}
		if w.Header().Get("Content-Security-Policy") == "" || w.Header().Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("%s: missing security headers", c.path)
		}
	}
}

// TestHandler_EveryVoiceClipIsBundled: every clip the announcer can ask for exists, so a call is
// never spoken with a hole in it.
func TestHandler_EveryVoiceClipIsBundled(t *testing.T) {
	h, _ := New()
	names := []string{"chime", "qing", "hao", "dao", "chuangkou", "banli", "zuo", "you", "d10", "d100", "d1000"}
	for i := 0; i <= 9; i++ {
		names = append(names, "d"+string(rune('0'+i)))
	}
	for c := 'A'; c <= 'Z'; c++ {
		names = append(names, "l"+string(c))
	}
	for _, n := range names {
		if w := get(t, h, "/static/voice/"+n+".ogg"); w.Code != 200 || w.Body.Len() < 1000 {
			t.Errorf("clip %s: %d, %d bytes", n, w.Code, w.Body.Len())
		}
	}
}

func TestHandler_Revalidation(t *testing.T) {
	h, _ := New()
	first := get(t, h, "/static/board.js")
	etag := first.Header().Get("ETag")
	if etag == "" || first.Header().Get("Cache-Control") != "no-cache" {
		t.Fatalf("headers %v", first.Header())
	}
	if again := get(t, h, "/static/board.js", "If-None-Match", etag); again.Code != http.StatusNotModified {
		t.Fatalf("revalidation gave %d", again.Code)
	}
}

func TestHandler_BadPaths(t *testing.T) {
	h, _ := New()
	for _, p := range []string{"/static/../web.go", "/static/nope.js", "/static/", "/qr/appointment/xyz.png", "/qr/appointment/0123456789abcdef0123456789abcdef", "/qr/appointment/0123456789ABCDEF0123456789ABCDEF.png"} {
		if w := get(t, h, p); w.Code == 200 {
			t.Errorf("%s answered 200", p)
		}
	}
}

func TestHandler_AppointmentQR(t *testing.T) {
	h, _ := New()
	w := get(t, h, "/qr/appointment/0123456789abcdef0123456789abcdef.png")
	if w.Code != 200 {
		t.Fatalf("status %d", w.Code)
	}
	img, err := png.Decode(bytes.NewReader(w.Body.Bytes()))
	if err != nil || img.Bounds().Dx() != 320 {
		t.Fatalf("not a 320px PNG: %v", err)
	}
}
