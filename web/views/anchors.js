// web/views/anchors.js — anchored roots and their transactions (no sign-in).
import { h, errorText } from '../lib/dom.js';
import { get } from '../lib/api.js';

export default async function anchorsView(main) {
  const box = h('section', { class: 'panel' }, h('p', {}, 'Loading…'));
  main.append(h('div', { class: 'page-head' }, h('h1', {}, 'Anchors'),
    h('p', { class: 'lead' }, 'Each anchor is one transaction carrying the Merkle log\'s root and tree size (calldata 0x6c630001 ‖ root ‖ size). Check any of them with the ', h('a', { href: '#/verify' }, 'verifier'), '.')), box);
  let list;
  try { list = await get('/v1/anchors', { auth: false }); } catch (e) { box.replaceChildren(h('p', { class: 'callout callout-fail' }, `Could not load anchors: ${errorText(e)}`)); return; }
  list = Array.isArray(list) ? list : (list?.anchors || []);
  if (!list.length) { box.replaceChildren(h('p', { class: 'empty' }, 'Nothing anchored yet.')); return; }
  box.replaceChildren(h('div', { class: 'table-wrap' }, h('table', {},
    h('thead', {}, h('tr', {}, ['Tree size', 'Root', 'Chain', 'Transaction', 'Block', 'Confirmations', 'Status'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, list.map((a) => h('tr', {},
      h('td', { class: 'num' }, String(a.tree_size)),
      h('td', { class: 'mono', title: a.root }, `${String(a.root).slice(0, 16)}…`),
      h('td', {}, String(a.chain_id ?? '—')),
      h('td', { class: 'mono', title: a.tx_hash || '' }, a.tx_hash ? `${a.tx_hash.slice(0, 18)}…` : '—'),
      h('td', { class: 'num' }, a.block_number ?? '—'),
      h('td', { class: 'num' }, a.confirmations ?? '—'),
      h('td', {}, h('span', { class: `pill ${a.status === 'final' || a.status === 'confirmed' ? 'pill-ok' : 'pill-warn'}` }, a.status || '—'))))))));
}
