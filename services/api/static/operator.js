// The operator panel: scope picker, mode, level, reason, trigger, exercise; the outcome in words;
// the pending level-I and void proposals, each confirmed by a second operator.

import { fmtTime, modeText, t } from './i18n.js';
import { scopeName } from './map.js';
import { api, detailOf, fill, h, state } from './util.js';

const $ = (id) => document.getElementById(id);
let episodesCache = null;   // GET /api/episodes, fetched when "void" is first chosen
let pendingKey = '';

/** Fill the scope picker from the organisation (keeps the chosen value). */
export function renderScopes() {
  const sel = $('scope');
  const ix = state.index;
  if (!sel || !ix) return;
  const keep = sel.value;
  fill(sel,
    h('option', { value: '', disabled: true }, t('choose_scope')),
    h('optgroup', { label: ix.district.name },
      h('option', { value: `district:${ix.district.id}` }, ix.district.name)),
    [...ix.streets.values()].map((s) => h('optgroup', { label: s.name },
      h('option', { value: `street:${s.id}` }, t('whole_street', { name: s.name })),
      (s.communities || []).map((c) => [
        h('option', { value: `community:${c.id}` }, `\u3000${c.name}`),
        (c.grids || []).map((g) => h('option', { value: `grid:${g.id}` }, `\u3000\u3000${c.name} · ${g.name}`)),
      ]))));
  sel.value = keep;   // nothing chosen at first: a district-wide switch is never a default
}

/** Set the scope picker (from the side panel) and bring the form into view. */
export function useScope(scope) {
  const sel = $('scope');
  sel.value = scope;
  sel.dispatchEvent(new Event('change'));
  sel.focus();
}

function syncControls() {
  const mode = $('mode').value;
  const leveled = mode === 'wartime' || mode === 'level';
  $('level').disabled = !leveled;
  $('trigger').disabled = !leveled;
  $('exercise').disabled = mode !== 'wartime';
  if (mode !== 'wartime') $('exercise').checked = false;
  $('episode-row').hidden = mode !== 'void';
  $('level-note').hidden = !(leveled && $('level').value === 'I');
  if (mode === 'void') renderEpisodes();
}

async function renderEpisodes() {
  if (episodesCache === null) {
    episodesCache = [];
    const r = await api('GET', '/api/episodes');
    if (r.ok && Array.isArray(r.data?.episodes)) episodesCache = r.data.episodes;
  }
  const scope = $('scope').value;
  const ids = new Set();
  for (const w of state.roster?.wartime_scopes || []) if (w.scope === scope && w.episode) ids.add(w.episode);
  for (const e of episodesCache) if (e.scope === scope && !e.voided_at) ids.add(e.episode);
  const sel = $('episode');
  const keep = sel.value;
  fill(sel, ids.size ? [...ids].map((e) => h('option', { value: e }, e)) : h('option', { value: '' }, t('no_episode')));
  if (ids.has(keep)) sel.value = keep;
}

let lastOutcome = null;   // {status, key, params, extra}: drawn again after a language change

function showOutcome(status, key, params = {}, extra = '') {
  lastOutcome = { status, key, params, extra };
  drawOutcome();
}

function drawOutcome() {
  const el = $('outcome');
  if (!lastOutcome) return;
  const { status, key, params, extra } = lastOutcome;
  const words = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, typeof v === 'function' ? v() : v]));
  el.dataset.status = status;
  fill(el, t(key, words), extra ? h('span', { class: 'muted' }, ` ${extra}`) : null);
}

/** The answer of POST /api/switch, in words. */
function report(r, what) {
  const outcome = r.data?.outcome || {};
  const id = outcome.message_id ? `(${outcome.message_id})` : '';
  if (r.ok && r.data?.pending) showOutcome('pending', 'proposed', {}, id);
  else if (r.ok) showOutcome('accepted', 'accepted', { what }, id);
  else if (r.status === 422) {
    const reason = detailOf(r.data) || outcome.reason || '';
    showOutcome('rejected', 'rejected', { reason }, outcome.code ? `[${outcome.code}]` : '');
  } else if (r.status === 400) showOutcome('error', 'bad_request', { reason: detailOf(r.data) });
  else if (r.status === 403) showOutcome('error', 'forbidden');
  else if (r.status === 504) showOutcome('error', 'timeout', {}, detailOf(r.data));
  else if (r.status === 0) showOutcome('error', 'network_error');
  else if (r.status !== 401) showOutcome('error', 'server_error', { status: r.status }, detailOf(r.data));
}

async function submit(ev) {
  ev.preventDefault();
  const mode = $('mode').value;
  const scope = $('scope').value;
  const reason = $('reason').value.trim();
  if (!scope) {
    showOutcome('error', 'scope_required');
    $('scope').focus();
    return;
  }
  if (!reason) {
    showOutcome('error', 'reason_required');
    $('reason').focus();
    return;
  }
  const body = { mode, scope, reason, exercise: mode === 'wartime' && $('exercise').checked };
  const level = $('level').value;
  let what = () => `${scopeName(scope)} ${modeText('wartime', level)}`;
  if (mode === 'wartime' || mode === 'level') {
    body.level = $('level').value;
    const trigger = $('trigger').value.trim();
    if (trigger) body.trigger = trigger;
    if (body.exercise) what = () => `${scopeName(scope)} ${modeText('exercise', level)}`;
  } else if (mode === 'void') {
    body.episode = $('episode').value;
    if (!body.episode) {
      showOutcome('error', 'no_episode');
      return;
    }
    what = () => `${t('mode_void')} ${body.episode}`;
  } else {
    what = () => `${scopeName(scope)} ${t('peacetime')}`;
  }
  const button = $('submit');
  button.disabled = true;
  button.textContent = t('submitting');
  showOutcome('busy', 'submitting');
  const r = await api('POST', '/api/switch', body);
  button.disabled = false;
  button.textContent = t('submit');
  report(r, what);
  if (r.ok) {
    // a reason and trigger belong to one switch: the next one says its own
    $('reason').value = '';
    $('trigger').value = '';
    $('exercise').checked = false;
  }
  if (r.ok && mode === 'void') episodesCache = null;
}

async function confirm(p, button) {
  button.disabled = true;
  showOutcome('busy', 'submitting');
  const r = await api('POST', '/api/switch', { mode: 'confirm', scope: p.scope, proposal: p.proposal, exercise: false });
  button.disabled = false;
  const what = () => (p.voids ? `${t('mode_void')} ${p.voids}` : `${scopeName(p.scope)} ${modeText('wartime', p.level)}`);
  report(r, what);
}

const same = (a, b) => String(a || '').toLowerCase() === String(b || '').toLowerCase();

/** The pending proposals of the roster (re-drawn only when they changed). */
export function renderPending(force = false) {
  const list = state.roster?.pending_proposals || [];
  const key = JSON.stringify([list, state.me?.name]);
  if (!force && key === pendingKey) return;
  pendingKey = key;
  const el = $('pending');
  if (!list.length) {
    fill(el, h('li', { class: 'muted empty' }, t('no_pending')));
    return;
  }
  fill(el, list.map((p) => {
    const mine = same(p.proposed_by, state.me?.name);
    const button = mine ? null : h('button', { type: 'button', class: 'confirm' }, t('confirm'));
    if (button) button.addEventListener('click', () => confirm(p, button));
    return h('li', { dataset: { scope: p.scope, proposal: p.proposal || '' } },
      h('div', {}, h('strong', {}, scopeName(p.scope)), ' ',
        p.voids ? t('proposal_void', { episode: p.voids }) : t('proposal_level', { level: modeText('wartime', p.level) })),
      h('div', { class: 'muted' }, t('proposed_by', { who: p.proposed_by }),
        p.expires_at ? ` · ${t('expires', { t: fmtTime(p.expires_at) })}` : '',
        p.reason ? ` · ${p.reason}` : ''),
      mine ? h('span', { class: 'waiting' }, t('waiting_second')) : button);
  }));
}

/** Wire the form once. */
export function initOperator() {
  $('mode').addEventListener('change', syncControls);
  $('level').addEventListener('change', syncControls);
  $('scope').addEventListener('change', () => { if ($('mode').value === 'void') renderEpisodes(); });
  $('switch-form').addEventListener('submit', submit);
  syncControls();
}

/** Re-label after a language change. */
export function relabelOperator() {
  renderScopes();
  renderPending(true);
  drawOutcome();
  $('submit').textContent = t($('submit').disabled ? 'submitting' : 'submit');
}
