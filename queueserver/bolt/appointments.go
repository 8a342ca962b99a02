package bolt

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"strings"

	bbolt "go.etcd.io/bbolt"

	"hall"
)

var _ hall.Appointments = (*Store)(nil)

func slotKey(serviceID string, day hall.Day, start hall.Clock) []byte {
	return joinKey(serviceID, string(day), start.String())
}

func whoKey(serviceID string, day hall.Day, who string) []byte {
	return joinKey(serviceID, string(day), who)
}

func slotCount(tx *bbolt.Tx, k []byte) int {
	v := tx.Bucket(bucketApptSlot).Get(k)
	if len(v) != 4 {
		return 0
	}
	return int(binary.BigEndian.Uint32(v))
}

func (w *wtx) addSlotCount(k []byte, d int) error {
	n := max(slotCount(w.tx, k)+d, 0)
	return w.putRaw(bucketApptSlot, k, binary.BigEndian.AppendUint32(nil, uint32(n)))
}

// bookingWho is how a booking's holder is found again: the ID hash, else the phone number.
func bookingWho(p *hall.Person, phone string) string {
	if p != nil && p.IDHash != "" {
		return "id:" + p.IDHash
	}
	return "tel:" + phone
}

// Book reserves a slot (预约). EINVALID for a malformed request, unknown slot or day out of range;
// ENOTFOUND for an unknown service; EUNAVAILABLE when the slot is over or full; ECONFLICT when the
// person already holds a booking for the service that day.
func (s *Store) Book(ctx context.Context, r hall.BookingRequest) (hall.Appointment, error) {
	var out hall.Appointment
	err := s.updateOut(withOp(ctx, "book"), &out, func(w *wtx) error {
		svc, err := w.loadService(r.ServiceID)
		if err != nil {
			return err
		}
		var person *hall.Person
		if strings.TrimSpace(r.IDNumber) != "" {
			id, err := hall.ParseIDNumber(r.IDNumber, w.now, w.loc())
			if err != nil {
				return err
			}
			person = &hall.Person{Name: strings.TrimSpace(r.Name), MaskedID: id.Masked(), IDHash: w.s.idHash(id.Number)}
		} else if name := strings.TrimSpace(r.Name); name != "" {
			person = &hall.Person{Name: name}
		}
		if len([]rune(r.Name)) > 30 {
			return hall.Errorf(hall.EINVALID, "name", "姓名过长", "the name is too long")
		}
		phone := ""
		if strings.TrimSpace(r.Phone) != "" {
			if phone, err = hall.ValidatePhone(r.Phone); err != nil {
				return err
			}
		}
		sk := slotKey(svc.ID, r.Day, r.Start)
		slot, err := hall.CheckBooking(*svc, r, slotCount(w.tx, sk), w.now, w.loc())
		if err != nil {
			return err
		}
		wk := whoKey(svc.ID, r.Day, bookingWho(person, phone))
		if prev := w.bucket(bucketApptWho).Get(wk); prev != nil {
			return hall.Errorf(hall.ECONFLICT, "already_booked", "您已预约该事项当天的时段，请勿重复预约", "you already hold a booking for this service that day")
		}
		w.wrote = true
		n, err := w.bucket(bucketAppts).NextSequence()
		if err != nil {
			return internal("appointment sequence", err)
		}
		a := hall.Appointment{
			ID: dayID(r.Day, n), ServiceID: svc.ID, Day: r.Day, Start: slot.Start, End: slot.End,
			Person: person, Phone: phone, State: hall.AppointmentBooked, Code: newToken(), BookedAt: w.now,
		}
		if a.ShortCode, err = w.newShortCode(r.Day); err != nil {
			return err
		}
		if err := w.putRaw(bucketApptCode, shortKey(r.Day, a.ShortCode), []byte(a.ID)); err != nil {
			return err
		}
		if err := w.put(bucketAppts, []byte(a.ID), a); err != nil {
			return err
		}
		if err := w.putRaw(bucketApptCode, []byte(a.Code), []byte(a.ID)); err != nil {
			return err
		}
		if err := w.putRaw(bucketApptWho, wk, []byte(a.ID)); err != nil {
			return err
		}
		if err := w.addSlotCount(sk, 1); err != nil {
			return err
		}
		out = a
		pub := a.Public()
		return w.emit(hall.Event{Type: hall.EventAppointmentBooked, ServiceID: svc.ID, AreaID: svc.AreaID, Appointment: &pub})
	})
	return out, err
}

// shortKey indexes a short code on its day in bucketApptCode (long codes are 32 hex digits, so
// the two never meet).
func shortKey(day hall.Day, short string) []byte { return joinKey("#", string(day), short) }

// newShortCode picks a 6-digit code not yet used on day.
func (w *wtx) newShortCode(day hall.Day) (string, error) {
	for try := 0; try < 50; try++ {
		b := make([]byte, 4)
		if _, err := rand.Read(b); err != nil {
			return "", internal("short code", err)
		}
		code := fmt.Sprintf("%06d", binary.BigEndian.Uint32(b)%1000000)
		if w.bucket(bucketApptCode).Get(shortKey(day, code)) == nil {
			return code, nil
		}
	}
	return "", hall.Errorf(hall.EUNAVAILABLE, "short_codes_exhausted", "当日预约码已用尽", "no short booking codes left for that day")
}

var errNoBooking = hall.Errorf(hall.ENOTFOUND, "appointment_not_found", "未找到该预约，请核对预约码", "no booking matches this code")

// loadBookingByCode finds a booking by what the visitor presents (see hall.ParseBookingRef): the
// long code of its QR code or link, or its short code on today's date. EINVALID for text that is
// no booking code at all; ENOTFOUND (reason "appointment_not_found") for a well-formed code that
// matches nothing.
func loadBookingByCode(tx *bbolt.Tx, text string, today hall.Day) (*hall.Appointment, error) {
	ref, err := hall.ParseBookingRef(text)
	if err != nil {
		return nil, err
	}
	var id []byte
	if ref.Short != "" {
		id = tx.Bucket(bucketApptCode).Get(shortKey(today, ref.Short))
	} else {
		id = tx.Bucket(bucketApptCode).Get([]byte(ref.Code))
	}
	if id == nil {
		return nil, errNoBooking
	}
	var a hall.Appointment
	if ok, err := getJSON(tx.Bucket(bucketAppts), id, &a); err != nil || !ok {
		return nil, internal("load appointment", err)
	}
	return &a, nil
}

// loadBookingByLongCode is loadBookingByCode for managing a booking (view, cancel): only the
// unguessable long code will do, never the short one.
func loadBookingByLongCode(tx *bbolt.Tx, text string) (*hall.Appointment, error) {
	ref, err := hall.ParseBookingRef(text)
	if err != nil {
		return nil, err
	}
	if ref.Short != "" {
		return nil, hall.Errorf(hall.EINVALID, "short_code_not_enough", "请使用预约成功页面上的链接或二维码", "use the link or QR code from the booking page")
	}
	return loadBookingByCode(tx, text, "")
}

// findBooking finds the booking an appointment check-in refers to: by code, or by the ID card
// among today's bookings (of r.ServiceID, or of any service).
func (w *wtx) findBooking(r hall.IssueRequest, id *hall.IDNumber) (*hall.Appointment, error) {
	if strings.TrimSpace(r.AppointmentCode) != "" {
		return loadBookingByCode(w.tx, r.AppointmentCode, w.today())
	}
	who := "id:" + w.s.idHash(id.Number)
	var found []byte
	w.bucket(bucketServices).ForEach(func(k, _ []byte) error {
		if r.ServiceID != "" && string(k) != r.ServiceID {
			return nil
		}
		if v := w.bucket(bucketApptWho).Get(whoKey(string(k), w.today(), who)); v != nil && found == nil {
			var a hall.Appointment
			if ok, _ := getJSON(w.bucket(bucketAppts), v, &a); ok && a.State == hall.AppointmentBooked {
				found = append([]byte(nil), v...)
			}
		}
		return nil
	})
	if found == nil {
		return nil, hall.Errorf(hall.ENOTFOUND, "appointment_not_found", "未找到您今天的预约", "no booking for you today")
	}
	var a hall.Appointment
	if _, err := w.get(bucketAppts, found, &a); err != nil {
		return nil, err
	}
	return &a, nil
}

// CancelAppointment withdraws a booking by its code, freeing its place in the slot. ENOTFOUND for
// an unknown code; ECONFLICT once checked in, cancelled or expired.
func (s *Store) CancelAppointment(ctx context.Context, code string) (hall.Appointment, error) {
	var out hall.Appointment
	err := s.updateOut(withOp(ctx, "cancel_booking"), &out, func(w *wtx) error {
		a, err := loadBookingByLongCode(w.tx, code)
		if err != nil {
			return err
		}
		if err := a.Cancel(w.now); err != nil {
			return err
		}
		if err := w.put(bucketAppts, []byte(a.ID), a); err != nil {
			return err
		}
		if err := w.addSlotCount(slotKey(a.ServiceID, a.Day, a.Start), -1); err != nil {
			return err
		}
		if err := w.del(bucketApptWho, whoKey(a.ServiceID, a.Day, bookingWho(a.Person, a.Phone))); err != nil {
			return err
		}
		out = *a
		pub := a.Public()
		return w.emit(hall.Event{Type: hall.EventAppointmentCancel, ServiceID: a.ServiceID, Appointment: &pub})
	})
	return out, err
}

// AppointmentByCode returns a booking by its check-in code. ENOTFOUND for an unknown code.
func (s *Store) AppointmentByCode(ctx context.Context, code string) (hall.Appointment, error) {
	var out hall.Appointment
	err := s.view(func(tx *bbolt.Tx) error {
		a, err := loadBookingByLongCode(tx, code)
		if err == nil {
			out = *a
		}
		return err
	})
	return out, err
}

// SlotsBooked returns how many live bookings a slot holds.
func (s *Store) SlotsBooked(ctx context.Context, serviceID string, day hall.Day, start hall.Clock) (int, error) {
	n := 0
	err := s.view(func(tx *bbolt.Tx) error {
		n = slotCount(tx, slotKey(serviceID, day, start))
		return nil
	})
	return n, err
}
