// web/views/label.js — the labeling view.  Keyboard first: 1–9 then letters pick
// a label, Enter submits the signed vote, S skips.  A vote asks for the next
// task in the same request ("next": true), so a label costs one round trip.
// Votes go through an outbox kept in localStorage: a lost connection delays a
// vote, never drops it.
import { h, clear, toast, errorText } from '../lib/dom.js';
import { get, post, session, ApiError, NetworkError } from '../lib/api.js';
import { loadKey, sign } from '../lib/keys.js';
import { voteMessage, shortcutKeys, formatCredits } from '../lib/messages.js';
import { banner } from '../app.js';

const OUTBOX = 'labelchain.outbox';
const readOutbox = () => { try { return JSON.parse(localStorage.getItem(OUTBOX) || '[]'); } catch { return []; } };
const writeOutbox = (o) => localStorage.setItem(OUTBOX, JSON.stringify(o));

// ---- the outbox (module-level: it outlives a view) -----------------------
let flushing = null, retryTimer = null, retryDelay = 1000;
const listeners = new Set();
function notify() { for (const f of listeners) f(readOutbox()); }

export function queueVote(v) {
  const box = readOutbox();
  if (!box.some((x) => x.assignment_id === v.assignment_id)) writeOutbox([...box, { ...v, tries: 0 }]);
  notify();
  return flush();
}

export function flush() {
  if (flushing) return flushing;
  const p = (async () => {
    try {
      for (;;) {
        const box = readOutbox();
        if (!box.length) { banner(null); retryDelay = 1000; return; }
        const v = box[0];
        try {
          const body = { label: v.label, signature: v.signature };
          if (v.next) body.next = true;
          const r = await post(`/v1/assignments/${encodeURIComponent(v.assignment_id)}/vote`, body);
          writeOutbox(readOutbox().filter((x) => x.assignment_id !== v.assignment_id));
          for (const f of listeners) f(readOutbox(), { done: v, result: r });
        } catch (e) {
          if (e instanceof NetworkError || (e instanceof ApiError && (e.status >= 500 || e.status === 429))) {
            const n = readOutbox().length;
            banner(`Connection lost — ${n} vote${n > 1 ? 's' : ''} waiting, retrying in ${Math.round(retryDelay / 1000)} s. Nothing is lost.`, 'warn');
            clearTimeout(retryTimer);
            retryTimer = setTimeout(() => flush(), retryDelay);
            retryDelay = Math.min(retryDelay * 2, 15000);
            return 'retry';
          }
          // The server refused this vote for good (expired lease, …): say so, drop it.
          writeOutbox(readOutbox().filter((x) => x.assignment_id !== v.assignment_id));
          for (const f of listeners) f(readOutbox(), { failed: v, error: e });
          const why = e.status === 410 || /expire|lease/i.test(`${e.type} ${e.title} ${e.detail}`)
            ? `Your lease on task ${v.task_id} expired before the vote arrived — that vote was not counted.`
            : `Vote on task ${v.task_id} refused: ${errorText(e)}`;
          toast(why, 'error', 7000);
        }
      }
    } catch (e) { console.warn('outbox', e); }
  })();
  flushing = p;
  p.finally(() => { if (flushing === p) flushing = null; });
  return p;
}
window.addEventListener('online', () => { retryDelay = 1000; flush(); });

// ---- the view -------------------------------------------------------------
export default async function labelView(main, projectId) {
  const key = await loadKey().catch(() => null);
  if (!session.token || !key || session.info?.public_key !== key.publicHex) {
    main.append(h('div', { class: 'page-head' }, h('h1', {}, 'Labeling')),
      h('section', { class: 'panel' }, h('p', {}, 'Votes are signed with your key: sign in with the key in this browser first.'), h('a', { class: 'btn btn-primary', href: '#/key' }, 'Sign in with a key')));
    return;
  }
  let project = null, me0 = null;
  try { [project, me0] = await Promise.all([get(`/v1/projects/${encodeURIComponent(projectId)}`), get('/v1/me')]); }
  catch (e) { main.append(h('h1', {}, 'Labeling'), h('p', { class: 'callout callout-fail' }, `Could not open project ${projectId}: ${errorText(e)}`)); return; }

  let cur = null, selected = -1, alive = true, busy = false, tick = null, done = 0, refused = 0, recheck = null;
  const itemBox = h('div', { class: 'item', id: 'item', tabindex: '-1', 'aria-live': 'polite' });
  const buttons = h('div', { class: 'label-buttons', role: 'group', 'aria-label': 'Labels' });
  const lease = h('span', { class: 'lease', id: 'lease', 'aria-label': 'lease time left' }, '—');
  const taskTitle = h('span', { class: 'hint', id: 'task-id' }, '');
  const counters = {
    done: h('span', { class: 'v', id: 'done-count' }, '0'),
    pending: h('span', { class: 'v', id: 'pending-count' }, String(readOutbox().length)),
    earned: h('span', { class: 'v', id: 'session-earned' }, formatCredits(0)),
    balance: h('span', { class: 'v', id: 'balance' }, formatCredits(me0.balance)),
  };
  const taskPanel = h('section', { class: 'panel', 'aria-labelledby': 'proj-h' },
    h('div', { class: 'task-head' }, h('div', {}, h('h1', { id: 'proj-h' }, project.name), taskTitle), lease),
    itemBox, buttons,
    h('div', { class: 'actions keys-help' },
      h('span', {}, h('kbd', {}, '1'), '–', h('kbd', {}, '9'), ', letters: choose · ', h('kbd', {}, 'Enter'), ' submit · ', h('kbd', {}, 'S'), ' skip'),
      h('button', { class: 'btn btn-small btn-ghost', type: 'button', id: 'skip-btn', onclick: () => skip() }, 'Skip (S)')));
  main.append(h('div', { class: 'labeling' }, taskPanel,
    h('aside', { class: 'side' },
      h('section', { class: 'panel' }, h('h2', {}, 'Instructions'), h('p', { class: 'instructions', id: 'instructions' }, project.instructions || '—'),
        h('p', { class: 'hint' }, `${formatCredits(project.reward_per_task)} credits per task, split among agreeing voters.`)),
      h('section', { class: 'panel grid-2' },
        h('div', { class: 'stat' }, counters.done, h('span', { class: 'k' }, 'labeled now')),
        h('div', { class: 'stat' }, counters.pending, h('span', { class: 'k' }, 'votes sending')),
        h('div', { class: 'stat' }, counters.earned, h('span', { class: 'k' }, 'earned now')),
        h('div', { class: 'stat' }, counters.balance, h('span', { class: 'k' }, 'balance'))))));

  let refreshT = null;
  function refreshMe() {
    if (refreshT) return;	// throttled: at most one refresh in flight per 700 ms
    refreshT = setTimeout(async () => {
      refreshT = null;
      const seen = done;
      try {
        const me = await get('/v1/me');
        if (done !== seen && alive) refreshMe();
        if (!alive) return;
        counters.balance.textContent = formatCredits(me.balance);
        counters.earned.textContent = formatCredits(me.balance + me.stake - me0.balance - me0.stake);
      } catch { /* the next vote retries */ }
    }, 700);
  }
  // The next task, as the answer to a vote sent with "next": true.
  const nextOf = new Map();
  const onOutbox = (box, ev) => {
    counters.pending.textContent = String(box.length);
    if (ev?.done) {
      done++; counters.done.textContent = String(done); refreshMe();
      if (ev.result && ev.result.next) nextOf.set(ev.done.assignment_id, ev.result.next);
    }
    if (ev?.failed) refused++;
  };
  listeners.add(onOutbox);

  async function claim() {
    return post(`/v1/projects/${encodeURIComponent(projectId)}/assignments`, {});
  }
  // Never show an assignment twice (a claim at the lease limit answers with
  // one already held).
  const shown = new Set();
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  async function delivered(aid) {
    const t0 = Date.now();
    while (alive && readOutbox().some((v) => v.assignment_id === aid)) {
      if (Date.now() - t0 > 800 && !itemBox.querySelector('#waiting')) {
        delete itemBox.dataset.task; clear(buttons);
        clear(itemBox).append(h('div', { class: 'empty', id: 'waiting' }, 'Sending your vote… it is saved in this browser and will go through when the connection is back.'));
      }
      await sleep(50);
    }
  }
  async function advance(prev) {
    let a = null;
    if (prev?.voted) {
      await delivered(prev.assignment_id);
      a = nextOf.get(prev.assignment_id) || null;
      nextOf.delete(prev.assignment_id);
      if (a && shown.has(a.assignment_id)) a = null;
    }
    if (prev?.skipping) await prev.skipping;
    if (!a) {
      for (let tries = 0; alive; tries++) {
        try { a = await claim(); } catch (e) { a = { error: e }; }
        if (a && !a.error && shown.has(a.assignment_id) && tries < 20) { await sleep(250); continue; }
        break;
      }
    }
    if (!alive) return;
    if (a && a.error) {
      const e = a.error;
      show(null, e instanceof NetworkError ? 'Cannot reach the server. Retrying…' : `Could not get a task: ${errorText(e)}`);
      if (e instanceof NetworkError) setTimeout(() => { if (alive && !cur) advance(); }, 2000);
      return;
    }
    show(a);
  }

  function show(a, message) {
    cur = a; selected = -1;
    clear(itemBox); clear(buttons);
    clearInterval(tick);
    if (!a) {
      taskTitle.textContent = ''; lease.textContent = '—'; lease.classList.remove('low');
      delete itemBox.dataset.task;
      itemBox.append(h('div', { class: 'empty', id: 'no-tasks' }, message || 'No more tasks for you in this project right now — thank you!',
        h('p', {}, h('button', { class: 'btn', type: 'button', onclick: () => advance() }, 'Check again'), ' ', h('a', { class: 'btn btn-ghost', href: '#/projects' }, 'Other projects')),
        h('p', { class: 'hint' }, 'Checking again every 20 seconds.')));
      clearTimeout(recheck);
      recheck = setTimeout(() => { if (alive && !cur) advance(); }, 20000);
      return;
    }
    shown.add(a.assignment_id);
    taskTitle.textContent = `task ${a.task.id}`;
    itemBox.dataset.task = a.task.id;
    itemBox.append(renderItem(a.task.data));
    const labels = a.labels || project.labels || [];
    const keys = shortcutKeys(labels.length);
    labels.forEach((l, i) => buttons.append(h('button', { class: 'btn label-btn', type: 'button', 'aria-pressed': 'false', 'data-label': l,
      'aria-keyshortcuts': keys[i] || undefined, onclick: () => { select(i); submit(); } }, keys[i] ? h('kbd', {}, keys[i]) : null, l)));
    const exp = Date.parse(a.expires_at);
    const upd = () => {
      const left = Math.max(0, Math.round((exp - Date.now()) / 1000));
      lease.textContent = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}`;
      lease.classList.toggle('low', left < 30);
      if (left === 0 && cur === a) { clearInterval(tick); toast(`The lease on task ${a.task.id} expired; here is the next one.`, 'error'); advance({ assignment_id: a.assignment_id }); }
    };
    upd(); tick = setInterval(upd, 1000);
    itemBox.classList.remove('flash-ok'); void itemBox.offsetWidth; itemBox.classList.add('flash-ok');
  }

  function select(i) {
    selected = i;
    [...buttons.children].forEach((b, j) => b.setAttribute('aria-pressed', String(i === j)));
  }

  async function submit() {
    if (!cur || selected < 0 || busy) return;
    busy = true;
    const a = cur, label = [...buttons.children][selected].dataset.label;
    try {
      const signature = await sign(key, voteMessage(a.assignment_id, a.task.id, label));
      queueVote({ assignment_id: a.assignment_id, task_id: a.task.id, label, signature, project: projectId, next: true });
      await advance({ assignment_id: a.assignment_id, voted: true });
    } finally { busy = false; }
  }

  async function skip() {
    if (!cur || busy) return;
    busy = true;
    const a = cur;
    const skipping = post(`/v1/assignments/${encodeURIComponent(a.assignment_id)}/skip`, {}).catch(() => { /* the lease runs out anyway */ });
    try { await advance({ assignment_id: a.assignment_id, skipping }); } finally { busy = false; }
  }

  function onKey(e) {
    if (!alive || !itemBox.isConnected) return;
    if (e.target.closest('input, textarea, select, [contenteditable]') || e.ctrlKey || e.metaKey || e.altKey) return;
    const k = e.key.toLowerCase();
    if (k === 'enter') { if (cur && selected >= 0) { e.preventDefault(); submit(); } return; }
    if (k === 's') { e.preventDefault(); skip(); return; }
    if (!cur) return;
    const i = shortcutKeys(buttons.children.length).indexOf(k);
    if (i >= 0) { e.preventDefault(); select(i); }
  }
  document.addEventListener('keydown', onKey);
  flush();
  await advance();
  itemBox.focus({ preventScroll: true });

  return () => {
    alive = false; clearInterval(tick); clearTimeout(refreshT); clearTimeout(recheck);
    document.removeEventListener('keydown', onKey); listeners.delete(onOutbox);
    // A next task we will not show: give it back.
    for (const a of nextOf.values()) post(`/v1/assignments/${a.assignment_id}/skip`, {}).catch(() => {});
  };
}

const IMG = /^(https?:\/\/\S+\.(png|jpe?g|gif|webp|svg|bmp|avif)(\?\S*)?|data:image\/[a-z+]+;base64,\S+)$/i;
export function renderItem(data) {
  if (typeof data === 'string') {
    if (IMG.test(data.trim())) return h('img', { src: data.trim(), alt: 'the item to label' });
    return h('div', { class: 'item-text' }, data);
  }
  if (data && typeof data === 'object' && !Array.isArray(data)) {
    const img = data.image || data.image_url || data.img || (typeof data.url === 'string' && IMG.test(data.url) ? data.url : null);
    const text = typeof data.text === 'string' ? data.text : null;
    const rest = Object.entries(data).filter(([k]) => !['image', 'image_url', 'img', 'text'].includes(k) && !(k === 'url' && img === data.url));
    return h('div', {},
      img ? h('img', { src: String(img), alt: data.alt ? String(data.alt) : 'the item to label' }) : null,
      text ? h('div', { class: 'item-text' }, text) : null,
      rest.length ? h('dl', { class: 'kv' }, rest.map(([k, v]) => [h('dt', {}, k), h('dd', {}, typeof v === 'object' ? JSON.stringify(v) : String(v))])) : null);
  }
  return h('pre', { class: 'mono' }, JSON.stringify(data, null, 2));
}
