/*
 * The indicator store: a workspace's indicator records (ws + id -> Node), the code index
 * (ws + code -> id) and the children index (ws + parent + child), kept in step; the
 * walks up and down the tree, and the depth rule.
 */
#include "indicators.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "err.h"
#include "indicators-check.h"
#include "store.h"
#include "text.h"
#include "workspace.h"

static void
indicators_key(uint8_t key[16], uint64_t ws, uint64_t id)
{
	store_key_pair(key, ws, id);
}

int
indicators_get(struct rpc_call *c, uint64_t ws, uint64_t id, Jixiao__Node **node)
{
	uint8_t key[16];
	int rv;

	indicators_key(key, ws, id);
	rv = store_get_msg(rpc_call_txn(c), rpc_call_store(c), STORE_NODES, key, sizeof(key),
	    &jixiao__node__descriptor, (ProtobufCMessage **)node);
	if (rv == JX_ENOTFOUND)
		rpc_call_fail(c, rv, "indicator #%" PRIu64 " does not exist in workspace %" PRIu64,
		    id, ws);
	else if (rv != 0)
		rpc_call_fail(c, rv, "indicator #%" PRIu64 " cannot be read", id);
	return rv;
}

int
indicators_put(struct rpc_call *c, uint64_t ws, const Jixiao__Node *node)
{
	uint8_t key[16];

	indicators_key(key, ws, node->id);
	return store_put_msg(rpc_call_txn(c), rpc_call_store(c), STORE_NODES, key, sizeof(key),
	    &node->base);
}

static size_t
indicators_code_key(uint8_t key[8 + INDICATORS_CODE_MAX], uint64_t ws, const char *code)
{
	size_t n = strlen(code);

	store_key_u64(key, ws);
	memcpy(key + 8, code, n);
	return 8 + n;
}

/* Looks a code up: 0 and *id, or JX_ENOTFOUND. */
int
indicators_code_find(struct rpc_call *c, uint64_t ws, const char *code, uint64_t *id)
{
	uint8_t key[8 + INDICATORS_CODE_MAX];
	MDB_val v;
	int rv;

	if (strlen(code) > INDICATORS_CODE_MAX)
		return JX_ENOTFOUND;
	rv = store_get(rpc_call_txn(c), rpc_call_store(c), STORE_CODES, key,
	    indicators_code_key(key, ws, code), &v);
	if (rv != 0)
		return rv;
	if (v.mv_size != 8)
		return JX_EINTERNAL;
	*id = store_key_get_u64(v.mv_data);
	return JX_OK;
}

int
indicators_code_put(struct rpc_call *c, uint64_t ws, const char *code, uint64_t id)
{
	uint8_t key[8 + INDICATORS_CODE_MAX], val[8];

	store_key_u64(val, id);
	return store_put(rpc_call_txn(c), rpc_call_store(c), STORE_CODES, key,
	    indicators_code_key(key, ws, code), val, sizeof(val));
}

int
indicators_code_del(struct rpc_call *c, uint64_t ws, const char *code)
{
	uint8_t key[8 + INDICATORS_CODE_MAX];

	return store_del(rpc_call_txn(c), rpc_call_store(c), STORE_CODES, key,
	    indicators_code_key(key, ws, code));
}

int
indicators_link(struct rpc_call *c, uint64_t ws, uint64_t parent, uint64_t child, bool add)
{
	uint8_t key[24];

	store_key_pair(key, ws, parent);
	store_key_u64(key + 16, child);
	if (add)
		return store_put(rpc_call_txn(c), rpc_call_store(c), STORE_CHILDREN, key,
		    sizeof(key), "", 0);
	return store_del(rpc_call_txn(c), rpc_call_store(c), STORE_CHILDREN, key, sizeof(key));
}

struct indicators_ids {
	uint64_t **ids;
	size_t *n, cap;
};

/* A children index entry: ws (8) + parent (8) + child (8). */
static int
indicators_children_one(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct indicators_ids *l = arg;

	if (klen != 24 || array_grow(l->ids, *l->n, &l->cap, sizeof(**l->ids), 8) != 0)
		return JX_EINTERNAL;
	(*l->ids)[(*l->n)++] = store_key_get_u64((const uint8_t *)key + 16);
	return 0;
}

int
indicators_children(struct rpc_call *c, uint64_t ws, uint64_t parent, uint64_t **ids, size_t *n)
{
	struct indicators_ids l = { ids, n, 0 };
	uint8_t prefix[16];
	int rv;

	*ids = NULL;
	*n = 0;
	store_key_pair(prefix, ws, parent);
	rv = store_scan(rpc_call_txn(c), rpc_call_store(c), STORE_CHILDREN, prefix,
	    sizeof(prefix), indicators_children_one, &l);
	if (rv != 0) {
		free(*ids);
		*ids = NULL;
		*n = 0;
	}
	return rv;
}

bool
indicators_has_children(struct rpc_call *c, uint64_t ws, uint64_t id)
{
	uint64_t *ids;
	size_t n;

	if (indicators_children(c, ws, id, &ids, &n) != 0)
		return true;
	free(ids);
	return n > 0;
}

int
indicators_resolve(struct rpc_call *c, uint64_t ws, const Jixiao__NodeRef *ref, Jixiao__Node **node)
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
		return indicators_get(c, ws, ref->id, node);
	if ((rv = indicators_code_find(c, ws, ref->code, &id)) != 0) {
		if (rv == JX_ENOTFOUND && text_utf8_valid(ref->code))
			rpc_call_fail(c, rv, "workspace %" PRIu64 " has no indicator %s", ws,
			    ref->code);
		else if (rv == JX_ENOTFOUND)
			rpc_call_fail(c, rv, "no indicator has that code");
		else
			rpc_call_fail(c, rv, "the indicator index is damaged");
		return rv;
	}
	return indicators_get(c, ws, id, node);
}

/*
 * The level of a node (1 at the top), counted up to TREE_DEPTH_MAX + 1: a node of an
 * older store may sit deeper, and its exact level does not matter to the depth rule.
 */
static int
indicators_depth(struct rpc_call *c, uint64_t ws, const Jixiao__Node *node, unsigned *depth)
{
	uint64_t parent = node->parent_id;
	Jixiao__Node *p;

	for (*depth = 1; parent != 0 && *depth <= TREE_DEPTH_MAX; (*depth)++) {
		if (indicators_get(c, ws, parent, &p) != 0)
			return JX_EINTERNAL;
		parent = p->parent_id;
		jixiao__node__free_unpacked(p, NULL);
	}
	return JX_OK;
}

int
indicators_height(struct rpc_call *c, uint64_t ws, uint64_t id, unsigned limit, unsigned *height,
    char *deepest)
{
	uint64_t *kids = NULL;
	size_t nkids = 0;
	Jixiao__Node *node;
	int rv;

	*height = 1;
	if ((rv = indicators_get(c, ws, id, &node)) != 0)
		return rv;
	snprintf(deepest, INDICATORS_CODE_MAX + 1, "%s", node->code);
	jixiao__node__free_unpacked(node, NULL);
	if (limit <= 1) {
		if ((rv = indicators_children(c, ws, id, &kids, &nkids)) == 0 && nkids > 0)
			*height = 2;
		free(kids);
		return rv;
	}
	if ((rv = indicators_children(c, ws, id, &kids, &nkids)) != 0)
		return rv;
	for (size_t i = 0; i < nkids && *height <= limit; i++) {
		char code[INDICATORS_CODE_MAX + 1];
		unsigned h;

		if ((rv = indicators_height(c, ws, kids[i], limit - 1, &h, code)) != 0)
			break;
		if (h + 1 > *height) {
			*height = h + 1;
			snprintf(deepest, INDICATORS_CODE_MAX + 1, "%s", code);
		}
	}
	free(kids);
	return rv;
}

bool
indicators_depth_allows(struct rpc_call *c, uint64_t ws, const Jixiao__Node *parent,
    const char *code, unsigned height, const char *deepest)
{
	unsigned above = 0;

	if (parent != NULL && indicators_depth(c, ws, parent, &above) != 0) {
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

int
indicators_within(struct rpc_call *c, uint64_t ws, uint64_t id, uint64_t top, bool *within)
{
	Jixiao__Node *up;
	uint64_t walk;
	unsigned steps = 0;

	/*
	 * The store's nodes form a tree, so the walk ends at the top; the bound only stops
	 * a damaged index from looping.
	 */
	*within = false;
	for (walk = id; walk != 0; walk = up->parent_id, jixiao__node__free_unpacked(up, NULL)) {
		if (walk == top) {
			*within = true;
			return JX_OK;
		}
		if (++steps > INDICATORS_WALK_MAX || indicators_get(c, ws, walk, &up) != 0)
			return JX_EINTERNAL;
	}
	return JX_OK;
}

/* Stamps node as changed by this call, in the revision about to be recorded. */
static void
indicators_stamp(struct rpc_call *c, const Jixiao__Workspace *ws, Jixiao__Node *node)
{
	node->revision = ws->revision + 1;
	node->has_updated_at = 1;
	node->updated_at = rpc_call_now(c);
	workspace_set_str(&node->updated_by, rpc_call_user(c));
}

int
indicators_save(struct rpc_call *c, Jixiao__Workspace *ws, Jixiao__Node *before, Jixiao__Node *node,
    const char *what, Jixiao__Change *change, Jixiao__NodeReply *out)
{
	int rv;

	indicators_stamp(c, ws, node);
	if ((rv = indicators_put(c, ws->id, node)) != 0) {
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

/* parent.code + ".k" for the first k not taken. */
static int
indicators_next_code(struct rpc_call *c, uint64_t ws, const Jixiao__Node *parent, char *code)
{
	uint64_t id;

	for (unsigned k = 1; k < 100000; k++) {
		int n = parent != NULL ? snprintf(code, INDICATORS_CODE_MAX + 1, "%s.%u", parent->code, k)
				       : snprintf(code, INDICATORS_CODE_MAX + 1, "%u", k);
		if (n < 0 || n > INDICATORS_CODE_MAX)
			break;
		if (indicators_code_find(c, ws, code, &id) == JX_ENOTFOUND)
			return JX_OK;
	}
	rpc_call_fail(c, JX_EINVAL, "no free code is left under that indicator; give one");
	return JX_EINVAL;
}

int
indicators_add(struct rpc_call *c, Jixiao__Workspace *ws, const Jixiao__AddNodeRequest *in,
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
	if (!indicators_check_fields(c, in->name, in->category, in->criteria, in->target, in->actual,
	    in->comment))
		goto out;
	if ((in->has_weight && !indicators_check_weight(c, in->weight)) ||
	    !indicators_check_method(c, in->method, in->params) ||
	    (in->has_stated && !indicators_check_stated(c, in->stated)))
		goto out;
	if (in->parent != NULL) {
		if (indicators_resolve(c, ws->id, in->parent, &parent) != 0)
			goto out;
		if (parent->has_score) {
			rpc_call_fail(c, JX_EPRECOND, "indicator %s has a score; clear it before "
			    "giving it sub-indicators", parent->code);
			goto out;
		}
		if (!indicators_depth_allows(c, ws->id, parent, in->code != NULL &&
		    in->code[0] != '\0' ? in->code : in->name, 1, NULL))
			goto out;
	}
	if (in->code != NULL && in->code[0] != '\0') {
		if (!indicators_check_code(c, in->code))
			goto out;
		if (indicators_code_find(c, ws->id, in->code, &id) != JX_ENOTFOUND) {
			rpc_call_fail(c, JX_EEXIST, "workspace %" PRIu64 " already has an "
			    "indicator %s", ws->id, in->code);
			goto out;
		}
		snprintf(code, INDICATORS_CODE_MAX + 1, "%s", in->code);
	} else if (indicators_next_code(c, ws->id, parent, code) != 0) {
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
	if (!indicators_check_score(c, node, true))
		goto out;
	if (indicators_put(c, ws->id, node) != 0 || indicators_code_put(c, ws->id, code, id) != 0 ||
	    indicators_link(c, ws->id, node->parent_id, id, true) != 0) {
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

int
indicators_add_all(struct rpc_call *c, Jixiao__Workspace *ws, Jixiao__AddNodeRequest *const *nodes,
    size_t n, const uint64_t *lineages)
{
	if (n > INDICATORS_ADD_MAX) {
		rpc_call_fail(c, JX_EINVAL, "an import holds at most %d indicators", INDICATORS_ADD_MAX);
		return JX_EINVAL;
	}
	/* One call, one transaction: the first refused row discards the whole import. */
	for (size_t i = 0; i < n; i++) {
		Jixiao__Node node = JIXIAO__NODE__INIT;
		char code[INDICATORS_CODE_MAX + 1];
		int rv;

		if ((rv = indicators_add(c, ws, nodes[i], lineages != NULL ? lineages[i] : 0, &node,
		    code)) != 0)
			return rv;
	}
	return JX_OK;
}

/* Removes the node id, which has no sub-indicators left, as its own revision. */
static int
indicators_remove_one(struct rpc_call *c, Jixiao__Workspace *ws, uint64_t id)
{
	Jixiao__Change change = JIXIAO__CHANGE__INIT;
	Jixiao__Node *node = NULL;
	uint8_t key[16];
	int rv;

	if ((rv = indicators_get(c, ws->id, id, &node)) != 0)
		goto out;
	indicators_key(key, ws->id, id);
	if ((rv = store_del(rpc_call_txn(c), rpc_call_store(c), STORE_NODES, key, sizeof(key))) ||
	    (rv = indicators_code_del(c, ws->id, node->code)) ||
	    (rv = indicators_link(c, ws->id, node->parent_id, id, false)))
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
 * Again and again the first leaf under id (following first children down), which is
 * the order of a depth-first walk that removes children before their parent. No
 * recursion, so a subtree of any depth an older store holds can be removed.
 */
int
indicators_remove(struct rpc_call *c, Jixiao__Workspace *ws, uint64_t id)
{
	uint64_t leaf, *kids = NULL;
	size_t nkids = 0, steps = 0;
	int rv = JX_OK;

	do {
		for (leaf = id;; leaf = kids[0]) {
			free(kids);
			kids = NULL;
			if (++steps > INDICATORS_WALK_MAX) {
				rv = JX_EINTERNAL;
				goto out;
			}
			if ((rv = indicators_children(c, ws->id, leaf, &kids, &nkids)) != 0)
				goto out;
			if (nkids == 0)
				break;
		}
		if ((rv = indicators_remove_one(c, ws, leaf)) != 0)
			goto out;
	} while (leaf != id);
out:
	free(kids);
	if (rv != 0)
		rpc_call_fail(c, rv, "the indicator could not be removed");
	return rv;
}

struct indicators_list {
	Jixiao__Node ***nodes;
	size_t *n, *cap;
};

static int
indicators_load_one(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct indicators_list *l = arg;

	if (klen != 16 || array_grow(l->nodes, *l->n, l->cap, sizeof(**l->nodes), 64) != 0)
		return JX_EINTERNAL;
	if (((*l->nodes)[*l->n] = jixiao__node__unpack(NULL, vlen, val)) == NULL)
		return JX_EINTERNAL;
	(*l->n)++;
	return 0;
}

int
indicators_load(struct rpc_call *c, uint64_t ws, Jixiao__Node ***nodes, size_t *n,
    size_t *cap)
{
	struct indicators_list l = { nodes, n, cap };
	uint8_t prefix[8];

	store_key_u64(prefix, ws);
	return store_scan(rpc_call_txn(c), rpc_call_store(c), STORE_NODES, prefix,
	    sizeof(prefix), indicators_load_one, &l);
}

struct indicators_bytes {
	size_t room, sum;
};

static int
indicators_bytes_one(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct indicators_bytes *b = arg;

	b->sum += vlen + b->room;
	return 0;
}

int
indicators_stored_bytes(struct rpc_call *c, uint64_t ws, size_t room, size_t *bytes)
{
	struct indicators_bytes b = { room, 0 };
	uint8_t prefix[8];
	int rv;

	store_key_u64(prefix, ws);
	rv = store_scan(rpc_call_txn(c), rpc_call_store(c), STORE_NODES, prefix, sizeof(prefix),
	    indicators_bytes_one, &b);
	*bytes = b.sum;
	return rv;
}
