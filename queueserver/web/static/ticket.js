// ticket.js — the mobile ticket page, opened from the QR code on the ticket (/t/{token}). No
// login: the token in the link is the key. Shows the live position and estimated wait, and a large
// "请到 3 号窗口" with a vibration when the number is called.
"use strict";
(() => {
  const { api, english, formatWait } = Hall;
  const token = decodeURIComponent(location.pathname.split("/").pop() || "");
  const $ = (id) => document.getElementById(id);
  let lastCalls = 0, serviceNames = new Map(), timer = null;
  window.hallTicket = { polls: 0, state: "" };

  const labels = {
    waiting: ["等候中", "Waiting"], called: ["已叫号", "Called"], serving: ["办理中", "Being served"],
    held: ["已挂起", "On hold"], done: ["已办结", "Done"], noshow: ["已过号", "Missed"],
    transferred: ["已转移", "Transferred"], expired: ["已过期", "Expired"], cancelled: ["已取消", "Cancelled"],
  };

  function showError(text) {
    $("error").textContent = text;
    $("error").classList.remove("hidden");
  }

  async function serviceName(id) {
    if (serviceNames.size === 0) {
      try {
        for (const v of await api("/services", { token: "" })) serviceNames.set(v.service.id, english && v.service.nameEn ? v.service.nameEn : v.service.name);
      } catch (e) { /* shown without a name */ }
    }
    return serviceNames.get(id) || "";
  }

  async function poll() {
    window.hallTicket.polls++;
    let st;
    try {
      st = await api("/mobile/" + encodeURIComponent(token), { token: "" });
    } catch (e) {
      if (e.status === 404 || e.code === "not_found" || e.code === "invalid") {
        showError("号码不存在或链接无效，请核对取号凭条上的二维码。 No such ticket, or the link is not valid.");
        $("card").classList.add("hidden");
        $("cancel").classList.add("hidden");
        return; // stop polling a dead link
      }
      showError(e.message + "（稍后自动重试）");
      schedule(10000);
      return;
    }
    $("error").classList.add("hidden");
    const t = st.ticket;
    window.hallTicket.state = t.state;
    const name = await serviceName(t.serviceId); // before touching the card: it renders in one go
    $("card").classList.remove("hidden");
    $("code").textContent = t.code;
    $("svc").textContent = name;
    const live = t.state === "waiting";
    $("ahead").textContent = live ? st.ahead : "–";
    $("wait").textContent = live ? formatWait(st.estimatedWait) : "–";
    const l = labels[t.state] || [t.state, t.state];
    $("state").textContent = l[0] + " · " + l[1];
    $("cancel").classList.toggle("hidden", !live);
    const called = t.state === "called" || t.state === "serving";
    if (called) {
      $("turn").innerHTML = "";
      $("turn").append("轮到您了！请到 " + t.counterNumber + " 号窗口", Object.assign(document.createElement("span"), { className: "en", textContent: "It's your turn: please go to counter " + t.counterNumber }));
      $("turn").classList.remove("hidden");
      if (t.state === "called" && (t.calls || 1) > lastCalls) {
        lastCalls = t.calls || 1;
        if (navigator.vibrate) navigator.vibrate([400, 200, 400, 200, 400]);
      }
    } else {
      $("turn").classList.add("hidden");
    }
    $("updated").textContent = "更新于 " + new Date().toLocaleTimeString("zh-CN", { hour12: false });
    const final = ["done", "noshow", "transferred", "expired", "cancelled"].includes(t.state);
    if (!final) schedule(live && st.ahead > 10 ? 8000 : 3000);
  }

  function schedule(ms) {
    clearTimeout(timer);
    timer = setTimeout(poll, ms);
  }

  $("cancel").addEventListener("click", async () => {
    if (!confirm("确定取消排队吗？取消后需重新取号。\nCancel your ticket?")) return;
    try {
      await api("/mobile/" + encodeURIComponent(token) + "/cancel", { method: "POST", token: "" });
    } catch (e) {
      showError(e.message);
    }
    poll();
  });
  document.addEventListener("visibilitychange", () => { if (!document.hidden) poll(); });
  if (!/^([0-9]{16})?[0-9a-f]{32}$/.test(token)) {
    showError("链接无效，请扫描取号凭条上的二维码。 The link is not valid.");
  } else {
    poll();
  }
})();
