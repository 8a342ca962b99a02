// sign.js — the window sign for TV-type signs (窗口屏): ?counter=ID for one counter, or
// ?group=SIGN for the two positions under one sign (一屏双号双呼). Shows the window number, the
// current ticket, the clerk's staff number, and the pause message.
"use strict";
(() => {
  const { params, api, Feed, el } = Hall;
  const want = (params.get("counter") || "").split(",").filter(Boolean);
  const group = params.get("group") || "";
  const counters = new Map(); // id -> {counter, code}
  window.hallSign = { counters };

  function mine(c) {
    return want.includes(c.id) || (group && c.signGroup === group);
  }

  function render() {
    const root = document.getElementById("sign");
    root.innerHTML = "";
    // Left before right; otherwise by window number.
    const rank = (c) => ({ "左": 0, "A": 0, "1": 0, "右": 1, "B": 1, "2": 1 })[c.position] ?? 0;
    const list = [...counters.values()].sort((a, b) => rank(a.counter) - rank(b.counter) || a.counter.number - b.counter.number);
    if (list.length === 0) {
      root.append(el("div", { class: "pos" }, el("div", { class: "out" }, "未配置窗口", el("span", { class: "en" }, "No counter configured"))));
      return;
    }
    for (const { counter: c, code } of list) {
      const label = c.number + " 号窗口" + (c.position ? " " + c.position : "");
      const pos = el("div", { class: "pos", "data-counter": c.id }, el("div", { class: "win" }, label));
      if (c.state === "paused") {
        pos.append(el("div", { class: "paused" }, "暂停服务", el("span", { class: "en" }, "Paused")), el("div", { class: "reason" }, c.pauseReason || ""));
      } else if (c.state === "logged_out") {
        pos.append(el("div", { class: "out" }, "暂停服务", el("span", { class: "en" }, "Closed")));
      } else {
        pos.append(el("div", { class: "code" }, code || "—"));
        if (!code) pos.append(el("div", { class: "staff" }, "请稍候", el("span", { class: "en" }, "Please wait")));
      }
      if (c.staffId && c.state !== "logged_out") pos.append(el("div", { class: "staff" }, "工号 " + c.staffId, el("span", { class: "en" }, "Staff No. " + c.staffId)));
      root.append(pos);
    }
  }

  async function codeOf(ticketId) {
    try { return (await api("/tickets/" + encodeURIComponent(ticketId))).ticket.code; } catch (e) { return ""; }
  }

  async function onMessage(msg) {
    if (msg.type === "snapshot") {
      counters.clear();
      for (const c of msg.data.counters || []) {
        if (mine(c)) counters.set(c.id, { counter: c, code: "" });
      }
      render();
      for (const entry of counters.values()) {
        if (entry.counter.state === "serving" && entry.counter.ticketId) {
          entry.code = await codeOf(entry.counter.ticketId);
        }
      }
      render();
      return;
    }
    const ev = msg.data || {};
    const c = ev.counter;
    if (!c || !mine(c)) return;
    const entry = counters.get(c.id) || { counter: c, code: "" };
    entry.counter = c;
    if (ev.call) entry.code = ev.call.code;
    else if (c.state !== "serving") entry.code = "";
    else if (msg.type === "ticket.resumed" && ev.ticket) entry.code = ev.ticket.code;
    counters.set(c.id, entry);
    render();
  }

  render();
  new Feed({ onMessage, onState: (s) => document.getElementById("conn").classList.toggle("hidden", s !== "down") });
})();
