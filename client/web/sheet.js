// One evaluation open in the page: the 评分表 as an editable grid, with the other tabs
// (budget, findings, history, sign-off). Every edit names the revision it was based on;
// a stale one comes back ABORTED with the indicator as it is now, and the page shows
// theirs and mine side by side — nothing typed is ever dropped. Other people's edits
// arrive live: a feed notice, then the authenticated ChangesSince and GetTree.
import { Code, RpcError } from './rpc.js';
import { t } from './i18n.js';
import { h, clear, fromHundredths, toHundredths } from './dom.js';
import { errorText, toast } from './app.js';
import { Workflow } from './workflow.js';
import { BudgetPanel, FindingsPanel, HistoryPanel } from './panels.js';
import { upload, download, save } from './evidence.js';

const EDITABLE = ['actual', 'score', 'comment'];
const TEXT_FIELDS = new Set(['actual', 'comment']);
const PHASE_FINAL = 3;
// Sheets longer than this draw only the rows in view, each ROW_HEIGHT pixels high.
const VIRTUAL_MIN = 300;
const ROW_HEIGHT = 34;
const WINDOW_MARGIN = 15;
const RELOAD_MS = 15000;

export class Sheet {
  constructor(app, id) {
    this.app = app;
    this.id = id;
    this.tree = null;
    this.nodes = new Map();
    this.rows = new Map();
    this.revision = 0;
    this.tab = 'sheet';
    this.conflicts = [];
    this.drafts = new Map();
    this.pulling = null;
    this.onNotice = (ws) => {
      if (ws === this.id) this.schedulePull();
    };
    app.listeners.add(this.onNotice);
    // Claims make no revision and so no notice: the sheet is read again now and then.
    this.timer = setInterval(() => {
      if (!document.hidden) this.schedulePull();
    }, RELOAD_MS);
  }

  close() {
    this.app.listeners.delete(this.onNotice);
    clearInterval(this.timer);
    this.closed = true;
  }

  get ws() {
    return this.tree ? this.tree.workspace : null;
  }

  role() {
    const me = this.ws && this.ws.members.find((m) => m.user === this.app.user);
    return me ? me.role : 0;
  }

  mayEdit() {
    return this.ws && (this.ws.phase || 0) !== PHASE_FINAL &&
      (this.role() === 2 || this.app.admin);
  }

  render() {
    const main = clear(document.getElementById('main'));
    this.head = h('section', { class: 'sheet-head', id: 'sheet-head' });
    this.tabs = h('nav', { class: 'tabs', role: 'tablist' });
    this.body = h('section', { class: 'tab-body', id: 'tab-body' });
    this.conflictBox = h('section', { class: 'conflict', id: 'conflict', hidden: true });
    this.evidenceBox = h('section', { class: 'card evidence', id: 'evidence', hidden: true });
    main.append(h('a', { href: '#', class: 'back' }, '← ' + t('back')), this.head, this.tabs,
      this.conflictBox, this.evidenceBox, this.body);
    this.refresh(true);
  }

  async refresh(first) {
    const started = performance.now();
    let tree;
    performance.mark('jx-call');
    try {
      tree = await this.load();
      performance.mark('jx-decoded');
    } catch (e) {
      clear(this.body).append(h('p', { class: 'error', id: 'sheet-error' }, errorText(e)));
      return;
    }
    if (this.closed) return;
    this.applyTree(tree, first);
    if (first) {
      this.renderTab();
      performance.mark('jx-built');
      // For the benchmark (BENCHMARKS.md): from the call to the grid on screen.
      requestAnimationFrame(() => {
        window.jixiaoFirstRender = performance.now() - started;
        document.body.dataset.rendered = String(this.id);
      });
    }
  }

  // The sheet and jx check's warnings about it, grouped by indicator code ('' for the
  // workspace as a whole).
  async load() {
    const q = { workspace: this.id };
    const [tree, check] = await Promise.all([
      this.app.rpc.call('jixiao.Tree', 'GetTree', q),
      this.app.rpc.call('jixiao.Tree', 'Check', q).catch(() => ({ warnings: [] })),
    ]);
    tree.checks = new Map();
    for (const w of check.warnings) {
      const k = w.code || '';
      if (!tree.checks.has(k)) tree.checks.set(k, []);
      tree.checks.get(k).push(w);
    }
    return tree;
  }

  schedulePull() {
    if (this.pulling) {
      this.pullAgain = true;
      return;
    }
    this.pulling = this.pull().finally(() => {
      this.pulling = null;
      if (this.pullAgain) {
        this.pullAgain = false;
        this.schedulePull();
      }
    });
  }

  // A notice came: what changed since the revision shown, then the sheet as it is now.
  async pull() {
    try {
      const log = await this.app.rpc.call('jixiao.History', 'ChangesSince',
        { workspace: this.id, after: this.revision });
      for (const ch of log.changes) {
        if (ch.user && ch.user !== this.app.user) {
          const n = ch.after || ch.before;
          toast(t('liveChange', { who: ch.user, what: n ? `${n.code} ${n.name || ''}` : ch.what }));
        }
      }
      const tree = await this.load();
      if (!this.closed) this.applyTree(tree, false);
      if (this.panel && this.panel.refresh) this.panel.refresh();
    } catch (e) {
      if (!(e instanceof RpcError && e.code === Code.UNAVAILABLE)) toast(errorText(e), 'error');
    }
  }

  applyTree(tree, first) {
    const old = this.tree;
    this.tree = tree;
    this.revision = tree.workspace.revision;
    const sameShape = old && old.nodes.length === tree.nodes.length &&
      old.nodes.every((n, i) => n.id === tree.nodes[i].id && n.parent_id === tree.nodes[i].parent_id);
    this.nodes = new Map(tree.nodes.map((n) => [n.id, n]));
    this.parents = new Set(tree.nodes.map((n) => n.parent_id).filter((p) => p));
    this.renderHead();
    if (first || this.tab !== 'sheet' || !this.grid) return;
    if (!sameShape) this.renderGrid();
    else for (const n of tree.nodes) this.updateRow(n);
  }

  renderHead() {
    const ws = this.ws, tr = this.tree;
    const phase = ws.phase || 0;
    clear(this.head).append(
      h('h1', {}, ws.title || ws.subject,
        h('span', { class: 'sub' }, ` ${ws.fiscal_year} · ${t('kinds')[ws.kind] || ''}`)),
      h('dl', { class: 'facts' },
        h('dt', {}, t('total')), h('dd', { id: 'total', class: 'num' }, fromHundredths(tr.total)),
        h('dt', {}, t('grade')), h('dd', { id: 'grade' }, tr.grade || '—', tr.vetoed ? ` (${t('vetoed')})` : ''),
        h('dt', {}, t('weightSum')), h('dd', { class: 'num' }, fromHundredths(tr.weight)),
        h('dt', {}, t('unscored')), h('dd', { id: 'unscored', class: 'num' }, tr.unscored || 0),
        h('dt', {}, t('phase')), h('dd', { id: 'phase', dataset: { phase } }, t('phases')[phase]),
        h('dt', {}, t('revision')), h('dd', { id: 'revision', class: 'num' }, ws.revision),
        h('dt', {}, t('role')), h('dd', { id: 'role' }, this.role() ? t('roles')[this.role()] :
          (this.app.admin ? t('roles')[1] : ''))),
      ((tr.checks && tr.checks.get('')) || []).map((w) => h('p', { class: 'check-ws', dataset: { kind: w.kind } }, '⚠ ', w.text)),
      h('div', { class: 'actions downloads' },
        h('button', { id: 'export-xlsx', onclick: () => this.exportFile('xlsx') }, t('exportXlsx')),
        h('button', { id: 'export-html', onclick: () => this.exportFile('html') }, t('exportHtml'))),
    );
    const tabs = [['sheet', 'tabSheet'], ['budget', 'tabBudget'], ['findings', 'tabFindings'],
      ['history', 'tabHistory'], ['workflow', 'tabWorkflow']];
    clear(this.tabs).append(...tabs.map(([k, w]) => h('button', {
      role: 'tab', id: `tab-${k}`, 'aria-selected': String(this.tab === k),
      onclick: () => { this.tab = k; this.renderHead(); this.renderTab(); },
    }, t(w))));
  }

  renderTab() {
    this.grid = null;
    this.panel = null;
    const body = clear(this.body);
    if (this.tab === 'sheet') this.renderGrid();
    else if (this.tab === 'budget') this.panel = new BudgetPanel(this, body);
    else if (this.tab === 'findings') this.panel = new FindingsPanel(this, body);
    else if (this.tab === 'history') this.panel = new HistoryPanel(this, body);
    else this.panel = new Workflow(this, body);
  }

  // ---- the grid

  // Big sheets draw only the rows in view (and a margin), at a fixed row height; what
  // is being typed lives in this.drafts, so rows may come and go without losing it.
  renderGrid() {
    const cols = ['code', 'indicator', 'weight', 'target', 'actual', 'method', 'score', 'comment', 'status'];
    this.virtual = this.tree.nodes.length > VIRTUAL_MIN;
    this.rowH = this.rowH || ROW_HEIGHT;
    this.index = new Map(this.tree.nodes.map((n, i) => [n.id, i]));
    this.tbody = h('tbody', {});
    this.rows = new Map();
    this.range = null;
    const table = h('table', { class: 'grid' + (this.virtual ? ' virtual' : ''), id: 'sheet' },
      h('thead', {}, h('tr', {}, cols.map((c) => h('th', { class: `c-${c}` }, t(c))))), this.tbody);
    table.addEventListener('keydown', (e) => this.onKey(e));
    table.addEventListener('change', (e) => {
      if (e.target.matches('.cell')) this.commit(e.target);
    });
    table.addEventListener('input', (e) => {
      if (e.target.matches('.cell')) this.remember(e.target);
    });
    table.addEventListener('focusin', (e) => {
      if (e.target.matches('.cell')) this.focusKey = `${e.target.dataset.node}:${e.target.dataset.field}`;
    });
    const wrap = h('div', { class: 'grid-wrap' }, table);
    const old = this.grid;
    const top = old ? old.scrollTop : 0;
    if (old) old.replaceWith(wrap);
    else this.body.append(wrap);
    this.grid = wrap;
    if (this.virtual) {
      this.spacerTop = h('tr', { class: 'spacer' }, h('td', { colspan: cols.length }));
      this.spacerBottom = h('tr', { class: 'spacer' }, h('td', { colspan: cols.length }));
      this.tbody.append(this.spacerTop, this.spacerBottom);
      wrap.scrollTop = top;
      wrap.addEventListener('scroll', () => {
        if (!this.windowQueued) {
          this.windowQueued = true;
          requestAnimationFrame(() => {
            this.windowQueued = false;
            this.renderWindow();
          });
        }
      });
      this.renderWindow();
    } else {
      for (const n of this.tree.nodes) {
        const row = this.makeRow(n);
        this.rows.set(n.id, row);
        this.tbody.append(row);
      }
    }
    if (this.focusKey) {
      const [id, field] = this.focusKey.split(':');
      const inp = this.input(Number(id), field);
      if (inp) inp.focus();
    }
  }

  renderWindow() {
    const nodes = this.tree.nodes;
    const first = Math.max(0, Math.floor(this.grid.scrollTop / this.rowH) - WINDOW_MARGIN);
    const last = Math.min(nodes.length - 1,
      first + Math.ceil((this.grid.clientHeight || 800) / this.rowH) + 2 * WINDOW_MARGIN);
    const old = this.range;
    if (old && old[0] === first && old[1] === last) return;
    // Rows still in view stay in place (a focused one keeps its focus and caret).
    for (const [id, row] of this.rows) {
      const i = this.index.get(id);
      if (i < first || i > last) {
        row.remove();
        this.rows.delete(id);
      }
    }
    let before = this.spacerBottom;
    for (let i = last; i >= first; i--) {
      const n = nodes[i];
      let row = this.rows.get(n.id);
      if (!row) {
        row = this.makeRow(n);
        this.rows.set(n.id, row);
        this.tbody.insertBefore(row, before);
      }
      before = row;
    }
    // The height the rows really have (fonts differ): measured once, then drawn again.
    if (!this.rowMeasured && this.rows.size > 0) {
      this.rowMeasured = true;
      const real = this.rows.values().next().value.getBoundingClientRect().height;
      if (real > 0 && Math.abs(real - this.rowH) > 0.5) {
        this.rowH = real;
        this.range = null;
        this.renderWindow();
        return;
      }
    }
    this.spacerTop.firstChild.style.height = `${first * this.rowH}px`;
    this.spacerBottom.firstChild.style.height = `${(nodes.length - 1 - last) * this.rowH}px`;
    this.range = [first, last];
  }

  // Keeps what is typed in a cell (or forgets it once it equals what is stored).
  remember(inp) {
    const key = `${inp.dataset.node}:${inp.dataset.field}`;
    if (inp.value !== inp.dataset.base) {
      this.drafts.set(key, { value: inp.value, base: inp.dataset.base, rev: inp.dataset.rev });
    } else {
      this.drafts.delete(key);
    }
  }

  input(id, field) {
    const row = this.rows.get(id);
    return row ? row.querySelector(`.cell[data-field="${field}"]`) : null;
  }

  makeRow(n) {
    const leaf = !this.parents.has(n.id);
    const edit = this.mayEdit() && leaf;
    const cell = (field, value) => {
      if (!edit || (field === 'score' && n.computed)) {
        return h('td', { class: `c-${field}${field === 'score' ? ' num' : ''}`, dataset: { field } }, value);
      }
      // Text may hold line breaks, which an <input> would drop: those are textareas.
      const draft = this.drafts.get(`${n.id}:${field}`);
      const inp = h(TEXT_FIELDS.has(field) ? 'textarea' : 'input', {
        class: 'cell' + (field === 'score' ? ' num' : '') + (draft && draft.base !== value ? ' stale' : ''),
        value: draft ? draft.value : value, rows: TEXT_FIELDS.has(field) ? 1 : undefined,
        'aria-label': `${n.code} ${t(field)}`,
        dataset: { node: n.id, field, base: draft ? draft.base : value, rev: draft ? draft.rev : n.revision },
      });
      return h('td', { class: `c-${field}` }, inp);
    };
    const row = h('tr', { class: leaf ? 'leaf' : 'group', dataset: { node: n.id, code: n.code, depth: n.depth } },
      h('td', { class: 'c-code' }, n.code),
      h('td', { class: 'c-indicator' }, n.name || ''),
      h('td', { class: 'c-weight num' }, fromHundredths(n.weight)),
      h('td', { class: 'c-target' }, n.target || ''),
      cell('actual', n.actual || ''),
      h('td', { class: 'c-method' }, n.method || ''),
      cell('score', fromHundredths(leaf && !n.computed ? n.score : n.total)),
      cell('comment', n.comment || ''),
      h('td', { class: 'c-status' }, this.status(n, leaf)));
    return row;
  }

  status(n, leaf) {
    const out = [];
    if (n.computed) out.push(h('span', { class: 'tag computed', title: n.params || '' }, t('computed')));
    if (n.vetoed) out.push(h('span', { class: 'tag veto' }, t('vetoed')));
    if (n.note) out.push(h('span', { class: 'tag note', title: n.note }, '⚠ ' + n.note));
    for (const w of (this.tree.checks && this.tree.checks.get(n.code)) || []) {
      out.push(h('span', { class: 'tag check', title: w.text, dataset: { kind: w.kind } }, '⚠ ' + w.kind));
    }
    if (n.claimed_by) out.push(h('span', { class: 'tag claim' }, t('claimedBy') + n.claimed_by));
    if (leaf) {
      out.push(h('button', { class: 'ev', title: t('evidence'), 'aria-label': `${n.code} ${t('evidence')}`,
        onclick: () => this.showEvidence(n.id) }, `📎${n.evidence.length || ''}`));
    }
    if (leaf && n.score === undefined && !n.computed) out.push(h('span', { class: 'tag unscored' }, t('unscored')));
    return out;
  }

  // A node changed: fixed cells are rewritten; an input only when it is not being edited.
  updateRow(n) {
    const row = this.rows.get(n.id);
    if (!row) return;
    const leaf = !this.parents.has(n.id);
    const values = {
      actual: n.actual || '', comment: n.comment || '',
      score: fromHundredths(leaf && !n.computed ? n.score : n.total),
    };
    for (const field of EDITABLE) {
      const inp = row.querySelector(`.cell[data-field="${field}"]`);
      if (!inp) {
        const td = row.querySelector(`td[data-field="${field}"]`);
        if (td) td.textContent = values[field];
        continue;
      }
      const dirty = inp.value !== inp.dataset.base;
      if (!dirty) {
        inp.value = values[field];
        inp.dataset.base = values[field];
        inp.dataset.rev = n.revision;
        inp.classList.remove('stale');
      } else if (values[field] !== inp.dataset.base) {
        inp.classList.add('stale');
        inp.title = t('conflictText', { who: n.updated_by || '?', rev: n.revision });
      } else if (!dirty) {
        inp.dataset.rev = n.revision;
      }
    }
    row.querySelector('.c-indicator').textContent = n.name || '';
    row.querySelector('.c-weight').textContent = fromHundredths(n.weight);
    row.querySelector('.c-target').textContent = n.target || '';
    row.querySelector('.c-method').textContent = n.method || '';
    clear(row.querySelector('.c-status')).append(...this.status(n, leaf));
  }

  onKey(e) {
    const inp = e.target;
    if (!inp.matches || !inp.matches('.cell')) return;
    // Enter saves and goes down (Shift+Enter: a line break in text); the arrows move
    // between rows once the caret is at the text's start or end.
    const text = inp.tagName === 'TEXTAREA';
    const atStart = inp.selectionStart === 0 && inp.selectionEnd === 0;
    const atEnd = inp.selectionStart === inp.value.length;
    let step = 0;
    if (e.key === 'Enter' && !e.shiftKey) step = 1;
    else if (e.key === 'ArrowDown' && (!text || atEnd)) step = 1;
    else if (e.key === 'ArrowUp' && (!text || atStart)) step = -1;
    else if (e.key === 'Escape') {
      inp.value = inp.dataset.base;
      inp.classList.remove('error');
      this.remember(inp);
      return;
    }
    if (!step) return;
    e.preventDefault();
    if (e.key === 'Enter') this.commit(inp);
    const field = inp.dataset.field, nodes = this.tree.nodes;
    for (let i = this.index.get(Number(inp.dataset.node)) + step; i >= 0 && i < nodes.length; i += step) {
      const n = nodes[i];
      if (this.parents.has(n.id) || (field === 'score' && n.computed)) continue;
      if (this.virtual && !this.rows.has(n.id)) {
        this.grid.scrollTop = Math.max(0, (i - 3) * this.rowH);
        this.renderWindow();
      }
      const next = this.input(n.id, field);
      if (next) {
        next.focus();
        next.select();
        next.scrollIntoView({ block: 'nearest' });
      }
      return;
    }
  }

  reason() {
    if ((this.ws.phase || 0) === 0) return undefined;
    return window.prompt(t('reasonPrompt')) || undefined;
  }

  async commit(inp) {
    const field = inp.dataset.field, id = Number(inp.dataset.node);
    const value = inp.value;
    if (value === inp.dataset.base || inp.dataset.saving === value) return;
    const req = { workspace: this.id, node: { id }, base_revision: Number(inp.dataset.rev) };
    if (field === 'score') {
      if (value.trim() === '') req.clear_score = true;
      else {
        const v = toHundredths(value);
        if (v === null) {
          inp.classList.add('error');
          toast(t('badScore'), 'error');
          return;
        }
        req.score = v;
      }
    } else {
      req[field] = value;
    }
    inp.dataset.saving = value;
    inp.classList.remove('error');
    try {
      const r = await this.app.rpc.call('jixiao.Tree', 'UpdateNode', req, this.reason());
      const n = r.node;
      inp.dataset.base = value;
      inp.dataset.rev = n.revision;
      this.remember(inp);
      inp.classList.remove('stale');
      inp.classList.add('saved');
      setTimeout(() => inp.classList.remove('saved'), 800);
      this.nodes.set(n.id, Object.assign(this.nodes.get(n.id) || {}, n));
      this.schedulePull();
    } catch (e) {
      if (e instanceof RpcError && e.code === Code.ABORTED && e.output && e.output.node) {
        this.conflict(inp, field, value, e.output.node);
      } else {
        inp.classList.add('error');
        toast(errorText(e), 'error');
      }
    } finally {
      delete inp.dataset.saving;
    }
  }

  // The xlsx 评分表 or the HTML report, written by the server with jx export's code.
  async exportFile(format) {
    try {
      const r = await this.app.rpc.call('jixiao.Tree', 'Export', { workspace: this.id, format });
      save(new Blob([r.data], { type: r.mime }), r.name);
    } catch (e) {
      toast(errorText(e), 'error');
    }
  }

  // ---- evidence (佐证材料) of one indicator: its files, download and upload

  showEvidence(id) {
    this.evidenceFor = id;
    const n = this.nodes.get(id), box = clear(this.evidenceBox);
    if (!n) {
      box.hidden = true;
      return;
    }
    box.hidden = false;
    const bar = h('progress', { id: 'evidence-progress', max: 1, value: 0, hidden: true });
    const files = h('table', { class: 'list', id: 'evidence-files' },
      n.evidence.map((ev) => h('tr', {}, h('td', {}, ev.name), h('td', { class: 'num' }, `${ev.size} B`),
        h('td', {}, ev.added_by || ''), h('td', {}, h('button', { class: 'ev-get', onclick: async () => {
          bar.hidden = false;
          try {
            save(await download(this.app.rpc, this.id, ev, (f) => { bar.value = f; }), ev.name);
          } catch (e) {
            toast(t('evidenceBad') + ' ' + errorText(e), 'error');
          }
        } }, t('download'))))));
    box.append(h('h2', {}, t('evidence'), ` — ${n.code} ${n.name || ''}`),
      n.evidence.length ? files : h('p', { class: 'muted' }, t('noEvidence')), bar);
    if (this.mayEdit()) {
      const input = h('input', { type: 'file', id: 'evidence-file' });
      input.addEventListener('change', async () => {
        const f = input.files[0];
        if (!f) return;
        bar.hidden = false;
        try {
          await upload(this.app.rpc, this.id, id, f, (x) => { bar.value = x; }, this.reason());
          toast(t('saved'));
          await this.refresh(false);
          this.showEvidence(id);
        } catch (e) {
          toast(errorText(e), 'error');
        }
      });
      box.append(h('label', {}, t('upload'), input));
    }
    box.append(h('button', { onclick: () => { box.hidden = true; } }, t('cancel')));
  }

  // ---- conflicts: theirs and mine side by side; nothing is applied until I choose

  conflict(inp, field, mine, theirs) {
    this.conflicts.push({ inp, field, mine, theirs });
    if (this.conflicts.length === 1) this.showConflict();
  }

  showConflict() {
    const box = clear(this.conflictBox);
    const c = this.conflicts[0];
    if (!c) {
      box.hidden = true;
      return;
    }
    box.hidden = false;
    const th = c.theirs;
    const theirsValue = c.field === 'score' ? fromHundredths(th.score) : (th[c.field] || '');
    c.inp.classList.add('conflicted');
    const done = () => {
      c.inp.classList.remove('conflicted');
      this.conflicts.shift();
      this.showConflict();
    };
    const adopt = (base) => {
      c.inp.dataset.base = base;
      c.inp.dataset.rev = th.revision;
      this.remember(c.inp);
    };
    const buttons = h('div', { class: 'actions' },
      h('button', { id: 'keep-theirs', onclick: () => {
        adopt(theirsValue);
        c.inp.value = theirsValue;
        this.remember(c.inp);
        c.inp.classList.remove('stale');
        done();
      } }, t('keepTheirs')),
      h('button', { id: 'reapply-mine', class: 'primary', onclick: () => {
        adopt(theirsValue);
        c.inp.value = c.mine;
        this.remember(c.inp);
        done();
        this.commit(c.inp);
      } }, t('reapplyMine')));
    if (TEXT_FIELDS.has(c.field)) {
      const merged = h('textarea', { id: 'merge-text', rows: 3 }, `${theirsValue}\n${c.mine}`);
      buttons.append(h('button', { id: 'merge', onclick: () => {
        box.append(merged, h('button', { id: 'merge-save', class: 'primary', onclick: () => {
          adopt(theirsValue);
          c.inp.value = merged.value;
          this.remember(c.inp);
          done();
          this.commit(c.inp);
        } }, t('mergeSave')));
        merged.focus();
      } }, t('mergeText')));
    }
    box.append(
      h('h2', {}, t('conflictTitle'), ` — ${th.code} ${th.name || ''} · ${t(c.field)}`),
      h('p', {}, t('conflictText', { who: th.updated_by || '?', rev: th.revision })),
      h('div', { class: 'sides' },
        h('div', { class: 'side theirs' }, h('h3', {}, t('theirs'), ` (${th.updated_by || '?'})`),
          h('pre', { id: 'conflict-theirs' }, theirsValue)),
        h('div', { class: 'side mine' }, h('h3', {}, t('mine')),
          h('pre', { id: 'conflict-mine' }, c.mine))),
      buttons);
  }
}
