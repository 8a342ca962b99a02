package hall

import (
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Hall is the hall-wide configuration.
type Hall struct {
	Name   string `json:"name"`
	NameEN string `json:"nameEn,omitempty"`
	// TimeZone is an IANA zone name; numbers restart at midnight in this zone. Default Asia/Shanghai.
	TimeZone string `json:"timeZone"`
	// DayClose is when waiting tickets expire and counters log out; ignored when NoDayClose is set
	// (a 24-hour hall).
	DayClose   Clock `json:"dayClose"`
	NoDayClose bool  `json:"noDayClose,omitempty"`
	// PriorityAge is the age from which an ID-card ticket is a priority (elderly) ticket; 0 turns
	// the rule off.
	PriorityAge int `json:"priorityAge"`
	// AllowSeveralWaiting lets one person hold more than one waiting ticket for the same service.
	AllowSeveralWaiting bool `json:"allowSeveralWaiting,omitempty"`
	// DefaultRule is the calling rule of every counter that has none of its own.
	DefaultRule CallRule `json:"defaultRule"`
	// Notices scroll along the bottom of the hall screens (公告), Chinese first.
	Notices []string `json:"notices,omitempty"`
}

// DefaultHall returns a hall configuration with the documented defaults.
func DefaultHall() Hall {
	return Hall{
		Name:        "政务服务中心",
		NameEN:      "Government Service Center",
		TimeZone:    DefaultTimeZone,
		DayClose:    MustClock("18:00"),
		PriorityAge: 70,
		DefaultRule: CallRule{Mode: ModeLongestWaiting, Priority: PriorityFirst, AppointmentsFirst: true},
	}
}

// Location loads the hall's time zone.
func (h Hall) Location() (*time.Location, error) {
	name := h.TimeZone
	if name == "" {
		name = DefaultTimeZone
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, Errorf(EINVALID, "bad_time_zone", "未知时区：%q", "unknown time zone: %q", name)
	}
	return loc, nil
}

// Validate checks the configuration.
func (h Hall) Validate() error {
	if strings.TrimSpace(h.Name) == "" {
		return Errorf(EINVALID, "hall_name", "大厅名称不能为空", "the hall needs a name")
	}
	if _, err := h.Location(); err != nil {
		return err
	}
	if h.DayClose < 0 || h.DayClose >= 24*60 {
		return Errorf(EINVALID, "bad_clock", "闭厅时间无效", "day-close time is out of range")
	}
	if len(h.Notices) > 20 {
		return Errorf(EINVALID, "notices", "公告最多 20 条", "at most 20 notices")
	}
	for _, n := range h.Notices {
		if len([]rune(n)) > 200 {
			return Errorf(EINVALID, "notices", "每条公告最多 200 字", "a notice has at most 200 characters")
		}
	}
	if h.PriorityAge < 0 || h.PriorityAge > 150 {
		return Errorf(EINVALID, "priority_age", "优先年龄无效：%d", "priority age out of range: %d", h.PriorityAge)
	}
	return h.DefaultRule.Validate()
}

// Area is a part of the hall (区域) with its own screens.
type Area struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	NameEN string `json:"nameEn,omitempty"`
}

// Validate checks the area.
func (a Area) Validate() error {
	if err := validateID("area", a.ID); err != nil {
		return err
	}
	if strings.TrimSpace(a.Name) == "" {
		return Errorf(EINVALID, "area_name", "区域名称不能为空", "the area needs a name")
	}
	return nil
}

// OpeningHours is one opening period on some weekdays. A service is open when any period covers now.
type OpeningHours struct {
	// Weekdays lists the days the period applies to (time.Sunday = 0); empty means every day.
	Weekdays []time.Weekday `json:"weekdays,omitempty"`
	Open     Clock          `json:"open"`
	Close    Clock          `json:"close"`
}

// Covers reports whether the period includes weekday wd at clock c (Open inclusive, Close exclusive).
func (o OpeningHours) Covers(wd time.Weekday, c Clock) bool {
	if len(o.Weekdays) > 0 {
		found := false
		for _, d := range o.Weekdays {
			if d == wd {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return c >= o.Open && c < o.Close
}

// SlotTemplate is an appointment time slot offered every open day, with its capacity.
type SlotTemplate struct {
	Start    Clock `json:"start"`
	End      Clock `json:"end"`
	Capacity int   `json:"capacity"`
}

// Service is a matter (事项) visitors queue for.
type Service struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	NameEN   string `json:"nameEn,omitempty"`
	AreaID   string `json:"areaId"`
	Category string `json:"category,omitempty"`
	// Prefix is the ticket letter(s): "A" gives A001.
	Prefix string `json:"prefix"`
	// NumberFrom and NumberTo bound the daily numbers (inclusive); Digits pads them ("A012" for 3).
	NumberFrom int `json:"numberFrom"`
	NumberTo   int `json:"numberTo"`
	Digits     int `json:"digits"`
	// DailyCap limits tickets per day; 0 means only the number range limits.
	DailyCap int `json:"dailyCap,omitempty"`
	// Hours lists the opening periods; empty means always open (still subject to counters).
	Hours       []OpeningHours `json:"hours,omitempty"`
	Materials   []string       `json:"materials,omitempty"`
	Direction   string         `json:"direction,omitempty"`
	DirectionEN string         `json:"directionEn,omitempty"`
	// Guide describes the service for the kiosk's 办事指南 (who may apply, what it is for);
	// Procedure lists its steps (办理流程). Each has an optional English version.
	Guide       string   `json:"guide,omitempty"`
	GuideEN     string   `json:"guideEn,omitempty"`
	Procedure   []string `json:"procedure,omitempty"`
	ProcedureEN []string `json:"procedureEn,omitempty"`
	// TimeLimitDays is the promised time limit of a case (承诺时限), in days; 0 means on the spot.
	TimeLimitDays int `json:"timeLimitDays,omitempty"`
	// AverageService seeds the wait estimate before any ticket has been finished today.
	AverageService time.Duration `json:"averageService"`
	// AllowSeveralWaiting overrides the hall rule for this service.
	AllowSeveralWaiting bool           `json:"allowSeveralWaiting,omitempty"`
	Slots               []SlotTemplate `json:"slots,omitempty"`
}

// Validate checks the service definition.
func (s Service) Validate() error {
	if err := validateID("service", s.ID); err != nil {
		return err
	}
	if strings.TrimSpace(s.Name) == "" {
		return Errorf(EINVALID, "service_name", "事项名称不能为空", "the service needs a name")
	}
	if s.AreaID == "" {
		return Errorf(EINVALID, "service_area", "事项必须属于一个区域", "the service needs an area")
	}
	if len(s.Prefix) < 1 || len(s.Prefix) > 3 {
		return Errorf(EINVALID, "service_prefix", "号码前缀应为 1 到 3 个字母", "the ticket prefix must be 1 to 3 letters")
	}
	for _, r := range s.Prefix {
		if r < 'A' || r > 'Z' {
			return Errorf(EINVALID, "service_prefix", "号码前缀只能是大写字母：%q", "the ticket prefix must be capital letters: %q", s.Prefix)
		}
	}
	if s.NumberFrom < 0 || s.NumberTo < s.NumberFrom || s.NumberTo > 99999 {
		return Errorf(EINVALID, "service_range", "号码范围无效：%d-%d", "bad number range: %d-%d", s.NumberFrom, s.NumberTo)
	}
	if s.Digits < 1 || s.Digits > 5 || len(strconv.Itoa(s.NumberTo)) > s.Digits {
		return Errorf(EINVALID, "service_digits", "号码位数不足以容纳号码范围", "digits do not fit the number range")
	}
	if s.DailyCap < 0 {
		return Errorf(EINVALID, "service_cap", "每日上限不能为负数", "the daily cap cannot be negative")
	}
	for _, h := range s.Hours {
		if h.Open >= h.Close || h.Close > 24*60 {
			return Errorf(EINVALID, "service_hours", "营业时间无效：%s-%s", "bad opening hours: %s-%s", h.Open, h.Close)
		}
	}
	for _, sl := range s.Slots {
		if sl.Start >= sl.End || sl.Capacity < 1 {
			return Errorf(EINVALID, "service_slots", "预约时段无效：%s-%s", "bad appointment slot: %s-%s", sl.Start, sl.End)
		}
	}
	if s.AverageService < 0 || s.TimeLimitDays < 0 {
		return Errorf(EINVALID, "service_durations", "时长不能为负数", "durations cannot be negative")
	}
	return nil
}

// OpenAt reports whether t (in loc) falls within the service's hours.
func (s Service) OpenAt(t time.Time, loc *time.Location) bool {
	if len(s.Hours) == 0 {
		return true
	}
	lt := t.In(loc)
	c := ClockOf(lt, loc)
	for _, h := range s.Hours {
		if h.Covers(lt.Weekday(), c) {
			return true
		}
	}
	return false
}

// Capacity is the number of tickets the service may issue in a day.
func (s Service) Capacity() int {
	n := s.NumberTo - s.NumberFrom + 1
	if s.DailyCap > 0 && s.DailyCap < n {
		return s.DailyCap
	}
	return n
}

// Code formats ticket number n of this service ("A012").
func (s Service) Code(n int) string {
	d := strconv.Itoa(n)
	for len(d) < s.Digits {
		d = "0" + d
	}
	return s.Prefix + d
}

// Role is a staff member's role.
type Role string

// Roles.
const (
	RoleAdmin      Role = "admin"
	RoleSupervisor Role = "supervisor"
	RoleClerk      Role = "clerk"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleAdmin || r == RoleSupervisor || r == RoleClerk }

// Staff is a person who logs in: a clerk at a counter, a supervisor or an admin.
type Staff struct {
	// ID is the staff number (工号), shown on the window sign.
	ID   string `json:"id"`
	Name string `json:"name"`
	Role Role   `json:"role"`
	// PasswordHash is an encoded hash (argon2id or bcrypt), never the password.
	PasswordHash string `json:"passwordHash,omitempty"`
	Disabled     bool   `json:"disabled,omitempty"`
}

// Validate checks the staff record.
func (s Staff) Validate() error {
	if err := validateID("staff", s.ID); err != nil {
		return err
	}
	if strings.TrimSpace(s.Name) == "" {
		return Errorf(EINVALID, "staff_name", "工作人员姓名不能为空", "the staff member needs a name")
	}
	if !s.Role.Valid() {
		return Errorf(EINVALID, "staff_role", "未知角色：%q", "unknown role: %q", string(s.Role))
	}
	return nil
}

// validateID accepts 1-32 characters of letters, digits, '-' and '_'.
func validateID(kind, id string) error {
	ok := len(id) >= 1 && len(id) <= 32
	for _, r := range id {
		if !(r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_')) {
			ok = false
		}
	}
	if !ok {
		return Errorf(EINVALID, kind+"_id", "编号只能包含 1 到 32 个字母、数字、- 或 _：%q", "an id is 1 to 32 letters, digits, '-' or '_': %q", id)
	}
	return nil
}
