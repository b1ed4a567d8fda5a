"use strict";
// PixelPulse live dashboard. Events only touch the model; every DOM write happens in one
// requestAnimationFrame, and only for rows on screen (the others catch up when they scroll in).
(() => {
  const COLS = ["views", "clicks", "conversions", "value", "ctr", "cvr", "uniques", "bots"];
  const SEVERITY = { critical: 0, error: 1, warning: 2, info: 3 };
  const SORT_EVERY = 5000;       // rows jumping around more often is unreadable
  const SILENCE = 5000;          // no event at all for this long: show the numbers as stale
  const REOPEN_AFTER = 60000;    // a stream silent this long may be a dead connection: open a new one
  const ALERT_FADE = 5000;       // a resolved alert stays this long (the CSS fades it out)
  const SERIES_EVERY = 300000;
  const FLUSH_EVERY = 125;       // feed-driven frames at most 8 a second: each row changes once a second anyway
  const SPARK_W = 100, SPARK_H = 20;
  const SVG = "http://www.w3.org/2000/svg";
  const $ = (id) => document.getElementById(id);

  // ---------- storage (may throw in private modes: the page works without it)

  const keep = (area) => ({
    get(k) { try { return area().getItem(k); } catch { return null; } },
    set(k, v) { try { area().setItem(k, v); } catch { /* not remembered */ } },
  });
  const local = keep(() => localStorage), session = keep(() => sessionStorage);

  // ---------- formatting

  const count = new Intl.NumberFormat();
  const decimal = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });
  const percent = new Intl.NumberFormat(undefined, { style: "percent", minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const clock = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
  const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
  const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
  const money = moneyFormat(document.querySelector('meta[name="pixelpulse-currency"]')?.content ?? "");

  // Values come in minor units: scale by the currency's own digits (JPY 0, USD 2, BHD 3).
  function moneyFormat(currency) {
    try {
      const f = new Intl.NumberFormat(undefined, { style: "currency", currency });
      const scale = 10 ** f.resolvedOptions().maximumFractionDigits;
      return (v) => f.format(v / scale);
    } catch { // no currency (or an unreplaced placeholder): plain hundredths
      const f = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
      return (v) => f.format(v / 100);
    }
  }

  function formatCell(col, v, w) {
    if (v == null) return "–";
    if (col === "value") return money(v);
    if (col === "ctr" || col === "cvr") return percent.format(v);
    // An estimate shows its standard error once that is a visitor or more (it follows from v).
    if (col === "uniques" && w?.uniquesError > 0) return `${count.format(v)} ±${count.format(w.uniquesError)}`;
    return count.format(v);
  }

  const formatMeasure = (v, unit) =>
    v == null ? "–" : unit === "ratio" ? percent.format(v) : unit === "per_second" ? `${decimal.format(v)}/s` : decimal.format(v);

  // ---------- model

  let token = takeToken();
  let seq = 0, startedAt = 0, heartbeat = null, lastEventAt = 0;
  let everLoaded = false, aggregatorStale = false, staleSince = null;
  let link = "ok";               // "ok" | "silent" (no event for SILENCE) | "down" (EventSource error)
  let unauthorized = false;
  let windowNames = [];
  let selected = local.get("pixelpulse.window") ?? "5m";
  let sort = readSort();
  let filter = "";
  const expanded = new Set();
  const groups = new Map();      // campaign → {name, lower, row, pixels: Map<pixel, row>, expanded, hidden}
  const alerts = new Map();      // fingerprint → {body, li, resolved, gone}; resolved ones keep their seq until the next state
  const series = new Map();      // topic key → {start, step, views[]}
  const scopes = new Map();      // "" (rollups) or an expanded campaign → {gen, meta: {start, step, len} | null, error}
  const rowOf = new WeakMap();   // tr → row

  const topicKey = (campaign, pixel) => `${campaign}\u0000${pixel ?? ""}`;
  const scopeOf = (row) => (row.pixel == null ? "" : row.campaign);
  const windowOf = (row) => row.body?.windows?.[selected];
  const valueOf = (row, col) => windowOf(row)?.[col] ?? null;

  function readSort() {
    const [col, dir] = (local.get("pixelpulse.sort") ?? "").split(":");
    return col === "name" || COLS.includes(col) ? { col, dir: dir === "1" ? 1 : -1 } : { col: "views", dir: -1 };
  }

  // ---------- frame scheduling

  const dirty = new Set();       // rows on screen waiting for a write
  const pending = new Set();     // rows off screen waiting until they scroll in
  const removed = [];            // trs to take out of the DOM
  const ui = { order: true, filter: false, alerts: false, chrome: true, windows: true };
  let framePending = false, flushTimer = 0, lastFrame = 0, lastSort = 0, sortStale = false;

  function requestFrame() {
    if (!framePending) { framePending = true; requestAnimationFrame(frame); }
  }

  // The feed asks for frames through here: every frame has a fixed cost (intersections, paint, commit).
  function requestFlush() {
    if (framePending || flushTimer) return;
    const wait = lastFrame + FLUSH_EVERY - performance.now();
    if (wait <= 0) requestFrame();
    else flushTimer = setTimeout(() => { flushTimer = 0; requestFrame(); }, wait);
  }

  function touch(what) { ui[what] = true; requestFrame(); }

  function markDirty(row) {
    if (row.visible) { dirty.add(row); requestFlush(); } else pending.add(row);
  }

  function markAllDirty() {
    for (const g of groups.values()) { markDirty(g.row); g.pixels.forEach(markDirty); }
  }

  function frame(now) {
    framePending = false;
    lastFrame = now;
    for (const tr of removed.splice(0)) tr.remove();
    if (ui.filter) { ui.filter = false; applyFilter(); }
    if (ui.order || (sortStale && now - lastSort >= SORT_EVERY)) { ui.order = false; reorder(now); }
    for (const row of dirty) writeRow(row);
    dirty.clear();
    if (ui.alerts) { ui.alerts = false; writeAlerts(); }
    if (ui.windows) { ui.windows = false; writeWindows(); }
    if (ui.chrome) { ui.chrome = false; writeChrome(); }
  }

  // Rows that scroll into view get the writes they missed.
  const box = $("box");
  const observer = new IntersectionObserver((entries) => {
    for (const e of entries) {
      const row = rowOf.get(e.target);
      if (!row) continue;
      row.visible = e.isIntersecting;
      if (row.visible && pending.delete(row)) { dirty.add(row); requestFrame(); }
      else if (!row.visible && dirty.delete(row)) pending.add(row);
    }
  }, { root: box, rootMargin: "300px 0px" });

  // The sticky name column is costly (see the CSS): it is on only while scrolled sideways.
  let sideways = false;
  box.addEventListener("scroll", () => {
    const on = box.scrollLeft > 0;
    if (on !== sideways) { sideways = on; box.classList.toggle("sideways", on); }
  }, { passive: true });

  // ---------- rows

  const tbody = document.querySelector("#campaigns tbody");
  const rowTemplate = buildRowTemplate();

  // Explicit roles: the CSS lays the table out as flex rows, which can hide its table semantics.
  function buildRowTemplate() {
    const tr = document.createElement("tr");
    tr.setAttribute("role", "row");
    tr.insertCell().className = "name";
    const spark = tr.insertCell();
    spark.className = "spark";
    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", `0 0 ${SPARK_W} ${SPARK_H}`);
    svg.setAttribute("preserveAspectRatio", "none");
    svg.setAttribute("aria-hidden", "true");
    svg.dataset.points = "0";
    for (const tag of ["polygon", "polyline"]) svg.append(document.createElementNS(SVG, tag));
    spark.append(svg);
    for (const col of COLS) {
      const td = tr.insertCell();
      td.dataset.col = col;
      td.dataset.v = "";
      td.append(document.createTextNode(""));
    }
    for (const td of tr.cells) td.setAttribute("role", "cell");
    return tr;
  }

  function makeRow(campaign, pixel) {
    const tr = rowTemplate.cloneNode(true);
    tr.className = pixel == null ? "campaign" : "key";
    tr.dataset.campaign = campaign;
    const name = tr.cells[0];
    if (pixel == null) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "toggle";
      button.setAttribute("aria-expanded", "false");
      button.textContent = campaign;
      name.append(button);
    } else {
      tr.dataset.pixel = pixel;
      name.textContent = pixel;
    }
    name.title = pixel == null ? campaign : `${campaign} / ${pixel}`;
    const svg = tr.cells[1].firstChild;
    const cells = {};
    COLS.forEach((col, i) => { cells[col] = { td: tr.cells[i + 2], text: tr.cells[i + 2].firstChild, v: undefined, shown: "" }; });
    const row = {
      campaign, pixel, key: topicKey(campaign, pixel), body: null, seq: -1, tr, cells, visible: false,
      spark: { td: tr.cells[1], svg, area: svg.firstChild, line: svg.lastChild, points: null, title: "" },
    };
    rowOf.set(tr, row);
    observer.observe(tr);
    return row;
  }

  function dropRow(row) {
    observer.unobserve(row.tr);
    dirty.delete(row);
    pending.delete(row);
    series.delete(row.key);
    removed.push(row.tr);
    requestFrame();
  }

  function group(campaign) {
    let g = groups.get(campaign);
    if (!g) {
      g = { name: campaign, lower: campaign.toLowerCase(), row: makeRow(campaign, null), pixels: new Map(), expanded: expanded.has(campaign), hidden: false };
      groups.set(campaign, g);
      ui.filter = true;
      touch("order"); // a new campaign takes its place at once
    }
    return g;
  }

  function pixelRow(g, pixel) {
    let row = g.pixels.get(pixel);
    if (!row) {
      row = makeRow(g.name, pixel);
      g.pixels.set(pixel, row);
      row.tr.hidden = g.hidden;
      touch("order");
    }
    return row;
  }

  function writeRow(row) {
    const w = windowOf(row);
    for (const col of COLS) {
      const c = row.cells[col];
      const v = w?.[col] ?? null;
      if (v === c.v) continue;
      c.v = v;
      c.td.dataset.v = v == null ? "" : String(v);
      const text = formatCell(col, v, w);
      if (text !== c.shown) { c.shown = text; c.text.data = text; }
    }
    writeSpark(row);
  }

  function writeSpark(row) {
    const sp = row.spark;
    const s = series.get(row.key);
    const points = s ? sparkPoints(s.views) : "";
    if (points !== sp.points) {
      sp.points = points;
      sp.line.setAttribute("points", points);
      sp.area.setAttribute("points", points && `${points} ${SPARK_W},${SPARK_H} 0,${SPARK_H}`);
      sp.svg.dataset.points = s ? String(s.views.length) : "0";
    }
    const error = s ? "" : scopes.get(scopeOf(row))?.error ?? "";
    const title = error && `Sparkline unavailable: ${error}`;
    if (title !== sp.title) {
      sp.title = title;
      sp.td.title = title;
      sp.td.classList.toggle("na", title !== "");
    }
  }

  // Each sparkline is scaled to its own peak; a flat zero line sits on the bottom.
  function sparkPoints(views) {
    const n = views.length;
    if (n === 0) return "";
    const peak = Math.max(1, ...views);
    const dx = n > 1 ? SPARK_W / (n - 1) : 0;
    let out = "";
    for (let i = 0; i < n; i++) {
      const y = SPARK_H - 1 - (views[i] / peak) * (SPARK_H - 3);
      out += `${i ? " " : ""}${Math.round(i * dx * 10) / 10},${Math.round(y * 10) / 10}`;
    }
    return out;
  }

  // ---------- order and filter

  function compare(a, b) {
    if (sort.col !== "name") {
      const va = valueOf(a, sort.col), vb = valueOf(b, sort.col);
      if (va !== vb) {
        if (va == null) return 1;  // unknown values sink, whatever the direction
        if (vb == null) return -1;
        return (va - vb) * sort.dir;
      }
      return collator.compare(a.campaign, b.campaign);
    }
    return collator.compare(a.campaign, b.campaign) * sort.dir;
  }

  const byViews = (a, b) => (valueOf(b, "views") ?? -1) - (valueOf(a, "views") ?? -1) || collator.compare(a.pixel, b.pixel);

  function orderedRows() {
    const out = [];
    for (const g of [...groups.values()].sort((a, b) => compare(a.row, b.row))) {
      out.push(g.row);
      if (g.expanded) out.push(...[...g.pixels.values()].sort(byViews));
    }
    return out;
  }

  // Moving a row costs a style and layout pass on it, so only the rows outside the longest run
  // already in order move (a re-sort mostly swaps neighbours).
  function reorder(now) {
    const want = orderedRows().map((row) => row.tr);
    const was = new Map();
    let i = 0;
    for (const tr of tbody.children) was.set(tr, i++);
    const stay = longestIncreasing(want.map((tr) => was.get(tr) ?? -1));
    let next = null;
    for (let k = want.length - 1; k >= 0; k--) {
      if (!stay.has(k)) tbody.insertBefore(want[k], next);
      next = want[k];
    }
    for (const g of groups.values()) {
      const button = g.row.tr.cells[0].firstChild;
      const open = String(g.expanded);
      if (button.getAttribute("aria-expanded") !== open) button.setAttribute("aria-expanded", open);
    }
    lastSort = now;
    sortStale = false;
    ui.chrome = true;
  }

  // Indices of one longest strictly increasing subsequence (negatives, new rows, never stay).
  function longestIncreasing(values) {
    const tails = [], prev = new Array(values.length);
    values.forEach((v, k) => {
      if (v < 0) return;
      let lo = 0, hi = tails.length;
      while (lo < hi) { const mid = (lo + hi) >> 1; if (values[tails[mid]] < v) lo = mid + 1; else hi = mid; }
      prev[k] = lo > 0 ? tails[lo - 1] : -1;
      tails[lo] = k;
    });
    const stay = new Set();
    for (let k = tails.length ? tails[tails.length - 1] : -1; k >= 0; k = prev[k]) stay.add(k);
    return stay;
  }

  function applyFilter() {
    const q = filter.toLowerCase();
    for (const g of groups.values()) {
      const hide = q !== "" && !g.lower.includes(q);
      if (hide === g.hidden) continue;
      g.hidden = hide;
      g.row.tr.hidden = hide;
      for (const p of g.pixels.values()) p.tr.hidden = hide;
    }
    ui.chrome = true;
  }

  // ---------- applying the feed

  function applyStats(body, replace = false) {
    if (body.pixel != null && !expanded.has(body.campaign)) return; // a late event from before a collapse
    const g = group(body.campaign);
    const row = body.pixel == null ? g.row : pixelRow(g, body.pixel);
    if (!replace && body.seq <= row.seq) return;
    row.seq = body.seq;
    row.body = body;
    if (!replace) seq = body.seq;
    noteWindows(body.windows);
    advanceSeries(row);
    if (row.tr.isConnected) markDirty(row);
    else writeRow(row); // not in the document yet: no layout to cause, and it arrives complete
    sortStale = true;
  }

  function applyState(doc) {
    const seen = new Set();
    for (const body of doc.stats ?? []) { applyStats(body, true); seen.add(topicKey(body.campaign, body.pixel)); }
    for (const [name, g] of groups) {
      for (const [pixel, row] of g.pixels) if (!seen.has(row.key)) { dropRow(row); g.pixels.delete(pixel); }
      if (seen.has(g.row.key)) continue;
      if (g.pixels.size === 0) { dropRow(g.row); groups.delete(name); } else { g.row.body = null; g.row.seq = -1; markDirty(g.row); }
    }
    const firing = new Set();
    for (const body of doc.alerts ?? []) { applyAlert(body, true); firing.add(body.fingerprint); }
    for (const [fp, a] of alerts) {
      if (firing.has(fp)) continue;
      if (a.li && !a.resolved) resolveAlert(a); else if (!a.li) alerts.delete(fp);
    }
    seq = doc.seq;
    startedAt = doc.startedAt;
    heartbeat = doc.heartbeat ?? heartbeat;
    aggregatorStale = Boolean(doc.stale);
    if (aggregatorStale) staleSince ??= heartbeat?.time ?? null; else staleSince = null;
    everLoaded = true;
    ui.order = ui.filter = ui.alerts = true;
    touch("chrome");
    scheduleSeries();
  }

  function applyAlert(body, replace = false) {
    let a = alerts.get(body.fingerprint);
    if (a && !replace && body.seq <= a.body.seq) return;
    if (!a) {
      if (body.status === "resolved") return; // never shown: nothing to fade out
      a = { body, li: buildAlert(body.fingerprint), resolved: false, timer: 0, expired: false };
      alerts.set(body.fingerprint, a);
    }
    a.body = body;
    if (!replace) seq = body.seq;
    if (body.status === "resolved") resolveAlert(a);
    else if (a.resolved) { // fired again while (or after) fading out
      clearTimeout(a.timer);
      a.resolved = a.expired = false;
      a.li ??= buildAlert(body.fingerprint);
    }
    touch("alerts");
  }

  function resolveAlert(a) {
    if (a.resolved) return;
    a.resolved = true;
    a.timer = setTimeout(() => { a.expired = true; touch("alerts"); }, ALERT_FADE);
    touch("alerts");
  }

  function applyHeartbeat(body) {
    heartbeat = body;
    startedAt = body.startedAt ?? startedAt;
    seq = body.seq;
    touch("chrome");
  }

  function noteWindows(windows) {
    if (!windows) return;
    const names = Object.keys(windows);
    if (names.length === windowNames.length && names.every((n, i) => n === windowNames[i])) return;
    windowNames = [...names, ...windowNames.filter((n) => !names.includes(n))];
    if (!windowNames.includes(selected)) {
      selected = windowNames.includes("5m") ? "5m" : windowNames[0];
      markAllDirty();
    }
    touch("windows");
  }

  // ---------- sparkline series

  // The last point follows the live 1h count: the step holding `time`, less the rest of the hour.
  function advanceSeries(row) {
    const h = row.body?.windows?.["1h"];
    if (!h) return;
    let s = series.get(row.key);
    if (!s) {
      const meta = scopes.get(scopeOf(row))?.meta;
      if (!meta) return;
      s = { start: meta.start, step: meta.step, views: new Array(meta.len).fill(0) }; // a key born after the fetch
      series.set(row.key, s);
    }
    const n = s.views.length;
    const step = Math.floor((row.body.time - s.start) / s.step);
    if (n === 0 || step < n - 1) return; // older than the series: nothing to add
    const shift = step - (n - 1);
    if (shift > 0) {
      s.views = shift >= n ? new Array(n).fill(0) : s.views.slice(shift).concat(new Array(shift).fill(0));
      s.start += shift * s.step;
    }
    let rest = 0;
    for (let i = 0; i < n - 1; i++) rest += s.views[i];
    s.views[n - 1] = Math.max(0, h.views - rest);
  }

  let seriesTimer = 0;
  function scheduleSeries() { // a burst of states (reconnects) asks once
    clearTimeout(seriesTimer);
    seriesTimer = setTimeout(() => { fetchSeries(""); expanded.forEach(fetchSeries); }, 300);
  }

  const seriesURL = (scope) => (scope === ""
    ? "v1/series?prefix=stats/&rollups=true&window=1h"
    : `v1/series?prefix=stats/${encodeURIComponent(scope)}/&window=1h`);

  async function fetchSeries(scope) {
    const sc = scopes.get(scope) ?? { gen: 0, meta: null, error: "" };
    const gen = ++sc.gen;
    scopes.set(scope, sc);
    let doc = null, error = "";
    try { doc = await getJSON(seriesURL(scope)); } catch (e) { error = e.message; }
    if (sc.gen !== gen || scopes.get(scope) !== sc) return; // superseded, or the campaign was collapsed
    const rows = scopeRows(scope);
    for (const row of rows) series.delete(row.key);
    sc.error = error;
    sc.meta = null;
    for (const b of doc?.series ?? []) {
      if (scope === "" ? b.pixel != null : b.campaign !== scope || b.pixel == null) continue;
      series.set(topicKey(b.campaign, b.pixel), { start: b.start, step: b.step, views: b.views.slice() });
      sc.meta ??= { start: b.start, step: b.step, len: b.views.length };
    }
    for (const row of rows) { advanceSeries(row); markDirty(row); }
  }

  function scopeRows(scope) {
    if (scope === "") return [...groups.values()].map((g) => g.row);
    return [...(groups.get(scope)?.pixels.values() ?? [])];
  }

  // ---------- alerts

  function buildAlert(fingerprint) {
    const li = document.createElement("li");
    li.className = "alert";
    li.dataset.fingerprint = fingerprint;
    for (const part of ["sev", "rule", "key", "what", "since"]) {
      const span = document.createElement("span");
      span.className = part;
      li.append(span);
    }
    return li;
  }

  const rank = (a) => SEVERITY[a.body.severity] ?? 9;

  function writeAlerts() {
    const list = $("alerts");
    const shown = [];
    for (const a of alerts.values()) {
      if (a.expired && a.li) { a.li.remove(); a.li = null; } // kept, without its li, to hold its seq
      if (a.li) shown.push(a);
    }
    shown.sort((x, y) => rank(x) - rank(y) || x.body.startsAt - y.body.startsAt);
    let next = list.firstChild;
    for (const a of shown) {
      if (a.li === next) next = next.nextSibling; else list.insertBefore(a.li, next);
      fillAlert(a);
    }
  }

  function fillAlert(a) {
    const b = a.body, li = a.li;
    const [sev, rule, key, what, since] = li.children;
    if (li.dataset.severity !== b.severity) li.dataset.severity = b.severity;
    li.classList.toggle("resolved", a.resolved);
    setText(sev, b.severity);
    setText(rule, b.rule);
    setText(key, b.pixel == null ? b.campaign : `${b.campaign}/${b.pixel}`);
    setText(what, `${b.metric} ${b.window} ${formatMeasure(b.value, b.unit)} vs ${formatMeasure(b.baseline, b.unit)} `
      + `(${b.baselineWindow}), threshold ${formatMeasure(b.threshold, b.unit)}`);
    setText(since, a.resolved
      ? `resolved ${clock.format(b.endsAt ?? b.time ?? Date.now())}`
      : `since ${clock.format(b.startsAt)} (${Math.max(0, Math.floor((Date.now() - b.startsAt) / 60000))} min)`);
    if (li.title !== (b.summary ?? "")) li.title = b.summary ?? "";
  }

  function setText(el, text) {
    if (el.textContent !== text) el.textContent = text;
  }

  // ---------- header, banner, footer

  function feedName() {
    if (unauthorized) return "unauthorized";
    if (link === "down") return "offline";
    if (!everLoaded) return "connecting";
    return aggregatorStale || link === "silent" ? "stale" : "live";
  }

  const STATUS = { connecting: "Connecting…", live: "Live", stale: "Stale", offline: "Offline", unauthorized: "Token needed" };

  function writeChrome() {
    const feed = feedName();
    if (document.body.dataset.feed !== feed) document.body.dataset.feed = feed;
    setText($("status"), STATUS[feed]);
    const banner = $("stale-banner");
    const since = aggregatorStale ? staleSince : lastEventAt || null;
    const text = feed === "offline" ? "Lost the dashboard — reconnecting…"
      : feed === "stale" ? `No news from the aggregator ${since ? `since ${clock.format(since)}` : "yet"} — reconnecting…` : "";
    setText(banner, text);
    if (banner.hidden !== !text) banner.hidden = !text;

    setText($("seq"), String(seq));
    const hb = heartbeat;
    setText($("rate"), hb?.ingestRate == null ? "–" : decimal.format(hb.ingestRate));
    setText($("events"), hb?.events == null ? "–" : count.format(hb.events));
    setText($("keys"), hb?.activeKeys == null ? "–" : count.format(hb.activeKeys));
    setText($("firing"), hb?.firingAlerts == null ? "–" : count.format(hb.firingAlerts));
    setText($("started"), startedAt ? dateTime.format(startedAt) : "–");
    setText($("updated"), lastEventAt ? clock.format(lastEventAt) : "–");

    const visible = [...groups.values()].filter((g) => !g.hidden).length;
    const empty = $("empty");
    setText(empty, groups.size === 0 ? (everLoaded ? "No campaign has counted anything yet." : "Waiting for the first numbers…")
      : `No campaign matches “${filter}”.`);
    if (empty.hidden !== visible > 0) empty.hidden = visible > 0;

    for (const th of document.querySelectorAll("#campaigns thead th[data-col]")) {
      const want = th.dataset.col === sort.col ? (sort.dir > 0 ? "ascending" : "descending") : "none";
      if (th.getAttribute("aria-sort") !== want) th.setAttribute("aria-sort", want);
    }
  }

  function writeWindows() {
    const box = $("windows");
    if (box.childElementCount !== windowNames.length || windowNames.some((n, i) => box.children[i].dataset.window !== n)) {
      box.replaceChildren(...windowNames.map((name) => {
        const b = document.createElement("button");
        b.type = "button";
        b.dataset.window = name;
        b.textContent = name;
        return b;
      }));
    }
    for (const b of box.children) {
      const want = String(b.dataset.window === selected);
      if (b.getAttribute("aria-pressed") !== want) b.setAttribute("aria-pressed", want);
    }
  }

  // ---------- connection

  let stream = null, openedAt = 0, retries = 0, retryTimer = 0;

  function takeToken() {
    const url = new URL(location.href);
    const hash = new URLSearchParams(url.hash.slice(1));
    const given = hash.get("token") ?? url.searchParams.get("token");
    if (given) { // out of the address bar, history and bookmarks
      session.set("pixelpulse.token", given);
      hash.delete("token");
      url.searchParams.delete("token");
      url.hash = hash.toString();
      history.replaceState(history.state, "", url);
    }
    return session.get("pixelpulse.token") ?? "";
  }

  function selection() {
    let q = "rollups=true&prefix=alerts/";
    for (const c of expanded) q += `&prefix=stats/${encodeURIComponent(c)}/`;
    return q;
  }

  async function getJSON(path) {
    const res = await fetch(path, { headers: token ? { Authorization: `Bearer ${token}` } : {}, cache: "no-store" });
    const body = await res.json().catch(() => null);
    if (!res.ok || body === null) throw Object.assign(new Error(body?.error ?? `HTTP ${res.status}`), { status: res.status });
    return body;
  }

  // Fetching the state first tells a missing token (401) apart from a dashboard that is down.
  async function connect() {
    closeStream();
    try {
      applyState(await getJSON(`v1/state?${selection()}`));
    } catch (e) {
      if (e.status === 401) return askToken();
      link = "down";
      touch("chrome");
      return retryLater();
    }
    link = "ok";
    openStream();
  }

  function openStream() {
    closeStream();
    const es = new EventSource(`v1/stream?${selection()}${token ? `&token=${encodeURIComponent(token)}` : ""}`);
    stream = es;
    openedAt = Date.now();
    const on = (type, apply) => es.addEventListener(type, (e) => {
      if (stream !== es) return;
      heard();
      apply(JSON.parse(e.data));
    });
    on("state", (doc) => { retries = 0; applyState(doc); });
    on("stats", (b) => applyStats(b));
    on("alert", (b) => applyAlert(b));
    on("heartbeat", applyHeartbeat);
    on("stale", (d) => { aggregatorStale = true; staleSince = d.since; touch("chrome"); });
    es.onerror = () => {
      if (stream !== es) return;
      link = "down";
      touch("chrome");
      if (es.readyState === EventSource.CLOSED) retryLater(); // an HTTP error: the browser gives up, we do not
    };
  }

  // Any event proves the link; only a state (or the server) says whether the aggregator is back.
  function heard() {
    lastEventAt = Date.now();
    if (link !== "ok") { link = "ok"; touch("chrome"); }
  }

  function closeStream() {
    stream?.close();
    stream = null;
    clearTimeout(retryTimer);
  }

  function retryLater() {
    closeStream();
    retryTimer = setTimeout(connect, Math.min(10000, 1000 * 2 ** retries++));
  }

  function askToken() {
    unauthorized = true;
    $("token-error").textContent = token ? "That token was refused." : "";
    $("token-form").hidden = false;
    $("token").focus();
    touch("chrome");
  }

  // ---------- user input

  $("token-form").addEventListener("submit", (e) => {
    e.preventDefault();
    token = $("token").value.trim();
    session.set("pixelpulse.token", token);
    unauthorized = false;
    $("token-form").hidden = true;
    connect();
  });

  $("windows").addEventListener("click", (e) => {
    const b = e.target.closest("button[data-window]");
    if (!b || b.dataset.window === selected) return;
    selected = b.dataset.window;
    local.set("pixelpulse.window", selected);
    markAllDirty();
    ui.windows = ui.order = true;
    requestFrame();
  });

  document.querySelector("#campaigns thead").addEventListener("click", (e) => {
    const th = e.target.closest("th[data-col]");
    if (!th) return;
    const col = th.dataset.col;
    sort = col === sort.col ? { col, dir: -sort.dir } : { col, dir: col === "name" ? 1 : -1 };
    local.set("pixelpulse.sort", `${sort.col}:${sort.dir}`);
    touch("order");
  });

  $("filter").addEventListener("input", (e) => {
    filter = e.target.value.trim();
    ui.filter = ui.order = true;
    requestFrame();
  });

  tbody.addEventListener("click", (e) => {
    const tr = e.target.closest("tr.campaign");
    if (tr) toggle(rowOf.get(tr).campaign);
  });

  // Expanding changes the selection: a new stream, whose first state brings the pixel rows.
  function toggle(campaign) {
    const g = groups.get(campaign);
    if (!g) return;
    g.expanded = !g.expanded;
    if (g.expanded) expanded.add(campaign);
    else {
      expanded.delete(campaign);
      scopes.delete(campaign);
      g.pixels.forEach(dropRow);
      g.pixels.clear();
    }
    touch("order");
    if (!unauthorized) openStream();
  }

  // ---------- clocks

  setInterval(() => {
    const quiet = Date.now() - Math.max(lastEventAt, openedAt);
    if (stream && link === "ok" && quiet > SILENCE) link = "silent";
    if (stream && quiet > REOPEN_AFTER) openStream();
    if (sortStale && performance.now() - lastSort >= SORT_EVERY) requestFrame();
    if (alerts.size) ui.alerts = true; // the "(N min)" ages
    touch("chrome"); // footer: seq, last update
  }, 1000);
  setInterval(scheduleSeries, SERIES_EVERY);

  window.pixelpulse = {
    loadedAt: Date.now(),
    get seq() { return seq; },
    rows: () => orderedRows().map((row) => {
      const out = { campaign: row.campaign, pixel: row.pixel };
      for (const col of [...COLS, "uniquesError"]) out[col] = valueOf(row, col);
      return out;
    }),
  };

  connect();
})();
