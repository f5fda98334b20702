// web/views/requester.js — the requester's projects with progress, and "new
// project"; a labeler gets how to become a requester instead.
import { h, errorText } from '../lib/dom.js';
import { get, post, session } from '../lib/api.js';
import { formatCredits, parseCredits } from '../lib/messages.js';
import { stackedBar, meter } from '../lib/chart.js';

const PAGE = 50;

// The task bar: crowd finals (confident, low-confidence), gold tasks (their
// label is the requester's answer), open, cancelled by a close.  Gold counts
// are the owner's only.
export function progressParts(p) {
  const pr = p.progress || {};
  const lowc = pr.low_confidence || 0, gold = pr.gold_final || 0;
  const parts = [
    { label: 'final, confident', value: Math.max(0, (pr.final || 0) - lowc - gold), cls: 'c-final' },
    { label: 'low-confidence', value: lowc, cls: 'c-low' },
  ];
  if (pr.gold) parts.push({ label: 'gold', value: gold, cls: 'c-gold' });
  parts.push({ label: 'open', value: pr.open || 0, cls: 'c-open' });
  if (pr.cancelled) parts.push({ label: 'cancelled', value: pr.cancelled, cls: 'c-cancelled' });
  return parts;
}

function becomeRequester(me) {
  return h('section', { class: 'panel stack', id: 'become-requester', 'aria-labelledby': 'br-h' },
    h('h2', { id: 'br-h' }, 'Requesting labels needs a requester account'),
    h('p', {}, `You are signed in as a labeler${me.public_key ? ` (key ${me.public_key.slice(0, 8)}…)` : ''}. Requester accounts are separate: they own projects, fund their escrow and download the labels.`),
    h('p', {}, 'An operator of this labelchain creates one with'),
    h('pre', { class: 'mono' }, 'labelctl account create --role requester --name NAME'),
    h('p', {}, 'and gives you the API token it prints. Sign in with that token on the key page (sign out of this key first, or use another browser profile).'),
    h('div', { class: 'actions' }, h('a', { class: 'btn btn-primary', href: '#/key' }, 'Sign in with an API token'), h('a', { class: 'btn', href: '#/projects' }, 'Back to labeling')));
}

export default async function requesterView(main) {
  const head = h('div', { class: 'page-head' }, h('h1', {}, 'Request labels'));
  main.append(head);
  if (!session.token) {
    head.append(h('p', { class: 'lead' }, 'Create a project, fund its escrow, upload tasks and download the final labels — each with its Merkle proof.'));
    main.append(h('section', { class: 'panel' }, h('p', {}, 'Sign in with the API token an operator gave you.'), h('a', { class: 'btn btn-primary', href: '#/key' }, 'Sign in')));
    return;
  }
  let me;
  try { me = await get('/v1/me'); } catch (e) { main.append(h('p', { class: 'callout callout-fail' }, `Could not load your account: ${errorText(e)}`)); return; }
  if (!(me.roles || []).includes('requester')) { main.append(becomeRequester(me)); return; }
  head.replaceChildren(h('h1', {}, 'Your projects'),
    h('p', { class: 'lead' }, 'Create a project, fund its escrow, upload tasks and download the final labels — each with its Merkle proof.'));
  const list = h('div', { class: 'cards', id: 'req-projects' }, h('p', {}, 'Loading…'));
  const more = h('div', { class: 'more' });
  main.append(h('div', { class: 'grid-2' }, h('section', {}, h('h2', {}, 'Projects'), list, more), createForm()));
  const card = (p) => h('a', { class: 'card', href: `#/requester/${p.id}`, 'data-project': p.id },
    h('h3', {}, p.name), h('div', { class: 'meta' }, h('span', { class: 'pill' }, p.status), h('span', {}, `${p.progress?.tasks ?? 0} tasks`), h('span', {}, `escrow ${formatCredits(p.escrow)}`)),
    meter((p.progress?.final || 0), p.progress?.tasks || 0, 'final'),
    stackedBar(progressParts(p)));
  const paging = (page) => {
    more.replaceChildren();
    if (page.length < PAGE) return;
    more.append(h('button', { class: 'btn', type: 'button', id: 'req-more', onclick: async (e) => {
      e.target.disabled = true;
      try { const next = await get(`/v1/projects?scope=own&limit=${PAGE}&before=${page[page.length - 1].id}`); list.append(...next.map(card)); paging(next); }
      catch (ex) { e.target.disabled = false; more.append(h('span', { class: 'hint' }, ` ${errorText(ex)}`)); }
    } }, 'More projects'));
  };
  try {
    const ps = await get(`/v1/projects?scope=own&limit=${PAGE}`);
    if (!ps.length) list.replaceChildren(h('p', { class: 'empty panel' }, 'No projects yet — create the first one.'));
    else { list.replaceChildren(...ps.map(card)); paging(ps); }
  } catch (e) { list.replaceChildren(h('p', { class: 'callout callout-fail' }, `Could not load projects: ${errorText(e)}`)); }
}

function createForm() {
  const err = h('p', { class: 'callout callout-fail', id: 'np-error', role: 'alert', hidden: true });
  const f = (id, label, attrs = {}, hint) => h('div', { class: 'field' }, h('label', { for: id }, label, hint ? h('span', { class: 'hint' }, ` ${hint}`) : null),
    attrs.rows ? h('textarea', { id, name: id, ...attrs }) : h('input', { id, name: id, type: 'text', ...attrs }));
  const form = h('form', { class: 'panel stack', id: 'new-project', 'aria-labelledby': 'np-h', onsubmit: async (e) => {
    e.preventDefault(); err.hidden = true;
    const v = (n) => form.elements[n].value.trim();
    const credits = (n, what) => { try { return parseCredits(v(n)); } catch (ex) { throw new Error(`${what}: ${ex.message}`); } };
    let body;
    try {
      const labels = v('np-labels').split(/[,\n]/).map((s) => s.trim()).filter(Boolean);
      if (!v('np-name')) throw new Error('the project needs a name');
      if (labels.length < 2) throw new Error('give at least two labels, separated by commas');
      body = { name: v('np-name'), instructions: v('np-instructions'), labels,
        reward_per_task: credits('np-reward', 'Reward per task'), min_votes: Number(v('np-min')), max_votes: Number(v('np-max')),
        confidence: Number(v('np-conf').replace(',', '.')), min_stake: v('np-stake') === '' ? 0 : credits('np-stake', 'Min stake'),
        gold_rate: Number((v('np-gold') || '0').replace(',', '.')) };
    } catch (ex) { err.hidden = false; err.textContent = ex.message; return; }
    try {
      const p = await post('/v1/projects', body);
      location.hash = `#/requester/${p.id}`;
    } catch (ex) { err.hidden = false; err.textContent = errorText(ex); }
  } },
  h('h2', { id: 'np-h' }, 'New project'),
  f('np-name', 'Name', { required: true, placeholder: 'Sentiment of product reviews', autocomplete: 'off' }),
  f('np-instructions', 'Instructions', { rows: 3, placeholder: 'What labelers should look for. Shown next to every task.' }),
  f('np-labels', 'Labels', { required: true, placeholder: 'positive, negative, neutral' }, '(comma-separated; the order sets the shortcut keys 1, 2, 3…)'),
  h('div', { class: 'form-grid' },
    f('np-reward', 'Reward per task', { value: '1', inputmode: 'decimal' }, '(credits)'),
    f('np-min', 'Min votes', { value: '3', inputmode: 'numeric' }),
    f('np-max', 'Max votes', { value: '7', inputmode: 'numeric' }),
    f('np-conf', 'Confidence target', { value: '0.95', inputmode: 'decimal' }),
    f('np-stake', 'Min stake', { value: '0', inputmode: 'decimal' }, '(credits)'),
    f('np-gold', 'Gold rate', { value: '0', inputmode: 'decimal' }, '(0–0.5)')),
  h('div', { class: 'actions' }, h('button', { class: 'btn btn-primary', type: 'submit', id: 'np-create' }, 'Create project')), err);
  return form;
}
