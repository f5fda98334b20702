// web/views/requester.js — the requester's projects with progress, and "new project".
import { h, errorText, toast } from '../lib/dom.js';
import { get, post, session } from '../lib/api.js';
import { formatCredits, parseCredits } from '../lib/messages.js';
import { stackedBar, meter } from '../lib/chart.js';

export function progressParts(p) {
  const pr = p.progress || {};
  const lowc = pr.low_confidence || 0;
  return [
    { label: 'final, confident', value: Math.max(0, (pr.final || 0) - lowc), cls: 'c-final' },
    { label: 'low-confidence', value: lowc, cls: 'c-low' },
    { label: 'open', value: pr.open || 0, cls: 'c-open' },
  ];
}

export default async function requesterView(main) {
  main.append(h('div', { class: 'page-head' }, h('h1', {}, 'Your projects'),
    h('p', { class: 'lead' }, 'Create a project, fund its escrow, upload tasks and download the final labels — each with its Merkle proof.')));
  if (!session.token) {
    main.append(h('section', { class: 'panel' }, h('p', {}, 'Sign in with the API token an operator gave you (or with a key).'), h('a', { class: 'btn btn-primary', href: '#/key' }, 'Sign in')));
    return;
  }
  const list = h('div', { class: 'cards', id: 'req-projects' }, h('p', {}, 'Loading…'));
  main.append(h('div', { class: 'grid-2' }, h('section', {}, h('h2', {}, 'Projects'), list), createForm()));
  try {
    let ps = await get('/v1/projects');
    ps = Array.isArray(ps) ? ps : (ps?.projects || []);
    if (!ps.length) list.replaceChildren(h('p', { class: 'empty panel' }, 'No projects yet — create the first one.'));
    else list.replaceChildren(...ps.map((p) => h('a', { class: 'card', href: `#/requester/${p.id}`, 'data-project': p.id },
      h('h3', {}, p.name), h('div', { class: 'meta' }, h('span', { class: 'pill' }, p.status), h('span', {}, `${p.progress?.tasks ?? 0} tasks`), h('span', {}, `escrow ${formatCredits(p.escrow)}`)),
      meter((p.progress?.final || 0), p.progress?.tasks || 0, 'final'),
      stackedBar(progressParts(p)))));
  } catch (e) { list.replaceChildren(h('p', { class: 'callout callout-fail' }, `Could not load projects: ${errorText(e)}`)); }
}

function createForm() {
  const err = h('p', { class: 'callout callout-fail', role: 'alert', hidden: true });
  const f = (id, label, attrs = {}, hint) => h('div', { class: 'field' }, h('label', { for: id }, label, hint ? h('span', { class: 'hint' }, ` ${hint}`) : null),
    attrs.rows ? h('textarea', { id, name: id, ...attrs }) : h('input', { id, name: id, type: 'text', ...attrs }));
  const form = h('form', { class: 'panel stack', id: 'new-project', 'aria-labelledby': 'np-h', onsubmit: async (e) => {
    e.preventDefault(); err.hidden = true;
    const v = (n) => form.elements[n].value.trim();
    let body;
    try {
      const labels = v('np-labels').split(/[,\n]/).map((s) => s.trim()).filter(Boolean);
      if (labels.length < 2) throw new Error('give at least two labels, separated by commas');
      body = { name: v('np-name'), instructions: v('np-instructions'), labels,
        reward_per_task: parseCredits(v('np-reward')), min_votes: Number(v('np-min')), max_votes: Number(v('np-max')),
        confidence: Number(v('np-conf')), min_stake: parseCredits(v('np-stake') || '0'), gold_rate: Number(v('np-gold') || 0) };
      if (!body.name) throw new Error('the project needs a name');
    } catch (ex) { err.hidden = false; err.textContent = ex.message; return; }
    try {
      const p = await post('/v1/projects', body);
      toast(`Project “${p.name}” created.`, 'ok');
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
