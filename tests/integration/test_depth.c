/*
 * A store that holds a tree deeper than indicators may nest (issue 11, defect 2): made
 * by an older jixiaod, whose MoveNode did not check the depth of what moved along. Every
 * indicator is still listed and scored (and so in the content digest, which is computed
 * over that list); exports refuse with the indicator named; nothing is added deeper;
 * the tree can be repaired with moves and removals. The deep state is written into the
 * store here as that older MoveNode wrote the live state (the node's parent and the
 * children index), with the daemon stopped; it wrote a history record too, which is not
 * made here, so neither jx verify nor a past revision is asked about it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <cmocka.h>

#include "daemon.h"
#include "jxtest.h"
#include "proto/jixiao.pb-c.h"
#include "store.h"

#define JX_OK_RUN(d, out, ...) assert_int_equal(jxd_jx((d), (out), NULL, __VA_ARGS__, NULL), 0)

static void
assert_has(const char *text, const char *want)
{
	if (strstr(text, want) == NULL)
		fail_msg("expected %s in:\n%s", want, text);
}

struct node_by_code {
	const char *code;
	uint64_t id;
};

static int
node_by_code_one(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct node_by_code *b = arg;
	Jixiao__Node *n = jixiao__node__unpack(NULL, vlen, val);

	assert_int_equal(klen, 16);
	assert_non_null(n);
	if (strcmp(n->code, b->code) == 0)
		b->id = n->id;
	jixiao__node__free_unpacked(n, NULL);
	return b->id != 0 ? STORE_SCAN_STOP : 0;
}

/* The id of the node with code in workspace 1, read from the store. */
static uint64_t
node_id(struct store *s, MDB_txn *txn, const char *code)
{
	struct node_by_code b = { code, 0 };
	uint8_t prefix[8];

	store_key_u64(prefix, 1);
	assert_jx_ok(store_scan(txn, s, STORE_NODES, prefix, sizeof(prefix), node_by_code_one, &b));
	if (b.id == 0)
		fail_msg("no indicator %s in the store", code);
	return b.id;
}

/* Moves node code under parent as the unchecked MoveNode of older versions did. */
static void
legacy_move(struct jxd *d, const char *code, const char *parent)
{
	uint8_t key[16], link[24];
	Jixiao__Node *n;
	struct store *s;
	MDB_txn *txn;
	uint64_t id, pid;
	char why[256];

	assert_jx_ok(store_open(d->data, 0, &s, why, sizeof(why)));
	assert_jx_ok(store_write_begin(s, &txn));
	id = node_id(s, txn, code);
	pid = node_id(s, txn, parent);
	store_key_pair(key, 1, id);
	assert_jx_ok(store_get_msg(txn, s, STORE_NODES, key, sizeof(key),
	    &jixiao__node__descriptor, (ProtobufCMessage **)&n));
	store_key_pair(link, 1, n->parent_id);
	store_key_u64(link + 16, id);
	assert_jx_ok(store_del(txn, s, STORE_CHILDREN, link, sizeof(link)));
	store_key_pair(link, 1, pid);
	assert_jx_ok(store_put(txn, s, STORE_CHILDREN, link, sizeof(link), "", 0));
	n->has_parent_id = 1;
	n->parent_id = pid;
	assert_jx_ok(store_put_msg(txn, s, STORE_NODES, key, sizeof(key), &n->base));
	jixiao__node__free_unpacked(n, NULL);
	assert_jx_ok(store_write_commit(s, txn));
	store_close(s);
}

static int
count_nodes(const char *json)
{
	int n = 0;

	for (const char *p = json; (p = strstr(p, "\"depth\": ")) != NULL; p++)
		n++;
	return n;
}

static void
deep_tree_of_an_older_store_stays_whole(void **state)
{
	char code[8], parent[8], *out, *err;
	struct jxd d;

	jxd_start(&d, false);
	JX_OK_RUN(&d, NULL, "ws", "create", "--subject", "旧库", "--year", "2023", "--kind",
	    "self-evaluation");
	JX_OK_RUN(&d, NULL, "node", "add", "1", "a1", "--code", "a1", "--weight", "10");
	for (int level = 2; level <= 16; level++) {
		snprintf(code, sizeof(code), "a%d", level);
		snprintf(parent, sizeof(parent), "a%d", level - 1);
		JX_OK_RUN(&d, NULL, "node", "add", "1", code, "--code", code, "--parent", parent,
		    "--weight", "10");
	}
	JX_OK_RUN(&d, NULL, "node", "add", "1", "b1", "--code", "b1", "--weight", "5");
	JX_OK_RUN(&d, NULL, "node", "add", "1", "b2", "--code", "b2", "--parent", "b1",
	    "--weight", "5");
	JX_OK_RUN(&d, NULL, "node", "add", "1", "b3", "--code", "b3", "--parent", "b2",
	    "--weight", "5", "--score", "5");
	jxd_stop(&d);
	/* b1 under a15: b3 at level 18. The checks of jxd_stop hold again after the repair. */
	legacy_move(&d, "b1", "a15");
	d.no_invariants = true;
	jxd_restart(&d);

	/* Listed, every one, at its depth, and scored. */
	JX_OK_RUN(&d, &out, "tree", "1", "--json");
	assert_int_equal(count_nodes(out), 19);
	assert_has(out, "\"depth\": 18");
	assert_has(out, "\"total\": 5,");
	free(out);
	JX_OK_RUN(&d, &out, "score", "1");
	assert_has(out, "b3");
	free(out);
	/* A table export cannot lay out 18 levels: refused, naming the indicator. */
	assert_int_equal(jxd_jx(&d, NULL, &err, "export", "1", "--format", "md", NULL),
	    EX_DATAERR);
	assert_has(err, "b2 is 17 levels deep; an export takes at most 16");
	free(err);
	/* Nothing goes deeper; deep things can be moved back into shape. */
	assert_int_equal(jxd_jx(&d, NULL, &err, "node", "add", "1", "更深", "--parent", "b2", NULL),
	    EX_DATAERR);
	assert_has(err, "nest at most 16 levels");
	free(err);
	JX_OK_RUN(&d, NULL, "node", "mv", "1", "b2", "--top");
	JX_OK_RUN(&d, &out, "tree", "1", "--json");
	assert_int_equal(count_nodes(out), 19);
	assert_null(strstr(out, "\"depth\": 17"));
	free(out);
	JX_OK_RUN(&d, NULL, "node", "rm", "1", "a1", "--recursive");
	JX_OK_RUN(&d, &out, "tree", "1", "--json");
	assert_int_equal(count_nodes(out), 2);
	free(out);
	d.no_invariants = false;
	jxd_stop(&d);
	jxd_cleanup(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(deep_tree_of_an_older_store_stays_whole),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
