// web/app.js — the shell: hash router, session indicator, banners.
import { h, clear, toast, clearToasts } from './lib/dom.js';
import { session } from './lib/api.js';
import { loadKey } from './lib/keys.js';

const routes = [
  [/^#?\/?$/, () => import('./views/home.js'), 'home'],
  [/^#\/key$/, () => import('./views/key.js'), 'key'],
  [/^#\/projects$/, () => import('./views/projects.js'), 'projects'],
  [/^#\/label\/([^/]+)$/, () => import('./views/label.js'), 'projects'],
  [/^#\/account$/, () => import('./views/account.js'), 'account'],
  [/^#\/requester$/, () => import('./views/requester.js'), 'requester'],
  [/^#\/requester\/([^/]+)$/, () => import('./views/project.js'), 'requester'],
  [/^#\/verify$/, () => import('./views/verify.js'), 'verify'],
  [/^#\/anchors$/, () => import('./views/anchors.js'), 'anchors'],
];

let current = null;	// the mounted view's cleanup
let seq = 0;		// the latest route(): a slower, older one must not mount

export async function renderWho() {
  const who = clear(document.getElementById('who'));
  const info = session.info;
  if (session.token && info) {
    const kind = info.via === 'token' ? 'API token' : `key ${(info.public_key || '').slice(0, 8)}…`;
    who.append(h('span', { class: 'who-id', title: `account ${info.id ?? ''}` },
      h('span', { class: 'dot dot-ok', 'aria-hidden': 'true' }), `${(info.roles || []).join(', ') || 'signed in'} · ${kind}`),
    h('button', { class: 'btn btn-ghost btn-small', type: 'button', onclick: () => { session.clear(); renderWho(); route(); } }, 'Sign out'));
  } else {
    const key = await loadKey().catch(() => null);
    who.append(h('a', { class: 'btn btn-small', href: '#/key' }, key ? 'Sign in' : 'Create key & sign in'));
  }
}

async function route() {
  const my = ++seq;
  const hash = location.hash || '#/';
  const main = document.getElementById('main');
  if (current) { try { current(); } catch { /* ignore */ } current = null; }
  clearToasts();	// a notice belongs to the page that raised it
  for (const [re, load, nav] of routes) {
    const m = re.exec(hash);
    if (!m) continue;
    for (const a of document.querySelectorAll('[data-nav]')) {
      if (a.dataset.nav === nav) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
    }
    const mod = await load();
    if (my !== seq) return;
    const host = h('div', { class: 'view' });	// each view gets its own host: a stale one writes to a detached node
    clear(main).append(host);
    const cleanup = await mod.default(host, ...m.slice(1).map(decodeURIComponent));
    if (my !== seq) { if (typeof cleanup === 'function') cleanup(); return; }
    current = typeof cleanup === 'function' ? cleanup : null;
    document.title = `${main.querySelector('h1')?.textContent || 'labelchain'} · labelchain`;
    return;
  }
  clear(main).append(h('section', { class: 'panel' }, h('h1', {}, 'Not found'), h('p', {}, h('a', { href: '#/' }, 'Back to the start'))));
}

export function banner(text, kind = 'warn') {
  const b = document.getElementById('banner');
  if (!text) { b.hidden = true; b.textContent = ''; return; }
  b.hidden = false; b.className = `banner banner-${kind}`; b.textContent = text;
}

window.addEventListener('hashchange', () => { route(); document.getElementById('main').focus({ preventScroll: true }); });
window.addEventListener('lc:unauthorized', () => { session.clear(); renderWho(); toast('Your session ended — sign in again.', 'error'); });
window.addEventListener('lc:session', () => renderWho());
renderWho();
route();
