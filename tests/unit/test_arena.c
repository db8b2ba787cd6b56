/*
 * The arena (common/arena.c): protobuf-c unpacks into it and frees into it; what does
 * not fit comes from malloc and is freed (ASan sees a leak or a bad free otherwise);
 * a reset takes the block back; a reply decoded in an arena equals one decoded with
 * malloc.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "arena.h"
#include "envelope.h"
#include "err.h"
#include "jxtest.h"
#include "proto/jixiao.pb-c.h"

/* A tree reply of n indicators, packed in an envelope. */
static uint8_t *
tree_frame(size_t n, size_t *len)
{
	Jixiao__TreeReply tree = JIXIAO__TREE_REPLY__INIT;
	Jixiao__Workspace ws = JIXIAO__WORKSPACE__INIT;
	Jixiao__Node *nodes = calloc(n, sizeof(*nodes)), **ptrs = calloc(n, sizeof(*ptrs));
	char (*names)[32] = calloc(n, 32);
	uint8_t *buf;

	assert_non_null(nodes);
	assert_non_null(ptrs);
	assert_non_null(names);
	for (size_t i = 0; i < n; i++) {
		jixiao__node__init(&nodes[i]);
		nodes[i].id = i + 1;
		snprintf(names[i], 32, "指标%zu", i);
		nodes[i].name = names[i];
		nodes[i].code = names[i];
		ptrs[i] = &nodes[i];
	}
	ws.id = 7;
	ws.subject = "竞赛基准";
	ws.fiscal_year = 2025;
	tree.workspace = &ws;
	tree.n_nodes = n;
	tree.nodes = ptrs;
	assert_jx_ok(envelope_reply_pack(JX_OK, NULL, &tree.base, &buf, len));
	free(nodes);
	free(ptrs);
	free(names);
	return buf;
}

static void
arena_decodes_as_malloc_does(void **state)
{
	struct arena a;
	ProtobufCMessage *m1, *m2;
	Jixiao__TreeReply *t1, *t2;
	char *text;
	size_t len;
	int code;
	uint8_t *frame = tree_frame(200, &len);

	(void)state;
	assert_jx_ok(arena_init(&a, 1 << 20));
	for (int round = 0; round < 3; round++) {
		arena_reset(&a);
		assert_jx_ok(envelope_reply_unpack_with(frame, len, &jixiao__tree_reply__descriptor,
		    &a.allocator, &code, &text, &m2));
		assert_jx_ok(envelope_reply_unpack(frame, len, &jixiao__tree_reply__descriptor,
		    &code, &text, &m1));
		t1 = (Jixiao__TreeReply *)m1;
		t2 = (Jixiao__TreeReply *)m2;
		assert_int_equal(t1->n_nodes, 200);
		assert_int_equal(t2->n_nodes, 200);
		for (size_t i = 0; i < 200; i++) {
			assert_int_equal(t1->nodes[i]->id, t2->nodes[i]->id);
			assert_string_equal(t1->nodes[i]->name, t2->nodes[i]->name);
			/* The arena's allocations are in its block. */
			assert_true((uint8_t *)t2->nodes[i] >= a.block &&
			    (uint8_t *)t2->nodes[i] < a.block + a.cap);
		}
		protobuf_c_message_free_unpacked(m1, NULL);
		protobuf_c_message_free_unpacked(m2, &a.allocator);
	}
	arena_free(&a);
	free(frame);
}

/* An arena too small for the reply: the rest comes from malloc and is freed. */
static void
arena_overflows_into_malloc(void **state)
{
	struct arena a;
	ProtobufCMessage *m;
	char *text;
	size_t len;
	int code;
	uint8_t *frame = tree_frame(500, &len);

	(void)state;
	assert_jx_ok(arena_init(&a, 4096));
	assert_jx_ok(envelope_reply_unpack_with(frame, len, &jixiao__tree_reply__descriptor,
	    &a.allocator, &code, &text, &m));
	assert_int_equal(((Jixiao__TreeReply *)m)->n_nodes, 500);
	assert_true(a.used <= a.cap);
	protobuf_c_message_free_unpacked(m, &a.allocator);
	/* A damaged frame frees what it had unpacked, in the arena or not. */
	arena_reset(&a);
	assert_int_equal(envelope_reply_unpack_with(frame, len / 2,
	    &jixiao__tree_reply__descriptor, &a.allocator, &code, &text, &m), JX_EINVAL);
	arena_free(&a);
	free(frame);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(arena_decodes_as_malloc_does),
		cmocka_unit_test(arena_overflows_into_malloc),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
