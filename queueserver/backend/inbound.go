package backend

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"hall"
	"hall/queueserver/httpapi"
)

// InboundPath is where the platform posts licence notices.
const InboundPath = "/api/v1/backend/licences"

// MaxInboundBody bounds a notice: a 4 MiB PDF in base64 and its fields.
const MaxInboundBody = hall.MaxLicencePDF/3*4 + 64<<10

// LicenceReply answers an accepted notice: 201 when new, 200 for a re-post of a known licence.
type LicenceReply struct {
	LicenceID string            `json:"licenceId"`
	State     hall.LicenceState `json:"state"`
	Created   bool              `json:"created"`
}

// Inbound is the platform's way in: POST InboundPath with a signed hall.LicenceNotice. A
// missing, stale or wrong signature is EUNAUTHORIZED; a malformed or invalid body EINVALID; a
// known licence id with other content ECONFLICT. Refused requests change nothing.
type Inbound struct {
	Licences hall.Licences
	Secret   []byte
	Logger   *slog.Logger
	// Now is the clock of signature checks (default time.Now).
	Now func() time.Time
}

// ServeHTTP implements http.Handler.
func (in *Inbound) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := in.serve(w, r); err != nil {
		in.writeError(w, r, err)
	}
}

func (in *Inbound) serve(w http.ResponseWriter, r *http.Request) error {
	if r.Method != http.MethodPost {
		return &hall.Error{Code: hall.EINVALID, Reason: "method_not_allowed", Message: "只支持 POST", English: "only POST is allowed"}
	}
	now := time.Now
	if in.Now != nil {
		now = in.Now
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxInboundBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return hall.Errorf(hall.EINVALID, "body_too_large", "请求内容过大", "the request body is too large")
		}
		return hall.Errorf(hall.EINVALID, "body_malformed", "请求内容读取失败", "the request body could not be read")
	}
	if err := Verify(in.Secret, r.Header, body, now()); err != nil {
		return err
	}
	var n hall.LicenceNotice
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&n); err != nil {
		return hall.Errorf(hall.EINVALID, "body_malformed", "请求内容不是有效的证照通知 JSON", "the body is not a valid licence notice")
	}
	if dec.More() {
		return hall.Errorf(hall.EINVALID, "body_malformed", "请求内容格式错误：多余的数据", "malformed request body: trailing data")
	}
	l, created, err := in.Licences.LicenceReady(r.Context(), n)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(LicenceReply{LicenceID: l.ID, State: l.State, Created: created})
	return nil
}

func (in *Inbound) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var he *hall.Error
	if !errors.As(err, &he) && in.Logger != nil {
		in.Logger.Error("backend: inbound licence notice", "err", err)
	}
	en := strings.HasPrefix(strings.ToLower(r.Header.Get("Accept-Language")), "en")
	body := httpapi.ErrorBody{Code: hall.ErrorCode(err), Reason: hall.ErrorReason(err), Message: hall.ErrorMessage(err, en)}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(httpapi.StatusOf(body.Code, body.Reason))
	json.NewEncoder(w).Encode(body)
}
