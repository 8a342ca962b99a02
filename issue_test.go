package hall

import (
	"testing"
	"time"
)

func shanghai(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func testService() Service {
	return Service{
		ID: "shebao", Name: "社保", AreaID: "a1", Prefix: "A", NumberFrom: 1, NumberTo: 999, Digits: 3, DailyCap: 3,
		Hours: []OpeningHours{{Weekdays: []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}, Open: MustClock("08:30"), Close: MustClock("12:00")},
			{Open: MustClock("13:30"), Close: MustClock("17:00")}},
	}
}

func TestDayOf_HallZoneWithMachineInUTC(t *testing.T) {
	loc := shanghai(t)
	// 2026-11-22 15:59 UTC is 23:59 in Shanghai; 16:01 UTC is 00:01 the next day.
	before := time.Date(2026, 11, 22, 15, 59, 0, 0, time.UTC)
	after := time.Date(2026, 11, 22, 16, 1, 0, 0, time.UTC)
	if d := DayOf(before, loc); d != "2026-11-22" {
		t.Fatalf("23:59 local is day %s", d)
	}
	if d := DayOf(after, loc); d != "2026-11-23" {
		t.Fatalf("00:01 local is day %s", d)
	}
	if c := ClockOf(before, loc); c.String() != "23:59" {
		t.Fatalf("clock %s", c)
	}
	start, _ := Day("2026-11-23").Start(loc)
	if !start.Equal(time.Date(2026, 11, 22, 16, 0, 0, 0, time.UTC)) {
		t.Fatalf("day starts at %v", start.UTC())
	}
}

func TestParseClock(t *testing.T) {
	for _, bad := range []string{"", "8:30", "24:00", "12:60", "ab:cd", "12:3x", "-1:00"} {
		if _, err := ParseClock(bad); ErrorCode(err) != EINVALID {
			t.Errorf("ParseClock(%q) accepted", bad)
		}
	}
	c, err := ParseClock("08:30")
	if err != nil || c != 510 || c.String() != "08:30" {
		t.Fatalf("ParseClock(08:30) = %v %v", c, err)
	}
}

func TestCheckIssue(t *testing.T) {
	loc := shanghai(t)
	svc := testService()
	monday10 := time.Date(2026, 11, 23, 10, 0, 0, 0, loc)
	saturday10 := time.Date(2026, 11, 28, 10, 0, 0, 0, loc)
	saturday14 := time.Date(2026, 11, 28, 14, 0, 0, 0, loc)
	tests := []struct {
		name    string
		day     ServiceDay
		open    int
		now     time.Time
		svc     Service
		reason  string
		wantErr bool
	}{
		{"Open", ServiceDay{}, 1, monday10, svc, "", false},
		{"NoCounter", ServiceDay{}, 0, monday10, svc, "service_no_counter", true},
		{"WeekdayOnlyMorning", ServiceDay{}, 1, saturday10, svc, "service_closed_hours", true},
		{"EveryDayAfternoon", ServiceDay{}, 1, saturday14, svc, "", false},
		{"AtClosingTime", ServiceDay{}, 1, time.Date(2026, 11, 23, 12, 0, 0, 0, loc), svc, "service_closed_hours", true},
		{"AtOpeningTime", ServiceDay{}, 1, time.Date(2026, 11, 23, 8, 30, 0, 0, loc), svc, "", false},
		{"CapReached", ServiceDay{Issued: 3, LastNumber: 3}, 1, monday10, svc, "service_full", true},
		{"RangeUsedUp", ServiceDay{Issued: 1, LastNumber: 999}, 1, monday10, Service{ID: "x", Name: "x", NumberFrom: 1, NumberTo: 999, Digits: 3}, "service_full", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckIssue(tt.svc, tt.day, tt.open, tt.now, loc)
			if (err != nil) != tt.wantErr || ErrorReason(err) != tt.reason {
				t.Fatalf("CheckIssue = %v, want reason %q", err, tt.reason)
			}
			if err != nil && (ErrorCode(err) != EUNAVAILABLE || ErrorMessage(err, false) == "" || ErrorMessage(err, true) == "") {
				t.Fatalf("refusal lacks a code or messages: %#v", err)
			}
		})
	}
}

func TestIssueRequest_Validate(t *testing.T) {
	loc := shanghai(t)
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, loc)
	bad := map[string]IssueRequest{
		"channel_missing":  {ServiceID: "s"},
		"channel_virtual":  {ServiceID: "s", Channel: ChannelVirtual},
		"service_missing":  {Channel: ChannelTap},
		"id_missing":       {ServiceID: "s", Channel: ChannelIDCard},
		"id_bad":           {ServiceID: "s", Channel: ChannelIDCard, IDNumber: "110105194912310021"},
		"phone_bad":        {ServiceID: "s", Channel: ChannelPhone, Phone: "123"},
		"priority_missing": {ServiceID: "s", Channel: ChannelPriority},
		"priority_unknown": {ServiceID: "s", Channel: ChannelPriority, Priority: "vip"},
		"priority_on_tap":  {ServiceID: "s", Channel: ChannelTap, Priority: PriorityMilitary},
		"appointment_none": {Channel: ChannelAppointment},
	}
	for name, r := range bad {
		if _, err := r.Validate(now, loc); ErrorCode(err) != EINVALID {
			t.Errorf("%s: %v", name, err)
		}
	}
	good := []IssueRequest{
		{ServiceID: "s", Channel: ChannelTap},
		{ServiceID: "s", Channel: ChannelIDCard, IDNumber: "11010519491231002X", Name: "张三"},
		{ServiceID: "s", Channel: ChannelPhone, Phone: "13812345678"},
		{ServiceID: "s", Channel: ChannelPriority, Priority: PriorityDisabled},
		{Channel: ChannelAppointment, AppointmentCode: "abc"},
		{ServiceID: "s", Channel: ChannelMobile},
	}
	for _, r := range good {
		if _, err := r.Validate(now, loc); err != nil {
			t.Errorf("%+v refused: %v", r, err)
		}
	}
}

func TestPriorityFor(t *testing.T) {
	loc := shanghai(t)
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, loc)
	h := DefaultHall()
	h.PriorityAge = 70
	old, _ := ParseIDNumber("11010519491231002X", now, loc) // 76
	if p := PriorityFor(h, IssueRequest{Channel: ChannelIDCard}, &old, now, loc); p != PriorityElderly {
		t.Fatalf("76-year-old got %q", p)
	}
	h.PriorityAge = 80
	if p := PriorityFor(h, IssueRequest{Channel: ChannelIDCard}, &old, now, loc); p != PriorityNone {
		t.Fatalf("76-year-old under an 80 threshold got %q", p)
	}
	h.PriorityAge = 0
	if p := PriorityFor(h, IssueRequest{Channel: ChannelIDCard}, &old, now, loc); p != PriorityNone {
		t.Fatalf("rule off still gave %q", p)
	}
	if p := PriorityFor(h, IssueRequest{Channel: ChannelPriority, Priority: PriorityMilitary}, nil, now, loc); p != PriorityMilitary {
		t.Fatalf("staff choice gave %q", p)
	}
}

func TestEstimateWait(t *testing.T) {
	cases := []struct {
		ahead, counters int
		avg, want       time.Duration
	}{
		{0, 2, 10 * time.Minute, 0},
		{4, 2, 10 * time.Minute, 20 * time.Minute},
		{5, 2, 10 * time.Minute, 25 * time.Minute},
		{3, 0, 10 * time.Minute, -1},
	}
	for _, c := range cases {
		if got := EstimateWait(c.ahead, c.avg, c.counters); got != c.want {
			t.Errorf("EstimateWait(%d, %v, %d) = %v, want %v", c.ahead, c.avg, c.counters, got, c.want)
		}
	}
}

func TestAverageService(t *testing.T) {
	m := time.Minute
	if got := AverageService(nil, 0); got != DefaultAverageService {
		t.Fatalf("no history, no setting: %v", got)
	}
	if got := AverageService(nil, 5*m); got != 5*m {
		t.Fatalf("no history: %v", got)
	}
	// The 120-minute outlier (a clerk forgot to finish) is dropped.
	if got := AverageService([]time.Duration{4 * m, 6 * m, 5 * m, 120 * m}, 0); got != 5*m {
		t.Fatalf("with an outlier: %v", got)
	}
}

func TestService_Validate(t *testing.T) {
	good := testService()
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	mutations := map[string]func(*Service){
		"id":      func(s *Service) { s.ID = "bad id" },
		"name":    func(s *Service) { s.Name = " " },
		"prefix":  func(s *Service) { s.Prefix = "a" },
		"range":   func(s *Service) { s.NumberTo = 0 },
		"digits":  func(s *Service) { s.Digits = 2 },
		"hours":   func(s *Service) { s.Hours = []OpeningHours{{Open: 600, Close: 500}} },
		"cap":     func(s *Service) { s.DailyCap = -1 },
		"slots":   func(s *Service) { s.Slots = []SlotTemplate{{Start: 600, End: 630, Capacity: 0}} },
		"nothing": func(s *Service) { s.AreaID = "" },
	}
	for name, m := range mutations {
		s := testService()
		m(&s)
		if ErrorCode(s.Validate()) != EINVALID {
			t.Errorf("%s: accepted", name)
		}
	}
	if good.Code(7) != "A007" {
		t.Fatalf("code %s", good.Code(7))
	}
}

func TestCheckBookingAndCheckIn(t *testing.T) {
	loc := shanghai(t)
	svc := testService()
	svc.Slots = []SlotTemplate{{Start: MustClock("09:00"), End: MustClock("09:30"), Capacity: 2}}
	now := time.Date(2026, 11, 23, 8, 0, 0, 0, loc) // Monday
	r := BookingRequest{ServiceID: svc.ID, Day: "2026-11-23", Start: MustClock("09:00"), Phone: "13812345678"}
	if _, err := CheckBooking(svc, r, 1, now, loc); err != nil {
		t.Fatalf("bookable slot refused: %v", err)
	}
	reasons := map[string]func() (BookingRequest, int, time.Time){
		"slot_full":       func() (BookingRequest, int, time.Time) { return r, 2, now },
		"slot":            func() (BookingRequest, int, time.Time) { r2 := r; r2.Start = MustClock("10:00"); return r2, 0, now },
		"slot_over":       func() (BookingRequest, int, time.Time) { return r, 0, now.Add(2 * time.Hour) },
		"booking_day":     func() (BookingRequest, int, time.Time) { r2 := r; r2.Day = "2026-12-31"; return r2, 0, now },
		"slot_closed":     func() (BookingRequest, int, time.Time) { r2 := r; r2.Day = "2026-11-28"; return r2, 0, now },
		"bad_day":         func() (BookingRequest, int, time.Time) { r2 := r; r2.Day = "23/11/2026"; return r2, 0, now },
		"booking_contact": func() (BookingRequest, int, time.Time) { r2 := r; r2.Phone = ""; return r2, 0, now },
	}
	for want, f := range reasons {
		req, booked, at := f()
		if _, err := CheckBooking(svc, req, booked, at, loc); ErrorReason(err) != want {
			t.Errorf("%s: got %v", want, err)
		}
	}

	a := Appointment{ServiceID: svc.ID, Day: "2026-11-23", Start: MustClock("09:00"), End: MustClock("09:30"), State: AppointmentBooked}
	early := a
	if _, err := early.CheckIn(time.Date(2026, 11, 23, 6, 0, 0, 0, loc), loc); ErrorReason(err) != "appointment_too_early" || early.State != AppointmentBooked {
		t.Fatalf("too-early check-in: %v", err)
	}
	onTime := a
	from, err := onTime.CheckIn(time.Date(2026, 11, 23, 8, 50, 0, 0, loc), loc)
	if err != nil || !from.Equal(time.Date(2026, 11, 23, 9, 0, 0, 0, loc)) || onTime.State != AppointmentCheckedIn {
		t.Fatalf("on-time check-in: %v %v", from, err)
	}
	if _, err := onTime.CheckIn(time.Date(2026, 11, 23, 8, 51, 0, 0, loc), loc); ErrorReason(err) != "appointment_used" {
		t.Fatalf("second check-in: %v", err)
	}
	late := a
	from, err = late.CheckIn(time.Date(2026, 11, 23, 10, 0, 0, 0, loc), loc)
	if err != nil || !from.IsZero() {
		t.Fatalf("late check-in should queue as a walk-in: %v %v", from, err)
	}
	otherDay := a
	if _, err := otherDay.CheckIn(time.Date(2026, 11, 24, 9, 0, 0, 0, loc), loc); ErrorReason(err) != "appointment_other_day" {
		t.Fatalf("other-day check-in: %v", err)
	}
}
