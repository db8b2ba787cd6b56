/*
 * A list that meets a store error answers that error, never a shorter list that looks
 * whole: a real jixiaod on a store whose file is damaged under its workspaces table.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "daemon.h"
#include "jxtest.h"
#include "proto/jixiao.pb-c.h"
#include "store.h"

/* Enough workspace records that the table spans many leaf pages under a branch page. */
#define MANY 3000

static int
count(const char *text, const char *what)
{
	int n = 0;

	for (const char *p = text; (p = strstr(p, what)) != NULL; p += strlen(what))
		n++;
	return n;
}

/* Adds MANY workspaces straight to the stopped daemon's store, as a big store has them. */
static void
add_workspaces(struct jxd *d)
{
	struct store *s;
	MDB_txn *txn;
	char why[256];

	assert_jx_ok(store_open(d->data, 0, &s, why, sizeof(why)));
	assert_jx_ok(store_write_begin(s, &txn));
	for (uint64_t id = 1000; id < 1000 + MANY; id++) {
		Jixiao__Workspace ws = JIXIAO__WORKSPACE__INIT;
		uint8_t key[8];

		ws.id = id;
		ws.subject = "扫描测试项目";
		ws.fiscal_year = 2024;
		ws.kind = JIXIAO__KIND__SELF_EVALUATION;
		ws.state = JIXIAO__WORKSPACE_STATE__ACTIVE;
		ws.title = "扫描测试";
		store_key_u64(key, id);
		assert_jx_ok(store_put_msg(txn, s, STORE_WORKSPACES, key, sizeof(key), &ws.base));
	}
	assert_jx_ok(store_write_commit(s, txn));
	store_close(s);
}

static void
a_damaged_table_fails_the_list_instead_of_shortening_it(void **state)
{
	char path[400], *out = NULL, *err = NULL;
	struct jxd d;
	int rv;

	jxd_start(&d, false);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "ws", "create", "--subject", "扫描测试", "--year",
	    "2023", "--kind", "self-evaluation", NULL), 0);
	jxd_stop(&d);
	add_workspaces(&d);
	/* The extra records have no history: the store's invariants do not hold. */
	d.no_invariants = true;
	jxd_restart(&d);
	assert_int_equal(jxd_jx(&d, &out, NULL, "ws", "list", "--json", NULL), 0);
	assert_int_equal(count(out, "扫描测试项目"), MANY);
	free(out);
	out = NULL;
	jxd_stop(&d);

	snprintf(path, sizeof(path), "%s/data.mdb", d.data);
	assert_true(jxtest_damage_branches(path) > 0);
	jxd_restart(&d);
	rv = jxd_jx(&d, &out, &err, "ws", "list", "--json", NULL);
	if (rv == 0)
		fail_msg("the list of a damaged table came back as a success, with %d of %d "
		    "workspaces", count(out, "扫描测试项目"), MANY);
	assert_non_null(strstr(err, "the workspaces cannot be read"));
	free(out);
	free(err);
	/* The daemon goes on answering. */
	assert_int_equal(jxd_jx(&d, NULL, NULL, "ping", NULL), 0);
	jxd_stop(&d);
	jxd_cleanup(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_damaged_table_fails_the_list_instead_of_shortening_it),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
