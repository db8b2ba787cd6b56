/*
 * The depth-first order of an indicator tree (common/tree-order.c), which the server's
 * views, scores and digest and the archive's re-scoring all read through: any depth a
 * store holds is ordered, nothing reachable is left out, orphans and cycles are.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "tree-order.h"

/* Far deeper than TREE_DEPTH_MAX, and deep enough that a recursive walk would be costly. */
#define CHAIN 100000

static void
deep_chain_is_ordered_whole(void **state)
{
	Jixiao__Node *mem = calloc(CHAIN, sizeof(*mem)), **nodes = calloc(CHAIN, sizeof(*nodes));
	struct tree_order o;

	assert_non_null(mem);
	assert_non_null(nodes);
	/* Given backwards, so the order is the walk's, not the input's. */
	for (size_t i = 0; i < CHAIN; i++) {
		jixiao__node__init(&mem[i]);
		mem[i].id = i + 1;
		mem[i].parent_id = i;
		nodes[CHAIN - 1 - i] = &mem[i];
	}
	assert_int_equal(tree_order_make(nodes, CHAIN, &o), 0);
	assert_int_equal(o.n, CHAIN);
	for (size_t i = 0; i < CHAIN; i++) {
		assert_int_equal(o.order[i]->id, i + 1);
		assert_int_equal(o.depth[i], i + 1);
		assert_int_equal(o.parent[i], i == 0 ? SHEET_ROOT : i - 1);
	}
	tree_order_free(&o);
	free(nodes);
	free(mem);
}

static void
siblings_by_position_and_strays_left_out(void **state)
{
	/* 1 { 2, 3 { 4 } } by position (3 before 2), 5 under a missing 9, 6 <-> 7 a cycle. */
	static const uint64_t ids[] = { 1, 2, 3, 4, 5, 6, 7 };
	static const uint64_t parents[] = { 0, 1, 1, 3, 9, 7, 6 };
	static const uint64_t positions[] = { 0, 5, 2, 0, 0, 0, 0 };
	Jixiao__Node mem[7], *nodes[7];
	struct tree_order o;

	for (size_t i = 0; i < 7; i++) {
		jixiao__node__init(&mem[i]);
		mem[i].id = ids[i];
		mem[i].parent_id = parents[i];
		mem[i].position = positions[i];
		nodes[i] = &mem[i];
	}
	assert_int_equal(tree_order_make(nodes, 7, &o), 0);
	assert_int_equal(o.n, 4);
	assert_int_equal(o.order[0]->id, 1);
	assert_int_equal(o.order[1]->id, 3);
	assert_int_equal(o.order[2]->id, 4);
	assert_int_equal(o.depth[2], 3);
	assert_int_equal(o.parent[2], 1);
	assert_int_equal(o.order[3]->id, 2);
	assert_int_equal(o.parent[3], 0);
	tree_order_free(&o);
	assert_int_equal(tree_order_make(nodes, 0, &o), 0);
	assert_int_equal(o.n, 0);
	tree_order_free(&o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(deep_chain_is_ordered_whole),
		cmocka_unit_test(siblings_by_position_and_strays_left_out),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
