package hall

import (
	"sort"
	"time"
)

// CallMode chooses among a counter's services when several have someone waiting.
type CallMode string

// Call modes.
const (
	// ModeLongestWaiting calls whoever has waited longest across all the counter's services.
	ModeLongestWaiting CallMode = "longest_waiting"
	// ModeOrder serves the services strictly in the counter's order (lowest Order first).
	ModeOrder CallMode = "order"
	// ModeWeight shares calls among services by weight (smooth weighted round robin).
	ModeWeight CallMode = "weight"
)

// PriorityPolicy says how priority (绿色通道) tickets go ahead.
type PriorityPolicy string

// Priority policies.
const (
	PriorityFirst  PriorityPolicy = "first" // every priority ticket before any normal one
	PriorityRatio  PriorityPolicy = "ratio" // RatioPriority priority calls to RatioNormal normal calls
	PriorityEquals PriorityPolicy = "none"  // priority tickets queue like everyone else
)

// CallRule is a calling rule (叫号策略), set for the hall or for one counter.
type CallRule struct {
	Mode     CallMode       `json:"mode"`
	Priority PriorityPolicy `json:"priority"`
	// RatioPriority : RatioNormal, e.g. 2 : 1, when Priority is PriorityRatio.
	RatioPriority int `json:"ratioPriority,omitempty"`
	RatioNormal   int `json:"ratioNormal,omitempty"`
	// AppointmentsFirst calls checked-in appointment tickets ahead of walk-ins once their slot starts.
	AppointmentsFirst bool `json:"appointmentsFirst"`
}

// Validate checks the rule.
func (r CallRule) Validate() error {
	switch r.Mode {
	case ModeLongestWaiting, ModeOrder, ModeWeight:
	default:
		return Errorf(EINVALID, "rule_mode", "未知叫号方式：%q", "unknown call mode: %q", string(r.Mode))
	}
	switch r.Priority {
	case PriorityFirst, PriorityEquals:
	case PriorityRatio:
		if r.RatioPriority < 1 || r.RatioNormal < 1 || r.RatioPriority > 20 || r.RatioNormal > 20 {
			return Errorf(EINVALID, "rule_ratio", "优先比例应为 1 到 20 之间的整数", "the priority ratio takes whole numbers from 1 to 20")
		}
	default:
		return Errorf(EINVALID, "rule_priority", "未知优先方式：%q", "unknown priority policy: %q", string(r.Priority))
	}
	return nil
}

// RuleState is what a counter's calling rule remembers between calls. The zero value is a fresh start.
type RuleState struct {
	// RatioPriority and RatioNormal count calls in the current ratio cycle.
	RatioPriority int `json:"ratioPriority,omitempty"`
	RatioNormal   int `json:"ratioNormal,omitempty"`
	// Credits are the smooth weighted round robin's current weights per service.
	Credits map[string]int `json:"credits,omitempty"`
}

// Candidate is what the calling rule needs to know of one waiting ticket.
type Candidate struct {
	TicketID  string
	ServiceID string
	// QueueKey orders tickets: lower waited longer (arrival, or its place after a requeue).
	QueueKey int64
	Priority bool
	// AppointmentFrom is the start of the booked slot, zero for walk-ins and late check-ins.
	AppointmentFrom time.Time
	// Directed marks a ticket transferred to this very counter.
	Directed bool
}

// PickNext is the calling rule: which of the waiting candidates counter services should call
// now, and the rule state after that call. It is pure and deterministic: the same inputs always
// give the same answer. ok is false when no candidate may be called.
//
// Precedence, highest first:
//  1. tickets transferred to this counter, longest waiting first;
//  2. appointment tickets whose slot has started (if rule.AppointmentsFirst), earliest slot first;
//  3. priority or normal tickets by rule.Priority (first, or a counted ratio);
//  4. within the chosen class, a service by rule.Mode (longest waiting, order, or weight), then
//     the longest waiting ticket of that service.
//
// Candidates are expected to be only those this counter may call (its services, or directed to it).
func PickNext(rule CallRule, services []CounterService, state RuleState, cands []Candidate, now time.Time) (Candidate, RuleState, bool) {
	if len(cands) == 0 {
		return Candidate{}, state, false
	}
	if best, ok := earliest(cands, func(c Candidate) bool { return c.Directed }); ok {
		return best, state, true
	}
	if rule.AppointmentsFirst {
		var due []Candidate
		for _, c := range cands {
			if !c.AppointmentFrom.IsZero() && !c.AppointmentFrom.After(now) {
				due = append(due, c)
			}
		}
		if len(due) > 0 {
			sort.Slice(due, func(i, j int) bool {
				if !due[i].AppointmentFrom.Equal(due[j].AppointmentFrom) {
					return due[i].AppointmentFrom.Before(due[j].AppointmentFrom)
				}
				return less(due[i], due[j])
			})
			return due[0], state, true
		}
	}

	var priority, normal []Candidate
	for _, c := range cands {
		if c.Priority && rule.Priority != PriorityEquals {
			priority = append(priority, c)
		} else {
			normal = append(normal, c)
		}
	}
	next := RuleState{RatioPriority: state.RatioPriority, RatioNormal: state.RatioNormal, Credits: state.Credits}
	class := normal
	switch rule.Priority {
	case PriorityFirst:
		if len(priority) > 0 {
			class = priority
		}
	case PriorityRatio:
		takePriority := false
		switch {
		case next.RatioPriority < rule.RatioPriority && len(priority) > 0:
			takePriority = true
		case next.RatioNormal < rule.RatioNormal && len(normal) > 0:
		default:
			// The cycle is used up for the classes that have someone waiting: start a new one.
			next.RatioPriority, next.RatioNormal = 0, 0
			takePriority = len(priority) > 0
		}
		if takePriority {
			class = priority
			next.RatioPriority++
		} else {
			next.RatioNormal++
		}
		if next.RatioPriority >= rule.RatioPriority && next.RatioNormal >= rule.RatioNormal {
			next.RatioPriority, next.RatioNormal = 0, 0
		}
	}

	switch rule.Mode {
	case ModeOrder:
		order := make(map[string]int, len(services))
		for i, s := range services {
			order[s.ServiceID] = s.Order*1000 + i
		}
		best := class[0]
		for _, c := range class[1:] {
			oc, ob := rankOf(order, c.ServiceID), rankOf(order, best.ServiceID)
			if oc < ob || (oc == ob && less(c, best)) {
				best = c
			}
		}
		return best, next, true
	case ModeWeight:
		heads := map[string]Candidate{}
		for _, c := range class {
			if h, ok := heads[c.ServiceID]; !ok || less(c, h) {
				heads[c.ServiceID] = c
			}
		}
		credits := make(map[string]int, len(services))
		for k, v := range state.Credits {
			credits[k] = v
		}
		total, chosen, found := 0, "", false
		for _, s := range services {
			if _, ok := heads[s.ServiceID]; !ok {
				continue
			}
			w := max(s.Weight, 1)
			credits[s.ServiceID] += w
			total += w
			if !found || credits[s.ServiceID] > credits[chosen] {
				chosen, found = s.ServiceID, true
			}
		}
		if !found { // the class's tickets belong to services not in the list: fall back to waiting time
			best, _ := earliest(class, nil)
			return best, next, true
		}
		credits[chosen] -= total
		next.Credits = credits
		return heads[chosen], next, true
	default:
		best, _ := earliest(class, nil)
		return best, next, true
	}
}

func rankOf(order map[string]int, serviceID string) int {
	if r, ok := order[serviceID]; ok {
		return r
	}
	return int(^uint(0) >> 1)
}

// less orders candidates by queue key, then ticket id, so that ties are deterministic.
func less(a, b Candidate) bool {
	if a.QueueKey != b.QueueKey {
		return a.QueueKey < b.QueueKey
	}
	return a.TicketID < b.TicketID
}

// earliest returns the candidate with the lowest queue key among those keep accepts (all if nil).
func earliest(cands []Candidate, keep func(Candidate) bool) (Candidate, bool) {
	var best Candidate
	found := false
	for _, c := range cands {
		if keep != nil && !keep(c) {
			continue
		}
		if !found || less(c, best) {
			best, found = c, true
		}
	}
	return best, found
}

// PickSpecific finds ticketID among the candidates for a call of one chosen ticket (指定叫号).
func PickSpecific(cands []Candidate, ticketID string) (Candidate, bool) {
	for _, c := range cands {
		if c.TicketID == ticketID {
			return c, true
		}
	}
	return Candidate{}, false
}

// RequeueKey returns the queue key that puts a missed ticket back places positions behind the head
// of its service's queue (过号重排). waiting holds the queue keys of the tickets waiting in that
// service, in ascending order. With fewer than places tickets waiting it goes to the end.
func RequeueKey(waiting []int64, places int, now time.Time) int64 {
	places = max(places, 1)
	end := now.UnixNano()
	if len(waiting) > 0 && waiting[len(waiting)-1] >= end {
		end = waiting[len(waiting)-1] + 1
	}
	if len(waiting) < places {
		return end
	}
	after := waiting[places-1]
	if len(waiting) == places {
		return max(after+1, end)
	}
	before := waiting[places]
	if before-after > 1 {
		return after + (before-after)/2
	}
	return after + 1
}
