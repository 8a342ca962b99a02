package backend

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"hall"
)

// Paths of the reference receiver's HTTP interface (NewReceiverMux).
const (
	ReceiverSyncPath     = "/sync"       // POST: batches from the hall
	ReceiverListPath     = "/deliveries" // GET: what was applied, as JSON
	ReceiverModePath     = "/mode"       // POST ?mode=ok|fail|timeout|slow&delay=2s
	ReceiverLicencePath  = "/licence"    // POST {"caseId": …, "title": …, "fields": […]}: send "licence ready" to the hall
	receiverStatsPayload = "stats"
)

// ReceiverMux serves a Receiver for demos and tests: the sync endpoint, a view of what
// arrived, a switch of its mode, and a button that makes the licence of a received case and
// posts it to the hall (HallURL) signed with the receiver's secret.
type ReceiverMux struct {
	R       *Receiver
	HallURL string
	Client  *http.Client
}

// LicenceOrder asks the reference receiver to issue a licence for a case it received.
type LicenceOrder struct {
	CaseID string              `json:"caseId"`
	Title  string              `json:"title,omitempty"`
	Fields []hall.LicenceField `json:"fields,omitempty"`
}

// ServeHTTP implements http.Handler.
func (m *ReceiverMux) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == ReceiverSyncPath && r.Method == http.MethodPost:
		m.R.ServeHTTP(w, r)
	case r.URL.Path == ReceiverListPath && r.Method == http.MethodGet:
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		enc := json.NewEncoder(w)
		enc.SetIndent("", " ")
		enc.Encode(map[string]any{receiverStatsPayload: m.R.Stats(), "deliveries": m.R.Applied()})
	case r.URL.Path == ReceiverModePath && r.Method == http.MethodPost:
		mode := ReceiverMode(r.URL.Query().Get("mode"))
		delay, _ := time.ParseDuration(r.URL.Query().Get("delay"))
		switch mode {
		case ModeOK, ModeFail, ModeTimeout, ModeSlow:
			m.R.SetMode(mode, delay)
			fmt.Fprintf(w, "mode %s %v\n", mode, delay)
		default:
			http.Error(w, "mode is ok, fail, timeout or slow", http.StatusBadRequest)
		}
	case r.URL.Path == ReceiverLicencePath && r.Method == http.MethodPost:
		var o LicenceOrder
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&o); err != nil {
			http.Error(w, "body: "+err.Error(), http.StatusBadRequest)
			return
		}
		status, body, err := m.issueLicence(r.Context(), o)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		w.Write(body)
	default:
		http.NotFound(w, r)
	}
}

// issueLicence makes the licence of a case the receiver applied (the newest copy of the case
// gives the applicant) and posts it to the hall.
func (m *ReceiverMux) issueLicence(ctx context.Context, o LicenceOrder) (int, []byte, error) {
	var kase *hall.Case
	for _, d := range m.R.Applied() {
		if d.Case != nil && d.CaseID == o.CaseID {
			kase = d.Case
		}
	}
	if kase == nil {
		return 0, nil, fmt.Errorf("no case %q was received", o.CaseID)
	}
	if kase.Applicant.IDNumber == "" {
		return 0, nil, fmt.Errorf("case %q came without the applicant's ID number", o.CaseID)
	}
	n := hall.LicenceNotice{
		LicenceID: "LIC-" + strings.ReplaceAll(kase.ID, "-", ""), CaseID: kase.ID, Title: o.Title, Name: kase.Applicant.Name,
		IDNumber: kase.Applicant.IDNumber, Issuer: "市政务服务管理局（演示平台）", IssuedAt: time.Now().UTC().Truncate(time.Second), Fields: o.Fields,
	}
	if n.Title == "" {
		n.Title = "办结通知书"
	}
	if len(n.Fields) == 0 {
		n.Fields = []hall.LicenceField{{Label: "办件编号", Value: kase.ID}, {Label: "事项", Value: kase.ServiceID}, {Label: "受理时间", Value: kase.OpenedAt.Format("2006-01-02 15:04")}}
	}
	return PostLicenceNotice(ctx, m.Client, m.HallURL, m.R.Secret, n)
}

// PostLicenceNotice posts a signed notice to the hall at hallURL and returns the status and body.
func PostLicenceNotice(ctx context.Context, client *http.Client, hallURL string, secret []byte, n hall.LicenceNotice) (int, []byte, error) {
	body, err := json.Marshal(n)
	if err != nil {
		return 0, nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(hallURL, "/")+InboundPath, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	SignRequest(req, secret, time.Now(), body)
	if client == nil {
		client = defaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, b, nil
}
