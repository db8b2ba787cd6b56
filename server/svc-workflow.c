/*
 * The Workflow service: draft → submitted → (the unit's comment round) → final, and
 * final → reopened as the next version's draft. A submission and each sign-off are
 * Ed25519 signatures over the canonical digest of the workspace at one revision
 * (common/digest.h); the server recomputes the digest from what it stores and checks
 * the signature with the signer's registered key before it records anything.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "auth.h"
#include "digest.h"
#include "err.h"
#include "proto/jixiao.pb-c.h"
#include "rpc.h"
#include "scoresheet.h"
#include "svc.h"
#include "text.h"
#include "workspace.h"

#define SIGNATURES_MAX 256
#define SIGNOFFS_MAX 5
#define REASON_MAX 2048

/*
 * The parts of the digest of workspace id at revision at (0: now) as the server stores
 * them, with the revision and chain head they are at. Release p with
 * digest_parts_free, also after a failure.
 */
static int
workflow_parts(struct rpc_call *c, uint64_t id, uint64_t at, struct digest_parts *p,
    uint64_t *revision, uint8_t head[DIGEST_LEN])
{
	struct scoresheet sh;
	Jixiao__Finding **findings = NULL;
	size_t nf = 0;
	int rv;

	memset(p, 0, sizeof(*p));
	if ((rv = scoresheet_load(c, id, at, &sh)) == 0 &&
	    (rv = svc_findings_load(c, id, at != 0 ? at : sh.ws->revision, &findings, &nf)) == 0) {
		*revision = at != 0 ? at : sh.ws->revision;
		memcpy(head, sh.head, DIGEST_LEN);
		if (!sh.reply.has_head || digest_parts(sh.ws, (Jixiao__Node *const *)sh.reply.nodes,
		    sh.reply.n_nodes, sh.reply.budget, (Jixiao__Finding *const *)findings, nf,
		    p) != 0) {
			rpc_call_fail(c, JX_EINTERNAL, "the digest of revision %" PRIu64 " cannot be "
			    "computed", *revision);
			rv = JX_EINTERNAL;
		}
	}
	scoresheet_free(&sh);
	svc_findings_free(findings, nf);
	return rv;
}

/* The digest of workspace id at revision at, as the server stores it. */
static int
workflow_digest(struct rpc_call *c, uint64_t id, uint64_t at, uint8_t out[DIGEST_LEN])
{
	struct digest_parts p;
	uint8_t head[DIGEST_LEN];
	uint64_t revision;
	int rv;

	if ((rv = workflow_parts(c, id, at, &p, &revision, head)) == 0)
		digest_of_parts(id, revision, head, &p, out);
	digest_parts_free(&p);
	return rv;
}

static const char *
workflow_phase_words(const Jixiao__Workspace *ws)
{
	switch (ws->phase) {
	case JIXIAO__PHASE__PHASE_SUBMITTED:
		return "submitted and awaiting sign-off";
	case JIXIAO__PHASE__PHASE_COMMENT_ROUND:
		return "in the unit's comment round";
	case JIXIAO__PHASE__PHASE_FINAL:
		return "final";
	default:
		return "a draft";
	}
}

static uint32_t
workflow_version(const Jixiao__Workspace *ws)
{
	return ws->has_version && ws->version > 0 ? ws->version : 1;
}

/* The submission of the current version at the submitted revision, or NULL. */
static const Jixiao__Signature *
workflow_submission(const Jixiao__Workspace *ws)
{
	for (size_t i = ws->n_signatures; i-- > 0;) {
		const Jixiao__Signature *s = ws->signatures[i];
		if (strcmp(s->kind, DIGEST_SUBMIT) == 0 && s->revision == ws->submitted_revision &&
		    s->has_version && s->version == workflow_version(ws))
			return s;
	}
	return NULL;
}

/*
 * Checks a signature request from the caller for revision rev with the digest the
 * server computes, and appends the signature to ws (borrowing in's bytes: the caller
 * pops it with workflow_pop before freeing ws). Fails the call on any mismatch.
 */
static int
workflow_sign(struct rpc_call *c, Jixiao__Workspace *ws, const Jixiao__SignRequest *in,
    const char *kind, Jixiao__Signature *sig, Jixiao__Signature ***saved)
{
	uint8_t digest[DIGEST_LEN];
	Jixiao__Signature **list;
	Jixiao__User *u = NULL;
	int rv;

	if (in->digest.len != DIGEST_LEN || in->signature.len != KEY_SIG_LEN) {
		rpc_call_fail(c, JX_EINVAL, "a signature is 64 bytes over a 32-byte digest");
		return JX_EINVAL;
	}
	if (ws->n_signatures >= SIGNATURES_MAX) {
		rpc_call_fail(c, JX_ENOSPC, "workspace %" PRIu64 " has %d signatures already",
		    ws->id, SIGNATURES_MAX);
		return JX_ENOSPC;
	}
	if ((rv = workflow_digest(c, ws->id, in->revision, digest)) != 0)
		return rv;
	if (sodium_memcmp(digest, in->digest.data, DIGEST_LEN) != 0) {
		rpc_call_fail(c, JX_EINVAL, "the digest signed is not the digest of workspace %"
		    PRIu64 " at revision %" PRIu64 "; nothing was recorded", ws->id, in->revision);
		return JX_EINVAL;
	}
	if (auth_user_get(rpc_call_txn(c), rpc_call_store(c), rpc_call_user(c), &u) != 0) {
		rpc_call_fail(c, JX_EUNAUTH, "%s is not a registered user", rpc_call_user(c));
		return JX_EUNAUTH;
	}
	if (u->public_key.len != KEY_PUBLIC_LEN || digest_verify(kind, digest, u->public_key.data,
	    in->signature.data, in->signature.len) != 0) {
		jixiao__user__free_unpacked(u, NULL);
		rpc_call_fail(c, JX_EINVAL, "the signature does not verify with %s's registered "
		    "key; nothing was recorded", rpc_call_user(c));
		return JX_EINVAL;
	}
	if ((list = calloc(ws->n_signatures + 1, sizeof(*list))) == NULL) {
		jixiao__user__free_unpacked(u, NULL);
		rpc_call_fail(c, JX_EINTERNAL, "out of memory");
		return JX_EINTERNAL;
	}
	if (ws->n_signatures > 0)
		memcpy(list, ws->signatures, ws->n_signatures * sizeof(*list));
	sig->kind = (char *)kind;
	sig->user = (char *)rpc_call_user(c);
	/* The registered key, copied: u is freed below. */
	sig->public_key.len = KEY_PUBLIC_LEN;
	sig->public_key.data = malloc(KEY_PUBLIC_LEN);
	if (sig->public_key.data == NULL) {
		free(list);
		jixiao__user__free_unpacked(u, NULL);
		rpc_call_fail(c, JX_EINTERNAL, "out of memory");
		return JX_EINTERNAL;
	}
	memcpy(sig->public_key.data, u->public_key.data, KEY_PUBLIC_LEN);
	jixiao__user__free_unpacked(u, NULL);
	sig->revision = in->revision;
	sig->digest = in->digest;
	sig->signature = in->signature;
	sig->has_time = 1;
	sig->time = rpc_call_now(c);
	sig->has_version = 1;
	sig->version = workflow_version(ws);
	list[ws->n_signatures] = sig;
	*saved = ws->signatures;
	ws->signatures = list;
	ws->n_signatures++;
	return JX_OK;
}

/* Undoes workflow_sign's borrowing before ws is freed. */
static void
workflow_pop(Jixiao__Workspace *ws, Jixiao__Signature *sig, Jixiao__Signature **saved)
{
	free(sig->public_key.data);
	sig->public_key.data = NULL;
	if (ws != NULL && ws->signatures != saved) {
		free(ws->signatures);
		ws->signatures = saved;
		ws->n_signatures--;
	}
}

static void
svc_workflow_submit(Jixiao__Workflow_Service *service, const Jixiao__SignRequest *in,
    Jixiao__WorkspaceReply_Closure closure, void *data)
{
	Jixiao__WorkspaceReply out = JIXIAO__WORKSPACE_REPLY__INIT;
	Jixiao__Change change = JIXIAO__CHANGE__INIT;
	Jixiao__Signature sig = JIXIAO__SIGNATURE__INIT, **saved = NULL;
	Jixiao__Workspace *ws = NULL;
	struct rpc_call *c = data;
	int signed_ = 0;

	if (workspace_load(c, in->workspace, &ws) != 0)
		goto out;
	if (ws->state != JIXIAO__WORKSPACE_STATE__ACTIVE || ws->phase != JIXIAO__PHASE__PHASE_DRAFT) {
		rpc_call_fail(c, JX_EPRECOND, "workspace %" PRIu64 " is %s; only a draft is "
		    "submitted", ws->id, ws->state != JIXIAO__WORKSPACE_STATE__ACTIVE ? "archived" :
		    workflow_phase_words(ws));
		goto out;
	}
	if (in->revision != ws->revision) {
		rpc_call_fail(c, JX_EABORTED, "workspace %" PRIu64 " changed since revision %" PRIu64
		    " (it is at %" PRIu64 " now): read it again, check it, and submit that",
		    ws->id, in->revision, ws->revision);
		goto out;
	}
	if (workflow_sign(c, ws, in, DIGEST_SUBMIT, &sig, &saved) != 0)
		goto out;
	signed_ = 1;
	ws->has_phase = 1;
	ws->phase = ws->has_comment_round && ws->comment_round ?
	    JIXIAO__PHASE__PHASE_COMMENT_ROUND : JIXIAO__PHASE__PHASE_SUBMITTED;
	ws->has_submitted_revision = 1;
	ws->submitted_revision = in->revision;
	change.what = "workflow.submit";
	change.workspace_after = ws;
	if (workspace_record(c, ws, &change) == 0)
		out.workspace = ws;
out:
	closure(&out, data);
	if (signed_)
		workflow_pop(ws, &sig, saved);
	if (ws != NULL)
		jixiao__workspace__free_unpacked(ws, NULL);
}

static void
svc_workflow_sign_off(Jixiao__Workflow_Service *service, const Jixiao__SignRequest *in,
    Jixiao__WorkspaceReply_Closure closure, void *data)
{
	Jixiao__WorkspaceReply out = JIXIAO__WORKSPACE_REPLY__INIT;
	Jixiao__Change change = JIXIAO__CHANGE__INIT;
	Jixiao__Signature sig = JIXIAO__SIGNATURE__INIT, **saved = NULL;
	const Jixiao__Signature *sub;
	Jixiao__Workspace *ws = NULL;
	struct rpc_call *c = data;
	uint32_t need, have = 0;
	int signed_ = 0;

	if (workspace_load(c, in->workspace, &ws) != 0)
		goto out;
	if (ws->phase != JIXIAO__PHASE__PHASE_SUBMITTED) {
		rpc_call_fail(c, JX_EPRECOND, "workspace %" PRIu64 " is %s; only a submitted "
		    "workspace is signed off%s", ws->id, workflow_phase_words(ws),
		    ws->phase == JIXIAO__PHASE__PHASE_COMMENT_ROUND ? " (end the comment round "
		    "first: jx comments end)" : "");
		goto out;
	}
	if ((sub = workflow_submission(ws)) == NULL || in->revision != ws->submitted_revision) {
		rpc_call_fail(c, JX_EPRECOND, "the submission of workspace %" PRIu64 " is of "
		    "revision %" PRIu64 ", not %" PRIu64 "; sign off what was submitted", ws->id,
		    ws->submitted_revision, in->revision);
		goto out;
	}
	if (strcmp(sub->user, rpc_call_user(c)) == 0) {
		rpc_call_fail(c, JX_EPERM, "%s submitted revision %" PRIu64 " and cannot also sign "
		    "it off: another reviewer must", rpc_call_user(c), in->revision);
		goto out;
	}
	for (size_t i = 0; i < ws->n_signatures; i++) {
		const Jixiao__Signature *s = ws->signatures[i];
		if (strcmp(s->kind, DIGEST_SIGNOFF) == 0 && s->revision == in->revision &&
		    s->version == workflow_version(ws) && strcmp(s->user, rpc_call_user(c)) == 0) {
			rpc_call_fail(c, JX_EEXIST, "%s has signed off revision %" PRIu64 " already",
			    rpc_call_user(c), in->revision);
			goto out;
		}
	}
	if (workflow_sign(c, ws, in, DIGEST_SIGNOFF, &sig, &saved) != 0)
		goto out;
	signed_ = 1;
	need = ws->has_signoffs_required && ws->signoffs_required > 0 ? ws->signoffs_required : 1;
	for (size_t i = 0; i < ws->n_signatures; i++) {
		const Jixiao__Signature *s = ws->signatures[i];
		if (strcmp(s->kind, DIGEST_SIGNOFF) == 0 && s->revision == in->revision &&
		    s->version == workflow_version(ws))
			have++;
	}
	if (have >= need) {
		ws->has_phase = 1;
		ws->phase = JIXIAO__PHASE__PHASE_FINAL;
	}
	change.what = "workflow.signoff";
	change.workspace_after = ws;
	if (workspace_record(c, ws, &change) == 0) {
		out.workspace = ws;
		if (have < need)
			rpc_call_note(c, "signed off (%u of %u); workspace %" PRIu64 " is final once "
			    "%u more reviewer%s sign%s", have, need, ws->id, need - have,
			    need - have == 1 ? "" : "s", need - have == 1 ? "s" : "");
	}
out:
	closure(&out, data);
	if (signed_)
		workflow_pop(ws, &sig, saved);
	if (ws != NULL)
		jixiao__workspace__free_unpacked(ws, NULL);
}

static int
workflow_text(struct rpc_call *c, const char *what, const char *text)
{
	if (text == NULL || text[0] == '\0' || strlen(text) > REASON_MAX ||
	    !text_utf8_valid(text) || !text_printable(text, true)) {
		rpc_call_fail(c, JX_EINVAL, "%s is required: UTF-8 text of 1 to %d bytes", what,
		    REASON_MAX);
		return JX_EINVAL;
	}
	return JX_OK;
}

/* Loads workspace id when it is in phase; otherwise fails the call saying what is needed. */
static int
workflow_load_in(struct rpc_call *c, uint64_t id, Jixiao__Phase phase, const char *need,
    Jixiao__Workspace **ws)
{
	if (workspace_load(c, id, ws) != 0)
		return rpc_call_code(c);
	if ((*ws)->phase != phase) {
		rpc_call_fail(c, JX_EPRECOND, "workspace %" PRIu64 " is %s; %s", id,
		    workflow_phase_words(*ws), need);
		return JX_EPRECOND;
	}
	return JX_OK;
}

/* Records change on ws unless the call failed, answers with ws, and frees it. */
static void
workflow_answer(struct rpc_call *c, Jixiao__Workspace *ws, Jixiao__Change *change,
    Jixiao__WorkspaceReply_Closure closure, void *data)
{
	Jixiao__WorkspaceReply out = JIXIAO__WORKSPACE_REPLY__INIT;

	if (ws != NULL && rpc_call_code(c) == JX_OK && workspace_record(c, ws, change) == 0)
		out.workspace = ws;
	closure(&out, data);
	if (ws != NULL)
		jixiao__workspace__free_unpacked(ws, NULL);
}

static void
svc_workflow_reopen(Jixiao__Workflow_Service *service, const Jixiao__ReopenRequest *in,
    Jixiao__WorkspaceReply_Closure closure, void *data)
{
	Jixiao__Change change = JIXIAO__CHANGE__INIT;
	Jixiao__Workspace *ws = NULL;
	struct rpc_call *c = data;

	if (workflow_text(c, "a reason for reopening", in->reason) == 0 &&
	    workflow_load_in(c, in->workspace, JIXIAO__PHASE__PHASE_FINAL,
	    "only a final workspace is reopened", &ws) == 0) {
		ws->has_version = 1;
		ws->version = workflow_version(ws) + 1;
		ws->phase = JIXIAO__PHASE__PHASE_DRAFT;
		ws->has_submitted_revision = 0;
		ws->submitted_revision = 0;
		if (workspace_set_str(&ws->reopen_reason, in->reason) != 0)
			rpc_call_fail(c, JX_EINTERNAL, "out of memory");
		change.what = "workflow.reopen";
		change.reason = in->reason;
		change.workspace_after = ws;
	}
	workflow_answer(c, ws, &change, closure, data);
}

static void
svc_workflow_comment(Jixiao__Workflow_Service *service, const Jixiao__CommentRequest *in,
    Jixiao__WorkspaceReply_Closure closure, void *data)
{
	Jixiao__Change change = JIXIAO__CHANGE__INIT;
	Jixiao__Workspace *ws = NULL;
	struct rpc_call *c = data;

	if (workflow_text(c, "a comment", in->text) == 0 &&
	    workflow_load_in(c, in->workspace, JIXIAO__PHASE__PHASE_COMMENT_ROUND,
	    "the unit comments in the comment round after a submission", &ws) == 0) {
		change.what = "workflow.comment";
		change.comment = in->text;
	}
	workflow_answer(c, ws, &change, closure, data);
}

static void
svc_workflow_end_comments(Jixiao__Workflow_Service *service,
    const Jixiao__GetWorkspaceRequest *in, Jixiao__WorkspaceReply_Closure closure, void *data)
{
	Jixiao__Change change = JIXIAO__CHANGE__INIT;
	Jixiao__Workspace *ws = NULL;
	struct rpc_call *c = data;

	if (workflow_load_in(c, in->workspace, JIXIAO__PHASE__PHASE_COMMENT_ROUND,
	    "there is no comment round to end", &ws) == 0) {
		ws->phase = JIXIAO__PHASE__PHASE_SUBMITTED;
		change.what = "workflow.comments-end";
		change.workspace_after = ws;
	}
	workflow_answer(c, ws, &change, closure, data);
}

static void
svc_workflow_settings(Jixiao__Workflow_Service *service,
    const Jixiao__WorkflowSettingsRequest *in, Jixiao__WorkspaceReply_Closure closure,
    void *data)
{
	Jixiao__Change change = JIXIAO__CHANGE__INIT;
	Jixiao__Workspace *ws = NULL;
	struct rpc_call *c = data;

	if (in->has_signoffs_required &&
	    (in->signoffs_required < 1 || in->signoffs_required > SIGNOFFS_MAX))
		rpc_call_fail(c, JX_EINVAL, "a workspace needs 1 to %d reviewers' sign-offs",
		    SIGNOFFS_MAX);
	else if (workflow_load_in(c, in->workspace, JIXIAO__PHASE__PHASE_DRAFT,
	    "its workflow is set while it is a draft", &ws) == 0) {
		if (in->has_signoffs_required) {
			ws->has_signoffs_required = 1;
			ws->signoffs_required = in->signoffs_required;
		}
		if (in->has_comment_round) {
			ws->has_comment_round = 1;
			ws->comment_round = in->comment_round;
		}
		change.what = "workflow.settings";
		change.workspace_after = ws;
	}
	workflow_answer(c, ws, &change, closure, data);
}

/* What a signature at a revision signs, as the very bytes hashed (common/digest.h). */
static void
svc_workflow_content(Jixiao__Workflow_Service *service, const Jixiao__ContentRequest *in,
    Jixiao__ContentReply_Closure closure, void *data)
{
	struct rpc_call *c = data;
	Jixiao__ContentReply out = JIXIAO__CONTENT_REPLY__INIT;
	ProtobufCBinaryData *nodes = NULL, *findings = NULL;
	struct digest_parts p;
	uint8_t head[DIGEST_LEN];

	if (workflow_parts(c, in->workspace, in->has_at ? in->at : 0, &p, &out.revision,
	    head) != 0) {
		closure(NULL, data);
		goto out;
	}
	if ((p.n_nodes > 0 && (nodes = calloc(p.n_nodes, sizeof(*nodes))) == NULL) ||
	    (p.n_findings > 0 && (findings = calloc(p.n_findings, sizeof(*findings))) == NULL)) {
		rpc_call_fail(c, JX_EINTERNAL, "out of memory");
		closure(NULL, data);
		goto out;
	}
	out.workspace = in->workspace;
	out.head.data = head;
	out.head.len = DIGEST_LEN;
	out.header.data = p.header;
	out.header.len = p.header_len;
	for (size_t i = 0; i < p.n_nodes; i++)
		nodes[i] = (ProtobufCBinaryData){ .len = p.node_lens[i], .data = p.nodes[i] };
	out.n_nodes = p.n_nodes;
	out.nodes = nodes;
	if (p.budget != NULL) {
		out.has_budget = 1;
		out.budget.data = p.budget;
		out.budget.len = p.budget_len;
	}
	for (size_t i = 0; i < p.n_findings; i++)
		findings[i] = (ProtobufCBinaryData){ .len = p.finding_lens[i],
			.data = p.findings[i] };
	out.n_findings = p.n_findings;
	out.findings = findings;
	closure(&out, data);
out:
	free(nodes);
	free(findings);
	digest_parts_free(&p);
}

static Jixiao__Workflow_Service svc_workflow_service = JIXIAO__WORKFLOW__INIT(svc_workflow_);

const struct rpc_service svc_workflow = {
	.service = &svc_workflow_service.base,
};
