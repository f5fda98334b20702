// web/views/account.js — balance, stake (with cooldown), ledger, reputation over time.
import { h, errorText, toast, fmtTime } from '../lib/dom.js';
import { get, post, session } from '../lib/api.js';
import { formatCredits, parseCredits } from '../lib/messages.js';
import { sparkline } from '../lib/chart.js';

// GET /v1/me/reputation rows (newest last) → {project: [{t, v, a, b}]} for sparkline().
export function repSeries(rows) {
  const by = {};
  for (const r of Array.isArray(rows) ? rows : []) (by[r.project] ??= []).push({ t: Date.parse(r.time), v: r.accuracy, a: r.alpha, b: r.beta });
  return by;
}

export default async function accountView(main) {
  main.append(h('div', { class: 'page-head' }, h('h1', {}, 'Account')));
  if (!session.token) {
    main.append(h('section', { class: 'panel' }, h('p', {}, 'Sign in to see your balance, stake and earnings.'), h('a', { class: 'btn btn-primary', href: '#/key' }, 'Sign in')));
    return;
  }
  const body = h('div', {}, h('p', {}, 'Loading…'));
  main.append(body);
  await render();

  async function render() {
    let me, ledger, reps;
    try {
      [me, ledger, reps] = await Promise.all([get('/v1/me'), get('/v1/me/ledger').catch(() => []),
        get('/v1/me/reputation?limit=1000').catch(() => [])]);
    } catch (e) { body.replaceChildren(h('p', { class: 'callout callout-fail' }, `Could not load your account: ${errorText(e)}`)); return; }
    ledger = Array.isArray(ledger) ? ledger : (ledger?.movements || ledger?.ledger || []);
    const hist = repSeries(reps);
    const mine = ledger.filter((m) => !m.ledger || m.ledger === 'balance' || m.ledger === 'stake');
    const earned = mine.filter((m) => /reward|pay|earn/.test(m.cause) && m.amount > 0).reduce((a, m) => a + m.amount, 0);
    const slashed = mine.filter((m) => /slash/.test(m.cause)).reduce((a, m) => a + Math.abs(m.amount), 0);
    const now = Date.now();
    const pend = Array.isArray(me.unstaking_releases) ? me.unstaking_releases : [];

    const stakeErr = h('p', { class: 'callout callout-fail', role: 'alert', hidden: true });
    const amount = h('input', { id: 'stake-amount', type: 'text', inputmode: 'decimal', placeholder: '10', autocomplete: 'off', 'aria-describedby': 'stake-hint' });
    async function move(kind) {
      stakeErr.hidden = true;
      let micro;
      try { micro = parseCredits(amount.value); if (micro <= 0) throw new Error('enter an amount above zero'); }
      catch (e) { stakeErr.hidden = false; stakeErr.textContent = e.message; amount.focus(); return; }
      try {
        const r = await post(`/v1/me/${kind}`, { amount: micro });
        if (kind === 'unstake' && r?.release_at) {
          toast(`Unstaking ${formatCredits(micro)}: available ${fmtTime(r.release_at)}.`, 'ok');
        } else toast(`Staked ${formatCredits(micro)}.`, 'ok');
        await render();
      } catch (e) { stakeErr.hidden = false; stakeErr.textContent = errorText(e); }
    }

    body.replaceChildren(
      h('div', { class: 'grid-3 stats' },
        stat('Balance', formatCredits(me.balance), 'balance'),
        stat('Stake', formatCredits(me.stake), 'stake'),
        stat('Unstaking', formatCredits(me.unstaking ?? 0), 'unstaking')),
      h('div', { class: 'grid-2' },
        h('section', { class: 'panel stack', 'aria-labelledby': 'stake-h' },
          h('h2', { id: 'stake-h' }, 'Stake'),
          h('p', { class: 'hint', id: 'stake-hint' }, 'Stake buys vote weight (with diminishing returns) and is the entry ticket to projects with a minimum stake. Agreeing with a confident consensus earns rewards; confidently disagreeing, or failing a gold task, costs a slice of it. Unstaked credits return to your balance after a cooldown.'),
          h('form', { class: 'row', onsubmit: (e) => { e.preventDefault(); move('stake'); } },
            h('div', { class: 'field' }, h('label', { for: 'stake-amount' }, 'Amount (credits)'), amount),
            h('button', { class: 'btn btn-primary', type: 'submit', id: 'stake-btn' }, 'Stake'),
            h('button', { class: 'btn', type: 'button', id: 'unstake-btn', onclick: () => move('unstake') }, 'Unstake')),
          stakeErr,
          pend.length ? h('div', {}, h('h3', {}, 'Cooling down'), h('ul', { class: 'plain', id: 'cooldowns' }, pend.map((u) => h('li', {},
            `${formatCredits(u.amount)} — `, Date.parse(u.release_at) <= now ? 'released' : `back on your balance ${fmtTime(u.release_at)}`)))) : null),
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
          h('div', { class: 'meta' }, h('span', { class: 'pill pill-ok', id: 'earned' }, `earned ${formatCredits(earned)}`), ' ', h('span', { class: 'pill pill-warn' }, `slashed ${formatCredits(slashed)}`))),
        mine.length === 0 ? h('p', { class: 'empty' }, 'No movements yet.') :
          h('div', { class: 'table-wrap' }, h('table', { id: 'ledger' },
            h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'When'), h('th', { scope: 'col' }, 'What'), h('th', { scope: 'col' }, 'Project'), h('th', { scope: 'col', class: 'hide-sm' }, 'Account'), h('th', { scope: 'col', class: 'num' }, 'Amount'))),
            h('tbody', {}, mine.slice(0, 100).map((m) => h('tr', {},
              h('td', {}, shortTime(m.time)), h('td', {}, m.cause), h('td', {}, m.project ? `#${m.project}${m.task ? ` · task ${m.task}` : ''}` : '—'),
              h('td', { class: 'hide-sm' }, m.ledger || ''), h('td', { class: `num ${m.amount < 0 ? 'neg' : 'pos'}` }, `${m.amount > 0 ? '+' : ''}${formatCredits(m.amount)}`))))))));
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
