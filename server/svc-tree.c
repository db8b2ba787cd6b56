/*
 * The Tree service: the indicator tree of a workspace. Every node has its own
 * revision; an edit names the revision it was based on and is refused with ABORTED
 * and the node as it is now when someone else changed it in between. The handlers
 * only: the records are indicators.c's, the scored sheet scoresheet.c's.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check-tree.h"
#include "claims.h"
#include "decimal.h"
#include "envelope.h"
#include "err.h"
#include "export.h"
#include "indicators-check.h"
#include "indicators.h"
#include "method.h"
#include "proto/jixiao.pb-c.h"
#include "rpc.h"
#include "score.h"
#include "scoresheet.h"
#include "svc.h"
#include "treecache.h"
#include "workspace.h"

/* ---- claims */

#define CLAIM_DEFAULT_MINUTES 30
#define CLAIM_MAX_MINUTES (24 * 60)

static void
svc_tree_claim(Jixiao__Tree_Service *service, const Jixiao__ClaimRequest *in,
    Jixiao__NodeReply_Closure closure, void *data)
{
	Jixiao__NodeReply out = JIXIAO__NODE_REPLY__INIT;
	Jixiao__Claim *other = NULL;
	Jixiao__Workspace *ws = NULL;
	Jixiao__Node *node = NULL;
	struct rpc_call *c = data;
	uint32_t minutes = in->has_minutes ? in->minutes : CLAIM_DEFAULT_MINUTES;
	int rv;

	if (minutes > CLAIM_MAX_MINUTES) {
		rpc_call_fail(c, JX_EINVAL, "a claim lasts at most %d minutes", CLAIM_MAX_MINUTES);
		goto out;
	}
	if (workspace_load_editable(c, in->workspace, &ws) != 0 ||
	    indicators_resolve(c, ws->id, in->node, &node) != 0)
		goto out;
	other = claims_get(c, ws->id, node->id);
	if (other != NULL && strcmp(other->user, rpc_call_user(c)) != 0 && minutes > 0)
		rpc_call_note(c, "indicator %s was claimed by %s; it is yours now, tell them",
		    node->code, other->user);
	if (minutes == 0) {
		rv = claims_set(c, ws->id, node->id, 0);
	} else {
		int64_t until = rpc_call_now(c) + (int64_t)minutes * 60;
		rv = claims_set(c, ws->id, node->id, until);
		free(node->claimed_by);
		node->claimed_by = strdup(rpc_call_user(c));
		node->has_claimed_until = 1;
		node->claimed_until = until;
	}
	if (rv != 0) {
		rpc_call_fail(c, rv, "the claim could not be saved");
		goto out;
	}
	out.node = node;
	out.has_workspace_revision = 1;
	out.workspace_revision = ws->revision;
out:
	closure(&out, data);
	if (other != NULL)
		jixiao__claim__free_unpacked(other, NULL);
	if (node != NULL)
		jixiao__node__free_unpacked(node, NULL);
	if (ws != NULL)
		jixiao__workspace__free_unpacked(ws, NULL);
}

/* ---- edits */

/* Refuses a stale edit: ABORTED, with the node as it is now for the reply. */
static bool
svc_tree_check_revision(struct rpc_call *c, const Jixiao__Node *node, uint64_t base)
{
	if (node->revision == base)
		return true;
	rpc_call_fail(c, JX_EABORTED, "indicator %s was changed by %s at revision %" PRIu64
	    " after your revision %" PRIu64 "; review its current value and try again",
	    node->code, node->updated_by != NULL ? node->updated_by : "someone",
	    node->revision, base);
	return false;
}

static int
svc_tree_set_opt_str(char **field, const char *v)
{
	return v == NULL ? JX_OK : workspace_set_str(field, v);
}

/* ---- independent scoring */

#define MARKS_MAX 64

/*
 * The score the marks give: the lead evaluator's when the workspace has one and they
 * have marked, else the mean, rounded half up to the hundredth.
 */
static int64_t
svc_tree_marks_score(const Jixiao__Workspace *ws, Jixiao__Mark *const *marks, size_t n)
{
	int64_t sum = 0;

	for (size_t i = 0; i < n; i++) {
		if (ws->lead != NULL && strcmp(marks[i]->user, ws->lead) == 0)
			return marks[i]->score;
		sum += marks[i]->score;
	}
	return (sum * 2 + (int64_t)n) / (2 * (int64_t)n);
}

static void
svc_tree_mark(Jixiao__Tree_Service *service, const Jixiao__MarkRequest *in,
    Jixiao__NodeReply_Closure closure, void *data)
{
	Jixiao__NodeReply out = JIXIAO__NODE_REPLY__INIT;
	Jixiao__Change change = JIXIAO__CHANGE__INIT;
	Jixiao__Mark mine = JIXIAO__MARK__INIT, **marks = NULL, **saved = NULL;
	Jixiao__Node *node = NULL, *before = NULL;
	Jixiao__Workspace *ws = NULL;
	struct rpc_call *c = data;
	const char *user = rpc_call_user(c);
	char w[DEC_BUFSZ], why[256];
	size_t n = 0, nsaved = 0;
	bool swapped = false;
	struct method m;

	if (workspace_load_editable(c, in->workspace, &ws) != 0 ||
	    indicators_resolve(c, ws->id, in->node, &node) != 0)
		goto out;
	if (indicators_has_children(c, ws->id, node->id) || !node->has_weight ||
	    method_parse(node->method, node->params, &m, why, sizeof(why)) != 0 ||
	    m.kind != METHOD_MANUAL) {
		rpc_call_fail(c, JX_EPRECOND, "indicator %s is not scored by evaluators: it needs "
		    "a weight, no sub-indicators and the manual method", node->code);
		goto out;
	}
	if (!in->clear) {
		if (!in->has_score) {
			rpc_call_fail(c, JX_EINVAL, "a mark is a score from 0 to %s",
			    dec_format_short(node->weight, w));
			goto out;
		}
		if (!indicators_check_text(c, "comment", in->comment, INDICATORS_TEXT_MAX, true))
			goto out;
		if (score_manual_check(node->code, node->has_weight, node->weight, in->score,
		    in->comment, why, sizeof(why)) != 0) {
			rpc_call_fail(c, JX_EINVAL, "your mark: %s", why);
			goto out;
		}
	}
	if (indicators_get(c, ws->id, node->id, &before) != 0)
		goto out;
	if ((marks = calloc(node->n_marks + 1, sizeof(*marks))) == NULL) {
		rpc_call_fail(c, JX_EINTERNAL, "out of memory");
		goto out;
	}
	/* The others' marks stay; the caller's is replaced (or removed). */
	for (size_t i = 0; i < node->n_marks; i++)
		if (strcmp(node->marks[i]->user, user) != 0)
			marks[n++] = node->marks[i];
	if (!in->clear) {
		mine.user = (char *)user;
		mine.score = in->score;
		mine.comment = in->comment;
		mine.has_time = 1;
		mine.time = rpc_call_now(c);
		marks[n++] = &mine;
	}
	if (n > MARKS_MAX) {
		rpc_call_fail(c, JX_ENOSPC, "at most %d evaluators mark one indicator", MARKS_MAX);
		goto out;
	}
	saved = node->marks;
	nsaved = node->n_marks;
	swapped = true;
	node->marks = marks;
	node->n_marks = n;
	node->has_score = n > 0;
	node->score = n > 0 ? svc_tree_marks_score(ws, marks, n) : 0;
	indicators_save(c, ws, before, node, "node.mark", &change, &out);
out:
	closure(&out, data);
	if (swapped) {
		/* The node frees its own marks, not the array borrowed for the reply. */
		node->marks = saved;
		node->n_marks = nsaved;
	}
	free(marks);
	if (before != NULL)
		jixiao__node__free_unpacked(before, NULL);
	if (node != NULL)
		jixiao__node__free_unpacked(node, NULL);
	if (ws != NULL)
		jixiao__workspace__free_unpacked(ws, NULL);
}

/* ---- AddNode, Import */

static void
svc_tree_add_node(Jixiao__Tree_Service *service, const Jixiao__AddNodeRequest *in,
    Jixiao__NodeReply_Closure closure, void *data)
{
	Jixiao__NodeReply out = JIXIAO__NODE_REPLY__INIT;
	Jixiao__Node node = JIXIAO__NODE__INIT;
	Jixiao__Workspace *ws = NULL;
	char code[INDICATORS_CODE_MAX + 1];

	if (workspace_load_editable(data, in->workspace, &ws) == 0 &&
	    indicators_add(data, ws, in, 0, &node, code) == 0) {
		out.node = &node;
		out.has_workspace_revision = 1;
		out.workspace_revision = ws->revision;
	}
	closure(&out, data);
	if (ws != NULL)
		jixiao__workspace__free_unpacked(ws, NULL);
}

static void
svc_tree_import(Jixiao__Tree_Service *service, const Jixiao__ImportTreeRequest *in,
    Jixiao__ImportTreeReply_Closure closure, void *data)
{
	Jixiao__ImportTreeReply out = JIXIAO__IMPORT_TREE_REPLY__INIT;
	Jixiao__Workspace *ws = NULL;
	struct rpc_call *c = data;
	uint64_t *top = NULL;
	size_t ntop = 0;

	if (in->n_nodes == 0 || in->n_nodes > INDICATORS_ADD_MAX) {
		rpc_call_fail(c, JX_EINVAL, "an import holds 1 to %d indicators", INDICATORS_ADD_MAX);
		goto out;
	}
	if (workspace_load_editable(c, in->workspace, &ws) != 0)
		goto out;
	if (indicators_children(c, ws->id, 0, &top, &ntop) != 0 || ntop > 0) {
		rpc_call_fail(c, JX_EPRECOND, "workspace %" PRIu64 " already has indicators; "
		    "import into a new workspace", ws->id);
		goto out;
	}
	if (in->has_stated_total && !indicators_check_stated(c, in->stated_total))
		goto out;
	if (indicators_add_all(c, ws, in->nodes, in->n_nodes, NULL) != 0)
		goto out;
	/* The sheet's own 合计: a change of the header, recorded as one, so it replays. */
	if (in->has_stated_total) {
		Jixiao__Change change = JIXIAO__CHANGE__INIT;

		ws->has_stated_total = 1;
		ws->stated_total = in->stated_total;
		change.what = "workspace.stated-total";
		change.workspace_after = ws;
		if (workspace_record(c, ws, &change) != 0)
			goto out;
	}
	out.has_added = 1;
	out.added = (uint32_t)in->n_nodes;
	out.has_workspace_revision = 1;
	out.workspace_revision = ws->revision;
out:
	closure(&out, data);
	free(top);
	if (ws != NULL)
		jixiao__workspace__free_unpacked(ws, NULL);
}

/* ---- UpdateNode */

static int
svc_tree_apply_update(struct rpc_call *c, uint64_t ws, Jixiao__Node *node,
    const Jixiao__UpdateNodeRequest *in)
{
	uint64_t other;
	int rv = JX_OK;

	if (in->name != NULL && in->name[0] == '\0') {
		rpc_call_fail(c, JX_EINVAL, "an indicator needs a name");
		return JX_EINVAL;
	}
	if (!indicators_check_fields(c, in->name, in->category, in->criteria, in->target, in->actual,
	    in->comment) || (in->has_weight && !indicators_check_weight(c, in->weight)) ||
	    (in->has_stated && !indicators_check_stated(c, in->stated)))
		return JX_EINVAL;
	if ((in->method != NULL || in->params != NULL) &&
	    !indicators_check_method(c, in->method != NULL ? in->method : node->method,
	    in->params != NULL ? in->params : node->params))
		return JX_EINVAL;
	if (in->code != NULL && strcmp(in->code, node->code) != 0) {
		if (!indicators_check_code(c, in->code))
			return JX_EINVAL;
		if (indicators_code_find(c, ws, in->code, &other) != JX_ENOTFOUND) {
			rpc_call_fail(c, JX_EEXIST, "workspace %" PRIu64 " already has an "
			    "indicator %s", ws, in->code);
			return JX_EEXIST;
		}
		if (indicators_code_del(c, ws, node->code) != 0 ||
		    indicators_code_put(c, ws, in->code, node->id) != 0)
			rv = JX_EINTERNAL;
		rv = rv ? rv : workspace_set_str(&node->code, in->code);
	}
	rv = rv ? rv : svc_tree_set_opt_str(&node->name, in->name);
	rv = rv ? rv : svc_tree_set_opt_str(&node->category, in->category);
	rv = rv ? rv : svc_tree_set_opt_str(&node->criteria, in->criteria);
	rv = rv ? rv : svc_tree_set_opt_str(&node->target, in->target);
	rv = rv ? rv : svc_tree_set_opt_str(&node->actual, in->actual);
	rv = rv ? rv : svc_tree_set_opt_str(&node->comment, in->comment);
	rv = rv ? rv : svc_tree_set_opt_str(&node->method, in->method);
	rv = rv ? rv : svc_tree_set_opt_str(&node->params, in->params);
	if (rv != 0) {
		rpc_call_fail(c, rv, "the indicator could not be saved");
		return rv;
	}
	if ((in->has_score || in->clear_score) && node->n_marks > 0) {
		rpc_call_fail(c, JX_EPRECOND, "indicator %s is scored by its evaluators' marks; "
		    "change yours with jx node mark", node->code);
		return JX_EPRECOND;
	}
	if (in->has_weight) {
		node->has_weight = 1;
		node->weight = in->weight;
	}
	if (in->clear_score)
		node->has_score = 0;
	if (in->clear_stated)
		node->has_stated = 0;
	if (in->has_stated) {
		node->has_stated = 1;
		node->stated = in->stated;
	}
	if (in->has_score) {
		node->has_score = 1;
		node->score = in->score;
	}
	if ((node->has_score || in->has_weight || in->method != NULL) &&
	    !indicators_check_score(c, node, !indicators_has_children(c, ws, node->id)))
		return JX_EINVAL;
	return JX_OK;
}

static void
svc_tree_update_node(Jixiao__Tree_Service *service, const Jixiao__UpdateNodeRequest *in,
    Jixiao__NodeReply_Closure closure, void *data)
{
	Jixiao__NodeReply out = JIXIAO__NODE_REPLY__INIT;
	Jixiao__Change change = JIXIAO__CHANGE__INIT;
	Jixiao__Node *node = NULL, *before = NULL;
	Jixiao__Workspace *ws = NULL;
	struct rpc_call *c = data;

	if (workspace_load_editable(c, in->workspace, &ws) != 0)
		goto out;
	if (indicators_resolve(c, ws->id, in->node, &node) != 0)
		goto out;
	/* --force: an explicit override of a newer revision, recorded as such. */
	if (in->force && node->revision != in->base_revision) {
		change.has_forced = 1;
		change.forced = 1;
		rpc_call_note(c, "overrode indicator %s's revision %" PRIu64 " by %s; the "
		    "override is recorded in the history", node->code, node->revision,
		    node->updated_by != NULL ? node->updated_by : "someone");
	} else if (!svc_tree_check_revision(c, node, in->base_revision)) {
		out.node = node;
		goto out;
	}
	claims_warn(c, ws->id, node);
	if (in->name == NULL && !in->has_weight && in->category == NULL &&
	    in->criteria == NULL && in->target == NULL && in->actual == NULL &&
	    !in->has_score && in->comment == NULL && !in->clear_score && in->code == NULL &&
	    in->method == NULL && in->params == NULL && !in->has_stated && !in->clear_stated) {
		rpc_call_fail(c, JX_EINVAL, "nothing to change: give at least one field");
		goto out;
	}
	if (indicators_get(c, ws->id, node->id, &before) != 0)
		goto out;
	if (svc_tree_apply_update(c, ws->id, node, in) != 0)
		goto out;
	indicators_save(c, ws, before, node, "node.update", &change, &out);
out:
	closure(&out, data);
	if (before != NULL)
		jixiao__node__free_unpacked(before, NULL);
	if (node != NULL)
		jixiao__node__free_unpacked(node, NULL);
	if (ws != NULL)
		jixiao__workspace__free_unpacked(ws, NULL);
}

/* ---- ApplyEdits */

static void
svc_tree_apply_edits(Jixiao__Tree_Service *service, const Jixiao__ApplyEditsRequest *in,
    Jixiao__ApplyEditsReply_Closure closure, void *data)
{
	Jixiao__ApplyEditsReply out = JIXIAO__APPLY_EDITS_REPLY__INIT;
	Jixiao__Node **applied = NULL, **stale = NULL, *added = NULL, **addedp = NULL;
	char (*codes)[INDICATORS_CODE_MAX + 1] = NULL;
	Jixiao__Workspace *ws = NULL;
	struct rpc_call *c = data;
	size_t n = in->n_edits;

	if (n + in->n_added == 0 || n > INDICATORS_ADD_MAX || in->n_added > INDICATORS_ADD_MAX) {
		rpc_call_fail(c, JX_EINVAL, "a batch of edits holds 1 to %d edits and at most %d "
		    "new indicators", INDICATORS_ADD_MAX, INDICATORS_ADD_MAX);
		goto out;
	}
	if ((applied = calloc(n + 1, sizeof(*applied))) == NULL ||
	    (stale = calloc(n + 1, sizeof(*stale))) == NULL ||
	    (added = calloc(in->n_added + 1, sizeof(*added))) == NULL ||
	    (addedp = calloc(in->n_added + 1, sizeof(*addedp))) == NULL ||
	    (codes = calloc(in->n_added + 1, sizeof(*codes))) == NULL) {
		rpc_call_fail(c, JX_EINTERNAL, "out of memory");
		goto out;
	}
	if (workspace_load_editable(c, in->workspace, &ws) != 0)
		goto out;
	/* One transaction: a refused field refuses the batch; a stale indicator is skipped. */
	for (size_t i = 0; i < n; i++) {
		const Jixiao__UpdateNodeRequest *e = in->edits[i];
		Jixiao__Change change = JIXIAO__CHANGE__INIT;
		Jixiao__NodeReply one = JIXIAO__NODE_REPLY__INIT;
		Jixiao__Node *node = NULL, *before = NULL;

		if (e->workspace != ws->id || e->force) {
			rpc_call_fail(c, JX_EINVAL, "edit %zu is for another workspace or forced", i + 1);
			goto out;
		}
		if (indicators_resolve(c, ws->id, e->node, &node) != 0)
			goto out;
		if (node->revision != e->base_revision) {
			stale[out.n_stale++] = node;
			continue;
		}
		if (indicators_get(c, ws->id, node->id, &before) != 0 ||
		    svc_tree_apply_update(c, ws->id, node, e) != 0 ||
		    indicators_save(c, ws, before, node, "node.update", &change, &one) != 0) {
			jixiao__node__free_unpacked(before, NULL);
			jixiao__node__free_unpacked(node, NULL);
			goto out;
		}
		jixiao__node__free_unpacked(before, NULL);
		applied[out.n_applied++] = node;
	}
	for (size_t i = 0; i < in->n_added; i++) {
		jixiao__node__init(&added[i]);
		if (in->added[i]->workspace != ws->id) {
			rpc_call_fail(c, JX_EINVAL, "new indicator %zu is for another workspace", i + 1);
			goto out;
		}
		if (indicators_add(c, ws, in->added[i], 0, &added[i], codes[i]) != 0)
			goto out;
		addedp[out.n_added++] = &added[i];
	}
	out.applied = applied;
	out.stale = stale;
	out.added = addedp;
	out.has_workspace_revision = 1;
	out.workspace_revision = ws->revision;
out:
	closure(&out, data);
	for (size_t i = 0; applied != NULL && i < n; i++)
		jixiao__node__free_unpacked(applied[i], NULL);
	for (size_t i = 0; stale != NULL && i < n; i++)
		jixiao__node__free_unpacked(stale[i], NULL);
	free(applied);
	free(stale);
	free(added);
	free(addedp);
	free(codes);
	jixiao__workspace__free_unpacked(ws, NULL);
}

/* ---- MoveNode */

static void
svc_tree_move_node(Jixiao__Tree_Service *service, const Jixiao__MoveNodeRequest *in,
    Jixiao__NodeReply_Closure closure, void *data)
{
	Jixiao__NodeReply out = JIXIAO__NODE_REPLY__INIT;
	Jixiao__Change change = JIXIAO__CHANGE__INIT;
	Jixiao__Node *node = NULL, *before = NULL, *parent = NULL;
	Jixiao__Workspace *ws = NULL;
	struct rpc_call *c = data;
	char deepest[INDICATORS_CODE_MAX + 1];
	unsigned height;
	bool within;

	if (workspace_load_editable(c, in->workspace, &ws) != 0)
		goto out;
	if (indicators_resolve(c, ws->id, in->node, &node) != 0)
		goto out;
	if (!svc_tree_check_revision(c, node, in->base_revision)) {
		out.node = node;
		goto out;
	}
	if (in->new_parent != NULL) {
		if (indicators_resolve(c, ws->id, in->new_parent, &parent) != 0)
			goto out;
		/* The new parent under the node itself would make a cycle. */
		if (indicators_within(c, ws->id, parent->id, node->id, &within) != 0) {
			rpc_call_fail(c, JX_EINTERNAL, "the indicator tree cannot be read");
			goto out;
		}
		if (within) {
			rpc_call_fail(c, JX_EINVAL, "indicator %s cannot move under itself",
			    node->code);
			goto out;
		}
		if (parent->has_score) {
			rpc_call_fail(c, JX_EPRECOND, "indicator %s has a score; clear it before "
			    "giving it sub-indicators", parent->code);
			goto out;
		}
	}
	/* Every sub-indicator moves along: the deepest of them must stay within the limit. */
	if (indicators_height(c, ws->id, node->id, TREE_DEPTH_MAX, &height, deepest) != 0) {
		rpc_call_fail(c, JX_EINTERNAL, "the indicator tree cannot be read");
		goto out;
	}
	if (!indicators_depth_allows(c, ws->id, parent, node->code, height, deepest))
		goto out;
	if (indicators_get(c, ws->id, node->id, &before) != 0)
		goto out;
	if (indicators_link(c, ws->id, node->parent_id, node->id, false) != 0 ||
	    indicators_link(c, ws->id, parent != NULL ? parent->id : 0, node->id, true) != 0) {
		rpc_call_fail(c, JX_EINTERNAL, "the indicator could not be moved");
		goto out;
	}
	node->has_parent_id = 1;
	node->parent_id = parent != NULL ? parent->id : 0;
	node->has_position = 1;
	node->position = ws->revision + 1;
	indicators_save(c, ws, before, node, "node.move", &change, &out);
out:
	closure(&out, data);
	if (parent != NULL)
		jixiao__node__free_unpacked(parent, NULL);
	if (before != NULL)
		jixiao__node__free_unpacked(before, NULL);
	if (node != NULL)
		jixiao__node__free_unpacked(node, NULL);
	if (ws != NULL)
		jixiao__workspace__free_unpacked(ws, NULL);
}

/* ---- RemoveNode */

static void
svc_tree_remove_node(Jixiao__Tree_Service *service, const Jixiao__RemoveNodeRequest *in,
    Jixiao__NodeReply_Closure closure, void *data)
{
	Jixiao__NodeReply out = JIXIAO__NODE_REPLY__INIT;
	Jixiao__Workspace *ws = NULL;
	Jixiao__Node *node = NULL;
	struct rpc_call *c = data;
	uint64_t *kids = NULL;
	size_t nkids = 0;

	if (workspace_load_editable(c, in->workspace, &ws) != 0)
		goto out;
	if (indicators_resolve(c, ws->id, in->node, &node) != 0)
		goto out;
	if (!svc_tree_check_revision(c, node, in->base_revision)) {
		out.node = node;
		goto out;
	}
	if (indicators_children(c, ws->id, node->id, &kids, &nkids) != 0) {
		rpc_call_fail(c, JX_EINTERNAL, "the indicator tree cannot be read");
		goto out;
	}
	if (nkids > 0 && !in->recursive) {
		rpc_call_fail(c, JX_EPRECOND, "indicator %s has %zu sub-indicators; remove them "
		    "first, or remove recursively", node->code, nkids);
		goto out;
	}
	if (indicators_remove(c, ws, node->id) != 0)
		goto out;
	out.node = node;
	out.has_workspace_revision = 1;
	out.workspace_revision = ws->revision;
out:
	closure(&out, data);
	free(kids);
	if (node != NULL)
		jixiao__node__free_unpacked(node, NULL);
	if (ws != NULL)
		jixiao__workspace__free_unpacked(ws, NULL);
}

/* ---- GetTree, Check, Export: the scoring sheet */

static void
svc_tree_get_tree(Jixiao__Tree_Service *service, const Jixiao__GetTreeRequest *in,
    Jixiao__TreeReply_Closure closure, void *data)
{
	struct scoresheet r;
	struct rpc_call *c = data;
	uint8_t key[TREECACHE_KEY_LEN], *frame;
	const uint8_t *packed;
	size_t len;
	bool cacheable = false;

	/* The current tree of an unchanged workspace: the reply packed last time. */
	if ((!in->has_at || in->at == 0) && treecache_key(rpc_call_txn(c), rpc_call_store(c),
	    in->workspace, rpc_call_now(c), key) == 0) {
		if (treecache_get(rpc_call_treecache(c), in->workspace, key, &frame, &len)) {
			rpc_call_answer_frame(c, frame, len);
			return;
		}
		cacheable = true;
	}
	if (scoresheet_load(data, in->workspace, in->has_at ? in->at : 0, &r) == 0)
		closure(&r.reply, data);
	else
		closure(NULL, data);
	scoresheet_free(&r);
	if (cacheable && rpc_call_code(c) == JX_OK && rpc_call_frame(c, &packed, &len))
		treecache_put(rpc_call_treecache(c), in->workspace, key, packed, len);
}

/* The consistency warnings of the sheet at a revision, as jx check computes them. */
static void
svc_tree_check(Jixiao__Tree_Service *service, const Jixiao__GetTreeRequest *in,
    Jixiao__CheckReply_Closure closure, void *data)
{
	struct rpc_call *c = data;
	Jixiao__CheckReply out = JIXIAO__CHECK_REPLY__INIT;
	Jixiao__CheckWarning *items = NULL, **ptrs = NULL;
	struct check_warning *w = NULL;
	struct scoresheet sh;
	size_t nw = 0;

	if (scoresheet_load(c, in->workspace, in->has_at ? in->at : 0, &sh) != 0) {
		closure(NULL, data);
		goto out;
	}
	if (check_tree_reply(&sh.reply, &w, &nw) != 0 ||
	    (nw > 0 && ((items = calloc(nw, sizeof(*items))) == NULL ||
	    (ptrs = calloc(nw, sizeof(*ptrs))) == NULL))) {
		rpc_call_fail(c, JX_EINTERNAL, "the sheet of workspace %" PRIu64 " cannot be "
		    "checked", in->workspace);
		closure(NULL, data);
		goto out;
	}
	for (size_t i = 0; i < nw; i++) {
		jixiao__check_warning__init(&items[i]);
		items[i].code = (char *)w[i].code;
		items[i].kind = w[i].kind;
		items[i].text = w[i].text;
		ptrs[i] = &items[i];
	}
	out.n_warnings = nw;
	out.warnings = ptrs;
	closure(&out, data);
out:
	free(items);
	free(ptrs);
	check_free(w);
	scoresheet_free(&sh);
}

/*
 * The sheet or report as a file, by the exporters jx export uses (client/export). It
 * must fit in a reply: bigger ones are refused with a pointer to jx export.
 */
static void
svc_tree_export(Jixiao__Tree_Service *service, const Jixiao__ExportRequest *in,
    Jixiao__ExportReply_Closure closure, void *data)
{
	struct rpc_call *c = data;
	Jixiao__ExportReply out = JIXIAO__EXPORT_REPLY__INIT;
	Jixiao__ListFindingsReply findings = JIXIAO__LIST_FINDINGS_REPLY__INIT;
	Jixiao__Finding **all = NULL;
	struct export_sheet es = { 0 };
	struct scoresheet sh;
	enum export_format fmt;
	char why[EXPORT_WHY_MAX], name[96];
	uint8_t *buf = NULL;
	size_t len = 0, nf = 0;
	bool have_sheet = false;
	int rv;

	if (export_format_parse(in->format, &fmt) != 0) {
		rpc_call_fail(c, JX_EINVAL, "there is no export format %.32s: xlsx, html, md or csv",
		    in->format);
		closure(NULL, data);
		return;
	}
	have_sheet = true;
	if (scoresheet_load(c, in->workspace, in->has_at ? in->at : 0, &sh) != 0)
		goto fail;
	if ((rv = export_sheet_init(&es, &sh.reply, why, sizeof(why))) != 0) {
		rpc_call_fail(c, rv, "%s", why);
		goto fail;
	}
	if (export_format_needs(fmt) & EXPORT_NEEDS_FINDINGS) {
		if (svc_findings_load(c, in->workspace, sh.ws->revision, &all, &nf) != 0)
			goto fail;
		findings.findings = all;
		findings.n_findings = nf;
		es.findings = &findings;
	}
	if ((rv = export_format_bytes(&es, fmt, &buf, &len, why, sizeof(why))) != 0) {
		rpc_call_fail(c, rv, "%s", why);
		goto fail;
	}
	if (len > ENVELOPE_MAX - 4096) {
		rpc_call_fail(c, JX_ENOSPC, "the %s file is %zu bytes, more than one reply carries; "
		    "write it with jx export", export_format_name(fmt), len);
		goto fail;
	}
	snprintf(name, sizeof(name), "jixiao-%" PRIu64 "-r%" PRIu64 ".%s", in->workspace,
	    sh.ws->revision, export_format_name(fmt));
	out.name = name;
	out.mime = (char *)export_format_mime(fmt);
	out.data.data = buf;
	out.data.len = len;
	closure(&out, data);
	goto out;
fail:
	closure(NULL, data);
out:
	free(buf);
	svc_findings_free(all, nf);
	export_sheet_free(&es);
	if (have_sheet)
		scoresheet_free(&sh);
}

static Jixiao__Tree_Service svc_tree_service = JIXIAO__TREE__INIT(svc_tree_);

const struct rpc_service svc_tree = {
	.service = &svc_tree_service.base,
};

