// web/views/project.js — one project for its owner: progress charts (polled),
// fund, upload tasks with progress, download labels.
import { h, errorText, toast, download, readFile, clear } from '../lib/dom.js';
import { get, post, request } from '../lib/api.js';
import { formatCredits, parseCredits } from '../lib/messages.js';
import { stackedBar, meter, histogram } from '../lib/chart.js';
import { progressParts } from './requester.js';

// Parse a task file: a JSON array, or NDJSON (one task per line).  Bare values
// become {data: value}.
export function parseTasks(text) {
  const t = text.trim();
  let items;
  if (t.startsWith('[')) items = JSON.parse(t);
  else items = t.split('\n').map((l, i) => { try { return l.trim() ? JSON.parse(l) : undefined; } catch { throw new Error(`line ${i + 1} is not JSON`); } }).filter((x) => x !== undefined);
  return items.map((x) => (x && typeof x === 'object' && !Array.isArray(x) && 'data' in x ? x : { data: x }));
}

export default async function projectView(main, id) {
  let p;
  const head = h('div', { class: 'page-head' }, h('p', {}, h('a', { href: '#/requester' }, '← Your projects')));
  const charts = h('section', { class: 'panel', id: 'progress', 'aria-live': 'polite' });
  main.append(head, charts);
  try { p = await get(`/v1/projects/${encodeURIComponent(id)}`); } catch (e) { charts.replaceChildren(h('p', { class: 'callout callout-fail' }, `Could not load project ${id}: ${errorText(e)}`)); return; }
  head.append(h('h1', {}, p.name), h('p', { class: 'lead' }, `Labels: ${(p.labels || []).join(' · ')} — ${formatCredits(p.reward_per_task)} per task, ${p.min_votes}–${p.max_votes} votes, confidence ${p.confidence}`));

  function drawProgress() {
    const pr = p.progress || {};
    const spend = pr.spend ?? 0;
    const perItem = pr.final ? (pr.votes / Math.max(1, pr.tasks)).toFixed(2) : (pr.tasks ? (pr.votes / pr.tasks).toFixed(2) : '0');
    clear(charts).append(
      h('div', { class: 'task-head' }, h('h2', {}, 'Progress'), h('span', { class: 'pill', id: 'project-status' }, p.status)),
      h('div', { class: 'grid-3' },
        h('div', { class: 'stat' }, h('span', { class: 'v', id: 'stat-tasks' }, String(pr.tasks ?? 0)), h('span', { class: 'k' }, 'tasks')),
        h('div', { class: 'stat' }, h('span', { class: 'v' }, String(pr.votes ?? 0)), h('span', { class: 'k' }, `votes · ${perItem} per item`)),
        h('div', { class: 'stat' }, h('span', { class: 'v' }, formatCredits(p.escrow)), h('span', { class: 'k' }, 'left in escrow'))),
      h('div', { class: 'stack' },
        h('div', { id: 'final-meter' }, meter(pr.final || 0, pr.tasks || 0, `final ${pr.final || 0} of ${pr.tasks || 0}`)),
        stackedBar(progressParts(p), { title: 'Tasks' }),
        stackedBar([{ label: 'spent', value: spend, cls: 'c-spend' }, { label: 'escrow left', value: p.escrow || 0, cls: 'c-escrow' }], { title: 'Spend vs escrow (credits)', fmt: formatCredits }),
        votesHist || h('p', { class: 'hint' }, 'Votes per item appear here as tasks finalize.')));
    charts.dataset.final = String(pr.final || 0); charts.dataset.tasks = String(pr.tasks || 0);
  }
  // votes per final item, from the label export (small projects only: it is the whole export)
  let votesHist = null, lastFinal = -1;
  async function loadVotes() {
    const pr = p.progress || {};
    if (!pr.final || pr.final === lastFinal || pr.final > 5000) return;
    lastFinal = pr.final;
    try {
      const text = await request('GET', `/v1/projects/${encodeURIComponent(id)}/labels`);
      const rows = typeof text === 'string' ? text.split('\n').filter(Boolean).map((l) => JSON.parse(l)) : (Array.isArray(text) ? text : []);
      const counts = new Map();
      for (const r of rows) { const v = Array.isArray(r.votes) ? r.votes.length : (Number(r.votes) || 0); counts.set(v, (counts.get(v) || 0) + 1); }
      votesHist = histogram(counts, { title: 'Votes per final item', xlabel: 'votes' });
      drawProgress();
    } catch { lastFinal = -1; }
  }
  drawProgress();
  loadVotes();

  // fund
  const fundErr = h('p', { class: 'callout callout-fail', role: 'alert', hidden: true });
  const fundIn = h('input', { id: 'fund-amount', type: 'text', inputmode: 'decimal', placeholder: '100' });
  const fund = h('form', { class: 'panel stack', 'aria-labelledby': 'fund-h', onsubmit: async (e) => {
    e.preventDefault(); fundErr.hidden = true;
    try {
      const amount = parseCredits(fundIn.value);
      const r = await post(`/v1/projects/${encodeURIComponent(id)}/fund`, { amount });
      toast(`Added ${formatCredits(amount)} to the escrow.`, 'ok');
      fundIn.value = '';
      if (r && r.escrow !== undefined) p.escrow = r.escrow;
      await refresh();
    } catch (ex) { fundErr.hidden = false; fundErr.textContent = errorText(ex); }
  } }, h('h2', { id: 'fund-h' }, 'Fund'), h('p', { class: 'hint' }, 'Moves credits from your balance into this project\'s escrow; rewards are paid from it as tasks finalize.'),
  h('div', { class: 'row' }, h('div', { class: 'field' }, h('label', { for: 'fund-amount' }, 'Amount (credits)'), fundIn), h('button', { class: 'btn btn-primary', type: 'submit', id: 'fund-btn' }, 'Fund')), fundErr);

  // upload
  const file = h('input', { id: 'task-file', type: 'file', accept: '.json,.ndjson,.jsonl,application/json,application/x-ndjson' });
  const upProgress = h('progress', { id: 'upload-progress', value: '0', max: '1', hidden: true, 'aria-label': 'upload progress' });
  const upStatus = h('p', { id: 'upload-status', role: 'status' });
  file.addEventListener('change', async () => {
    const f = file.files[0]; if (!f) return;
    let tasks;
    try { tasks = parseTasks(await readFile(f)); } catch (e) { upStatus.textContent = `${f.name}: ${e.message}`; return; }
    const BATCH = 500;
    let created = 0, dup = 0;
    upProgress.hidden = false; upProgress.max = tasks.length; upProgress.value = 0;
    file.disabled = true;
    try {
      for (let i = 0; i < tasks.length; i += BATCH) {
        const chunk = tasks.slice(i, i + BATCH);
        const r = await request('POST', `/v1/projects/${encodeURIComponent(id)}/tasks`,
          { raw: chunk.map((t) => JSON.stringify(t)).join('\n') + '\n', contentType: 'application/x-ndjson' });
        created += r?.created || 0; dup += r?.duplicates || 0;
        upProgress.value = Math.min(tasks.length, i + BATCH);
        upStatus.textContent = `Uploading ${f.name}: ${upProgress.value} of ${tasks.length}…`;
      }
      upStatus.textContent = `${f.name}: ${created} tasks created${dup ? `, ${dup} duplicates skipped` : ''}.`;
      toast(`${created} tasks uploaded.`, 'ok');
      await refresh();
    } catch (e) { upStatus.textContent = `Upload stopped after ${upProgress.value} tasks: ${errorText(e)}. Uploading the file again skips the duplicates.`; }
    finally { file.disabled = false; file.value = ''; }
  });
  const upload = h('section', { class: 'panel stack', 'aria-labelledby': 'up-h' }, h('h2', { id: 'up-h' }, 'Upload tasks'),
    h('p', { class: 'hint' }, 'A JSON array or NDJSON (one per line) of ', h('code', {}, '{"data": …, "external_id": "…", "gold": "label"}'), ' — or bare values. Text, image URLs and JSON records all work. Sent in batches of 500.'),
    h('div', { class: 'field' }, h('label', { for: 'task-file' }, 'Task file'), file), upProgress, upStatus);

  // download
  async function dl(fmt) {
    try {
      const text = await request('GET', `/v1/projects/${encodeURIComponent(id)}/labels${fmt === 'csv' ? '?format=csv' : ''}`);
      const body = typeof text === 'string' ? text : (Array.isArray(text) ? text.map((x) => JSON.stringify(x)).join('\n') + '\n' : JSON.stringify(text));
      download(`labels-project-${id}.${fmt === 'csv' ? 'csv' : 'jsonl'}`, body, fmt === 'csv' ? 'text/csv' : 'application/x-ndjson');
    } catch (e) { toast(`Download failed: ${errorText(e)}`, 'error'); }
  }
  const downloads = h('section', { class: 'panel stack', 'aria-labelledby': 'dl-h' }, h('h2', { id: 'dl-h' }, 'Download labels'),
    h('p', { class: 'hint' }, 'Final labels with confidence, vote count and anchor state. Each has a Merkle proof at /v1/tasks/{id}/proof.'),
    h('div', { class: 'actions' }, h('button', { class: 'btn', type: 'button', id: 'dl-jsonl', onclick: () => dl('jsonl') }, 'JSON lines'), h('button', { class: 'btn', type: 'button', id: 'dl-csv', onclick: () => dl('csv') }, 'CSV')));

  main.append(h('div', { class: 'grid-3' }, upload, fund, downloads));

  async function refresh() {
    try { p = await get(`/v1/projects/${encodeURIComponent(id)}`); drawProgress(); loadVotes(); } catch { /* next tick */ }
  }
  const poll = setInterval(refresh, 2000);
  return () => clearInterval(poll);
}
