// The jixiao web interface: log in with the user's own key, list the evaluations the
// user has a role in, and open one (sheet.js). Everything travels over the same RPC
// and envelope as jx (rpc.js, wire.js); nothing here trusts the server for what a
// person signs (digest.js).
import { Wire } from './wire.js';
import { Rpc, Feed, Code, RpcError } from './rpc.js';
import * as keys from './keys.js';
import { t, toggleLang, lang } from './i18n.js';
import { h, clear, fromHundredths } from './dom.js';
import { Sheet } from './sheet.js';

export const app = {
  wire: null, rpc: null, feed: null, key: null, user: null, admin: false,
  serverKey: null, view: null, listeners: new Set(),
};

const main = () => document.getElementById('main');

export function errorText(e) {
  if (e instanceof RpcError) {
    const head = t('errors')[e.code] || `#${e.code}`;
    return e.message ? `${head}：${e.message}` : head;
  }
  return String((e && e.message) || e);
}

let toastTimer = null;
export function toast(text, kind = 'info') {
  const el = document.getElementById('toast');
  el.textContent = text;
  el.className = 'toast ' + kind;
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { el.hidden = true; }, kind === 'error' ? 8000 : 3000);
}

function renderBar() {
  const bar = clear(document.getElementById('bar'));
  document.title = `绩效 jixiao — ${t('title')}`;
  bar.append(...[
    h('span', { class: 'brand' }, '绩效 jixiao'),
    h('span', { class: 'who', id: 'who' }, app.user ? `${app.user}${app.admin ? ' (admin)' : ''}` : ''),
    h('button', { id: 'lang', onclick: () => { toggleLang(); renderBar(); rerender(); } }, t('lang')),
    app.user ? h('button', { id: 'logout', onclick: logout }, t('logout')) : null,
  ].filter((x) => x));
}

function rerender() {
  if (app.view && app.view.render) app.view.render();
}

async function connect() {
  app.rpc = new Rpc(app.wire);
  app.rpc.onclose = reconnect;
  await app.rpc.connect();
}

let reconnecting = false;
async function reconnect() {
  if (reconnecting) return;
  reconnecting = true;
  toast(t('disconnected'), 'error');
  for (;;) {
    await new Promise((r) => setTimeout(r, 1000));
    try {
      await connect();
      if (app.key && app.user) await keys.login(app.rpc, app.key, app.serverKey);
      break;
    } catch (e) { /* try again */ }
  }
  reconnecting = false;
  if (app.view && app.view.refresh) app.view.refresh();
}

function setView(v) {
  const loading = document.getElementById('loading');
  if (loading) loading.remove();
  if (app.view && app.view.close) app.view.close();
  app.view = v;
  v.render();
}

// ---- the key and the login

class KeyView {
  constructor(message) {
    this.message = message;
  }

  render() {
    const m = clear(main());
    const box = h('section', { class: 'card', id: 'keyview' }, h('h1', {}, t('keyTitle')));
    m.append(box);
    if (this.message) box.append(h('p', { class: 'error', id: 'login-error' }, this.message));
    if (!app.key) {
      const name = h('input', { id: 'key-name', value: localStorage.getItem('jixiao.name') || '' });
      const file = h('input', { id: 'key-file', type: 'file' });
      file.addEventListener('change', () => this.importFile(file.files[0], name.value));
      box.append(
        h('p', {}, t('keyNone')),
        h('label', {}, t('keyName'), name),
        h('button', { id: 'key-create', class: 'primary', onclick: () => this.create(name.value) },
          t('keyCreate')),
        h('label', { class: 'import' }, t('keyImport'), file),
      );
      return;
    }
    const line = keys.publicLine(app.key);
    const fp = h('code', { id: 'key-fp' });
    keys.fingerprint(app.key.publicKey).then((f) => { fp.textContent = f; });
    box.append(
      h('p', {}, t('keyLine')),
      h('textarea', { id: 'public-line', readonly: true, rows: 2 }, line),
      h('p', {}, t('keyAdmin'), ' ', h('code', {}, `jx user add ${app.key.name || 'NAME'} '${line}'`)),
      h('p', {}, t('keyFp'), ' ', fp),
      h('div', { class: 'actions' },
        h('button', { id: 'login', class: 'primary', onclick: () => doLogin() }, t('login')),
        h('button', { id: 'key-forget', onclick: () => this.forget() }, t('keyForget'))),
    );
  }

  async create(name) {
    name = (name || '').trim().replace(/\s+/g, '-') || 'web';
    localStorage.setItem('jixiao.name', name);
    try {
      app.key = await keys.createKey(name);
    } catch (e) {
      this.message = t('noEd25519') + ' ' + errorText(e);
    }
    this.render();
  }

  async importFile(f, name) {
    if (!f) return;
    try {
      app.key = await keys.importKeyFile(await f.text(), (name || '').trim() || 'jx');
      this.message = null;
    } catch (e) {
      this.message = e.message === 'damaged-key' ? t('damagedKey') : t('notAKey');
    }
    this.render();
  }

  async forget() {
    await keys.forgetKey();
    app.key = null;
    this.render();
  }
}

function pinned() {
  const v = localStorage.getItem('jixiao.server:' + location.host);
  if (!v) return null;
  return Uint8Array.from(v.match(/../g).map((x) => parseInt(x, 16)));
}

async function doLogin() {
  try {
    const r = await keys.login(app.rpc, app.key, pinned());
    performance.mark('jx-login');
    app.user = r.user;
    app.admin = r.admin;
    app.serverKey = r.serverKey;
    localStorage.setItem('jixiao.server:' + location.host, keys.hex(r.serverKey));
    renderBar();
    startFeed();
    route();
  } catch (e) {
    let msg = errorText(e);
    if (e instanceof RpcError && e.code === Code.UNAUTHENTICATED) msg = t('notRegistered');
    else if (e.message === 'server-unproven') msg = t('serverUnproven');
    else if (e.message === 'server-changed') msg = t('serverChanged');
    setView(new KeyView(msg));
  }
}

async function logout() {
  app.user = null;
  if (app.feed) app.feed.stop();
  app.feed = null;
  app.rpc.onclose = null;
  app.rpc.close();
  await connect();
  renderBar();
  location.hash = '';
  setView(new KeyView(null));
}

function startFeed() {
  if (app.feed) return;
  app.feed = new Feed(app.wire, (ws) => {
    for (const fn of app.listeners) fn(ws);
  });
  app.feed.start();
}

// ---- the list of workspaces

class ListView {
  render() {
    const m = clear(main());
    this.table = h('table', { class: 'list', id: 'ws-list' });
    m.append(h('section', { class: 'card' }, h('h1', {}, t('workspaces')), this.table));
    this.refresh();
  }

  async refresh() {
    let list;
    try {
      list = (await app.rpc.call('jixiao.Workspaces', 'List', {})).workspaces;
    } catch (e) {
      toast(errorText(e), 'error');
      return;
    }
    const tb = clear(this.table);
    if (list.length === 0) {
      tb.append(h('tr', {}, h('td', { id: 'no-workspaces' }, t('noWorkspaces'))));
      return;
    }
    tb.append(h('tr', {}, ['subject', 'year', 'kind', 'phase', 'role', 'total', 'grade'].map(
      (k) => h('th', {}, t(k)))));
    for (const ws of list) {
      const total = h('td', { class: 'num' }), grade = h('td');
      const me = ws.members.find((m) => m.user === app.user);
      const row = h('tr', { class: 'ws-row', tabindex: 0, dataset: { ws: ws.id },
        onclick: () => { location.hash = `#ws/${ws.id}`; },
        onkeydown: (e) => { if (e.key === 'Enter') location.hash = `#ws/${ws.id}`; } },
      h('td', {}, h('a', { href: `#ws/${ws.id}` }, ws.title || ws.subject)),
      h('td', {}, ws.fiscal_year), h('td', {}, t('kinds')[ws.kind] || ''),
      h('td', {}, t('phases')[ws.phase || 0]),
      h('td', {}, me ? t('roles')[me.role] : (app.admin ? t('roles')[1] : '')), total, grade);
      tb.append(row);
      app.rpc.call('jixiao.Tree', 'GetTree', { workspace: ws.id }).then((tr) => {
        total.textContent = fromHundredths(tr.total);
        grade.textContent = tr.grade || '';
      }).catch(() => {});
    }
  }
}

function route() {
  if (!app.user) return;
  const m = /^#ws\/(\d+)/.exec(location.hash);
  if (m) setView(new Sheet(app, Number(m[1])));
  else setView(new ListView());
}

window.addEventListener('hashchange', route);

async function start() {
  document.documentElement.lang = lang() === 'en' ? 'en' : 'zh-CN';
  renderBar();
  if (!keys.supported()) {
    main().append(h('p', { class: 'error' }, t('needSecure')));
    return;
  }
  try {
    app.wire = await Wire.load();
    performance.mark('jx-wire');
    await connect();
    performance.mark('jx-connected');
  } catch (e) {
    console.error('jixiao: cannot start', e);
    main().append(h('p', { class: 'error', id: 'connect-error' }, `${t('errors')[14]} (${errorText(e)})`));
    return;
  }
  app.key = await keys.loadKey();
  if (app.key) await doLogin();
  else setView(new KeyView(null));
}

start();
