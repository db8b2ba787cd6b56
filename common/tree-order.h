/*
 * The depth-first order of an indicator tree, as the scoring sheet (sheet.h) takes it:
 * parents before their children, siblings by position then id. The server scores its
 * trees in this order and an archive check re-scores them in the same one.
 */
#ifndef JX_TREE_ORDER_H
#define JX_TREE_ORDER_H

#include <stddef.h>

#include "proto/jixiao.pb-c.h"
#include "sheet.h"

/*
 * Indicators nest at most this many levels (1 = the top level). Writers refuse deeper
 * (server/svc-tree.c: add, import and move share one check); readers take any depth a
 * store holds, so nothing stored is ever left out of a view, a score or a digest.
 */
#define TREE_DEPTH_MAX 16

struct tree_order {
	Jixiao__Node **order; /* depth first; borrowed from the nodes given */
	size_t *parent;       /* each one's parent's index in order, SHEET_ROOT at level 1 */
	unsigned *depth;      /* 1 at level 1 */
	size_t n;             /* the nodes reached from the root, at any depth */
};

/*
 * Orders nodes (the array is sorted in place by parent, position and id), however deep
 * (the walk keeps its own stack, not the C one). Nodes not reached from the root (an
 * orphan, or a cycle a damaged history could make) are left out: o->n < n says so.
 * Returns 0 or -1 when out of memory; free o either way.
 */
int tree_order_make(Jixiao__Node **nodes, size_t n, struct tree_order *o);
/* Accepts a zeroed order. */
void tree_order_free(struct tree_order *o);

/* The sheet's view of each ordered node into sn (o->n entries), inputs only. */
void tree_order_sheet(const struct tree_order *o, struct sheet_node *sn);

#endif
