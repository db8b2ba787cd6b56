/*
 * The Findings service: a workspace's problems (存在问题), recommendations (建议) and
 * experience (经验做法). Every finding has its own revision, as an indicator has: an
 * edit names the revision it was based on and is refused with ABORTED and the finding
 * as it is now when someone else changed it in between, so evaluators can write
 * different findings at the same time without losing each other's work.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "err.h"
#include "history.h"
#include "indicators.h"
#include "proto/jixiao.pb-c.h"
#include "rpc.h"
#include "store.h"
#include "svc.h"
#include "text.h"
#include "workspace.h"

/* A finding is a paragraph or a few; a workspace has at most this many. */
#define FINDING_TEXT_MAX 8192
#define FINDINGS_MAX 1000

static void
finding_key(uint8_t key[16], uint64_t ws, uint64_t id)
{
	store_key_pair(key, ws, id);
}

static int
finding_get(struct rpc_call *c, uint64_t ws, uint64_t id, Jixiao__Finding **f)
{
	uint8_t key[16];
	int rv;

	finding_key(key, ws, id);
	rv = store_get_msg(rpc_call_txn(c), rpc_call_store(c), STORE_FINDINGS, key, sizeof(key),
	    &jixiao__finding__descriptor, (ProtobufCMessage **)f);
	if (rv == JX_ENOTFOUND)
		rpc_call_fail(c, rv, "finding %" PRIu64 " does not exist in workspace %" PRIu64,
		    id, ws);
	else if (rv != 0)
		rpc_call_fail(c, rv, "finding %" PRIu64 " cannot be read", id);
	return rv;
}

static int
finding_count_one(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	size_t *n = arg;

	if (klen != 16)
		return JX_EINTERNAL;
	(*n)++;
	return 0;
}

/* The number of findings ws has now. */
static int
finding_count(struct rpc_call *c, uint64_t ws, size_t *n)
{
	uint8_t prefix[8];

	*n = 0;
	store_key_u64(prefix, ws);
	return store_scan(rpc_call_txn(c), rpc_call_store(c), STORE_FINDINGS, prefix,
	    sizeof(prefix), finding_count_one, n);
}

/* Text is valid UTF-8 without control characters (line breaks allowed), not blank. */
static bool
finding_check_text(struct rpc_call *c, const char *text)
{
	const char *p = text;

	if (strlen(text) > FINDING_TEXT_MAX) {
		rpc_call_fail(c, JX_EINVAL, "a finding is at most %d bytes of text",
		    FINDING_TEXT_MAX);
		return false;
	}
	if (!text_utf8_valid(text) || !text_printable(text, true)) {
		rpc_call_fail(c, JX_EINVAL, "a finding's text must be valid UTF-8 without control "
		    "characters");
		return false;
	}
	p += strspn(p, " \t\r\n");
	/* U+3000 IDEOGRAPHIC SPACE counts as blank too. */
	while (strncmp(p, "\xe3\x80\x80", 3) == 0)
		p += 3 + strspn(p + 3, " \t\r\n");
	if (*p == '\0') {
		rpc_call_fail(c, JX_EINVAL, "a finding's text cannot be empty");
		return false;
	}
	return true;
}

static bool
finding_check_kind(struct rpc_call *c, Jixiao__FindingKind kind)
{
	if (kind == JIXIAO__FINDING_KIND__PROBLEM || kind == JIXIAO__FINDING_KIND__RECOMMENDATION ||
	    kind == JIXIAO__FINDING_KIND__EXPERIENCE)
		return true;
	rpc_call_fail(c, JX_EINVAL, "a finding is a problem, a recommendation or an experience");
	return false;
}

/* Refuses a stale edit: ABORTED, with the finding as it is now for the reply. */
static bool
finding_check_revision(struct rpc_call *c, const Jixiao__Finding *f, uint64_t base)
{
	if (f->revision == base)
		return true;
	rpc_call_fail(c, JX_EABORTED, "finding %" PRIu64 " was changed by %s at revision %" PRIu64
	    " after your revision %" PRIu64 "; review its current text and try again", f->id,
	    f->updated_by != NULL ? f->updated_by : "someone", f->revision, base);
	return false;
}

/* Links f to the indicator ref names (its code and id). */
static int
finding_link(struct rpc_call *c, uint64_t ws, Jixiao__Finding *f, const Jixiao__NodeRef *ref)
{
	Jixiao__Node *node = NULL;
	int rv;

	if ((rv = indicators_resolve(c, ws, ref, &node)) != 0)
		return rv;
	if ((rv = workspace_set_str(&f->indicator, node->code)) != 0)
		rpc_call_fail(c, rv, "out of memory");
	f->has_node = 1;
	f->node = node->id;
	jixiao__node__free_unpacked(node, NULL);
	return rv;
}

/*
 * Stamps f as changed by this call, stores it, records the change from before (NULL:
 * added) and fills the reply. Fails the call and returns the error on failure.
 */
static int
finding_save(struct rpc_call *c, Jixiao__Workspace *ws, Jixiao__Finding *before,
    Jixiao__Finding *f, const char *what, Jixiao__FindingReply *out)
{
	Jixiao__Change change = JIXIAO__CHANGE__INIT;
	uint8_t key[16];
	int rv;

	f->revision = ws->revision + 1;
	f->has_updated_at = 1;
	f->updated_at = rpc_call_now(c);
	if ((rv = workspace_set_str(&f->updated_by, rpc_call_user(c))) != 0) {
		rpc_call_fail(c, rv, "out of memory");
		return rv;
	}
	finding_key(key, ws->id, f->id);
	if ((rv = store_put_msg(rpc_call_txn(c), rpc_call_store(c), STORE_FINDINGS, key,
	    sizeof(key), &f->base)) != 0) {
		rpc_call_fail(c, rv, "the finding could not be saved");
		return rv;
	}
	change.what = (char *)what;
	change.finding_before = before;
	change.finding_after = f;
	if ((rv = workspace_record(c, ws, &change)) != 0)
		return rv;
	out->finding = f;
	out->has_workspace_revision = 1;
	out->workspace_revision = ws->revision;
	return JX_OK;
}

static void
svc_findings_add(Jixiao__Findings_Service *service, const Jixiao__AddFindingRequest *in,
    Jixiao__FindingReply_Closure closure, void *data)
{
	Jixiao__FindingReply out = JIXIAO__FINDING_REPLY__INIT;
	Jixiao__Finding *f = NULL;
	Jixiao__Workspace *ws = NULL;
	struct rpc_call *c = data;
	char seq[48];
	size_t n;

	if (!finding_check_kind(c, in->kind) || !finding_check_text(c, in->text))
		goto out;
	if (workspace_load_editable(c, in->workspace, &ws) != 0)
		goto out;
	if (finding_count(c, ws->id, &n) != 0) {
		rpc_call_fail(c, JX_EINTERNAL, "the findings cannot be read");
		goto out;
	}
	if (n >= FINDINGS_MAX) {
		rpc_call_fail(c, JX_ENOSPC, "workspace %" PRIu64 " has %d findings already",
		    ws->id, FINDINGS_MAX);
		goto out;
	}
	if ((f = calloc(1, sizeof(*f))) == NULL) {
		rpc_call_fail(c, JX_EINTERNAL, "out of memory");
		goto out;
	}
	/* Freed by jixiao__finding__free_unpacked: every field is malloc'd. */
	jixiao__finding__init(f);
	f->kind = in->kind;
	snprintf(seq, sizeof(seq), "finding.%" PRIu64, ws->id);
	if (workspace_next_seq(c, seq, &f->id) != 0)
		goto out;
	if (workspace_set_str(&f->text, in->text) != 0 ||
	    workspace_set_str(&f->author, rpc_call_user(c)) != 0) {
		rpc_call_fail(c, JX_EINTERNAL, "out of memory");
		goto out;
	}
	f->has_created_at = 1;
	f->created_at = rpc_call_now(c);
	f->has_order = 1;
	f->order = ws->revision + 1;
	if (in->indicator != NULL && finding_link(c, ws->id, f, in->indicator) != 0)
		goto out;
	finding_save(c, ws, NULL, f, "finding.add", &out);
out:
	closure(&out, data);
	if (f != NULL)
		jixiao__finding__free_unpacked(f, NULL);
	if (ws != NULL)
		jixiao__workspace__free_unpacked(ws, NULL);
}

static void
svc_findings_set(Jixiao__Findings_Service *service, const Jixiao__SetFindingRequest *in,
    Jixiao__FindingReply_Closure closure, void *data)
{
	Jixiao__FindingReply out = JIXIAO__FINDING_REPLY__INIT;
	Jixiao__Finding *f = NULL, *before = NULL;
	Jixiao__Workspace *ws = NULL;
	struct rpc_call *c = data;

	if (in->text == NULL && in->indicator == NULL && !in->clear_indicator) {
		rpc_call_fail(c, JX_EINVAL, "nothing to change: give the new text or indicator");
		goto out;
	}
	if (in->indicator != NULL && in->clear_indicator) {
		rpc_call_fail(c, JX_EINVAL, "link the finding to an indicator, or clear the link, "
		    "not both");
		goto out;
	}
	if (in->text != NULL && !finding_check_text(c, in->text))
		goto out;
	if (workspace_load_editable(c, in->workspace, &ws) != 0 ||
	    finding_get(c, ws->id, in->id, &f) != 0)
		goto out;
	if (!finding_check_revision(c, f, in->base_revision)) {
		out.finding = f;
		goto out;
	}
	if (rpc_call_copy(c, &f->base, (ProtobufCMessage **)&before) != 0)
		goto out;
	if (in->text != NULL && workspace_set_str(&f->text, in->text) != 0) {
		rpc_call_fail(c, JX_EINTERNAL, "out of memory");
		goto out;
	}
	if (in->indicator != NULL && finding_link(c, ws->id, f, in->indicator) != 0)
		goto out;
	if (in->clear_indicator) {
		free(f->indicator);
		f->indicator = NULL;
		f->has_node = 0;
		f->node = 0;
	}
	finding_save(c, ws, before, f, "finding.update", &out);
out:
	closure(&out, data);
	if (before != NULL)
		jixiao__finding__free_unpacked(before, NULL);
	if (f != NULL)
		jixiao__finding__free_unpacked(f, NULL);
	if (ws != NULL)
		jixiao__workspace__free_unpacked(ws, NULL);
}

static void
svc_findings_remove(Jixiao__Findings_Service *service, const Jixiao__RemoveFindingRequest *in,
    Jixiao__FindingReply_Closure closure, void *data)
{
	Jixiao__FindingReply out = JIXIAO__FINDING_REPLY__INIT;
	Jixiao__Change change = JIXIAO__CHANGE__INIT;
	Jixiao__Finding *f = NULL;
	Jixiao__Workspace *ws = NULL;
	struct rpc_call *c = data;
	uint8_t key[16];

	if (workspace_load_editable(c, in->workspace, &ws) != 0 ||
	    finding_get(c, ws->id, in->id, &f) != 0)
		goto out;
	if (in->has_base_revision && !finding_check_revision(c, f, in->base_revision)) {
		out.finding = f;
		goto out;
	}
	finding_key(key, ws->id, f->id);
	if (store_del(rpc_call_txn(c), rpc_call_store(c), STORE_FINDINGS, key, sizeof(key)) != 0) {
		rpc_call_fail(c, JX_EINTERNAL, "the finding could not be removed");
		goto out;
	}
	change.what = "finding.remove";
	change.finding_before = f;
	if (workspace_record(c, ws, &change) != 0)
		goto out;
	out.finding = f;
	out.has_workspace_revision = 1;
	out.workspace_revision = ws->revision;
out:
	closure(&out, data);
	if (f != NULL)
		jixiao__finding__free_unpacked(f, NULL);
	if (ws != NULL)
		jixiao__workspace__free_unpacked(ws, NULL);
}

static int
finding_cmp(const void *a, const void *b)
{
	const Jixiao__Finding *x = *(Jixiao__Finding *const *)a;
	const Jixiao__Finding *y = *(Jixiao__Finding *const *)b;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->order != y->order)
		return x->order < y->order ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

struct finding_list {
	Jixiao__Finding ***all;
	size_t *n, *cap;
};

static int
finding_list_one(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct finding_list *l = arg;
	Jixiao__Finding *f;

	if (klen != 16 || array_grow(l->all, *l->n, l->cap, sizeof(f), 32) != 0 ||
	    (f = jixiao__finding__unpack(NULL, vlen, val)) == NULL)
		return JX_EINTERNAL;
	(*l->all)[(*l->n)++] = f;
	return 0;
}

/* Every finding of ws now, appended to the array as history_findings_at does. */
static int
finding_load_current(struct rpc_call *c, uint64_t ws, Jixiao__Finding ***all, size_t *n,
    size_t *cap)
{
	struct finding_list l = { all, n, cap };
	uint8_t prefix[8];

	store_key_u64(prefix, ws);
	return store_scan(rpc_call_txn(c), rpc_call_store(c), STORE_FINDINGS, prefix,
	    sizeof(prefix), finding_list_one, &l);
}

int
svc_findings_load(struct rpc_call *c, uint64_t wsid, uint64_t at, Jixiao__Finding ***all,
    size_t *n)
{
	Jixiao__Workspace *ws = NULL;
	size_t cap = 0;
	int rv;

	*all = NULL;
	*n = 0;
	if ((rv = workspace_load(c, wsid, &ws)) != 0)
		return rv;
	rv = at == 0 || at >= ws->revision ? finding_load_current(c, wsid, all, n, &cap)
					   : history_findings_at(c, wsid, at, all, n, &cap);
	jixiao__workspace__free_unpacked(ws, NULL);
	if (rv != 0) {
		svc_findings_free(*all, *n);
		*all = NULL;
		*n = 0;
		rpc_call_fail(c, JX_EINTERNAL, "the findings cannot be read");
	}
	return rv;
}

void
svc_findings_free(Jixiao__Finding **all, size_t n)
{
	for (size_t i = 0; i < n; i++)
		jixiao__finding__free_unpacked(all[i], NULL);
	free(all);
}

static void
svc_findings_list(Jixiao__Findings_Service *service, const Jixiao__ListFindingsRequest *in,
    Jixiao__ListFindingsReply_Closure closure, void *data)
{
	Jixiao__ListFindingsReply out = JIXIAO__LIST_FINDINGS_REPLY__INIT;
	Jixiao__Finding **all = NULL;
	Jixiao__Workspace *ws = NULL;
	struct rpc_call *c = data;
	uint64_t at = in->has_at ? in->at : 0;
	size_t n = 0, cap = 0;
	int rv;

	if (workspace_load(c, in->workspace, &ws) != 0)
		goto out;
	if (at > ws->revision) {
		rpc_call_fail(c, JX_EINVAL, "workspace %" PRIu64 " has no revision %" PRIu64
		    " yet (it is at %" PRIu64 ")", ws->id, at, ws->revision);
		goto out;
	}
	rv = at == 0 ? finding_load_current(c, ws->id, &all, &n, &cap)
		     : history_findings_at(c, ws->id, at, &all, &n, &cap);
	if (rv != 0) {
		rpc_call_fail(c, JX_EINTERNAL, "the findings cannot be read");
		goto out;
	}
	if (n > 1)
		qsort(all, n, sizeof(*all), finding_cmp);
	out.findings = all;
	out.n_findings = n;
	out.has_workspace_revision = 1;
	out.workspace_revision = at == 0 ? ws->revision : at;
out:
	closure(&out, data);
	for (size_t i = 0; i < n; i++)
		jixiao__finding__free_unpacked(all[i], NULL);
	free(all);
	if (ws != NULL)
		jixiao__workspace__free_unpacked(ws, NULL);
}

static Jixiao__Findings_Service svc_findings_service = JIXIAO__FINDINGS__INIT(svc_findings_);

const struct rpc_service svc_findings = {
	.service = &svc_findings_service.base,
};
