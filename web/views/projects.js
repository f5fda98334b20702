// web/views/projects.js — the labeler's list: every open project, newest
// first; those it cannot join yet say what they need and how to get it.
import { h, errorText } from '../lib/dom.js';
import { get, session } from '../lib/api.js';
import { formatCredits } from '../lib/messages.js';
import { sparkline } from '../lib/chart.js';
import { repSeries } from './account.js';

const PAGE = 50;

// What a card says when its project needs more stake than the labeler has:
// the gap, then the next step — stake from the balance, or get credit first
// (from an operator, who needs the account id).
export function joinNeeds(p, me) {
  const need = p.join?.needs_stake ?? 0;
  const have = me.stake || 0, bal = me.balance || 0;
  return h('div', { class: 'callout join-needs' },
    h('p', {}, `Needs ${formatCredits(p.min_stake)} staked; you have ${formatCredits(have)}.`),
    bal >= need
      ? h('p', {}, `Stake ${formatCredits(need)} more from your balance (${formatCredits(bal)}): `, h('a', { href: '#/account' }, 'Stake on your account page →'))
      : h('p', {}, `Your balance is ${formatCredits(bal)}: credits come from outside the market. Ask an operator to credit your account id ${me.id}, then stake ${formatCredits(need)}. `,
        h('a', { href: '#/account' }, 'Your account →')));
}

export default async function projectsView(main) {
  main.append(h('div', { class: 'page-head' }, h('h1', {}, 'Projects to label'),
    h('p', { class: 'lead' }, 'Open projects, newest first. Pick one and label with the keyboard: ', h('kbd', {}, '1'), '–', h('kbd', {}, '9'), ' choose, ', h('kbd', {}, 'Enter'), ' submits, ', h('kbd', {}, 'S'), ' skips.')));
  if (!session.token) {
    main.append(h('section', { class: 'panel' }, h('p', {}, 'Sign in to see the projects you can label.'), h('a', { class: 'btn btn-primary', href: '#/key' }, 'Create a key & sign in')));
    return;
  }
  const box = h('div', { class: 'cards', id: 'project-list' }, h('p', {}, 'Loading…'));
  const more = h('div', { class: 'more' });
  main.append(box, more);
  let list, me, history;
  try {
    [list, me, history] = await Promise.all([get(`/v1/projects?scope=label&limit=${PAGE}`), get('/v1/me'), get('/v1/me/reputation?limit=1000')]);
  } catch (e) { box.replaceChildren(h('p', { class: 'callout callout-fail' }, `Could not load projects: ${errorText(e)}`)); return; }
  list = Array.isArray(list) ? list : [];
  if (!(me.roles || []).includes('labeler')) {
    box.replaceChildren(h('div', { class: 'empty panel' }, h('p', {}, 'This account is a requester account: labeling needs a key. '),
      h('p', {}, h('a', { href: '#/key' }, 'Create a key and sign in with it →'))));
    return;
  }
  const rep = new Map((me.reputation || []).map((r) => [String(r.project), r]));
  const hist = repSeries(history);
  if (!list.length) {
    box.replaceChildren(h('div', { class: 'empty panel' }, h('p', {}, 'No open projects right now.'), h('p', {}, 'Check back soon.')));
    return;
  }
  const card = (p) => {
    const r = rep.get(String(p.id));
    const left = p.progress ? p.progress.open : undefined;
    const eligible = p.join ? p.join.eligible : true;
    return h('article', { class: 'card', 'data-project': p.id, 'data-eligible': String(eligible) },
      h('h2', {}, p.name),
      h('p', { class: 'hint' }, (p.instructions || '').slice(0, 140) + ((p.instructions || '').length > 140 ? '…' : '')),
      h('div', { class: 'meta' },
        h('span', {}, h('strong', {}, formatCredits(p.reward_per_task)), ' per task'),
        left !== undefined ? h('span', {}, `${left} open`) : null,
        h('span', {}, `${(p.labels || []).length} labels`)),
      h('div', { class: 'meta' },
        r ? h('span', { class: 'rep' }, sparkline(hist[String(p.id)] || [{ v: r.accuracy }], { label: `your accuracy here: ${Math.round(r.accuracy * 100)}%` }),
          ` accuracy ${Math.round(r.accuracy * 100)}%`) : h('span', {}, 'new to you'),
        p.min_stake ? h('span', {}, `min stake ${formatCredits(p.min_stake)}`) : null),
      eligible ? h('a', { class: 'btn btn-primary', href: `#/label/${encodeURIComponent(p.id)}` }, 'Start labeling')
        : (p.join?.needs_stake ?? 0) > 0 ? joinNeeds(p, me)
          : h('p', { class: 'callout join-needs' }, 'Not open for claims right now.'));
  };
  box.replaceChildren(...list.map(card));
  const paging = (page) => {
    more.replaceChildren();
    if (page.length < PAGE) return;
    more.append(h('button', { class: 'btn', type: 'button', id: 'projects-more', onclick: async (e) => {
      e.target.disabled = true;
      try {
        const next = await get(`/v1/projects?scope=label&limit=${PAGE}&before=${page[page.length - 1].id}`);
        box.append(...next.map(card)); paging(next);
      } catch (ex) { e.target.disabled = false; more.append(h('span', { class: 'hint' }, ` ${errorText(ex)}`)); }
    } }, 'More projects'));
  };
  paging(list);
}
