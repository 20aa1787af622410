// The address map: the overview from /v1/map (polled with its ETag, so an unchanged store costs
// one revision read), a pool's blocks and a block's addresses fetched when opened. Every colour and
// every rectangle comes from the daemon; this file only scales them to the screen.
'use strict';

const SVGNS = 'http://www.w3.org/2000/svg';
const GAP = 24, HEAD = 58;
const state = { overview: null, etag: null, detail: null, detailKey: null, detailRevision: -1, hitIndex: -1 };

function h(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'text') e.textContent = v; else if (k.startsWith('on')) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v);
  }
  for (const k of kids.flat()) if (k !== null && k !== undefined) e.append(k);
  return e;
}

function s(tag, attrs, ...kids) {
  const e = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'text') e.textContent = v; else if (k.startsWith('on')) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v);
  }
  for (const k of kids.flat()) if (k !== null && k !== undefined) e.append(k);
  return e;
}

function pct(f) {
  const p = f * 100;
  if (p > 0 && p < 0.1) return '<0.1%';
  return (p < 10 && p !== Math.round(p) ? p.toFixed(1) : p.toFixed(0)) + '%';
}

function num(n) { return typeof n === 'number' && n >= 9e15 ? '2^63+' : Number(n).toLocaleString('en-US'); }
function when(ms) { return ms ? new Date(ms).toISOString().replace('T', ' ').slice(0, 19) + 'Z' : '–'; }
function shortAddr(a) { const i = Math.max(a.lastIndexOf('.'), a.lastIndexOf(':')); return a.slice(i); }
function placed(r, x, y, size) { return { x: x + r[0] * size, y: y + r[1] * size, w: r[2] * size, h: r[3] * size }; }
function minSized(b, min) {
  const w = Math.max(b.w, min), hh = Math.max(b.h, min);
  return { x: b.x - (w - b.w) / 2, y: b.y - (hh - b.h) / 2, w, h: hh };
}

// The SVG is drawn at one unit per pixel (labels keep their size); tiles and squares fit the view.
function viewWidth() { return Math.max(320, document.getElementById('view').clientWidth); }
function tileSize(cols) { return Math.floor(Math.max(200, Math.min(480, (viewWidth() - GAP * (cols + 1)) / cols))); }
function squareSize() { return Math.floor(Math.max(240, Math.min(640, viewWidth() - 2 * GAP, window.innerHeight - 200))); }
function frame(svg, w, hh) { svg.setAttribute('viewBox', `0 0 ${w} ${hh}`); svg.setAttribute('width', w); svg.setAttribute('height', hh); }

// ------------------------------------------------------------------ routing

function route() {
  const m = location.hash.match(/^#\/(pool|block)\/([^@]+)(?:@(.+))?$/);
  if (!m) return { view: 'overview' };
  return { view: m[1], prefix: decodeURIComponent(m[2]), address: m[3] ? decodeURIComponent(m[3]) : null };
}

function go(hash) { if (location.hash === hash) render(); else location.hash = hash; }

// ------------------------------------------------------------------ data

async function getJson(url) {
  const r = await fetch(url, { cache: 'no-store' });
  if (!r.ok) throw new Error(url + ': ' + r.status + ' ' + (await r.text()).trim());
  return r.json();
}

async function poll() {
  try {
    const headers = state.etag ? { 'If-None-Match': state.etag } : {};
    const r = await fetch('/v1/map', { cache: 'no-store', headers });
    if (r.status === 200) {
      state.overview = await r.json();
      state.etag = r.headers.get('ETag');
      await render();
    } else if (r.status !== 304) {
      throw new Error('status ' + r.status);
    }
    setLive(true);
  } catch (e) {
    setLive(false, e.message);
  }
  setTimeout(poll, 1000);
}

function setLive(ok, why) {
  const d = document.getElementById('live');
  d.className = 'dot ' + (ok ? 'ok' : 'down');
  d.title = ok ? 'live: polls the daemon every second' : 'daemon unreachable: ' + why;
  if (state.overview) {
    document.getElementById('store').textContent = state.overview.store;
    document.getElementById('revision').textContent = state.overview.revision;
  }
}

async function detail(r) {
  const key = r.view + ' ' + r.prefix;
  const rev = state.overview ? state.overview.revision : 0;
  if (state.detailKey !== key || state.detailRevision !== rev) {
    state.detail = await getJson('/v1/map/' + r.view + '?prefix=' + encodeURIComponent(r.prefix));
    state.detailKey = key;
    state.detailRevision = rev;
  }
  return state.detail;
}

// ------------------------------------------------------------------ rendering

let rendering = Promise.resolve();
function render() {
  rendering = rendering.then(renderNow, renderNow);
  return rendering;
}

async function renderNow() {
  if (!state.overview) return;
  const started = performance.now();
  const r = route();
  const svg = document.getElementById('map');
  const side = document.getElementById('side');
  try {
    if (r.view === 'overview') {
      drawOverview(svg, side);
    } else if (r.view === 'pool') {
      drawPool(svg, side, await detail(r));
    } else {
      drawBlock(svg, side, await detail(r), r.address);
    }
    document.body.dataset.view = r.view;
    document.body.dataset.revision = state.overview.revision;
    document.body.dataset.hash = location.hash;
  } catch (e) {
    svg.replaceChildren();
    side.replaceChildren(h('h2', { text: 'Not found' }), h('p', { class: 'warning', text: e.message }), h('p', {}, h('a', { href: '#/', text: 'back to the overview' })));
    crumbs([]);
    document.body.dataset.view = 'error';
  }
  // For the benchmark: how long drawing took, and when the first picture was complete.
  document.body.dataset.renderMs = Math.round(performance.now() - started);
  if (!document.body.dataset.firstDrawnMs) document.body.dataset.firstDrawnMs = Math.round(performance.now());
  document.body.dataset.ready = 'true';
}

function crumbs(parts) {
  const nav = document.getElementById('crumbs');
  const items = [h('a', { href: '#/', text: 'all supernets' })];
  for (const p of parts) items.push(h('span', { class: 'sep', text: '›' }), p.href ? h('a', { href: p.href, text: p.text }) : h('span', { text: p.text }));
  nav.replaceChildren(...items);
}

function defs() {
  return s('defs', {},
    s('pattern', { id: 'hatch', width: 8, height: 8, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' },
      s('rect', { width: 8, height: 8, fill: 'rgba(251,140,0,0.10)' }),
      s('line', { x1: 0, y1: 0, x2: 0, y2: 8, stroke: '#fb8c00', 'stroke-width': 3, 'stroke-opacity': 0.55 })),
    s('pattern', { id: 'warnstripes', width: 10, height: 10, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' },
      s('rect', { width: 10, height: 10, fill: '#c62828' }),
      s('line', { x1: 0, y1: 0, x2: 0, y2: 10, stroke: '#ef9a9a', 'stroke-width': 4 })));
}

function warnBand(x, y, w, text) {
  return s('g', { class: 'warn-band' },
    s('rect', { x, y, width: w, height: 18, fill: 'url(#warnstripes)', rx: 3 }),
    s('rect', { x: x + 6, y: y + 2, width: Math.min(w - 12, 10 + text.length * 7), height: 14, fill: '#fff', rx: 2 }),
    s('text', { x: x + 10, y: y + 13, 'font-size': 11, fill: '#b71c1c', 'font-weight': 'bold', text }));
}

function drawOverview(svg, side) {
  const tiles = state.overview.tiles;
  const cols = Math.min(2, Math.max(1, tiles.length));
  const rows = Math.ceil(tiles.length / cols) || 1;
  const size = tileSize(cols);
  frame(svg, GAP + cols * (size + GAP), GAP + rows * (HEAD + size + GAP));
  const nodes = [defs()];
  tiles.forEach((t, i) => {
    const x = GAP + (i % cols) * (size + GAP), y = GAP + Math.floor(i / cols) * (HEAD + size + GAP);
    nodes.push(drawTile(t, x, y, size));
  });
  if (!tiles.length) nodes.push(s('text', { x: GAP, y: GAP + 20, 'font-size': 14, text: 'no pools yet' }));
  svg.replaceChildren(...nodes);
  crumbs([]);
  side.replaceChildren(...overviewSide(tiles));
  legend('utilization');
}

function tileStats(t) {
  return t.supernet
    ? `${num(t.pools.length)} of ${num(t.poolSlots)} /${t.networkLength} pools · ${pct(t.carved)} carved · ${pct(t.util)} of pool addresses used`
    : `${num(t.pools.length)} pools · ${pct(t.util)} of their addresses used`;
}

function drawTile(t, x, y, TILE) {
  const g = s('g', { class: 'tile', 'data-id': t.id, 'data-warn': t.warn ? 'true' : null });
  g.append(s('text', { class: 'tile-title', x, y: y + 18, 'font-size': 17, 'font-weight': 'bold', fill: '#1f2328', text: t.title }));
  g.append(s('text', { class: 'tile-stats', x, y: y + 38, 'font-size': 12, fill: '#59636e', text: tileStats(t) }));
  const top = y + HEAD;
  if (t.warn) g.append(warnBand(x + TILE - 200, y + 24, 200, 'above ' + pct(state.overview.warnAt) + ': running out'));
  g.append(s('rect', { class: 'tile-bg', x, y: top, width: TILE, height: TILE, fill: '#f4f5f7', stroke: '#cfd3da' }));
  const labels = [];
  for (const p of t.pools) {
    const b = minSized(placed(p.rect, x, top, TILE), 4);
    const r = s('rect', { class: 'pool', 'data-prefix': p.prefix, x: b.x, y: b.y, width: b.w, height: b.h, fill: p.fill,
      stroke: p.warn ? '#b71c1c' : '#ffffff', 'stroke-width': p.warn ? 2 : 0.5 });
    r.append(s('title', { text: poolTitle(p) }));
    r.addEventListener('click', () => go('#/pool/' + p.prefix));
    g.append(r);
    if (b.w >= 64 && b.h >= 30) {
      const cx = b.x + b.w / 2, cy = b.y + b.h / 2, two = b.h >= 46;
      labels.push(s('text', { class: 'pool-label', x: cx, y: two ? cy - 4 : cy + 4, 'font-size': 11, 'text-anchor': 'middle', fill: '#1f2328', text: p.prefix }));
      if (two) labels.push(s('text', { class: 'pool-util', x: cx, y: cy + 11, 'font-size': 10, 'text-anchor': 'middle', fill: '#424a53',
        text: (p.name ? p.name + ' · ' : '') + pct(p.util) }));
    }
  }
  g.append(...labels);
  return g;
}

function poolTitle(p) {
  return `${p.prefix}${p.name ? ' ' + p.name : ''}${p.placeholders ? ' (per-host)' : ''}: ${num(p.used)} of ${num(p.size)} used (${pct(p.util)}), ${p.blocks} host blocks`
    + (p.warn ? ', above ' + pct(state.overview.warnAt) : '');
}

function bar(f, color) { return h('div', { class: 'bar' }, h('span', { 'data-w': f })); }

function sized(el, f) { el.querySelector('span').style.width = Math.max(0, Math.min(100, f * 100)) + '%'; return el; }

function overviewSide(tiles) {
  const out = [h('h2', { text: 'Address space' })];
  for (const t of tiles) {
    out.push(h('h3', { text: t.title }));
    out.push(h('div', { text: tileStats(t) }));
    if (t.supernet) {
      const carved = sized(bar(t.carved), t.carved);
      carved.querySelector('span').style.background = '#8c959f';
      out.push(h('div', { class: 'muted', text: 'carved into pools' }), carved);
    }
    const used = sized(bar(t.util), t.util);
    used.querySelector('span').style.background = t.util > state.overview.warnAt ? '#c62828' : '#2da44e';
    out.push(h('div', { text: 'pool addresses in use' }), used);
    if (t.warn) out.push(h('div', { class: 'warning', text: `${t.title} is above ${pct(state.overview.warnAt)}: plan a larger supernet or fewer, smaller pools.` }));
    const hot = t.pools.filter(p => p.warn).sort((a, b) => b.util - a.util);
    if (hot.length) {
      out.push(h('div', { class: 'warning', text: `${hot.length} pool${hot.length === 1 ? '' : 's'} above ${pct(state.overview.warnAt)}:` }));
      out.push(h('ul', { class: 'plain' }, hot.slice(0, 20).map(p => h('li', {}, h('a', { href: '#/pool/' + p.prefix, text: p.prefix }),
        ' ' + (p.name || '') + ' ' + pct(p.util)))));
    }
  }
  out.push(h('p', { class: 'muted', text: 'Click a pool to see its host blocks; search finds addresses, prefixes, hosts, network names and holders.' }));
  return out;
}

function drawPool(svg, side, d) {
  const p = d.pool, x = GAP, y = GAP + 40, size = squareSize();
  frame(svg, size + 2 * GAP, size + 40 + 2 * GAP);
  const g = s('g', { class: 'pool-view', 'data-prefix': p.prefix });
  g.append(s('text', { x, y: GAP + 14, 'font-size': 17, 'font-weight': 'bold', fill: '#1f2328', text: `pool ${p.prefix}${p.name ? ' · ' + p.name : ''}` }));
  g.append(s('text', { x, y: GAP + 32, 'font-size': 12, fill: '#59636e',
    text: `${p.placeholders ? 'per-host' : 'cluster'} mode · ${num(p.used)} of ${num(p.size)} used (${pct(p.util)}) · /${d.blockLength} host blocks` }));
  if (p.warn) g.append(warnBand(x + size - 200, GAP + 4, 200, 'above ' + pct(state.overview.warnAt) + ': running out'));
  g.append(s('rect', { class: 'unclaimed', x, y, width: size, height: size, fill: '#f4f5f7', stroke: '#cfd3da' }));
  if (d.placeholdersRect) {
    const b = placed(d.placeholdersRect, x, y, size);
    g.append(s('rect', { class: 'placeholders', x: b.x, y: b.y, width: b.w, height: b.h, fill: 'url(#hatch)', stroke: '#fb8c00', 'stroke-dasharray': '6 4' },
      s('title', { text: 'placeholder range ' + p.placeholders })));
  }
  const labels = [];
  for (const bl of d.blocks) {
    const b = minSized(placed(bl.rect, x, y, size), 4);
    const inset = bl.inPlaceholders ? 10 : 3;
    const r = s('rect', { class: 'block', 'data-prefix': bl.block, 'data-owner': bl.owner, x: b.x + inset, y: b.y + inset, width: Math.max(1, b.w - 2 * inset),
      height: Math.max(1, b.h - 2 * inset), fill: bl.fill, 'fill-opacity': bl.inPlaceholders ? 0.8 : 1, stroke: bl.util > state.overview.warnAt ? '#b71c1c' : '#ffffff',
      'stroke-width': bl.util > state.overview.warnAt ? 2.5 : 1, rx: 3 });
    r.append(s('title', { text: `${bl.block} · ${bl.owner || 'no owner'} · ${num(bl.used)} used of ${num(bl.capacity)}` }));
    r.addEventListener('click', () => go('#/block/' + bl.block));
    g.append(r);
    if (b.w >= 90 && b.h >= 50) {
      const bw = Math.max(0, b.w - 2 * inset - 16);
      labels.push(s('text', { class: 'block-label', x: b.x + inset + 8, y: b.y + inset + 18, 'font-size': 13, 'font-weight': 'bold', fill: '#1f2328', text: bl.block }));
      labels.push(s('text', { class: 'block-owner', x: b.x + inset + 8, y: b.y + inset + 34, 'font-size': 12, fill: '#24292f',
        text: (bl.owner || 'no owner') + (bl.inPlaceholders ? ' · placeholders' : '') }));
      labels.push(s('text', { class: 'block-used', x: b.x + inset + 8, y: b.y + inset + 50, 'font-size': 11, fill: '#424a53',
        text: `${num(bl.used)} used · ${num(bl.free)} free of ${num(bl.capacity)}` }));
      if (b.h >= 80) {
        labels.push(s('rect', { x: b.x + inset + 8, y: b.y + inset + 58, width: bw, height: 6, fill: '#ffffff', 'fill-opacity': 0.7, rx: 3 }));
        labels.push(s('rect', { x: b.x + inset + 8, y: b.y + inset + 58, width: bw * Math.min(1, bl.util), height: 6, fill: '#24292f', 'fill-opacity': 0.65, rx: 3 }));
      }
    }
  }
  if (d.placeholdersRect) {
    const b = placed(d.placeholdersRect, x, y, size);
    labels.push(s('text', { class: 'placeholders-label', x: b.x + b.w - 8, y: b.y + b.h - 8, 'font-size': 12, 'text-anchor': 'end', fill: '#b45f06',
      'font-weight': 'bold', text: 'placeholder range ' + p.placeholders }));
  }
  g.append(...labels);
  svg.replaceChildren(defs(), g);
  crumbs([{ text: tileOf(p.prefix) }, { text: 'pool ' + p.prefix }]);
  side.replaceChildren(...poolSide(d));
  legend('owners', d);
}

function tileOf(prefix) {
  for (const t of state.overview.tiles) if (t.pools.some(p => p.prefix === prefix)) return t.title;
  return 'pool';
}

function poolSide(d) {
  const p = d.pool;
  const out = [h('h2', { text: 'pool ' + p.prefix })];
  if (p.warn) out.push(h('div', { class: 'warning', text: `${pct(p.util)} used: above ${pct(state.overview.warnAt)}.` }));
  out.push(h('dl', { class: 'facts' },
    fact('network', p.name || '–'), fact('mode', p.placeholders ? 'per-host, placeholders ' + p.placeholders : 'cluster'),
    fact('kind', p.dynamic ? 'dynamic (carved from the supernet)' : 'static'), fact('gateway', p.gateway || '–'),
    p.ipRange ? fact('ip-range', p.ipRange) : null, fact('holders', (p.holderNames || []).join(', ') || '–'),
    fact('used', `${num(p.used)} of ${num(p.size)} (${pct(p.util)})`)));
  out.push(h('h3', { text: 'Planner' }), h('ul', { class: 'plain plan' }, d.plan.map(l => h('li', { text: l }))));
  for (const w of d.planWarnings) out.push(h('div', { class: 'warning', text: w }));
  out.push(h('h3', { text: 'Host blocks' }));
  const rows = d.blocks.map(b => h('tr', { class: 'row' + (b.util > state.overview.warnAt ? ' hot' : ''), 'data-block': b.block, onclick: () => go('#/block/' + b.block) },
    h('td', {}, h('span', { class: 'swatch', 'data-fill': b.fill }), b.block), h('td', { text: (b.owner || '–') + (b.inPlaceholders ? ' (ph)' : '') }),
    h('td', { class: 'n', text: num(b.capacity) }), h('td', { class: 'n', text: num(b.used) }), h('td', { class: 'n', text: num(b.reserved) }),
    h('td', { class: 'n', text: num(b.cooling) }), h('td', { class: 'n', text: num(b.free) })));
  out.push(h('table', { class: 'blocks' }, h('thead', {}, h('tr', {}, ['block', 'host', 'capacity', 'used', 'reserved', 'cooling', 'free']
    .map((c, i) => h('th', { class: i > 1 ? 'n' : null, text: c })))), h('tbody', {}, rows)));
  if (!d.blocks.length) out.push(h('p', { text: 'No host block claimed yet.' }));
  paintSwatches(out);
  return out;
}

function fact(k, v) { return [h('dt', { text: k }), h('dd', { text: v })]; }

function paintSwatches(nodes) {
  for (const n of nodes) for (const sw of (n.querySelectorAll ? n.querySelectorAll('[data-fill]') : [])) sw.style.background = sw.dataset.fill;
  for (const n of nodes) if (n.dataset && n.dataset.fill) n.style.background = n.dataset.fill;
}

function drawBlock(svg, side, d, selected) {
  const bl = d.block, p = d.pool, x = GAP, y = GAP + 40, size = squareSize();
  frame(svg, size + 2 * GAP, size + 40 + 2 * GAP);
  const g = s('g', { class: 'block-view', 'data-prefix': bl.block });
  g.append(s('text', { x, y: GAP + 14, 'font-size': 17, 'font-weight': 'bold', fill: '#1f2328', text: `block ${bl.block} · ${bl.owner || 'no owner'}` }));
  g.append(s('text', { x, y: GAP + 32, 'font-size': 12, fill: '#59636e',
    text: `${num(bl.used)} used · ${num(bl.reserved)} reserved · ${num(bl.cooling)} cooling · ${num(bl.free)} free of ${num(bl.capacity)}` + (bl.inPlaceholders ? ' · placeholder range' : '') }));
  g.append(s('rect', { x, y, width: size, height: size, fill: '#ffffff', stroke: '#cfd3da' }));
  const labels = [];
  for (const a of d.addresses) {
    const b = minSized(placed(a.rect, x, y, size), 3);
    const free = a.kind === 'free';
    const r = s('rect', { class: 'addr' + (a.address === selected ? ' selected' : ''), 'data-address': a.address, 'data-kind': a.kind,
      x: b.x + 1, y: b.y + 1, width: Math.max(1, b.w - 2), height: Math.max(1, b.h - 2), fill: free ? '#ffffff' : a.fill,
      stroke: a.address === selected ? '#0969da' : free ? '#e1e4e8' : '#ffffff', 'stroke-width': a.address === selected ? 3 : 1, rx: 2 });
    r.append(s('title', { text: `${a.address} · ${a.kind}${a.holders.length ? ' · ' + a.holders.join(', ') : ''}` }));
    r.addEventListener('click', () => go('#/block/' + bl.block + '@' + a.address));
    g.append(r);
    if (b.w >= 34 && b.h >= 22) {
      labels.push(s('text', { class: 'addr-label', x: b.x + b.w / 2, y: b.y + b.h / 2 + 4, 'font-size': b.w >= 60 ? 12 : 10, 'text-anchor': 'middle',
        fill: free ? '#8c959f' : a.kind === 'cooling' ? '#1f2328' : '#ffffff', text: shortAddr(a.address) }));
    }
  }
  g.append(...labels);
  svg.replaceChildren(defs(), g);
  crumbs([{ text: tileOf(p.prefix) }, { text: 'pool ' + p.prefix, href: '#/pool/' + p.prefix }, { text: 'block ' + bl.block }]);
  side.replaceChildren(...blockSide(d, selected));
  legend('kinds');
}

function blockSide(d, selected) {
  const bl = d.block;
  const out = [];
  const a = selected ? d.addresses.find(x => x.address === selected) : null;
  // The selected address first: what a click or a search was after.
  if (selected) {
    out.push(h('h2', { class: 'address-title', text: 'address ' + selected }));
    out.push(a ? h('dl', { class: 'facts address-facts' }, fact('kind', a.kind), fact('holders', a.holders.join(', ') || '–'),
      a.service ? fact('service', a.service) : null, fact(a.kind === 'cooling' ? 'released' : 'since', when(a.since)),
      fact('block', bl.block + ' (' + (bl.owner || 'no owner') + ')'), fact('pool', d.pool.prefix))
      : h('p', { text: 'free: not allocated, not cooling' }));
  }
  out.push(h('h2', { class: selected ? 'next' : null, text: 'block ' + bl.block }));
  if (bl.util > state.overview.warnAt) out.push(h('div', { class: 'warning', text: `${pct(bl.util)} of this block is taken.` }));
  out.push(h('dl', { class: 'facts' }, fact('host', bl.owner || '–'), fact('pool', d.pool.prefix + (d.pool.name ? ' ' + d.pool.name : '')),
    fact('capacity', num(bl.capacity)), fact('used', num(bl.used)), fact('reserved', num(bl.reserved)), fact('cooling', num(bl.cooling)), fact('free', num(bl.free))));
  out.push(h('h3', { text: 'Addresses' }));
  const rows = d.addresses.filter(x => x.kind !== 'free').map(x => h('tr', { class: 'row' + (x.address === selected ? ' selected' : ''), 'data-address': x.address,
    onclick: () => go('#/block/' + bl.block + '@' + x.address) },
    h('td', {}, h('span', { class: 'swatch', 'data-fill': x.fill }), x.address), h('td', { text: x.kind }), h('td', { text: x.holders.join(', ') || '–' })));
  out.push(h('table', { class: 'addresses' }, h('thead', {}, h('tr', {}, h('th', { text: 'address' }), h('th', { text: 'kind' }), h('th', { text: 'holder' }))),
    h('tbody', {}, rows)));
  paintSwatches(out);
  return out;
}

function legend(kind, d) {
  const f = document.getElementById('legend');
  const item = (fill, text) => { const sw = h('span', { class: 'swatch' }); sw.style.background = fill; return h('span', { class: 'item' }, sw, text); };
  if (kind === 'utilization') {
    f.replaceChildren(h('span', { text: 'pool utilization:' }), ...[['#d9f0d3', '0%'], ['#fde06f', '50%'], ['#f58c2a', '80%'], ['#d32f2f', '100%']]
      .map(([c, t]) => item(c, t)), item('#f4f5f7', 'not carved'), h('span', { class: 'item', text: 'red outline or band: above ' + pct(state.overview.warnAt) }));
  } else if (kind === 'owners') {
    const owners = new Map();
    for (const b of d.blocks) owners.set(b.owner || 'no owner', b.fill);
    f.replaceChildren(h('span', { text: 'block owner:' }), ...[...owners].map(([o, c]) => item(c, o)),
      h('span', { class: 'item', text: 'orange hatching: placeholder range (swarm’s addresses)' }), item('#f4f5f7', 'unclaimed'));
  } else {
    f.replaceChildren(h('span', { text: 'address kind:' }), ...[['#1e88e5', 'gateway'], ['#43a047', 'endpoint'], ['#8e24aa', 'service VIP'],
      ['#fb8c00', 'placeholder'], ['#b3d4f5', 'cooling (released, in cooldown)'], ['#757575', 'network / broadcast'], ['#ffffff', 'free']].map(([c, t]) => item(c, t)));
  }
}

// ------------------------------------------------------------------ search

let searchTimer = null;
function setupSearch() {
  const input = document.getElementById('search');
  const list = document.getElementById('hits');
  input.addEventListener('input', () => { clearTimeout(searchTimer); searchTimer = setTimeout(() => search(input.value), 150); });
  input.addEventListener('keydown', e => {
    const items = [...list.querySelectorAll('li[data-go]')];
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      state.hitIndex = Math.max(0, Math.min(items.length - 1, state.hitIndex + (e.key === 'ArrowDown' ? 1 : -1)));
      items.forEach((li, i) => li.classList.toggle('active', i === state.hitIndex));
    } else if (e.key === 'Escape') {
      list.hidden = true;
    }
  });
  document.getElementById('search-form').addEventListener('submit', async e => {
    e.preventDefault();
    clearTimeout(searchTimer);
    await search(input.value);
    const items = [...list.querySelectorAll('li[data-go]')];
    const pick = items[Math.max(0, state.hitIndex)];
    if (pick) { list.hidden = true; go(pick.dataset.go); }
  });
  document.addEventListener('click', e => { if (!document.getElementById('search-form').contains(e.target)) list.hidden = true; });
}

async function search(q) {
  const list = document.getElementById('hits');
  state.hitIndex = -1;
  if (!q.trim()) { list.hidden = true; list.replaceChildren(); return; }
  const r = await getJson('/v1/map/search?q=' + encodeURIComponent(q));
  const items = r.hits.map(x => {
    const target = x.address ? '#/block/' + x.block + '@' + x.address : x.block ? '#/block/' + x.block : '#/pool/' + x.pool;
    return h('li', { 'data-go': target, 'data-type': x.type, onclick: () => { list.hidden = true; go(target); } },
      h('b', { text: x.label }), h('span', { class: 'why', text: x.why }));
  });
  // Notes say what could not be searched (Docker unreachable) or was ambiguous; the store's hits stand.
  const notes = (r.notes || []).map(n => h('li', { class: 'none note', text: n }));
  list.replaceChildren(...notes, ...(items.length ? items : [h('li', { class: 'none', text: 'nothing matches “' + q + '”' })]));
  list.dataset.query = q;
  list.hidden = false;
}

window.addEventListener('hashchange', () => { document.getElementById('hits').hidden = true; render(); });
let resizeTimer = null;
window.addEventListener('resize', () => { clearTimeout(resizeTimer); resizeTimer = setTimeout(render, 150); });
window.addEventListener('DOMContentLoaded', () => { setupSearch(); poll(); });
