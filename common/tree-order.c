#include "tree-order.h"

#include <stdbool.h>
#include <stdlib.h>

struct tree_order_walk {
	Jixiao__Node **sorted;
	size_t n;
	bool *seen;
	unsigned max_depth;
	struct tree_order *o;
};

static int
tree_order_cmp(const void *a, const void *b)
{
	const Jixiao__Node *x = *(Jixiao__Node *const *)a, *y = *(Jixiao__Node *const *)b;

	if (x->parent_id != y->parent_id)
		return x->parent_id < y->parent_id ? -1 : 1;
	if (x->position != y->position)
		return x->position < y->position ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* First index in the sorted nodes whose parent is parent. */
static size_t
tree_order_first_child(const struct tree_order_walk *w, uint64_t parent)
{
	size_t lo = 0, hi = w->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (w->sorted[mid]->parent_id < parent)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Appends parent's subtree, parents before their children. */
static void
tree_order_visit(struct tree_order_walk *w, uint64_t parent, size_t parent_at, unsigned depth)
{
	struct tree_order *o = w->o;

	if (depth > w->max_depth)
		return;
	for (size_t i = tree_order_first_child(w, parent);
	     i < w->n && w->sorted[i]->parent_id == parent; i++) {
		size_t at;

		if (w->seen[i])
			continue;
		w->seen[i] = true;
		at = o->n++;
		o->order[at] = w->sorted[i];
		o->parent[at] = parent_at;
		o->depth[at] = depth;
		tree_order_visit(w, w->sorted[i]->id, at, depth + 1);
	}
}

int
tree_order_make(Jixiao__Node **nodes, size_t n, unsigned max_depth, struct tree_order *o)
{
	struct tree_order_walk w = { .sorted = nodes, .n = n, .max_depth = max_depth, .o = o };

	o->order = NULL;
	o->parent = NULL;
	o->depth = NULL;
	o->n = 0;
	if (n == 0)
		return 0;
	if ((o->order = calloc(n, sizeof(*o->order))) == NULL ||
	    (o->parent = calloc(n, sizeof(*o->parent))) == NULL ||
	    (o->depth = calloc(n, sizeof(*o->depth))) == NULL ||
	    (w.seen = calloc(n, sizeof(*w.seen))) == NULL)
		return -1;
	qsort(nodes, n, sizeof(*nodes), tree_order_cmp);
	tree_order_visit(&w, 0, SHEET_ROOT, 1);
	free(w.seen);
	return 0;
}

void
tree_order_free(struct tree_order *o)
{
	free(o->order);
	free(o->parent);
	free(o->depth);
	o->order = NULL;
	o->parent = NULL;
	o->depth = NULL;
	o->n = 0;
}

void
tree_order_sheet(const struct tree_order *o, struct sheet_node *sn)
{
	for (size_t i = 0; i < o->n; i++) {
		const Jixiao__Node *n = o->order[i];
		sn[i] = (struct sheet_node){ .code = n->code, .target = n->target,
			.actual = n->actual, .method = n->method, .params = n->params,
			.parent = o->parent[i], .has_weight = n->has_weight, .weight = n->weight,
			.has_score = n->has_score, .score = n->score };
	}
}
