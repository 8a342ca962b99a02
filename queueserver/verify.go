package main

import (
	"html/template"
	"net/http"
	"time"

	"hall"
)

// VerifyPath is the page a licence print's QR code opens: GET /v/{code}.
const VerifyPath = "/v/"

// verifyPage shows whether a printed licence is genuine and when it was handed over, for
// whoever scans its QR code (a bank clerk, the holder). Public: the code is 128 random bits, and
// the page shows only the title, the issuer and the masked holder.
var verifyPage = template.Must(template.New("verify").Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>证照核验 Licence check</title>
<style>
@font-face{font-family:"Hall SC";src:url(/static/fonts/hall-sc.woff2) format("woff2")}
body{font-family:"Noto Sans CJK SC","Hall SC",sans-serif;margin:0;background:#f4f6f9;color:#222}
main{max-width:32rem;margin:1.5rem auto;background:#fff;border-radius:.5rem;padding:1.5rem;box-shadow:0 1px 4px #0002}
h1{font-size:1.3rem;margin:0 0 1rem;color:#0b5cad}.ok{color:#1b7f3b}.bad{color:#c62828}
dl{display:grid;grid-template-columns:auto 1fr;gap:.4rem 1rem}dt{color:#666}dd{margin:0}small{color:#666}
</style></head><body><main>
<h1>证照核验 <small>Licence check</small></h1>
{{if .Found}}
<p class="ok"><b>✔ 本证照由政务服务平台出具，经本大厅自助终端打印</b><br><small>Issued by the government service platform, printed at this hall</small></p>
<dl>
<dt>证照名称</dt><dd>{{.L.Title}}</dd>
<dt>证照编号</dt><dd>{{.L.ID}}</dd>
<dt>持证人</dt><dd>{{.L.Holder.Name}} {{.L.Holder.MaskedID}}</dd>
{{if .L.Issuer}}<dt>发证机关</dt><dd>{{.L.Issuer}}</dd>{{end}}
<dt>状态</dt><dd>{{if .HandedOver}}已领取 Collected {{.When}}{{else}}待领取 Not collected yet{{end}}</dd>
</dl>
{{else}}
<p class="bad"><b>✘ 未找到该证照，请核对二维码</b><br><small>No such licence: check the QR code</small></p>
{{end}}
</main></body></html>
`))

// verify serves the verification page.
func (m *Main) verify(w http.ResponseWriter, r *http.Request) {
	l, err := m.store.LicenceByVerifyCode(r.Context(), r.PathValue("code"))
	data := struct {
		Found, HandedOver bool
		L                 hall.Licence
		When              string
	}{Found: err == nil, L: l}
	status := http.StatusOK
	switch {
	case hall.ErrorCode(err) == hall.ENOTFOUND:
		status = http.StatusNotFound
	case err != nil:
		m.Logger.Error("verify licence", "err", err)
		http.Error(w, "暂时无法核验，请稍后再试 / cannot check now, try again later", http.StatusServiceUnavailable)
		return
	}
	if l.State == hall.LicenceHandedOver {
		data.HandedOver = true
		loc, _ := time.LoadLocation(hall.DefaultTimeZone)
		if h, err := m.store.Hall(r.Context()); err == nil {
			if l2, err := h.Location(); err == nil {
				loc = l2
			}
		}
		data.When = l.HandedOverAt.In(loc).Format("2006-01-02 15:04")
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	verifyPage.Execute(w, data)
}
