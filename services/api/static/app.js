// The dashboard page: sign-in, the live stream, the freshness banner, and the wiring of the parts.
// The API it reads is in README.md ("HTTP API and dashboard"). No build step; ES modules served as they are.

import { initDetails, renderDetails } from './details.js';
import { addEntry, initFeed, render as renderFeed } from './feed.js';
import { fmtClock, getLang, roman, setLang, t } from './i18n.js';
import { buildIndex, buildMap, markSelected, paintMap, renderLegend } from './map.js';
import { initOperator, relabelOperator, renderPending, renderScopes, useScope } from './operator.js';
import { api, detailOf, onUnauthorised, state } from './util.js';

const $ = (id) => document.getElementById(id);
const ROSTER_DELAY_MS = 150;    // a change is drawn at most this long (plus one fetch) after it arrives
const STALE_AFTER_MS = 5000;    // the banner shows a lost stream after this long

const live = { es: null, connected: false, downSince: null, lastPos: null, reconnect: null };
const roster = { timer: null, busy: false, again: false, chases: 0 };

// ---- language -------------------------------------------------------------------------------

function translatePage() {
  document.title = t('title');
  for (const el of document.querySelectorAll('[data-i18n]')) {
    el.textContent = t(el.dataset.i18n, { n: roman(el.dataset.i18nN) });
  }
  for (const el of document.querySelectorAll('[data-i18n-placeholder]')) {
    el.placeholder = t(el.dataset.i18nPlaceholder);
  }
  const toggle = $('lang-toggle');
  toggle.textContent = t('lang_other');
  toggle.lang = getLang() === 'zh' ? 'en' : 'zh-CN';
}

function relabel() {
  translatePage();
  renderWho();
  renderLegend();
  paintMap();
  renderDetails(true);
  if (state.index) relabelOperator();
  renderFeed();
  renderAsOf();
  updateBanner();
}

// ---- who is signed in -----------------------------------------------------------------------

function renderWho() {
  const who = $('who');
  const me = state.me;
  if (!me) {
    who.dataset.i18n = 'not_signed_in';
    who.textContent = t('not_signed_in');
  } else {
    delete who.dataset.i18n;
    who.textContent = `${me.name} · ${t(`role_${me.role}`)}`;
  }
  $('role-badge').hidden = !me || me.role === 'operator';
  $('sign-out').hidden = !me;
}

function showNotice(text) {
  $('notice').hidden = !text;
  $('notice').textContent = text || '';
}

function showSignIn(message) {
  stopStream();
  state.me = null;
  renderWho();
  $('app').hidden = true;
  $('signin').hidden = false;
  showNotice('');
  renderAsOf();
  updateBanner();
  const err = $('signin-error');
  err.hidden = !message;
  err.textContent = message || '';
  $('token-input').focus();
}

async function signedIn(me) {
  state.me = me;
  renderWho();
  $('signin').hidden = true;
  $('operator').hidden = me.role !== 'operator';
  if (!state.org) {
    showNotice(t('loading'));
    const r = await api('GET', '/api/org');
    if (!r.ok) return cannotRead(r);
    state.org = r.data;
    state.index = buildIndex(r.data);
    buildMap($('map'), select);
    renderScopes();
  }
  showNotice('');
  $('app').hidden = false;
  renderPending(true);
  const first = !state.roster;
  await loadRoster();
  if (!state.me) return;
  if (first) await prefillFeed();
  startStream();
}

function cannotRead(r) {
  if (r.status === 403) showNotice(t('no_access', { role: t(`role_${state.me?.role}`), detail: detailOf(r.data) }));
  else if (r.status === 0) {
    showNotice(t('network_error'));
    setTimeout(() => { if (state.me) signedIn(state.me); }, 3000);
  } else if (r.status !== 401) showNotice(t('server_error', { status: r.status }));
}

async function signInWith(token) {
  $('signin-error').hidden = false;
  $('signin-error').textContent = t('signing_in');
  const r = await api('POST', '/api/session', { token });
  if (r.ok && r.data?.name) {
    $('token-input').value = '';
    $('signin-error').hidden = true;
    await signedIn(r.data);
  } else if (r.status === 0) showSignIn(t('network_error'));
  else showSignIn(t('token_invalid', { detail: detailOf(r.data) || r.status }));
}

/** `#token=...` in the URL: sign in with it, and take it out of the address bar. */
async function fromHash() {
  const m = /(?:^#|[#&])token=([^&]*)/.exec(location.hash);
  if (!m) return false;
  history.replaceState(null, '', location.pathname + location.search);
  let token = m[1];
  try { token = decodeURIComponent(token); } catch { /* as it is */ }
  await signInWith(token);
  return true;
}

// ---- the roster -----------------------------------------------------------------------------

/** Fetch the roster soon: at most one request in flight, one more queued behind it. */
function scheduleRoster(delay = ROSTER_DELAY_MS) {
  if (roster.busy) { roster.again = true; return; }
  if (!roster.timer) roster.timer = setTimeout(loadRoster, delay);
}

async function loadRoster() {
  clearTimeout(roster.timer);
  roster.timer = null;
  if (!state.me) return;
  roster.busy = true;
  const r = await api('GET', '/api/roster');
  roster.busy = false;
  if (r.ok && r.data && Array.isArray(r.data.grids)) {
    state.roster = r.data;
    setAsOf(r.data.as_of);
    paintMap();
    renderDetails();
    renderPending();
    // the views had not yet reached the latest change heard of: look again, a few times at most
    const pos = r.data.as_of?.position;
    if (typeof pos === 'number' && live.lastPos !== null && pos < live.lastPos && roster.chases < 3) {
      roster.chases += 1;
      roster.timer = setTimeout(loadRoster, 200);
      return;
    }
  } else if (r.status !== 401) {
    cannotRead(r);
  }
  if (roster.again && state.me) {
    roster.again = false;
    scheduleRoster(50);
  }
}

/** The last ≤ 50 audit entries up to the roster's position, so the feed does not start empty. */
async function prefillFeed() {
  const pos = state.roster?.as_of?.position;
  if (typeof pos !== 'number') return;
  const r = await api('GET', `/api/audit?after=${Math.max(0, pos - 50)}&limit=50`);
  if (r.ok && Array.isArray(r.data?.entries)) for (const e of r.data.entries) addEntry(e);
}

function select(gridId) {
  state.selected = gridId;
  markSelected();
  renderDetails(true);
}

// ---- live stream and freshness --------------------------------------------------------------

function startStream() {
  stopStream();
  // resume right after what the page has (the roster's position, or the last change heard)
  const after = live.lastPos ?? state.roster?.as_of?.position;
  const es = new EventSource(typeof after === 'number' ? `/api/stream?after=${after}` : '/api/stream');
  live.es = es;
  es.addEventListener('open', () => {
    const wasDown = live.downSince !== null;
    live.connected = true;
    live.downSince = null;
    renderAsOf();
    updateBanner();
    if (wasDown) scheduleRoster();
  });
  es.addEventListener('change', (ev) => {
    let d;
    try { d = JSON.parse(ev.data); } catch { return; }
    const pos = typeof d?.position === 'number' ? d.position : Number(ev.lastEventId);
    if (Number.isFinite(pos)) live.lastPos = Math.max(live.lastPos ?? 0, pos);
    if (d?.entry) addEntry({ position: pos, ...d.entry });
    if (d?.roster === false) return; // a visit, a check-in...: the map is as it was
    roster.chases = 0;
    scheduleRoster();
  });
  es.addEventListener('status', (ev) => {
    try { setAsOf(JSON.parse(ev.data)); } catch { /* ignore a malformed status */ }
  });
  es.addEventListener('error', () => {
    if (live.es !== es) return;
    live.connected = false;
    if (live.downSince === null) live.downSince = Date.now();
    renderAsOf();
    if (es.readyState === EventSource.CLOSED) {
      // refused (not a dropped line, which the browser retries itself): check the session, retry
      es.close();
      live.es = null;
      clearTimeout(live.reconnect);
      live.reconnect = setTimeout(async () => {
        if (!state.me) return;
        const r = await api('GET', '/api/me');
        if (r.ok && state.me) startStream();
        else if (r.status === 0 && state.me) live.reconnect = setTimeout(() => state.me && startStream(), 3000);
      }, 3000);
    }
  });
}

function stopStream() {
  clearTimeout(live.reconnect);
  if (live.es) live.es.close();
  live.es = null;
  live.connected = false;
  live.downSince = null;
}

function setAsOf(asOf) {
  if (!asOf || typeof asOf !== 'object') return;
  state.asOf = asOf;
  renderAsOf();
  updateBanner();
}

function renderAsOf() {
  $('live').hidden = !state.me;
  $('live').dataset.state = live.connected ? 'on' : 'off';
  $('live').title = t(live.connected ? 'live' : 'offline');
  const a = state.asOf;
  if (!a || !state.me) { $('as-of').textContent = ''; return; }
  const behind = typeof a.behind_s === 'number' && a.behind_s >= 1 ? t('as_of_behind', { s: Math.round(a.behind_s) }) : '';
  $('as-of').textContent = t('as_of', { pos: a.position ?? '–', time: fmtClock(a.recorded_at) || '–' }) + behind;
}

function updateBanner() {
  const parts = [];
  if (state.me && live.downSince !== null && Date.now() - live.downSince > STALE_AFTER_MS) {
    parts.push(t('stale_stream', { s: Math.round((Date.now() - live.downSince) / 1000) }));
  }
  if (state.me && state.asOf?.warning) parts.push(t('stale_warning', { w: state.asOf.warning }));
  const banner = $('banner');
  banner.hidden = parts.length === 0;
  banner.textContent = parts.join('  ');
}

// ---- start ----------------------------------------------------------------------------------

async function boot() {
  setLang(getLang());
  translatePage();
  onUnauthorised(() => { if (state.me) showSignIn(); });
  $('lang-toggle').addEventListener('click', () => {
    setLang(getLang() === 'zh' ? 'en' : 'zh');
    relabel();
  });
  $('signin-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const token = $('token-input').value.trim();
    if (token) signInWith(token);
  });
  $('sign-out').addEventListener('click', async () => {
    await api('DELETE', '/api/session');
    showSignIn();
  });
  initFeed($('feed'), $('feed-mode-only'));
  initDetails($('details'), { select, useScope });
  initOperator();
  window.addEventListener('hashchange', fromHash);
  setInterval(updateBanner, 1000);
  setInterval(() => renderDetails(true), 30000);   // ages move on
  if (await fromHash()) return;
  const r = await api('GET', '/api/me');
  if (r.ok && r.data?.name) await signedIn(r.data);
  else if (r.status === 0) showSignIn(t('network_error'));
  else showSignIn();
}

boot();
