package kiosk

import (
	"fmt"
	"time"
)

// Lang is the visitor's language.
type Lang string

// Languages: Chinese first, English second.
const (
	Chinese Lang = "zh"
	English Lang = "en"
)

// texts holds every visible string: key → {Chinese, English}. Format verbs are the same in both.
var texts = map[string][2]string{
	"switch_lang":         {"English", "中文"},
	"welcome":             {"请选择办理事项，或直接刷身份证取号", "Choose a service, or place your ID card on the reader"},
	"choose_area":         {"办理区域", "Areas"},
	"waiting":             {"等候 %d 人", "%d waiting"},
	"est_wait":            {"约 %d 分钟", "about %d min"},
	"no_wait":             {"无需等候", "no wait"},
	"closed":              {"暂停取号", "Not available"},
	"way_phone":           {"手机号取号", "Phone number"},
	"way_booking":         {"预约签到", "Booking check-in"},
	"way_priority":        {"绿色通道", "Priority lane"},
	"way_guide":           {"办事指南", "Service guide"},
	"way_licence":         {"自助打证", "Print licences"},
	"coming_soon":         {"即将开通", "Coming soon"},
	"scan_hint":           {"预约用户请将二维码对准扫描口", "Booked? Hold your QR code under the scanner"},
	"person_ready":        {"您好，%s（%s）。请选择办理事项", "Hello, %s (%s). Choose a service"},
	"phone_ready":         {"手机号 %s：请选择办理事项", "Phone %s: choose a service"},
	"priority_ready":      {"绿色通道（%s）：请选择办理事项", "Priority lane (%s): choose a service"},
	"cancel":              {"取消", "Cancel"},
	"back":                {"返回", "Back"},
	"home":                {"返回首页", "Home"},
	"ok":                  {"确定", "OK"},
	"clear":               {"清空", "Clear"},
	"delete":              {"退格", "Delete"},
	"enter_phone":         {"请输入手机号码", "Enter your mobile number"},
	"enter_booking":       {"请输入 6 位预约码，或将预约二维码对准扫描口", "Enter the 6-digit booking code, or scan the booking QR code"},
	"enter_pin":           {"请输入管理密码", "Enter the admin PIN"},
	"wrong_pin":           {"密码错误", "Wrong PIN"},
	"phone_invalid":       {"手机号码应为 11 位数字，以 1 开头", "A mobile number has 11 digits and starts with 1"},
	"booking_invalid":     {"预约码为 6 位数字", "The booking code has 6 digits"},
	"issuing":             {"正在出号，请稍候…", "Issuing your number, please wait…"},
	"take_ticket":         {"请取走您的排队凭条", "Please take your ticket"},
	"your_number":         {"您的号码", "Your number"},
	"ahead":               {"前面还有 %d 人", "%d ahead of you"},
	"wait_minutes":        {"预计等候 %d 分钟", "Estimated wait %d min"},
	"printer_fault":       {"打印机故障（%s），未能打印凭条。请记住您的号码，或用手机扫描二维码", "The printer cannot print (%s). Please remember your number or scan the QR code with your phone"},
	"staff_told":          {"已通知工作人员", "The hall staff have been told"},
	"scan_mobile":         {"手机扫码查看排队进度", "Scan to follow the queue on your phone"},
	"counter_scan":        {"窗口扫码", "Counter code"},
	"already_waiting":     {"您已有该业务的排队号 %s，请勿重复取号", "You already hold the ticket %s for this service"},
	"already_waiting_any": {"您已有该业务的排队号，请勿重复取号", "You already hold a ticket for this service"},
	"error_title":         {"未能出号", "No number issued"},
	"issue_unknown":       {"服务器暂时无法连接，无法确认是否已出号，请咨询导办人员，勿重复取号", "The server cannot be reached, so it is not known whether a number was issued; please ask the hall staff before trying again"},
	"card_unsupported":    {"暂不支持此类证件，请点击事项取号或咨询导办人员", "This kind of card is not supported; tap a service or ask the hall staff"},
	"card_invalid":        {"身份证信息无法识别，请重新放置或咨询导办人员", "The ID card could not be read correctly; place it again or ask the hall staff"},
	"card_expired":        {"身份证已过有效期，请咨询导办人员", "The ID card has expired; please ask the hall staff"},
	"card_read_failed":    {"读卡失败，请重新放置身份证", "Reading the card failed; place it again"},
	"ticket_not_booking":  {"这是排队凭条，不是预约二维码", "This is a queue ticket, not a booking code"},
	"checked_in":          {"预约签到成功", "Booking checked in"},
	"appointment":         {"预约 %s", "Booking %s"},
	"priority_label":      {"绿色通道", "Priority"},
	"offline_title":       {"暂停服务", "Service paused"},
	"offline_body":        {"取号机暂时无法连接服务器，请稍候或咨询导办人员", "This kiosk cannot reach the queue server; please wait or ask the hall staff"},
	"offline_retry":       {"正在重新连接…", "Reconnecting…"},
	"guide_title":         {"办事指南", "Service guide"},
	"floor_guide":         {"楼层导引", "Floor guide"},
	"materials":           {"所需材料", "Required documents"},
	"procedure":           {"办理流程", "Procedure"},
	"where":               {"办理地点", "Where"},
	"time_limit":          {"承诺时限", "Time limit"},
	"on_the_spot":         {"即办", "On the spot"},
	"days":                {"%d 个工作日", "%d working days"},
	"hours":               {"办理时间", "Hours"},
	"all_day":             {"全天", "All day"},
	"take_number":         {"取号", "Take a number"},
	"priority_title":      {"绿色通道", "Priority lane"},
	"priority_body":       {"老年人、残疾人、军人等优先办理。%d 周岁以上老人可直接刷身份证取号；其他情况请工作人员验证", "Priority for seniors, people with disabilities, service members and others. People aged %d or over just place their ID card; otherwise a staff member confirms"},
	"staff_id":            {"工号", "Staff number"},
	"password":            {"密码", "Password"},
	"verify":              {"验证", "Confirm"},
	"verifying":           {"正在验证…", "Checking…"},
	"choose_class":        {"请选择优先类别", "Choose the priority group"},
	"class_elderly":       {"老年人", "Senior"},
	"class_disabled":      {"残疾人", "Disability"},
	"class_military":      {"军人", "Service member"},
	"class_other":         {"其他", "Other"},
	"too_young":           {"未满 %d 周岁，请使用普通取号或请工作人员验证", "Under %d: take a number as usual or ask a staff member"},
	"admin_title":         {"管理", "Administration"},
	"exit_fullscreen":     {"退出全屏", "Leave full screen"},
	"enter_fullscreen":    {"全屏", "Full screen"},
	"quit":                {"退出程序", "Quit"},
	"person":              {"持证人 %s %s", "Holder %s %s"},
	"phone":               {"手机 %s", "Phone %s"},
	"issued_at":           {"取号时间 %s", "Issued %s"},
	"keep_ticket":         {"请留意叫号，过号请重新取号", "Listen for your number; if missed, take a new one"},
	"bring":               {"请备好：%s", "Please bring: %s"},
	"list_sep":            {"、", ", "},
	"printer_ok":          {"正常", "ready"},
	"reason_paper_out":    {"缺纸", "out of paper"},
	"reason_cover_open":   {"纸仓盖未关", "cover open"},
	"reason_offline":      {"打印机离线", "printer offline"},
	"reason_fault":        {"打印机故障", "printer fault"},
	"reason_no_printer":   {"未连接打印机", "no printer connected"},
	"reason_print_failed": {"打印失败", "printing failed"},
	"services_in_area":    {"本区事项", "Services here"},
}

// tr returns the text of key in lang, formatted with args. A missing key shows itself, so that
// a forgotten translation is visible (and caught by the translation test).
func tr(lang Lang, key string, args ...any) string {
	t, ok := texts[key]
	if !ok {
		return "[" + key + "]"
	}
	s := t[0]
	if lang == English {
		s = t[1]
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// pick returns en when lang is English and en is set, else zh (names from the catalog).
func pick(lang Lang, zh, en string) string {
	if lang == English && en != "" {
		return en
	}
	return zh
}

// minutes rounds a wait up to whole minutes.
func minutes(d time.Duration) int {
	return int((d + time.Minute - 1) / time.Minute)
}
