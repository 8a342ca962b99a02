package hall

import (
	"strings"
	"time"
)

// CounterState is what a counter (窗口) is doing.
type CounterState string

// Counter states. The admin monitor shows them as 未登录 / 空闲 / 办理中 / 暂停.
const (
	CounterLoggedOut CounterState = "logged_out"
	CounterIdle      CounterState = "idle"
	CounterServing   CounterState = "serving" // a ticket is called or being served
	CounterPaused    CounterState = "paused"
)

var counterStateLabels = map[CounterState][2]string{
	CounterLoggedOut: {"未登录", "Logged out"},
	CounterIdle:      {"空闲", "Idle"},
	CounterServing:   {"办理中", "Serving"},
	CounterPaused:    {"暂停", "Paused"},
}

// Label returns the state's name for people.
func (s CounterState) Label(english bool) string {
	if english {
		return counterStateLabels[s][1]
	}
	return counterStateLabels[s][0]
}

// CounterService is one service a counter serves, with its order (lower first) and weight.
type CounterService struct {
	ServiceID string `json:"serviceId"`
	Order     int    `json:"order,omitempty"`
	Weight    int    `json:"weight,omitempty"`
}

// Counter is a service window (窗口).
type Counter struct {
	ID     string `json:"id"`
	Number int    `json:"number"` // the window number announced: "请到 3 号窗口"
	Name   string `json:"name,omitempty"`
	AreaID string `json:"areaId"`
	// Services lists what the counter serves.
	Services []CounterService `json:"services"`
	// Rule overrides the hall's default calling rule for this counter.
	Rule *CallRule `json:"rule,omitempty"`
	// SignGroup names the window sign shared by two positions (一屏双号双呼); Position is this
	// counter's place under it ("左"/"右", "A"/"B").
	SignGroup string `json:"signGroup,omitempty"`
	Position  string `json:"position,omitempty"`

	// Live state, changed only by the transitions below.
	State       CounterState `json:"state"`
	StaffID     string       `json:"staffId,omitempty"`
	PauseReason string       `json:"pauseReason,omitempty"`
	// TicketID is the ticket called or being served, if any.
	TicketID string    `json:"ticketId,omitempty"`
	Since    time.Time `json:"since"`
	// RuleState is the calling rule's memory (ratio and weight counters).
	RuleState RuleState `json:"ruleState"`
}

// Validate checks the counter's configuration (not its live state).
func (c Counter) Validate() error {
	if err := validateID("counter", c.ID); err != nil {
		return err
	}
	if c.Number < 1 || c.Number > 9999 {
		return Errorf(EINVALID, "counter_number", "窗口号应在 1 到 9999 之间：%d", "the window number must be 1 to 9999: %d", c.Number)
	}
	if c.AreaID == "" {
		return Errorf(EINVALID, "counter_area", "窗口必须属于一个区域", "the counter needs an area")
	}
	seen := map[string]bool{}
	for _, s := range c.Services {
		if s.ServiceID == "" || seen[s.ServiceID] {
			return Errorf(EINVALID, "counter_services", "窗口事项重复或为空", "the counter lists a service twice or an empty one")
		}
		if s.Weight < 0 {
			return Errorf(EINVALID, "counter_weight", "权重不能为负数", "weights cannot be negative")
		}
		seen[s.ServiceID] = true
	}
	if c.Rule != nil {
		return c.Rule.Validate()
	}
	return nil
}

// Serves reports whether the counter serves service id.
func (c Counter) Serves(serviceID string) bool {
	for _, s := range c.Services {
		if s.ServiceID == serviceID {
			return true
		}
	}
	return false
}

// Open reports whether the counter can take visitors: logged in and not paused.
func (c Counter) Open() bool {
	return c.State == CounterIdle || c.State == CounterServing
}

// EffectiveRule returns the counter's rule or the hall's default.
func (c Counter) EffectiveRule(h Hall) CallRule {
	if c.Rule != nil {
		return *c.Rule
	}
	return h.DefaultRule
}

func counterConflict(c *Counter, reason, zh, en string) *Error {
	return Errorf(ECONFLICT, reason, "%d 号窗口"+zh+"（当前："+c.State.Label(false)+"）",
		"counter %d "+en+" (now: "+c.State.Label(true)+")", c.Number)
}

// Login puts staffID on the counter. Refused unless the counter is logged out (or the same clerk
// logs in again, which is a no-op success).
func (c *Counter) Login(staffID string, now time.Time) error {
	if staffID == "" {
		return Errorf(EINVALID, "staff_id", "缺少工号", "staff number missing")
	}
	if c.State != CounterLoggedOut {
		if c.StaffID == staffID {
			return nil
		}
		return counterConflict(c, "counter_taken", "已有其他工作人员登录", "is taken by another clerk")
	}
	c.State, c.StaffID, c.PauseReason, c.Since = CounterIdle, staffID, "", now
	return nil
}

// Logout ends the session. Refused while a ticket is called or served.
func (c *Counter) Logout(now time.Time) error {
	switch c.State {
	case CounterLoggedOut:
		return counterConflict(c, "counter_logged_out", "未登录", "is not logged in")
	case CounterServing:
		return counterConflict(c, "counter_busy", "正在办理，请先办结或转移", "is serving; finish or transfer first")
	}
	c.State, c.StaffID, c.PauseReason, c.TicketID, c.Since = CounterLoggedOut, "", "", "", now
	return nil
}

// ForceLogout ends the session whatever the state (day close); the caller expires the ticket.
func (c *Counter) ForceLogout(now time.Time) {
	c.State, c.StaffID, c.PauseReason, c.TicketID, c.Since = CounterLoggedOut, "", "", "", now
}

// CanCall checks that the counter may call a ticket: logged in, not paused, and not still busy.
func (c *Counter) CanCall() error {
	switch c.State {
	case CounterIdle:
		return nil
	case CounterLoggedOut:
		return counterConflict(c, "counter_logged_out", "未登录，不能叫号", "is not logged in and cannot call")
	case CounterPaused:
		return counterConflict(c, "counter_paused", "已暂停服务，不能叫号", "is paused and cannot call")
	default:
		return counterConflict(c, "counter_busy", "当前号码尚未办结", "has not finished its current ticket")
	}
}

// Take records that ticketID is now called at the counter. Call CanCall first.
func (c *Counter) Take(ticketID string, now time.Time) error {
	if err := c.CanCall(); err != nil {
		return err
	}
	c.State, c.TicketID, c.Since = CounterServing, ticketID, now
	return nil
}

// Release returns the counter to idle after its ticket is finished, missed, held or transferred.
func (c *Counter) Release(now time.Time) error {
	if c.State != CounterServing {
		return counterConflict(c, "counter_no_ticket", "当前没有号码", "has no current ticket")
	}
	c.State, c.TicketID, c.Since = CounterIdle, "", now
	return nil
}

// Current returns the counter's current ticket id or a conflict error.
func (c *Counter) Current() (string, error) {
	if c.State != CounterServing || c.TicketID == "" {
		return "", counterConflict(c, "counter_no_ticket", "当前没有号码", "has no current ticket")
	}
	return c.TicketID, nil
}

// Pause stops calling with a reason shown on the sign (暂停服务). Only an idle counter pauses.
func (c *Counter) Pause(reason string, now time.Time) error {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return Errorf(EINVALID, "pause_reason", "请选择暂停原因", "a pause needs a reason")
	}
	if len([]rune(reason)) > 40 {
		return Errorf(EINVALID, "pause_reason", "暂停原因过长（最多 40 字）", "the pause reason is too long (40 characters at most)")
	}
	switch c.State {
	case CounterIdle:
	case CounterPaused:
		return counterConflict(c, "counter_paused", "已经暂停", "is already paused")
	case CounterServing:
		return counterConflict(c, "counter_busy", "正在办理，请先办结", "is serving; finish first")
	default:
		return counterConflict(c, "counter_logged_out", "未登录", "is not logged in")
	}
	c.State, c.PauseReason, c.Since = CounterPaused, reason, now
	return nil
}

// Unpause resumes calling.
func (c *Counter) Unpause(now time.Time) error {
	if c.State != CounterPaused {
		return counterConflict(c, "counter_not_paused", "未暂停", "is not paused")
	}
	c.State, c.PauseReason, c.Since = CounterIdle, "", now
	return nil
}
