package hall

import (
	"errors"
	"fmt"
)

// Error codes. They are part of the wire protocol: append only, never renumber or rename.
const (
	ECONFLICT     = "conflict"     // the operation is not legal in the current state
	EINTERNAL     = "internal"     // a fault of ours; details are in the log, never shown to people
	EINVALID      = "invalid"      // malformed or impossible input
	ENOTFOUND     = "not_found"    // the thing does not exist
	EUNAUTHORIZED = "unauthorized" // who are you? (missing, wrong or expired credentials)
	EFORBIDDEN    = "forbidden"    // known, but not allowed to do this
	EUNAVAILABLE  = "unavailable"  // cannot be done now (service closed, over its cap, store closed)
	ETOOMANY      = "too_many"     // rate limited; retry later
)

// Error is the one domain error. Code is for programs, Reason refines it for programs (e.g.
// "service_closed"), Message is for people in Chinese and English in English. Messages never
// carry internal details or personal data.
type Error struct {
	Code    string
	Reason  string
	Message string
	English string
}

// Error implements error; it reads "code/reason: english message".
func (e *Error) Error() string {
	if e.Reason != "" {
		return e.Code + "/" + e.Reason + ": " + e.English
	}
	return e.Code + ": " + e.English
}

// Errorf builds an *Error. The Chinese and English formats take the same arguments in the same order.
func Errorf(code, reason, zh, en string, args ...any) *Error {
	return &Error{Code: code, Reason: reason, Message: fmt.Sprintf(zh, args...), English: fmt.Sprintf(en, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for any other error,
// and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorReason returns the reason of the first *Error in err's chain, or "".
func ErrorReason(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return ""
}

// ErrorMessage returns the text to show people: Chinese unless english is true. Errors that are not
// *Error are internal faults and get a generic message; their details belong in the log only.
func ErrorMessage(err error, english bool) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		if english {
			return e.English
		}
		return e.Message
	}
	if english {
		return "Internal error, please try again or ask the hall staff."
	}
	return "系统内部错误，请重试或联系大厅工作人员。"
}

// notFound is the common "no such X" error.
func notFound(reason, zhWhat, enWhat, id string) *Error {
	return &Error{Code: ENOTFOUND, Reason: reason, Message: zhWhat + "不存在：" + id, English: enWhat + " not found: " + id}
}
