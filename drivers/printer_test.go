package drivers

import (
	"errors"
	"testing"
)

func TestPrinterStatus_ReadyWarningErr(t *testing.T) {
	tests := []struct {
		s       PrinterStatus
		ready   bool
		warning bool
		is      []error
		str     string
	}{
		{PrinterStatus{}, true, false, nil, "ready"},
		{PrinterStatus{PaperNearEnd: true}, true, true, nil, "paper near end"},
		{PrinterStatus{PaperOut: true, PaperNearEnd: true}, false, false, []error{ErrPaperOut}, "paper out, paper near end"},
		{PrinterStatus{CoverOpen: true, Offline: true}, false, false, []error{ErrCoverOpen, ErrPrinterOffline}, "offline, cover open"},
		{PrinterStatus{Fault: true}, false, false, []error{ErrPrinterFault}, "fault"},
	}
	for _, tt := range tests {
		if tt.s.Ready() != tt.ready || tt.s.Warning() != tt.warning || tt.s.String() != tt.str {
			t.Errorf("%+v: Ready %v Warning %v String %q", tt.s, tt.s.Ready(), tt.s.Warning(), tt.s.String())
		}
		err := tt.s.Err()
		if (err == nil) != tt.ready {
			t.Errorf("%+v: Err() = %v", tt.s, err)
		}
		for _, target := range []error{ErrPaperOut, ErrCoverOpen, ErrPrinterOffline, ErrPrinterFault} {
			want := false
			for _, w := range tt.is {
				want = want || w == target
			}
			if got := errors.Is(err, target); got != want {
				t.Errorf("%+v: errors.Is(err, %v) = %v, want %v", tt.s, target, got, want)
			}
		}
	}
}

func TestRatingLevel(t *testing.T) {
	names := []struct{ zh, en string }{
		{"非常满意", "very satisfied"}, {"满意", "satisfied"}, {"基本满意", "basically satisfied"},
		{"不满意", "dissatisfied"}, {"非常不满意", "very dissatisfied"},
	}
	for i, n := range names {
		l, err := ParseRatingLevel(string(rune('1' + i)))
		if err != nil || int(l) != i+1 || l.Chinese() != n.zh || l.String() != n.en {
			t.Errorf("level %d: %v %q %q %v", i+1, l, l.Chinese(), l.String(), err)
		}
		if l.Good() != (i < 3) {
			t.Errorf("level %d: Good() = %v", i+1, l.Good())
		}
	}
	for _, s := range []string{"", "0", "6", "11", "a", "１"} {
		if _, err := ParseRatingLevel(s); !errors.Is(err, ErrInvalidRatingLevel) {
			t.Errorf("ParseRatingLevel(%q) = %v", s, err)
		}
	}
	if RatingLevel(7).String() != "RatingLevel(7)" || RatingLevel(0).Valid() {
		t.Error("invalid level handling")
	}
	if AlignCenter.String() != "center" || Align(9).String() != "Align(9)" {
		t.Error("Align.String")
	}
}
