/*
 * The indicator store: a workspace's indicators (STORE_NODES: ws + id -> Node), with the
 * code index (STORE_CODES: ws + code -> id) and the children index (STORE_CHILDREN: ws +
 * parent + child) kept in step; walks through the tree and the depth rule.
 *
 * Functions that take an rpc_call read and write in its transaction. Those that fail
 * the call (rpc_call_fail) say so; the rest only return the error. Nodes handed out
 * are the caller's to free with jixiao__node__free_unpacked.
 */
#ifndef JX_INDICATORS_H
#define JX_INDICATORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "indicators-check.h"
#include "proto/jixiao.pb-c.h"
#include "rpc.h"
#include "tree-order.h"

/* The most indicators one call adds (an import, a template, a batch of edits). */
#define INDICATORS_ADD_MAX 5000
/* A bound on walks through the tree's links, against a damaged index that loops. */
#define INDICATORS_WALK_MAX 1000000

/* Indicator id of ws; fails the call when it does not exist or cannot be read. */
int indicators_get(struct rpc_call *c, uint64_t ws, uint64_t id, Jixiao__Node **node);
/* Writes node's record (not its indexes). */
int indicators_put(struct rpc_call *c, uint64_t ws, const Jixiao__Node *node);
/* Looks a code up: 0 and *id, JX_ENOTFOUND, or another error. */
int indicators_code_find(struct rpc_call *c, uint64_t ws, const char *code, uint64_t *id);
int indicators_code_put(struct rpc_call *c, uint64_t ws, const char *code, uint64_t id);
int indicators_code_del(struct rpc_call *c, uint64_t ws, const char *code);
/* Adds (add) or removes child under parent (0: the top level) in the children index. */
int indicators_link(struct rpc_call *c, uint64_t ws, uint64_t parent, uint64_t child,
    bool add);
/*
 * Lists the ids of parent's children into *ids (malloc'd, caller frees; NULL when
 * none). Returns 0 or an error.
 */
int indicators_children(struct rpc_call *c, uint64_t ws, uint64_t parent, uint64_t **ids,
    size_t *n);
/* Whether id has sub-indicators (true also when that cannot be read). */
bool indicators_has_children(struct rpc_call *c, uint64_t ws, uint64_t id);
/* The indicator ref names in ws, by id when it has one, else by code; fails the call. */
int indicators_resolve(struct rpc_call *c, uint64_t ws, const Jixiao__NodeRef *ref,
    Jixiao__Node **node);

/*
 * How many levels id's subtree spans (1: no sub-indicators), looked at down to limit
 * levels (more is reported as limit + 1); deepest (INDICATORS_CODE_MAX + 1 bytes) gets
 * the code of a node on the deepest level found.
 */
int indicators_height(struct rpc_call *c, uint64_t ws, uint64_t id, unsigned limit,
    unsigned *height, char *deepest);
/*
 * The one depth rule, for add, import and move: an indicator code whose subtree spans
 * height levels may go under parent (NULL: the top level) only if its deepest
 * sub-indicator (deepest; code itself when height is 1) stays within TREE_DEPTH_MAX
 * levels. Otherwise fails the call, naming the indicator and the levels, and returns
 * false.
 */
bool indicators_depth_allows(struct rpc_call *c, uint64_t ws, const Jixiao__Node *parent,
    const char *code, unsigned height, const char *deepest);
/*
 * Whether id is top or lies under it (*within), walking up from id. Returns 0, or an
 * error when the walk cannot be read (indicators_get has failed the call).
 */
int indicators_within(struct rpc_call *c, uint64_t ws, uint64_t id, uint64_t top,
    bool *within);

/*
 * Saves node as changed by this call (its revision, time and user stamped), records
 * the change from before (what, e.g. "node.update") with workspace_record and fills
 * the reply out, which borrows node. Fails the call and returns the error on failure.
 */
int indicators_save(struct rpc_call *c, Jixiao__Workspace *ws, Jixiao__Node *before,
    Jixiao__Node *node, const char *what, Jixiao__Change *change, Jixiao__NodeReply *out);
/*
 * Adds the indicator in describes to ws (loaded and editable) as its own revision.
 * lineage is the indicator it continues from an earlier year (0: a new one). node
 * (INIT'd by the caller) and code (INDICATORS_CODE_MAX + 1 bytes) receive the new node,
 * whose strings borrow from in. Returns 0, or fails the call and returns the error.
 */
int indicators_add(struct rpc_call *c, Jixiao__Workspace *ws, const Jixiao__AddNodeRequest *in,
    uint64_t lineage, Jixiao__Node *node, char *code);
/*
 * Adds indicators to ws (loaded, editable) as AddNode would, in order, each its own
 * revision; stops at the first refusal (the call fails, the transaction is dropped).
 */
int indicators_add_all(struct rpc_call *c, Jixiao__Workspace *ws,
    Jixiao__AddNodeRequest *const *nodes, size_t n, const uint64_t *lineages);
/*
 * Removes id and everything under it, each removal its own revision, leaves first.
 * Fails the call on error.
 */
int indicators_remove(struct rpc_call *c, Jixiao__Workspace *ws, uint64_t id);

/*
 * Appends ws's current indicators, in id order, to the malloc'd array *nodes (*n used,
 * *cap allocated), as history_nodes_at does for a past revision.
 */
int indicators_load(struct rpc_call *c, uint64_t ws, Jixiao__Node ***nodes, size_t *n,
    size_t *cap);
/* The bytes of ws's stored indicator records, plus room for each. */
int indicators_stored_bytes(struct rpc_call *c, uint64_t ws, size_t room, size_t *bytes);

#endif
