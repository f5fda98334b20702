// web/views/home.js — the start page: three ways in.
import { h } from '../lib/dom.js';
import { session } from '../lib/api.js';

export default function home(main) {
  const signedIn = !!session.token;
  main.append(
    h('div', { class: 'page-head' }, h('h1', {}, 'Labels you can check'),
      h('p', { class: 'lead' }, 'labelchain is a data-labeling market: requesters fund projects, labelers stake credits and sign every vote with their own key, a stake-weighted reputation model settles each task, and every final label lands in a Merkle log anchored on chain.')),
    h('div', { class: 'cards' },
      h('a', { class: 'card', href: signedIn ? '#/projects' : '#/key' }, h('h2', {}, 'Label'), h('p', {}, 'Create a key in this browser, stake, and label tasks with the keyboard. Agreeing with a confident consensus earns credits.'), h('span', { class: 'linklike' }, signedIn ? 'Open projects →' : 'Create a key & sign in →')),
      h('a', { class: 'card', href: '#/requester' }, h('h2', {}, 'Request labels'), h('p', {}, 'Create a project, fund its escrow, upload tasks as JSON or NDJSON, watch progress and download the labels.'), h('span', { class: 'linklike' }, 'Requester console →')),
      h('a', { class: 'card', href: '#/verify' }, h('h2', {}, 'Verify a label'), h('p', {}, 'Paste a proof: your browser recomputes the Merkle path and checks the anchor transaction on chain. No account needed.'), h('span', { class: 'linklike' }, 'Open the verifier →'))));
}
