// The hub's dashboard: rooms, participants, live activity, charts, and a chat box, in plain
// JavaScript against the hub's own HTTP API (docs/hub-api.md). No build step, nothing from a CDN.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);

  /** The room the address names: /?room=CODE, or /#CODE as people write it. */
  function roomInAddress() {
    const query = new URLSearchParams(location.search).get("room");
    if (query) return query;
    const hash = decodeURIComponent(location.hash.replace(/^#/, "")).trim();
    return hash || null;
  }
  const WINDOW_MS = 60 * 60 * 1000;   // what the charts show: the last hour, as long as the hub keeps it
  const MAX_ACTIVITY = 200;

  const state = {
    rooms: [],
    code: roomInAddress(),
    participants: [],
    queued: 0,
    events: null,        // AbortController of the event stream
    completions: [],     // {t, participantId, ttftMs, tps}
    charts: {},
  };

  // ---- talking to the hub --------------------------------------------------------------

  function password(code) {
    return sessionStorage.getItem("gambiarra.password." + code);
  }

  function headers(code, extra) {
    const h = Object.assign({ "Accept": "application/json" }, extra || {});
    const pw = code && password(code);
    if (pw) h["Authorization"] = "Bearer " + pw;
    return h;
  }

  async function api(path, options, code) {
    const r = await fetch(path, Object.assign({}, options, { headers: headers(code, options && options.headers) }));
    let body = null;
    const text = await r.text();
    try { body = text ? JSON.parse(text) : null; } catch (e) { body = { error: text }; }
    if (!r.ok) {
      const err = body && body.error;
      const message = typeof err === "string" ? err : (err && err.message) || ("HTTP " + r.status);
      const code = (body && body.code) || (err && err.code) || null;
      const e = new Error(message);
      e.status = r.status;
      e.code = code;
      throw e;
    }
    return body;
  }

  // Reads a text/event-stream from a fetch response (EventSource cannot send a password).
  async function readEvents(response, onEvent, signal) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    while (!signal || !signal.aborted) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end;
      while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, "");
        let name = "message";
        const data = [];
        for (const line of block.split(/\r?\n/)) {
          if (line.startsWith(":")) continue;
          const colon = line.indexOf(":");
          const field = colon < 0 ? line : line.slice(0, colon);
          const val = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
          if (field === "event") name = val;
          else if (field === "data") data.push(val);
        }
        if (data.length) onEvent(name, data.join("\n"));
      }
    }
  }

  // ---- rooms ---------------------------------------------------------------------------

  async function loadRooms() {
    try {
      const body = await api("/rooms");
      state.rooms = body.rooms || [];
    } catch (e) {
      state.rooms = [];
    }
    renderRooms();
  }

  function renderRooms() {
    const list = $("room-list");
    list.replaceChildren();
    for (const room of state.rooms) {
      const li = document.createElement("li");
      const a = document.createElement("a");
      a.href = "/?room=" + encodeURIComponent(room.code);
      a.dataset.code = room.code;
      if (room.code === state.code) a.setAttribute("aria-current", "page");
      const left = document.createElement("span");
      const code = document.createElement("span");
      code.className = "code";
      code.textContent = room.code;
      left.append(code, " " + room.name + " ");
      if (room.passwordProtected) {
        const lock = document.createElement("span");
        lock.className = "lock";
        lock.textContent = "password";
        left.append(lock);
      }
      const count = document.createElement("span");
      count.className = "muted";
      count.textContent = room.participantCount + (room.participantCount === 1 ? " participant" : " participants");
      a.append(left, count);
      a.addEventListener("click", (ev) => {
        ev.preventDefault();
        openRoom(room.code, true);
      });
      li.append(a);
      list.append(li);
    }
    $("no-rooms").hidden = state.rooms.length > 0;
  }

  $("create-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const name = $("create-name").value.trim();
    const pw = $("create-password").value;
    $("create-error").hidden = true;
    try {
      const created = await api("/rooms", { method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify(pw ? { name, password: pw } : { name }) });
      const code = created.room.code;
      if (pw) sessionStorage.setItem("gambiarra.password." + code, pw);
      if (created.hostToken) sessionStorage.setItem("gambiarra.hostToken." + code, created.hostToken);
      $("create-form").reset();
      $("create").open = false;
      await loadRooms();
      openRoom(code, true);
    } catch (e) {
      $("create-error").textContent = e.message;
      $("create-error").hidden = false;
    }
  });

  // ---- one room ------------------------------------------------------------------------

  function openRoom(code, push) {
    code = code.toUpperCase();
    state.code = code;
    state.historyFor = null;
    if (push) history.pushState({ code }, "", "/?room=" + encodeURIComponent(code));
    renderRooms();
    if (state.events) state.events.abort();
    state.completions = [];
    $("activity").replaceChildren();
    $("chat-log").replaceChildren();
    conversation.length = 0;
    const room = state.rooms.find((r) => r.code === code);
    $("room-title").textContent = room ? room.name + " · " + code : code;
    $("room").hidden = false;
    $("join-command").value = "gambiarra join " + code + " --hub " + location.origin
      + (room && room.passwordProtected ? " --password …" : "");
    loadParticipants();
  }

  async function loadParticipants() {
    const code = state.code;
    try {
      const body = await api("/rooms/" + encodeURIComponent(code) + "/participants", {}, code);
      if (code !== state.code) return;
      $("password-form").hidden = true;
      $("room-body").hidden = false;
      state.participants = body.participants || [];
      state.queued = body.queued || 0;
      renderParticipants();
      const listed = state.rooms.find((r) => r.code === code);
      if (listed && listed.participantCount !== state.participants.length) {
        listed.participantCount = state.participants.length;
        renderRooms();
      }
      if (state.historyFor !== code) {
        state.historyFor = code;
        await loadHistory(code);
      }
      if (!state.events) startEvents();
    } catch (e) {
      if (e.code === "password_required" || e.code === "invalid_password" || e.status === 401) {
        askPassword(e.code === "invalid_password" ? "That password is not the room's." : "");
      } else if (e.status === 404) {
        $("room-live").textContent = "no such room on this hub";
        $("room-body").hidden = true;
      } else {
        $("room-live").textContent = e.message;
      }
    }
  }

  function askPassword(message) {
    sessionStorage.removeItem("gambiarra.password." + state.code);
    $("room-body").hidden = true;
    $("password-form").hidden = false;
    $("password-error").textContent = message;
    $("password-error").hidden = !message;
    $("room-live").textContent = "locked";
    $("room-password").focus();
  }

  $("password-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    sessionStorage.setItem("gambiarra.password." + state.code, $("room-password").value);
    $("room-password").value = "";
    loadParticipants();
  });

  function machine(specs) {
    if (!specs) return "";
    const parts = [];
    if (specs.gpu) parts.push(specs.gpu + (specs.vram ? " " + specs.vram + " GB" : ""));
    if (specs.cpu) parts.push(specs.cpu);
    if (specs.ram) parts.push(specs.ram + " GB RAM");
    return parts.join(", ");
  }

  function renderParticipants() {
    const list = $("participants");
    list.replaceChildren();
    for (const p of state.participants) {
      const li = document.createElement("li");
      li.className = "card " + p.status;
      li.dataset.id = p.id;
      const name = document.createElement("div");
      name.className = "name";
      name.textContent = p.nickname + " ";
      const status = document.createElement("span");
      status.className = "status " + p.status;
      status.textContent = p.status;
      name.append(status);
      const model = document.createElement("div");
      model.className = "model";
      model.textContent = p.model;
      const dl = document.createElement("dl");
      const stats = p.stats || {};
      const rows = [
        ["id", p.id],
        ["in flight", (stats.inFlight || 0) + (p.maxConcurrency ? " / " + p.maxConcurrency : "")],
        ["served", (stats.requests || 0) + (stats.failures ? " (" + stats.failures + " failed)" : "")],
        ["TTFT", stats.ttftMs != null ? stats.ttftMs + " ms" : stats.lastTtftMs != null ? stats.lastTtftMs + " ms" : "–"],
        ["prefill", stats.prefillTokensPerSecond != null ? stats.prefillTokensPerSecond + " tok/s" : "–"],
        ["output", stats.outputTokensPerSecond != null ? stats.outputTokensPerSecond + " tok/s"
          : stats.meanTokensPerSecond != null ? stats.meanTokensPerSecond + " tok/s" : "–"],
        ["expected wait", stats.unresponsiveSince != null ? "not answering since "
          + new Date(stats.unresponsiveSince).toLocaleTimeString() : (stats.expectedWaitMs || 0) + " ms"],
        ["APIs", p.apis ? p.apis.join(", ") : "chat"],
        ["machine", machine(p.specs) || "–"],
      ];
      for (const [k, v] of rows) {
        const dt = document.createElement("dt");
        dt.textContent = k;
        const dd = document.createElement("dd");
        dd.textContent = v;
        dl.append(dt, dd);
      }
      li.append(name, model, dl);
      list.append(li);
    }
    $("no-participants").hidden = state.participants.length > 0;
    $("queue-line").textContent = state.queued ? state.queued + " request(s) waiting for a free participant" : "";
    renderRoutes();
  }

  function renderRoutes() {
    const select = $("chat-route");
    const chosen = select.value;
    select.replaceChildren();
    const add = (value, label) => {
      const o = document.createElement("option");
      o.value = value;
      o.textContent = label;
      select.append(o);
    };
    add("*", "Anyone (the least busy)");
    const models = [...new Set(state.participants.filter((p) => p.status !== "offline").map((p) => p.model))];
    for (const m of models) add("model:" + m, "Anyone serving " + m);
    for (const p of state.participants.filter((x) => x.status !== "offline")) add(p.id, p.nickname + " (" + p.model + ")");
    if ([...select.options].some((o) => o.value === chosen)) select.value = chosen;
  }

  // ---- live events ---------------------------------------------------------------------

  // What the room did in the last hour, as the hub kept it: the activity and the charts fill at once.
  async function loadHistory(code) {
    try {
      const body = await api("/rooms/" + encodeURIComponent(code) + "/events/recent", {}, code);
      if (code !== state.code) return;
      for (const e of body.events || []) show(e.event, e.data || {}, e.at);
    } catch (e) {
      // an older hub keeps no history: live events only
    }
    drawCharts();
  }

  function startEvents() {
    const code = state.code;
    const controller = new AbortController();
    state.events = controller;
    const live = $("room-live");
    live.textContent = "connecting…";
    live.classList.remove("on");
    fetch("/rooms/" + encodeURIComponent(code) + "/events",
        { headers: headers(code, { "Accept": "text/event-stream" }), signal: controller.signal })
      .then((r) => {
        if (!r.ok) throw new Error("HTTP " + r.status);
        live.textContent = "● live";
        live.classList.add("on");
        return readEvents(r, (name, data) => onEvent(code, name, data), controller.signal);
      })
      .catch(() => {})
      .finally(() => {
        if (state.events === controller && !controller.signal.aborted) {
          // The hub went away or restarted: try again shortly.
          state.events = null;
          live.textContent = "reconnecting…";
          live.classList.remove("on");
          setTimeout(() => { if (state.code === code && !state.events) loadParticipants(); }, 2000);
        }
      });
  }

  function who(id) {
    const p = state.participants.find((x) => x.id === id);
    return p ? p.nickname : id;
  }

  function activity(text, kind, at) {
    const li = document.createElement("li");
    if (kind) li.className = kind;
    const time = new Date(at || Date.now()).toLocaleTimeString();
    li.textContent = time + "  " + text;
    const list = $("activity");
    list.prepend(li);
    while (list.children.length > MAX_ACTIVITY) list.lastChild.remove();
  }

  function onEvent(code, name, data) {
    if (code !== state.code) return;
    let d = {};
    try { d = JSON.parse(data); } catch (e) { return; }
    show(name, d);
  }

  // One event, live (at: now) or from the room's recent history (at: when it happened, and the
  // participants are loaded once afterwards rather than after each).
  function show(name, d, at) {
    const live = !at;
    const refresh = () => { if (live) loadParticipants(); };
    switch (name) {
      case "participant:joined":
        activity(d.nickname + " joined with " + d.model, undefined, at);
        refresh();
        break;
      case "participant:left":
        activity(who(d.participantId) + " left", undefined, at);
        refresh();
        break;
      case "participant:offline":
        activity(who(d.participantId) + " went offline", "fail", at);
        refresh();
        break;
      case "participant:online":
      case "participant:busy":
        refresh();
        break;
      case "llm:request":
        activity("→ " + who(d.participantId) + " (" + d.model + (d.api && d.api !== "chat" ? ", " + d.api : "") + ")",
          undefined, at);
        break;
      case "llm:complete": {
        const api = d.api && d.api !== "chat" ? " [" + d.api + "]" : "";
        activity("✓ " + who(d.participantId) + api + "  " + d.model + "  " + d.tokens + " tokens  "
          + d.tokensPerSecond + " tok/s  TTFT " + d.ttftMs + " ms", "ok", at);
        state.completions.push({ t: at || Date.now(), participantId: d.participantId, ttftMs: d.ttftMs,
          tps: d.tokensPerSecond });
        if (live) drawCharts();
        refresh();
        break;
      }
      case "llm:error":
        activity("✗ " + who(d.participantId) + ": " + d.error, "fail", at);
        refresh();
        break;
      case "room:deleted":
        activity("the room was deleted", "fail");
        state.events && state.events.abort();
        loadRooms();
        break;
      default:
        break; // events this page does not know
    }
  }

  // ---- charts --------------------------------------------------------------------------

  const PALETTE = ["#0b6bcb", "#c2410c", "#15803d", "#7e22ce", "#be185d", "#0f766e", "#a16207"];

  function chart(id, series, data, kind) {
    const el = $(id);
    const width = Math.max(200, el.clientWidth || el.parentElement.clientWidth - 12);
    const key = id + ":" + series.map((s) => s.label).join("|");
    let existing = state.charts[id];
    if (existing && existing.key !== key) {
      existing.plot.destroy();
      existing = null;
    }
    if (!existing) {
      const opts = {
        width, height: 150,
        legend: { show: true },
        // The last hour, whatever the data: one point must not stretch the axis over years.
        scales: { x: { time: true, range: () => [(Date.now() - WINDOW_MS) / 1000, Date.now() / 1000 + 5] } },
        axes: [{}, { size: 56 }],
        series: [{}].concat(series.map((s, i) => ({
          label: s.label, stroke: PALETTE[i % PALETTE.length], width: 2,
          fill: kind === "bars" ? PALETTE[i % PALETTE.length] + "55" : undefined,
          points: { show: true, size: 5 }, spanGaps: true,
          paths: kind === "bars" && uPlot.paths && uPlot.paths.bars ? uPlot.paths.bars({ size: [0.6, 40] }) : undefined,
        }))),
      };
      existing = { key, plot: new uPlot(opts, data, el) };
      state.charts[id] = existing;
    } else {
      existing.plot.setData(data);
      if (existing.plot.width !== width) existing.plot.setSize({ width, height: 150 });
    }
  }

  function drawCharts() {
    if (typeof uPlot === "undefined") return;
    const since = Date.now() - WINDOW_MS;
    const recent = state.completions.filter((c) => c.t >= since);
    state.completions = recent;
    const ids = [...new Set(recent.map((c) => c.participantId))];
    const times = recent.map((c) => c.t / 1000);
    const per = (field) => ids.map((id) => recent.map((c) => (c.participantId === id ? c[field] : null)));
    const labels = ids.map((id) => ({ label: who(id) }));
    if (ids.length) {
      chart("chart-ttft", labels, [times].concat(per("ttftMs")));
      chart("chart-tps", labels, [times].concat(per("tps")));
    } else {
      // Nothing answered lately: the charts still show their axes (and the last hour).
      chart("chart-ttft", [{ label: "no answers yet" }], [[], []]);
      chart("chart-tps", [{ label: "no answers yet" }], [[], []]);
    }
    const minutes = new Map();
    for (const c of recent) {
      const m = Math.floor(c.t / 60000) * 60;
      minutes.set(m, (minutes.get(m) || 0) + 1);
    }
    const xs = [...minutes.keys()].sort((a, b) => a - b);
    chart("chart-rpm", [{ label: "requests" }], [xs, xs.map((x) => minutes.get(x))], "bars");
  }

  window.addEventListener("resize", () => drawCharts());

  // ---- chat ----------------------------------------------------------------------------

  const conversation = [];

  function message(kind, whoText) {
    const div = document.createElement("div");
    div.className = "msg " + kind;
    const label = document.createElement("span");
    label.className = "who";
    label.textContent = whoText;
    const body = document.createElement("span");
    body.className = "text";
    div.append(label, body);
    $("chat-log").append(div);
    return { div, label, body };
  }

  $("chat-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const code = state.code;
    const text = $("chat-input").value.trim();
    if (!text) return;
    const route = $("chat-route").value || "*";
    $("chat-input").value = "";
    $("chat-send").disabled = true;
    message("user", "you").body.textContent = text;
    conversation.push({ role: "user", content: text });
    const answer = message("assistant", "…");
    try {
      const r = await fetch("/rooms/" + encodeURIComponent(code) + "/v1/chat/completions", {
        method: "POST",
        headers: headers(code, { "Content-Type": "application/json", "Accept": "text/event-stream" }),
        body: JSON.stringify({ model: route, stream: true, messages: conversation }),
      });
      if (!r.ok) {
        const body = await r.json().catch(() => ({}));
        throw new Error((body.error && body.error.message) || ("HTTP " + r.status));
      }
      const participant = r.headers.get("X-Gambiarra-Participant");
      answer.label.textContent = participant ? who(participant) : "room";
      let full = "";
      await readEvents(r, (name, data) => {
        if (data === "[DONE]") return;
        let chunk;
        try { chunk = JSON.parse(data); } catch (e) { return; }
        if (chunk.error) throw new Error(chunk.error.message || "the participant broke off");
        const delta = chunk.choices && chunk.choices[0] && chunk.choices[0].delta;
        if (delta && delta.content) {
          full += delta.content;
          answer.body.textContent = full;
        }
      });
      conversation.push({ role: "assistant", content: full });
    } catch (e) {
      answer.div.classList.add("fail");
      answer.label.textContent = "error";
      answer.body.textContent = e.message;
      conversation.pop();
    } finally {
      $("chat-send").disabled = false;
      $("chat-input").focus();
    }
  });

  $("chat-input").addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) $("chat-form").requestSubmit();
  });

  $("copy-join").addEventListener("click", async () => {
    const input = $("join-command");
    try {
      await navigator.clipboard.writeText(input.value);
      $("copy-join").textContent = "Copied";
    } catch (e) {
      input.select();
      $("copy-join").textContent = "Select + copy";
    }
    setTimeout(() => ($("copy-join").textContent = "Copy"), 1500);
  });

  window.addEventListener("popstate", () => {
    const code = roomInAddress();
    if (code) openRoom(code, false);
  });
  window.addEventListener("hashchange", () => {
    const code = roomInAddress();
    if (code) openRoom(code, false);
  });
  // A page left for another keeps no stream open: a browser holds six connections to one hub, and
  // pages kept for the back button would hold them all, so that a new page could not load. Back on
  // the page, the stream opens again.
  window.addEventListener("pagehide", () => {
    const open = state.events;
    state.events = null;
    if (open) open.abort();
  });
  window.addEventListener("pageshow", (e) => {
    if (e.persisted && state.code) loadParticipants();
  });

  // ---- start ---------------------------------------------------------------------------

  $("hub-line").textContent = location.origin;
  loadRooms().then(() => {
    if (state.code) openRoom(state.code, false);
  });
  // Rooms come and go; the list is read again every 10 s.
  setInterval(loadRooms, 10000);
  setInterval(() => { if (state.code && !$("room-body").hidden) drawCharts(); }, 15000);
})();
