package terminal

import (
	"fmt"
	"strings"
)

// Lang is the language of a window: Chinese first, English second.
type Lang string

// Languages.
const (
	Chinese Lang = "zh"
	English Lang = "en"
)

// LangFromEnv picks English when the locale (e.g. $LANG) starts with "en", Chinese otherwise.
func LangFromEnv(locale string) Lang {
	if strings.HasPrefix(strings.ToLower(locale), "en") {
		return English
	}
	return Chinese
}

// texts holds every visible string: key → {Chinese, English}. Format verbs are the same in both.
var texts = map[string][2]string{
	"app_title":         {"窗口叫号终端", "Counter terminal"},
	"citizen_title":     {"窗口交互屏", "Counter customer screen"},
	"staff_id":          {"工号", "Staff number"},
	"password":          {"密码", "Password"},
	"counter":           {"窗口", "Counter"},
	"login":             {"登录", "Log in"},
	"later":             {"稍后", "Later"},
	"relogin":           {"重新登录", "Log in again"},
	"logout":            {"退出", "Log out"},
	"login_title":       {"工作人员登录", "Staff login"},
	"login_hint":        {"请输入工号和密码并选择窗口", "Enter your staff number and password and choose your counter"},
	"choose_counter":    {"请选择窗口", "Choose a counter"},
	"counter_in_use":    {"（使用中：工号 %s）", " (in use: staff %s)"},
	"counter_label":     {"%d 号窗口", "Counter %d"},
	"session_expired":   {"登录已过期，请重新输入密码（当前号码不会丢失）", "Your session has expired; enter your password again (the current ticket is kept)"},
	"switch_lang":       {"English", "中文"},
	"clerk_line":        {"工号 %s  %s", "Staff %s  %s"},
	"state_logged_out":  {"未登录", "Logged out"},
	"state_idle":        {"空闲", "Idle"},
	"state_serving":     {"办理中", "Serving"},
	"state_paused":      {"暂停服务：%s", "Paused: %s"},
	"online":            {"在线", "Online"},
	"offline":           {"离线 · 正在重连", "Offline · reconnecting"},
	"offline_button":    {"离线", "Offline"},
	"working":           {"处理中…", "Working…"},
	"retrying":          {"“%s”等待服务器，恢复连接后自动完成（不会重复）", "“%s” waits for the server and completes once it is back (never twice)"},
	"no_ticket":         {"当前没有号码", "No current ticket"},
	"press_f1":          {"按 F1 叫下一位", "Press F1 to call the next visitor"},
	"press_f5":          {"暂停中 · 按 F5 恢复服务", "Paused · press F5 to resume service"},
	"waited":            {"等候 %s", "Waited %s"},
	"called_times":      {"已呼叫 %d 次", "Calls: %d"},
	"service":           {"事项", "Service"},
	"applicant":         {"办事人：%s %s", "Applicant: %s %s"},
	"mark_appointment":  {"预约", "Booked"},
	"mark_priority":     {"绿色通道", "Priority"},
	"mark_transferred":  {"转入", "Transferred in"},
	"mark_virtual":      {"虚拟叫号", "No ticket"},
	"mark_requeued":     {"过号重排", "Put back"},
	"ticket_state":      {"状态：%s", "State: %s"},
	"op_call":           {"叫号", "Call next"},
	"op_recall":         {"重呼", "Recall"},
	"op_noshow":         {"过号", "No-show"},
	"op_transfer":       {"转移", "Transfer"},
	"op_pause":          {"暂停", "Pause"},
	"op_unpause":        {"恢复服务", "Resume service"},
	"op_finish":         {"办结", "Finish"},
	"op_start":          {"开始办理", "Start"},
	"op_hold":           {"挂起", "Hold"},
	"op_resume":         {"恢复挂起", "Resume held"},
	"op_rate":           {"邀请评价", "Ask for rating"},
	"op_virtual":        {"虚拟叫号", "Virtual call"},
	"op_call_this":      {"叫此号", "Call this"},
	"waiting_list":      {"等候队列（%d）", "Waiting (%d)"},
	"held_list":         {"挂起（%d）", "On hold (%d)"},
	"waiting_row":       {"%s  %s  等候 %s", "%s  %s  waited %s"},
	"today":             {"今日：办结 %d 件 · 平均 %s · 过号 %d · 转移 %d · 评价 %d（满意 %d，差评 %d，未评 %d）", "Today: %d served · average %s · %d no-show · %d transferred · %d ratings (%d good, %d bad, %d not rated)"},
	"noshow_title":      {"过号 %s", "No-show %s"},
	"noshow_requeue":    {"过号重排（放回队列）", "Put back in the line"},
	"noshow_places":     {"往后排位数", "Places back"},
	"transfer_title":    {"转移号码 %s", "Transfer ticket %s"},
	"transfer_service":  {"转往事项", "To service"},
	"transfer_counter":  {"转往窗口（可选）", "To counter (optional)"},
	"transfer_nowhere":  {"请改选事项，或指定一个窗口", "Choose another service or a counter"},
	"any_counter":       {"任意窗口", "Any counter"},
	"pause_title":       {"暂停服务", "Pause service"},
	"pause_reason":      {"暂停原因", "Reason"},
	"pause_custom":      {"其他原因", "Other reason"},
	"pause_custom_hint": {"选填，显示在窗口屏上（最多 %d 字）", "Optional, shown on the window sign (at most %d characters)"},
	"pause_left":        {"窗口屏还可显示 %d 字", "%d more characters fit the window sign"},
	"pause_too_long":    {"窗口屏每行最多 %d 字", "The window sign shows at most %d characters a line"},
	"hold_title":        {"挂起号码", "Hold ticket"},
	"hold_reason":       {"挂起原因（如：补充材料）", "Reason (e.g. fetching a document)"},
	"virtual_title":     {"虚拟叫号（无号办理）", "Virtual call (visitor without a ticket)"},
	"ok":                {"确定", "OK"},
	"cancel":            {"取消", "Cancel"},
	"error":             {"操作未完成", "Not done"},
	"refused":           {"%s未完成：%s", "%s not done: %s"},
	"error_code":        {"（%s）", " (%s)"},
	"empty_queue":       {"当前没有等候的号码", "Nobody is waiting"},
	"rate_asking":       {"请办事人评价 %s（%d 秒）", "Asking the visitor to rate %s (%d s)"},
	"rate_done":         {"%s 的评价：%s", "Rating of %s: %s"},
	"rate_failed":       {"评价器未响应：%s", "The rating pad did not answer: %s"},
	"rate_title":        {"请您对本次服务进行评价", "Please rate our service"},
	"rate_subtitle":     {"号码 %s · %s · 工号 %s", "Ticket %s · %s · staff %s"},
	"reason_title":      {"请选择不满意的原因（可多选）", "What went wrong? (choose one or more)"},
	"reason_comment":    {"补充说明（选“其他”时必填）", "Comment (needed with \"Other\")"},
	"reason_none":       {"访客未说明原因", "The visitor gave no reason"},
	"submit":            {"提交", "Submit"},
	"thanks":            {"感谢您的评价！", "Thank you for your rating!"},
	"citizen_idle":      {"欢迎办理 · %d 号窗口", "Welcome · Counter %d"},
	"citizen_serving":   {"正在为您办理：%s", "Now serving you: %s"},
	"citizen_ticket":    {"号码 %s", "Ticket %s"},
	"citizen_paused":    {"暂停服务：%s", "Paused: %s"},
	"sign_paused":       {"暂停服务", "Paused"},
	"sign_staff":        {"工号%s", "Staff %s"},
	"sign_idle":         {"%d号窗口", "Counter %d"},
	"scan_unknown":      {"无法识别的条码：%s", "Unknown code: %s"},
	"scan_busy":         {"上一操作尚未完成，请稍后再扫 %s", "The last operation is not done yet; scan %s again shortly"},
	"scan_opened":       {"已打开号码 %s", "Opened ticket %s"},
	"device_fault":      {"%s 故障：%s", "%s fault: %s"},
	"dev_sign":          {"窗口屏", "Window sign"},
	"dev_pad":           {"评价器", "Rating pad"},
	"dev_scanner":       {"扫描枪", "Scanner"},
	"minutes":           {"%d 分钟", "%d min"},
	"seconds":           {"%d 秒", "%d s"},
	"min_sec":           {"%d 分 %d 秒", "%d min %d s"},
}

// tr returns the text of key in lang, formatted with args. An unknown key is returned as is, so
// that a missing translation shows up in tests instead of an empty label.
func tr(lang Lang, key string, args ...any) string {
	t, ok := texts[key]
	if !ok {
		return key
	}
	s := t[0]
	if lang == English {
		s = t[1]
	}
	if len(args) == 0 {
		return s
	}
	return fmt.Sprintf(s, args...)
}
