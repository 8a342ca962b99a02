package backend

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"hall"
)

// Any signed body is answered with a coded error or an accepted licence: never a panic, never a
// 5xx, and a refused body changes nothing.
func FuzzInbound_SignedBody(f *testing.F) {
	f.Add(noticeJSON(f, nil))
	f.Add([]byte(`{"licenceId":"A","title":"t","name":"n","idNumber":"110101199003070011","pdf":"JVBERi0="}`))
	f.Add([]byte(`{"licenceId":"A","fields":[{"label":"","value":"x"}]}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"licenceId":"../../x","title":"` + string(make([]byte, 300)) + `"}`))
	s := openStore(f, storePath(f), 1)
	in := &Inbound{Licences: s, Secret: testSecret, Logger: quietLog}
	f.Fuzz(func(t *testing.T, body []byte) {
		before, _ := s.LastSeq(context.Background())
		req := httptest.NewRequest(http.MethodPost, InboundPath, bytes.NewReader(body))
		SignRequest(req, testSecret, time.Now(), body)
		rec := httptest.NewRecorder()
		in.ServeHTTP(rec, req)
		after, _ := s.LastSeq(context.Background())
		switch {
		case rec.Code >= 500:
			t.Fatalf("%d for %q: %s", rec.Code, body, rec.Body)
		case rec.Code >= 400 && after != before:
			t.Fatalf("refused (%d) but the log moved", rec.Code)
		case rec.Code == http.StatusCreated && after == before:
			t.Fatal("created without an event")
		}
	})
}

// Verify refuses every header it did not make itself.
func FuzzVerify_Headers(f *testing.F) {
	f.Add("1800000000", "sha256=00", []byte("{}"))
	f.Add("", "", []byte(""))
	f.Add("-1", "sha256=", []byte("x"))
	now := time.Unix(1800000000, 0)
	f.Fuzz(func(t *testing.T, ts, sig string, body []byte) {
		h := http.Header{}
		h.Set(HeaderTimestamp, ts)
		h.Set(HeaderSignature, sig)
		err := Verify(testSecret, h, body, now)
		if err == nil && sig != Sign(testSecret, now, body) {
			// Only the right signature for some timestamp within the skew may pass.
			for d := -MaxClockSkew; d <= MaxClockSkew; d += time.Second {
				if sig == Sign(testSecret, now.Add(d), body) {
					return
				}
			}
			t.Fatalf("accepted a forged signature %q %q", ts, sig)
		}
		if err != nil && hall.ErrorCode(err) != hall.EUNAUTHORIZED {
			t.Fatalf("error code %v", err)
		}
	})
}
