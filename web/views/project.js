// web/views/project.js — one project for its owner: progress charts (polled),
// pause / resume / close, edit name and instructions, fund, upload tasks
// with progress, the final labels (gold tasks marked), downloads.  What an
// action did is said next to the control that did it.
import { h, errorText, toast, download, readFile, clear } from '../lib/dom.js';
import { get, post, request } from '../lib/api.js';
import { formatCredits, parseCredits } from '../lib/messages.js';
import { stackedBar, meter, histogram } from '../lib/chart.js';
import { progressParts } from './requester.js';

const BATCH = 500;		// tasks per upload request
const LABELS_SHOWN = 50;	// rows of the labels table

// Parse a task file: a JSON array, or NDJSON (one task per line).  Bare values
// become {data: value}.
export function parseTasks(text) {
  const t = text.trim();
  let items;
  if (t.startsWith('[')) items = JSON.parse(t);
  else items = t.split('\n').map((l, i) => { try { return l.trim() ? JSON.parse(l) : undefined; } catch { throw new Error(`line ${i + 1} is not JSON`); } }).filter((x) => x !== undefined);
  return items.map((x) => (x && typeof x === 'object' && !Array.isArray(x) && 'data' in x ? x : { data: x }));
}

const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

// What an upload of `total` tasks did, as [sentence, tone]: created,
// already there (same external_id: skipped), refused (the batch the
// server refused and every one after it, which was not sent).
export function uploadSummary(name, total, created, dup, refused) {
  if (refused) {
    const before = created + dup, rest = total - before;
    return [`${name}: refused — ${refused.why}. `
      + (before ? `The first ${plural(before, 'task')} went in (${created} created, ${dup} already there); the ${rest === 1 ? 'task' : `${rest} tasks`} from #${before + 1} on did not. `
        : `Nothing was created. `)
      + `Fix the file and upload it again${refused.idsEverywhere ? ': tasks already in the project are skipped' : ''}.`, 'error'];
  }
  if (created === 0 && dup > 0) {
    return [`${name}: No new tasks — ${dup === 1 ? 'the task was' : `all ${dup} were`} already in the project (same external_id), so nothing was added.`, 'warn'];
  }
  return [`${name}: ${plural(created, 'task')} created${dup ? `; ${dup} ${dup === 1 ? 'was' : 'were'} already in the project (same external_id) and skipped` : ''}.`, 'ok'];
}

export default async function projectView(main, id) {
  let p, me;
  const head = h('div', { class: 'page-head' }, h('p', {}, h('a', { href: '#/requester' }, '← Your projects')));
  const charts = h('section', { class: 'panel', id: 'progress', 'aria-live': 'polite' });
  main.append(head, charts);
  try { [p, me] = await Promise.all([get(`/v1/projects/${encodeURIComponent(id)}`), get('/v1/me')]); } catch (e) { charts.replaceChildren(h('p', { class: 'callout callout-fail' }, `Could not load project ${id}: ${errorText(e)}`)); return; }
  if (p.owner !== me.id) {
    head.append(h('h1', {}, p.name));
    charts.replaceChildren(h('p', { class: 'callout' }, 'This project belongs to another account: only its owner manages it here. ',
      (me.roles || []).includes('labeler') ? h('a', { href: '#/projects' }, 'Label it from the projects list →') : null));
    return;
  }
  const actionErr = h('p', { class: 'callout callout-fail', id: 'action-error', role: 'alert', hidden: true });
  const title = h('h1', {});
  const lead = h('p', { class: 'lead' });
  const actions = h('div', { class: 'owner-actions', id: 'project-actions' });
  const editBox = h('div', {});
  head.append(h('div', { class: 'head-row' }, title, actions), lead, editBox, actionErr);

  let headKey = '';
  function drawHead() {
    // Redrawn only when it changed: the poll must not swap a button under a click.
    const key = JSON.stringify([p.name, p.status, p.labels, p.reward_per_task, p.min_votes, p.max_votes, p.confidence, p.min_stake]);
    if (key === headKey) return;
    headKey = key;
    title.textContent = p.name;
    lead.textContent = `Labels: ${(p.labels || []).join(' · ')} — ${formatCredits(p.reward_per_task)} per task, ${p.min_votes}–${p.max_votes} votes, confidence ${p.confidence}${p.min_stake ? `, min stake ${formatCredits(p.min_stake)}` : ''}`;
    document.title = `${p.name} · labelchain`;
    const btn = (bid, text, onclick, cls = 'btn btn-small') => h('button', { class: cls, type: 'button', id: bid, onclick }, text);
    actions.replaceChildren(...[
      p.status === 'open' ? btn('project-pause', 'Pause', () => act('pause')) : null,
      p.status === 'paused' ? btn('project-resume', 'Resume', () => act('resume')) : null,
      btn('project-edit', 'Edit', () => editForm()),
      p.status !== 'closed' ? btn('project-close', 'Close…', () => confirmClose(), 'btn btn-small btn-danger') : null].filter(Boolean));
  }
  async function act(what) {
    actionErr.hidden = true;
    for (const b of actions.querySelectorAll('button')) b.disabled = true;
    try { p = await post(`/v1/projects/${encodeURIComponent(id)}/${what}`, {}); }
    catch (e) { actionErr.hidden = false; actionErr.textContent = `Could not ${what} the project: ${errorText(e)}`; }
    drawHead(); drawProgress(); drawForms();
  }

  // edit: the name and the instructions; nothing that changes what a vote means
  function editForm() {
    const err = h('p', { class: 'callout callout-fail', role: 'alert', hidden: true });
    const name = h('input', { id: 'edit-name', type: 'text', value: p.name, maxlength: '200', required: true, autocomplete: 'off' });
    const ins = h('textarea', { id: 'edit-instructions', rows: 4 });
    ins.value = p.instructions || '';
    const form = h('form', { class: 'panel stack', id: 'edit-form', 'aria-labelledby': 'edit-h', onsubmit: async (e) => {
      e.preventDefault(); err.hidden = true;
      const body = {};
      if (name.value.trim() !== p.name) body.name = name.value.trim();
      if (ins.value !== (p.instructions || '')) body.instructions = ins.value;
      if (!Object.keys(body).length) { editBox.replaceChildren(); return; }
      if (body.name === '') { err.hidden = false; err.textContent = 'the project needs a name'; return; }
      try {
        p = await request('PATCH', `/v1/projects/${encodeURIComponent(id)}`, { body });
        editBox.replaceChildren(); drawHead();
      } catch (ex) { err.hidden = false; err.textContent = errorText(ex); }
    } },
    h('h2', { id: 'edit-h' }, 'Edit project'),
    h('p', { class: 'hint' }, 'Only the name and the instructions can change: labels, reward, votes, confidence and stakes fix what the votes already cast mean.'),
    h('div', { class: 'field' }, h('label', { for: 'edit-name' }, 'Name'), name),
    h('div', { class: 'field' }, h('label', { for: 'edit-instructions' }, 'Instructions'), ins),
    h('div', { class: 'actions' }, h('button', { class: 'btn btn-primary', type: 'submit', id: 'edit-save' }, 'Save'),
      h('button', { class: 'btn', type: 'button', id: 'edit-cancel', onclick: () => editBox.replaceChildren() }, 'Cancel')), err);
    editBox.replaceChildren(form);
    name.focus();
  }

  // close: say exactly what happens to the tasks, the bonds and the money first
  function confirmClose() {
    const pr = p.progress || {};
    const open = pr.open || 0;
    const dlg = h('dialog', { class: 'confirm', id: 'close-dialog', 'aria-labelledby': 'close-h' },
      h('h2', { id: 'close-h' }, `Close “${p.name}”?`),
      h('p', {}, h('strong', {}, 'Closing cannot be undone.')),
      h('ul', {},
        open ? [h('li', {}, `The ${plural(open, 'open task')} ${open === 1 ? 'is' : 'are'} cancelled: labelers can no longer claim or finish ${open === 1 ? 'it' : 'them'}, and votes already cast on ${open === 1 ? 'it' : 'them'} are not paid.`),
          h('li', {}, `The bonds that votes on ${open === 1 ? 'it' : 'them'} hold are released back to their labelers' stake; nobody is slashed for them.`)]
          : h('li', {}, 'There are no open tasks to cancel.'),
        h('li', {}, (p.escrow || 0) > 0
          ? `${formatCredits(p.escrow)} credits — the escrow (${formatCredits(p.escrow_available ?? p.escrow)})${(p.escrow_reserved || 0) > 0 ? ` and the reward pots of the open tasks (${formatCredits(p.escrow_reserved)})` : ''} — go back to your balance.`
          : 'The escrow is empty: nothing goes back to your balance.'),
        h('li', {}, `The ${plural(pr.final || 0, 'final label')} stay${(pr.final || 0) === 1 ? 's' : ''}: you can still download them with their proofs.`)),
      h('div', { class: 'actions' },
        h('button', { class: 'btn btn-danger', type: 'button', id: 'close-confirm', onclick: async () => { dlg.close(); dlg.remove(); await act('close'); } }, 'Close the project'),
        h('button', { class: 'btn btn-primary', type: 'button', id: 'close-keep', autofocus: true, onclick: () => { dlg.close(); dlg.remove(); } }, 'Keep it open')));
    dlg.addEventListener('cancel', () => dlg.remove());
    main.append(dlg);
    dlg.showModal();
  }

  function drawProgress() {
    const pr = p.progress || {};
    const spend = pr.spend ?? 0;
    const perItem = pr.tasks ? (pr.votes / pr.tasks).toFixed(2) : '0';
    const unfunded = p.reward_per_task > 0 ? Math.max(0, (pr.open || 0) - Math.round((p.escrow_reserved || 0) / p.reward_per_task)) : 0;
    clear(charts).append(...[
      h('div', { class: 'task-head' }, h('h2', {}, 'Progress'), h('span', { class: 'pill', id: 'project-status' }, p.status)),
      p.status === 'paused' ? h('p', { class: 'callout' }, 'Paused: labelers cannot claim tasks; votes on tasks they already hold still count. Resume to go on.') : null,
      p.status === 'closed' ? h('p', { class: 'callout callout-info' }, `Closed: ${plural(pr.cancelled || 0, 'open task')} ${(pr.cancelled || 0) === 1 ? 'was' : 'were'} cancelled and the unspent escrow went back to your balance. The final labels stay available.`) : null,
      unfunded > 0 && p.status !== 'closed' ? h('p', { class: 'callout', id: 'unfunded' }, `${plural(unfunded, 'open task')} wait${unfunded === 1 ? 's' : ''} for funds: labelers are offered only tasks whose reward is set aside. Fund ${formatCredits(unfunded * p.reward_per_task)} more to release ${unfunded === 1 ? 'it' : 'them all'}.`) : null,
      h('div', { class: 'grid-3' },
        h('div', { class: 'stat' }, h('span', { class: 'v', id: 'stat-tasks' }, String(pr.tasks ?? 0)), h('span', { class: 'k' }, pr.gold ? `tasks · ${pr.gold} gold` : 'tasks')),
        h('div', { class: 'stat' }, h('span', { class: 'v' }, String(pr.votes ?? 0)), h('span', { class: 'k' }, `votes · ${perItem} per item`)),
        h('div', { class: 'stat' }, h('span', { class: 'v' }, formatCredits(p.escrow)), h('span', { class: 'k' }, 'left in escrow'))),
      h('div', { class: 'stack' },
        h('div', { id: 'final-meter' }, meter(pr.final || 0, pr.tasks || 0, `final ${pr.final || 0} of ${pr.tasks || 0}`)),
        stackedBar(progressParts(p), { title: 'Tasks' }),
        stackedBar([{ label: 'spent', value: spend, cls: 'c-spend' }, { label: 'escrow left', value: p.escrow || 0, cls: 'c-escrow' }], { title: 'Spend vs escrow (credits)', fmt: formatCredits }),
        votesHist || h('p', { class: 'hint' }, 'Votes per item appear here as tasks finalize.'))].filter(Boolean));
    charts.dataset.final = String(pr.final || 0); charts.dataset.tasks = String(pr.tasks || 0);
  }

  // The final labels, from the export (small projects only: it is the whole
  // export): votes per item, and the first rows with gold tasks marked.
  const labels = h('section', { class: 'panel', id: 'labels', 'aria-labelledby': 'labels-h', hidden: true });
  let votesHist = null, lastFinal = -1;
  async function loadLabels() {
    const pr = p.progress || {};
    if (!pr.final || pr.final === lastFinal || pr.final > 5000) return;
    lastFinal = pr.final;
    try {
      const text = await request('GET', `/v1/projects/${encodeURIComponent(id)}/labels`);
      const rows = typeof text === 'string' ? text.split('\n').filter(Boolean).map((l) => JSON.parse(l)) : (Array.isArray(text) ? text : []);
      const counts = new Map();
      for (const r of rows) { const v = Number(r.votes) || 0; counts.set(v, (counts.get(v) || 0) + 1); }
      votesHist = histogram(counts, { title: 'Votes per final item', xlabel: 'votes' });
      drawProgress();
      drawLabels(rows);
    } catch { lastFinal = -1; }
  }
  function drawLabels(rows) {
    const shown = rows.slice(0, LABELS_SHOWN);
    labels.hidden = false;
    labels.replaceChildren(h('h2', { id: 'labels-h' }, 'Final labels'),
      h('p', { class: 'hint' }, `${rows.length > shown.length ? `The first ${shown.length} of ${rows.length}; download them all below. ` : ''}A gold task's label is your own answer: its confidence column shows how much the crowd gave that answer.`),
      h('div', { class: 'table-wrap' }, h('table', { id: 'labels-table' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Task'), h('th', { scope: 'col', class: 'hide-sm' }, 'External id'), h('th', { scope: 'col' }, 'Label'),
          h('th', { scope: 'col', class: 'num' }, 'Confidence'), h('th', { scope: 'col', class: 'num hide-sm' }, 'Votes'))),
        h('tbody', {}, shown.map((r) => h('tr', { 'data-task': r.task_id, 'data-external': r.external_id ?? '' },
          h('td', {}, String(r.task_id)), h('td', { class: 'hide-sm mono' }, r.external_id ?? '—'),
          h('td', {}, r.label, ' ', r.gold ? h('span', { class: 'pill pill-gold', title: 'a gold task: the label is your gold answer' }, 'gold')
            : r.low_confidence ? h('span', { class: 'pill pill-low', title: 'max votes reached below the confidence target' }, 'low confidence') : null),
          h('td', { class: 'num', title: r.gold ? 'the crowd\'s posterior for your gold answer' : '' }, r.gold ? `crowd ${(r.confidence * 100).toFixed(1)}%` : `${(r.confidence * 100).toFixed(1)}%`),
          h('td', { class: 'num hide-sm' }, String(r.votes))))))));
  }

  // fund
  const fundErr = h('p', { class: 'callout callout-fail', id: 'fund-error', role: 'alert', hidden: true });
  const fundStatus = h('p', { class: 'status', id: 'fund-status', role: 'status' });
  const fundIn = h('input', { id: 'fund-amount', type: 'text', inputmode: 'decimal', placeholder: '100', autocomplete: 'off' });
  const fundBtn = h('button', { class: 'btn btn-primary', type: 'submit', id: 'fund-btn' }, 'Fund');
  const fund = h('form', { class: 'panel stack', 'aria-labelledby': 'fund-h', onsubmit: async (e) => {
    e.preventDefault(); fundErr.hidden = true; fundStatus.textContent = ''; delete fundStatus.dataset.tone;
    let amount;
    try { amount = parseCredits(fundIn.value); if (amount <= 0) throw new Error('enter an amount above zero'); }
    catch (ex) { fundErr.hidden = false; fundErr.textContent = ex.message; fundIn.focus(); return; }
    try {
      p = await post(`/v1/projects/${encodeURIComponent(id)}/fund`, { amount });
      fundStatus.textContent = `Added ${formatCredits(amount)} to the escrow.`; fundStatus.dataset.tone = 'ok';
      fundIn.value = '';
      drawProgress();
    } catch (ex) { fundErr.hidden = false; fundErr.textContent = errorText(ex); }
  } }, h('h2', { id: 'fund-h' }, 'Fund'), h('p', { class: 'hint' }, 'Moves credits from your balance into this project\'s escrow; each task\'s reward is set aside from it, and paid as the task finalizes.'),
  h('div', { class: 'row' }, h('div', { class: 'field' }, h('label', { for: 'fund-amount' }, 'Amount (credits)'), fundIn), fundBtn), fundErr, fundStatus);

  // upload
  const file = h('input', { id: 'task-file', type: 'file', accept: '.json,.ndjson,.jsonl,application/json,application/x-ndjson' });
  const upProgress = h('progress', { id: 'upload-progress', value: '0', max: '1', hidden: true, 'aria-label': 'upload progress' });
  const upStatus = h('p', { id: 'upload-status', class: 'status', role: 'status' });
  const say = (text, tone) => { upStatus.textContent = text; upStatus.dataset.tone = tone; };
  file.addEventListener('change', async () => {
    const f = file.files[0]; if (!f) return;
    let tasks;
    try { tasks = parseTasks(await readFile(f)); } catch (e) { say(`${f.name}: not a task file — ${e.message}. Nothing was sent.`, 'error'); file.value = ''; return; }
    if (!tasks.length) { say(`${f.name}: no tasks in the file. Nothing was sent.`, 'warn'); file.value = ''; return; }
    const idsEverywhere = tasks.every((t) => typeof t.external_id === 'string' && t.external_id !== '');
    let created = 0, dup = 0, outcome;
    upProgress.hidden = false; upProgress.max = tasks.length; upProgress.value = 0;
    file.disabled = true;
    try {
      for (let i = 0; i < tasks.length; i += BATCH) {
        const chunk = tasks.slice(i, i + BATCH);
        let r;
        try {
          r = await request('POST', `/v1/projects/${encodeURIComponent(id)}/tasks`,
            { raw: chunk.map((t) => JSON.stringify(t)).join('\n') + '\n', contentType: 'application/x-ndjson' });
        } catch (e) {
          if (!e.status) throw e;	// the network: below
          outcome = uploadSummary(f.name, tasks.length, created, dup, { why: e.detail || e.title || `HTTP ${e.status}`, idsEverywhere });
          break;
        }
        created += r?.created || 0; dup += r?.duplicates || 0;
        upProgress.value = Math.min(tasks.length, i + BATCH);
        say(`Uploading ${f.name}: ${upProgress.value} of ${tasks.length}…`, 'busy');
      }
      outcome ??= uploadSummary(f.name, tasks.length, created, dup, null);
    } catch (e) {
      outcome = [`${f.name}: the upload stopped after ${upProgress.value} of ${tasks.length} tasks: ${errorText(e)}. `
        + (idsEverywhere ? 'Upload the file again: tasks already in the project are skipped.' : 'Some tasks have no external_id: uploading again would create those twice. Give every task an external_id, or upload only the rest.'), 'error'];
    } finally { file.disabled = p.status === 'closed'; file.value = ''; }
    say(...outcome);
    toast(outcome[1] === 'ok' ? `${plural(created, 'task')} created.` : outcome[1] === 'warn' ? 'No new tasks: all were already in the project.' : 'Upload refused: see the upload panel.', outcome[1]);
    await refresh();
  });
  const upload = h('section', { class: 'panel stack', 'aria-labelledby': 'up-h' }, h('h2', { id: 'up-h' }, 'Upload tasks'),
    h('p', { class: 'hint' }, 'A JSON array or NDJSON (one per line) of ', h('code', {}, '{"data": …, "external_id": "…", "gold": "label"}'), ' — or bare values. Text, image URLs and JSON records all work. Sent in batches of 500; a task whose external_id is already in the project is skipped.'),
    h('div', { class: 'field' }, h('label', { for: 'task-file' }, 'Task file'), file), upProgress, upStatus);

  // download
  const dlStatus = h('p', { class: 'status', id: 'dl-status', role: 'status' });
  async function dl(fmt) {
    dlStatus.textContent = ''; delete dlStatus.dataset.tone;
    try {
      const text = await request('GET', `/v1/projects/${encodeURIComponent(id)}/labels${fmt === 'csv' ? '?format=csv' : ''}`);
      const body = typeof text === 'string' ? text : (Array.isArray(text) ? text.map((x) => JSON.stringify(x)).join('\n') + '\n' : JSON.stringify(text));
      download(`labels-project-${id}.${fmt === 'csv' ? 'csv' : 'jsonl'}`, body, fmt === 'csv' ? 'text/csv' : 'application/x-ndjson');
    } catch (e) { dlStatus.textContent = `Download failed: ${errorText(e)}`; dlStatus.dataset.tone = 'error'; }
  }
  const downloads = h('section', { class: 'panel stack', 'aria-labelledby': 'dl-h' }, h('h2', { id: 'dl-h' }, 'Download labels'),
    h('p', { class: 'hint' }, 'Final labels with confidence, vote count and anchor state; gold tasks are marked (', h('code', {}, 'gold'), '). Each has a Merkle proof at /v1/tasks/{id}/proof.'),
    h('div', { class: 'actions' }, h('button', { class: 'btn', type: 'button', id: 'dl-jsonl', onclick: () => dl('jsonl') }, 'JSON lines'), h('button', { class: 'btn', type: 'button', id: 'dl-csv', onclick: () => dl('csv') }, 'CSV')), dlStatus);

  function drawForms() {
    const closed = p.status === 'closed';
    fundIn.disabled = closed; fundBtn.disabled = closed; file.disabled = closed;
  }

  main.append(h('div', { class: 'grid-3' }, upload, fund, downloads), labels);
  drawHead(); drawProgress(); drawForms();
  loadLabels();

  async function refresh() {
    try { p = await get(`/v1/projects/${encodeURIComponent(id)}`); drawHead(); drawProgress(); drawForms(); loadLabels(); } catch { /* next tick */ }
  }
  const poll = setInterval(refresh, 2000);
  return () => clearInterval(poll);
}
