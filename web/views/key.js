// web/views/key.js — the labeler's key and sign-in; requesters can paste an API token.
import { h, clear, toast, errorText, download, readFile } from '../lib/dom.js';
import { post, get, session } from '../lib/api.js';
import { generateKey, saveKey, loadKey, deleteKey, exportKeyFile, importKeyFile, sign } from '../lib/keys.js';
import { loginMessage } from '../lib/messages.js';

export async function signInWithKey(key) {
  const ch = await post('/v1/auth/challenge', { public_key: key.publicHex }, { auth: false });
  const signature = await sign(key, loginMessage(ch.challenge));
  const r = await post('/v1/auth/login', { public_key: key.publicHex, challenge: ch.challenge, signature }, { auth: false });
  session.set(r.token, { id: r.account?.id, roles: r.account?.roles || [], public_key: key.publicHex, via: 'key', expires_at: r.expires_at });
  window.dispatchEvent(new Event('lc:session'));
  return r;
}

export async function signInWithToken(token) {
  session.set(token, { via: 'token' });
  try {
    const me = await get('/v1/me');
    session.set(token, { id: me.id, roles: me.roles || [], public_key: me.public_key, via: 'token' });
    window.dispatchEvent(new Event('lc:session'));
    return me;
  } catch (e) { session.clear(); window.dispatchEvent(new Event('lc:session')); throw e; }
}

export default async function keyView(main) {
  const body = h('div', {});
  main.append(h('div', { class: 'page-head' }, h('h1', {}, 'Your key'),
    h('p', { class: 'lead' }, 'Labelers sign in and sign every vote with an Ed25519 key that lives in this browser. labelchain only ever sees the public half.')), body);
  await render();

  async function render() {
    const key = await loadKey().catch(() => null);
    clear(body);
    body.append(h('div', { class: 'grid-2' }, key ? haveKey(key) : createKey(), tokenPanel()));
  }

  function createKey() {
    const err = h('p', { class: 'callout callout-fail', role: 'alert', hidden: true });
    const file = h('input', { type: 'file', id: 'key-import', accept: '.json,application/json', class: 'visually-hidden' });
    file.addEventListener('change', async () => {
      try {
        const k = await importKeyFile(await readFile(file.files[0]));
        await saveKey(k); toast('Key imported.', 'ok'); await render();
      } catch (e) { err.hidden = false; err.textContent = errorText(e); }
    });
    return h('section', { class: 'panel stack', 'aria-labelledby': 'new-key-h' },
      h('h2', { id: 'new-key-h' }, 'Create a key'),
      h('fieldset', { class: 'radio-cards' }, h('legend', { class: 'visually-hidden' }, 'Kind of key'),
        h('label', {}, h('input', { type: 'radio', name: 'kind', value: 'local', checked: true }),
          h('span', {}, h('strong', {}, 'Browser-only (recommended)'), 'Non-extractable: the private key can never be read out, not even by this page. If you clear this browser\'s data, the key — and its stake — are gone.')),
        h('label', {}, h('input', { type: 'radio', name: 'kind', value: 'exportable' }),
          h('span', {}, h('strong', {}, 'Exportable'), 'You can save it to a file and use it on another device. Anyone who gets that file can vote and unstake as you.'))),
      h('div', { class: 'actions' },
        h('button', { class: 'btn btn-primary', type: 'button', id: 'create-key', onclick: async (e) => {
          const exportable = e.target.closest('section').querySelector('input[name=kind]:checked').value === 'exportable';
          try {
            const k = await generateKey(exportable);
            await saveKey(k);
            toast('Key created.', 'ok');
            window.dispatchEvent(new Event('lc:session'));
            await render();
          } catch (ex) { err.hidden = false; err.textContent = `Could not create an Ed25519 key: ${errorText(ex)}`; }
        } }, 'Create key'),
        h('label', { for: 'key-import', class: 'btn', tabindex: '0', onkeydown: (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); file.click(); } } }, 'Import key file…'), file),
      err);
  }

  function haveKey(key) {
    const err = h('p', { class: 'callout callout-fail', role: 'alert', hidden: true });
    const signedIn = session.token && session.info?.public_key === key.publicHex;
    return h('section', { class: 'panel stack', 'aria-labelledby': 'key-h' },
      h('h2', { id: 'key-h' }, 'Key in this browser'),
      h('dl', { class: 'kv' },
        h('dt', {}, 'Public key'), h('dd', { class: 'mono', id: 'public-key' }, key.publicHex),
        h('dt', {}, 'Created'), h('dd', {}, new Date(key.created).toLocaleString()),
        h('dt', {}, 'Export'), h('dd', {}, key.exportable ? h('span', { class: 'pill pill-warn' }, 'exportable') : h('span', { class: 'pill pill-ok' }, 'browser-only'))),
      signedIn ? h('p', { class: 'callout callout-info' }, 'Signed in with this key. ', h('a', { href: '#/projects' }, 'Go label →'))
        : h('div', { class: 'actions' }, h('button', { class: 'btn btn-primary', type: 'button', id: 'sign-in', onclick: async (e) => {
          e.target.disabled = true; err.hidden = true;
          try { await signInWithKey(key); location.hash = '#/projects'; }
          catch (ex) { err.hidden = false; err.textContent = `Sign-in failed: ${errorText(ex)}`; e.target.disabled = false; }
        } }, 'Sign in with this key')),
      key.exportable
        ? h('div', { class: 'stack' }, h('p', { class: 'callout' }, h('strong', {}, 'Keep the file secret. '), 'It holds your private key unencrypted: whoever has it can vote and unstake as you.'),
          h('div', { class: 'actions' }, h('button', { class: 'btn', type: 'button', id: 'export-key', onclick: async () => {
            try { download(`labelchain-key-${key.publicHex.slice(0, 8)}.json`, await exportKeyFile(key), 'application/json'); } catch (ex) { toast(errorText(ex), 'error'); }
          } }, 'Export key file')))
        : h('p', { class: 'hint' }, 'This key is browser-only: it cannot be exported. To label from another device, create a separate key there.'),
      h('details', {}, h('summary', {}, 'Remove this key'),
        h('p', { class: 'callout callout-fail' }, 'Removing the key signs you out. Unless you exported it, the account behind it — balance and stake — can never be used again.'),
        h('button', { class: 'btn btn-danger', type: 'button', onclick: async () => {
          if (!confirm('Remove the key from this browser?')) return;
          await deleteKey(); session.clear(); window.dispatchEvent(new Event('lc:session')); await render();
        } }, 'Remove key')),
      err);
  }

  function tokenPanel() {
    const input = h('input', { type: 'password', id: 'api-token', autocomplete: 'off', class: 'mono', placeholder: 'paste the token labelctl printed' });
    const err = h('p', { class: 'callout callout-fail', role: 'alert', hidden: true });
    return h('section', { class: 'panel stack', 'aria-labelledby': 'tok-h' },
      h('h2', { id: 'tok-h' }, 'Requester? Use an API token'),
      h('p', { class: 'hint' }, 'Operators create requester accounts with ', h('code', {}, 'labelctl account create --role requester --name NAME'), ', which prints a token.'),
      h('form', { class: 'stack', onsubmit: async (e) => {
        e.preventDefault(); err.hidden = true;
        try { await signInWithToken(input.value.trim()); location.hash = '#/requester'; }
        catch (ex) { err.hidden = false; err.textContent = `That token does not work: ${errorText(ex)}`; }
      } }, h('div', { class: 'field' }, h('label', { for: 'api-token' }, 'API token'), input),
      h('div', { class: 'actions' }, h('button', { class: 'btn', type: 'submit', id: 'token-sign-in' }, 'Sign in with token'))), err);
  }
}
