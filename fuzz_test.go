package hall

import (
	"strings"
	"testing"
	"time"
)

// FuzzParseIDNumber: any input is either refused with EINVALID, never echoing the input, or
// accepted as 18 characters whose check character and birth date are right.
func FuzzParseIDNumber(f *testing.F) {
	for _, s := range []string{"11010519491231002X", "11010519491231002x", "110105194912310021", "", "1", "11010519490230002X", "ｘｘ", "110105203001010000"} {
		f.Add(s)
	}
	loc, _ := time.LoadLocation(DefaultTimeZone)
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		id, err := ParseIDNumber(s, now, loc)
		if err != nil {
			if ErrorCode(err) != EINVALID {
				t.Fatalf("code %q", ErrorCode(err))
			}
			if e := err.(*Error); len(strings.TrimSpace(s)) >= 6 && (strings.Contains(e.Message, strings.TrimSpace(s)) || strings.Contains(e.English, strings.TrimSpace(s))) {
				t.Fatalf("error repeats the input: %v", e)
			}
			return
		}
		if len(id.Number) != 18 || id.BirthDate.After(now) {
			t.Fatalf("accepted %q as %+v", s, id)
		}
		if again, err := ParseIDNumber(id.Number, now, loc); err != nil || again != id {
			t.Fatalf("not stable: %v", err)
		}
		if m := id.Masked(); strings.Contains(m, id.Number[3:14]) || len(m) != 18 {
			t.Fatalf("mask %q leaks", m)
		}
	})
}

// FuzzParseClock: accepted clocks print back to the same text.
func FuzzParseClock(f *testing.F) {
	for _, s := range []string{"08:30", "23:59", "24:00", "8:30", "12:3x", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseClock(s)
		if err != nil {
			if ErrorCode(err) != EINVALID {
				t.Fatalf("code %q", ErrorCode(err))
			}
			return
		}
		if c.String() != s || c < 0 || c >= 24*60 {
			t.Fatalf("ParseClock(%q) = %v", s, c)
		}
	})
}

// FuzzPickNext: for any candidates and rule, the pick is one of the candidates, a directed
// ticket wins when there is one, the answer is deterministic, and inputs are left alone.
func FuzzPickNext(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, uint8(0), uint8(1), uint8(2), uint8(1), true)
	f.Add([]byte{9, 9, 9, 1, 255, 3}, uint8(2), uint8(2), uint8(3), uint8(2), false)
	modes := []CallMode{ModeLongestWaiting, ModeOrder, ModeWeight}
	policies := []PriorityPolicy{PriorityFirst, PriorityRatio, PriorityEquals}
	f.Fuzz(func(t *testing.T, data []byte, mode, policy, rp, rn uint8, appts bool) {
		rule := CallRule{Mode: modes[int(mode)%3], Priority: policies[int(policy)%3], RatioPriority: int(rp%5) + 1, RatioNormal: int(rn%5) + 1, AppointmentsFirst: appts}
		services := []CounterService{{ServiceID: "A", Order: 2, Weight: 3}, {ServiceID: "B", Order: 1, Weight: 1}, {ServiceID: "C"}}
		var cands []Candidate
		anyDirected := false
		for i := 0; i+1 < len(data) && len(cands) < 40; i += 2 {
			b, k := data[i], data[i+1]
			c := Candidate{TicketID: string(rune('a'+i%26)) + string(rune('0'+i/26)), ServiceID: []string{"A", "B", "C"}[b%3], QueueKey: int64(k), Priority: b&4 != 0, Directed: b&8 != 0}
			if b&16 != 0 {
				c.AppointmentFrom = t0.Add(time.Duration(int(k)-128) * time.Minute)
			}
			anyDirected = anyDirected || c.Directed
			cands = append(cands, c)
		}
		state := RuleState{RatioPriority: int(rp % 3), Credits: map[string]int{"A": int(rn) - 100}}
		snapshot := append([]Candidate(nil), cands...)
		got, next, ok := PickNext(rule, services, state, cands, t0)
		if ok != (len(cands) > 0) {
			t.Fatalf("ok=%v with %d candidates", ok, len(cands))
		}
		if !ok {
			return
		}
		if _, found := PickSpecific(cands, got.TicketID); !found {
			t.Fatalf("picked %q, not a candidate", got.TicketID)
		}
		if anyDirected && !got.Directed {
			t.Fatal("a directed ticket waited but another was picked")
		}
		again, next2, _ := PickNext(rule, services, state, cands, t0)
		if again != got || next2.RatioPriority != next.RatioPriority || next2.RatioNormal != next.RatioNormal {
			t.Fatal("not deterministic")
		}
		for i := range snapshot {
			if snapshot[i] != cands[i] {
				t.Fatal("candidates changed")
			}
		}
		if state.Credits["A"] != int(rn)-100 || state.RatioPriority != int(rp%3) {
			t.Fatal("input state changed")
		}
	})
}
