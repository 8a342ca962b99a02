package drivers

import (
	"context"
	"errors"
	"strconv"
	"time"
)

// RatingPad is the visitor-facing rating pad (评价器) at a counter. Implementation:
// ratingpad.Pad (our line protocol over a serial port) and the sim.RatingPad simulator.
//
// Methods are safe for concurrent use; calls are serialised on the port. At most one rating is
// asked for at a time: a new Rate replaces the pending one on the pad.
type RatingPad interface {
	// Rate shows the request on the pad and waits for the visitor's answer. It returns the
	// Score, or an error wrapping ErrRatingTimeout (no key pressed within req.Timeout),
	// ErrRatingCancelled (cancelled on the pad or by Cancel), ctx.Err() (the pad is told to
	// cancel, best effort), ErrTimeout/ErrOffline (the pad does not answer) or a device error.
	Rate(ctx context.Context, req RatingRequest) (Score, error)
	// Cancel withdraws the pending request (the waiting Rate returns ErrRatingCancelled). It is
	// not an error when nothing is pending.
	Cancel(ctx context.Context) error
	// Idle shows text (e.g. a greeting or the clerk's name) while no rating is pending.
	Idle(ctx context.Context, text string) error
	// Close stops the driver's goroutines. It is idempotent.
	Close() error
}

// RatingRequest asks a visitor to rate the service for Ticket given by the clerk with number
// Staff. Ticket and Staff are shown on the pad; Timeout (whole seconds, 1-255; 0 means the
// driver's default, usually 30 s) is how long the pad waits for a key.
type RatingRequest struct {
	Ticket  string
	Staff   string
	Timeout time.Duration
}

// Score is a visitor's answer on a rating pad.
type Score struct {
	Ticket string
	Level  RatingLevel
}

// Outcomes of a rating request other than a score.
var (
	ErrRatingTimeout   = errors.New("rating: no answer in time")
	ErrRatingCancelled = errors.New("rating: cancelled")
)

// RatingLevel is one of the five national 好差评 levels, 1 (best) to 5 (worst). The zero value
// is not a level.
type RatingLevel int

// The five levels of the national 好差评 system.
const (
	VerySatisfied      RatingLevel = 1 // 非常满意
	Satisfied          RatingLevel = 2 // 满意
	BasicallySatisfied RatingLevel = 3 // 基本满意
	Dissatisfied       RatingLevel = 4 // 不满意
	VeryDissatisfied   RatingLevel = 5 // 非常不满意
)

var ratingNames = [...]struct{ zh, en string }{
	{},
	{"非常满意", "very satisfied"},
	{"满意", "satisfied"},
	{"基本满意", "basically satisfied"},
	{"不满意", "dissatisfied"},
	{"非常不满意", "very dissatisfied"},
}

// Valid reports whether l is one of the five levels.
func (l RatingLevel) Valid() bool { return l >= VerySatisfied && l <= VeryDissatisfied }

// Chinese returns the level's official name, e.g. "非常满意", or "" for an invalid level.
func (l RatingLevel) Chinese() string {
	if !l.Valid() {
		return ""
	}
	return ratingNames[l].zh
}

// String returns the English name, e.g. "very satisfied", or "RatingLevel(n)" when invalid.
func (l RatingLevel) String() string {
	if !l.Valid() {
		return "RatingLevel(" + strconv.Itoa(int(l)) + ")"
	}
	return ratingNames[l].en
}

// Good reports whether the level counts as a good rating (好评: 非常满意, 满意, 基本满意).
func (l RatingLevel) Good() bool { return l.Valid() && l <= BasicallySatisfied }

// ErrInvalidRatingLevel is returned by ParseRatingLevel for anything but "1" to "5".
var ErrInvalidRatingLevel = errors.New("rating: invalid level")

// ParseRatingLevel parses the digits "1" to "5". Anything else fails with
// ErrInvalidRatingLevel.
func ParseRatingLevel(s string) (RatingLevel, error) {
	if len(s) != 1 || s[0] < '1' || s[0] > '5' {
		return 0, ErrInvalidRatingLevel
	}
	return RatingLevel(s[0] - '0'), nil
}
