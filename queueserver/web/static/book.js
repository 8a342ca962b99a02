// book.js — appointment booking (预约): service, date, a slot with its remaining places, phone or
// ID number; gives a QR code and a 6-digit code for the kiosk; ?code=… shows and cancels a booking.
"use strict";
(() => {
  const { params, api, el } = Hall;
  const $ = (id) => document.getElementById(id);
  let chosen = null;
  let loads = 0; // slot loads started; only the newest may render
  window.hallBook = { booked: null };

  function error(text) {
    $("error").textContent = text;
    $("error").classList.toggle("hidden", !text);
    if (text) $("error").scrollIntoView({ behavior: "smooth" });
  }

  function days(timeZone) {
    const out = [];
    const fmt = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" });
    const label = new Intl.DateTimeFormat("zh-CN", { timeZone, month: "long", day: "numeric", weekday: "short" });
    for (let i = 0; i < 14; i++) {
      const d = new Date(Date.now() + i * 86400000);
      out.push({ value: fmt.format(d), text: label.format(d) + (i === 0 ? "（今天）" : "") });
    }
    return out;
  }

  // loadSlots shows the slots of the chosen service and day, keeping the chosen slot if it can
  // still be booked.
  async function loadSlots() {
    const keep = chosen;
    chosen = null;
    const box = $("slots");
    box.innerHTML = "";
    const svc = $("service").value, day = $("day").value;
    if (!svc || !day) return;
    const mine = ++loads;
    try {
      const slots = await api("/services/" + encodeURIComponent(svc) + "/slots?day=" + encodeURIComponent(day), { token: "" });
      if (mine !== loads) return; // the visitor changed service or day meanwhile: a newer load renders
      if (!slots || slots.length === 0) box.append(el("p", { class: "muted" }, "该日无可预约时段 · No slots that day"));
      for (const s of slots || []) {
        const b = el("button", { type: "button", disabled: !s.open, title: s.open ? "" : s.message, "data-start": s.start },
          s.start + "–" + s.end, el("span", { class: "en" }, s.open ? "余 " + s.remaining + " · " + s.remaining + " left" : s.message));
        const pick = () => {
          for (const x of box.querySelectorAll("button")) x.classList.remove("sel");
          b.classList.add("sel");
          chosen = s.start;
        };
        b.addEventListener("click", pick);
        box.append(b);
        if (s.open && s.start === keep) pick();
      }
    } catch (e) {
      error(e.message);
    }
  }

  function showBooking(a, fresh) {
    $("form").classList.add("hidden");
    $("done").classList.remove("hidden");
    const state = { booked: "预约成功", checked_in: "已签到取号", cancelled: "已取消", expired: "已过期" }[a.state] || a.state;
    $("doneText").textContent = (fresh ? "预约成功！" : state + "：") + a.day + " " + a.start + "–" + a.end;
    const live = a.state === "booked";
    $("qr").classList.toggle("hidden", !live || !a.code);
    if (a.code) $("qr").src = "/qr/appointment/" + a.code + ".png";
    $("short").textContent = live && a.shortCode ? a.shortCode : "";
    $("cancelBooking").classList.toggle("hidden", !live || !a.code);
    if (a.code) {
      const link = location.origin + "/book?code=" + a.code;
      $("manage").textContent = "请保存本页链接以便查看或取消预约：" + link;
    }
    window.hallBook.booked = a;
  }

  async function init() {
    const code = params.get("code");
    if (code) {
      try {
        const a = await api("/appointments/" + encodeURIComponent(code), { token: "" });
        a.code = a.code || code;
        showBooking(a, false);
      } catch (e) {
        error(e.status === 404 ? "未找到该预约，链接可能有误。 No such booking." : e.message);
        $("form").classList.add("hidden");
      }
      return;
    }
    let hallInfo = {};
    try { hallInfo = await api("/hall", { token: "" }); } catch (e) { /* defaults */ }
    for (const d of days(hallInfo.timeZone || "Asia/Shanghai")) $("day").append(el("option", { value: d.value }, d.text));
    try {
      const list = await api("/services", { token: "" });
      const bookable = (list || []).filter((v) => (v.service.slots || []).length > 0);
      for (const v of bookable) $("service").append(el("option", { value: v.service.id }, v.service.name + (v.service.nameEn ? " · " + v.service.nameEn : "")));
      if (bookable.length === 0) error("暂无可预约的事项。 No service takes bookings.");
    } catch (e) {
      error(e.message);
    }
    loadSlots();
  }

  $("service").addEventListener("change", loadSlots);
  $("day").addEventListener("change", loadSlots);
  $("form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    error("");
    if (!chosen) { error("请选择时段。 Choose a time slot."); return; }
    const phone = $("phone").value.trim(), idNumber = $("idnum").value.trim();
    if (!phone && !idNumber) { error("请填写手机号码或身份证号码。 Give a phone or ID number."); return; }
    $("submit").disabled = true;
    try {
      const a = await api("/appointments", {
        method: "POST", token: "",
        headers: { "Idempotency-Key": crypto.randomUUID ? crypto.randomUUID() : String(Math.random()) },
        body: { serviceId: $("service").value, day: $("day").value, start: chosen, phone, idNumber, name: $("name").value.trim() },
      });
      history.replaceState(null, "", "/book?code=" + a.code);
      showBooking(a, true);
    } catch (e) {
      error(e.message);
      if (String(e.reason).startsWith("slot")) loadSlots(); // the slot filled up or ended meanwhile
    } finally {
      $("submit").disabled = false;
    }
  });
  $("cancelBooking").addEventListener("click", async () => {
    const a = window.hallBook.booked;
    if (!a || !confirm("确定取消该预约吗？ Cancel this booking?")) return;
    try {
      const c = await api("/appointments/" + encodeURIComponent(a.code) + "/cancel", { method: "POST", token: "" });
      c.code = a.code;
      showBooking(c, false);
    } catch (e) {
      error(e.message);
    }
  });
  init();
})();
