/*
 * The store check (fsck): a sound store has no problems; a broken chain, a head that
 * is not the last record's hash, an index that points at nothing and a damaged
 * evidence file are each named.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <sodium.h>

#include "fsck.h"
#include "jxtest.h"
#include "proto/jixiao.pb-c.h"
#include "store.h"

struct found {
	char text[4096];
};

static void
collect(void *arg, const char *problem)
{
	struct found *f = arg;
	size_t n = strlen(f->text);

	snprintf(f->text + n, sizeof(f->text) - n, "%s\n", problem);
}

static void
put_msg(struct store *s, MDB_txn *txn, enum store_db db, const uint8_t *key, size_t klen,
    const ProtobufCMessage *m)
{
	assert_jx_ok(store_put_msg(txn, s, db, key, klen, m));
}

/* Workspace 1 with n chained records, the node "1" indexed, as the server writes them. */
static void
build(struct store *s, int n, uint8_t head[32])
{
	Jixiao__Workspace ws = JIXIAO__WORKSPACE__INIT;
	Jixiao__Node node = JIXIAO__NODE__INIT;
	uint8_t key[24], prev[32], buf[1024];
	MDB_txn *txn;

	assert_jx_ok(store_write_begin(s, &txn));
	for (int r = 1; r <= n; r++) {
		Jixiao__Change ch = JIXIAO__CHANGE__INIT;
		size_t len;
		ch.workspace = 1;
		ch.revision = (uint64_t)r;
		ch.what = "node.update";
		if (r > 1) {
			ch.has_prev = 1;
			ch.prev.data = prev;
			ch.prev.len = 32;
		}
		len = jixiao__change__pack(&ch, buf);
		store_key_pair(key, 1, (uint64_t)r);
		assert_jx_ok(store_put(txn, s, STORE_HISTORY, key, 16, buf, len));
		crypto_generichash(prev, 32, buf, len, NULL, 0);
	}
	memcpy(head, prev, 32);
	ws.id = 1;
	ws.subject = "项目";
	ws.revision = (uint64_t)n;
	ws.has_head = 1;
	ws.head.data = head;
	ws.head.len = 32;
	store_key_u64(key, 1);
	put_msg(s, txn, STORE_WORKSPACES, key, 8, &ws.base);
	node.id = 7;
	node.code = "1";
	node.revision = 1;
	store_key_pair(key, 1, 7);
	put_msg(s, txn, STORE_NODES, key, 16, &node.base);
	store_key_u64(key, 1);
	memcpy(key + 8, "1", 1);
	store_key_u64(buf, 7);
	assert_jx_ok(store_put(txn, s, STORE_CODES, key, 9, buf, 8));
	store_key_pair(key, 1, 0);
	store_key_u64(key + 16, 7);
	assert_jx_ok(store_put(txn, s, STORE_CHILDREN, key, 24, "", 0));
	/* A user with a current key and a retired one (after a key change). */
	{
		Jixiao__User u = JIXIAO__USER__INIT;
		uint8_t pk[32], kk[33];
		memset(pk, 7, sizeof(pk));
		u.name = "li";
		u.public_key.data = pk;
		u.public_key.len = sizeof(pk);
		put_msg(s, txn, STORE_USERS, (const uint8_t *)"nli", 3, &u.base);
		kk[0] = 'k';
		memcpy(kk + 1, pk, 32);
		assert_jx_ok(store_put(txn, s, STORE_USERS, kk, sizeof(kk), "li", 2));
		kk[0] = 'r';
		memset(kk + 1, 8, 32);
		assert_jx_ok(store_put(txn, s, STORE_USERS, kk, sizeof(kk), "li", 2));
	}
	assert_jx_ok(store_write_commit(s, txn));
}

static int
check(const char *dir, struct found *f, struct fsck_report *r)
{
	struct store *s;
	char why[256];
	int rv;

	memset(f, 0, sizeof(*f));
	assert_jx_ok(store_open_readonly(dir, false, &s, why, sizeof(why)));
	rv = fsck_run(s, collect, f, r);
	store_close(s);
	return rv;
}

static void
assert_has(const char *hay, const char *needle)
{
	if (strstr(hay, needle) == NULL)
		fail_msg("expected \"%s\" in:\n%s", needle, hay);
}

static void
sound_and_broken_stores(void **state)
{
	char dir[] = "/tmp/jxfsck.XXXXXX", data[64], cmd[128];
	uint8_t head[32], key[48], chunk[100];
	struct fsck_report r;
	struct found f;
	struct store *s;
	MDB_txn *txn;
	char why[256];

	assert_non_null(mkdtemp(dir));
	snprintf(data, sizeof(data), "%s/data", dir);
	assert_jx_ok(store_open(data, 0, &s, why, sizeof(why)));
	build(s, 5, head);
	store_close(s);

	assert_jx_ok(check(data, &f, &r));
	assert_int_equal(r.problems, 0);
	assert_int_equal(r.records, 5);
	assert_int_equal(r.nws, 1);
	assert_int_equal(r.ws[0].revision, 5);
	assert_int_equal(r.users, 1);
	assert_memory_equal(r.ws[0].head, head, 32);
	fsck_report_free(&r);

	/* Record 3 replaced by another: the chain breaks at 4, and the head still holds. */
	assert_jx_ok(store_open(data, 0, &s, why, sizeof(why)));
	assert_jx_ok(store_write_begin(s, &txn));
	{
		Jixiao__Change ch = JIXIAO__CHANGE__INIT;
		uint8_t buf[256], prev[32] = { 1 };
		size_t len;
		ch.workspace = 1;
		ch.revision = 3;
		ch.what = "node.forged";
		ch.has_prev = 1;
		ch.prev.data = prev;
		ch.prev.len = 32;
		len = jixiao__change__pack(&ch, buf);
		store_key_pair(key, 1, 3);
		assert_jx_ok(store_put(txn, s, STORE_HISTORY, key, 16, buf, len));
	}
	/* The code index loses indicator 1; the children index names a node that is gone. */
	store_key_u64(key, 1);
	memcpy(key + 8, "1", 1);
	assert_jx_ok(store_del(txn, s, STORE_CODES, key, 9));
	store_key_pair(key, 1, 0);
	store_key_u64(key + 16, 99);
	assert_jx_ok(store_put(txn, s, STORE_CHILDREN, key, 24, "", 0));
	/* An evidence file linked to workspace 1 whose content does not hash to its name. */
	memset(chunk, 'x', sizeof(chunk));
	memset(key, 0xab, 32);
	store_key_u64(key + 32, 0);
	assert_jx_ok(store_put(txn, s, STORE_BLOBS, key, 40, chunk, sizeof(chunk)));
	key[0] = 'l';
	store_key_u64(key + 1, 1);
	memset(key + 9, 0xab, 32);
	assert_jx_ok(store_put(txn, s, STORE_BLOBS, key, 41, "", 0));
	/* A retired key of a user who does not exist. */
	key[0] = 'r';
	memset(key + 1, 9, 32);
	assert_jx_ok(store_put(txn, s, STORE_USERS, key, 33, "ghost", 5));
	/* An indicator kept as 9 that says it is 10; a finding that does not decode. */
	{
		Jixiao__Node n = JIXIAO__NODE__INIT;
		uint8_t buf[256];
		size_t len;
		n.id = 10;
		n.code = "9";
		n.revision = 1;
		len = jixiao__node__pack(&n, buf);
		store_key_pair(key, 1, 9);
		assert_jx_ok(store_put(txn, s, STORE_NODES, key, 16, buf, len));
		store_key_pair(key, 1, 5);
		assert_jx_ok(store_put(txn, s, STORE_FINDINGS, key, 16, "\xff\xff", 2));
	}
	assert_jx_ok(store_write_commit(s, txn));
	store_close(s);

	assert_jx_ok(check(data, &f, &r));
	assert_has(f.text, "workspace 1: the hash chain breaks at revision 3");
	assert_has(f.text, "workspace 1: the hash chain breaks at revision 4");
	assert_has(f.text, "workspace 1: indicator 1 is missing from the code index");
	assert_has(f.text, "the children index names indicator 99, which does not exist");
	assert_has(f.text, "workspace 1: indicator 9 says it is 10");
	assert_has(f.text, "workspace 1: finding 5 does not decode");
	assert_has(f.text, "evidence file abababababababab…: its content does not hash");
	assert_has(f.text, "the retired key index names user ghost, who does not exist");
	/* And indicator 9 is in neither the code index nor its parent's children. */
	assert_has(f.text, "workspace 1: indicator 9 is missing from the code index");
	assert_has(f.text, "workspace 1: indicator 9 is missing from its parent's children");
	assert_int_equal(r.problems, 10);
	fsck_report_free(&r);

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* A store of another format is refused, saying what to do, by the daemon and by check. */
static void
other_formats_are_refused(void **state)
{
	char dir[] = "/tmp/jxfmt.XXXXXX", data[64], cmd[128], why[512];
	const char *formats[] = { "1", "9" };
	struct store *s;
	MDB_txn *txn;

	assert_non_null(mkdtemp(dir));
	snprintf(data, sizeof(data), "%s/data", dir);
	for (int i = 0; i < 2; i++) {
		assert_jx_ok(store_open(data, 0, &s, why, sizeof(why)));
		assert_jx_ok(store_write_begin(s, &txn));
		assert_jx_ok(store_put(txn, s, STORE_META, "schema", 6, formats[i], 1));
		assert_jx_ok(store_write_commit(s, txn));
		store_close(s);
		assert_jx_err(store_open(data, 0, &s, why, sizeof(why)), JX_EPRECOND);
		assert_has(why, i == 0 ? "holds store format 1, older than this jixiaod's 2, and no "
				       "migration from it exists"
				     : "holds store format 9, newer than this jixiaod's 2");
		assert_jx_err(store_open_readonly(data, false, &s, why, sizeof(why)), JX_EPRECOND);
		assert_has(why, i == 0 ? "older" : "newer");
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", data);
		assert_int_equal(system(cmd), 0);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sound_and_broken_stores),
		cmocka_unit_test(other_formats_are_refused),
	};

	assert_int_equal(sodium_init() < 0, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
