package httpapi

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"hall"
)

// statusOf is THE table between hall error codes and HTTP statuses. The server answers with
// StatusOf(code); the client reads the code from the body and falls back to CodeOf(status) when
// the body is not an ErrorBody (a proxy's error page, say).
var statusOf = map[string]int{
	hall.EINVALID:      http.StatusBadRequest,
	hall.ENOTFOUND:     http.StatusNotFound,
	hall.ECONFLICT:     http.StatusConflict,
	hall.EUNAUTHORIZED: http.StatusUnauthorized,
	hall.EFORBIDDEN:    http.StatusForbidden,
	hall.EUNAVAILABLE:  http.StatusServiceUnavailable,
	hall.ETOOMANY:      http.StatusTooManyRequests,
	hall.EINTERNAL:     http.StatusInternalServerError,
}

// reasonStatus refines the table for a few reasons whose HTTP status says more than the code's.
var reasonStatus = map[string]int{
	reasonBodyTooLarge:     http.StatusRequestEntityTooLarge,
	reasonMethodNotAllowed: http.StatusMethodNotAllowed,
}

// StatusOf returns the HTTP status of a hall error code and reason (500 for an unknown code).
func StatusOf(code, reason string) int {
	if s, ok := reasonStatus[reason]; ok {
		return s
	}
	if s, ok := statusOf[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// CodeOf returns the hall error code of an HTTP error status (EINTERNAL for an unknown one).
func CodeOf(status int) string {
	for code, s := range statusOf {
		if s == status {
			return code
		}
	}
	switch status {
	case http.StatusRequestEntityTooLarge, http.StatusMethodNotAllowed:
		return hall.EINVALID
	case http.StatusBadGateway, http.StatusGatewayTimeout:
		return hall.EUNAVAILABLE
	}
	return hall.EINTERNAL
}

// ErrorBody is every error response: a stable code and reason for programs and a message for
// people (Chinese, or English with Accept-Language: en).
type ErrorBody struct {
	Code    string `json:"code"`
	Reason  string `json:"reason,omitempty"`
	Message string `json:"message"`
}

// Reasons the API itself gives (the domain's reasons pass through unchanged).
const (
	reasonBodyMalformed    = "body_malformed"
	reasonBodyUnknownField = "body_unknown_field"
	reasonBodyWrongType    = "body_wrong_type"
	reasonBodyTooLarge     = "body_too_large"
	reasonBodyEmpty        = "body_empty"
	reasonMethodNotAllowed = "method_not_allowed"
	reasonNoRoute          = "no_route"
	reasonLoginRequired    = "login_required"
	reasonRoleForbidden    = "role_forbidden"
	reasonNotYourCounter   = "not_your_counter"
	reasonRateLimited      = "rate_limited"
	reasonBadCredentials   = "bad_credentials"
	reasonIdempotencyKey   = "idempotency_key"
)

// english reports whether the caller asked for English (Accept-Language: en…).
func english(r *http.Request) bool {
	al := strings.ToLower(strings.TrimSpace(r.Header.Get("Accept-Language")))
	return strings.HasPrefix(al, "en")
}

// writeError answers with err's code, reason and translated message. Errors that are not
// *hall.Error are internal: they are logged with the request and shown only generically.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := hall.ErrorCode(err)
	var he *hall.Error
	if !errors.As(err, &he) {
		s.log.Error("httpapi: internal error", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	body := ErrorBody{Code: code, Reason: hall.ErrorReason(err), Message: hall.ErrorMessage(err, english(r))}
	writeJSON(w, StatusOf(body.Code, body.Reason), body)
}

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"code":"internal","message":"系统内部错误，请重试或联系大厅工作人员。"}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// MaxBody is the largest request body the API reads.
const MaxBody = 64 << 10

// decode reads exactly one JSON value of the request body into v: unknown fields, wrong types,
// trailing data, an empty body and a body over MaxBody are EINVALID errors naming the problem.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	body := http.MaxBytesReader(w, r.Body, MaxBody)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return bodyError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		if err != nil {
			return bodyError(err)
		}
		return hall.Errorf(hall.EINVALID, reasonBodyMalformed, "请求内容格式错误：多余的数据", "malformed request body: trailing data")
	}
	return nil
}

// bodyError turns a JSON decoding error into an EINVALID error.
func bodyError(err error) error {
	var he *hall.Error
	var tooLarge *http.MaxBytesError
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &he):
		return he
	case errors.As(err, &tooLarge):
		return hall.Errorf(hall.EINVALID, reasonBodyTooLarge, "请求内容过大（最多 %d 字节）", "the request body is too large (%d bytes at most)", MaxBody)
	case errors.Is(err, io.EOF):
		return hall.Errorf(hall.EINVALID, reasonBodyEmpty, "请求内容为空", "the request body is empty")
	case errors.As(err, &typeErr):
		return hall.Errorf(hall.EINVALID, reasonBodyWrongType, "字段 %q 的类型不正确", "field %q has the wrong type", typeErr.Field)
	case errors.As(err, &syntaxErr), errors.Is(err, io.ErrUnexpectedEOF):
		return hall.Errorf(hall.EINVALID, reasonBodyMalformed, "请求内容不是有效的 JSON", "the request body is not valid JSON")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.TrimPrefix(err.Error(), "json: unknown field ")
		return hall.Errorf(hall.EINVALID, reasonBodyUnknownField, "未知字段 %s", "unknown field %s", field)
	}
	return hall.Errorf(hall.EINVALID, reasonBodyMalformed, "请求内容格式错误", "malformed request body")
}
