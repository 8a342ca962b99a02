package drivers_test

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"hall/drivers"
)

var today = time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)

func TestCheckIDNumber(t *testing.T) {
	tests := []struct {
		name, number string
		ok           bool
	}{
		{"the GB 11643 example with X", "11010519491231002X", true},
		{"valid, digit check", "440524188001010014", true},
		{"wrong check digit", "110105194912310021", false},
		{"lower-case x", "11010519491231002x", false},
		{"17 characters", "11010519491231002", false},
		{"19 characters", "11010519491231002X1", false},
		{"letter in the body", "1101051949123100AX", false},
		{"birth date Feb 30", withCheck("11010519490230002"), false},
		{"birth date in the future", withCheck("11010520990101002"), false},
		{"born today is fine", withCheck("11010520250601002"), true},
		{"empty", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := drivers.CheckIDNumber(tt.number, today)
			if tt.ok && err != nil {
				t.Fatalf("CheckIDNumber(%q) = %v, want ok", tt.number, err)
			}
			if !tt.ok {
				if err == nil {
					t.Fatalf("CheckIDNumber(%q) = nil, want an error", tt.number)
				}
				if !errors.Is(err, drivers.ErrInvalidCard) {
					t.Errorf("error %v does not wrap ErrInvalidCard", err)
				}
				if len(tt.number) > 8 && strings.Contains(err.Error(), tt.number) {
					t.Errorf("error %q leaks the number", err)
				}
			}
		})
	}
}

// withCheck appends the right check digit to 17 digits.
func withCheck(s string) string {
	c, ok := drivers.IDCheckDigit(s)
	if !ok {
		panic(s)
	}
	return s + string(c)
}

func TestIDNumberGenderAndBirth(t *testing.T) {
	if g := drivers.IDNumberGender("11010519491231002X"); g != drivers.Female {
		t.Errorf("digit 17 = 2: gender %v, want 女", g)
	}
	if g := drivers.IDNumberGender("440524188001010014"); g != drivers.Male {
		t.Errorf("digit 17 = 1: gender %v, want 男", g)
	}
	b, err := drivers.IDNumberBirth("11010519491231002X")
	if err != nil || b != (drivers.Date{Year: 1949, Month: 12, Day: 31}) {
		t.Errorf("IDNumberBirth = %v, %v", b, err)
	}
}

func TestMasking(t *testing.T) {
	for in, want := range map[string]string{
		"张三丰": "张*丰", "张三": "张*", "欧阳娜娜": "欧**娜", "李": "*", "": "",
	} {
		if got := drivers.MaskName(in); got != want {
			t.Errorf("MaskName(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"510104199001011234": "510***********1234",
		"11010519491231002X": "110***********002X",
		"1234567":            "*******",
		"12345678":           "123*5678",
	} {
		if got := drivers.MaskIDNumber(in); got != want {
			t.Errorf("MaskIDNumber(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCard_PrintingAndLoggingAreMasked(t *testing.T) {
	c := drivers.Card{Name: "张三丰", Number: "510104199001011234", Gender: drivers.Male, Nation: 1}
	var logged strings.Builder
	slog.New(slog.NewTextHandler(&logged, nil)).Info("card", "card", c)
	for _, out := range []string{
		fmt.Sprint(c), fmt.Sprintf("%v %+v %#v %s", c, c, c, c), fmt.Sprint(&c), logged.String(),
	} {
		if strings.Contains(out, "510104199001011234") || strings.Contains(out, "张三丰") {
			t.Errorf("output leaks personal data: %s", out)
		}
		if !strings.Contains(out, "510***********1234") {
			t.Errorf("output lacks the masked number: %s", out)
		}
	}
}

func TestCard_Validity(t *testing.T) {
	long := drivers.Card{ValidFrom: drivers.Date{Year: 2010, Month: 1, Day: 1}}
	if !long.LongTerm() || long.Expired(today) {
		t.Error("a 长期 card is long-term and never expires")
	}
	c := drivers.Card{ValidTo: drivers.Date{Year: 2025, Month: 6, Day: 1}}
	if c.Expired(today) {
		t.Error("a card valid to today has not expired today")
	}
	if !c.Expired(today.AddDate(0, 0, 1)) {
		t.Error("a card valid to yesterday has expired")
	}
}

func TestParseDate(t *testing.T) {
	if d, err := drivers.ParseDate("20000229"); err != nil || d.String() != "2000-02-29" {
		t.Errorf("ParseDate(20000229) = %v, %v", d, err)
	}
	for _, s := range []string{"19000229", "20011301", "2001010", "2001O101", "00000101", "长期"} {
		if _, err := drivers.ParseDate(s); err == nil {
			t.Errorf("ParseDate(%q) succeeded", s)
		}
	}
}

func TestNationAndGenderNames(t *testing.T) {
	if drivers.Nation(1).String() != "汉" || drivers.Nation(56).String() != "基诺" || drivers.Nation(98).String() != "外国血统" {
		t.Error("GB 3304 names are wrong")
	}
	if drivers.Nation(57).Valid() || drivers.Nation(57).String() != "民族(57)" {
		t.Error("57 is not a GB 3304 code")
	}
	if n, ok := drivers.NationByName("维吾尔族"); !ok || n != 5 {
		t.Errorf("NationByName(维吾尔族) = %d, %v", n, ok)
	}
	if drivers.Female.String() != "女" || drivers.Gender(3).Valid() {
		t.Error("GB/T 2261.1 gender names are wrong")
	}
}
