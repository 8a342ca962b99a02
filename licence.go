package hall

import (
	"context"
	"strings"
	"time"
)

// LicenceState is where a licence (证照) made by the platform is on its way to its holder.
//
//	ready ──reserve──▶ printing ──hand over──▶ handed_over
//	  ▲                   │
//	  └──release (print failed, or the reservation timed out)
type LicenceState string

// Licence states.
const (
	LicenceReady      LicenceState = "ready"       // 待领取
	LicencePrinting   LicenceState = "printing"    // 打印中 (reserved by one kiosk)
	LicenceHandedOver LicenceState = "handed_over" // 已领取
)

// Licence event types. Append only.
const (
	EventLicenceReady      EventType = "licence.ready"
	EventLicenceReserved   EventType = "licence.reserved"
	EventLicenceReleased   EventType = "licence.released"
	EventLicenceHandedOver EventType = "licence.handed_over"
)

// LicenceReservation is how long a kiosk holds a licence while it prints; a kiosk that crashed
// mid-print lets it go after this long.
const LicenceReservation = 3 * time.Minute

// LicenceField is one printed line of a licence: 证照名称, 持证人, 有效期 ….
type LicenceField struct {
	Label string `json:"label"`
	Value string `json:"value"`
}

// Licence is a certificate the platform produced for a person, collected at the kiosk
// (自助打证). The holder is stored as a masked name, masked ID and keyed hash; the full ID number
// is never kept. VerifyCode is the unguessable code of the QR on the print.
type Licence struct {
	ID       string         `json:"id"`
	CaseID   string         `json:"caseId,omitempty"`
	Title    string         `json:"title"`
	Holder   Person         `json:"holder"`
	Issuer   string         `json:"issuer,omitempty"`
	IssuedAt time.Time      `json:"issuedAt,omitzero"`
	Fields   []LicenceField `json:"fields,omitempty"`
	// PDFSize is the size of the platform's own PDF, 0 when the hall makes the print from Fields.
	PDFSize    int          `json:"pdfSize,omitempty"`
	Digest     string       `json:"digest"` // SHA-256 of what the platform sent, to recognise a re-post
	State      LicenceState `json:"state"`
	ReadyAt    time.Time    `json:"readyAt"`
	VerifyCode string       `json:"verifyCode,omitempty"`
	// ReservedBy and ReservedUntil name the kiosk printing it.
	ReservedBy    string    `json:"reservedBy,omitempty"`
	ReservedUntil time.Time `json:"reservedUntil,omitzero"`
	HandedOverAt  time.Time `json:"handedOverAt,omitzero"`
	HandedOverBy  string    `json:"handedOverBy,omitempty"`
	Prints        int       `json:"prints,omitempty"`
}

// Public returns the copy for events and lists: no ID hash, no verification code.
func (l Licence) Public() Licence {
	l.Holder = Person{Name: MaskName(l.Holder.Name), MaskedID: l.Holder.MaskedID}
	l.VerifyCode = ""
	l.Fields = append([]LicenceField(nil), l.Fields...)
	return l
}

// LicenceEvent builds an event about licence l (made public).
func LicenceEvent(typ EventType, l Licence, at time.Time, deviceID string) Event {
	pub := l.Public()
	return Event{Type: typ, At: at, Licence: &pub, Note: deviceID}
}

// LicenceNotice is what the platform posts when a licence is ready: the licence id, the
// holder's name and full ID number, a title, and either the PDF (base64 in JSON) or the fields
// the hall prints.
type LicenceNotice struct {
	LicenceID string         `json:"licenceId"`
	CaseID    string         `json:"caseId,omitempty"`
	Title     string         `json:"title"`
	Name      string         `json:"name"`
	IDNumber  string         `json:"idNumber"`
	Issuer    string         `json:"issuer,omitempty"`
	IssuedAt  time.Time      `json:"issuedAt,omitzero"`
	Fields    []LicenceField `json:"fields,omitempty"`
	PDF       []byte         `json:"pdf,omitempty"`
}

// MaxLicencePDF bounds the platform's PDF.
const MaxLicencePDF = 4 << 20

// ValidateLicenceNotice checks a notice: an id, a title, a name, a valid ID number, fields or a
// PDF (not both empty), sane sizes. It never repeats the ID number.
func ValidateLicenceNotice(n LicenceNotice, now time.Time, loc *time.Location) (IDNumber, error) {
	if len(n.LicenceID) < 1 || len(n.LicenceID) > 64 || strings.IndexFunc(n.LicenceID, func(r rune) bool {
		return !(r < 0x80 && (r == '-' || r == '_' || r == '.' || r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z'))
	}) >= 0 {
		return IDNumber{}, Errorf(EINVALID, "licence_id", "证照编号应为 1 到 64 个字母、数字、-、_ 或 .", "a licence id is 1 to 64 letters, digits, '-', '_' or '.'")
	}
	if t := strings.TrimSpace(n.Title); t == "" || len([]rune(t)) > 100 {
		return IDNumber{}, Errorf(EINVALID, "licence_title", "证照名称不能为空，最多 100 字", "a licence needs a title of at most 100 characters")
	}
	if nm := strings.TrimSpace(n.Name); nm == "" || len([]rune(nm)) > 50 {
		return IDNumber{}, Errorf(EINVALID, "licence_name", "持证人姓名不能为空，最多 50 字", "the holder's name is needed, at most 50 characters")
	}
	if len(n.Fields) == 0 && len(n.PDF) == 0 {
		return IDNumber{}, Errorf(EINVALID, "licence_content", "证照须包含 PDF 或打印字段", "a licence needs a PDF or fields to print")
	}
	if len(n.Fields) > 40 {
		return IDNumber{}, Errorf(EINVALID, "licence_fields", "证照字段最多 40 项", "at most 40 licence fields")
	}
	for _, f := range n.Fields {
		if strings.TrimSpace(f.Label) == "" || len([]rune(f.Label)) > 40 || len([]rune(f.Value)) > 400 {
			return IDNumber{}, Errorf(EINVALID, "licence_fields", "证照字段名不能为空（最多 40 字），值最多 400 字", "a field needs a label (40 characters at most) and a value of 400 at most")
		}
	}
	if len(n.PDF) > MaxLicencePDF {
		return IDNumber{}, Errorf(EINVALID, "licence_pdf_size", "证照 PDF 过大", "the licence PDF is too large")
	}
	if len(n.PDF) > 0 && !strings.HasPrefix(string(n.PDF), "%PDF-") {
		return IDNumber{}, Errorf(EINVALID, "licence_pdf", "证照文件不是 PDF", "the licence file is not a PDF")
	}
	return ParseIDNumber(n.IDNumber, now, loc)
}

// Licences keeps the licences the platform produced and their handover. Every change is one
// durable step with its event; a licence is handed over exactly once.
type Licences interface {
	// LicenceReady stores a notice from the platform. A re-post of the same licence with the same
	// content changes nothing and returns it with created false; different content for a known
	// id is ECONFLICT. EINVALID for a bad notice. When CaseID names a case of this hall, the case
	// moves to licence_ready.
	LicenceReady(ctx context.Context, n LicenceNotice) (l Licence, created bool, err error)
	// LicencesFor lists the licences of the person with idNumber, newest first, in every state
	// (so a second swipe shows 已领取). EINVALID for a bad ID number.
	LicencesFor(ctx context.Context, idNumber string) ([]Licence, error)
	// ReserveLicence lets deviceID print licenceID for the person with idNumber, for
	// LicenceReservation, and returns the licence (with its verification code) and the
	// platform's PDF (nil when the print is made from fields). ENOTFOUND for an unknown licence
	// or one of another person; ECONFLICT/"licence_handed_over" when collected (已领取) and
	// ECONFLICT/"licence_printing" while another kiosk prints it.
	ReserveLicence(ctx context.Context, licenceID, idNumber, deviceID string) (Licence, []byte, error)
	// HandOverLicence records that deviceID printed its reserved licence: it is handed over,
	// once. ECONFLICT when the device holds no reservation of it.
	HandOverLicence(ctx context.Context, licenceID, deviceID string) (Licence, error)
	// ReleaseLicence gives a reservation back after a failed print. ECONFLICT when the device
	// holds no reservation of it.
	ReleaseLicence(ctx context.Context, licenceID, deviceID, reason string) (Licence, error)
	// LicenceByVerifyCode finds the licence a print's QR code names (public copy). ENOTFOUND.
	LicenceByVerifyCode(ctx context.Context, code string) (Licence, error)
}

// OutboxStatus is what an outbox to the platform (or the SMS gateway) reports: how far it got,
// how much is waiting, and how it last failed. Shown in the admin console and on /metrics.
type OutboxStatus struct {
	Name    string `json:"name"`
	Running bool   `json:"running"`
	// Cursor is the last event seq handled; LastSeq the newest in the log.
	Cursor  uint64 `json:"cursor"`
	LastSeq uint64 `json:"lastSeq"`
	// Backlog counts events waiting for delivery.
	Backlog          int       `json:"backlog"`
	BacklogCapped    bool      `json:"backlogCapped,omitempty"`
	Delivered        uint64    `json:"delivered"`
	LastDeliveredSeq uint64    `json:"lastDeliveredSeq,omitempty"`
	Failures         uint64    `json:"failures"`
	Failing          bool      `json:"failing"`
	Attempts         int       `json:"attempts,omitempty"`
	LastError        string    `json:"lastError,omitempty"`
	LastErrorAt      time.Time `json:"lastErrorAt,omitzero"`
	LastSuccessAt    time.Time `json:"lastSuccessAt,omitzero"`
	NextAttemptAt    time.Time `json:"nextAttemptAt,omitzero"`
}
