#include "tree-order.h"

#include <stdbool.h>
#include <stdlib.h>

struct tree_order_walk {
	Jixiao__Node **sorted;
	size_t n;
};

/* A node whose children are being appended: the next one to look at in sorted. */
struct tree_order_frame {
	uint64_t id;  /* 0: the root */
	size_t at;    /* its index in the order, SHEET_ROOT for the root */
	size_t next;  /* the next candidate child in sorted */
	unsigned depth; /* its children's depth */
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

/*
 * Appends the root's subtree, parents before their children, depth first. Each node
 * is pushed once (seen), so the stack holds at most n + 1 frames whatever the depth.
 */
static void
tree_order_visit(const struct tree_order_walk *w, bool *seen, struct tree_order_frame *stack,
    struct tree_order *o)
{
	size_t sp = 0;

	stack[sp++] = (struct tree_order_frame){ .id = 0, .at = SHEET_ROOT,
		.next = tree_order_first_child(w, 0), .depth = 1 };
	while (sp > 0) {
		struct tree_order_frame *f = &stack[sp - 1];
		size_t i = f->next, at;

		if (i >= w->n || w->sorted[i]->parent_id != f->id) {
			sp--;
			continue;
		}
		f->next = i + 1;
		if (seen[i])
			continue;
		seen[i] = true;
		at = o->n++;
		o->order[at] = w->sorted[i];
		o->parent[at] = f->at;
		o->depth[at] = f->depth;
		stack[sp++] = (struct tree_order_frame){ .id = w->sorted[i]->id, .at = at,
			.next = tree_order_first_child(w, w->sorted[i]->id), .depth = f->depth + 1 };
	}
}

int
tree_order_make(Jixiao__Node **nodes, size_t n, struct tree_order *o)
{
	struct tree_order_walk w = { .sorted = nodes, .n = n };
	struct tree_order_frame *stack = NULL;
	bool *seen = NULL;
	int rv = -1;

	o->order = NULL;
	o->parent = NULL;
	o->depth = NULL;
	o->n = 0;
	if (n == 0)
		return 0;
	if ((o->order = calloc(n, sizeof(*o->order))) == NULL ||
	    (o->parent = calloc(n, sizeof(*o->parent))) == NULL ||
	    (o->depth = calloc(n, sizeof(*o->depth))) == NULL ||
	    (seen = calloc(n, sizeof(*seen))) == NULL ||
	    (stack = calloc(n + 1, sizeof(*stack))) == NULL)
		goto out;
	qsort(nodes, n, sizeof(*nodes), tree_order_cmp);
	tree_order_visit(&w, seen, stack, o);
	rv = 0;
out:
	free(stack);
	free(seen);
	return rv;
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
