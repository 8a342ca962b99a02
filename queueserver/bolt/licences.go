package bolt

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"

	bbolt "go.etcd.io/bbolt"

	"hall"
)

var _ hall.Licences = (*Store)(nil)

// Buckets added by schema version 3 (see migrations in schema.go).
var (
	bucketLicences    = []byte("licences")    // licence id → hall.Licence
	bucketLicencePDF  = []byte("licencepdf")  // licence id → the platform's PDF bytes
	bucketLicenceWho  = []byte("licencewho")  // holder's id hash 0x00 licence id → nothing
	bucketLicenceCode = []byte("licencecode") // verification code → licence id
)

func (w *wtx) loadLicence(id string) (*hall.Licence, error) {
	return load[hall.Licence](w, bucketLicences, id, "licence_not_found", "证照", "licence")
}

// noticeDigest is the SHA-256 of a notice's canonical JSON: a re-post with the same content has
// the same digest.
func noticeDigest(n hall.LicenceNotice) string {
	b, _ := json.Marshal(n)
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// LicenceReady stores the platform's notice (see hall.Licences).
func (s *Store) LicenceReady(ctx context.Context, n hall.LicenceNotice) (hall.Licence, bool, error) {
	var out hall.Licence
	created := false
	err := s.update(ctx, func(w *wtx) error {
		created = false
		id, err := hall.ValidateLicenceNotice(n, w.now, w.loc())
		if err != nil {
			return err
		}
		n.IDNumber = id.Number
		digest := noticeDigest(n)
		var old hall.Licence
		if ok, err := w.get(bucketLicences, []byte(n.LicenceID), &old); err != nil {
			return err
		} else if ok {
			if old.Digest != digest {
				return hall.Errorf(hall.ECONFLICT, "licence_exists", "证照 %s 已存在且内容不同", "licence %s exists with different content", n.LicenceID)
			}
			out = old.Public()
			return nil
		}
		l := hall.Licence{
			ID: n.LicenceID, CaseID: n.CaseID, Title: strings.TrimSpace(n.Title), Issuer: n.Issuer, IssuedAt: n.IssuedAt,
			Holder: hall.Person{Name: strings.TrimSpace(n.Name), MaskedID: id.Masked(), IDHash: s.idHash(id.Number)},
			Fields: n.Fields, PDFSize: len(n.PDF), Digest: digest, State: hall.LicenceReady, ReadyAt: w.now, VerifyCode: newToken(),
		}
		if err := w.put(bucketLicences, []byte(l.ID), l); err != nil {
			return err
		}
		if len(n.PDF) > 0 {
			if err := w.putRaw(bucketLicencePDF, []byte(l.ID), n.PDF); err != nil {
				return err
			}
		}
		if err := w.putRaw(bucketLicenceWho, joinKey(l.Holder.IDHash, l.ID), nil); err != nil {
			return err
		}
		if err := w.putRaw(bucketLicenceCode, []byte(l.VerifyCode), []byte(l.ID)); err != nil {
			return err
		}
		if err := w.emit(hall.LicenceEvent(hall.EventLicenceReady, l, w.now, "")); err != nil {
			return err
		}
		if err := w.caseLicenceReady(l); err != nil {
			return err
		}
		out, created = l.Public(), true
		return nil
	})
	return out, created, err
}

// caseLicenceReady moves the licence's case (when it names one of ours) to licence_ready. A case
// that is unknown or cannot take it is left alone: the licence is still collectable.
func (w *wtx) caseLicenceReady(l hall.Licence) error {
	if l.CaseID == "" {
		return nil
	}
	var rec caseRecord
	if ok, err := w.get(bucketCases, []byte(l.CaseID), &rec); err != nil || !ok {
		return err
	}
	if rec.LicenceReady(w.now, l.ID) != nil {
		return nil
	}
	if err := w.saveCase(&rec); err != nil {
		return err
	}
	return w.emit(hall.CaseEvent(hall.EventCaseLicenceReady, rec.Case, w.now, l.ID))
}

// LicencesFor lists a person's licences, newest first, public copies (see hall.Licences).
func (s *Store) LicencesFor(ctx context.Context, idNumber string) ([]hall.Licence, error) {
	h, err := s.Hall(ctx)
	if err != nil {
		return nil, err
	}
	loc, err := h.Location()
	if err != nil {
		return nil, err
	}
	id, err := hall.ParseIDNumber(idNumber, s.now(), loc)
	if err != nil {
		return nil, err
	}
	prefix := joinKey(s.idHash(id.Number), "")
	var out []hall.Licence
	err = s.view(func(tx *bbolt.Tx) error {
		cur := tx.Bucket(bucketLicenceWho).Cursor()
		for k, _ := cur.Seek(prefix); k != nil && hasPrefix(k, prefix); k, _ = cur.Next() {
			var l hall.Licence
			if ok, err := getJSON(tx.Bucket(bucketLicences), k[len(prefix):], &l); err != nil || !ok {
				return internal("licence index", err)
			}
			out = append(out, l.Public())
		}
		return nil
	})
	// Newest first by ready time (the index sorts by licence id).
	slices.SortStableFunc(out, func(a, b hall.Licence) int { return b.ReadyAt.Compare(a.ReadyAt) })
	return out, err
}

var errNoReservation = hall.Errorf(hall.ECONFLICT, "licence_not_reserved", "本设备没有预留该证照的打印", "this device holds no print reservation of the licence")

func licenceHandedOver(l *hall.Licence) error {
	return hall.Errorf(hall.ECONFLICT, "licence_handed_over", "证照“%s”已领取", "licence %q has already been collected", l.Title)
}

// ReserveLicence lets a kiosk print a licence (see hall.Licences).
func (s *Store) ReserveLicence(ctx context.Context, licenceID, idNumber, deviceID string) (hall.Licence, []byte, error) {
	var out hall.Licence
	var pdf []byte
	err := s.update(ctx, func(w *wtx) error {
		pdf = nil
		id, err := hall.ParseIDNumber(idNumber, w.now, w.loc())
		if err != nil {
			return err
		}
		l, err := w.loadLicence(licenceID)
		if err != nil {
			return err
		}
		if l.Holder.IDHash != s.idHash(id.Number) {
			return notFound("licence_not_found", "证照", "licence", licenceID) // never say whose it is
		}
		switch {
		case l.State == hall.LicenceHandedOver:
			return licenceHandedOver(l)
		case l.State == hall.LicencePrinting && l.ReservedBy != deviceID && w.now.Before(l.ReservedUntil):
			return hall.Errorf(hall.ECONFLICT, "licence_printing", "证照正在另一台自助机上打印", "the licence is being printed at another kiosk")
		}
		l.State, l.ReservedBy, l.ReservedUntil = hall.LicencePrinting, deviceID, w.now.Add(hall.LicenceReservation)
		if err := w.put(bucketLicences, []byte(l.ID), l); err != nil {
			return err
		}
		if err := w.emit(hall.LicenceEvent(hall.EventLicenceReserved, *l, w.now, deviceID)); err != nil {
			return err
		}
		if v := w.bucket(bucketLicencePDF).Get([]byte(l.ID)); v != nil {
			pdf = append([]byte(nil), v...)
		}
		out = *l
		out.Holder.IDHash = ""
		return nil
	})
	return out, pdf, err
}

// HandOverLicence records the handover by the reserving kiosk, once (see hall.Licences).
// A repeat by the device that handed it over returns the licence unchanged (a retried request).
func (s *Store) HandOverLicence(ctx context.Context, licenceID, deviceID string) (hall.Licence, error) {
	var out hall.Licence
	err := s.update(ctx, func(w *wtx) error {
		l, err := w.loadLicence(licenceID)
		if err != nil {
			return err
		}
		switch {
		case l.State == hall.LicenceHandedOver && l.HandedOverBy == deviceID:
			out = l.Public()
			return nil
		case l.State == hall.LicenceHandedOver:
			return licenceHandedOver(l)
		case l.State != hall.LicencePrinting || l.ReservedBy != deviceID:
			return errNoReservation
		}
		l.State, l.HandedOverAt, l.HandedOverBy, l.ReservedUntil, l.Prints = hall.LicenceHandedOver, w.now, deviceID, w.now, l.Prints+1
		if err := w.put(bucketLicences, []byte(l.ID), l); err != nil {
			return err
		}
		if err := w.emit(hall.LicenceEvent(hall.EventLicenceHandedOver, *l, w.now, deviceID)); err != nil {
			return err
		}
		if l.CaseID != "" {
			var rec caseRecord
			if ok, err := w.get(bucketCases, []byte(l.CaseID), &rec); err != nil {
				return err
			} else if ok && rec.HandOver(w.now, deviceID) == nil {
				if err := w.saveCase(&rec); err != nil {
					return err
				}
				if err := w.emit(hall.CaseEvent(hall.EventCaseHandedOver, rec.Case, w.now, deviceID)); err != nil {
					return err
				}
			}
		}
		out = l.Public()
		return nil
	})
	return out, err
}

// ReleaseLicence gives back a kiosk's reservation after a failed print (see hall.Licences).
func (s *Store) ReleaseLicence(ctx context.Context, licenceID, deviceID, reason string) (hall.Licence, error) {
	if err := hall.CheckCaseText("原因", reason); err != nil {
		return hall.Licence{}, err
	}
	var out hall.Licence
	err := s.update(ctx, func(w *wtx) error {
		l, err := w.loadLicence(licenceID)
		if err != nil {
			return err
		}
		if l.State != hall.LicencePrinting || l.ReservedBy != deviceID {
			return errNoReservation
		}
		l.State, l.ReservedBy, l.ReservedUntil = hall.LicenceReady, "", w.now
		if err := w.put(bucketLicences, []byte(l.ID), l); err != nil {
			return err
		}
		e := hall.LicenceEvent(hall.EventLicenceReleased, *l, w.now, deviceID)
		e.Note = deviceID + ": " + reason
		if err := w.emit(e); err != nil {
			return err
		}
		out = l.Public()
		return nil
	})
	return out, err
}

// LicenceByVerifyCode finds the licence a print's QR code names (public copy). ENOTFOUND.
func (s *Store) LicenceByVerifyCode(ctx context.Context, code string) (hall.Licence, error) {
	var out hall.Licence
	err := s.view(func(tx *bbolt.Tx) error {
		id := tx.Bucket(bucketLicenceCode).Get([]byte(code))
		if id == nil || code == "" {
			return notFound("licence_not_found", "证照", "licence", "")
		}
		var l hall.Licence
		if ok, err := getJSON(tx.Bucket(bucketLicences), id, &l); err != nil || !ok {
			return internal("licence by code", err)
		}
		out = l.Public()
		return nil
	})
	return out, err
}
