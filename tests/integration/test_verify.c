/*
 * Archives through jx on a real daemon: a workspace with indicators, budget facts and
 * evidence exported with --archive, verified offline, then damaged and refused with
 * the failing check named; and the live workspace verified from the server.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <cmocka.h>

#include "archive.h"
#include "daemon.h"
#include "proto/jixiao.pb-c.h"

static void
assert_has(const char *text, const char *want)
{
	if (strstr(text, want) == NULL)
		fail_msg("expected %s in:\n%s", want, text);
}

static uint8_t *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	assert_true((n = ftell(f)) > 0);
	rewind(f);
	assert_non_null(buf = malloc((size_t)n));
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void
spit(const char *path, const uint8_t *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void
export_verify_and_tamper(void **state)
{
	struct jxd d;
	char file[512], bad[512], evidence[512], *out, *err;
	Jixiao__Archive *a;
	uint8_t *buf, *copy;
	size_t len;
	const uint8_t *rec;
	FILE *f;

	jxd_start(&d, false);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "ws", "create", "--subject", "数字政府运维专项",
	    "--year", "2023", "--kind", "key-evaluation", NULL), 0);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "node", "add", "1", "产出指标", "--weight", "90",
	    NULL), 0);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "node", "add", "1", "系统可用率", "--parent", "1",
	    "--weight", "50", "--score", "47.38", "--comment", "个别时段中断", NULL), 0);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "node", "add", "1", "验收合格率", "--parent", "1",
	    "--weight", "40", "--score", "40", NULL), 0);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "node", "add", "1", "满意度", "--weight", "10",
	    "--score", "0", "--comment", "未开展满意度调查", NULL), 0);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "budget", "set", "1", "--initial", "1164.43",
	    "--adjust", "-30.01", "--spent", "428.54", NULL), 0);
	snprintf(evidence, sizeof(evidence), "%s/验收报告.txt", d.dir);
	assert_non_null(f = fopen(evidence, "w"));
	fputs("验收合格\n", f);
	fclose(f);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "evidence", "add", "1", "1.1", evidence, NULL),
	    0);

	snprintf(file, sizeof(file), "%s/ws1.jxa", d.dir);
	assert_int_equal(jxd_jx(&d, &out, NULL, "export", "1", "--archive", file, NULL), 0);
	assert_has(out, "Wrote the archive of workspace 1");
	free(out);
	/* Offline: the daemon is stopped first. */
	jxd_stop(&d);
	assert_int_equal(jxd_jx(&d, &out, NULL, "verify", file, NULL), 0);
	assert_has(out, "chain: 7 records, revisions 1..7");
	assert_has(out, "signatures: none");
	assert_has(out, "scores: 87.38 → 良");
	assert_has(out, "evidence: 1 file,");
	free(out);
	assert_int_equal(jxd_jx(&d, &out, NULL, "verify", file, "--json", NULL), 0);
	assert_has(out, "\"ok\": true");
	assert_has(out, "\"total\": 87.38");
	free(out);

	/* One byte in the middle of record 3: record 4's link no longer holds. */
	buf = slurp(file, &len);
	assert_non_null(a = jixiao__archive__unpack(NULL, len, buf));
	assert_int_equal(a->n_records, 7);
	rec = memmem(buf, len, a->records[2].data, a->records[2].len);
	assert_non_null(rec);
	assert_non_null(copy = malloc(len));
	memcpy(copy, buf, len);
	copy[(size_t)(rec - buf) + a->records[2].len / 2] ^= 0x01;
	snprintf(bad, sizeof(bad), "%s/tampered.jxa", d.dir);
	spit(bad, copy, len);
	assert_int_equal(jxd_jx(&d, &out, &err, "verify", bad, NULL), EX_DATAERR);
	assert_has(out, "✗ seal:");
	assert_has(err, "does not verify: chain: record 4's prev is");
	free(out);
	free(err);
	/* Cut short. */
	spit(bad, buf, len / 2);
	assert_int_equal(jxd_jx(&d, NULL, &err, "verify", bad, NULL), EX_DATAERR);
	assert_has(err, "does not verify");
	free(err);
	/* A stated total that the indicators do not add up to, resealed. */
	{
		uint8_t *re;
		size_t n;
		a->total += 100;
		assert_int_equal(archive_pack(a, &re, &n), 0);
		spit(bad, re, n);
		free(re);
	}
	assert_int_equal(jxd_jx(&d, NULL, &err, "verify", bad, NULL), EX_DATAERR);
	assert_has(err, "does not verify: scores: the archive states the total 88.38, but the "
		   "indicators at revision 7 add up to 87.38");
	free(err);
	assert_int_equal(jxd_jx(&d, NULL, &err, "verify", "/nonexistent/x.jxa", NULL),
	    EX_NOINPUT);
	free(err);
	jixiao__archive__free_unpacked(a, NULL);
	free(copy);
	free(buf);

	/* The live workspace, from the server. */
	jxd_restart(&d);
	assert_int_equal(jxd_jx(&d, &out, NULL, "verify", "1", NULL), 0);
	assert_has(out, "workspace 1 on the server");
	assert_has(out, "chain: 7 records");
	assert_has(out, "scores: 87.38 → 良");
	free(out);
	assert_int_equal(jxd_jx(&d, NULL, &err, "verify", "9", NULL), EX_NOINPUT);
	free(err);
	jxd_stop(&d);
	jxd_cleanup(&d);
}

/* Scores indicator 1 of workspace 1 n times, each a new revision. */
static void
edits(struct jxd *d, int n, int from)
{
	char score[16];

	for (int i = 0; i < n; i++) {
		snprintf(score, sizeof(score), "%d", (from + i) % 10);
		assert_int_equal(jxd_jx(d, NULL, NULL, "node", "set", "1", "1", "--score", score,
		    "--comment", "复核", NULL), 0);
	}
}

static void
run_ok(const char *cmd)
{
	if (system(cmd) != 0)
		fail_msg("%s failed", cmd);
}

/*
 * A server that rolls its store back, or rewrites history someone has seen, is caught by
 * the signed checkpoint jx verify kept the last time.
 */
static void
kept_checkpoints_catch_a_rewritten_history(void **state)
{
	struct jxd d;
	char cmd[2048], *out, *err;

	jxd_start(&d, false);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "ws", "create", "--subject", "回滚", "--year",
	    "2023", "--kind", "self-evaluation", NULL), 0);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "node", "add", "1", "产出", "--weight", "10",
	    NULL), 0);
	edits(&d, 3, 1);
	/* A copy of the store at revision 5, taken while the server is stopped. */
	jxd_stop(&d);
	snprintf(cmd, sizeof(cmd), "cp -a '%s' '%s/data-r5'", d.data, d.dir);
	run_ok(cmd);
	jxd_restart(&d);
	edits(&d, 4, 4);

	assert_int_equal(jxd_jx(&d, &out, NULL, "verify", "1", NULL), 0);
	assert_has(out, "checkpoint: the server (key");
	assert_has(out, "signed revision 9 with this head");
	assert_has(out, "history: first checkpoint of this workspace kept");
	free(out);
	edits(&d, 1, 8);
	assert_int_equal(jxd_jx(&d, &out, NULL, "verify", "1", NULL), 0);
	assert_has(out, "history: extends the checkpoint you kept at revision 9");
	free(out);

	/* Rolled back to revision 5: the history is shorter than the one seen. */
	jxd_stop(&d);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' && cp -a '%s/data-r5' '%s'", d.data, d.dir,
	    d.data);
	run_ok(cmd);
	/* A rewound history on purpose: the invariant check's own verify would refuse it. */
	d.no_invariants = true;
	jxd_restart(&d);
	assert_int_equal(jxd_jx(&d, NULL, &err, "verify", "1", NULL), EX_DATAERR);
	assert_has(err, "fewer than the 10 of the checkpoint seen before");
	free(err);
	/* Rewritten: as many records again, but other ones. */
	edits(&d, 6, 5);
	assert_int_equal(jxd_jx(&d, NULL, &err, "verify", "1", NULL), EX_DATAERR);
	assert_has(err, "record 10 is not the one the server signed before");
	free(err);
	jxd_stop(&d);
	jxd_cleanup(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(export_verify_and_tamper),
		cmocka_unit_test(kept_checkpoints_catch_a_rewritten_history),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
