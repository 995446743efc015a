// The side panel: the selected grid's details, or the district's overview when none is selected.

import { fmtAge, fmtTime, gridsCount, known, modeText, t } from './i18n.js';
import { scopeName } from './map.js';
import { fill, h, state } from './util.js';

let root = null;
let actions = { select: () => {}, useScope: null };

/** `select(gridId|null)` changes the selection; `useScope(scope)` (operators) sets the scope picker. */
export function initDetails(el, a) {
  root = el;
  actions = a;
}

function chip(mode, level) {
  return h('span', { class: 'chip', dataset: { mode: mode || 'peacetime', level: level || '' } }, modeText(mode, level));
}

function section(title, items, render) {
  const list = items || [];
  return h('section', { class: 'detail-section' },
    h('h4', {}, title, h('span', { class: 'n' }, String(list.length))),
    list.length ? h('ul', {}, list.map((x) => h('li', {}, render(x)))) : h('p', { class: 'muted' }, t('none')));
}

let lastKey = '';

/** Draw the panel; unless `force`, only when what it shows has changed. */
export function renderDetails(force = false) {
  if (!root || !state.roster) return;
  const g = state.selected && (state.roster.grids || []).find((x) => x.grid === state.selected);
  const key = g
    ? JSON.stringify([g, state.roster.wartime_scopes, state.me?.role])
    : JSON.stringify([state.roster.wartime_scopes, (state.roster.grids || []).map((x) => [x.mode,
      (x.open_hazards || []).length, (x.unstaffed_checkpoints || []).length, (x.open_problems || []).length])]);
  if (!force && key === lastKey) return;
  lastKey = key;
  if (g) renderGrid(g);
  else renderOverview();
}

function ancestors(gridId) {
  const ix = state.index;
  const info = ix.grids.get(gridId);
  if (!info) return [`grid:${gridId}`];
  return [`district:${ix.district.id}`, `street:${info.street}`, `community:${info.community}`, `grid:${gridId}`];
}

function renderGrid(g) {
  const ix = state.index;
  const info = ix.grids.get(g.grid);
  const people = new Map((g.people || []).map((p) => [p.cadre, p]));
  const who = (cadre) => {
    const p = people.get(cadre);
    return p ? `${p.name}（${p.unit_name || p.unit}）` : cadre;
  };
  const duty = new Map((g.on_duty || []).map((d) => [d.cadre, d]));
  const chain = ancestors(g.grid);
  const covering = (state.roster.wartime_scopes || []).filter((w) => chain.includes(w.scope));
  const contact = g.contact || info?.contact;
  const mode = g.mode || 'peacetime';
  const scopeButtons = state.me?.role === 'operator' && info
    ? h('div', { class: 'use-scope' }, t('use_as_scope'), ' ',
      [`street:${info.street}`, `community:${info.community}`, `grid:${g.grid}`].map((s) => h('button', {
        type: 'button', class: 'link', onclick: () => actions.useScope(s),
      }, s.startsWith('grid:') ? g.name : scopeName(s))))
    : null;
  fill(root,
    h('div', { class: 'detail-head' },
      h('button', { type: 'button', class: 'link back', onclick: () => actions.select(null) }, '← ', t('back')),
      h('h3', {}, info ? `${ix.streets.get(info.street)?.name ?? ''} · ${scopeName(`grid:${g.grid}`)}` : g.grid),
      h('div', { class: 'mode-line' }, chip(mode, g.level),
        g.since && mode !== 'peacetime'
          ? h('span', { class: 'muted' }, ' ', t('since', { t: fmtTime(g.since) }), ' · ', t('for_age', { a: fmtAge(g.since) }))
          : null),
      covering.length ? h('ul', { class: 'covering' }, covering.map((w) => h('li', {},
        scopeName(w.scope), ' ', chip(w.exercise ? 'exercise' : 'wartime', w.level),
        w.trigger ? ` · ${t('trigger')}: ${w.trigger}` : ''))) : null,
      h('div', { class: 'contact' }, h('strong', {}, t('contact'), t('colon')),
        contact && contact.name
          ? [contact.name, ' ', contact.phone ? h('a', { href: `tel:${contact.phone.replace(/[^\d+]/g, '')}` }, contact.phone) : null]
          : h('span', { class: 'muted' }, t('no_contact'))),
      scopeButtons),
    section(t('unstaffed'), g.unstaffed_checkpoints, (c) => [
      h('span', { class: 'warn' }, c.name || c.checkpoint), ' ',
      h('span', { class: 'muted' }, c.since ? t('unstaffed_for', { a: fmtAge(c.since) }) : c.checkpoint)]),
    section(t('hazards'), g.open_hazards, (z) => [
      h('span', { class: `sev sev-${z.severity}` }, known('severity_', z.severity)), ' ',
      h('strong', {}, known('hazard_', z.kind)), ' · ', z.location || '', ' ',
      h('span', { class: 'muted' }, t('reported_ago', { a: fmtAge(z.reported_at) })),
      (z.open_tasks || []).length ? h('ul', { class: 'tasks' }, z.open_tasks.map((k) => h('li', {},
        t('open_tasks'), t('colon'), k.what || k.task, ' · ', t('assigned_to', { who: who(k.assigned_to) })))) : null]),
    section(t('problems'), g.open_problems, (p) => [
      h('strong', {}, p.summary || p.what || p.problem), p.where ? ` · ${p.where}` : '', ' ',
      h('span', { class: 'muted' }, t('reported_ago', { a: fmtAge(p.reported_at) })), ' ',
      p.escalated_to
        ? h('span', { class: 'escalated' }, t('escalated_to', { office: p.escalated_to }),
          p.escalated_at ? ` · ${fmtAge(p.escalated_at)}` : '')
        : h('span', { class: 'muted' }, t('not_escalated')),
      p.state && p.state !== 'reported' ? h('span', { class: 'tag' }, known('loop_', p.state)) : null,
      p.overdue ? h('span', { class: 'overdue', title: p.overdue_since || '' },
        t('overdue_for', { a: fmtAge(p.overdue_since) })) : null]),
    section(t('on_duty'), g.on_duty, (d) => [
      who(d.cadre), ' · ', t('at_checkpoint', { c: d.checkpoint }), ' ',
      h('span', { class: 'muted' }, t('for_age', { a: fmtAge(d.since) }))]),
    section(t('cadres'), g.people || (g.cadres || []).map((c) => ({ cadre: c, name: c, unit: '' })), (p) => [
      h('strong', {}, p.name), ' ', h('span', { class: 'muted' }, p.unit_name || p.unit || ''),
      duty.has(p.cadre) ? h('span', { class: 'tag' }, t('at_checkpoint', { c: duty.get(p.cadre).checkpoint })) : null]));
}

function renderOverview() {
  const roster = state.roster;
  const ix = state.index;
  if (!roster || !ix) return;
  const counts = { wartime: 0, exercise: 0, peacetime: 0 };
  for (const g of roster.grids || []) counts[g.mode in counts ? g.mode : 'peacetime'] += 1;
  const weight = (g) => (g.open_hazards || []).length * 3 + (g.unstaffed_checkpoints || []).length * 2
    + (g.open_problems || []).filter((p) => p.escalated_to).length;
  const attention = (roster.grids || []).filter((g) => weight(g) > 0).sort((a, b) => weight(b) - weight(a)).slice(0, 40);
  fill(root,
    h('div', { class: 'detail-head' },
      h('h3', {}, t('district_overview'), ' · ', ix.district.name),
      h('div', { class: 'mode-counts' },
        ['wartime', 'exercise', 'peacetime'].map((m) => h('span', { class: 'count-item' },
          h('span', { class: 'chip', dataset: { mode: m, level: m === 'peacetime' ? '' : 'II' } }, t(m)),
          ' ', gridsCount(counts[m]))))),
    section(t('active_scopes'), roster.wartime_scopes, (w) => [
      h('strong', {}, scopeName(w.scope)), ' ', chip(w.exercise ? 'exercise' : 'wartime', w.level), ' ',
      h('span', { class: 'muted' }, t('since', { t: fmtTime(w.since) }), ' · ', t('for_age', { a: fmtAge(w.since) }),
        w.trigger ? ` · ${t('trigger')}: ${w.trigger}` : '')]),
    section(t('attention'), attention, (g) => h('button', {
      type: 'button', class: 'link', onclick: () => actions.select(g.grid),
    }, scopeName(`grid:${g.grid}`), ' ',
    (g.open_hazards || []).length ? h('span', { class: 'sev sev-high' }, `${t('hazards')} ${g.open_hazards.length}`) : null, ' ',
    (g.unstaffed_checkpoints || []).length ? h('span', { class: 'warn' }, `${t('unstaffed_short')} ${g.unstaffed_checkpoints.length}`) : null)),
    h('p', { class: 'muted hint' }, t('click_tile')));
}
