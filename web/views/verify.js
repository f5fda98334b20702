// web/views/verify.js — the verifier.  Recomputes the leaf hash, the
// inclusion path and the root in the browser and checks the anchor
// transaction on an EVM JSON-RPC endpoint the user names; that needs no
// sign-in.  "Fetch proof" asks this server for a task's proof, which it
// serves to the owner of the task's project only: the request carries the
// signed-in requester's token, and a refusal is explained in words.
import { h, clear, readFile, errorText } from '../lib/dom.js';
import { get, session } from '../lib/api.js';
import { fromHex, toHex, equalBytes } from '../lib/hex.js';
import { leafHash, rootFromInclusionProof, anchorCalldata, parseAnchorCalldata, proofShapeProblems } from '../lib/merkle.js';

const RPC_KEY = 'labelchain.rpc_url';

export default function verifyView(main) {
  const input = h('textarea', { id: 'proof-input', class: 'mono', rows: 10, spellcheck: false,
    placeholder: '{"leaf":"{\\"v\\":1,…}","leaf_hash":"…","leaf_index":0,"tree_size":1,"path":[],"root":"…","anchor":null}',
    'aria-describedby': 'proof-help' });
  const rpc = h('input', { id: 'rpc-url', type: 'url', class: 'mono', placeholder: 'http://127.0.0.1:8545', value: localStorage.getItem(RPC_KEY) || '', autocomplete: 'url' });
  const file = h('input', { id: 'proof-file', type: 'file', accept: '.json,application/json', class: 'visually-hidden' });
  const results = h('section', { class: 'panel', id: 'verify-results', 'aria-live': 'polite', hidden: true });
  const drop = h('div', { class: 'dropzone' },
    h('label', { for: 'proof-input' }, 'Proof JSON'),
    h('p', { id: 'proof-help', class: 'hint' }, 'Paste a proof from GET /v1/tasks/{id}/proof, drop a .json file here, or ',
      h('label', { for: 'proof-file', class: 'linklike', tabindex: '0', onkeydown: (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); file.click(); } } }, 'choose a file'), '.'),
    input);
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('dragging'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('dragging'));
  drop.addEventListener('drop', async (e) => {
    e.preventDefault(); drop.classList.remove('dragging');
    const f = e.dataTransfer.files[0];
    if (f) { input.value = await readFile(f); run(); }
  });
  file.addEventListener('change', async () => { if (file.files[0]) { input.value = await readFile(file.files[0]); run(); } });

  const taskId = h('input', { id: 'proof-task', type: 'text', inputmode: 'numeric', placeholder: 'e.g. 42', autocomplete: 'off',
    onkeydown: (e) => { if (e.key === 'Enter') { e.preventDefault(); document.getElementById('fetch-proof').click(); } } });
  const fetchErr = h('p', { class: 'callout callout-fail', id: 'fetch-error', role: 'alert', hidden: true });
  const fetchHint = h('p', { class: 'hint', id: 'fetch-hint' }, session.token
    ? 'Proofs are served to the requester who owns the task\'s project; you are signed in.'
    : 'Proofs are served to the requester who owns the task\'s project: sign in first.');
  const fetcher = h('div', { class: 'row' },
    h('div', { class: 'field' }, h('label', { for: 'proof-task' }, 'Or fetch the proof of a task from this server'), taskId, fetchHint),
    h('button', { class: 'btn', type: 'button', id: 'fetch-proof', onclick: async () => {
      const id = taskId.value.trim();
      fetchErr.hidden = true;
      delete fetchErr.dataset.status;
      if (!/^[1-9][0-9]{0,18}$/.test(id)) {
        fetchErr.hidden = false; fetchErr.textContent = 'A task id is a whole number from 1 up, as in the exports\' task_id column.';
        return;
      }
      try {
        const p = await get(`/v1/tasks/${id}/proof`);
        input.value = JSON.stringify(p, null, 2); run();
      } catch (e) {
        fetchErr.hidden = false;
        if (e.status) fetchErr.dataset.status = String(e.status);
        fetchErr.textContent = fetchFailure(id, e);
      }
    } }, 'Fetch proof'));
  const form = h('form', { class: 'panel stack', onsubmit: (e) => { e.preventDefault(); run(); } },
    drop, file, fetcher, fetchErr,
    h('div', { class: 'field' }, h('label', { for: 'rpc-url' }, 'EVM JSON-RPC URL ', h('span', { class: 'hint' }, '(optional — to check the anchor transaction on chain)')), rpc),
    h('div', { class: 'actions' }, h('button', { class: 'btn btn-primary', type: 'submit', id: 'verify-btn' }, 'Verify proof')));

  async function run() {
    localStorage.setItem(RPC_KEY, rpc.value.trim());
    results.hidden = false;
    delete results.dataset.verdict;
    clear(results).append(h('p', {}, 'Verifying…'));
    const steps = await verifyProof(input.value, rpc.value.trim());
    const ok = steps.every((s) => s.status !== 'fail');
    const anyFail = steps.some((s) => s.status === 'fail');
    clear(results).append(
      h('h2', { id: 'verdict', class: `verdict ${anyFail ? 'fail' : 'ok'}` }, anyFail ? '✗ Proof rejected' : (steps.some((s) => s.status === 'skip') ? '✓ Proof valid (some checks skipped)' : '✓ Proof valid and anchored')),
      h('ol', { class: 'steps' }, steps.map((s) => h('li', { class: `step step-${s.status}`, 'data-step': s.id },
        h('span', { class: 'step-icon', 'aria-hidden': 'true' }, s.status === 'ok' ? '✓' : s.status === 'fail' ? '✗' : '–'),
        h('div', {}, h('div', { class: 'step-title' }, s.title, h('span', { class: 'visually-hidden' }, ` — ${s.status === 'ok' ? 'passed' : s.status === 'fail' ? 'failed' : 'skipped'}`)),
          s.detail ? h('div', { class: 'step-detail' }, s.detail) : null,
          s.extra || null)))));
    results.dataset.verdict = ok ? 'ok' : 'fail';
  }

  main.append(
    h('div', { class: 'page-head' }, h('h1', {}, 'Verify a label'),
      h('p', { class: 'lead' }, 'Everything is recomputed here, in your browser: the leaf hash (SHA-256 of 0x00 ‖ record), the RFC 9162 inclusion path up to the root, and — given an RPC URL — the anchor transaction that put that root on chain. Nothing is sent to labelchain: a proof fetched from this server is checked here like any other.')),
    h('div', { class: 'grid-2' }, form, results));
}

// Why the server gave no proof, in words (GET /v1/tasks/{id}/proof).
export function fetchFailure(id, e) {
  switch (e.status) {
    case 401: return `Sign in to fetch the proof of task ${id}: proofs are served to the requester who owns the task's project.`;
    case 403: return `Task ${id} is not in one of your projects: only the requester who owns its project can fetch its proof here. Ask them for the proof JSON and paste it above — anyone can verify it.`;
    case 404: return `No proof for task ${id}: there is no such task, or its label is not final yet, or it has not entered the log.`;
    case 409: return `Task ${id} is final a moment ago; its label enters the log within a second — fetch again shortly.`;
    default: return `No proof for task ${id}: ${errorText(e)}`;
  }
}

const step = (id, title, status, detail, extra) => ({ id, title, status, detail, extra });

export async function verifyProof(text, rpcUrl) {
  const steps = [];
  let p;
  try { p = JSON.parse(text); } catch (e) { return [step('parse', 'Read the proof', 'fail', `not valid JSON: ${e.message}`)]; }
  const probs = proofShapeProblems(p);
  if (probs.length) return [step('parse', 'Read the proof', 'fail', probs.join('; '))];
  let record = null;
  try { record = JSON.parse(p.leaf); } catch { /* shown below */ }
  steps.push(step('parse', 'Read the proof', 'ok', `leaf ${p.leaf_index} of a tree of ${p.tree_size}, ${p.path.length} path hashes`,
    record ? recordSummary(record) : null));

  const lh = await leafHash(p.leaf);
  const lhOk = equalBytes(lh, fromHex(p.leaf_hash));
  steps.push(step('leaf', 'Leaf hash = SHA-256(0x00 ‖ record)', lhOk ? 'ok' : 'fail',
    lhOk ? toHex(lh) : `computed ${toHex(lh)}, the proof says ${p.leaf_hash.toLowerCase()}`));

  const res = await rootFromInclusionProof(p.leaf_index, p.tree_size, lh, p.path.map(fromHex));
  if (!res.ok) {
    steps.push(step('path', 'Inclusion path', 'fail', res.reason));
    steps.push(step('root', 'Root matches', 'fail', 'no root computed'));
  } else {
    steps.push(step('path', 'Inclusion path (RFC 9162 §2.1.3.2)', 'ok', `${res.steps.length} hashing steps`,
      res.steps.length ? h('ol', { class: 'path-steps mono' }, res.steps.map((s, i) => h('li', {}, `${i + 1}. sibling on the ${s.side}: ${s.sibling.slice(0, 16)}… → ${s.result.slice(0, 16)}…`))) : null));
    const rootOk = equalBytes(res.root, fromHex(p.root));
    steps.push(step('root', 'Computed root = proof root', rootOk ? 'ok' : 'fail',
      rootOk ? `${toHex(res.root)} at tree size ${p.tree_size}` : `computed ${toHex(res.root)}, the proof says ${p.root.toLowerCase()}`));
  }

  const a = p.anchor;
  if (!a) {
    steps.push(step('anchor', 'Anchor transaction', 'skip', 'the proof has no anchor yet (the root has not been put on chain)'));
    return steps;
  }
  if (!rpcUrl) {
    steps.push(step('anchor', 'Anchor transaction', 'skip', `tx ${a.tx_hash} on chain ${a.chain_id}: give an RPC URL to check it`));
    return steps;
  }
  steps.push(...await checkAnchor(rpcUrl, a, p.root.toLowerCase().replace(/^0x/, ''), p.tree_size));
  return steps;
}

function recordSummary(r) {
  const rows = [['project', r.project], ['task', r.task], ['label', r.label],
    ['confidence', r.confidence_bp !== undefined ? `${(r.confidence_bp / 100).toFixed(2)} %` : undefined],
    ['votes', Array.isArray(r.votes) ? r.votes.length : undefined], ['finalized', r.finalized_at]].filter(([, v]) => v !== undefined);
  return h('dl', { class: 'kv' }, rows.map(([k, v]) => [h('dt', {}, k), h('dd', {}, String(v))]));
}

async function rpcCall(url, method, params) {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  const j = await r.json();
  if (j.error) throw new Error(`${method}: ${j.error.message}`);
  return j.result;
}

export async function checkAnchor(url, a, rootHex, treeSize) {
  const out = [];
  try {
    const chainId = BigInt(await rpcCall(url, 'eth_chainId', []));
    const cOk = a.chain_id === undefined || a.chain_id === null || BigInt(a.chain_id) === chainId;
    out.push(step('chain', 'RPC is on the anchor\'s chain', cOk ? 'ok' : 'fail', `chain id ${chainId}${cOk ? '' : `, the proof says ${a.chain_id}`}`));
    const tx = await rpcCall(url, 'eth_getTransactionByHash', [a.tx_hash]);
    if (!tx) { out.push(step('tx', 'Anchor transaction exists', 'fail', `${a.tx_hash} is unknown to this node`)); return out; }
    const want = anchorCalldata(rootHex, treeSize);
    const got = (tx.input || tx.data || '').toLowerCase();
    const parsed = parseAnchorCalldata(got);
    const dOk = got === want;
    out.push(step('tx', 'Transaction carries this root and tree size', dOk ? 'ok' : 'fail',
      dOk ? `${a.tx_hash}: calldata 0x6c630001 ‖ root ‖ ${treeSize}` :
        parsed ? `the transaction anchors root ${parsed.root} at size ${parsed.treeSize}, not ${rootHex} at ${treeSize}` : `calldata ${got.slice(0, 24)}… is not a labelchain anchor`));
    const rc = await rpcCall(url, 'eth_getTransactionReceipt', [a.tx_hash]);
    if (!rc || !rc.blockNumber) { out.push(step('mined', 'Transaction mined', 'fail', 'no receipt: still pending or dropped')); return out; }
    const bn = BigInt(rc.blockNumber);
    const sOk = rc.status === undefined || BigInt(rc.status) === 1n;
    const bOk = a.block_number === undefined || a.block_number === null || BigInt(a.block_number) === bn;
    out.push(step('mined', 'Transaction mined and succeeded', sOk && bOk ? 'ok' : 'fail',
      `block ${bn}, status ${rc.status}${bOk ? '' : ` — the proof says block ${a.block_number}`}`));
    const head = BigInt(await rpcCall(url, 'eth_blockNumber', []));
    const conf = head - bn + 1n;
    out.push(step('conf', 'Confirmations', conf >= 1n ? 'ok' : 'fail', `${conf} (head ${head})`));
  } catch (e) {
    out.push(step('rpc', 'Reach the RPC node', 'fail', `${url}: ${e.message}`));
  }
  return out;
}
