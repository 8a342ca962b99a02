package terminal

import (
	"errors"
	"fmt"
	"strings"

	"hall"
)

// refusal is an operation the server refused (or that failed), kept as the error itself so that
// the notice follows the clerk's language when it is switched.
type refusal struct {
	op  string // text key of the operation ("" for none)
	err error
}

// refusalText is a refusal for people: the operation, the server's message and its code, e.g.
// "叫号未完成：当前没有等候的号码（ECONFLICT/queue_empty）".
func refusalText(lang Lang, op string, err error) string {
	msg := hall.ErrorMessage(err, lang == English)
	var he *hall.Error
	if errors.As(err, &he) {
		code := he.Code
		if he.Reason != "" {
			code += "/" + he.Reason
		}
		msg = strings.TrimRight(msg, "。.") + tr(lang, "error_code", code)
	}
	if op == "" {
		return msg
	}
	return tr(lang, "refused", tr(lang, op), msg)
}

// counterName is a counter in a choice: "1 号窗口", or "3 号窗口 · 综合受理" when its name says
// more than its number.
func counterName(lang Lang, c hall.Counter) string {
	label := tr(lang, "counter_label", c.Number)
	name := strings.TrimSpace(c.Name)
	if name == "" || strings.ReplaceAll(name, " ", "") == fmt.Sprintf("%d号窗口", c.Number) {
		return label
	}
	return label + " · " + name
}
