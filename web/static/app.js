// dio-sim explorer: the page. Every rule of the game lives in the Go
// model, compiled to WebAssembly and run in worker.js; this script sends
// it the learner's clicks and draws the views it returns.
"use strict";

const SLOW_HINT_MS = 1500; // a hint slower than this is no longer searched after every move
const STORE = "dio-sim.explorer.challenges";
const $ = (id) => document.getElementById(id);

let worker = null;
let nextId = 1;
const waiting = new Map();
let catalog = null;
let view = null;
let source = {};
let selected = -1; // selected step (1-based), -1: the last
let challenge = null; // the level being played
let hintFor = ""; // the link a running hint search is for
let lastHint = null;
let autoHint = true; // search after every move (off after a slow search)

function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) e.setAttribute(k, v === true ? "" : v);
  }
  for (const k of kids) if (k !== null && k !== undefined) e.append(k);
  return e;
}

function startWorker() {
  return new Promise((resolve, reject) => {
    worker = new Worker("worker.js");
    worker.onmessage = (e) => {
      const m = e.data;
      if (m.type === "ready") return resolve();
      if (m.type === "fatal") return reject(new Error(m.error));
      if (m.type === "progress") return showProgress(m);
      const p = waiting.get(m.id);
      if (!p) return;
      waiting.delete(m.id);
      if (m.error !== undefined) p.reject(new Error(m.error));
      else p.resolve(m.result);
    };
    worker.onerror = (e) => reject(new Error(e.message || "the worker failed"));
  });
}

function call(op, args) {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    worker.postMessage({ id, op, args: args || {} });
  });
}

function showError(err) {
  const e = $("error");
  if (!err) {
    e.hidden = true;
    return;
  }
  e.textContent = String(err.message || err);
  e.hidden = false;
}

async function act(op, args) {
  if (op === "init" || op === "open" || op === "trace") autoHint = !(args && args.manual);
  document.body.dataset.busy = "1";
  try {
    const v = await call(op, args);
    showError(null);
    render(v);
  } catch (err) {
    showError(err);
  } finally {
    delete document.body.dataset.busy;
  }
}

// ---- rendering ----------------------------------------------------------

function render(v) {
  const moved = !view || v.link !== view.link;
  view = v;
  if (moved) selected = -1;
  document.body.dataset.n = v.n;
  document.body.dataset.ended = v.ended ? "1" : "";
  document.body.dataset.violations = v.violations.map((x) => x.prop).join(" ");
  $("version").value = v.version;
  if ([...$("scenario").options].some((o) => o.value === v.scenario)) $("scenario").value = v.scenario;
  $("undo").disabled = !v.canUndo;
  $("redo").disabled = !v.canRedo;
  $("scn").replaceChildren(
    el("b", { text: v.version + " · " + v.scenario }),
    el("span", { class: "doc", text: " " + (v.doc || v.spec) }),
    el("span", { class: "count", text: " · " + v.n + " moves" + (v.ended ? " · the run has ended" : "") })
  );
  history.replaceState(null, "", "#" + v.link + (challenge ? "&ch=" + encodeURIComponent(challenge.id) : ""));
  renderLanes();
  renderStrip();
  renderTimelines();
  renderAccount();
  renderDetail();
  renderChallenge();
  requestHint();
}

function badge(text, cls) {
  return el("span", { class: "badge " + (cls || ""), text });
}

function renderLanes() {
  const box = $("lanes");
  box.replaceChildren();
  const h = lastHint && lastHint.link === view.link ? lastHint : null;
  for (const a of view.actors) {
    const hinted = h && h.actor === a.id;
    const lane = el("div", { class: "lane" + (a.enabled ? " enabled" : "") + (a.done ? " done" : "") + (hinted ? " hinted" : ""), "data-actor": a.name });
    const head = el("div", { class: "lanehead" }, el("b", { text: a.name }));
    if (a.enabled) head.append(badge("can run", "ok"));
    else head.append(badge(a.done ? "finished" : "blocked", a.done ? "" : "wait"));
    if (hinted) head.append(badge("hint", "hint"));
    lane.append(head);
    if (a.loc) {
      lane.append(el("div", { class: "stmt", text: a.text }));
      lane.append(el("div", { class: "cite", text: a.func + " · " + a.loc }));
      const sn = source[a.loc];
      if (sn) {
        const pre = el("pre", { class: "src" });
        for (const l of sn.lines) pre.append(el("span", { class: l.cited ? "cited" : "", text: (l.n ? String(l.n).padStart(5) + "  " : "       ") + l.text + "\n" }));
        lane.append(pre);
      }
    }
    if (!a.enabled && a.why && !a.done) lane.append(el("div", { class: "why", text: a.why }));
    if (a.enabled) {
      const btns = el("div", { class: "btns" });
      const choices = a.choices && a.choices.length ? a.choices : [{ choice: 0, name: "" }];
      for (const c of choices) {
        const isHint = hinted && h.choice === c.choice;
        btns.append(
          el("button", {
            class: "step" + (c.name && c.name !== "ok" ? " fault" : "") + (isHint ? " hinted" : ""),
            "data-actor": a.name,
            "data-choice": c.choice,
            text: c.name ? c.name : "step " + a.name,
            title: c.name ? "run " + a.name + "'s step with outcome " + c.name : "run " + a.name + "'s next step",
            onclick: () => act("move", { actor: a.id, choice: c.choice, auto: $("auto").checked }),
          })
        );
      }
      lane.append(btns);
    }
    box.append(lane);
  }
}

function stepShort(s) {
  return s.func + (s.outcome && s.outcome !== "ok" ? " [" + s.outcome + "]" : "");
}

function renderStrip() {
  const t = $("strip");
  t.replaceChildren();
  const head = el("tr", {}, el("th", { class: "n", text: "#" }));
  for (const a of view.actors) head.append(el("th", { text: a.name }));
  t.append(el("thead", {}, head));
  const body = el("tbody");
  const sel = selected < 0 ? view.steps.length : selected;
  for (const s of view.steps) {
    const broke = s.broke && s.broke.length;
    const tr = el("tr", {
      class: (s.auto ? "auto" : "") + (broke ? " broke" : "") + (s.n === sel ? " sel" : ""),
      "data-step": s.n,
      title: "step " + s.n + ": " + s.name + " at " + s.loc + "\n" + s.text + ((s.reads || []).length ? "\nreads " + s.reads.map((r) => r.field + " = " + r.val).join(", ") : "") + (s.changes.length ? "\n=> " + s.changes.map((c) => c.field + ": " + c.old + "→" + c.new).join(", ") : "") + (broke ? "\nbroke: " + s.broke.join(", ") : ""),
      onclick: () => select(s.n),
    });
    tr.append(el("td", { class: "n", text: s.n }));
    for (const a of view.actors) {
      if (a.id === s.actor) tr.append(el("td", { class: "cell" + (s.outcome && s.outcome !== "ok" ? " fault" : ""), text: stepShort(s) }));
      else tr.append(el("td"));
    }
    body.append(tr);
  }
  t.append(body);
  const row = t.querySelector("tr.sel");
  if (row) row.scrollIntoView({ block: "nearest" });
}

function select(n) {
  selected = n;
  renderStrip();
  renderTimelines();
  renderDetail();
}

function levels(values) {
  const nums = values.map((v) => (/^-?\d+$/.test(v) ? Number(v) : NaN));
  if (nums.every((x) => !isNaN(x))) return { y: nums, names: null };
  const names = [];
  const y = values.map((v) => {
    if (v === "NULL" || v === "false") return 0;
    let i = names.indexOf(v);
    if (i < 0) i = names.push(v) - 1;
    return i + 1;
  });
  return { y, names };
}

function renderTimelines() {
  const box = $("timelines");
  box.replaceChildren();
  const n = view.steps.length;
  const sel = selected < 0 ? n : selected;
  const W = 600, H = 18;
  const x = (i) => 4 + (i * (W - 8)) / Math.max(n, 1);
  box.append(el("div", { class: "small", text: "Shared variables over the run (click to select a step; red: a property broke; dashed: the selected step)" }));
  for (const tl of view.timelines) {
    const { y } = levels(tl.values);
    const lo = Math.min(...y), hi = Math.max(...y);
    const yy = (v) => (hi === lo ? H / 2 : H - 3 - ((v - lo) * (H - 6)) / (hi - lo));
    let d = "M" + x(0) + " " + yy(y[0]);
    for (let i = 1; i < y.length; i++) d += " H" + x(i) + " V" + yy(y[i]);
    d += " H" + (W - 4);
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
    svg.setAttribute("preserveAspectRatio", "none");
    svg.classList.add("tl");
    const add = (tag, attrs) => {
      const e = document.createElementNS(ns, tag);
      for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
      svg.append(e);
      return e;
    };
    for (const v of view.violations) if (v.step > 0) add("line", { x1: x(v.step), x2: x(v.step), y1: 0, y2: H, class: "vline" });
    add("line", { x1: x(sel), x2: x(sel), y1: 0, y2: H, class: "selline" });
    add("path", { d, class: "val" });
    svg.addEventListener("click", (e) => {
      const r = svg.getBoundingClientRect();
      const i = Math.round(((e.clientX - r.left) / r.width * W - 4) / ((W - 8) / Math.max(n, 1)));
      if (i >= 1 && i <= n) select(i);
    });
    const cur = tl.values[sel] !== undefined ? tl.values[sel] : tl.values[tl.values.length - 1];
    const hist = [];
    for (let i = 0; i < tl.values.length; i++) if (i === 0 || tl.values[i] !== tl.values[i - 1]) hist.push(tl.values[i] + (i ? "@" + i : ""));
    box.append(el("div", { class: "tlrow", title: tl.field + ": " + hist.join(" → ") }, el("span", { class: "tlname", text: tl.field }), svg, el("span", { class: "tlval", text: cur })));
  }
}

function linkSteps(text) {
  const out = el("span");
  let last = 0;
  for (const m of text.matchAll(/step (\d+)/g)) {
    out.append(text.slice(last, m.index));
    const n = Number(m[1]);
    out.append(el("a", { href: "#", class: "steplink", text: m[0], onclick: (e) => { e.preventDefault(); if ($("windialog").open) $("windialog").close(); select(n); } }));
    last = m.index + m[0].length;
  }
  out.append(text.slice(last));
  return out;
}

function accountBox(a) {
  const d = el("div", { class: "acct", "data-prop": a.prop }, el("h3", { text: a.title }));
  for (const l of a.lines) d.append(el("p", {}, linkSteps(l)));
  return d;
}

function renderAccount() {
  const box = $("account");
  box.replaceChildren();
  box.hidden = view.accounts.length === 0;
  if (box.hidden) return;
  box.append(el("h2", { text: "What went wrong" }));
  for (const a of view.accounts) box.append(accountBox(a));
}

function renderDetail() {
  const box = $("detail");
  const n = selected < 0 ? view.steps.length : selected;
  const s = view.steps[n - 1];
  if (!s) {
    box.replaceChildren(el("i", { text: "No step taken yet: click a step button above." }));
    return;
  }
  const rd = el("ul", { class: "changes reads" });
  for (const r of s.reads || []) rd.append(el("li", {}, el("code", { text: r.field }), " = ", el("b", { text: r.val })));
  if (!(s.reads || []).length) rd.append(el("li", { text: "(no shared state read)" }));
  const ch = el("ul", { class: "changes" });
  for (const c of s.changes) ch.append(el("li", {}, el("code", { text: c.field }), " " + c.old + " → ", el("b", { text: c.new })));
  if (!s.changes.length) ch.append(el("li", { text: "(no shared state changed)" }));
  box.replaceChildren(...[
    el("div", {}, el("b", { text: "step " + s.n + " · " + s.name }), " " + (s.outcome ? "[" + s.outcome + "] " : "") + (s.auto ? "(forced) " : ""), el("span", { class: "cite", text: s.func + " · " + s.loc })),
    el("div", { class: "stmt", text: s.text }),
    el("div", { class: "small", text: "read:" }),
    rd,
    el("div", { class: "small", text: "changed:" }),
    ch,
    s.broke && s.broke.length ? el("div", { class: "brokeline", text: "broke here: " + s.broke.join(", ") }) : null,
  ].filter((x) => x));
}

// ---- hints --------------------------------------------------------------

function requestHint(force) {
  const box = $("hint");
  if (!$("hints").checked) {
    box.textContent = "";
    box.dataset.verdict = "";
    return;
  }
  if (lastHint && lastHint.link === view.link && lastHint.prop === $("prop").value) {
    showHint(lastHint);
    return;
  }
  if (hintFor === view.link + "|" + $("prop").value) return;
  if (!autoHint && !force) {
    box.dataset.verdict = "manual";
    box.dataset.length = "";
    box.replaceChildren(el("button", { id: "search", text: "search from here", onclick: () => requestHint(true) }),
      el("span", { class: "small", text: " (the last search took " + (lastHint ? lastHint.ms : "?") + " ms: hints are searched on demand)" }));
    return;
  }
  const key = view.link + "|" + $("prop").value;
  hintFor = key;
  box.dataset.verdict = "searching";
  box.dataset.length = "";
  box.textContent = "searching…";
  $("cancel").hidden = false;
  const link = view.link;
  call("hint", { prop: $("prop").value, maxStates: Number($("bound").value) })
    .then((h) => {
      if (hintFor !== key) return;
      hintFor = "";
      autoHint = h.ms < SLOW_HINT_MS;
      h.link = link;
      lastHint = h;
      if (view.link === link) {
        showHint(h);
        renderLanes();
      }
    })
    .catch((err) => {
      if (hintFor === key) hintFor = "";
      box.textContent = "hint failed: " + err.message;
    })
    .finally(() => ($("cancel").hidden = hintFor === ""));
}

function showHint(h) {
  const box = $("hint");
  box.dataset.verdict = h.verdict;
  box.dataset.length = h.verdict === "violated" ? h.length : "";
  box.dataset.states = h.states;
  box.dataset.ms = h.ms;
  let t;
  if (h.verdict === "violated" && h.length === 0) t = h.prop + " is broken.";
  else if (h.verdict === "violated") t = h.length + (h.length === 1 ? " move" : " moves") + " to break " + h.prop + " at the fewest: move " + h.actorName + (h.outcome ? " (" + h.outcome + ")" : "") + ".";
  else if (h.verdict === "holds") t = "No violation of " + h.prop + " reachable from here.";
  else t = "No violation of " + h.prop + " within " + h.states + " states (not a proof).";
  box.replaceChildren(el("b", { text: t }), el("span", { class: "small", text: " (" + h.states + " states, " + h.ms + " ms" + (h.complete ? ", exhaustive" : ", stopped by the bound") + ")" }));
}

function showProgress(p) {
  const box = $("hint");
  if (box.dataset.verdict === "searching") box.textContent = "searching… " + p.states + " states, depth " + p.depth + ", " + (p.ms / 1000).toFixed(1) + " s";
}

async function cancelHint() {
  // A search blocks the worker: stop it by starting a fresh one at the
  // same position (the undo history is lost).
  worker.terminate();
  for (const p of waiting.values()) p.reject(new Error("stopped"));
  waiting.clear();
  hintFor = "";
  $("cancel").hidden = true;
  await startWorker();
  await act("open", { link: view.link, manual: true });
}

// ---- challenges ---------------------------------------------------------

function done() {
  try {
    return JSON.parse(localStorage.getItem(STORE) || "{}");
  } catch (e) {
    return {};
  }
}

function renderChallengeList() {
  const d = done();
  const list = $("chlist");
  list.replaceChildren();
  for (const c of catalog.challenges) {
    list.append(
      el("li", { class: d[c.id] ? "won" : "" },
        el("b", { text: c.title }), d[c.id] ? badge("done in " + d[c.id] + " moves", "ok") : null,
        el("div", { class: "small", text: c.version + " · " + c.scenario + " · budget " + c.budget + " moves" }),
        el("div", { text: c.goal }),
        el("button", { "data-challenge": c.id, text: "Play", onclick: () => { $("chdialog").close(); startChallenge(c); } }))
    );
  }
}

async function startChallenge(c) {
  challenge = { ...c, won: false };
  $("prop").value = c.prop;
  lastHint = null;
  await act("init", { version: c.version, scenario: c.scenario, auto: $("auto").checked });
}

function renderChallenge() {
  const b = $("banner");
  if (!challenge) {
    b.hidden = true;
    return;
  }
  const c = challenge;
  const v = view;
  let status = "";
  let won = false;
  if (c.break) {
    const hit = v.violations.find((x) => x.prop === c.prop);
    if (hit && hit.step <= c.budget) won = true;
  } else if (v.ended && !v.violations.some((x) => x.prop === c.prop) && v.n <= c.budget) {
    won = true;
  }
  if (won) status = "Goal reached in " + v.n + " moves.";
  else if (v.n > c.budget) status = "Over budget: undo, or start again.";
  else if (v.ended) status = "The run has ended without reaching the goal: undo and try another order.";
  b.dataset.won = won ? "1" : "";
  b.replaceChildren(
    el("b", { text: c.title }), " ", el("span", { text: c.goal }), " ",
    el("span", { class: "budget" + (v.n > c.budget ? " over" : ""), text: "moves " + v.n + " / " + c.budget }), " ",
    el("b", { class: "status", text: status }),
    el("button", { text: "leave", onclick: () => { challenge = null; render(view); } })
  );
  b.hidden = false;
  if (won && !c.won) {
    c.won = true;
    const d = done();
    if (!d[c.id] || d[c.id] > v.n) d[c.id] = v.n;
    localStorage.setItem(STORE, JSON.stringify(d));
    const text = $("wintext");
    text.replaceChildren(el("p", { text: "Goal reached in " + v.n + " moves (budget " + c.budget + ")." }), el("p", { text: c.lesson }));
    for (const a of v.accounts) if (a.prop === c.prop) text.append(accountBox(a));
    $("wintitle").textContent = c.title + ": done";
    $("windialog").dataset.won = c.id;
    $("windialog").showModal();
  }
}

// ---- start --------------------------------------------------------------

function fillSelect(sel, items, label) {
  sel.replaceChildren();
  for (const it of items) sel.append(el("option", { value: it.name || it, title: it.doc || "", text: label ? label(it) : it.name || it }));
}

function b64decode(s) {
  const bin = atob(s.replace(/-/g, "+").replace(/_/g, "/"));
  return new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
}

async function openHash() {
  const h = location.hash.slice(1);
  const q = new URLSearchParams(h);
  const ch = q.get("ch") && catalog.challenges.find((c) => c.id === q.get("ch"));
  if (ch && !q.get("m")) return startChallenge(ch);
  if (ch) challenge = { ...ch, won: false };
  if (q.get("trace")) return act("trace", { trace: b64decode(q.get("trace")) });
  if (q.get("v") && q.get("s")) {
    // A scenario from its start: the forced moves run as after Start.
    return act("open", { link: h, auto: !q.get("m") && $("auto").checked });
  }
  return act("init", { version: $("version").value, scenario: $("scenario").value, auto: $("auto").checked });
}

async function boot() {
  try {
    await startWorker();
    catalog = await call("catalog");
  } catch (err) {
    showError("the simulator did not load: " + err.message);
    document.body.dataset.error = err.message;
    return;
  }
  fillSelect($("version"), catalog.versions);
  $("version").value = "before";
  fillSelect($("scenario"), catalog.scenarios, (s) => s.name + (s.default ? "" : " (large)"));
  $("scenario").value = "double-completion";
  fillSelect($("prop"), catalog.properties);
  try {
    const r = await fetch("source.json");
    if (r.ok) source = await r.json();
  } catch (e) {
    source = {};
  }
  $("start").onclick = () => { challenge = null; lastHint = null; act("init", { version: $("version").value, scenario: $("scenario").value, auto: $("auto").checked }); };
  $("undo").onclick = () => act("undo");
  $("redo").onclick = () => act("redo");
  $("auto").onchange = () => { if ($("auto").checked) act("autorun"); };
  $("prop").onchange = () => requestHint(true);
  $("bound").onchange = () => { lastHint = null; requestHint(true); };
  $("hints").onchange = () => requestHint(true);
  $("cancel").onclick = cancelHint;
  $("challenges-btn").onclick = () => { renderChallengeList(); $("chdialog").showModal(); };
  $("chclose").onclick = () => $("chdialog").close();
  $("winclose").onclick = () => $("windialog").close();
  $("copylink").onclick = async () => {
    try {
      await navigator.clipboard.writeText(location.href);
      $("copylink").textContent = "Copied";
    } catch (e) {
      prompt("Link to this position:", location.href);
    }
    setTimeout(() => ($("copylink").textContent = "Link"), 1500);
  };
  $("savetrace").onclick = async () => {
    const text = await call("savetrace");
    const a = el("a", { href: URL.createObjectURL(new Blob([text], { type: "text/plain" })), download: view.version + "-" + view.scenario + ".trace" });
    a.click();
  };
  $("tracefile").onchange = async (e) => {
    const f = e.target.files[0];
    if (!f) return;
    challenge = null;
    lastHint = null;
    await act("trace", { trace: await f.text() });
    e.target.value = "";
  };
  window.addEventListener("hashchange", () => {
    if (view && location.hash.slice(1).split("&ch=")[0] === view.link) return;
    openHash();
  });
  document.addEventListener("keydown", (e) => {
    if (e.target.tagName === "INPUT" || e.target.tagName === "SELECT") return;
    if (e.key === "u" && view && view.canUndo) act("undo");
    if (e.key === "r" && view && view.canRedo) act("redo");
  });
  await openHash();
  if (!view) {
    // The link did not open: say why, over the default scenario.
    const why = $("error").textContent;
    challenge = null;
    await act("init", { version: $("version").value, scenario: $("scenario").value, auto: $("auto").checked });
    showError("The link did not open: " + why);
  }
  document.body.dataset.ready = "1";
  document.body.dataset.readyMs = Math.round(performance.now());
}

boot();
