/*
 * The Tree service: the indicator tree of a workspace. Every node has its own
 * revision; an edit names the revision it was based on and is refused with ABORTED
 * and the node as it is now when someone else changed it in between.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "check-tree.h"
#include "decimal.h"
#include "envelope.h"
#include "err.h"
#include "export.h"
#include "method.h"
#include "proto/jixiao.pb-c.h"
#include "rpc.h"
#include "sheet.h"
#include "store.h"
#include "svc.h"
#include "treecache.h"
#include "templates.h"
#include "tree-order.h"
#include "history.h"
#include "text.h"
#include "workspace.h"

#define CODE_MAX 32
#define NAME_MAX_LEN 256
#define CATEGORY_MAX 64
#define TEXT_MAX 8192
#define WEIGHT_MAX 100000 /* 1000 points, in hundredths */
#define PARAMS_MAX 1024
#define IMPORT_MAX 5000
/* A bound on walks through the tree's links, against a damaged index that loops. */
#define TREE_WALK_MAX 1000000

/* ---- node records and indexes */

static void
node_key(uint8_t key[16], uint64_t ws, uint64_t id)
{
	store_key_pair(key, ws, id);
}

static int
node_get(struct rpc_call *c, uint64_t ws, uint64_t id, Jixiao__Node **node)
{
	uint8_t key[16];
	int rv;

	node_key(key, ws, id);
	rv = store_get_msg(rpc_call_txn(c), rpc_call_store(c), STORE_NODES, key, sizeof(key),
	    &jixiao__node__descriptor, (ProtobufCMessage **)node);
	if (rv == JX_ENOTFOUND)
		rpc_call_fail(c, rv, "indicator #%" PRIu64 " does not exist in workspace %" PRIu64,
		    id, ws);
	else if (rv != 0)
		rpc_call_fail(c, rv, "indicator #%" PRIu64 " cannot be read", id);
	return rv;
}

static int
node_put(struct rpc_call *c, uint64_t ws, const Jixiao__Node *node)
{
	uint8_t key[16];

	node_key(key, ws, node->id);
	return store_put_msg(rpc_call_txn(c), rpc_call_store(c), STORE_NODES, key, sizeof(key),
	    &node->base);
}

static size_t
code_key(uint8_t key[8 + CODE_MAX], uint64_t ws, const char *code)
{
	size_t n = strlen(code);

	store_key_u64(key, ws);
	memcpy(key + 8, code, n);
	return 8 + n;
}

/* Looks a code up: 0 and *id, or JX_ENOTFOUND. */
static int
code_find(struct rpc_call *c, uint64_t ws, const char *code, uint64_t *id)
{
	uint8_t key[8 + CODE_MAX];
	MDB_val v;
	int rv;

	if (strlen(code) > CODE_MAX)
		return JX_ENOTFOUND;
	rv = store_get(rpc_call_txn(c), rpc_call_store(c), STORE_CODES, key,
	    code_key(key, ws, code), &v);
	if (rv != 0)
		return rv;
	if (v.mv_size != 8)
		return JX_EINTERNAL;
	*id = store_key_get_u64(v.mv_data);
	return JX_OK;
}

static int
code_put(struct rpc_call *c, uint64_t ws, const char *code, uint64_t id)
{
	uint8_t key[8 + CODE_MAX], val[8];

	store_key_u64(val, id);
	return store_put(rpc_call_txn(c), rpc_call_store(c), STORE_CODES, key,
	    code_key(key, ws, code), val, sizeof(val));
}

static int
code_del(struct rpc_call *c, uint64_t ws, const char *code)
{
	uint8_t key[8 + CODE_MAX];

	return store_del(rpc_call_txn(c), rpc_call_store(c), STORE_CODES, key,
	    code_key(key, ws, code));
}

static int
child_link(struct rpc_call *c, uint64_t ws, uint64_t parent, uint64_t child, bool add)
{
	uint8_t key[24];

	store_key_pair(key, ws, parent);
	store_key_u64(key + 16, child);
	if (add)
		return store_put(rpc_call_txn(c), rpc_call_store(c), STORE_CHILDREN, key,
		    sizeof(key), "", 0);
	return store_del(rpc_call_txn(c), rpc_call_store(c), STORE_CHILDREN, key, sizeof(key));
}

struct child_ids {
	uint64_t **ids;
	size_t *n, cap;
};

/* A children index entry: ws (8) + parent (8) + child (8). */
static int
child_list_one(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct child_ids *l = arg;

	if (klen != 24 || array_grow(l->ids, *l->n, &l->cap, sizeof(**l->ids), 8) != 0)
		return JX_EINTERNAL;
	(*l->ids)[(*l->n)++] = store_key_get_u64((const uint8_t *)key + 16);
	return 0;
}

/*
 * Lists the ids of parent's children into *ids (malloc'd, caller frees; NULL when
 * none). Returns 0 or an error.
 */
static int
child_list(struct rpc_call *c, uint64_t ws, uint64_t parent, uint64_t **ids, size_t *n)
{
	struct child_ids l = { ids, n, 0 };
	uint8_t prefix[16];
	int rv;

	*ids = NULL;
	*n = 0;
	store_key_pair(prefix, ws, parent);
	rv = store_scan(rpc_call_txn(c), rpc_call_store(c), STORE_CHILDREN, prefix,
	    sizeof(prefix), child_list_one, &l);
	if (rv != 0) {
		free(*ids);
		*ids = NULL;
		*n = 0;
	}
	return rv;
}

static bool
has_children(struct rpc_call *c, uint64_t ws, uint64_t id)
{
	uint64_t *ids;
	size_t n;

	if (child_list(c, ws, id, &ids, &n) != 0)
		return true;
	free(ids);
	return n > 0;
}

/* Finds the node ref names: by id when it has one, else by code. */
static int
node_resolve(struct rpc_call *c, uint64_t ws, const Jixiao__NodeRef *ref, Jixiao__Node **node)
{
	uint64_t id;
	int rv;

	*node = NULL;
	if (ref == NULL || ((!ref->has_id || ref->id == 0) && (ref->code == NULL ||
	    ref->code[0] == '\0'))) {
		rpc_call_fail(c, JX_EINVAL, "name the indicator by its id or its code");
		return JX_EINVAL;
	}
	if (ref->has_id && ref->id != 0)
		return node_get(c, ws, ref->id, node);
	if ((rv = code_find(c, ws, ref->code, &id)) != 0) {
		if (rv == JX_ENOTFOUND && text_utf8_valid(ref->code))
			rpc_call_fail(c, rv, "workspace %" PRIu64 " has no indicator %s", ws,
			    ref->code);
		else if (rv == JX_ENOTFOUND)
			rpc_call_fail(c, rv, "no indicator has that code");
		else
			rpc_call_fail(c, rv, "the indicator index is damaged");
		return rv;
	}
	return node_get(c, ws, id, node);
}

/*
 * The level of a node (1 at the top), counted up to TREE_DEPTH_MAX + 1: a node of an
 * older store may sit deeper, and its exact level does not matter to the depth rule.
 */
static int
node_depth(struct rpc_call *c, uint64_t ws, const Jixiao__Node *node, unsigned *depth)
{
	uint64_t parent = node->parent_id;
	Jixiao__Node *p;

	for (*depth = 1; parent != 0 && *depth <= TREE_DEPTH_MAX; (*depth)++) {
		if (node_get(c, ws, parent, &p) != 0)
			return JX_EINTERNAL;
		parent = p->parent_id;
		jixiao__node__free_unpacked(p, NULL);
	}
	return JX_OK;
}

/*
 * How many levels id's subtree spans (1: no sub-indicators), looked at down to limit
 * levels (more is reported as limit + 1); *deepest (CODE_MAX + 1 bytes) gets the code
 * of a node on the deepest level found.
 */
static int
node_height(struct rpc_call *c, uint64_t ws, uint64_t id, unsigned limit, unsigned *height,
    char *deepest)
{
	uint64_t *kids = NULL;
	size_t nkids = 0;
	Jixiao__Node *node;
	int rv;

	*height = 1;
	if ((rv = node_get(c, ws, id, &node)) != 0)
		return rv;
	snprintf(deepest, CODE_MAX + 1, "%s", node->code);
	jixiao__node__free_unpacked(node, NULL);
	if (limit <= 1) {
		if ((rv = child_list(c, ws, id, &kids, &nkids)) == 0 && nkids > 0)
			*height = 2;
		free(kids);
		return rv;
	}
	if ((rv = child_list(c, ws, id, &kids, &nkids)) != 0)
		return rv;
	for (size_t i = 0; i < nkids && *height <= limit; i++) {
		char code[CODE_MAX + 1];
		unsigned h;

		if ((rv = node_height(c, ws, kids[i], limit - 1, &h, code)) != 0)
			break;
		if (h + 1 > *height) {
			*height = h + 1;
			snprintf(deepest, CODE_MAX + 1, "%s", code);
		}
	}
	free(kids);
	return rv;
}

/*
 * The one depth rule, for add, import and move: an indicator code whose subtree spans
 * height levels may go under parent (NULL: the top level) only if its deepest
 * sub-indicator (deepest; code itself when height is 1) stays within TREE_DEPTH_MAX
 * levels. Otherwise fails the call, naming the indicator and the levels, and returns
 * false.
 */
static bool
tree_depth_allows(struct rpc_call *c, uint64_t ws, const Jixiao__Node *parent, const char *code,
    unsigned height, const char *deepest)
{
	unsigned above = 0;

	if (parent != NULL && node_depth(c, ws, parent, &above) != 0) {
		rpc_call_fail(c, JX_EINTERNAL, "the indicator tree cannot be read");
		return false;
	}
	if (above + height <= TREE_DEPTH_MAX)
		return true;
	if (height == 1)
		rpc_call_fail(c, JX_EINVAL, "indicator %s would be at level %u under %s (level %u%s); "
		    "indicators nest at most %d levels deep (指标最多 %d 级)", code, above + 1,
		    parent->code, above, above > TREE_DEPTH_MAX ? " or deeper" : "", TREE_DEPTH_MAX,
		    TREE_DEPTH_MAX);
	else
		rpc_call_fail(c, JX_EINVAL, "indicator %s has %u%s levels of sub-indicators; under "
		    "%s (level %u%s) its deepest, %s, would be at level %u; indicators nest at most "
		    "%d levels deep (指标最多 %d 级)", code, height - 1,
		    height > TREE_DEPTH_MAX ? " or more" : "", parent != NULL ? parent->code :
		    "the top level", above, above > TREE_DEPTH_MAX ? " or deeper" : "", deepest,
		    above + height, TREE_DEPTH_MAX, TREE_DEPTH_MAX);
	return false;
}

/* ---- claims */

#define CLAIM_DEFAULT_MINUTES 30
#define CLAIM_MAX_MINUTES (24 * 60)

/* The live claim on a node, or NULL (caller frees). */
static Jixiao__Claim *
claim_get(struct rpc_call *c, uint64_t ws, uint64_t id)
{
	Jixiao__Claim *cl = NULL;
	uint8_t key[16];

	node_key(key, ws, id);
	if (store_get_msg(rpc_call_txn(c), rpc_call_store(c), STORE_CLAIMS, key, sizeof(key),
	    &jixiao__claim__descriptor, (ProtobufCMessage **)&cl) != 0)
		return NULL;
	if (cl->until <= rpc_call_now(c)) {
		jixiao__claim__free_unpacked(cl, NULL);
		return NULL;
	}
	return cl;
}

/* Warns an editor of a node someone else has claimed; the edit goes ahead. */
static void
claim_warn(struct rpc_call *c, uint64_t ws, const Jixiao__Node *node)
{
	Jixiao__Claim *cl = claim_get(c, ws, node->id);

	if (cl != NULL && strcmp(cl->user, rpc_call_user(c)) != 0)
		rpc_call_note(c, "indicator %s is claimed by %s for %" PRId64 " more minutes; "
		    "tell them about your change", node->code, cl->user,
		    (cl->until - rpc_call_now(c) + 59) / 60);
	if (cl != NULL)
		jixiao__claim__free_unpacked(cl, NULL);
}

/* Fills claimed_by/claimed_until on the nodes of ws that have a live claim. */
static void
claim_fill(struct rpc_call *c, uint64_t ws, Jixiao__Node **nodes, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		Jixiao__Claim *cl = claim_get(c, ws, nodes[i]->id);
		if (cl == NULL)
			continue;
		free(nodes[i]->claimed_by);
		nodes[i]->claimed_by = strdup(cl->user);
		nodes[i]->has_claimed_until = 1;
		nodes[i]->claimed_until = cl->until;
		jixiao__claim__free_unpacked(cl, NULL);
	}
}

static void
svc_tree_claim(Jixiao__Tree_Service *service, const Jixiao__ClaimRequest *in,
    Jixiao__NodeReply_Closure closure, void *data)
{
	Jixiao__NodeReply out = JIXIAO__NODE_REPLY__INIT;
	Jixiao__Claim cl = JIXIAO__CLAIM__INIT, *other = NULL;
	Jixiao__Workspace *ws = NULL;
	Jixiao__Node *node = NULL;
	struct rpc_call *c = data;
	uint32_t minutes = in->has_minutes ? in->minutes : CLAIM_DEFAULT_MINUTES;
	uint8_t key[16];
	int rv;

	if (minutes > CLAIM_MAX_MINUTES) {
		rpc_call_fail(c, JX_EINVAL, "a claim lasts at most %d minutes", CLAIM_MAX_MINUTES);
		goto out;
	}
	if (workspace_load_editable(c, in->workspace, &ws) != 0 ||
	    node_resolve(c, ws->id, in->node, &node) != 0)
		goto out;
	other = claim_get(c, ws->id, node->id);
	if (other != NULL && strcmp(other->user, rpc_call_user(c)) != 0 && minutes > 0)
		rpc_call_note(c, "indicator %s was claimed by %s; it is yours now, tell them",
		    node->code, other->user);
	node_key(key, ws->id, node->id);
	if (minutes == 0) {
		rv = store_del(rpc_call_txn(c), rpc_call_store(c), STORE_CLAIMS, key, sizeof(key));
		rv = rv == JX_ENOTFOUND ? JX_OK : rv;
	} else {
		cl.user = (char *)rpc_call_user(c);
		cl.until = rpc_call_now(c) + (int64_t)minutes * 60;
		rv = store_put_msg(rpc_call_txn(c), rpc_call_store(c), STORE_CLAIMS, key,
		    sizeof(key), &cl.base);
		free(node->claimed_by);
		node->claimed_by = strdup(cl.user);
		node->has_claimed_until = 1;
		node->claimed_until = cl.until;
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

/* ---- validation */

static bool
check_text(struct rpc_call *c, const char *what, const char *v, size_t max, bool multiline)
{
	if (v == NULL)
		return true;
	if (strlen(v) > max) {
		rpc_call_fail(c, JX_EINVAL, "the %s is longer than %zu bytes", what, max);
		return false;
	}
	if (!text_utf8_valid(v) || !text_printable(v, multiline)) {
		rpc_call_fail(c, JX_EINVAL, "the %s is not valid UTF-8 text", what);
		return false;
	}
	return true;
}

static bool
check_code(struct rpc_call *c, const char *code)
{
	if (code[0] == '\0') {
		rpc_call_fail(c, JX_EINVAL, "an indicator code cannot be empty");
		return false;
	}
	if (!check_text(c, "code", code, CODE_MAX, false))
		return false;
	for (const char *p = code; *p != '\0'; p++) {
		if (*p == ' ') {
			rpc_call_fail(c, JX_EINVAL, "an indicator code cannot contain spaces");
			return false;
		}
	}
	return true;
}

static bool
check_weight(struct rpc_call *c, int64_t weight)
{
	char buf[DEC_BUFSZ];

	if (weight < 0 || weight > WEIGHT_MAX) {
		rpc_call_fail(c, JX_EINVAL, "a weight must be between 0 and %s points",
		    dec_format_short(WEIGHT_MAX, buf));
		return false;
	}
	return true;
}

/* A score belongs to a leaf with a weight, and lies between 0 and that weight. */
static bool
check_score(struct rpc_call *c, const Jixiao__Node *node, bool leaf)
{
	char s[DEC_BUFSZ], why[256];
	struct method m;

	if (!node->has_score)
		return true;
	if (method_parse(node->method, node->params, &m, s, sizeof(s)) == 0 &&
	    m.kind != METHOD_MANUAL) {
		rpc_call_fail(c, JX_EPRECOND, "indicator %s is scored by its method (%s); its "
		    "score is computed, not entered", node->code, method_name(m.kind));
		return false;
	}
	if (!leaf) {
		rpc_call_fail(c, JX_EPRECOND, "indicator %s has sub-indicators: its score is "
		    "the sum of theirs", node->code);
		return false;
	}
	if (!node->has_weight) {
		rpc_call_fail(c, JX_EPRECOND, "indicator %s needs a weight before a score",
		    node->code);
		return false;
	}
	if (score_manual_check(node->code, node->has_weight, node->weight, node->score,
	    node->comment, why, sizeof(why)) != 0) {
		rpc_call_fail(c, JX_EINVAL, "%s", why);
		return false;
	}
	return true;
}

static bool
check_fields(struct rpc_call *c, const char *name, const char *category, const char *criteria,
    const char *target, const char *actual, const char *comment)
{
	return check_text(c, "name", name, NAME_MAX_LEN, false) &&
	    check_text(c, "category", category, CATEGORY_MAX, false) &&
	    check_text(c, "criteria text", criteria, TEXT_MAX, true) &&
	    check_text(c, "target", target, TEXT_MAX, true) &&
	    check_text(c, "actual value", actual, TEXT_MAX, true) &&
	    check_text(c, "comment", comment, TEXT_MAX, true);
}

static bool
check_method(struct rpc_call *c, const char *method, const char *params)
{
	struct method m;
	char why[256];

	if (!check_text(c, "method", method, CATEGORY_MAX, false) ||
	    !check_text(c, "method parameters", params, PARAMS_MAX, false))
		return false;
	if (method_parse(method, params, &m, why, sizeof(why)) != 0) {
		rpc_call_fail(c, JX_EINVAL, "%s", why);
		return false;
	}
	return true;
}

static bool
check_stated(struct rpc_call *c, int64_t stated)
{
	if (stated < 0 || stated > WEIGHT_MAX) {
		rpc_call_fail(c, JX_EINVAL, "a stated score must be between 0 and 1000 points");
		return false;
	}
	return true;
}

/* Refuses a stale edit: ABORTED, with the node as it is now for the reply. */
static bool
check_revision(struct rpc_call *c, const Jixiao__Node *node, uint64_t base)
{
	if (node->revision == base)
		return true;
	rpc_call_fail(c, JX_EABORTED, "indicator %s was changed by %s at revision %" PRIu64
	    " after your revision %" PRIu64 "; review its current value and try again",
	    node->code, node->updated_by != NULL ? node->updated_by : "someone",
	    node->revision, base);
	return false;
}

/* Stamps node as changed by this call, in the revision about to be recorded. */
static void
node_stamp(struct rpc_call *c, const Jixiao__Workspace *ws, Jixiao__Node *node)
{
	node->revision = ws->revision + 1;
	node->has_updated_at = 1;
	node->updated_at = rpc_call_now(c);
	workspace_set_str(&node->updated_by, rpc_call_user(c));
}

/*
 * Saves node as changed by this call, records the change from before (what, e.g.
 * "node.update") and fills the reply. Fails the call and returns the error on failure.
 */
static int
node_save(struct rpc_call *c, Jixiao__Workspace *ws, Jixiao__Node *before, Jixiao__Node *node,
    const char *what, Jixiao__Change *change, Jixiao__NodeReply *out)
{
	int rv;

	node_stamp(c, ws, node);
	if ((rv = node_put(c, ws->id, node)) != 0) {
		rpc_call_fail(c, JX_EINTERNAL, "the indicator could not be saved");
		return rv;
	}
	change->what = (char *)what;
	change->before = before;
	change->after = node;
	if ((rv = workspace_record(c, ws, change)) != 0)
		return rv;
	out->node = node;
	out->has_workspace_revision = 1;
	out->workspace_revision = ws->revision;
	return JX_OK;
}

static int
set_opt_str(char **field, const char *v)
{
	return v == NULL ? JX_OK : workspace_set_str(field, v);
}

/* ---- for the other services */

int
svc_tree_resolve(struct rpc_call *c, uint64_t ws, const Jixiao__NodeRef *ref,
    Jixiao__Node **node)
{
	return node_resolve(c, ws, ref, node);
}

int
svc_tree_copy(struct rpc_call *c, const Jixiao__Node *node, Jixiao__Node **copy)
{
	size_t len = jixiao__node__get_packed_size(node);
	uint8_t *buf = malloc(len > 0 ? len : 1);

	*copy = NULL;
	if (buf != NULL) {
		jixiao__node__pack(node, buf);
		*copy = jixiao__node__unpack(NULL, len, buf);
		free(buf);
	}
	if (*copy == NULL) {
		rpc_call_fail(c, JX_EINTERNAL, "out of memory");
		return JX_EINTERNAL;
	}
	return JX_OK;
}

int
svc_tree_save(struct rpc_call *c, Jixiao__Workspace *ws, Jixiao__Node *before,
    Jixiao__Node *node, const char *what, Jixiao__Change *change, Jixiao__NodeReply *out)
{
	return node_save(c, ws, before, node, what, change, out);
}

/* ---- independent scoring */

#define MARKS_MAX 64

/*
 * The score the marks give: the lead evaluator's when the workspace has one and they
 * have marked, else the mean, rounded half up to the hundredth.
 */
static int64_t
marks_score(const Jixiao__Workspace *ws, Jixiao__Mark *const *marks, size_t n)
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
	    node_resolve(c, ws->id, in->node, &node) != 0)
		goto out;
	if (has_children(c, ws->id, node->id) || !node->has_weight ||
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
		if (!check_text(c, "comment", in->comment, TEXT_MAX, true))
			goto out;
		if (score_manual_check(node->code, node->has_weight, node->weight, in->score,
		    in->comment, why, sizeof(why)) != 0) {
			rpc_call_fail(c, JX_EINVAL, "your mark: %s", why);
			goto out;
		}
	}
	if (node_get(c, ws->id, node->id, &before) != 0)
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
	node->score = n > 0 ? marks_score(ws, marks, n) : 0;
	node_save(c, ws, before, node, "node.mark", &change, &out);
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

/* ---- AddNode */

/* parent.code + ".k" for the first k not taken. */
static int
node_next_code(struct rpc_call *c, uint64_t ws, const Jixiao__Node *parent, char *code)
{
	uint64_t id;

	for (unsigned k = 1; k < 100000; k++) {
		int n = parent != NULL ? snprintf(code, CODE_MAX + 1, "%s.%u", parent->code, k)
				       : snprintf(code, CODE_MAX + 1, "%u", k);
		if (n < 0 || n > CODE_MAX)
			break;
		if (code_find(c, ws, code, &id) == JX_ENOTFOUND)
			return JX_OK;
	}
	rpc_call_fail(c, JX_EINVAL, "no free code is left under that indicator; give one");
	return JX_EINVAL;
}

/*
 * Adds the indicator in describes to ws (loaded and editable) and records the change.
 * node (INIT'd by the caller) and code (CODE_MAX + 1 bytes) receive the new node, whose
 * strings borrow from in. Returns 0, or fails the call and returns the error.
 */
static int
tree_add(struct rpc_call *c, Jixiao__Workspace *ws, const Jixiao__AddNodeRequest *in,
    uint64_t lineage, Jixiao__Node *node, char *code)
{
	Jixiao__Change change = JIXIAO__CHANGE__INIT;
	Jixiao__Node *parent = NULL;
	uint64_t id;
	int rv = JX_EINVAL;

	if (in->name[0] == '\0') {
		rpc_call_fail(c, JX_EINVAL, "an indicator needs a name");
		goto out;
	}
	if (!check_fields(c, in->name, in->category, in->criteria, in->target, in->actual,
	    in->comment))
		goto out;
	if ((in->has_weight && !check_weight(c, in->weight)) ||
	    !check_method(c, in->method, in->params) ||
	    (in->has_stated && !check_stated(c, in->stated)))
		goto out;
	if (in->parent != NULL) {
		if (node_resolve(c, ws->id, in->parent, &parent) != 0)
			goto out;
		if (parent->has_score) {
			rpc_call_fail(c, JX_EPRECOND, "indicator %s has a score; clear it before "
			    "giving it sub-indicators", parent->code);
			goto out;
		}
		if (!tree_depth_allows(c, ws->id, parent, in->code != NULL &&
		    in->code[0] != '\0' ? in->code : in->name, 1, NULL))
			goto out;
	}
	if (in->code != NULL && in->code[0] != '\0') {
		if (!check_code(c, in->code))
			goto out;
		if (code_find(c, ws->id, in->code, &id) != JX_ENOTFOUND) {
			rpc_call_fail(c, JX_EEXIST, "workspace %" PRIu64 " already has an "
			    "indicator %s", ws->id, in->code);
			goto out;
		}
		snprintf(code, CODE_MAX + 1, "%s", in->code);
	} else if (node_next_code(c, ws->id, parent, code) != 0) {
		goto out;
	}
	if (workspace_next_seq(c, "seq.node", &id) != 0)
		goto out;

	node->id = id;
	node->has_parent_id = 1;
	node->parent_id = parent != NULL ? parent->id : 0;
	node->code = code;
	node->name = in->name;
	node->has_weight = in->has_weight;
	node->weight = in->weight;
	node->category = in->category;
	node->criteria = in->criteria;
	node->target = in->target;
	node->actual = in->actual;
	node->has_score = in->has_score;
	node->score = in->score;
	node->comment = in->comment;
	node->method = in->method;
	node->params = in->params;
	node->has_stated = in->has_stated;
	node->stated = in->stated;
	node->revision = ws->revision + 1;
	node->updated_by = (char *)rpc_call_user(c);
	node->has_updated_at = 1;
	node->updated_at = rpc_call_now(c);
	node->has_position = 1;
	node->position = ws->revision + 1;
	node->has_lineage = 1;
	node->lineage = lineage != 0 ? lineage : id;
	if (!check_score(c, node, true))
		goto out;
	if (node_put(c, ws->id, node) != 0 || code_put(c, ws->id, code, id) != 0 ||
	    child_link(c, ws->id, node->parent_id, id, true) != 0) {
		rpc_call_fail(c, JX_EINTERNAL, "the indicator could not be saved");
		rv = JX_EINTERNAL;
		goto out;
	}
	change.what = "node.add";
	change.after = node;
	rv = workspace_record(c, ws, &change);
out:
	if (parent != NULL)
		jixiao__node__free_unpacked(parent, NULL);
	return rv != 0 ? rv : rpc_call_code(c);
}

static void
svc_tree_add_node(Jixiao__Tree_Service *service, const Jixiao__AddNodeRequest *in,
    Jixiao__NodeReply_Closure closure, void *data)
{
	Jixiao__NodeReply out = JIXIAO__NODE_REPLY__INIT;
	Jixiao__Node node = JIXIAO__NODE__INIT;
	Jixiao__Workspace *ws = NULL;
	char code[CODE_MAX + 1];

	if (workspace_load_editable(data, in->workspace, &ws) == 0 &&
	    tree_add(data, ws, in, 0, &node, code) == 0) {
		out.node = &node;
		out.has_workspace_revision = 1;
		out.workspace_revision = ws->revision;
	}
	closure(&out, data);
	if (ws != NULL)
		jixiao__workspace__free_unpacked(ws, NULL);
}

/* ---- Import */

int
svc_tree_add_all(struct rpc_call *c, Jixiao__Workspace *ws, Jixiao__AddNodeRequest *const *nodes,
    size_t n, const uint64_t *lineages)
{
	if (n > IMPORT_MAX) {
		rpc_call_fail(c, JX_EINVAL, "an import holds at most %d indicators", IMPORT_MAX);
		return JX_EINVAL;
	}
	/* One call, one transaction: the first refused row discards the whole import. */
	for (size_t i = 0; i < n; i++) {
		Jixiao__Node node = JIXIAO__NODE__INIT;
		char code[CODE_MAX + 1];
		int rv;

		if ((rv = tree_add(c, ws, nodes[i], lineages != NULL ? lineages[i] : 0, &node,
		    code)) != 0)
			return rv;
	}
	return JX_OK;
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

	if (in->n_nodes == 0 || in->n_nodes > IMPORT_MAX) {
		rpc_call_fail(c, JX_EINVAL, "an import holds 1 to %d indicators", IMPORT_MAX);
		goto out;
	}
	if (workspace_load_editable(c, in->workspace, &ws) != 0)
		goto out;
	if (child_list(c, ws->id, 0, &top, &ntop) != 0 || ntop > 0) {
		rpc_call_fail(c, JX_EPRECOND, "workspace %" PRIu64 " already has indicators; "
		    "import into a new workspace", ws->id);
		goto out;
	}
	if (in->has_stated_total && !check_stated(c, in->stated_total))
		goto out;
	if (svc_tree_add_all(c, ws, in->nodes, in->n_nodes, NULL) != 0)
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
node_apply_update(struct rpc_call *c, uint64_t ws, Jixiao__Node *node,
    const Jixiao__UpdateNodeRequest *in)
{
	uint64_t other;
	int rv = JX_OK;

	if (in->name != NULL && in->name[0] == '\0') {
		rpc_call_fail(c, JX_EINVAL, "an indicator needs a name");
		return JX_EINVAL;
	}
	if (!check_fields(c, in->name, in->category, in->criteria, in->target, in->actual,
	    in->comment) || (in->has_weight && !check_weight(c, in->weight)) ||
	    (in->has_stated && !check_stated(c, in->stated)))
		return JX_EINVAL;
	if ((in->method != NULL || in->params != NULL) &&
	    !check_method(c, in->method != NULL ? in->method : node->method,
	    in->params != NULL ? in->params : node->params))
		return JX_EINVAL;
	if (in->code != NULL && strcmp(in->code, node->code) != 0) {
		if (!check_code(c, in->code))
			return JX_EINVAL;
		if (code_find(c, ws, in->code, &other) != JX_ENOTFOUND) {
			rpc_call_fail(c, JX_EEXIST, "workspace %" PRIu64 " already has an "
			    "indicator %s", ws, in->code);
			return JX_EEXIST;
		}
		if (code_del(c, ws, node->code) != 0 || code_put(c, ws, in->code, node->id) != 0)
			rv = JX_EINTERNAL;
		rv = rv ? rv : workspace_set_str(&node->code, in->code);
	}
	rv = rv ? rv : set_opt_str(&node->name, in->name);
	rv = rv ? rv : set_opt_str(&node->category, in->category);
	rv = rv ? rv : set_opt_str(&node->criteria, in->criteria);
	rv = rv ? rv : set_opt_str(&node->target, in->target);
	rv = rv ? rv : set_opt_str(&node->actual, in->actual);
	rv = rv ? rv : set_opt_str(&node->comment, in->comment);
	rv = rv ? rv : set_opt_str(&node->method, in->method);
	rv = rv ? rv : set_opt_str(&node->params, in->params);
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
	    !check_score(c, node, !has_children(c, ws, node->id)))
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
	if (node_resolve(c, ws->id, in->node, &node) != 0)
		goto out;
	/* --force: an explicit override of a newer revision, recorded as such. */
	if (in->force && node->revision != in->base_revision) {
		change.has_forced = 1;
		change.forced = 1;
		rpc_call_note(c, "overrode indicator %s's revision %" PRIu64 " by %s; the "
		    "override is recorded in the history", node->code, node->revision,
		    node->updated_by != NULL ? node->updated_by : "someone");
	} else if (!check_revision(c, node, in->base_revision)) {
		out.node = node;
		goto out;
	}
	claim_warn(c, ws->id, node);
	if (in->name == NULL && !in->has_weight && in->category == NULL &&
	    in->criteria == NULL && in->target == NULL && in->actual == NULL &&
	    !in->has_score && in->comment == NULL && !in->clear_score && in->code == NULL &&
	    in->method == NULL && in->params == NULL && !in->has_stated && !in->clear_stated) {
		rpc_call_fail(c, JX_EINVAL, "nothing to change: give at least one field");
		goto out;
	}
	if (node_get(c, ws->id, node->id, &before) != 0)
		goto out;
	if (node_apply_update(c, ws->id, node, in) != 0)
		goto out;
	node_save(c, ws, before, node, "node.update", &change, &out);
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
	char (*codes)[CODE_MAX + 1] = NULL;
	Jixiao__Workspace *ws = NULL;
	struct rpc_call *c = data;
	size_t n = in->n_edits;

	if (n + in->n_added == 0 || n > IMPORT_MAX || in->n_added > IMPORT_MAX) {
		rpc_call_fail(c, JX_EINVAL, "a batch of edits holds 1 to %d edits and at most %d "
		    "new indicators", IMPORT_MAX, IMPORT_MAX);
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
		if (node_resolve(c, ws->id, e->node, &node) != 0)
			goto out;
		if (node->revision != e->base_revision) {
			stale[out.n_stale++] = node;
			continue;
		}
		if (node_get(c, ws->id, node->id, &before) != 0 ||
		    node_apply_update(c, ws->id, node, e) != 0 ||
		    node_save(c, ws, before, node, "node.update", &change, &one) != 0) {
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
		if (tree_add(c, ws, in->added[i], 0, &added[i], codes[i]) != 0)
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
	Jixiao__Node *node = NULL, *before = NULL, *parent = NULL, *up;
	Jixiao__Workspace *ws = NULL;
	struct rpc_call *c = data;
	char deepest[CODE_MAX + 1];
	uint64_t walk;
	unsigned height, steps = 0;

	if (workspace_load_editable(c, in->workspace, &ws) != 0)
		goto out;
	if (node_resolve(c, ws->id, in->node, &node) != 0)
		goto out;
	if (!check_revision(c, node, in->base_revision)) {
		out.node = node;
		goto out;
	}
	if (in->new_parent != NULL) {
		if (node_resolve(c, ws->id, in->new_parent, &parent) != 0)
			goto out;
		/*
		 * Walk up from the new parent: meeting the node itself would make a cycle.
		 * The store's nodes form a tree, so the walk ends at the top; the bound only
		 * stops a damaged index from looping.
		 */
		for (walk = parent->id; walk != 0; walk = up->parent_id, jixiao__node__free_unpacked(up, NULL)) {
			if (walk == node->id) {
				rpc_call_fail(c, JX_EINVAL, "indicator %s cannot move under itself",
				    node->code);
				goto out;
			}
			if (++steps > TREE_WALK_MAX || node_get(c, ws->id, walk, &up) != 0) {
				rpc_call_fail(c, JX_EINTERNAL, "the indicator tree cannot be read");
				goto out;
			}
		}
		if (parent->has_score) {
			rpc_call_fail(c, JX_EPRECOND, "indicator %s has a score; clear it before "
			    "giving it sub-indicators", parent->code);
			goto out;
		}
	}
	/* Every sub-indicator moves along: the deepest of them must stay within the limit. */
	if (node_height(c, ws->id, node->id, TREE_DEPTH_MAX, &height, deepest) != 0) {
		rpc_call_fail(c, JX_EINTERNAL, "the indicator tree cannot be read");
		goto out;
	}
	if (!tree_depth_allows(c, ws->id, parent, node->code, height, deepest))
		goto out;
	if (node_get(c, ws->id, node->id, &before) != 0)
		goto out;
	if (child_link(c, ws->id, node->parent_id, node->id, false) != 0 ||
	    child_link(c, ws->id, parent != NULL ? parent->id : 0, node->id, true) != 0) {
		rpc_call_fail(c, JX_EINTERNAL, "the indicator could not be moved");
		goto out;
	}
	node->has_parent_id = 1;
	node->parent_id = parent != NULL ? parent->id : 0;
	node->has_position = 1;
	node->position = ws->revision + 1;
	node_save(c, ws, before, node, "node.move", &change, &out);
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

/* Removes the node id, which has no sub-indicators left, as its own revision. */
static int
node_remove_one(struct rpc_call *c, Jixiao__Workspace *ws, uint64_t id)
{
	Jixiao__Change change = JIXIAO__CHANGE__INIT;
	Jixiao__Node *node = NULL;
	uint8_t key[16];
	int rv;

	if ((rv = node_get(c, ws->id, id, &node)) != 0)
		goto out;
	node_key(key, ws->id, id);
	if ((rv = store_del(rpc_call_txn(c), rpc_call_store(c), STORE_NODES, key, sizeof(key))) ||
	    (rv = code_del(c, ws->id, node->code)) ||
	    (rv = child_link(c, ws->id, node->parent_id, id, false)))
		goto out;
	change.what = "node.remove";
	change.before = node;
	rv = workspace_record(c, ws, &change);
out:
	if (node != NULL)
		jixiao__node__free_unpacked(node, NULL);
	return rv;
}

/*
 * Removes id and everything under it, each removal its own revision, leaves first:
 * again and again the first leaf under id (following first children down), which is
 * the order of a depth-first walk that removes children before their parent. No
 * recursion, so a subtree of any depth an older store holds can be removed.
 */
static int
node_remove_subtree(struct rpc_call *c, Jixiao__Workspace *ws, uint64_t id)
{
	uint64_t leaf, *kids = NULL;
	size_t nkids = 0, steps = 0;
	int rv = JX_OK;

	do {
		for (leaf = id;; leaf = kids[0]) {
			free(kids);
			kids = NULL;
			if (++steps > TREE_WALK_MAX) {
				rv = JX_EINTERNAL;
				goto out;
			}
			if ((rv = child_list(c, ws->id, leaf, &kids, &nkids)) != 0)
				goto out;
			if (nkids == 0)
				break;
		}
		if ((rv = node_remove_one(c, ws, leaf)) != 0)
			goto out;
	} while (leaf != id);
out:
	free(kids);
	if (rv != 0)
		rpc_call_fail(c, rv, "the indicator could not be removed");
	return rv;
}

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
	if (node_resolve(c, ws->id, in->node, &node) != 0)
		goto out;
	if (!check_revision(c, node, in->base_revision)) {
		out.node = node;
		goto out;
	}
	if (child_list(c, ws->id, node->id, &kids, &nkids) != 0) {
		rpc_call_fail(c, JX_EINTERNAL, "the indicator tree cannot be read");
		goto out;
	}
	if (nkids > 0 && !in->recursive) {
		rpc_call_fail(c, JX_EPRECOND, "indicator %s has %zu sub-indicators; remove them "
		    "first, or remove recursively", node->code, nkids);
		goto out;
	}
	if (node_remove_subtree(c, ws, node->id) != 0)
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

/* ---- GetTree */

struct tree_walk {
	Jixiao__Node **sorted; /* every node loaded (owned); sorted by tree_order_make */
	size_t n;
	struct tree_order ord; /* depth first, borrowing from sorted */
};

/* Scores the ordered tree with common/sheet.c and fills the computed fields. */
static int
tree_score(struct tree_walk *w, const Jixiao__Budget *budget, const Jixiao__Template *tmpl,
    struct sheet_node *sn, Jixiao__TreeReply *out)
{
	struct sheet s = { .nodes = sn, .n = w->ord.n };
	struct score_grade bands[TEMPLATES_GRADES_MAX];
	struct score_grades grades;

	/* The bands of the template the workspace came from; Guangzhou's otherwise. */
	if (templates_grades(tmpl, bands, &grades) == 0)
		s.grades = &grades;

	tree_order_sheet(&w->ord, sn);
	if (budget != NULL && budget->has_rate) {
		s.has_rate = true;
		s.rate = budget->rate;
	}
	if (sheet_compute(&s) != 0)
		return JX_EINTERNAL;
	for (size_t i = 0; i < w->ord.n; i++) {
		Jixiao__Node *n = w->ord.order[i];
		n->has_depth = 1;
		n->depth = w->ord.depth[i];
		n->has_total = n->has_unscored = 1;
		n->total = sn[i].total;
		n->unscored = sn[i].unscored;
		n->has_computed = n->computed = sn[i].computed;
		n->has_vetoed = n->vetoed = sn[i].vetoed;
		/* Borrowed: cleared before the node is freed. */
		n->note = sn[i].note[0] != '\0' ? sn[i].note : NULL;
	}
	out->total = s.total;
	out->weight = s.weight;
	out->has_unscored = 1;
	out->unscored = s.unscored;
	out->has_vetoed = 1;
	out->vetoed = s.vetoed;
	out->has_grade_final = 1;
	out->grade_final = s.unscored == 0;
	if (s.grade != NULL) {
		out->grade = (char *)s.grade->name;
		out->grade_key = (char *)s.grade->key;
	}
	return JX_OK;
}

struct tree_load {
	struct tree_walk *w;
	size_t *cap;
};

static int
tree_load_one(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct tree_load *l = arg;
	struct tree_walk *w = l->w;

	if (klen != 16 || array_grow(&w->sorted, w->n, l->cap, sizeof(*w->sorted), 64) != 0)
		return JX_EINTERNAL;
	if ((w->sorted[w->n] = jixiao__node__unpack(NULL, vlen, val)) == NULL)
		return JX_EINTERNAL;
	w->n++;
	return 0;
}

/* Reads ws's current indicators into w->sorted (unsorted yet). */
static int
tree_load_current(struct rpc_call *c, uint64_t ws, struct tree_walk *w, size_t *cap)
{
	struct tree_load l = { w, cap };
	uint8_t prefix[8];

	store_key_u64(prefix, ws);
	return store_scan(rpc_call_txn(c), rpc_call_store(c), STORE_NODES, prefix,
	    sizeof(prefix), tree_load_one, &l);
}

int
svc_tree_sheet(struct rpc_call *c, uint64_t wsid, uint64_t at, struct svc_tree_sheet *r)
{
	struct tree_walk *w;
	size_t cap = 0;
	int rv;

	memset(r, 0, sizeof(*r));
	jixiao__tree_reply__init(&r->reply);
	if ((w = r->walk = calloc(1, sizeof(*w))) == NULL) {
		rpc_call_fail(c, JX_EINTERNAL, "out of memory");
		return JX_EINTERNAL;
	}
	if ((rv = workspace_load(c, wsid, &r->ws)) != 0)
		return rv;
	if (at > r->ws->revision) {
		rpc_call_fail(c, JX_ENOTFOUND, "workspace %" PRIu64 " has no revision %" PRIu64
		    " yet; its newest is %" PRIu64, wsid, at, r->ws->revision);
		return JX_ENOTFOUND;
	}
	/* Now, the head is the workspace's; in the past, the hash of that revision's record. */
	if (r->ws->has_head && r->ws->head.len == sizeof(r->head) &&
	    (at == 0 || at == r->ws->revision)) {
		memcpy(r->head, r->ws->head.data, sizeof(r->head));
		r->reply.has_head = 1;
	} else if (history_head_at(c, wsid, at, r->head) == 0) {
		r->reply.has_head = 1;
	}
	if (at != 0 && at < r->ws->revision) {
		/* The past, from the state index: the workspace, its budget and its nodes then. */
		Jixiao__Workspace *then = NULL;
		rv = history_state_at(c, wsid, HISTORY_WORKSPACE, at, &jixiao__workspace__descriptor,
		    (ProtobufCMessage **)&then);
		if (rv != 0) {
			rpc_call_fail(c, rv, "workspace %" PRIu64 " has no revision %" PRIu64, wsid,
			    at);
			return rv;
		}
		jixiao__workspace__free_unpacked(r->ws, NULL);
		r->ws = then;
		r->ws->revision = at;
		rv = history_state_at(c, wsid, HISTORY_BUDGET, at, &jixiao__budget__descriptor,
		    (ProtobufCMessage **)&r->budget);
		if (rv == 0)
			svc_budgets_derive(r->budget);
		else if (rv != JX_ENOTFOUND)
			goto fail;
		rv = history_nodes_at(c, wsid, at, &w->sorted, &w->n, &cap);
	} else {
		if ((rv = svc_budgets_load(c, wsid, &r->budget)) != 0)
			return rv;
		rv = tree_load_current(c, wsid, w, &cap);
		if (rv == 0)
			claim_fill(c, wsid, w->sorted, w->n);
	}
	if (rv != 0)
		goto fail;
	if (r->ws->template_id != NULL && templates_load(c, r->ws->template_id,
	    r->ws->template_version, &r->tmpl) != 0)
		return rpc_call_code(c);
	r->reply.workspace = r->ws;
	r->reply.budget = r->budget;
	if (tree_order_make(w->sorted, w->n, &w->ord) != 0 ||
	    (w->n > 0 && (r->sheet = calloc(w->n, sizeof(*r->sheet))) == NULL))
		goto fail;
	if (tree_score(w, r->budget, r->tmpl, r->sheet, &r->reply) != 0)
		goto fail;
	r->reply.nodes = w->ord.order;
	r->reply.n_nodes = w->ord.n;
	if (r->reply.has_head) {
		r->reply.head.data = r->head;
		r->reply.head.len = sizeof(r->head);
	}
	return JX_OK;
fail:
	rpc_call_fail(c, JX_EINTERNAL, "the indicator tree of workspace %" PRIu64
	    " cannot be read", wsid);
	return JX_EINTERNAL;
}

void
svc_tree_sheet_free(struct svc_tree_sheet *r)
{
	struct tree_walk *w = r->walk;

	if (w != NULL) {
		for (size_t i = 0; i < w->n; i++) {
			w->sorted[i]->note = NULL;
			jixiao__node__free_unpacked(w->sorted[i], NULL);
		}
		free(w->sorted);
		tree_order_free(&w->ord);
		free(w);
	}
	free(r->sheet);
	if (r->budget != NULL)
		jixiao__budget__free_unpacked(r->budget, NULL);
	if (r->tmpl != NULL)
		jixiao__template__free_unpacked(r->tmpl, NULL);
	if (r->ws != NULL)
		jixiao__workspace__free_unpacked(r->ws, NULL);
	memset(r, 0, sizeof(*r));
}

static int
tree_size_one(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	size_t *raw = arg;

	*raw += vlen + SVC_TREE_RECORD_ROOM;
	return 0;
}

int
svc_tree_reply_size(struct rpc_call *c, uint64_t wsid, size_t *bytes)
{
	struct svc_tree_sheet r;
	uint8_t prefix[8];
	size_t raw = 0;
	int rv;

	/* The stored records, plus room for what scoring adds: exact only when it matters. */
	store_key_u64(prefix, wsid);
	if ((rv = store_scan(rpc_call_txn(c), rpc_call_store(c), STORE_NODES, prefix,
	    sizeof(prefix), tree_size_one, &raw)) != 0)
		return rv;
	*bytes = raw + 64 * 1024;
	if (*bytes < rpc_call_max_reply(c) / 2)
		return JX_OK;
	if ((rv = svc_tree_sheet(c, wsid, 0, &r)) == 0)
		*bytes = protobuf_c_message_get_packed_size(&r.reply.base);
	svc_tree_sheet_free(&r);
	return rv;
}

static void
svc_tree_get_tree(Jixiao__Tree_Service *service, const Jixiao__GetTreeRequest *in,
    Jixiao__TreeReply_Closure closure, void *data)
{
	struct svc_tree_sheet r;
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
	if (svc_tree_sheet(data, in->workspace, in->has_at ? in->at : 0, &r) == 0)
		closure(&r.reply, data);
	else
		closure(NULL, data);
	svc_tree_sheet_free(&r);
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
	struct svc_tree_sheet sh;
	size_t nw = 0;

	if (svc_tree_sheet(c, in->workspace, in->has_at ? in->at : 0, &sh) != 0) {
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
	svc_tree_sheet_free(&sh);
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
	struct svc_tree_sheet sh;
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
	if (svc_tree_sheet(c, in->workspace, in->has_at ? in->at : 0, &sh) != 0)
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
		svc_tree_sheet_free(&sh);
}

static Jixiao__Tree_Service svc_tree_service = JIXIAO__TREE__INIT(svc_tree_);

const struct rpc_service svc_tree = {
	.service = &svc_tree_service.base,
};
