package hall

import (
	"strings"
	"time"
)

// idWeights are the GB 11643 (ISO 7064 MOD 11-2) weights of the first 17 digits.
var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

const idCheckChars = "10X98765432"

// IDNumber is a validated 18-character resident ID number (居民身份证号码). It is personal data:
// keep it only as long as needed, show it only masked, and store only a keyed hash of it.
type IDNumber struct {
	Number    string
	BirthDate time.Time // midnight UTC of the birth date
	Male      bool
}

// ParseIDNumber validates an 18-character ID number: digits, the GB 11643 check character (X may
// be lower case), and a real birth date not after today (in loc). The error never repeats the number.
func ParseIDNumber(s string, now time.Time, loc *time.Location) (IDNumber, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	bad := func(reason, zh, en string) (IDNumber, error) {
		return IDNumber{}, &Error{Code: EINVALID, Reason: reason, Message: zh, English: en}
	}
	if len(s) != 18 {
		return bad("id_length", "身份证号码应为 18 位", "an ID number has 18 characters")
	}
	sum := 0
	for i := 0; i < 17; i++ {
		if s[i] < '0' || s[i] > '9' {
			return bad("id_digits", "身份证号码前 17 位应为数字", "the first 17 characters of an ID number are digits")
		}
		sum += int(s[i]-'0') * idWeights[i]
	}
	if s[17] != idCheckChars[sum%11] {
		return bad("id_checksum", "身份证号码校验位不正确，请核对", "the ID number's check character is wrong")
	}
	birth, err := time.Parse("20060102", s[6:14])
	if err != nil || birth.Format("20060102") != s[6:14] {
		return bad("id_birth_date", "身份证号码中的出生日期无效", "the birth date in the ID number is not a real date")
	}
	today, _ := time.Parse(time.DateOnly, now.In(loc).Format(time.DateOnly))
	if birth.After(today) || birth.Year() < 1880 {
		return bad("id_birth_date", "身份证号码中的出生日期无效", "the birth date in the ID number is not a real date")
	}
	return IDNumber{Number: s, BirthDate: birth, Male: (s[16]-'0')%2 == 1}, nil
}

// AgeOn returns the person's age in whole years on the hall-local date of now.
func (id IDNumber) AgeOn(now time.Time, loc *time.Location) int {
	t := now.In(loc)
	age := t.Year() - id.BirthDate.Year()
	if t.Month() < id.BirthDate.Month() || (t.Month() == id.BirthDate.Month() && t.Day() < id.BirthDate.Day()) {
		age--
	}
	return age
}

// Masked returns the number as shown to people: 510***********1234.
func (id IDNumber) Masked() string { return MaskID(id.Number) }

// MaskID masks an ID number, keeping the first 3 and last 4 characters: 510***********1234.
// Anything too short to mask safely becomes all stars.
func MaskID(s string) string {
	if len(s) < 8 {
		return strings.Repeat("*", len(s))
	}
	return s[:3] + strings.Repeat("*", len(s)-7) + s[len(s)-4:]
}

// MaskName masks a person's name: 张*三 for three characters, 张* for two, first and last kept
// with stars between for longer ones.
func MaskName(name string) string {
	r := []rune(strings.TrimSpace(name))
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

// MaskPhone masks a phone number: 138****5678.
func MaskPhone(p string) string {
	if p == "" {
		return ""
	}
	if len(p) < 7 {
		return strings.Repeat("*", len(p))
	}
	return p[:3] + strings.Repeat("*", len(p)-7) + p[len(p)-4:]
}

// ValidatePhone accepts a mainland mobile number (11 digits starting with 1) or a fixed-line
// number of 7 to 12 digits with an optional area-code dash.
func ValidatePhone(p string) (string, error) {
	p = strings.ReplaceAll(strings.TrimSpace(p), " ", "")
	digits := strings.ReplaceAll(p, "-", "")
	ok := len(digits) >= 7 && len(digits) <= 12 && strings.Count(p, "-") <= 1
	for _, c := range digits {
		if c < '0' || c > '9' {
			ok = false
		}
	}
	if ok && len(digits) == 11 && digits[0] == '1' {
		return digits, nil
	}
	if ok && digits[0] == '0' {
		return p, nil
	}
	return "", Errorf(EINVALID, "phone", "手机号码格式不正确", "the phone number is not valid")
}

// CompleteIDNumber appends the GB 11643 check character to the first 17 digits of an ID number
// (for tests, simulators and demos that make valid numbers). It panics unless given 17 digits.
func CompleteIDNumber(first17 string) string {
	if len(first17) != 17 {
		panic("hall: CompleteIDNumber needs 17 digits")
	}
	sum := 0
	for i := 0; i < 17; i++ {
		if first17[i] < '0' || first17[i] > '9' {
			panic("hall: CompleteIDNumber needs 17 digits")
		}
		sum += int(first17[i]-'0') * idWeights[i]
	}
	return first17 + string(idCheckChars[sum%11])
}
