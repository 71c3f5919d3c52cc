// The admins' dashboard: polls the management routes with the pass cookie (GET only) and draws what it reads.
// No inline script or style (the page's Content-Security-Policy is default-src 'self'); text goes in with
// textContent only, never as HTML. The charts hold what this page has seen since it opened (10 minutes at most);
// longer history is Prometheus' job (deploy/grafana-dashboard.json).
'use strict';

const POLL_MS = 2000;
const ACTORS_EVERY = 3;          // the actor listing every third poll
const WINDOW_S = 600;
const SVG = 'http://www.w3.org/2000/svg';

const history = [];              // {t, checkoutsPerS, p50, p95, sessions, accounts}
let previous = null;             // the last metrics read: {t, checkouts, latency: Map(le -> count)}
let polls = 0;
let lastAnswer = 0;
let nextTick = 0;                // the timer of the next poll
// Aborted when the admin signs out: a poll still in flight would otherwise reach the server after the pass is gone
// and come back 401 (a failed request in the console, and a reload racing the sign-out's own navigation).
const polling = new AbortController();

const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, text) {
  const node = tag.startsWith('svg:') ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = String(text);
  return node;
}

async function getJson(path) {
  const response = await fetch(path, {
    credentials: 'same-origin', headers: { Accept: 'application/json' }, signal: polling.signal });
  if (response.status === 401) { window.location.reload(); throw new Error('signed out'); }
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return response.json();
}

// -- Prometheus text ------------------------------------------------------------------------------------------

function parseMetrics(text) {
  const samples = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$/);
    if (!m) continue;
    const labels = {};
    for (const l of (m[2] || '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return samples;
}

const total = (samples, name, keep = () => true) =>
  samples.filter((s) => s.name === name && keep(s.labels)).reduce((sum, s) => sum + s.value, 0);

/// Cumulative bucket counts by bound, summed over the samples kept.
function buckets(samples, name, keep = () => true) {
  const byBound = new Map();
  for (const s of samples)
    if (s.name === name && keep(s.labels)) {
      const bound = s.labels.le === '+Inf' ? Infinity : Number(s.labels.le);
      byBound.set(bound, (byBound.get(bound) || 0) + s.value);
    }
  return new Map([...byBound.entries()].sort((a, b) => a[0] - b[0]));
}

/// The q-quantile of the observations between two cumulative bucket snapshots, interpolated within its bucket.
function quantile(q, now, before) {
  const bounds = [...now.keys()];
  const count = (b) => now.get(b) - ((before && before.get(b)) || 0);
  const n = count(Infinity);
  if (!(n > 0)) return null;
  const rank = q * n;
  let lower = 0, below = 0;
  for (const b of bounds) {
    const c = count(b);
    if (c >= rank) {
      if (b === Infinity) return lower;
      return lower + (b - lower) * ((rank - below) / Math.max(c - below, 1));
    }
    lower = b; below = c;
  }
  return lower;
}

// -- formatting -----------------------------------------------------------------------------------------------

const seconds = (s) => (s === null || s === undefined ? '–' : s < 1 ? `${(s * 1000).toFixed(s < 0.01 ? 2 : 1)} ms` : `${s.toFixed(2)} s`);
const bytes = (b) => (b >= 1 << 30 ? `${(b / (1 << 30)).toFixed(1)} GiB` : `${(b / (1 << 20)).toFixed(0)} MiB`);
const duration = (s) => (s < 120 ? `${Math.round(s)} s` : s < 7200 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`);
const clock = (t) => new Date(t).toLocaleTimeString('en-GB');
const when = (iso) => (iso ? iso.replace('T', ' ').replace('Z', ' UTC') : '–');
const money = (minor, currency) => `${(minor / 100).toFixed(2)} ${currency || ''}`.trim();

// -- charts ---------------------------------------------------------------------------------------------------

const W = 600, H = 200, LEFT = 66, RIGHT = 10, TOP = 24, BOTTOM = 22;

/// A round top for a scale of four steps holding `v`; counts (least 4) get a multiple of 4, whole steps.
function niceMax(v, least = 1) {
  if (least >= 4) return Math.max(4, Math.ceil(niceMax(v) / 4) * 4);
  if (!(v > least)) return least;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function frame(svg, max, format) {
  svg.replaceChildren();
  for (let i = 0; i <= 4; i++) {
    const y = TOP + ((H - TOP - BOTTOM) * i) / 4;
    svg.append(el('svg:line', { x1: LEFT, x2: W - RIGHT, y1: y, y2: y, class: 'axis' }));
    svg.append(el('svg:text', { x: LEFT - 6, y: y + 4, 'text-anchor': 'end', class: 'tick' }, format(max * (1 - i / 4))));
  }
}

/// The time axis: from the first sample kept (at least a minute, at most WINDOW_S) to now.
function span(now) {
  const first = history.length ? history[0].t : now;
  return Math.min(Math.max(now - first, 60000), WINDOW_S * 1000);
}

/// Lines over the time axis: series = [{label, pick(row) -> number|null}]; `least` is the smallest top of the
/// scale (4 for counts, so that its five ticks are whole numbers).
function lineChart(svg, series, format, least = 1e-9) {
  const now = Date.now();
  const width = span(now);
  const rows = history.filter((r) => r.t >= now - width);
  const values = rows.flatMap((r) => series.map((s) => s.pick(r))).filter((v) => v !== null && Number.isFinite(v));
  const max = niceMax(Math.max(0, ...values), least);
  frame(svg, max, format);
  const x = (t) => LEFT + ((W - LEFT - RIGHT) * (t - (now - width))) / width;
  const y = (v) => TOP + (H - TOP - BOTTOM) * (1 - v / max);
  svg.append(el('svg:text', { x: LEFT, y: H - 6, class: 'tick' }, `${duration(width / 1000)} ago`));
  svg.append(el('svg:text', { x: W - RIGHT, y: H - 6, 'text-anchor': 'end', class: 'tick' }, 'now'));
  if (rows.length < 2) {
    svg.append(el('svg:text', { x: W / 2, y: H / 2, 'text-anchor': 'middle', class: 'empty' }, 'Collecting…'));
  }
  series.forEach((s, i) => {
    const points = rows.map((r) => [r.t, s.pick(r)]).filter(([, v]) => v !== null && Number.isFinite(v));
    if (points.length >= 2)
      svg.append(el('svg:polyline', {
        class: `line s${i}`, 'data-series': s.label, 'data-points': points.length,
        points: points.map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(' '),
      }));
    const last = points.length ? points[points.length - 1][1] : null;
    const lx = LEFT + 8 + i * 190;
    svg.append(el('svg:rect', { x: lx, y: 6, width: 10, height: 10, class: `s${i}` }));
    svg.append(el('svg:text', { x: lx + 14, y: 15, class: 'legend' }, `${s.label}: ${last === null ? '–' : format(last)}`));
  });
}

/// Bars of how many commits wrote how many rows, from the cumulative batch-size histogram.
function batchChart(svg, cumulative) {
  const bounds = [...cumulative.keys()];
  const bars = bounds.map((b, i) => ({
    label: b === Infinity ? `>${bounds[i - 1]}` : i === 0 || bounds[i - 1] + 1 === b ? `${b}` : `${bounds[i - 1] + 1}–${b}`,
    n: cumulative.get(b) - (i ? cumulative.get(bounds[i - 1]) : 0),
  })).filter((bar, i, all) => bar.n > 0 || i < all.length - 1);
  const max = niceMax(Math.max(0, ...bars.map((b) => b.n)), 4);
  frame(svg, max, (v) => `${Math.round(v)}`);
  const slot = (W - LEFT - RIGHT) / Math.max(bars.length, 1);
  bars.forEach((bar, i) => {
    const h = ((H - TOP - BOTTOM) * bar.n) / max;
    const rect = el('svg:rect', { x: LEFT + i * slot + 3, y: H - BOTTOM - h, width: slot - 6, height: h, class: 'bar-rect',
                                  'data-bucket': bar.label, 'data-commits': bar.n });
    rect.append(el('svg:title', {}, `${bar.n} commits of ${bar.label} writes`));
    svg.append(rect);
    svg.append(el('svg:text', { x: LEFT + i * slot + slot / 2, y: H - 6, 'text-anchor': 'middle', class: 'tick' }, bar.label));
  });
  svg.append(el('svg:text', { x: LEFT + 8, y: 15, class: 'legend' }, 'commits by rows written, since start'));
}

// -- tables ---------------------------------------------------------------------------------------------------

function fillRows(tbody, rows) {
  tbody.replaceChildren(...rows.map((cells) => {
    const tr = el('tr');
    for (const c of cells) {
      const td = el('td', c.num ? { class: c.busy ? 'num busy' : 'num' } : {});
      if (c.node) td.append(c.node); else td.textContent = c.text ?? '';
      tr.append(td);
    }
    return tr;
  }));
}

function button(label, onClick) {
  const b = el('button', { type: 'button' }, label);
  b.addEventListener('click', onClick);
  return b;
}

// -- polling --------------------------------------------------------------------------------------------------

async function pollMetrics() {
  const response = await fetch('/admin/metrics', { credentials: 'same-origin', signal: polling.signal });
  if (response.status === 401) { window.location.reload(); return; }
  if (!response.ok) throw new Error(`metrics: HTTP ${response.status}`);
  const samples = parseMetrics(await response.text());
  const t = Date.now();
  const shop = (l) => !(l.route || '').startsWith('/admin');
  const now = {
    t,
    checkouts: total(samples, 'boutique_checkouts_completed_total'),
    latency: buckets(samples, 'boutique_http_request_duration_seconds_bucket', shop),
  };
  const gauge = (name, keep) => total(samples, name, keep);
  const row = {
    t,
    sessions: gauge('boutique_live_actors', (l) => l.kind === 'session'),
    accounts: gauge('boutique_live_actors', (l) => l.kind === 'account'),
    checkoutsPerS: previous ? Math.max(0, (now.checkouts - previous.checkouts) / ((t - previous.t) / 1000)) : null,
    p50: previous ? quantile(0.5, now.latency, previous.latency) : null,
    p95: previous ? quantile(0.95, now.latency, previous.latency) : null,
  };
  previous = now;
  history.push(row);
  while (history.length && history[0].t < t - WINDOW_S * 1000) history.shift();

  $('tile-checkouts').textContent = now.checkouts.toLocaleString('en-GB');
  $('tile-rate').textContent = row.checkoutsPerS === null ? '–' : row.checkoutsPerS.toFixed(1);
  $('tile-p95').textContent = seconds(row.p95);
  $('tile-sessions').textContent = row.sessions;
  $('tile-accounts').textContent = row.accounts;
  $('tile-mail').textContent = gauge('boutique_mail_queued');
  $('tile-memory').textContent = bytes(gauge('process_resident_memory_bytes'));
  $('tile-uptime').textContent = duration(gauge('boutique_uptime_seconds'));

  lineChart($('chart-checkouts'), [{ label: 'checkouts/s', pick: (r) => r.checkoutsPerS }],
            (v) => v.toFixed(v < 10 ? 2 : 0), 0.5);
  lineChart($('chart-latency'), [{ label: 'p50', pick: (r) => r.p50 }, { label: 'p95', pick: (r) => r.p95 }], seconds, 0.001);
  lineChart($('chart-actors'), [{ label: 'sessions', pick: (r) => r.sessions }, { label: 'accounts', pick: (r) => r.accounts }],
            (v) => `${Math.round(v)}`, 4);
  batchChart($('chart-batches'), buckets(samples, 'boutique_storage_batch_size_bucket'));

  fillRows($('mailboxes').tBodies[0], samples.filter((s) => s.name === 'boutique_mailbox_size')
    .map((s) => [{ text: s.labels.actor }, { text: s.value, num: true, busy: s.value > 100 }]));
  const oldest = gauge('boutique_mail_oldest_queued_age_seconds');
  fillRows($('mail').tBodies[0], [
    ['Waiting', gauge('boutique_mail_queued')],
    ['Oldest waiting', oldest > 0 ? duration(oldest) : 'none'],
    ['Sent', gauge('boutique_mail_sent_total')],
    ['Deferred by the relay', gauge('boutique_mail_deferred_total')],
    ['Failed for good', gauge('boutique_mail_failed_total')],
    ['Relay unreachable (rounds)', gauge('boutique_mail_transport_unreachable_total')],
  ].map(([label, value]) => [{ text: label }, { text: value, num: true }]));
}

async function pollActors() {
  const [sessions, accounts] = await Promise.all(
    ['session', 'account'].map((kind) => getJson(`/admin/actors?kind=${kind}&limit=200`)));
  const actors = [...sessions.actors, ...accounts.actors]
    .sort((a, b) => (b.mailbox ?? 0) - (a.mailbox ?? 0) || (b.messages ?? 0) - (a.messages ?? 0)).slice(0, 12);
  fillRows($('actors').tBodies[0], actors.map((a) => [
    { text: a.kind },
    { text: a.kind === 'session' ? `${a.key.slice(0, 6)}…` : a.key },
    { text: a.messages ?? '–', num: true },
    { text: a.mailbox ?? '–', num: true, busy: (a.mailbox ?? 0) > 100 },
    { text: when(a.last_active) },
    { node: button('State', () => showActor(a.kind, a.key)) },
  ]));
}

async function showActor(kind, key) {
  const out = $('actor-state');
  out.hidden = false;
  try {
    out.textContent = JSON.stringify(await getJson(`/admin/actors/${kind}/${encodeURIComponent(key)}`), null, 2);
  } catch (e) {
    out.textContent = `No longer live (${e.message}).`;
  }
}

async function tick() {
  polls += 1;
  try {
    await pollMetrics();
    if (polls % ACTORS_EVERY === 1) await pollActors();
    lastAnswer = Date.now();
    $('status').textContent = `Updated ${clock(lastAnswer)}`;
    $('status').classList.remove('stale');
  } catch (e) {
    if (polling.signal.aborted) return;
    $('status').textContent = lastAnswer ? `No answer since ${clock(lastAnswer)}` : `No answer (${e.message})`;
    $('status').classList.add('stale');
  }
  if (!polling.signal.aborted) nextTick = setTimeout(tick, POLL_MS);
}

// -- customers ------------------------------------------------------------------------------------------------

async function searchCustomers(q) {
  const note = $('customers-note');
  note.textContent = 'Searching…';
  try {
    const found = await getJson(`/admin/customers?limit=50&q=${encodeURIComponent(q)}`);
    note.textContent = found.customers.length ? `${found.customers.length}${found.next ? '+' : ''} found` : 'No customer matches.';
    fillRows($('customers').tBodies[0], found.customers.map((c) => [
      { text: c.id, num: true }, { text: c.email }, { text: `${c.firstname} ${c.lastname}` },
      { text: c.user_id === null ? 'none' : `#${c.user_id}` }, { text: when(c.created_at) },
      { node: button('Open', () => showCustomer(c.id).catch((e) => { note.textContent = `Could not open #${c.id}: ${e.message}`; })) },
    ]));
  } catch (e) {
    note.textContent = `The search failed: ${e.message}`;
  }
}

async function showCustomer(id) {
  const d = await getJson(`/admin/customers/${id}`);
  $('customer').hidden = false;
  $('customer-title').textContent = `#${d.customer.id} · ${d.customer.firstname} ${d.customer.lastname}`;
  const contact = d.customer.contact || {};
  const facts = [['Email', d.customer.email], ['Organisation', contact.organisation || '–'],
                 ['City', [contact.zip, contact.city, contact.country].filter(Boolean).join(' ') || '–'],
                 ['User', d.user ? `${d.user.username} (#${d.user.id})` : 'none yet'],
                 ['Created', when(d.customer.created_at)], ['Updated', when(d.customer.updated_at)]];
  $('customer-facts').replaceChildren(...facts.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
  fillRows($('customer-bills').tBodies[0], d.bills.map((b) => [
    { text: b.transid }, { text: b.status }, { text: when(b.emitted_at) }, { text: money(b.total, b.currency), num: true },
    b.invoice_number
      ? { node: el('a', { href: `/admin/bills/${encodeURIComponent(b.transid)}/invoice.pdf` }, `${b.invoice_number} (PDF)`) }
      : { text: '—' }]));
  fillRows($('customer-products').tBodies[0], d.products.map((p) => [
    { text: p.reference }, { text: p.name }, { text: when(p.start) }, { text: when(p.end) }, { text: p.state }]));
  $('timeline').replaceChildren(...d.events.map((e) => {
    const li = el('li');
    li.append(el('time', { datetime: e.at }, when(e.at)), el('span', { class: 'kind' }, e.kind), el('span', {}, e.detail));
    return li;
  }));
  $('customer').scrollIntoView({ block: 'nearest' });
}

document.addEventListener('DOMContentLoaded', () => {
  $('sign-out').addEventListener('submit', () => {
    clearTimeout(nextTick);
    polling.abort();
  });
  $('customer-search').addEventListener('submit', (event) => {
    event.preventDefault();
    searchCustomers($('q').value.trim());
  });
  tick();
});
