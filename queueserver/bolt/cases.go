package bolt

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"strings"
	"time"

	bbolt "go.etcd.io/bbolt"

	"hall"
)

var _ hall.Cases = (*Store)(nil)

// Buckets added by schema version 3 (see migrations in schema.go).
var (
	bucketCases    = []byte("cases")    // case id ("20261122-00000007", sorts by day) → caseRecord
	bucketCaseOpen = []byte("caseopen") // open case id → nothing: the cases the supervision loop watches
	bucketCursors  = []byte("cursors")  // outbox consumer name → last handled event seq (8, BE)
	bucketCaseTkt  = []byte("casetkt")  // ticket id 0x00 case id → nothing: the cases opened from a ticket
)

// caseRecord is a case as stored: the full ID number is never in the JSON in the clear, only
// sealed with AES-256-GCM under the configured key, with the case id as additional data.
type caseRecord struct {
	hall.Case
	SealedID string `json:"sealedId,omitempty"`
}

// newSealer makes the AEAD that seals ID numbers from a 32-byte key (nil key: no sealer).
func newSealer(key []byte) (cipher.AEAD, error) {
	if key == nil {
		return nil, nil
	}
	if len(key) != 32 {
		return nil, internal("ID key", errBadKeyLength)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, internal("ID key", err)
	}
	return cipher.NewGCM(block)
}

var errBadKeyLength = hall.Errorf(hall.EINVALID, "id_key_length", "身份证号加密密钥应为 32 字节", "the ID number key must be 32 bytes")

var errNoSealKey = hall.Errorf(hall.EUNAVAILABLE, "id_key_missing", "服务器未配置身份证号加密密钥，不能保存完整证件号", "no ID number key is configured; full ID numbers cannot be stored")

// seal encrypts plain bound to caseID: base64(nonce || ciphertext).
func (s *Store) seal(caseID, plain string) (string, error) {
	if s.sealer == nil {
		return "", errNoSealKey
	}
	nonce := make([]byte, s.sealer.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", internal("seal nonce", err)
	}
	return base64.StdEncoding.EncodeToString(s.sealer.Seal(nonce, nonce, []byte(plain), []byte(caseID))), nil
}

// unseal decrypts what seal made for caseID.
func (s *Store) unseal(caseID, sealed string) (string, error) {
	if s.sealer == nil {
		return "", errNoSealKey
	}
	b, err := base64.StdEncoding.DecodeString(sealed)
	if err != nil || len(b) < s.sealer.NonceSize() {
		return "", internal("unseal", errBadSealed)
	}
	n := s.sealer.NonceSize()
	plain, err := s.sealer.Open(nil, b[:n], b[n:], []byte(caseID))
	if err != nil {
		return "", internal("unseal (wrong key?)", err)
	}
	return string(plain), nil
}

var errBadSealed = hall.Errorf(hall.EINTERNAL, "sealed_id", "证件号密文损坏", "the sealed ID number is damaged")

func (w *wtx) loadCase(id string) (*caseRecord, error) {
	return load[caseRecord](w, bucketCases, id, "case_not_found", "办件", "case")
}

func (w *wtx) saveCase(c *caseRecord) error {
	c.Applicant.IDNumber = "" // never in the clear
	if err := w.put(bucketCases, []byte(c.ID), c); err != nil {
		return err
	}
	if c.State.Open() {
		return w.putRaw(bucketCaseOpen, []byte(c.ID), nil)
	}
	return w.del(bucketCaseOpen, []byte(c.ID))
}

// activeCounter loads a counter with a clerk logged in.
func (w *wtx) activeCounter(id string) (*hall.Counter, error) {
	c, err := w.loadCounter(id)
	if err != nil {
		return nil, err
	}
	if c.State == hall.CounterLoggedOut || c.StaffID == "" {
		return nil, hall.Errorf(hall.ECONFLICT, "counter_logged_out", "窗口 %s 未登录", "counter %s has nobody logged in", c.ID)
	}
	return c, nil
}

// OpenCase opens a case from the ticket at the counter (see hall.Cases).
func (s *Store) OpenCase(ctx context.Context, r hall.OpenCaseRequest) (hall.Case, error) {
	if err := hall.CheckCaseText("事项说明", r.Matter); err != nil {
		return hall.Case{}, err
	}
	var out hall.Case
	err := s.updateOut(withOp(ctx, "open-case"), &out, func(w *wtx) error {
		c, err := w.activeCounter(r.CounterID)
		if err != nil {
			return err
		}
		t, err := w.caseTicket(r)
		if err != nil {
			return err
		}
		if t.CounterID != c.ID || !(t.State == hall.TicketCalled || t.State == hall.TicketServing || t.State == hall.TicketHeld || t.State == hall.TicketDone) {
			return hall.Errorf(hall.ECONFLICT, "ticket_not_at_counter", "号码 %s 不在本窗口办理，不能受理", "ticket %s is not being served at this counter", t.Code)
		}
		app, id, err := s.applicant(w, r, t)
		if err != nil {
			return err
		}
		svc, err := w.loadService(t.ServiceID)
		if err != nil {
			return err
		}
		n, err := w.bucket(bucketCases).NextSequence()
		w.wrote = true
		if err != nil {
			return internal("case sequence", err)
		}
		rec := &caseRecord{Case: hall.Case{
			ID: dayID(w.today(), n), Day: w.today(), TicketID: t.ID, TicketCode: t.Code, ServiceID: t.ServiceID, AreaID: t.AreaID,
			CounterID: c.ID, StaffID: c.StaffID, Applicant: app, Matter: strings.TrimSpace(r.Matter), State: hall.CaseAccepted,
			OpenedAt: w.now, LimitDays: svc.TimeLimitDays, DueAt: hall.CaseDue(w.now, svc.TimeLimitDays, w.loc()),
		}}
		rec.Nodes = []hall.CaseNode{{At: w.now, Node: hall.EventCaseOpened, State: hall.CaseAccepted, CounterID: c.ID, StaffID: c.StaffID}}
		if id != "" {
			if rec.SealedID, err = s.seal(rec.ID, id); err != nil {
				return err
			}
		}
		if err := w.saveCase(rec); err != nil {
			return err
		}
		if err := w.putRaw(bucketCaseTkt, joinKey(t.ID, rec.ID), nil); err != nil {
			return err
		}
		out = rec.Public()
		return w.emit(hall.CaseEvent(hall.EventCaseOpened, rec.Case, w.now, ""))
	})
	return out, err
}

// caseTicket finds the ticket a case is opened from: by its scanned barcode, its id, or today's
// code (typed).
func (w *wtx) caseTicket(r hall.OpenCaseRequest) (*hall.Ticket, error) {
	switch {
	case r.TicketBarcode != "":
		id, err := hall.ParseTicketBarcode(r.TicketBarcode)
		if err != nil {
			return nil, err
		}
		return w.loadTicket(id)
	case r.TicketID != "":
		return w.loadTicket(r.TicketID)
	case r.TicketCode != "":
		id := w.bucket(bucketCodes).Get(joinKey(string(w.today()), strings.ToUpper(strings.TrimSpace(r.TicketCode))))
		if id == nil {
			return nil, notFound("ticket_not_found", "号码", "ticket", r.TicketCode)
		}
		return w.loadTicket(string(id))
	}
	return nil, hall.Errorf(hall.EINVALID, "ticket_missing", "请扫描或输入取号凭条上的号码", "scan or type the ticket's number")
}

// applicant builds the case's applicant from the request or, without an ID number, from the
// ticket's person. It returns the full ID number to seal ("" when there is none).
func (s *Store) applicant(w *wtx, r hall.OpenCaseRequest, t *hall.Ticket) (hall.Applicant, string, error) {
	phone := t.Phone
	if r.Phone != "" {
		p, err := hall.ValidatePhone(r.Phone)
		if err != nil {
			return hall.Applicant{}, "", err
		}
		phone = p
	}
	name := strings.TrimSpace(r.Name)
	if n := []rune(name); len(n) > 50 || strings.IndexFunc(name, func(c rune) bool { return c < 0x20 || c == 0x7f }) >= 0 {
		return hall.Applicant{}, "", hall.Errorf(hall.EINVALID, "applicant_name", "申请人姓名最多 50 个字", "the applicant's name has at most 50 characters")
	}
	if r.IDNumber == "" {
		if r.Source == hall.ApplicantIDCard {
			return hall.Applicant{}, "", hall.Errorf(hall.EINVALID, "applicant_id", "读卡结果缺少身份证号码", "the card read has no ID number")
		}
		if t.Person == nil && name == "" {
			return hall.Applicant{}, "", hall.Errorf(hall.EINVALID, "applicant_missing", "请刷身份证或输入申请人姓名和证件号", "swipe the ID card or type the applicant's name and ID number")
		}
		a := hall.Applicant{Name: name, Phone: phone, Source: hall.ApplicantTicket}
		if t.Person != nil {
			a.MaskedID, a.IDHash = t.Person.MaskedID, t.Person.IDHash
			if a.Name == "" {
				a.Name = t.Person.Name
			}
		}
		if a.Name == "" {
			return hall.Applicant{}, "", hall.Errorf(hall.EINVALID, "applicant_name", "请输入申请人姓名", "type the applicant's name")
		}
		return a, "", nil
	}
	id, err := hall.ParseIDNumber(r.IDNumber, w.now, w.loc())
	if err != nil {
		return hall.Applicant{}, "", err
	}
	if name == "" {
		return hall.Applicant{}, "", hall.Errorf(hall.EINVALID, "applicant_name", "请输入申请人姓名", "type the applicant's name")
	}
	src := r.Source
	if src == "" {
		src = hall.ApplicantTyped
	}
	if src != hall.ApplicantIDCard && src != hall.ApplicantTyped {
		return hall.Applicant{}, "", hall.Errorf(hall.EINVALID, "applicant_source", "未知的申请人来源：%q", "unknown applicant source: %q", string(src))
	}
	return hall.Applicant{Name: name, MaskedID: id.Masked(), IDHash: s.idHash(id.Number), Phone: phone, Source: src}, id.Number, nil
}

// StepCase moves a case by one node at a counter (see hall.Cases).
func (s *Store) StepCase(ctx context.Context, caseID string, step hall.CaseStep, counterID, note string) (hall.Case, error) {
	var out hall.Case
	err := s.updateOut(withOp(ctx, "case-"+string(step)), &out, func(w *wtx) error {
		c, err := w.activeCounter(counterID)
		if err != nil {
			return err
		}
		rec, err := w.loadCase(caseID)
		if err != nil {
			return err
		}
		typ, err := rec.Apply(step, w.now, c.ID, c.StaffID, note)
		if err != nil {
			return err
		}
		if err := w.saveCase(rec); err != nil {
			return err
		}
		out = rec.Public()
		e := hall.CaseEvent(typ, rec.Case, w.now, rec.Nodes[len(rec.Nodes)-1].Note)
		e.CounterID, e.StaffID = c.ID, c.StaffID
		return w.emit(e)
	})
	return out, err
}

// Case returns a case without its full ID number. ENOTFOUND.
func (s *Store) Case(ctx context.Context, caseID string) (hall.Case, error) {
	rec, err := s.caseRecord(caseID)
	return rec.Case, err
}

// caseRecord reads a stored case. ENOTFOUND.
func (s *Store) caseRecord(caseID string) (caseRecord, error) {
	var rec caseRecord
	err := s.view(func(tx *bbolt.Tx) error {
		ok, err := getJSON(tx.Bucket(bucketCases), []byte(caseID), &rec)
		if err != nil {
			return err
		}
		if !ok {
			return notFound("case_not_found", "办件", "case", caseID)
		}
		return nil
	})
	return rec, err
}

// CasesOfDay lists the cases opened on day, oldest first, without full ID numbers.
func (s *Store) CasesOfDay(ctx context.Context, day hall.Day) ([]hall.Case, error) {
	if _, err := day.Start(time.UTC); err != nil {
		return nil, err
	}
	prefix := []byte(strings.ReplaceAll(string(day), "-", "") + "-")
	var out []hall.Case
	err := s.view(func(tx *bbolt.Tx) error {
		cur := tx.Bucket(bucketCases).Cursor()
		for k, v := cur.Seek(prefix); k != nil && hasPrefix(k, prefix); k, v = cur.Next() {
			var rec caseRecord
			if err := json.Unmarshal(v, &rec); err != nil {
				return internal("decode case", err)
			}
			out = append(out, rec.Case)
		}
		return nil
	})
	return out, err
}

// CaseApplicantID unseals the applicant's full ID number ("" if the case has none). ENOTFOUND.
func (s *Store) CaseApplicantID(ctx context.Context, caseID string) (string, error) {
	rec, err := s.caseRecord(caseID)
	if err != nil || rec.SealedID == "" {
		return "", err
	}
	return s.unseal(caseID, rec.SealedID)
}

// SuperviseCases sends case.warning and case.overdue once per open case (电子监察).
func (s *Store) SuperviseCases(ctx context.Context) (int, error) {
	sent := 0
	err := s.update(ctx, func(w *wtx) error {
		sent = 0
		var ids []string
		w.bucket(bucketCaseOpen).ForEach(func(k, _ []byte) error {
			ids = append(ids, string(k))
			return nil
		})
		for _, id := range ids {
			rec, err := w.loadCase(id)
			if err != nil {
				return err
			}
			var typ hall.EventType
			switch sup := rec.Supervision(w.now); {
			case sup == hall.SupervisionOverdue && !rec.Overdue:
				rec.Overdue, rec.Warned, typ = true, true, hall.EventCaseOverdue
			case sup == hall.SupervisionWarning && !rec.Warned:
				rec.Warned, typ = true, hall.EventCaseWarning
			default:
				continue
			}
			rec.Nodes = append(rec.Nodes, hall.CaseNode{At: w.now, Node: typ, State: rec.State, Note: rec.DueAt.In(w.loc()).Format("2006-01-02 15:04")})
			if err := w.saveCase(rec); err != nil {
				return err
			}
			if err := w.emit(hall.CaseEvent(typ, rec.Case, w.now, "")); err != nil {
				return err
			}
			sent++
		}
		return nil
	})
	return sent, err
}

// OutboxCursor returns the last event seq the named outbox consumer handled (0 at first).
func (s *Store) OutboxCursor(ctx context.Context, name string) (uint64, error) {
	var seq uint64
	err := s.view(func(tx *bbolt.Tx) error {
		if v := tx.Bucket(bucketCursors).Get([]byte(name)); len(v) == 8 {
			seq = binary.BigEndian.Uint64(v)
		}
		return nil
	})
	return seq, err
}

// SetOutboxCursor durably records that the named consumer handled every event up to seq. A
// cursor never moves back: a lower seq is ignored.
func (s *Store) SetOutboxCursor(ctx context.Context, name string, seq uint64) error {
	return s.update(ctx, func(w *wtx) error {
		if v := w.bucket(bucketCursors).Get([]byte(name)); len(v) == 8 && binary.BigEndian.Uint64(v) >= seq {
			return nil
		}
		return w.putRaw(bucketCursors, []byte(name), seqKey(seq))
	})
}

// ratingCase links a rating to its case: the case named by the request must exist and be
// opened from the rated ticket; without one, the newest case opened from the ticket is linked.
func (w *wtx) ratingCase(rt *hall.Rating) error {
	if rt.CaseID != "" {
		rec, err := w.loadCase(rt.CaseID)
		if err != nil {
			return err
		}
		if rec.TicketID != rt.TicketID {
			return hall.Errorf(hall.ECONFLICT, "case_other_ticket", "办件 %s 不是由号码 %s 受理的", "case %s was not opened from ticket %s", rt.CaseID, rt.TicketCode)
		}
		return nil
	}
	prefix := joinKey(rt.TicketID, "")
	cur := w.bucket(bucketCaseTkt).Cursor()
	for k, _ := cur.Seek(prefix); k != nil && hasPrefix(k, prefix); k, _ = cur.Next() {
		rt.CaseID = string(k[len(prefix):])
	}
	return nil
}

// bucketSMSSent records the keys of the text messages sent: key → send time (RFC 3339).
var bucketSMSSent = []byte("smssent")

// SMSSent reports whether a message with key was recorded as sent.
func (s *Store) SMSSent(ctx context.Context, key string) (bool, error) {
	var sent bool
	err := s.view(func(tx *bbolt.Tx) error {
		sent = tx.Bucket(bucketSMSSent).Get([]byte(key)) != nil
		return nil
	})
	return sent, err
}

// MarkSMSSent records that the message with key was sent.
func (s *Store) MarkSMSSent(ctx context.Context, key string) error {
	return s.update(ctx, func(w *wtx) error {
		return w.putRaw(bucketSMSSent, []byte(key), []byte(w.now.UTC().Format(time.RFC3339)))
	})
}
