package backend

import (
	"fmt"
	"time"

	"hall"
)

// SchemaVersion names the outbound JSON layout (SCHEMA.md). It changes only when a field
// changes meaning; new optional fields keep it.
const SchemaVersion = "hall.sync/v1"

// Batch is the body of one outbound POST: deliveries in log order. The receiver applies them in
// order and skips any whose idempotency key it has already applied.
type Batch struct {
	Schema     string     `json:"schema"`
	HallID     string     `json:"hallId"`
	SentAt     time.Time  `json:"sentAt"`
	Deliveries []Delivery `json:"deliveries"`
}

// Delivery is one event for the platform.
type Delivery struct {
	// IdempotencyKey is "<hallId>-<seq>": the same event always has the same key.
	IdempotencyKey string         `json:"idempotencyKey"`
	Seq            uint64         `json:"seq"`
	Type           hall.EventType `json:"type"`
	At             time.Time      `json:"at"`
	CaseID         string         `json:"caseId,omitempty"`
	// Case is the case as of this event; its applicant carries the full ID number (idNumber),
	// which the platform needs and the hall keeps sealed.
	Case *hall.Case `json:"case,omitempty"`
	// Rating is set on rating.recorded (好差评), linked to ticket, case, counter, clerk and service.
	Rating *hall.Rating `json:"rating,omitempty"`
	// Licence is set on licence.handed_over.
	Licence *hall.Licence `json:"licence,omitempty"`
	// Note carries the event's detail: a suspension reason, the kiosk that handed a licence over.
	Note string `json:"note,omitempty"`
}

// DeliveryKey is the idempotency key of event seq of hallID.
func DeliveryKey(hallID string, seq uint64) string {
	return fmt.Sprintf("%s-%012d", hallID, seq)
}
