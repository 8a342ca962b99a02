package hall

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// RatingLevel is a visitor's rating of one service (好差评), numbered as the national platform
// numbers them: 5 非常满意 (best) down to 1 非常不满意 (worst). RatingNotRated (0) records that
// the visitor gave no answer before the pad's timeout.
//
// Rating pads number their keys the other way round (drivers.RatingLevel: 1 is best); the
// counter converts with 6 − key.
type RatingLevel int

// The five national levels, and "not rated".
const (
	RatingNotRated           RatingLevel = 0
	RatingVeryDissatisfied   RatingLevel = 1 // 非常不满意
	RatingDissatisfied       RatingLevel = 2 // 不满意
	RatingBasicallySatisfied RatingLevel = 3 // 基本满意
	RatingSatisfied          RatingLevel = 4 // 满意
	RatingVerySatisfied      RatingLevel = 5 // 非常满意
)

// RatingLevels lists the five levels best first, the order pads and screens show them.
var RatingLevels = []RatingLevel{RatingVerySatisfied, RatingSatisfied, RatingBasicallySatisfied, RatingDissatisfied, RatingVeryDissatisfied}

var ratingLevelLabels = [...][2]string{
	{"未评价", "Not rated"},
	{"非常不满意", "Very dissatisfied"},
	{"不满意", "Dissatisfied"},
	{"基本满意", "Basically satisfied"},
	{"满意", "Satisfied"},
	{"非常满意", "Very satisfied"},
}

// Valid reports whether l is one of the five levels or RatingNotRated.
func (l RatingLevel) Valid() bool { return l >= RatingNotRated && l <= RatingVerySatisfied }

// Rated reports whether l is one of the five levels (not RatingNotRated).
func (l RatingLevel) Rated() bool { return l >= RatingVeryDissatisfied && l <= RatingVerySatisfied }

// Bad reports whether l is a bad rating (差评: 不满意 or 非常不满意), which needs a reason and is
// flagged for follow-up.
func (l RatingLevel) Bad() bool { return l == RatingVeryDissatisfied || l == RatingDissatisfied }

// Label returns the level's official name ("非常满意") or its English name.
func (l RatingLevel) Label(english bool) string {
	if !l.Valid() {
		return ""
	}
	if english {
		return ratingLevelLabels[l][1]
	}
	return ratingLevelLabels[l][0]
}

// RatingReason is a coded reason for a bad rating. The codes are part of the wire protocol and of
// what is sent to the province platform: append only.
type RatingReason string

// Reasons for a bad rating.
const (
	ReasonAttitude   RatingReason = "attitude"   // 服务态度不好
	ReasonWaiting    RatingReason = "waiting"    // 等候时间过长
	ReasonEfficiency RatingReason = "efficiency" // 办事效率低
	ReasonUnclear    RatingReason = "unclear"    // 政策解释、告知不清楚
	ReasonMaterials  RatingReason = "materials"  // 材料要求繁琐
	ReasonRunsAgain  RatingReason = "runs_again" // 需要多次跑动
	ReasonSystem     RatingReason = "system"     // 系统或设备故障
	ReasonOther      RatingReason = "other"      // 其他（请说明）
)

// RatingReasons lists the reasons in the order they are offered.
var RatingReasons = []RatingReason{ReasonAttitude, ReasonWaiting, ReasonEfficiency, ReasonUnclear, ReasonMaterials, ReasonRunsAgain, ReasonSystem, ReasonOther}

var ratingReasonLabels = map[RatingReason][2]string{
	ReasonAttitude:   {"服务态度不好", "Unfriendly service"},
	ReasonWaiting:    {"等候时间过长", "Waited too long"},
	ReasonEfficiency: {"办事效率低", "Slow handling"},
	ReasonUnclear:    {"政策解释不清楚", "Rules not explained clearly"},
	ReasonMaterials:  {"材料要求繁琐", "Too many documents asked for"},
	ReasonRunsAgain:  {"需要多次跑动", "Had to come back again"},
	ReasonSystem:     {"系统或设备故障", "System or device fault"},
	ReasonOther:      {"其他", "Other"},
}

// Valid reports whether r is a known reason.
func (r RatingReason) Valid() bool { _, ok := ratingReasonLabels[r]; return ok }

// Label returns the reason for people.
func (r RatingReason) Label(english bool) string {
	if english {
		return ratingReasonLabels[r][1]
	}
	return ratingReasonLabels[r][0]
}

// RatingSource is where the visitor answered.
type RatingSource string

// Rating sources.
const (
	RatingFromPad    RatingSource = "pad"    // the serial rating pad (评价器)
	RatingFromScreen RatingSource = "screen" // the counter's citizen-facing screen (窗口交互屏)
)

// Valid reports whether s is a known source.
func (s RatingSource) Valid() bool { return s == RatingFromPad || s == RatingFromScreen }

// MaxRatingComment bounds the free text of a rating, in characters.
const MaxRatingComment = 200

// RatingRequest records a visitor's rating of the ticket served at a counter.
type RatingRequest struct {
	TicketID  string      `json:"ticketId"`
	CounterID string      `json:"counterId"`
	Level     RatingLevel `json:"level"`
	// Reasons are required (at least one) for the two bad levels and refused for the others.
	Reasons []RatingReason `json:"reasons,omitempty"`
	// Comment is optional free text (required with ReasonOther), at most MaxRatingComment characters.
	Comment string       `json:"comment,omitempty"`
	Source  RatingSource `json:"source"`
	// CaseID links the case (办件) opened from the ticket, if any.
	CaseID string `json:"caseId,omitempty"`
}

// Validate checks the request on its own (not against the ticket) and normalises the comment.
// EINVALID with a reason saying what is wrong.
func (r *RatingRequest) Validate() error {
	if r.TicketID == "" {
		return Errorf(EINVALID, "ticket_id", "请指定评价的号码", "give the ticket rated (ticketId)")
	}
	if r.CounterID == "" {
		return Errorf(EINVALID, "counter_id", "请指定窗口", "give the counter (counterId)")
	}
	if !r.Level.Valid() {
		return Errorf(EINVALID, "rating_level", "评价等级应为 1 到 5（0 表示未评价）：%d", "the rating level must be 1 to 5 (0 for not rated): %d", int(r.Level))
	}
	if !r.Source.Valid() {
		return Errorf(EINVALID, "rating_source", "未知评价来源：%q", "unknown rating source: %q", string(r.Source))
	}
	r.Comment = strings.TrimSpace(r.Comment)
	if !utf8.ValidString(r.Comment) || utf8.RuneCountInString(r.Comment) > MaxRatingComment {
		return Errorf(EINVALID, "rating_comment", "评价说明最多 %d 个字", "the comment has at most %d characters", MaxRatingComment)
	}
	seen := map[RatingReason]bool{}
	for _, rs := range r.Reasons {
		if !rs.Valid() {
			return Errorf(EINVALID, "rating_reason", "未知差评原因：%q", "unknown reason: %q", string(rs))
		}
		if seen[rs] {
			return Errorf(EINVALID, "rating_reason", "差评原因重复：%s", "reason given twice: %s", string(rs))
		}
		seen[rs] = true
	}
	switch {
	case r.Level.Bad() && len(r.Reasons) == 0:
		return Errorf(EINVALID, "reason_required", "差评请选择原因", "a bad rating needs a reason")
	case !r.Level.Bad() && (len(r.Reasons) > 0 || (r.Level == RatingNotRated && r.Comment != "")):
		return Errorf(EINVALID, "reason_not_allowed", "只有差评需要填写原因", "only a bad rating takes reasons")
	case seen[ReasonOther] && r.Comment == "":
		return Errorf(EINVALID, "comment_required", "选择“其他”时请说明原因", "explain the reason when choosing “other”")
	}
	if r.CaseID != "" {
		if err := validateID("case", r.CaseID); err != nil {
			return err
		}
	}
	return nil
}

// Rating is a visitor's rating of one ticket's service at a counter, or the record that the
// visitor did not rate (Level RatingNotRated). There is at most one per ticket: a transferred
// visitor gets a new ticket in the next service and can rate that service too.
type Rating struct {
	// ID is the rated ticket's id: one rating per ticket.
	ID            string         `json:"id"`
	Day           Day            `json:"day"`
	TicketID      string         `json:"ticketId"`
	TicketCode    string         `json:"ticketCode"`
	ServiceID     string         `json:"serviceId"`
	AreaID        string         `json:"areaId"`
	CounterID     string         `json:"counterId"`
	CounterNumber int            `json:"counterNumber"`
	StaffID       string         `json:"staffId"`
	CaseID        string         `json:"caseId,omitempty"`
	Level         RatingLevel    `json:"level"`
	Reasons       []RatingReason `json:"reasons,omitempty"`
	Comment       string         `json:"comment,omitempty"`
	Source        RatingSource   `json:"source"`
	// FollowUp flags a bad rating for the supervisors (差评整改).
	FollowUp bool      `json:"followUp,omitempty"`
	At       time.Time `json:"at"`
}

// NewRating checks that ticket t, served at counter c, can be rated now with request r (already
// validated) and returns the rating. ECONFLICT when the ticket was not served at that counter or
// is not (or no longer) at a counter today.
func NewRating(r RatingRequest, t Ticket, c Counter, today Day, now time.Time) (Rating, error) {
	switch t.State {
	case TicketCalled, TicketServing, TicketHeld, TicketDone, TicketTransferred:
	default:
		return Rating{}, ticketConflict(&t, "ticket_not_rateable", "未在窗口办理，不能评价", "was not served and cannot be rated")
	}
	if t.CounterID != c.ID {
		return Rating{}, Errorf(ECONFLICT, "not_counter_ticket", "号码 %s 不是在 %d 号窗口办理的", "ticket %s was not served at counter %d", t.Code, c.Number)
	}
	if t.Day != today {
		return Rating{}, Errorf(ECONFLICT, "rating_too_late", "号码 %s 不是今天的，不能再评价", "ticket %s is not from today and can no longer be rated", t.Code)
	}
	return Rating{
		ID: t.ID, Day: t.Day, TicketID: t.ID, TicketCode: t.Code, ServiceID: t.ServiceID, AreaID: t.AreaID,
		CounterID: c.ID, CounterNumber: c.Number, StaffID: t.StaffID, CaseID: r.CaseID,
		Level: r.Level, Reasons: r.Reasons, Comment: r.Comment, Source: r.Source, FollowUp: r.Level.Bad(), At: now,
	}, nil
}

// AlreadyRated is the conflict of a second rating for one ticket.
func AlreadyRated(code string) *Error {
	return Errorf(ECONFLICT, "already_rated", "号码 %s 已经评价过", "ticket %s has already been rated", code)
}

// CounterFigures are one clerk's figures at one counter on one day: what the counter terminal
// shows as "today".
type CounterFigures struct {
	Day       Day    `json:"day"`
	CounterID string `json:"counterId"`
	StaffID   string `json:"staffId"`
	// Served counts finished tickets; ServiceTime is their total service time, so the average
	// is ServiceTime / Served.
	Served      int           `json:"served"`
	ServiceTime time.Duration `json:"serviceTime"`
	NoShows     int           `json:"noShows"`
	Transferred int           `json:"transferred"`
	// Ratings counts ratings by level; index 0 is "not rated", 1-5 the national levels.
	Ratings [6]int `json:"ratings"`
}

// AverageService is the mean service time of the finished tickets (zero when none).
func (f CounterFigures) AverageService() time.Duration {
	if f.Served == 0 {
		return 0
	}
	return f.ServiceTime / time.Duration(f.Served)
}

// Rated counts the ratings given (not counting "not rated").
func (f CounterFigures) Rated() int {
	n := 0
	for _, l := range RatingLevels {
		n += f.Ratings[l]
	}
	return n
}

// Count adds what event e says to the figures of the counter and clerk e belongs to. It counts
// ticket.finished (with its service time), ticket.noshow, ticket.requeued, ticket.transferred
// and rating.recorded; every other event changes nothing. It reports whether e counted.
func (f *CounterFigures) Count(e Event) bool {
	switch e.Type {
	case EventTicketFinished:
		f.Served++
		if e.Ticket != nil {
			f.ServiceTime += e.Ticket.ServiceTime()
		}
	case EventTicketNoShow, EventTicketRequeued:
		f.NoShows++
	case EventTicketTransferred:
		f.Transferred++
	case EventRatingRecorded:
		if e.Rating == nil || !e.Rating.Level.Valid() {
			return false
		}
		f.Ratings[e.Rating.Level]++
	default:
		return false
	}
	return true
}

// Ratings records and reads ratings.
type Ratings interface {
	// RecordRating validates r, stores the rating and appends its rating.recorded event in one
	// step. EINVALID for a bad request; ENOTFOUND for an unknown ticket or counter; ECONFLICT
	// ("already_rated") for a second rating of the ticket, or when the ticket cannot be rated at
	// that counter (see NewRating).
	RecordRating(ctx context.Context, r RatingRequest) (Rating, error)
	// Rating returns the rating of a ticket. ENOTFOUND ("rating_not_found") if it has none.
	Rating(ctx context.Context, ticketID string) (Rating, error)
}
