package hall

import (
	"strings"
	"time"
)

// AppointmentState is where a booking is.
type AppointmentState string

// Appointment states.
const (
	AppointmentBooked    AppointmentState = "booked"
	AppointmentCheckedIn AppointmentState = "checked_in"
	AppointmentCancelled AppointmentState = "cancelled"
	AppointmentExpired   AppointmentState = "expired"
)

// BookingHorizonDays is how far ahead a slot may be booked.
const BookingHorizonDays = 14

// Appointment is a booking (预约) of a time slot of a service on a day.
type Appointment struct {
	ID        string           `json:"id"`
	ServiceID string           `json:"serviceId"`
	Day       Day              `json:"day"`
	Start     Clock            `json:"start"`
	End       Clock            `json:"end"`
	Person    *Person          `json:"person,omitempty"`
	Phone     string           `json:"phone,omitempty"`
	State     AppointmentState `json:"state"`
	// Code is the check-in code carried by the booking's QR code; unguessable.
	Code string `json:"code,omitempty"`
	// ShortCode is the 6-digit code (预约码) typed at the kiosk on the booking's day.
	ShortCode   string    `json:"shortCode,omitempty"`
	BookedAt    time.Time `json:"bookedAt"`
	CheckedInAt time.Time `json:"checkedInAt,omitzero"`
	CancelledAt time.Time `json:"cancelledAt,omitzero"`
	TicketID    string    `json:"ticketId,omitempty"`
}

// BookingRequest asks for an appointment.
type BookingRequest struct {
	ServiceID string `json:"serviceId"`
	Day       Day    `json:"day"`
	Start     Clock  `json:"start"`
	IDNumber  string `json:"idNumber,omitempty"`
	Name      string `json:"name,omitempty"`
	Phone     string `json:"phone,omitempty"`
}

// CheckBooking validates a booking against the service's slots and the calendar and returns the
// slot. booked is how many live bookings the slot already holds.
func CheckBooking(s Service, r BookingRequest, booked int, now time.Time, loc *time.Location) (SlotTemplate, error) {
	var slot SlotTemplate
	found := false
	for _, sl := range s.Slots {
		if sl.Start == r.Start {
			slot, found = sl, true
		}
	}
	if !found {
		return slot, Errorf(EINVALID, "slot", "「%s」没有 %s 开始的预约时段", "%q has no slot starting at %s", s.Name, r.Start)
	}
	if strings.TrimSpace(r.Phone) == "" && strings.TrimSpace(r.IDNumber) == "" {
		return slot, Errorf(EINVALID, "booking_contact", "预约需要手机号码或身份证号码", "a booking needs a phone or ID number")
	}
	dayStart, err := r.Day.Start(loc)
	if err != nil {
		return slot, err
	}
	today := DayOf(now, loc)
	last, _ := today.Start(loc)
	last = last.AddDate(0, 0, BookingHorizonDays)
	slotEnd, _ := slot.End.On(r.Day, loc)
	if r.Day < today || dayStart.After(last) {
		return slot, Errorf(EINVALID, "booking_day", "只能预约今天起 %d 天内的时段", "slots can be booked up to %d days ahead", BookingHorizonDays)
	}
	if !slotEnd.After(now) {
		return slot, Errorf(EUNAVAILABLE, "slot_over", "该时段已结束", "that slot is over")
	}
	if !s.OpenAt(slotEnd.Add(-time.Minute), loc) {
		return slot, Errorf(EUNAVAILABLE, "slot_closed", "该日该时段不办理此事项", "the service is not offered in that slot on that day")
	}
	if booked >= slot.Capacity {
		return slot, Errorf(EUNAVAILABLE, "slot_full", "该时段已约满，请选择其他时段", "that slot is fully booked; choose another")
	}
	return slot, nil
}

// SlotAvailability is one slot of a day as the booking page shows it.
type SlotAvailability struct {
	Start     Clock `json:"start"`
	End       Clock `json:"end"`
	Capacity  int   `json:"capacity"`
	Booked    int   `json:"booked"`
	Remaining int   `json:"remaining"`
	// Open is false when the slot cannot be booked (over, not offered that day, full); Reason,
	// Message and English say why.
	Open    bool   `json:"open"`
	Reason  string `json:"reason,omitempty"`
	Message string `json:"message,omitempty"`
	English string `json:"english,omitempty"`
}

// SlotAvailabilityOf applies the booking rules (CheckBooking) to one slot of day.
func SlotAvailabilityOf(s Service, sl SlotTemplate, day Day, booked int, now time.Time, loc *time.Location) SlotAvailability {
	a := SlotAvailability{Start: sl.Start, End: sl.End, Capacity: sl.Capacity, Booked: booked, Remaining: max(0, sl.Capacity-booked), Open: true}
	if _, err := CheckBooking(s, BookingRequest{ServiceID: s.ID, Day: day, Start: sl.Start, Phone: "-"}, booked, now, loc); err != nil {
		e := err.(*Error)
		a.Open, a.Reason, a.Message, a.English = false, e.Reason, e.Message, e.English
	}
	return a
}

// CheckInWindow is how early before its slot a booking may check in.
const CheckInWindow = 2 * time.Hour

// CheckIn marks the booking as arrived and returns the slot start the ticket carries for
// precedence: zero if the visitor came after the slot ended (then they queue as a walk-in).
func (a *Appointment) CheckIn(now time.Time, loc *time.Location) (time.Time, error) {
	switch a.State {
	case AppointmentBooked:
	case AppointmentCheckedIn:
		return time.Time{}, Errorf(ECONFLICT, "appointment_used", "该预约已签到取号", "this booking has already been checked in")
	case AppointmentCancelled:
		return time.Time{}, Errorf(ECONFLICT, "appointment_cancelled", "该预约已取消", "this booking was cancelled")
	default:
		return time.Time{}, Errorf(ECONFLICT, "appointment_expired", "该预约已过期", "this booking has expired")
	}
	if DayOf(now, loc) != a.Day {
		return time.Time{}, Errorf(ECONFLICT, "appointment_other_day", "预约日期是 %s，不是今天", "the booking is for %s, not today", string(a.Day))
	}
	start, _ := a.Start.On(a.Day, loc)
	end, _ := a.End.On(a.Day, loc)
	if now.Before(start.Add(-CheckInWindow)) {
		return time.Time{}, Errorf(ECONFLICT, "appointment_too_early", "请在 %s 之后签到", "please check in after %s", ClockOf(start.Add(-CheckInWindow), loc))
	}
	a.State, a.CheckedInAt = AppointmentCheckedIn, now
	if now.After(end) {
		return time.Time{}, nil
	}
	return start, nil
}

// Cancel withdraws a booking.
func (a *Appointment) Cancel(now time.Time) error {
	if a.State != AppointmentBooked {
		return Errorf(ECONFLICT, "appointment_not_booked", "该预约无法取消（已签到、已取消或已过期）", "this booking cannot be cancelled (checked in, cancelled or expired)")
	}
	a.State, a.CancelledAt = AppointmentCancelled, now
	return nil
}

// Public returns a copy without the check-in code, the ID hash and the full phone number.
func (a Appointment) Public() Appointment {
	if a.Person != nil {
		a.Person = &Person{Name: MaskName(a.Person.Name), MaskedID: a.Person.MaskedID}
	}
	a.Phone, a.Code, a.ShortCode = MaskPhone(a.Phone), "", ""
	return a
}
