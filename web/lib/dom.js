// web/lib/dom.js — a tiny element builder (no framework) and UI helpers.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}
const SVGNS = 'http://www.w3.org/2000/svg';
export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v !== undefined && v !== null) el.setAttribute(k, v);
  append(el, children);
  return el;
}
function setAttrs(el, attrs) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2).toLowerCase(), v);
    else if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (k in el && typeof v !== 'string') el[k] = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
}
function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}
export function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); return el; }

// Toasts: short notices in a strip under the top bar (index.html), in the
// page's flow, so they push the page down instead of covering it.  Each has
// a close button and times out (errors last longer; hovering or focusing
// one holds it); at most MAX_TOASTS show, the oldest goes first; a route
// change clears them (app.js), so none follows you to another page.
// Announced through the strip's aria-live region.
const TOAST_MS = { ok: 5000, info: 5000, warn: 8000, error: 10000 };
const MAX_TOASTS = 3;
export function toast(message, kind = 'info', ms = TOAST_MS[kind] ?? 5000) {
  const box = document.getElementById('toasts');
  if (!box) return null;
  let timer = null, left = ms, since = 0;
  const close = () => { clearTimeout(timer); t.remove(); };
  const run = () => { clearTimeout(timer); since = Date.now(); timer = setTimeout(close, Math.max(0, left)); };
  const hold = () => { clearTimeout(timer); left -= Date.now() - since; };
  const t = h('div', { class: `toast toast-${kind}`, role: kind === 'error' ? 'alert' : 'status',
    onmouseenter: hold, onmouseleave: run, onfocusin: hold, onfocusout: run },
  h('span', { class: 'toast-text' }, message),
  h('button', { class: 'toast-close', type: 'button', 'aria-label': 'Dismiss', title: 'Dismiss', onclick: close }, '×'));
  t.dismiss = close;
  box.append(t);
  while (box.children.length > MAX_TOASTS) box.firstElementChild.dismiss();
  run();
  return t;
}
export function clearToasts() {
  const box = document.getElementById('toasts');
  for (const t of [...(box?.children || [])]) t.dismiss ? t.dismiss() : t.remove();
}

export function errorText(e) {
  if (!e) return 'unknown error';
  if (e.status) return `${e.title || 'Error'}${e.detail && e.detail !== e.title ? ': ' + e.detail : ''} (HTTP ${e.status})`;
  return e.message || String(e);
}

export function fmtTime(t) {
  if (!t) return '—';
  const d = new Date(t);
  return isNaN(d) ? String(t) : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function download(name, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h('a', { href: url, download: name, class: 'visually-hidden' }, name);
  document.body.append(a); a.click(); a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

export function readFile(file) {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(r.result); r.onerror = () => reject(r.error);
    r.readAsText(file);
  });
}
