package backend

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"hall"
)

// SelectPlatform picks what the platform receives: every case event, ratings, and licence
// handovers.
func SelectPlatform(e hall.Event) bool {
	return strings.HasPrefix(string(e.Type), "case.") || e.Type == hall.EventRatingRecorded || e.Type == hall.EventLicenceHandedOver
}

// ApplicantIDs unseals a case applicant's full ID number (the store implements it).
type ApplicantIDs interface {
	CaseApplicantID(ctx context.Context, caseID string) (string, error)
}

// Platform delivers batches to the platform's HTTP endpoint, signed with the shared secret.
type Platform struct {
	// URL is the endpoint that receives POSTed batches.
	URL    string
	Secret []byte
	HallID string
	// IDs fills in the applicant's full ID number of case deliveries.
	IDs ApplicantIDs
	// Client is the HTTP client (default: one with a 30 s timeout).
	Client *http.Client
	// Now is the signing clock (default time.Now).
	Now func() time.Time
}

// Deliver POSTs events as one Batch. Any answer but 2xx, and any network error or timeout, is
// an error; 429 and 503 with Retry-After become a RetryAfterError.
func (p *Platform) Deliver(ctx context.Context, events []hall.Event) error {
	now := time.Now
	if p.Now != nil {
		now = p.Now
	}
	b := Batch{Schema: SchemaVersion, HallID: p.HallID, SentAt: now().UTC()}
	for _, e := range events {
		d, err := p.delivery(ctx, e)
		if err != nil {
			return err
		}
		b.Deliveries = append(b.Deliveries, d)
	}
	body, err := json.Marshal(b)
	if err != nil {
		return fmt.Errorf("backend: encode batch: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("backend: %w", err)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set(HeaderHallID, p.HallID)
	SignRequest(req, p.Secret, now(), body)
	client := p.Client
	if client == nil {
		client = defaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("backend: post: %w", err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode/100 == 2 {
		return nil
	}
	err = fmt.Errorf("backend: the platform answered %s: %s", resp.Status, bytes.TrimSpace(msg))
	if s, _ := strconv.Atoi(resp.Header.Get("Retry-After")); s > 0 && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		return &RetryAfterError{Err: err, After: time.Duration(s) * time.Second}
	}
	return err
}

var defaultClient = &http.Client{Timeout: 30 * time.Second}

// delivery turns an event into its Delivery, with the applicant's full ID number for cases.
func (p *Platform) delivery(ctx context.Context, e hall.Event) (Delivery, error) {
	d := Delivery{IdempotencyKey: DeliveryKey(p.HallID, e.Seq), Seq: e.Seq, Type: e.Type, At: e.At, Note: e.Note, Licence: e.Licence}
	if e.Case != nil {
		c := *e.Case
		d.CaseID = c.ID
		if p.IDs != nil {
			id, err := p.IDs.CaseApplicantID(ctx, c.ID)
			if err != nil {
				return d, fmt.Errorf("backend: unseal the applicant of case %s: %w", c.ID, err)
			}
			c.Applicant.IDNumber = id
		}
		d.Case = &c
	}
	if e.Rating != nil {
		r := *e.Rating
		d.Rating, d.CaseID = &r, r.CaseID
	}
	if e.Licence != nil && d.CaseID == "" {
		d.CaseID = e.Licence.CaseID
	}
	return d, nil
}
