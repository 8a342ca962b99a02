package backend

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"time"

	"hall"
)

// Signature headers. The signature is HMAC-SHA256 over the timestamp, a dot and the raw body,
// keyed with the shared secret, written "sha256=<hex>".
const (
	HeaderTimestamp = "X-Hall-Timestamp" // Unix seconds when the request was signed
	HeaderSignature = "X-Hall-Signature" // "sha256=" + hex(HMAC-SHA256(secret, timestamp + "." + body))
	HeaderHallID    = "X-Hall-Id"
)

// MaxClockSkew is how far a signed request's timestamp may be from the receiver's clock.
const MaxClockSkew = 5 * time.Minute

// Sign returns the signature header value of body signed at ts.
func Sign(secret []byte, ts time.Time, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(strconv.FormatInt(ts.Unix(), 10)))
	m.Write([]byte{'.'})
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// SignRequest sets the timestamp and signature headers of req for body.
func SignRequest(req *http.Request, secret []byte, now time.Time, body []byte) {
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(now.Unix(), 10))
	req.Header.Set(HeaderSignature, Sign(secret, now, body))
}

// Verify checks the signature headers of h against body at now: EUNAUTHORIZED with reason
// signature_missing, signature_expired (timestamp off by more than MaxClockSkew) or
// signature_invalid. The comparison takes constant time.
func Verify(secret []byte, h http.Header, body []byte, now time.Time) error {
	tsText, sig := h.Get(HeaderTimestamp), h.Get(HeaderSignature)
	if tsText == "" || sig == "" {
		return hall.Errorf(hall.EUNAUTHORIZED, "signature_missing", "请求缺少签名", "the request is not signed")
	}
	sec, err := strconv.ParseInt(tsText, 10, 64)
	if err != nil {
		return hall.Errorf(hall.EUNAUTHORIZED, "signature_invalid", "签名时间戳格式错误", "malformed signature timestamp")
	}
	ts := time.Unix(sec, 0)
	if d := now.Sub(ts); d > MaxClockSkew || d < -MaxClockSkew {
		return hall.Errorf(hall.EUNAUTHORIZED, "signature_expired", "签名已过期，请检查双方时钟", "the signature is too old or from the future; check both clocks")
	}
	if len(secret) == 0 || !strings.HasPrefix(sig, "sha256=") || !hmac.Equal([]byte(sig), []byte(Sign(secret, ts, body))) {
		return hall.Errorf(hall.EUNAUTHORIZED, "signature_invalid", "签名不正确", "the signature does not match")
	}
	return nil
}
