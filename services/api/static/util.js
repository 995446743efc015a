// Small helpers shared by the page's modules: building DOM, calling the API, shared state.

/** The page's shared state. */
export const state = {
  me: null,          // {name, role} once signed in
  org: null,         // GET /api/org
  index: null,       // lookups built from org (see map.js)
  roster: null,      // GET /api/roster
  selected: null,    // grid id shown in the side panel
  asOf: null,        // the latest as_of (roster or status event)
};

/**
 * h('div', {class: 'x', dataset: {grid: 'G'}, onclick: fn}, 'text', child, [more]) -> Element.
 * Text goes in as text nodes, never as HTML.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k in el && typeof v !== 'string') el[k] = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replace the children of `el`. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

const handlers = { unauthorised: () => {} };

/** What to do when a call answers 401 (the session ended): set by app.js. */
export function onUnauthorised(fn) { handlers.unauthorised = fn; }

/**
 * Call the API; never throws. -> {status, ok, data}; status 0 when the network failed.
 * A 401 (other than on signing in) hands over to the sign-in box.
 */
export async function api(method, path, body) {
  const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch {
    return { status: 0, ok: false, data: null };
  }
  let data = null;
  if (res.status !== 204) {
    try { data = await res.json(); } catch { data = null; }
  }
  if (res.status === 401 && path !== '/api/session') handlers.unauthorised();
  return { status: res.status, ok: res.ok, data };
}

/** The `detail` of an error answer, in words. */
export function detailOf(data) {
  const d = data && data.detail;
  if (!d) return '';
  if (typeof d === 'string') return d;
  if (Array.isArray(d)) return d.map((x) => x.msg || JSON.stringify(x)).join('; ');
  return JSON.stringify(d);
}
