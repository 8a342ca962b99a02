package drivers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// CardReader reads second-generation resident ID cards (居民身份证). The
// implementation is idcard.Reader (the SAM protocol over a serial port);
// sim.CardReader simulates the device underneath it.
//
// NextCard may be called from one goroutine at a time; Close from any.
type CardReader interface {
	// NextCard waits until a card is placed on the reader, reads it and
	// returns it. A card is reported once per placement: while it stays on
	// the reader, NextCard keeps waiting.
	//
	// Errors (the caller shows them and calls NextCard again): a card of
	// another kind (foreigner's or HK/Macau/Taiwan card) wraps
	// ErrUnsupportedCard; a card whose data fail the checks wraps
	// ErrInvalidCard; a failed read or a corrupt reply from the reader is a
	// device error; a reader that does not answer wraps ErrTimeout or
	// ErrOffline. Final: ctx.Err() when ctx ends, ErrClosed after Close.
	NextCard(ctx context.Context) (Card, error)
	// Close stops the driver and closes its port. It is idempotent.
	Close() error
}

// Card errors shared by card readers.
var (
	// ErrUnsupportedCard: the card is not a resident ID card of the
	// mainland (a foreigner's permanent residence card or a HK/Macau/Taiwan
	// residence card, which use another text layout). Tell the visitor
	// politely to take a number another way.
	ErrUnsupportedCard = errors.New("card type not supported")
	// ErrInvalidCard: the card's data fail validation (bad ID number check
	// digit, impossible dates, unknown codes).
	ErrInvalidCard = errors.New("invalid card data")
)

// Card is what a resident ID card holds. It is personal information: its
// String, GoString and LogValue mask the name and the number.
type Card struct {
	Name      string
	Gender    Gender
	Nation    Nation
	Birth     Date
	Address   string
	Number    string // the 18-character citizen ID number (GB 11643)
	Authority string // the issuing authority (签发机关)
	ValidFrom Date
	// ValidTo is the last day of validity; the zero Date means long-term
	// (长期).
	ValidTo Date
	// NewAddress is the appended address (追加住址) when the reader was
	// asked for it and the card has one, else "".
	NewAddress string
	// Photo is the card's photo, 1024 bytes of WLT as read. It can be
	// decoded only with a licensed vendor library; keep it opaque.
	Photo []byte
}

// LongTerm reports whether the card is valid without an end date (长期).
func (c Card) LongTerm() bool { return c.ValidTo.IsZero() }

// Expired reports whether the card's validity ended before the day of now
// (in now's location).
func (c Card) Expired(now time.Time) bool {
	if c.LongTerm() {
		return false
	}
	return c.ValidTo.Before(DateOf(now))
}

// String returns a masked description, safe for logs.
func (c Card) String() string {
	return fmt.Sprintf("Card{%s %s %s %s}", MaskName(c.Name), c.Gender, c.Nation, MaskIDNumber(c.Number))
}

// GoString is String: %#v must not leak personal data either.
func (c Card) GoString() string { return c.String() }

// LogValue makes slog log a masked card.
func (c Card) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("name", MaskName(c.Name)),
		slog.String("number", MaskIDNumber(c.Number)),
	)
}

// MaskName hides all but the first and the last character of a name:
// 张三丰 → 张*丰, 张三 → 张*, 欧阳娜娜 → 欧**娜. A one-character name is
// returned as "*".
func MaskName(name string) string {
	r := []rune(name)
	switch len(r) {
	case 0:
		return ""
	case 1:
		return "*"
	case 2:
		return string(r[0]) + "*"
	}
	return string(r[0]) + strings.Repeat("*", len(r)-2) + string(r[len(r)-1])
}

// MaskIDNumber keeps the first 3 and the last 4 characters of an ID
// number: 510***********1234. Shorter strings (7 characters or fewer) are
// masked completely.
func MaskIDNumber(s string) string {
	n := utf8.RuneCountInString(s)
	if n <= 7 {
		return strings.Repeat("*", n)
	}
	r := []rune(s)
	return string(r[:3]) + strings.Repeat("*", n-7) + string(r[n-4:])
}

// Date is a calendar day without a time zone (birth dates, card validity).
// The zero value means "no date".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the day of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// ParseDate parses YYYYMMDD. Errors: not 8 digits, or not a real day.
func ParseDate(s string) (Date, error) {
	if len(s) != 8 {
		return Date{}, fmt.Errorf("date %q: want YYYYMMDD", s)
	}
	for i := 0; i < 8; i++ {
		if s[i] < '0' || s[i] > '9' {
			return Date{}, fmt.Errorf("date %q: want YYYYMMDD", s)
		}
	}
	y, _ := strconv.Atoi(s[:4])
	m, _ := strconv.Atoi(s[4:6])
	d, _ := strconv.Atoi(s[6:])
	date := Date{y, time.Month(m), d}
	if y == 0 || !date.valid() {
		return Date{}, fmt.Errorf("date %q: no such day", s)
	}
	return date, nil
}

func (d Date) valid() bool {
	if d.Month < 1 || d.Month > 12 || d.Day < 1 {
		return false
	}
	t := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
	return t.Day() == d.Day
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// Before reports whether d is an earlier day than e.
func (d Date) Before(e Date) bool {
	if d.Year != e.Year {
		return d.Year < e.Year
	}
	if d.Month != e.Month {
		return d.Month < e.Month
	}
	return d.Day < e.Day
}

// Time returns midnight at the start of d in loc.
func (d Date) Time(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// String formats d as 2006-01-02, or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// Gender is a GB/T 2261.1 sex code as stored on the card.
type Gender int

// GB/T 2261.1 codes.
const (
	GenderUnknown     Gender = 0 // 未知的性别
	Male              Gender = 1 // 男
	Female            Gender = 2 // 女
	GenderUnspecified Gender = 9 // 未说明的性别
)

// Valid reports whether g is one of the four GB/T 2261.1 codes.
func (g Gender) Valid() bool {
	return g == GenderUnknown || g == Male || g == Female || g == GenderUnspecified
}

// String returns the Chinese name (男, 女, 未知, 未说明).
func (g Gender) String() string {
	switch g {
	case GenderUnknown:
		return "未知"
	case Male:
		return "男"
	case Female:
		return "女"
	case GenderUnspecified:
		return "未说明"
	}
	return "性别(" + strconv.Itoa(int(g)) + ")"
}

// Nation is a GB 3304 ethnic group code (01 汉 … 56 基诺, 97 其他,
// 98 外国血统).
type Nation int

var nationNames = map[Nation]string{
	1: "汉", 2: "蒙古", 3: "回", 4: "藏", 5: "维吾尔", 6: "苗", 7: "彝", 8: "壮",
	9: "布依", 10: "朝鲜", 11: "满", 12: "侗", 13: "瑶", 14: "白", 15: "土家",
	16: "哈尼", 17: "哈萨克", 18: "傣", 19: "黎", 20: "傈僳", 21: "佤", 22: "畲",
	23: "高山", 24: "拉祜", 25: "水", 26: "东乡", 27: "纳西", 28: "景颇",
	29: "柯尔克孜", 30: "土", 31: "达斡尔", 32: "仫佬", 33: "羌", 34: "布朗",
	35: "撒拉", 36: "毛南", 37: "仡佬", 38: "锡伯", 39: "阿昌", 40: "普米",
	41: "塔吉克", 42: "怒", 43: "乌孜别克", 44: "俄罗斯", 45: "鄂温克", 46: "德昂",
	47: "保安", 48: "裕固", 49: "京", 50: "塔塔尔", 51: "独龙", 52: "鄂伦春",
	53: "赫哲", 54: "门巴", 55: "珞巴", 56: "基诺", 97: "其他", 98: "外国血统",
}

// Valid reports whether n is a GB 3304 code.
func (n Nation) Valid() bool { _, ok := nationNames[n]; return ok }

// String returns the group's name without 族 (汉, 蒙古, …), or "民族(NN)"
// for a code outside GB 3304.
func (n Nation) String() string {
	if s, ok := nationNames[n]; ok {
		return s
	}
	return fmt.Sprintf("民族(%02d)", int(n))
}

// NationByName returns the code of a group name (with or without 族).
// ok is false for an unknown name.
func NationByName(name string) (n Nation, ok bool) {
	name = strings.TrimSuffix(name, "族")
	for code, s := range nationNames {
		if s == name {
			return code, true
		}
	}
	return 0, false
}

// idWeights are the GB 11643 (ISO 7064 MOD 11-2) weights of the first 17
// digits.
var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// IDCheckDigit returns the GB 11643 check character ('0'-'9' or 'X') for
// the first 17 digits of s. ok is false when s does not start with 17
// digits.
func IDCheckDigit(s string) (c byte, ok bool) {
	if len(s) < 17 {
		return 0, false
	}
	sum := 0
	for i := 0; i < 17; i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		sum += int(s[i]-'0') * idWeights[i]
	}
	return "10X98765432"[sum%11], true
}

// CheckIDNumber validates an 18-character citizen ID number: 17 digits, the
// GB 11643 check character (an upper-case X for ten), and a birth date
// (characters 7-14) that is a real day not after today (now's day).
//
// Errors wrap ErrInvalidCard and say which check failed, never echoing the
// number itself.
func CheckIDNumber(s string, now time.Time) error {
	if len(s) != 18 {
		return fmt.Errorf("%w: ID number has %d characters, want 18", ErrInvalidCard, utf8.RuneCountInString(s))
	}
	c, ok := IDCheckDigit(s)
	if !ok {
		return fmt.Errorf("%w: ID number must start with 17 digits", ErrInvalidCard)
	}
	if s[17] != c {
		return fmt.Errorf("%w: ID number check digit is wrong", ErrInvalidCard)
	}
	birth, err := ParseDate(s[6:14])
	if err != nil {
		return fmt.Errorf("%w: ID number birth date is not a real day", ErrInvalidCard)
	}
	if DateOf(now).Before(birth) || birth.Year < 1850 {
		return fmt.Errorf("%w: ID number birth date is not in the past", ErrInvalidCard)
	}
	return nil
}

// IDNumberBirth returns the birth date in a valid ID number.
func IDNumberBirth(s string) (Date, error) {
	if len(s) != 18 {
		return Date{}, fmt.Errorf("%w: ID number has %d characters, want 18", ErrInvalidCard, len(s))
	}
	return ParseDate(s[6:14])
}

// IDNumberGender returns Male or Female from the 17th digit of an ID
// number (odd is male), or GenderUnknown when it is not a digit.
func IDNumberGender(s string) Gender {
	if len(s) < 17 || s[16] < '0' || s[16] > '9' {
		return GenderUnknown
	}
	if (s[16]-'0')%2 == 1 {
		return Male
	}
	return Female
}
