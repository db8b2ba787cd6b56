// The sign-off tab: submit (evaluator), the unit's comments, sign-off and reopen
// (reviewers). A signature covers the digest the page computes itself from the exact
// stored bytes of Workflow.Content, and the page shows what those bytes decode to
// before the user signs: it never signs a digest the server computed.
import { t } from './i18n.js';
import { h, clear, fromHundredths, when } from './dom.js';
import { errorText, toast } from './app.js';
import { contentDigest, decodeContent, statement } from './digest.js';
import { hex, sign } from './keys.js';

const ROLE_EVALUATOR = 2, ROLE_REVIEWER = 3, ROLE_UNIT = 4;
const DRAFT = 0, SUBMITTED = 1, COMMENTS = 2, FINAL = 3;

export class Workflow {
  constructor(sheet, body) {
    this.sheet = sheet;
    this.body = body;
    // A redraw waits while a field is being typed in, and happens when it is left.
    body.addEventListener('focusout', () => setTimeout(() => {
      if (this.pending && !this.typing()) this.refresh();
    }, 0));
    this.render();
  }

  typing() {
    const el = document.activeElement;
    return el && this.body.contains(el) && (el.tagName === 'TEXTAREA' || el.tagName === 'INPUT');
  }

  refresh() {
    if (this.signing) return;
    this.pending = this.typing();
    if (!this.pending) this.render();
  }

  render() {
    const ws = this.sheet.ws, role = this.sheet.role();
    const phase = ws.phase || DRAFT;
    const body = clear(this.body);
    const actions = h('div', { class: 'actions', id: 'workflow-actions' });
    if (role === ROLE_EVALUATOR && phase === DRAFT) {
      actions.append(h('button', { id: 'submit', class: 'primary', onclick: () => this.prepare('submit') }, t('submit')));
    }
    if (role === ROLE_REVIEWER && phase === SUBMITTED) {
      actions.append(h('button', { id: 'signoff', class: 'primary', onclick: () => this.prepare('signoff') }, t('signoff')));
    }
    if ((role === ROLE_REVIEWER || role === ROLE_EVALUATOR) && phase === COMMENTS) {
      actions.append(h('button', { id: 'end-comments', onclick: () => this.call('EndComments', { workspace: ws.id }) }, t('endComments')));
    }
    if (role === ROLE_UNIT && phase === COMMENTS) {
      // Kept across redraws (a live notice), so what is typed stays.
      const text = this.commentBox = this.commentBox || h('textarea', { id: 'comment-text', rows: 3 });
      actions.append(text, h('button', { id: 'comment', onclick: () => this.call('Comment', { workspace: ws.id, text: text.value }) }, t('commentBtn')));
    }
    if (role === ROLE_REVIEWER && phase === FINAL) {
      const reason = this.reasonBox = this.reasonBox || h('input', { id: 'reopen-reason', placeholder: t('reopenReason') });
      actions.append(reason, h('button', { id: 'reopen', onclick: () => this.call('Reopen', { workspace: ws.id, reason: reason.value }) }, t('reopen')));
    }
    this.preview = h('div', { id: 'sign-preview' });
    const sigs = h('table', { class: 'list', id: 'signatures' },
      h('tr', {}, h('th', {}, t('kind')), h('th', {}, t('histUser')), h('th', {}, t('revision')), h('th', {}, t('histTime'))),
      ws.signatures.map((s) => h('tr', {}, h('td', {}, s.kind === 'submit' ? t('submit') : t('signoff')),
        h('td', {}, s.user), h('td', { class: 'num' }, s.revision), h('td', {}, when(s.time)))));
    body.append(h('p', {}, t('phase'), '：', h('strong', { id: 'wf-phase' }, t('phases')[phase])),
      actions, this.preview, h('h2', {}, t('signatures')), sigs);
  }

  async call(method, input) {
    try {
      await this.sheet.app.rpc.call('jixiao.Workflow', method, input);
      await this.sheet.refresh(false);
      this.render();
    } catch (e) {
      toast(errorText(e), 'error');
    }
  }

  // Fetches the exact bytes signed, shows what they say, and waits for the user.
  async prepare(kind) {
    const ws = this.sheet.ws;
    let content;
    try {
      // A submission signs the sheet as it is now; a sign-off, what was submitted.
      const at = kind === 'signoff' ? ws.submitted_revision : ws.revision;
      content = await this.sheet.app.rpc.call('jixiao.Workflow', 'Content', { workspace: ws.id, at });
    } catch (e) {
      toast(errorText(e), 'error');
      return;
    }
    const shown = decodeContent(this.sheet.app.wire, content);
    const digest = contentDigest(content);
    this.signing = true;
    const rows = shown.nodes.map((n) => h('tr', {},
      h('td', {}, n.code), h('td', {}, n.name || ''), h('td', { class: 'num' }, fromHundredths(n.weight)),
      h('td', {}, n.actual || ''), h('td', { class: 'num' }, fromHundredths(n.score)), h('td', {}, n.comment || '')));
    clear(this.preview).append(
      h('h2', {}, t('signTitle'), ` — ${shown.header.subject} ${shown.header.fiscal_year} · ${t('revision')} ${content.revision}`),
      h('table', { class: 'grid signed', id: 'signed-content' },
        h('tr', {}, ['code', 'indicator', 'weight', 'actual', 'score', 'comment'].map((c) => h('th', {}, t(c)))), rows),
      h('p', {}, t('signDigest'), '：', h('code', { id: 'sign-digest' }, hex(digest))),
      h('div', { class: 'actions' },
        h('button', { id: 'sign-confirm', class: 'primary', onclick: () => this.sign(kind, content, digest) }, t('signConfirm')),
        h('button', { id: 'sign-cancel', onclick: () => { this.signing = false; this.render(); } }, t('cancel'))));
  }

  async sign(kind, content, digest) {
    const app = this.sheet.app;
    try {
      const sig = await sign(app.key, statement(kind, digest));
      await app.rpc.call('jixiao.Workflow', kind === 'submit' ? 'Submit' : 'SignOff',
        { workspace: content.workspace, revision: content.revision, digest, signature: sig });
      toast(t('signed'));
    } catch (e) {
      toast(t('signMismatch') + errorText(e), 'error');
    }
    this.signing = false;
    await this.sheet.refresh(false);
    this.render();
  }
}
