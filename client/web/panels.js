// The other tabs of an evaluation: budget facts with the execution rate, findings
// (存在问题 / 建议 / 经验做法), and the history (the log, a past revision, a diff).
import { t } from './i18n.js';
import { h, clear, fromHundredths, yuan, when } from './dom.js';
import { errorText, toast } from './app.js';
import { Code, RpcError } from './rpc.js';

// 万元 with up to six decimals (to the fen) as integer fen; null when it is not one.
function wanToFen(s) {
  const m = /^\s*(-?)(\d{1,9})(?:\.(\d{1,6}))?\s*$/.exec(s);
  if (!m) return null;
  const v = Number(m[2]) * 1000000 + (m[3] ? Number(m[3].padEnd(6, '0')) : 0);
  return m[1] ? -v : v;
}

function fenToWan(f) {
  if (f === undefined || f === null) return '';
  const neg = f < 0, a = Math.abs(f);
  const frac = String(a % 1000000).padStart(6, '0').replace(/0+$/, '');
  return (neg ? '-' : '') + Math.floor(a / 1000000) + (frac ? '.' + frac : '');
}

export class BudgetPanel {
  constructor(sheet, body) {
    this.sheet = sheet;
    this.body = body;
    this.refresh();
  }

  // The facts are redrawn on every change; the form is built once and a field being
  // typed in is never overwritten (its save is based on the revision it was read at).
  refresh() {
    const b = this.sheet.tree.budget || {};
    if (!this.facts) {
      clear(this.body);
      if (this.sheet.mayEdit()) this.form();
      this.facts = h('div', { id: 'budget-facts' });
      this.body.append(this.facts);
    }
    if (this.inputs) {
      const dirty = Object.values(this.inputs).some((inp) => inp.value !== inp.dataset.base);
      for (const [f, inp] of Object.entries(this.inputs)) {
        if (!dirty) {
          inp.value = fenToWan(b[f]);
          inp.dataset.base = inp.value;
        }
      }
      if (!dirty) this.rev = b.revision || 0;
    }
    const facts = clear(this.facts);
    if (b.initial === undefined && b.spent === undefined) {
      facts.append(h('p', { id: 'no-budget' }, t('noBudget')));
      return;
    }
    const adj = (b.adjustments || []).reduce((a, x) => a + x.amount, 0);
    const row = (k, v, id) => h('tr', {}, h('th', {}, t(k)), h('td', { class: 'num', id }, v));
    facts.append(h('table', { class: 'list budget', id: 'budget' },
      row('budgetInitial', yuan(b.initial)),
      row('budgetCarry', yuan(b.carry_over)),
      row('budgetAdjust', yuan(adj)),
      row('budgetFinal', yuan(b.final), 'budget-final'),
      row('budgetSpent', yuan(b.spent), 'budget-spent'),
      row('budgetRate', b.rate !== undefined ? fromHundredths(b.rate) + '%' : '', 'budget-rate'),
      row('budgetLines', yuan(b.lines_total))),
    h('p', { class: 'muted' }, t('yuan')));
  }
}

// The budget facts' form (万元): what is typed stays when the save is refused.
BudgetPanel.prototype.form = function form() {
  const fields = [['initial', 'budgetInitial'], ['carry_over', 'budgetCarry'], ['spent', 'budgetSpent']];
  this.inputs = {};
  const row = fields.map(([f, w]) => {
    const inp = h('input', { id: `budget-${f}`, class: 'num', dataset: { base: '' } });
    this.inputs[f] = inp;
    return h('label', {}, `${t(w)}（万元）`, inp);
  });
  const save = h('button', { id: 'budget-save', class: 'primary', onclick: async () => {
    const b = this.sheet.tree.budget || {};
    const next = { adjustments: b.adjustments || [], lines: b.lines || [] };
    for (const [f] of fields) {
      const v = this.inputs[f].value.trim();
      if (v === '') continue;
      const fen = wanToFen(v);
      if (fen === null) {
        toast(`${t('budgetBad')} ${v}`, 'error');
        return;
      }
      next[f] = fen;
    }
    try {
      await this.sheet.app.rpc.call('jixiao.Budgets', 'Set',
        { workspace: this.sheet.id, base_revision: this.rev || 0, budget: next }, this.sheet.reason());
      for (const inp of Object.values(this.inputs)) inp.dataset.base = inp.value;
      toast(t('saved'));
    } catch (e) {
      const stale = e instanceof RpcError && e.code === Code.ABORTED;
      toast(stale ? t('budgetConflict') : errorText(e), 'error');
      // Told, and shown the budget as it is now: the next save is based on it.
      if (stale && e.output && e.output.budget) this.rev = e.output.budget.revision || 0;
    }
    await this.sheet.refresh(false);
    this.refresh();
  } }, t('budgetSave'));
  this.body.append(h('div', { class: 'actions budget-form' }, row, save));
};

export class FindingsPanel {
  constructor(sheet, body) {
    this.sheet = sheet;
    this.body = body;
    this.refresh();
  }

  // The lists are patched in place: an edit box or the add box being typed in is never
  // replaced by a refresh (a live notice), so neither the text nor the caret is lost.
  async refresh() {
    let list;
    try {
      list = (await this.sheet.app.rpc.call('jixiao.Findings', 'List', { workspace: this.sheet.id })).findings;
    } catch (e) {
      toast(errorText(e), 'error');
      return;
    }
    if (!this.lists) this.build();
    this.current = new Map(list.map((f) => [f.id, f]));
    this.lis = this.lis || new Map();
    for (const [id, li] of this.lis) {
      if (!this.current.has(id)) {
        li.remove();
        this.lis.delete(id);
      }
    }
    for (const kind of [1, 2, 3]) {
      const ol = this.lists[kind], items = list.filter((f) => f.kind === kind);
      this.empty[kind].hidden = items.length > 0;
      items.forEach((f, i) => {
        let li = this.lis.get(f.id);
        if (li && this.editing && this.editing.has(f.id)) {
          this.note(li, f);
        } else if (!li || Number(li.dataset.rev) !== f.revision) {
          const fresh = this.item(f);
          if (li) li.replaceWith(fresh);
          li = fresh;
          this.lis.set(f.id, li);
        }
        if (ol.children[i] !== li) ol.insertBefore(li, ol.children[i] || null);
      });
    }
  }

  build() {
    const body = clear(this.body);
    this.lists = {};
    this.empty = {};
    for (const kind of [1, 2, 3]) {
      this.lists[kind] = h('ol', { class: 'findings', id: `findings-${kind}` });
      this.empty[kind] = h('p', { class: 'muted' }, t('noFindings'));
      body.append(h('h2', {}, t('findingKinds')[kind]), this.lists[kind], this.empty[kind]);
    }
    if (this.sheet.mayEdit()) {
      const kind = h('select', { id: 'finding-kind' }, [1, 2, 3].map((k) => h('option', { value: k }, t('findingKinds')[k])));
      const text = h('input', { id: 'finding-text', placeholder: t('findingText') });
      body.append(h('div', { class: 'actions' }, kind, text, h('button', { id: 'finding-add', onclick: async () => {
        try {
          await this.sheet.app.rpc.call('jixiao.Findings', 'Add',
            { workspace: this.sheet.id, kind: Number(kind.value), text: text.value }, this.sheet.reason());
          text.value = '';
          this.refresh();
        } catch (e) {
          toast(errorText(e), 'error');
        }
      } }, t('addFinding'))));
    }
  }

  // Beside an edit box: theirs, once the finding changed since the edit began.
  note(li, f) {
    const old = li.querySelector('.finding-conflict');
    if (old) old.remove();
    const draft = this.editing.get(f.id);
    if (draft.rev !== f.revision) {
      li.append(h('p', { class: 'error finding-conflict' }, t('findingConflict'), ' ',
        h('span', { class: 'theirs' }, f.text)));
    }
  }
}

// One finding: its text, and for editors an edit box that keeps what is typed through
// refreshes and a refused (stale) save, and a remove at the revision read.
FindingsPanel.prototype.item = function item(f) {
  this.editing = this.editing || new Map();
  const li = h('li', { dataset: { finding: f.id, rev: f.revision } }, f.text,
    f.indicator ? h('span', { class: 'muted' }, ` (${f.indicator})`) : null);
  if (!this.sheet.mayEdit()) return li;
  const rpc = this.sheet.app.rpc, ws = this.sheet.id;
  const call = async (method, input) => {
    try {
      await rpc.call('jixiao.Findings', method, input, this.sheet.reason());
      this.editing.delete(f.id);
      li.dataset.rev = -1;
    } catch (e) {
      toast(e instanceof RpcError && e.code === Code.ABORTED ? t('findingConflict') : errorText(e), 'error');
    }
    this.refresh();
  };
  const draft = this.editing.get(f.id);
  if (draft === undefined) {
    li.append(' ', h('button', { class: 'finding-edit', onclick: () => {
      this.editing.set(f.id, { text: f.text, rev: f.revision });
      const open = this.item(f);
      li.replaceWith(open);
      this.lis.set(f.id, open);
      const box = open.querySelector('textarea');
      box.focus();
      box.setSelectionRange(box.value.length, box.value.length);
    } }, t('edit')),
      h('button', { class: 'finding-rm', onclick: () => call('Remove', { workspace: ws, id: f.id, base_revision: f.revision }) }, t('remove')));
    return li;
  }
  const box = h('textarea', { class: 'finding-text', rows: 2 }, draft.text);
  box.addEventListener('input', () => { draft.text = box.value; });
  // Once theirs is shown beside mine, saving again is based on theirs.
  li.append(box, h('button', { class: 'finding-save primary', onclick: () => {
    const now = this.current.get(f.id) || f;
    call('Set', { workspace: ws, id: f.id, base_revision: now.revision !== draft.rev && li.querySelector('.finding-conflict') ? now.revision : draft.rev, text: box.value });
  } }, t('save')),
    h('button', { onclick: () => { this.editing.delete(f.id); li.dataset.rev = -1; this.refresh(); } }, t('cancel')));
  this.note(li, f);
  return li;
};

// The fields a diff compares, with how each is shown.
const DIFF_FIELDS = [
  ['name', 'indicator', (v) => v || ''], ['weight', 'weight', fromHundredths],
  ['target', 'target', (v) => v || ''], ['actual', 'actual', (v) => v || ''],
  ['score', 'score', fromHundredths], ['comment', 'comment', (v) => v || ''],
];

export class HistoryPanel {
  constructor(sheet, body) {
    this.sheet = sheet;
    this.body = body;
    this.refresh();
  }

  async refresh() {
    const rpc = this.sheet.app.rpc, id = this.sheet.id;
    let log;
    try {
      const head = this.sheet.revision;
      log = await rpc.call('jixiao.History', 'Log', { workspace: id, from: Math.max(1, head - 199) });
    } catch (e) {
      toast(errorText(e), 'error');
      return;
    }
    this.detail = this.detail || h('div', { id: 'history-detail' });
    const body = clear(this.body);
    const rows = log.changes.slice().reverse().map((c) => {
      const n = c.after || c.before;
      return h('tr', { dataset: { rev: c.revision } },
        h('td', { class: 'num' }, c.revision), h('td', {}, when(c.time)), h('td', {}, c.user || ''),
        h('td', {}, c.what, n ? ` ${n.code}` : '', c.reason ? ` — ${c.reason}` : ''),
        h('td', {}, h('button', { class: 'hist-view', onclick: () => this.view(c.revision) }, t('histView')),
          h('button', { class: 'hist-diff', onclick: () => this.diff(c.revision, this.sheet.revision) }, t('histDiff'))));
    });
    const from = h('input', { id: 'diff-a', class: 'num', size: 5, value: Math.max(1, this.sheet.revision - 1) });
    const to = h('input', { id: 'diff-b', class: 'num', size: 5, value: this.sheet.revision });
    body.append(h('div', { class: 'actions' }, t('histRev'), from, '→', to,
      h('button', { id: 'diff-go', onclick: () => this.diff(Number(from.value), Number(to.value)) }, t('histCompare'))));
    body.append(this.detail, h('table', { class: 'list', id: 'history' },
      h('tr', {}, ['histRev', 'histTime', 'histUser', 'histWhat', ''].map((k) => h('th', {}, k ? t(k) : ''))), rows));
  }

  async tree(at) {
    return this.sheet.app.rpc.call('jixiao.Tree', 'GetTree', { workspace: this.sheet.id, at });
  }

  async view(rev) {
    try {
      const tr = await this.tree(rev);
      clear(this.detail).append(h('h2', {}, t('histAt', { rev })),
        h('p', {}, t('total'), ' ', fromHundredths(tr.total), ' · ', t('grade'), ' ', tr.grade || '—'),
        h('table', { class: 'grid', id: 'history-sheet' },
          h('tr', {}, ['code', 'indicator', 'weight', 'actual', 'score', 'comment'].map((c) => h('th', {}, t(c)))),
          tr.nodes.map((n) => h('tr', {}, h('td', {}, n.code), h('td', {}, n.name || ''),
            h('td', { class: 'num' }, fromHundredths(n.weight)), h('td', {}, n.actual || ''),
            h('td', { class: 'num' }, fromHundredths(n.score !== undefined ? n.score : n.total)),
            h('td', {}, n.comment || '')))));
    } catch (e) {
      toast(errorText(e), 'error');
    }
  }

  async diff(a, b) {
    try {
      const [ta, tb] = await Promise.all([this.tree(a), this.tree(b)]);
      const before = new Map(ta.nodes.map((n) => [n.id, n]));
      const rows = [];
      for (const n of tb.nodes) {
        const o = before.get(n.id);
        before.delete(n.id);
        for (const [f, w, show] of DIFF_FIELDS) {
          const x = o ? show(o[f]) : '', y = show(n[f]);
          if (x !== y) rows.push(h('tr', {}, h('td', {}, n.code), h('td', {}, t(w)), h('td', { class: 'del' }, x), h('td', { class: 'ins' }, y)));
        }
      }
      for (const o of before.values()) rows.push(h('tr', {}, h('td', {}, o.code), h('td', {}, '—'), h('td', { class: 'del' }, o.name || ''), h('td', {}, '')));
      clear(this.detail).append(h('h2', {}, t('diffTitle', { a, b })),
        rows.length ? h('table', { class: 'list', id: 'history-diff' },
          h('tr', {}, h('th', {}, t('code')), h('th', {}, t('field')), h('th', {}, t('before')), h('th', {}, t('after'))), rows)
          : h('p', {}, t('noDiff')));
    } catch (e) {
      toast(errorText(e), 'error');
    }
  }
}
