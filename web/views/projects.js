// web/views/projects.js — the labeler's list: open projects they qualify for.
import { h, errorText } from '../lib/dom.js';
import { get, session } from '../lib/api.js';
import { formatCredits } from '../lib/messages.js';
import { sparkline } from '../lib/chart.js';
import { repSeries } from './account.js';

export default async function projectsView(main) {
  main.append(h('div', { class: 'page-head' }, h('h1', {}, 'Projects to label'),
    h('p', { class: 'lead' }, 'Open projects you qualify for. Pick one and label with the keyboard: ', h('kbd', {}, '1'), '–', h('kbd', {}, '9'), ' choose, ', h('kbd', {}, 'Enter'), ' submits, ', h('kbd', {}, 'S'), ' skips.')));
  if (!session.token) {
    main.append(h('section', { class: 'panel' }, h('p', {}, 'Sign in to see the projects you can label.'), h('a', { class: 'btn btn-primary', href: '#/key' }, 'Create a key & sign in')));
    return;
  }
  const box = h('div', { class: 'cards', id: 'project-list' }, h('p', {}, 'Loading…'));
  main.append(box);
  let list, me, history;
  try {
    [list, me, history] = await Promise.all([get('/v1/projects'), get('/v1/me'), get('/v1/me/reputation?limit=1000')]);
  } catch (e) { box.replaceChildren(h('p', { class: 'callout callout-fail' }, `Could not load projects: ${errorText(e)}`)); return; }
  list = Array.isArray(list) ? list : (list?.projects || []);
  const rep = new Map((me.reputation || []).map((r) => [String(r.project), r]));
  const hist = repSeries(history);
  if (!list.length) {
    box.replaceChildren(h('div', { class: 'empty panel' }, h('p', {}, 'No open projects for you right now.'),
      h('p', {}, (me.stake || 0) === 0 ? ['Many projects ask for a minimum stake: you have none yet. ', h('a', { href: '#/account' }, 'Stake some credits →')] : 'Check back soon.')));
    return;
  }
  box.replaceChildren(...list.map((p) => {
    const r = rep.get(String(p.id));
    const needStake = (p.min_stake || 0) > (me.stake || 0);
    const left = p.progress ? p.progress.open : undefined;
    return h('article', { class: 'card', 'data-project': p.id },
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
      needStake ? h('p', { class: 'callout' }, `Needs ${formatCredits(p.min_stake)} staked; you have ${formatCredits(me.stake)}. `, h('a', { href: '#/account' }, 'Stake →'))
        : h('a', { class: 'btn btn-primary', href: `#/label/${encodeURIComponent(p.id)}` }, 'Start labeling'));
  }));
}
