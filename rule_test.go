package hall

import (
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// cand builds a candidate that queued minutes after t0.
func cand(id, svc string, minutes int) Candidate {
	return Candidate{TicketID: id, ServiceID: svc, QueueKey: t0.Add(time.Duration(minutes) * time.Minute).UnixNano()}
}

func prio(c Candidate) Candidate { c.Priority = true; return c }

func appt(c Candidate, slotMinutes int) Candidate {
	c.AppointmentFrom = t0.Add(time.Duration(slotMinutes) * time.Minute)
	return c
}

func directed(c Candidate) Candidate { c.Directed = true; return c }

func TestPickNext(t *testing.T) {
	longest := CallRule{Mode: ModeLongestWaiting, Priority: PriorityFirst, AppointmentsFirst: true}
	order := CallRule{Mode: ModeOrder, Priority: PriorityFirst}
	equal := CallRule{Mode: ModeLongestWaiting, Priority: PriorityEquals}
	noAppt := CallRule{Mode: ModeLongestWaiting, Priority: PriorityEquals, AppointmentsFirst: false}
	twoServices := []CounterService{{ServiceID: "A", Order: 2}, {ServiceID: "B", Order: 1}}
	now := t0.Add(time.Hour)

	tests := []struct {
		name     string
		rule     CallRule
		services []CounterService
		cands    []Candidate
		want     string
	}{
		{"LongestWaitingAcrossServices", longest, twoServices, []Candidate{cand("a1", "A", 5), cand("b1", "B", 3), cand("a2", "A", 7)}, "b1"},
		{"TieBrokenByTicketID", longest, twoServices, []Candidate{cand("t2", "A", 5), cand("t1", "B", 5)}, "t1"},
		{"OrderServesLowestOrderFirst", order, twoServices, []Candidate{cand("a1", "A", 1), cand("b1", "B", 9)}, "b1"},
		{"OrderFallsThroughToNextService", order, twoServices, []Candidate{cand("a1", "A", 1), cand("a2", "A", 0)}, "a2"},
		{"OrderEqualOrdersUseListPosition", CallRule{Mode: ModeOrder, Priority: PriorityFirst}, []CounterService{{ServiceID: "A"}, {ServiceID: "B"}}, []Candidate{cand("b1", "B", 0), cand("a1", "A", 9)}, "a1"},
		{"PriorityFirstBeatsEarlierNormal", longest, twoServices, []Candidate{cand("n1", "A", 0), prio(cand("p1", "A", 30))}, "p1"},
		{"PriorityFirstLongestPriorityAcrossServices", longest, twoServices, []Candidate{prio(cand("p1", "A", 10)), prio(cand("p2", "B", 4)), cand("n1", "A", 0)}, "p2"},
		{"PriorityEqualsQueuesAsNormal", equal, twoServices, []Candidate{cand("n1", "A", 0), prio(cand("p1", "A", 30))}, "n1"},
		{"AppointmentDueGoesFirst", longest, twoServices, []Candidate{cand("n1", "A", 0), prio(cand("p1", "A", 1)), appt(cand("ap1", "B", 50), 30)}, "ap1"},
		{"AppointmentNotYetDueQueuesByArrival", longest, twoServices, []Candidate{cand("n1", "A", 0), appt(cand("ap1", "B", -10), 90)}, "ap1"},
		{"AppointmentNotYetDueWaitsBehindEarlier", longest, twoServices, []Candidate{cand("n1", "A", 0), appt(cand("ap1", "B", 10), 90)}, "n1"},
		{"AppointmentsEarliestSlotFirst", longest, twoServices, []Candidate{appt(cand("ap1", "A", 1), 40), appt(cand("ap2", "A", 20), 30)}, "ap2"},
		{"AppointmentsIgnoredWhenRuleSaysSo", noAppt, twoServices, []Candidate{cand("n1", "A", 0), appt(cand("ap1", "B", 50), 30)}, "n1"},
		{"DirectedBeatsEverything", longest, twoServices, []Candidate{appt(cand("ap1", "A", 0), 0), prio(cand("p1", "A", 0)), directed(cand("d1", "Z", 59))}, "d1"},
		{"DirectedLongestWaitingFirst", longest, twoServices, []Candidate{directed(cand("d2", "Z", 9)), directed(cand("d1", "Y", 2))}, "d1"},
		{"SingleCandidate", order, twoServices, []Candidate{cand("only", "A", 0)}, "only"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, ok := PickNext(tt.rule, tt.services, RuleState{}, tt.cands, now)
			if !ok || got.TicketID != tt.want {
				t.Fatalf("PickNext = %q (ok %v), want %q", got.TicketID, ok, tt.want)
			}
		})
	}
}

func TestPickNext_Empty(t *testing.T) {
	st := RuleState{RatioPriority: 1}
	_, got, ok := PickNext(CallRule{Mode: ModeLongestWaiting, Priority: PriorityFirst}, nil, st, nil, t0)
	if ok {
		t.Fatal("PickNext on no candidates reported ok")
	}
	if got.RatioPriority != 1 {
		t.Fatalf("state changed on an empty pick: %+v", got)
	}
}

// drain calls repeatedly, removing each pick, and returns the order of calls.
func drain(rule CallRule, services []CounterService, cands []Candidate, now time.Time, n int) []string {
	var order []string
	cands = append([]Candidate(nil), cands...)
	st := RuleState{}
	for i := 0; i < n && len(cands) > 0; i++ {
		c, next, ok := PickNext(rule, services, st, cands, now)
		if !ok {
			break
		}
		st = next
		order = append(order, c.TicketID)
		for j := range cands {
			if cands[j].TicketID == c.TicketID {
				cands = append(cands[:j], cands[j+1:]...)
				break
			}
		}
	}
	return order
}

func equalOrder(t *testing.T, got []string, want ...string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("calls %v, want %v", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("calls %v, want %v", got, want)
		}
	}
}

func TestPickNext_PriorityRatio(t *testing.T) {
	rule := CallRule{Mode: ModeLongestWaiting, Priority: PriorityRatio, RatioPriority: 2, RatioNormal: 1}
	svc := []CounterService{{ServiceID: "A"}}
	t.Run("TwoPriorityToOneNormal", func(t *testing.T) {
		cands := []Candidate{cand("n1", "A", 0), cand("n2", "A", 1), cand("n3", "A", 2),
			prio(cand("p1", "A", 3)), prio(cand("p2", "A", 4)), prio(cand("p3", "A", 5)), prio(cand("p4", "A", 6))}
		equalOrder(t, drain(rule, svc, cands, t0, 10), "p1", "p2", "n1", "p3", "p4", "n2", "n3")
	})
	t.Run("NoPriorityWaitingNormalsKeepFlowing", func(t *testing.T) {
		cands := []Candidate{cand("n1", "A", 0), cand("n2", "A", 1), cand("n3", "A", 2)}
		equalOrder(t, drain(rule, svc, cands, t0, 10), "n1", "n2", "n3")
	})
	t.Run("OnlyPriorityWaiting", func(t *testing.T) {
		cands := []Candidate{prio(cand("p1", "A", 0)), prio(cand("p2", "A", 1)), prio(cand("p3", "A", 2))}
		equalOrder(t, drain(rule, svc, cands, t0, 10), "p1", "p2", "p3")
	})
	t.Run("StateCarriesAcrossCalls", func(t *testing.T) {
		// Two priority calls used up the priority share: the next call is normal even though a
		// priority ticket waited longer.
		st := RuleState{RatioPriority: 2}
		c, next, _ := PickNext(rule, svc, st, []Candidate{prio(cand("p1", "A", 0)), cand("n1", "A", 5)}, t0)
		if c.TicketID != "n1" {
			t.Fatalf("picked %s, want n1", c.TicketID)
		}
		if next.RatioPriority != 0 || next.RatioNormal != 0 {
			t.Fatalf("cycle not reset after it completed: %+v", next)
		}
	})
	t.Run("InputStateNotMutated", func(t *testing.T) {
		st := RuleState{RatioPriority: 1}
		PickNext(rule, svc, st, []Candidate{prio(cand("p1", "A", 0))}, t0)
		if st.RatioPriority != 1 {
			t.Fatal("PickNext changed its input state")
		}
	})
}

func TestPickNext_Weight(t *testing.T) {
	rule := CallRule{Mode: ModeWeight, Priority: PriorityFirst}
	svc := []CounterService{{ServiceID: "A", Weight: 3}, {ServiceID: "B", Weight: 1}}
	var cands []Candidate
	for i := 0; i < 8; i++ {
		cands = append(cands, cand("a"+string(rune('0'+i)), "A", i), cand("b"+string(rune('0'+i)), "B", i))
	}
	got := drain(rule, svc, cands, t0, 8)
	a, b := 0, 0
	for _, id := range got {
		if id[0] == 'a' {
			a++
		} else {
			b++
		}
	}
	if a != 6 || b != 2 {
		t.Fatalf("weights 3:1 over 8 calls gave A=%d B=%d (%v), want 6:2", a, b, got)
	}
	// Smooth: B is not starved until the end.
	equalOrder(t, got[:4], "a0", "a1", "b0", "a2")

	t.Run("ServiceWithoutWaitingIsSkipped", func(t *testing.T) {
		got := drain(rule, svc, []Candidate{cand("b0", "B", 0), cand("b1", "B", 1)}, t0, 5)
		equalOrder(t, got, "b0", "b1")
	})
	t.Run("Deterministic", func(t *testing.T) {
		again := drain(rule, svc, append([]Candidate(nil), cands...), t0, 8)
		equalOrder(t, again, got...)
	})
	t.Run("InputCreditsNotMutated", func(t *testing.T) {
		st := RuleState{Credits: map[string]int{"A": 1}}
		PickNext(rule, svc, st, []Candidate{cand("a0", "A", 0)}, t0)
		if st.Credits["A"] != 1 {
			t.Fatal("PickNext changed its input credits")
		}
	})
}

func TestPickNext_Combination(t *testing.T) {
	// Order mode, 1:1 ratio, appointments first: a due appointment first; then priority and
	// normal alternate; within a class the ordered service comes first.
	rule := CallRule{Mode: ModeOrder, Priority: PriorityRatio, RatioPriority: 1, RatioNormal: 1, AppointmentsFirst: true}
	svc := []CounterService{{ServiceID: "A", Order: 1}, {ServiceID: "B", Order: 2}}
	cands := []Candidate{
		cand("nB", "B", 0), cand("nA", "A", 5), prio(cand("pB", "B", 1)), prio(cand("pA", "A", 6)),
		appt(cand("apB", "B", 20), 10), appt(cand("apLater", "A", 2), 120),
	}
	got := drain(rule, svc, cands, t0.Add(30*time.Minute), 10)
	// apLater's slot has not started: it queues as a normal ticket of A, after nA (queued earlier? no: 2 < 5).
	equalOrder(t, got, "apB", "pA", "apLater", "pB", "nA", "nB")
}

func TestPickSpecific(t *testing.T) {
	cands := []Candidate{cand("x", "A", 0), cand("y", "A", 1)}
	if c, ok := PickSpecific(cands, "y"); !ok || c.TicketID != "y" {
		t.Fatalf("PickSpecific(y) = %v, %v", c, ok)
	}
	if _, ok := PickSpecific(cands, "z"); ok {
		t.Fatal("PickSpecific found a ticket that is not waiting")
	}
}

func TestRequeueKey(t *testing.T) {
	now := t0.Add(time.Hour)
	keys := []int64{100, 200, 300, 400}
	tests := []struct {
		name   string
		keys   []int64
		places int
		check  func(k int64) bool
	}{
		{"BackTwoPlacesLandsBetweenSecondAndThird", keys, 2, func(k int64) bool { return k > 200 && k < 300 }},
		{"BackOnePlace", keys, 1, func(k int64) bool { return k > 100 && k < 200 }},
		{"ZeroMeansOne", keys, 0, func(k int64) bool { return k > 100 && k < 200 }},
		{"MoreThanWaitingGoesToEnd", keys, 10, func(k int64) bool { return k >= now.UnixNano() }},
		{"ExactlyAllWaitingGoesToEnd", keys, 4, func(k int64) bool { return k >= now.UnixNano() }},
		{"EmptyQueueGoesToEnd", nil, 3, func(k int64) bool { return k == now.UnixNano() }},
		{"AdjacentKeysStillAfter", []int64{100, 101}, 1, func(k int64) bool { return k == 101 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if k := RequeueKey(tt.keys, tt.places, now); !tt.check(k) {
				t.Fatalf("RequeueKey(%v, %d) = %d", tt.keys, tt.places, k)
			}
		})
	}
}

func TestCallRule_Validate(t *testing.T) {
	bad := []CallRule{
		{Mode: "random", Priority: PriorityFirst},
		{Mode: ModeOrder, Priority: "vip"},
		{Mode: ModeOrder, Priority: PriorityRatio, RatioPriority: 0, RatioNormal: 1},
		{Mode: ModeOrder, Priority: PriorityRatio, RatioPriority: 2, RatioNormal: 21},
	}
	for _, r := range bad {
		if ErrorCode(r.Validate()) != EINVALID {
			t.Errorf("%+v validated", r)
		}
	}
	if err := (CallRule{Mode: ModeWeight, Priority: PriorityRatio, RatioPriority: 2, RatioNormal: 1}).Validate(); err != nil {
		t.Errorf("good rule refused: %v", err)
	}
}
