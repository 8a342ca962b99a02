// board.js — the hall board (综合屏) and area boards (区域屏, ?area=ID): the newest call large,
// recent calls, waiting count and estimated wait per service, notices, date and clock; every call
// announced once, in order (a recall again).
"use strict";
(() => {
  const { params, english, api, Feed, Announcer, callClips, formatWait, startClock, el, throttle } = Hall;
  const area = params.get("area") || "";
  // A call is spoken only while fresh: after a long outage the replayed calls are shown, not read out.
  const speakWithin = Number(params.get("speakWithin") || 90) * 1000;
  const recentMax = 8;

  const $ = (id) => document.getElementById(id);
  const announcer = new Announcer({
    repeat: Number(params.get("repeat") || 1),
    onChange: () => $("sound").classList.toggle("hidden", !announcer.blocked),
  });
  $("sound").addEventListener("click", () => announcer.unlock());
  document.addEventListener("keydown", () => announcer.unlock(), { once: true });

  let services = new Map();   // id -> service
  let areaNames = new Map();
  const recent = [];          // newest first: {ticketId, code, counterNumber, position, at}

  // State exposed for tests and for a person debugging a screen from the console.
  window.hallBoard = { recent, announcer, shown: [], feedState: "connecting" };

  function whereText(call) {
    const pos = call.position ? " " + call.position : "";
    return "请到 " + call.counterNumber + " 号窗口" + pos;
  }
  function whereEN(call) {
    return "Please go to counter " + call.counterNumber + (call.position ? " " + call.position : "");
  }

  function showNow(call) {
    $("idle").classList.add("hidden");
    $("nowCode").classList.remove("hidden");
    $("nowWhere").classList.remove("hidden");
    $("nowCode").textContent = call.code;
    $("nowWhere").innerHTML = "";
    $("nowWhere").append(whereText(call), el("span", { class: "en" }, whereEN(call)));
    const now = $("now");
    now.classList.remove("flash");
    void now.offsetWidth; // restart the animation
    now.classList.add("flash");
  }

  function renderRecent() {
    const ol = $("recent");
    ol.innerHTML = "";
    for (const c of recent.slice(0, recentMax)) {
      ol.append(el("li", { "data-ticket": c.ticketId }, el("span", { class: "c" }, c.code), el("span", {}, c.counterNumber + " 号窗口" + (c.position ? " " + c.position : ""))));
    }
  }

  function onCall(msg, call) {
    const at = new Date(call.at).getTime();
    if (call.attempt <= 1) {
      const i = recent.findIndex((c) => c.ticketId === call.ticketId);
      if (i >= 0) recent.splice(i, 1);
      recent.unshift({ ticketId: call.ticketId, code: call.code, counterNumber: call.counterNumber, position: call.position, at });
      recent.length = Math.min(recent.length, 50);
    }
    showNow(call);
    renderRecent();
    window.hallBoard.shown.push(msg.seq);
    if (!call.silent && Date.now() - at < speakWithin) {
      announcer.say(msg.seq + ":" + call.code, callClips(call));
    }
  }

  let refreshes = 0; // service refreshes started; only the newest may render
  const refreshServices = throttle(async () => {
    const mine = ++refreshes;
    try {
      const list = await api("/services");
      if (mine !== refreshes) return;
      const box = $("services");
      box.innerHTML = "";
      services = new Map();
      const sorted = (list || []).slice().sort((x, y) => x.service.prefix.localeCompare(y.service.prefix) || x.service.id.localeCompare(y.service.id));
      for (const v of sorted) {
        const s = v.service, a = v.availability;
        services.set(s.id, s);
        if (area && s.areaId !== area) continue;
        let wait;
        if (!a.open) wait = english ? a.english || "Closed" : a.message || "暂停办理";
        else if (a.waiting === 0) wait = english ? "No wait" : "无需等候";
        else wait = (english ? "Est. " : "预计 ") + formatWait(a.estimatedWait);
        box.append(el("div", { class: "tile" + (a.open ? "" : " closed"), "data-service": s.id },
          el("div", { class: "name" }, el("span", { class: "prefix" }, s.prefix), s.name, english && s.nameEn ? el("span", { class: "en" }, s.nameEn) : null),
          el("div", { class: "count" }, el("b", { class: "n" }, a.waiting), " 人等候", el("span", { class: "en" }, "waiting")),
          el("div", { class: "wait" }, wait)));
      }
    } catch (e) {
      console.warn("services", e);
    }
  }, 1500);

  async function loadHall() {
    try {
      const h = await api("/hall");
      let title = h.name;
      if (area) {
        const areas = await api("/areas");
        for (const a of areas || []) areaNames.set(a.id, a.name);
        if (areaNames.has(area)) title += " · " + areaNames.get(area);
      }
      $("title").textContent = title;
      document.title = title;
      startClock($("clock"), h.timeZone);
      const notices = h.notices || [];
      $("noticeText").textContent = notices.join("　　　　");
      $("notice").style.setProperty("--dur", Math.max(20, notices.join("").length * 0.4) + "s");
    } catch (e) {
      startClock($("clock"));
    }
  }

  function onMessage(msg) {
    if (msg.type === "snapshot") {
      // A fresh screen (or one back after a long outage) shows what was called, without speaking it.
      const calls = (msg.data && msg.data.recentCalls) || [];
      recent.length = 0;
      for (const c of calls) recent.push({ ticketId: c.ticketId, code: c.code, counterNumber: c.counterNumber, position: c.position, at: new Date(c.at).getTime() });
      if (calls.length > 0) showNow(calls[0]);
      renderRecent();
      refreshServices();
      return;
    }
    const ev = msg.data || {};
    if ((msg.type === "ticket.called" || msg.type === "ticket.recalled") && ev.call) {
      onCall(msg, ev.call);
    }
    if (msg.type === "catalog.changed" && ev.note === "hall") loadHall();
    if (msg.type.startsWith("ticket.") || msg.type.startsWith("counter.") || msg.type === "catalog.changed" || msg.type === "day.closed") {
      refreshServices();
    }
  }

  loadHall();
  refreshServices();
  new Feed({
    area,
    onMessage,
    onState: (s) => {
      window.hallBoard.feedState = s;
      $("conn").classList.toggle("hidden", s !== "down");
    },
  });
})();
