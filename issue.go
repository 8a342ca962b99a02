package hall

import (
	"strings"
	"time"
)

// IssueRequest asks for a ticket.
type IssueRequest struct {
	ServiceID string  `json:"serviceId"`
	Channel   Channel `json:"channel"`
	// IDNumber is the raw ID number read from the card (idcard channel, or a priority ticket
	// whose class is decided by age). It is validated, masked and hashed, never stored.
	IDNumber string `json:"idNumber,omitempty"`
	Name     string `json:"name,omitempty"`
	Phone    string `json:"phone,omitempty"`
	// Priority is the class a staff member chose for a priority (绿色通道) ticket.
	Priority PriorityClass `json:"priority,omitempty"`
	// AppointmentCode is the check-in code scanned from a booking's QR code.
	AppointmentCode string `json:"appointmentCode,omitempty"`
	// ApprovedBy is the staff member who confirmed a staff-chosen priority class. Only the
	// server sets it, once it has checked that staff member's password or session; it is
	// recorded on the ticket.
	ApprovedBy string `json:"-"`
}

// Validate checks the request's shape (not the hall's state): the channel is known and carries
// what it needs. It returns the parsed ID number when one was given.
func (r IssueRequest) Validate(now time.Time, loc *time.Location) (*IDNumber, error) {
	if r.ServiceID == "" && r.Channel != ChannelAppointment {
		return nil, Errorf(EINVALID, "service_id", "请选择办理事项", "choose a service")
	}
	if !r.Channel.Valid() || r.Channel == ChannelVirtual {
		return nil, Errorf(EINVALID, "channel", "未知取号方式：%q", "unknown ticket channel: %q", string(r.Channel))
	}
	if !r.Priority.Valid() {
		return nil, Errorf(EINVALID, "priority", "未知优先类别：%q", "unknown priority class: %q", string(r.Priority))
	}
	if r.Priority != PriorityNone && r.Channel != ChannelPriority {
		return nil, Errorf(EINVALID, "priority", "只有绿色通道取号可指定优先类别", "only priority tickets take a priority class")
	}
	if len([]rune(r.Name)) > 30 {
		return nil, Errorf(EINVALID, "name", "姓名过长", "the name is too long")
	}
	var id *IDNumber
	if r.IDNumber != "" {
		v, err := ParseIDNumber(r.IDNumber, now, loc)
		if err != nil {
			return nil, err
		}
		id = &v
	}
	switch r.Channel {
	case ChannelIDCard:
		if id == nil {
			return nil, Errorf(EINVALID, "id_missing", "身份证取号需要读取身份证", "an ID-card ticket needs the ID card read")
		}
	case ChannelPhone:
		if _, err := ValidatePhone(r.Phone); err != nil {
			return nil, err
		}
	case ChannelAppointment:
		if strings.TrimSpace(r.AppointmentCode) == "" && id == nil {
			return nil, Errorf(EINVALID, "appointment_code", "请扫描预约二维码或刷身份证", "scan the booking QR code or swipe the ID card")
		}
	case ChannelPriority:
		if r.Priority == PriorityNone && id == nil {
			return nil, Errorf(EINVALID, "priority", "请选择优先类别", "choose a priority class")
		}
	}
	if r.Phone != "" && r.Channel != ChannelPhone {
		if _, err := ValidatePhone(r.Phone); err != nil {
			return nil, err
		}
	}
	return id, nil
}

// PriorityFor decides a ticket's priority class: a staff choice wins; otherwise an ID number of
// someone at least h.PriorityAge years old makes an elderly ticket.
func PriorityFor(h Hall, r IssueRequest, id *IDNumber, now time.Time, loc *time.Location) PriorityClass {
	if r.Priority != PriorityNone {
		return r.Priority
	}
	if id != nil && h.PriorityAge > 0 && id.AgeOn(now, loc) >= h.PriorityAge {
		return PriorityElderly
	}
	return PriorityNone
}

// ServiceDay is a service's tally for one hall-local day.
type ServiceDay struct {
	Issued     int `json:"issued"`
	LastNumber int `json:"lastNumber"`
}

// NextNumber returns the next ticket number, or false when the range is used up.
func (d ServiceDay) NextNumber(s Service) (int, bool) {
	n := max(d.LastNumber+1, s.NumberFrom)
	return n, n <= s.NumberTo
}

// CheckIssue applies the issuing rules: the service has an open counter (logged in, not paused),
// is within its hours, and is under its daily cap and number range. openCounters is how many
// open counters serve the service. Each refusal is an EUNAVAILABLE error whose reason the kiosk
// shows (and uses to grey the service out).
func CheckIssue(s Service, day ServiceDay, openCounters int, now time.Time, loc *time.Location) error {
	if openCounters <= 0 {
		return Errorf(EUNAVAILABLE, "service_no_counter", "「%s」暂无窗口办理，请咨询导办人员", "no counter is serving %q now; please ask the hall staff", s.Name)
	}
	if !s.OpenAt(now, loc) {
		var b strings.Builder
		for i, h := range s.Hours {
			if i > 0 {
				b.WriteString("、")
			}
			b.WriteString(h.Open.String() + "-" + h.Close.String())
		}
		return Errorf(EUNAVAILABLE, "service_closed_hours", "「%s」不在办理时间内（%s）", "%q is outside its hours (%s)", s.Name, b.String())
	}
	if _, ok := day.NextNumber(s); !ok || day.Issued >= s.Capacity() {
		return Errorf(EUNAVAILABLE, "service_full", "「%s」今日号码已取完", "%q has no tickets left today", s.Name)
	}
	return nil
}

// AlreadyWaiting is the refusal of a second waiting ticket for the same person and service.
func AlreadyWaiting(code string) *Error {
	return Errorf(ECONFLICT, "person_already_waiting", "您已有等候中的号码 %s，请勿重复取号", "you already hold the waiting ticket %s", code)
}

// Availability is a service's live state as the kiosk and screens show it.
type Availability struct {
	ServiceID string `json:"serviceId"`
	Open      bool   `json:"open"`
	// Reason, Message and English say why a closed service is closed.
	Reason        string        `json:"reason,omitempty"`
	Message       string        `json:"message,omitempty"`
	English       string        `json:"english,omitempty"`
	Waiting       int           `json:"waiting"`
	OpenCounters  int           `json:"openCounters"`
	EstimatedWait time.Duration `json:"estimatedWait"`
	IssuedToday   int           `json:"issuedToday"`
	Remaining     int           `json:"remaining"`
}

// ServiceAvailability combines CheckIssue and the wait estimate.
func ServiceAvailability(s Service, day ServiceDay, openCounters, waiting int, avg time.Duration, now time.Time, loc *time.Location) Availability {
	a := Availability{
		ServiceID: s.ID, Open: true, Waiting: waiting, OpenCounters: openCounters, IssuedToday: day.Issued,
		Remaining:     max(0, min(s.Capacity()-day.Issued, s.NumberTo-max(day.LastNumber+1, s.NumberFrom)+1)),
		EstimatedWait: EstimateWait(waiting, avg, openCounters),
	}
	if err := CheckIssue(s, day, openCounters, now, loc); err != nil {
		e := err.(*Error)
		a.Open, a.Reason, a.Message, a.English = false, e.Reason, e.Message, e.English
	}
	return a
}

// DefaultAverageService is the assumed service time of a service with no history and no setting.
const DefaultAverageService = 8 * time.Minute

// RecentServiceTimes is how many recent service times feed a service's average.
const RecentServiceTimes = 20

// AverageService estimates a service's time per visitor from recent service times: the mean after
// dropping times beyond three times the median (a clerk who forgot to press finish). With no
// history it falls back to the configured average, then to DefaultAverageService.
func AverageService(recent []time.Duration, configured time.Duration) time.Duration {
	fallback := configured
	if fallback <= 0 {
		fallback = DefaultAverageService
	}
	if len(recent) == 0 {
		return fallback
	}
	sorted := append([]time.Duration(nil), recent...)
	for i := 1; i < len(sorted); i++ { // insertion sort: at most RecentServiceTimes items
		for j := i; j > 0 && sorted[j] < sorted[j-1]; j-- {
			sorted[j], sorted[j-1] = sorted[j-1], sorted[j]
		}
	}
	median := sorted[len(sorted)/2]
	var sum time.Duration
	n := 0
	for _, d := range sorted {
		if d <= 3*median {
			sum += d
			n++
		}
	}
	return sum / time.Duration(n)
}

// EstimateWait is the expected wait of someone with ahead visitors before them, served by
// counters open counters taking avg each. It is -1 when no counter serves the service.
func EstimateWait(ahead int, avg time.Duration, counters int) time.Duration {
	if counters <= 0 {
		return -1
	}
	if ahead <= 0 {
		return 0
	}
	// The counters work through the queue in parallel; rounded to whole seconds for display.
	return (avg * time.Duration(ahead) / time.Duration(counters)).Round(time.Second)
}
