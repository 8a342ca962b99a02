package hall

import (
	"fmt"
	"time"
	_ "time/tzdata" // the hall's zone must load on machines without tzdata (Windows kiosks, minimal images)
)

// DefaultTimeZone is the hall's zone when none is configured.
const DefaultTimeZone = "Asia/Shanghai"

// Day is a hall-local calendar date, "2006-01-02". Ticket numbers restart every Day.
type Day string

// DayOf returns the hall-local date of t in loc.
func DayOf(t time.Time, loc *time.Location) Day {
	return Day(t.In(loc).Format(time.DateOnly))
}

// Start returns the first instant of d in loc.
func (d Day) Start(loc *time.Location) (time.Time, error) {
	t, err := time.ParseInLocation(time.DateOnly, string(d), loc)
	if err != nil {
		return time.Time{}, Errorf(EINVALID, "bad_day", "日期格式错误：%q", "bad date: %q", string(d))
	}
	return t, nil
}

// Clock is a time of day in minutes after hall-local midnight (0..1439). It reads and writes as "HH:MM".
type Clock int

// ParseClock reads "HH:MM" (24-hour).
func ParseClock(s string) (Clock, error) {
	digit := func(i int) int {
		if i < len(s) && s[i] >= '0' && s[i] <= '9' {
			return int(s[i] - '0')
		}
		return -100
	}
	h, m := digit(0)*10+digit(1), digit(3)*10+digit(4)
	if len(s) != 5 || s[2] != ':' || h < 0 || h > 23 || m < 0 || m > 59 {
		return 0, Errorf(EINVALID, "bad_clock", "时间格式应为 HH:MM：%q", "time of day must be HH:MM: %q", s)
	}
	return Clock(h*60 + m), nil
}

// MustClock is ParseClock for constants; it panics on a malformed literal.
func MustClock(s string) Clock {
	c, err := ParseClock(s)
	if err != nil {
		panic(err)
	}
	return c
}

// String renders "HH:MM".
func (c Clock) String() string { return fmt.Sprintf("%02d:%02d", int(c)/60, int(c)%60) }

// MarshalText implements encoding.TextMarshaler.
func (c Clock) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (c *Clock) UnmarshalText(b []byte) error {
	v, err := ParseClock(string(b))
	if err != nil {
		return err
	}
	*c = v
	return nil
}

// ClockOf returns the hall-local time of day of t.
func ClockOf(t time.Time, loc *time.Location) Clock {
	lt := t.In(loc)
	return Clock(lt.Hour()*60 + lt.Minute())
}

// On returns the instant of clock c on day d in loc.
func (c Clock) On(d Day, loc *time.Location) (time.Time, error) {
	start, err := d.Start(loc)
	if err != nil {
		return time.Time{}, err
	}
	// Add hours and minutes on the calendar, not as a duration, so DST zones stay right.
	return time.Date(start.Year(), start.Month(), start.Day(), int(c)/60, int(c)%60, 0, 0, loc), nil
}
