// The map: the district's streets, their communities and every grid as a tile coloured by its
// effective mode and level. Built once from /api/org; repainted in place from each roster.

import { fmtTime, gridsCount, modeText, t } from './i18n.js';
import { fill, h, state } from './util.js';

/** Lookups of the organisation by id, and names of scopes. */
export function buildIndex(org) {
  const streets = new Map();
  const communities = new Map();
  const grids = new Map();
  for (const s of org.streets || []) {
    streets.set(s.id, s);
    for (const c of s.communities || []) {
      communities.set(c.id, { ...c, street: s.id });
      for (const g of c.grids || []) grids.set(g.id, { ...g, community: c.id, street: s.id });
    }
  }
  return { district: org.district || { id: '', name: '' }, streets, communities, grids };
}

/** "桥沟街道", "二十里铺社区", "二十里铺社区 第1网格" for a scope `KIND:ID`. */
export function scopeName(scope) {
  const ix = state.index;
  if (!scope || !ix) return scope || '';
  const [kind, id] = scope.split(':', 2);
  if (kind === 'district') return ix.district.id === id ? ix.district.name : scope;
  if (kind === 'street') return ix.streets.get(id)?.name ?? scope;
  if (kind === 'community') return ix.communities.get(id)?.name ?? scope;
  if (kind === 'grid') {
    const g = ix.grids.get(id);
    return g ? `${ix.communities.get(g.community)?.name ?? ''} ${g.name}` : scope;
  }
  return scope;
}

/** The short label inside a tile: the grid's number ("第12网格" -> "12"). */
function shortName(name) {
  const m = /\d+/.exec(name || '');
  return m ? m[0] : (name || '?').slice(0, 2);
}

const tiles = new Map();   // grid id -> tile element
let onSelect = () => {};

/** Build the map into `root`; `select(gridId)` is called when a tile is clicked. */
export function buildMap(root, select) {
  onSelect = select;
  tiles.clear();
  const ix = state.index;
  const streets = [...ix.streets.values()].map((s) => h('section', { class: 'street', dataset: { street: s.id } },
    h('h3', {},
      h('span', { class: 'street-name' }, s.name),
      h('span', { class: 'badge', hidden: true, dataset: { scope: `street:${s.id}` } }),
      h('span', { class: 'count' })),
    (s.communities || []).map((c) => h('div', { class: 'community', dataset: { community: c.id } },
      h('span', { class: 'badge dot', hidden: true, dataset: { scope: `community:${c.id}` } }),
      h('span', { class: 'cname', title: c.name }, c.name),
      h('div', { class: 'tiles' }, (c.grids || []).map((g) => {
        const tile = h('button', {
          type: 'button', class: 'tile', dataset: { grid: g.id, mode: '', level: '' },
          'aria-label': `${c.name} ${g.name}`, onclick: () => onSelect(g.id),
        }, shortName(g.name));
        tiles.set(g.id, tile);
        return tile;
      }))))));
  fill(root,
    h('div', { class: 'map-head' },
      h('h2', {}, ix.district.name,
        h('span', { class: 'badge', hidden: true, dataset: { scope: `district:${ix.district.id}` } })),
      h('div', { id: 'legend', class: 'legend' })),
    h('div', { class: 'streets' }, streets));
  renderLegend();
}

export function renderLegend() {
  const el = document.getElementById('legend');
  if (!el) return;
  const item = (mode, level, label) => h('span', { class: 'legend-item' },
    h('span', { class: 'swatch tile', dataset: { mode, level }, 'aria-hidden': 'true' }), label);
  fill(el,
    ['I', 'II', 'III', 'IV'].map((l) => item('wartime', l, modeText('wartime', l))),
    item('exercise', 'II', t('exercise')),
    item('peacetime', '', t('peacetime')),
    h('span', { class: 'legend-item' },
      h('span', { class: 'swatch tile alert', dataset: { mode: 'peacetime', level: '' }, 'aria-hidden': 'true' }),
      t('legend_alert')));
}

/** Colour every tile from the roster, mark the alerting ones, and badge the scopes in wartime. */
export function paintMap() {
  const roster = state.roster;
  const ix = state.index;
  if (!roster || !ix) return;
  const counts = new Map();   // street -> {wartime, exercise}
  for (const g of roster.grids || []) {
    const tile = tiles.get(g.grid);
    if (!tile) continue;
    const mode = g.mode || 'peacetime';
    const level = g.level || '';
    if (tile.dataset.mode !== mode) tile.dataset.mode = mode;
    if (tile.dataset.level !== level) tile.dataset.level = level;
    const alert = (g.unstaffed_checkpoints || []).length + (g.open_hazards || []).length > 0;
    tile.classList.toggle('alert', alert);
    const info = ix.grids.get(g.grid);
    const where = info ? `${ix.streets.get(info.street)?.name ?? ''} ${ix.communities.get(info.community)?.name ?? ''} ` : '';
    const since = g.since && mode !== 'peacetime' ? ` · ${t('since', { t: fmtTime(g.since) })}` : '';
    tile.title = `${where}${g.name || info?.name || g.grid}\n${modeText(mode, g.level)}${since}`;
    if (info && mode !== 'peacetime') {
      const c = counts.get(info.street) || { wartime: 0, exercise: 0 };
      c[mode === 'exercise' ? 'exercise' : 'wartime'] += 1;
      counts.set(info.street, c);
    }
  }
  for (const el of document.querySelectorAll('.street')) {
    const c = counts.get(el.dataset.street) || { wartime: 0, exercise: 0 };
    const total = el.querySelectorAll('.tile').length;
    const parts = ['wartime', 'exercise'].filter((m) => c[m]).map((m) => `${t(m)} ${c[m]}`).join(' · ');
    el.querySelector('.count').textContent = parts ? t('street_count', { parts, total }) : gridsCount(total);
  }
  const active = new Map((roster.wartime_scopes || []).map((w) => [w.scope, w]));
  for (const b of document.querySelectorAll('#map .badge')) {
    const w = active.get(b.dataset.scope);
    b.hidden = !w;
    if (!w) continue;
    const mode = w.exercise ? 'exercise' : 'wartime';
    b.dataset.mode = mode;
    b.dataset.level = w.level || '';
    b.textContent = modeText(mode, w.level);
    b.title = `${scopeName(w.scope)} ${modeText(mode, w.level)} · ${t('since', { t: fmtTime(w.since) })}`
      + (w.trigger ? ` · ${t('trigger')}: ${w.trigger}` : '');
  }
  markSelected();
}

export function markSelected() {
  for (const [id, tile] of tiles) tile.classList.toggle('selected', id === state.selected);
}
