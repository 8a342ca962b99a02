// Package sms sends the hall's text messages: "A012 号即将到号" to a visitor a few places from
// the front, "请 A012 号到 3 号窗口办理" when a ticket with a phone number is called, and
// "您的证照已办好" when the platform's licence for a case is ready.
//
// A Notifier turns events of the log into messages and is the Deliverer of a backend.Outbox
// named "sms", so messages follow the log in order, survive restarts and are retried with
// back-off when the gateway fails. Nothing is sent twice: every message has a key derived from
// what it is about (the event and the ticket), the store records each key once sent, and the
// key goes to the gateway as its idempotency key, which covers the one gap (a crash between the
// gateway's answer and the record).
//
// Gateway is the Sender for an HTTP SMS gateway (JSON POST with a bearer token); LogSender
// only logs (the demo hall). Phone numbers appear in logs masked.
//
// Concurrency: a Notifier is used by its outbox's one goroutine; Gateway and LogSender are safe
// for concurrent use.
package sms

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"hall"
)

// Message is one text to one phone. Key identifies it for de-duplication.
type Message struct {
	Key   string `json:"key"`
	Phone string `json:"phone"`
	Text  string `json:"text"`
}

// Sender hands a message to the SMS network. nil means the gateway accepted it.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// Gateway posts messages to an HTTP SMS gateway: POST URL with body {"key","phone","text"},
// "Authorization: Bearer <Token>" and "Idempotency-Key: <key>". Any 2xx is success.
type Gateway struct {
	URL    string
	Token  string
	Client *http.Client
}

// Send implements Sender.
func (g *Gateway) Send(ctx context.Context, m Message) error {
	body, _ := json.Marshal(m)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("sms: %w", err)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("Idempotency-Key", m.Key)
	if g.Token != "" {
		req.Header.Set("Authorization", "Bearer "+g.Token)
	}
	client := g.Client
	if client == nil {
		client = &http.Client{Timeout: 15 * time.Second}
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("sms: gateway: %w", err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 256))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("sms: the gateway answered %s: %s", resp.Status, bytes.TrimSpace(msg))
	}
	return nil
}

// LogSender logs messages instead of sending them (the demo hall), the phone masked.
type LogSender struct{ Logger *slog.Logger }

// Send implements Sender.
func (l LogSender) Send(ctx context.Context, m Message) error {
	l.Logger.Info("sms (demo: logged, not sent)", "phone", hall.MaskPhone(m.Phone), "text", m.Text)
	return nil
}

// Store is what the notifier reads and records (the bolt store implements it).
type Store interface {
	Ticket(ctx context.Context, ticketID string) (hall.Ticket, error)
	WaitingFor(ctx context.Context, counterID string, limit int) ([]hall.Ticket, error)
	Case(ctx context.Context, caseID string) (hall.Case, error)
	// SMSSent reports whether key was recorded; MarkSMSSent records it.
	SMSSent(ctx context.Context, key string) (bool, error)
	MarkSMSSent(ctx context.Context, key string) error
}

// Notifier makes and sends the messages of events.
type Notifier struct {
	Store  Store
	Sender Sender
	// HallName signs the messages (【市民服务中心】).
	HallName string
	// NearPlaces is how many tickets ahead counts as "close": the visitor with this many (minus
	// one) ahead of them at the counter that just called gets the 即将到号 message (default 3).
	NearPlaces int
	// MaxAge skips queue messages of events older than this when they are processed (after an
	// outage a late "please come" does more harm than good; default 5 min). Licence messages
	// are always sent.
	MaxAge time.Duration
	Now    func() time.Time
	Logger *slog.Logger
}

// Select picks the events that may make messages (for the outbox).
func Select(e hall.Event) bool {
	return e.Type == hall.EventTicketCalled || e.Type == hall.EventTicketRecalled || e.Type == hall.EventCaseLicenceReady
}

// Messages returns the messages event e makes, in sending order.
func (n *Notifier) Messages(ctx context.Context, e hall.Event) ([]Message, error) {
	now, maxAge, near := time.Now, n.MaxAge, n.NearPlaces
	if n.Now != nil {
		now = n.Now
	}
	if maxAge <= 0 {
		maxAge = 5 * time.Minute
	}
	if near <= 0 {
		near = 3
	}
	sign := "【" + n.HallName + "】"
	var out []Message
	switch e.Type {
	case hall.EventTicketCalled, hall.EventTicketRecalled:
		if e.Ticket == nil || e.Call == nil || now().Sub(e.At) > maxAge {
			return nil, nil
		}
		t, err := n.Store.Ticket(ctx, e.Ticket.ID)
		if err != nil {
			return nil, err
		}
		if t.Phone != "" {
			out = append(out, Message{Key: "called-" + t.ID + "-" + strconv.Itoa(e.Call.Attempt), Phone: t.Phone,
				Text: sign + "请 " + t.Code + " 号到 " + strconv.Itoa(e.Call.CounterNumber) + " 号窗口办理。"})
		}
		waiting, err := n.Store.WaitingFor(ctx, e.Call.CounterID, near)
		if err != nil && hall.ErrorCode(err) != hall.ENOTFOUND {
			return nil, err
		}
		if len(waiting) >= near {
			w, err := n.Store.Ticket(ctx, waiting[near-1].ID)
			if err != nil {
				return nil, err
			}
			if w.Phone != "" && w.State == hall.TicketWaiting {
				out = append(out, Message{Key: "near-" + w.ID, Phone: w.Phone,
					Text: fmt.Sprintf("%s您的 %s 号即将到号，前面还有 %d 人，请回到等候区留意叫号。", sign, w.Code, near-1)})
			}
		}
	case hall.EventCaseLicenceReady:
		if e.Case == nil {
			return nil, nil
		}
		c, err := n.Store.Case(ctx, e.Case.ID)
		if err != nil {
			return nil, err
		}
		if c.Applicant.Phone != "" {
			out = append(out, Message{Key: "licence-" + c.LicenceID, Phone: c.Applicant.Phone,
				Text: sign + "您的证照已办好（办件 " + c.ID + "），请携带身份证到大厅自助终端领取。"})
		}
	}
	return out, nil
}

// Deliver implements backend.Deliverer: it sends every message of events not sent before, in
// order, and records each. An error leaves the rest for the outbox's retry.
func (n *Notifier) Deliver(ctx context.Context, events []hall.Event) error {
	for _, e := range events {
		msgs, err := n.Messages(ctx, e)
		if err != nil {
			return err
		}
		for _, m := range msgs {
			sent, err := n.Store.SMSSent(ctx, m.Key)
			if err != nil {
				return err
			}
			if sent {
				continue
			}
			if err := n.Sender.Send(ctx, m); err != nil {
				return err
			}
			if err := n.Store.MarkSMSSent(ctx, m.Key); err != nil {
				return err
			}
			if n.Logger != nil {
				n.Logger.Info("sms sent", "key", m.Key, "phone", hall.MaskPhone(m.Phone))
			}
		}
	}
	return nil
}
