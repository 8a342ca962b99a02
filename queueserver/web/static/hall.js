// hall.js — shared code of the hall's pages: the API, the live event feed with resume, the voice
// announcer, number reading and formatting. No dependencies; served from the hall server so the
// pages work with no internet.
"use strict";

const Hall = (() => {
  const params = new URLSearchParams(location.search);

  // Device token of a screen: ?token=… once (then kept in localStorage), so a TV can be set up by
  // opening one URL.
  function deviceToken() {
    const t = params.get("token");
    if (t) {
      try { localStorage.setItem("hall.token", t); } catch (e) { /* private mode */ }
      return t;
    }
    try { return localStorage.getItem("hall.token") || ""; } catch (e) { return ""; }
  }

  const english = params.get("lang") === "en";

  // api fetches JSON from the server; errors become {code, message} thrown as HallError.
  class HallError extends Error {
    constructor(code, reason, message, status) {
      super(message);
      this.code = code; this.reason = reason; this.status = status;
    }
  }

  async function api(path, opts = {}) {
    const headers = Object.assign({ "Accept": "application/json" }, opts.headers || {});
    headers["Accept-Language"] = english ? "en" : "zh-CN"; // the pages are Chinese first, whatever the browser says
    const token = opts.token === undefined ? deviceToken() : opts.token;
    if (token) headers["Authorization"] = "Bearer " + token;
    let body = opts.body;
    if (body !== undefined && typeof body !== "string") {
      body = JSON.stringify(body);
      headers["Content-Type"] = "application/json";
    }
    let res;
    try {
      res = await fetch("/api/v1" + path, { method: opts.method || "GET", headers, body, cache: "no-store" });
    } catch (e) {
      throw new HallError("unavailable", "network", english ? "Cannot reach the hall server." : "无法连接服务器，请稍后重试。", 0);
    }
    const text = await res.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
    if (!res.ok) {
      const d = data || {};
      throw new HallError(d.code || "internal", d.reason || "", d.message || (english ? "Server error." : "服务器错误。"), res.status);
    }
    return data;
  }

  // Feed is the live event feed: a websocket that resumes from the last sequence number it saw
  // after any drop, so that nothing is missed or handled twice. onMessage receives each message
  // {seq, type, at, data} once, in order; onState receives "connecting", "live" or "down".
  class Feed {
    constructor({ area = "", onMessage, onState }) {
      this.area = area;
      this.onMessage = onMessage;
      this.onState = onState || (() => {});
      this.lastSeq = 0;
      this.haveSeq = false;
      this.backoff = 500;
      this.closed = false;
      this.connect();
    }
    url() {
      const q = new URLSearchParams();
      if (this.haveSeq) q.set("since", String(this.lastSeq));
      if (this.area) q.set("area", this.area);
      const token = deviceToken();
      if (token) q.set("access_token", token);
      const proto = location.protocol === "https:" ? "wss:" : "ws:";
      return proto + "//" + location.host + "/api/v1/events?" + q.toString();
    }
    connect() {
      if (this.closed) return;
      this.onState("connecting");
      let ws;
      try { ws = new WebSocket(this.url()); } catch (e) { this.retry(); return; }
      this.ws = ws;
      ws.onopen = () => { this.backoff = 500; this.onState("live"); };
      ws.onmessage = (m) => {
        let msg;
        try { msg = JSON.parse(m.data); } catch (e) { return; }
        if (msg.type === "snapshot") {
          this.lastSeq = msg.seq; this.haveSeq = true;
          this.onMessage(msg);
          return;
        }
        if (this.haveSeq && msg.seq <= this.lastSeq) return; // already handled
        this.lastSeq = msg.seq; this.haveSeq = true;
        this.onMessage(msg);
      };
      ws.onclose = () => { this.ws = null; this.onState("down"); this.retry(); };
      ws.onerror = () => { /* onclose follows */ };
    }
    retry() {
      if (this.closed) return;
      const wait = this.backoff + Math.random() * 300;
      this.backoff = Math.min(this.backoff * 2, 10000);
      setTimeout(() => this.connect(), wait);
    }
    close() { this.closed = true; if (this.ws) this.ws.close(); }
  }

  // readNumber spells a window number the way it is announced: 3 → 三, 12 → 十二, 105 → 一百零五.
  // It returns clip names (d0…d9, d10 十, d100 百, d1000 千).
  function readNumber(n) {
    n = Math.floor(n);
    if (!(n >= 0 && n <= 9999)) return String(n).split("").map((c) => "d" + c);
    if (n < 10) return ["d" + n];
    const units = [[1000, "d1000"], [100, "d100"], [10, "d10"]];
    const out = [];
    let rest = n, zero = false;
    for (const [u, clip] of units) {
      const d = Math.floor(rest / u);
      rest %= u;
      if (d > 0) {
        if (zero) { out.push("d0"); zero = false; }
        if (!(u === 10 && d === 1 && out.length === 0)) out.push("d" + d); // 十二, not 一十二
        out.push(clip);
      } else if (out.length > 0) {
        zero = true;
      }
    }
    if (rest > 0) {
      if (zero) out.push("d0");
      out.push("d" + rest);
    }
    return out;
  }

  // callClips lists the clips of "请 A012 号 到 3 号窗口 [左] 办理". Ticket digits are read one by
  // one (A012 → A 零 一 二), as halls do, so that 012 and 12 cannot be confused.
  function callClips(call) {
    const clips = ["chime", "qing"];
    for (const ch of String(call.code || "").toUpperCase()) {
      if (ch >= "A" && ch <= "Z") clips.push("l" + ch);
      else if (ch >= "0" && ch <= "9") clips.push("d" + ch);
    }
    clips.push("hao", "dao", ...readNumber(call.counterNumber), "hao", "chuangkou");
    const pos = String(call.position || "");
    if (pos === "左") clips.push("zuo");
    else if (pos === "右") clips.push("you");
    else for (const ch of pos.toUpperCase()) {
      if (ch >= "A" && ch <= "Z") clips.push("l" + ch);
      else if (ch >= "0" && ch <= "9") clips.push("d" + ch);
    }
    clips.push("banli");
    return clips;
  }

  // Announcer speaks calls from the bundled clips, one after another: calls that arrive together
  // are all spoken, in order. Browsers only play sound after a user gesture unless started with
  // --autoplay-policy=no-user-gesture-required (the kiosk-mode flag for hall screens); until then
  // `blocked` is true and the page shows a one-time "tap to enable sound" prompt.
  class Announcer {
    constructor({ repeat = 1, onChange } = {}) {
      this.repeat = Math.max(1, Math.min(3, repeat));
      this.queue = [];      // pending announcements, each {id, clips}
      this.spoken = [];     // ids spoken, newest last (for tests and the page)
      this.busy = false;
      this.buffers = new Map();
      this.onChange = onChange || (() => {});
      const AC = window.AudioContext || window.webkitAudioContext;
      this.ctx = AC ? new AC() : null;
    }
    get blocked() { return !this.ctx || this.ctx.state !== "running"; }
    async unlock() {
      if (this.ctx && this.ctx.state !== "running") {
        try { await this.ctx.resume(); } catch (e) { /* still blocked */ }
      }
      this.onChange();
      this.pump();
    }
    say(id, clips) {
      for (let i = 0; i < this.repeat; i++) this.queue.push({ id, clips });
      this.onChange();
      this.pump();
    }
    async clip(name) {
      if (this.buffers.has(name)) return this.buffers.get(name);
      const p = fetch("/static/voice/" + name + ".ogg")
        .then((r) => { if (!r.ok) throw new Error(name); return r.arrayBuffer(); })
        .then((b) => new Promise((ok, fail) => this.ctx.decodeAudioData(b, ok, fail)));
      this.buffers.set(name, p);
      try { return await p; } catch (e) { this.buffers.delete(name); throw e; }
    }
    async pump() {
      if (this.busy || this.queue.length === 0) return;
      if (this.blocked) {
        if (this.ctx && this.ctx.state === "suspended") { try { await this.ctx.resume(); } catch (e) { /* gesture needed */ } }
        if (this.blocked) { this.onChange(); return; }
      }
      this.busy = true;
      const item = this.queue.shift();
      try {
        const bufs = [];
        for (const c of item.clips) bufs.push(await this.clip(c));
        let t = this.ctx.currentTime + 0.05;
        for (let i = 0; i < bufs.length; i++) {
          const src = this.ctx.createBufferSource();
          src.buffer = bufs[i];
          src.connect(this.ctx.destination);
          src.start(t);
          t += bufs[i].duration + (i === 0 ? 0.25 : 0.04); // a pause after the chime
        }
        await new Promise((ok) => setTimeout(ok, (t - this.ctx.currentTime) * 1000 + 600));
      } catch (e) {
        console.warn("announcement failed", item.id, e);
      }
      this.spoken.push(item.id);
      if (this.spoken.length > 200) this.spoken.shift();
      this.busy = false;
      this.onChange();
      this.pump();
    }
  }

  // formatWait renders an estimated wait (nanoseconds) for people.
  function formatWait(ns) {
    if (ns === undefined || ns === null || ns < 0) return english ? "—" : "—";
    const min = Math.round(ns / 6e10);
    if (min < 1) return english ? "< 1 min" : "不到 1 分钟";
    if (min < 60) return english ? min + " min" : "约 " + min + " 分钟";
    const h = Math.floor(min / 60), m = min % 60;
    return english ? h + " h " + m + " min" : "约 " + h + " 小时 " + m + " 分";
  }

  // startClock keeps el showing the date and time in the hall's zone.
  function startClock(el, timeZone) {
    const tz = timeZone || "Asia/Shanghai";
    const render = () => {
      const now = new Date();
      const date = new Intl.DateTimeFormat("zh-CN", { timeZone: tz, year: "numeric", month: "long", day: "numeric", weekday: "long" }).format(now);
      const time = new Intl.DateTimeFormat("zh-CN", { timeZone: tz, hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false }).format(now);
      el.innerHTML = "";
      const d = document.createElement("span"); d.className = "date"; d.textContent = date;
      const t = document.createElement("span"); t.className = "time"; t.textContent = time;
      el.append(d, t);
    };
    render();
    return setInterval(render, 1000);
  }

  // el is a small DOM builder: el("div", {class: "x"}, "text", child…).
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") e.className = v;
      else if (k.startsWith("data-")) e.setAttribute(k, v);
      else e[k] = v;
    }
    for (const c of children) if (c !== null && c !== undefined) e.append(c.nodeType ? c : String(c));
    return e;
  }

  // throttle runs fn at most once per ms, trailing.
  function throttle(fn, ms) {
    let timer = null, pending = false;
    return () => {
      if (timer) { pending = true; return; }
      fn();
      timer = setTimeout(() => { timer = null; if (pending) { pending = false; fn(); } }, ms);
    };
  }

  return { params, english, api, HallError, Feed, Announcer, readNumber, callClips, formatWait, startClock, el, throttle, deviceToken };
})();
