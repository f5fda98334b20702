// web/views/account.js — the account id (to get credit), balance, stake (with
// cooldown), earnings, ledger, reputation over time.
import { h, errorText, fmtTime } from '../lib/dom.js';
import { get, post, session } from '../lib/api.js';
import { formatCredits, parseCredits } from '../lib/messages.js';
import { sparkline } from '../lib/chart.js';

const LEDGER_PAGE = 100;	// rows per page of GET /v1/me/ledger

// GET /v1/me/reputation rows (newest last) → {project: [{t, v, a, b}]} for sparkline().
export function repSeries(rows) {
  const by = {};
  for (const r of Array.isArray(rows) ? rows : []) (by[r.project] ??= []).push({ t: Date.parse(r.time), v: r.accuracy, a: r.alpha, b: r.beta });
  return by;
}

// A button that copies `text`; if the clipboard is refused, it selects
// `target`'s text so that Ctrl+C does it.
export function copyButton(id, text, target, label = 'Copy') {
  const b = h('button', { class: 'btn btn-small', type: 'button', id, 'aria-label': `${label}: ${text}` }, label);
  let reset = null;
  b.addEventListener('click', async () => {
    clearTimeout(reset);
    try {
      await navigator.clipboard.writeText(text);
      b.textContent = 'Copied ✓';
    } catch {
      const r = document.createRange(); r.selectNodeContents(target);
      const sel = getSelection(); sel.removeAllRanges(); sel.addRange(r);
      b.textContent = 'Selected: press Ctrl+C';
    }
    reset = setTimeout(() => { b.textContent = label; }, 2500);
  });
  return b;
}

export default async function accountView(main) {
  main.append(h('div', { class: 'page-head' }, h('h1', {}, 'Account')));
  if (!session.token) {
    main.append(h('section', { class: 'panel' }, h('p', {}, 'Sign in to see your balance, stake and earnings.'), h('a', { class: 'btn btn-primary', href: '#/key' }, 'Sign in')));
    return;
  }
  const body = h('div', {}, h('p', {}, 'Loading…'));
  main.append(body);
  let status = null;	// what the last stake or unstake did: [text, tone]
  await render();

  async function render() {
    let me, ledger, reps;
    try {
      [me, ledger, reps] = await Promise.all([get('/v1/me'), get(`/v1/me/ledger?limit=${LEDGER_PAGE}`).catch(() => []),
        get('/v1/me/reputation?limit=1000').catch(() => [])]);
    } catch (e) { body.replaceChildren(h('p', { class: 'callout callout-fail' }, `Could not load your account: ${errorText(e)}`)); return; }
    ledger = Array.isArray(ledger) ? ledger : [];
    const hist = repSeries(reps);
    const now = Date.now();
    const pend = Array.isArray(me.unstaking_releases) ? me.unstaking_releases : [];
    const isLabeler = (me.roles || []).includes('labeler');

    const stakeErr = h('p', { class: 'callout callout-fail', id: 'stake-error', role: 'alert', hidden: true });
    const stakeStatus = h('p', { class: 'status', id: 'stake-status', role: 'status' });
    if (status) { stakeStatus.textContent = status[0]; stakeStatus.dataset.tone = status[1]; status = null; }
    const amount = h('input', { id: 'stake-amount', type: 'text', inputmode: 'decimal', placeholder: '10', autocomplete: 'off', 'aria-describedby': 'stake-hint stake-error' });
    async function move(kind) {
      stakeErr.hidden = true; stakeStatus.textContent = ''; delete stakeStatus.dataset.tone;
      let micro;
      try { micro = parseCredits(amount.value); if (micro <= 0) throw new Error('enter an amount above zero'); }
      catch (e) { stakeErr.hidden = false; stakeErr.textContent = e.message; amount.focus(); return; }
      try {
        const r = await post(`/v1/me/${kind}`, { amount: micro });
        status = kind === 'unstake' && r?.release_at
          ? [`Unstaking ${formatCredits(micro)}: back on your balance ${fmtTime(r.release_at)}.`, 'ok']
          : [`Staked ${formatCredits(micro)}.`, 'ok'];
        await render();
      } catch (e) { stakeErr.hidden = false; stakeErr.textContent = errorText(e); }
    }

    const idBox = h('span', { class: 'big-id mono', id: 'account-id' }, String(me.id));
    const rows = h('tbody', {});
    const more = h('div', { class: 'more' });
    function addRows(ms) {
      rows.append(...ms.map((m) => h('tr', {},
        h('td', {}, shortTime(m.time)), h('td', {}, m.cause), h('td', {}, m.project ? `#${m.project}${m.task ? ` · task ${m.task}` : ''}` : '—'),
        h('td', { class: 'hide-sm' }, m.ledger || ''), h('td', { class: `num ${m.amount < 0 ? 'neg' : 'pos'}` }, `${m.amount > 0 ? '+' : ''}${formatCredits(m.amount)}`))));
      more.replaceChildren();
      if (ms.length === LEDGER_PAGE) {
        more.append(h('button', { class: 'btn btn-small', type: 'button', id: 'ledger-more', onclick: async (e) => {
          e.target.disabled = true;
          try { addRows(await get(`/v1/me/ledger?limit=${LEDGER_PAGE}&before=${ms[ms.length - 1].id}`)); }
          catch (ex) { e.target.disabled = false; more.append(h('span', { class: 'hint' }, ` ${errorText(ex)}`)); }
        } }, 'Older movements'));
      }
    }
    addRows(ledger);

    body.replaceChildren(
      h('section', { class: 'panel stack', 'aria-labelledby': 'id-h' },
        h('h2', { id: 'id-h' }, 'Your account'),
        h('div', { class: 'copy-row' }, h('span', { class: 'hint' }, 'Account id'), idBox, copyButton('copy-account-id', String(me.id), idBox, 'Copy id')),
        h('p', { class: 'hint', id: 'account-id-hint' }, 'Credits reach your balance from outside the market: give this id to the operator who deposits them (',
          h('code', {}, `labelctl credit ${me.id} <micro-credits>`), ').'),
        h('p', { class: 'hint' }, `Roles: ${(me.roles || []).join(', ') || '—'}`, me.public_key ? ` · key ${me.public_key.slice(0, 16)}…` : '', me.name ? ` · ${me.name}` : '')),
      h('div', { class: 'grid-3 stats' },
        stat('Balance', formatCredits(me.balance), 'balance'),
        stat('Stake', formatCredits(me.stake), 'stake'),
        stat('Unstaking', formatCredits(me.unstaking ?? 0), 'unstaking')),
      h('div', { class: 'grid-2' },
        isLabeler ? h('section', { class: 'panel stack', 'aria-labelledby': 'stake-h' },
          h('h2', { id: 'stake-h' }, 'Stake'),
          h('p', { class: 'hint', id: 'stake-hint' }, 'Stake buys vote weight (with diminishing returns) and is the entry ticket to projects with a minimum stake. Agreeing with a confident consensus earns rewards; confidently disagreeing, or failing a gold task, costs a slice of it. Unstaked credits return to your balance after a cooldown. Type amounts in credits, with "." or "," as the decimal mark.'),
          (me.bonded || 0) > 0 ? h('p', { class: 'hint' }, `${formatCredits(me.bonded)} of it is bonded by ${me.bonds?.votes ?? 'your'} open votes until their tasks are final; ${formatCredits(me.stake_free)} is free.`) : null,
          h('form', { class: 'row', onsubmit: (e) => { e.preventDefault(); move('stake'); } },
            h('div', { class: 'field' }, h('label', { for: 'stake-amount' }, 'Amount (credits)'), amount),
            h('button', { class: 'btn btn-primary', type: 'submit', id: 'stake-btn' }, 'Stake'),
            h('button', { class: 'btn', type: 'button', id: 'unstake-btn', onclick: () => move('unstake') }, 'Unstake')),
          stakeErr, stakeStatus,
          pend.length ? h('div', {}, h('h3', {}, 'Cooling down'), h('ul', { class: 'plain', id: 'cooldowns' }, pend.map((u) => h('li', {},
            `${formatCredits(u.amount)} — `, Date.parse(u.release_at) <= now ? 'released' : `back on your balance ${fmtTime(u.release_at)}`)))) : null) : null,
        h('section', { class: 'panel', 'aria-labelledby': 'rep-h' },
          h('h2', { id: 'rep-h' }, 'Reputation'),
          (me.reputation || []).length === 0 ? h('p', { class: 'empty' }, 'No reputation yet: it starts with your first settled task.') :
            h('div', { class: 'table-wrap' }, h('table', {}, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Project'), h('th', { scope: 'col' }, 'Over time'), h('th', { scope: 'col', class: 'num' }, 'Accuracy'), h('th', { scope: 'col', class: 'num hide-sm' }, 'α / β'))),
              h('tbody', {}, me.reputation.map((r) => h('tr', {},
                h('td', {}, `#${r.project}`),
                h('td', {}, sparkline(hist[r.project] || [{ v: r.accuracy }], { label: `accuracy history for project ${r.project}` })),
                h('td', { class: 'num' }, `${(r.accuracy * 100).toFixed(1)}%`),
                h('td', { class: 'num hide-sm' }, `${r.alpha.toFixed(1)} / ${r.beta.toFixed(1)}`)))))))),
      h('section', { class: 'panel', 'aria-labelledby': 'ledger-h' },
        h('div', { class: 'task-head' }, h('h2', { id: 'ledger-h' }, 'Earnings and slashes'),
          // All-time figures from the server, not sums of the rows shown here.
          h('div', { class: 'meta' }, h('span', { class: 'pill pill-ok', id: 'earned', title: 'every reward paid to you, all time' }, `earned ${formatCredits(me.earned ?? 0)}`), ' ',
            h('span', { class: 'pill pill-warn', id: 'slashed', title: 'all that slashes have taken, all time' }, `slashed ${formatCredits(me.slashed ?? 0)}`))),
        ledger.length === 0 ? h('p', { class: 'empty' }, 'No movements yet.') :
          h('div', { class: 'table-wrap' }, h('table', { id: 'ledger' },
            h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'When'), h('th', { scope: 'col' }, 'What'), h('th', { scope: 'col' }, 'Project'), h('th', { scope: 'col', class: 'hide-sm' }, 'Account'), h('th', { scope: 'col', class: 'num' }, 'Amount'))),
            rows)),
        more));
  }
}

function shortTime(t) {
  const d = new Date(t);
  if (isNaN(d)) return String(t || '—');
  const today = new Date().toDateString() === d.toDateString();
  return today ? d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' }) : d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
}

function stat(k, v, id) {
  return h('section', { class: 'panel stat' }, h('span', { class: 'k' }, k), h('span', { class: 'v', id: `acct-${id}` }, v));
}
