package backend

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"hall"
	"hall/queueserver/httpapi"
)

var holderID = idNumber("11010119900307001")

func noticeJSON(t testing.TB, mutate func(m map[string]any)) []byte {
	m := map[string]any{
		"licenceId": "BDC-2026-0001", "title": "不动产权证书", "name": "王五", "idNumber": holderID, "issuer": "市自然资源局",
		"fields": []map[string]string{{"label": "坐落", "value": "红星路一段 1 号"}},
	}
	if mutate != nil {
		mutate(m)
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func postNotice(t testing.TB, url string, body []byte, sign func(*http.Request)) (int, httpapi.ErrorBody) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url+InboundPath, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if sign != nil {
		sign(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var eb httpapi.ErrorBody
	json.NewDecoder(resp.Body).Decode(&eb)
	return resp.StatusCode, eb
}

func TestInbound_LicenceReady(t *testing.T) {
	s := openStore(t, storePath(t), 1)
	mux := http.NewServeMux()
	mux.Handle("POST "+InboundPath, &Inbound{Licences: s, Secret: testSecret, Logger: quietLog})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	signed := func(body []byte) func(*http.Request) {
		return func(r *http.Request) { SignRequest(r, testSecret, time.Now(), body) }
	}
	body := noticeJSON(t, nil)
	if st, _ := postNotice(t, srv.URL, body, signed(body)); st != http.StatusCreated {
		t.Fatalf("first post: %d", st)
	}
	if st, _ := postNotice(t, srv.URL, body, signed(body)); st != http.StatusOK {
		t.Fatalf("re-post: %d", st)
	}
	ls, err := s.LicencesFor(context.Background(), holderID)
	if err != nil || len(ls) != 1 || ls[0].Title != "不动产权证书" {
		t.Fatalf("stored: %+v, %v", ls, err)
	}
	before, _ := s.LastSeq(context.Background())

	stale := func(r *http.Request) { SignRequest(r, testSecret, time.Now().Add(-10*time.Minute), body) }
	other := func(r *http.Request) { SignRequest(r, []byte("forged"), time.Now(), body) }
	tampered := func(r *http.Request) { SignRequest(r, testSecret, time.Now(), noticeJSON(t, nil)[1:]) }
	badTS := func(r *http.Request) {
		SignRequest(r, testSecret, time.Now(), body)
		r.Header.Set(HeaderTimestamp, "yesterday")
	}
	cases := []struct {
		name   string
		body   []byte
		sign   func(*http.Request)
		status int
		reason string
	}{
		{"unsigned", body, nil, 401, "signature_missing"},
		{"forged", body, other, 401, "signature_invalid"},
		{"tampered", body, tampered, 401, "signature_invalid"},
		{"stale", body, stale, 401, "signature_expired"},
		{"bad timestamp", body, badTS, 401, "signature_invalid"},
		{"not json", []byte("{not json"), nil, 400, "body_malformed"},
		{"unknown field", noticeJSON(t, func(m map[string]any) { m["colour"] = "red" }), nil, 400, "body_malformed"},
		{"trailing", append(noticeJSON(t, nil), []byte(`{}`)...), nil, 400, "body_malformed"},
		{"bad id number", noticeJSON(t, func(m map[string]any) { m["licenceId"] = "X-2"; m["idNumber"] = holderID[:17] + "0" }), nil, 400, "id_checksum"},
		{"no title", noticeJSON(t, func(m map[string]any) { m["licenceId"] = "X-3"; m["title"] = " " }), nil, 400, "licence_title"},
		{"bad licence id", noticeJSON(t, func(m map[string]any) { m["licenceId"] = "../etc" }), nil, 400, "licence_id"},
		{"nothing to print", noticeJSON(t, func(m map[string]any) { m["licenceId"] = "X-4"; delete(m, "fields") }), nil, 400, "licence_content"},
		{"not a pdf", noticeJSON(t, func(m map[string]any) { m["licenceId"] = "X-5"; m["pdf"] = []byte("GIF89a") }), nil, 400, "licence_pdf"},
		{"changed content", noticeJSON(t, func(m map[string]any) { m["title"] = "别的证" }), nil, 409, "licence_exists"},
		{"too large", noticeJSON(t, func(m map[string]any) {
			m["licenceId"] = "X-6"
			m["pdf"] = append([]byte("%PDF-"), make([]byte, MaxInboundBody)...)
		}), nil, 413, "body_too_large"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sign := tc.sign
			if sign == nil && tc.status != 401 {
				sign = signed(tc.body)
			}
			st, eb := postNotice(t, srv.URL, tc.body, sign)
			if st != tc.status || eb.Reason != tc.reason || eb.Message == "" {
				t.Fatalf("got %d %+v, want %d %s", st, eb, tc.status, tc.reason)
			}
		})
	}
	if after, _ := s.LastSeq(context.Background()); after != before {
		t.Fatal("a refused notice changed the store")
	}
	if ls, _ := s.LicencesFor(context.Background(), holderID); len(ls) != 1 {
		t.Fatalf("%d licences after the refusals", len(ls))
	}
}

func TestSignature_RoundTrip(t *testing.T) {
	body := []byte(`{"a":1}`)
	now := time.Unix(1_800_000_000, 0)
	h := http.Header{}
	h.Set(HeaderTimestamp, strconv.FormatInt(now.Unix(), 10))
	h.Set(HeaderSignature, Sign(testSecret, now, body))
	if err := Verify(testSecret, h, body, now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := Verify(testSecret, h, append(body, ' '), now); hall.ErrorReason(err) != "signature_invalid" {
		t.Fatalf("changed body: %v", err)
	}
	if err := Verify(nil, h, body, now); hall.ErrorReason(err) != "signature_invalid" {
		t.Fatalf("empty secret accepted: %v", err)
	}
	if !strings.HasPrefix(h.Get(HeaderSignature), "sha256=") {
		t.Fatal(h.Get(HeaderSignature))
	}
}
