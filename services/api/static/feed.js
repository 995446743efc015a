// The feed of recent events from the SSE stream: the last 50, newest first; rejections marked.
// Drawn at most every 200 ms, so heavy field traffic does not keep the page busy.

import { fmtClock, fmtTime, known, t } from './i18n.js';
import { scopeName } from './map.js';
import { fill, h } from './util.js';

const KEEP = 50;
const all = [];     // newest first
const modes = [];   // the mode changes (and their rejections) among them, newest first
let root = null;
let modeOnly = false;
let timer = null;

function isMode(e) {
  return String(e.event || '').startsWith('ScopeMode.')
    || (isRejected(e) && String(e.summary || '').startsWith('mode.'));
}

function isRejected(e) {
  return e.outcome === 'rejected' || e.outcome?.status === 'rejected' || e.event === 'Rejection.MessageRejected';
}

export function initFeed(el, toggle) {
  root = el;
  toggle.addEventListener('change', () => {
    modeOnly = toggle.checked;
    render();
  });
  render();
}

function push(list, e) {
  if (list.length && list.some((x) => x.position === e.position)) return;
  list.unshift(e);
  list.sort((a, b) => (b.position ?? 0) - (a.position ?? 0));
  if (list.length > KEEP) list.length = KEEP;
}

/** One audit entry (from `event: change`). */
export function addEntry(entry) {
  if (!entry || typeof entry !== 'object') return;
  push(all, entry);
  if (isMode(entry)) push(modes, entry);
  if (!timer) timer = setTimeout(() => { timer = null; render(); }, 200);
}

function item(e) {
  const rejected = isRejected(e);
  const name = String(e.event || '').split('.').pop();
  const label = known('ev_', name);
  const when = e.occurred_at || e.recorded_at;
  return h('li', {
    class: `feed-item${rejected ? ' rejected' : ''}${isMode(e) ? ' mode' : ''}`,
    dataset: { position: String(e.position ?? ''), outcome: rejected ? 'rejected' : (e.outcome?.status ?? e.outcome ?? '') },
  },
  h('time', { datetime: when || '', title: `${fmtTime(when)} ${fmtClock(when)}` }, fmtTime(when)),
  h('span', { class: 'feed-body' },
    rejected ? h('span', { class: 'rejected-mark' }, t('rejected_mark')) : null,
    !rejected && label !== name ? h('span', { class: 'ev' }, label) : null,
    e.scope ? h('span', { class: 'scope' }, scopeName(e.scope)) : null,
    h('span', { class: 'summary' }, e.summary || e.event || '')),
  h('span', { class: 'actor', title: e.actor || '' }, e.actor || ''));
}

export function render() {
  if (!root) return;
  const list = modeOnly ? modes : all;
  if (!list.length) fill(root, h('li', { class: 'muted empty' }, t('feed_empty')));
  else fill(root, list.map(item));
}
