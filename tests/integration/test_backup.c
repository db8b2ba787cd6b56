/*
 * jixiaod backup, restore and check on a real store: a backup taken while clients
 * write is one consistent snapshot; restored into a new directory and served, every
 * workspace verifies with jx and is at the revision and head its manifest lists; a
 * damaged or cut backup is refused and leaves no store; check finds nothing wrong.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include <sysexits.h>

#include "client.h"
#include "daemon.h"
#include "err.h"
#include "jxtest.h"
#include "proto/jixiao.pb-c.h"

#define WORKSPACES 3

struct writer {
	const char *url;
	const struct client_identity *id;
	atomic_bool stop;
	int added;
};

/* Adds indicators to the workspaces in turn until told to stop. */
static void *
writer_main(void *arg)
{
	struct writer *w = arg;
	struct client *cl;
	char why[256], msg[1100], name[32];

	if (client_open(w->url, w->id, &cl, why, sizeof(why)) != 0)
		return NULL;
	for (int i = 0; !atomic_load(&w->stop) || w->added < 20; i++) {
		Jixiao__AddNodeRequest in = JIXIAO__ADD_NODE_REQUEST__INIT;
		Jixiao__NodeReply *out = NULL;

		snprintf(name, sizeof(name), "并发指标%d", i);
		in.workspace = 1 + (uint64_t)(i % WORKSPACES);
		in.name = name;
		in.has_weight = 1;
		in.weight = 100;
		if (client_call(cl, &jixiao__tree__descriptor, "AddNode", &in.base,
		    (ProtobufCMessage **)&out, msg, sizeof(msg)) == JX_OK)
			w->added++;
		if (out != NULL)
			jixiao__node_reply__free_unpacked(out, NULL);
	}
	client_close(cl);
	return NULL;
}

/* Runs the shell command cmd; returns its exit status, its stdout in *out if asked. */
static int
run(const char *cmd, char **out)
{
	char buf[4096];
	size_t len = 0, n;
	FILE *p = popen(cmd, "r");
	char *all = NULL;
	int st;

	assert_non_null(p);
	while ((n = fread(buf, 1, sizeof(buf), p)) > 0) {
		all = realloc(all, len + n + 1);
		assert_non_null(all);
		memcpy(all + len, buf, n);
		len += n;
	}
	if (all == NULL)
		all = calloc(1, 1);
	all[len] = '\0';
	st = pclose(p);
	if (out != NULL)
		*out = all;
	else
		free(all);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void
assert_has(const char *hay, const char *needle)
{
	if (strstr(hay, needle) == NULL)
		fail_msg("expected \"%s\" in:\n%s", needle, hay);
}

/* The manifest's "workspace ID revision REV head HEX" lines, from the backup's end. */
static int
manifest_ws(const char *manifest, uint64_t id, uint64_t *rev, char head[65])
{
	char want[64];
	const char *p;

	snprintf(want, sizeof(want), "workspace %llu revision ", (unsigned long long)id);
	if ((p = strstr(manifest, want)) == NULL)
		return -1;
	p += strlen(want);
	*rev = strtoull(p, (char **)&p, 10);
	if (strncmp(p, " head ", 6) != 0)
		return -1;
	memcpy(head, p + 6, 64);
	head[64] = '\0';
	return 0;
}

static void
backup_under_writes_restores_and_verifies(void **state)
{
	const char *jixiaod = getenv("JIXIAOD");
	struct jxd d;
	struct writer w = { 0 };
	pthread_t th;
	char cmd[4096], backup[512], restored[512], subject[32], *out, *err, *manifest;
	struct stat st;

	jxd_start(&d, false);
	for (int i = 0; i < WORKSPACES; i++) {
		snprintf(subject, sizeof(subject), "备份项目%d", i);
		assert_int_equal(jxd_jx(&d, NULL, NULL, "ws", "create", "--subject", subject,
		    "--year", "2024", "--kind", "key-evaluation", NULL), 0);
	}
	w.url = d.url;
	w.id = jxd_identity(&d, "admin");
	assert_int_equal(pthread_create(&th, NULL, writer_main, &w), 0);

	/* Backups while the writer adds indicators: one to a file, one streamed. */
	snprintf(backup, sizeof(backup), "%s/b1.jxbak", d.dir);
	snprintf(cmd, sizeof(cmd), "'%s' backup --data '%s' '%s'", jixiaod, d.data, backup);
	assert_int_equal(run(cmd, &out), 0);
	assert_has(out, "store format 2, 3 workspaces");
	free(out);
	snprintf(cmd, sizeof(cmd), "'%s' backup --data '%s' --stdout > '%s/b2.jxbak'", jixiaod,
	    d.data, d.dir);
	assert_int_equal(run(cmd, NULL), 0);
	atomic_store(&w.stop, true);
	pthread_join(th, NULL);
	assert_true(w.added >= 20);

	/* 0600: the store holds the server's signing key. */
	assert_int_equal(stat(backup, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	snprintf(cmd, sizeof(cmd), "%s/b2.jxbak", d.dir);
	assert_int_equal(stat(cmd, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* A backup never replaces a file. */
	snprintf(cmd, sizeof(cmd), "'%s' backup --data '%s' '%s' 2>&1", jixiaod, d.data, backup);
	assert_int_equal(run(cmd, &out), EX_CANTCREAT);
	assert_has(out, "exists already");
	free(out);

	/* The live store checks clean, with the daemon running. */
	snprintf(cmd, sizeof(cmd), "'%s' check --data '%s'", jixiaod, d.data);
	assert_int_equal(run(cmd, &out), 0);
	assert_has(out, "no problems");
	free(out);

	/* A damaged copy (one byte in the middle) and a cut one are refused; no store left. */
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s/bad' && printf X | dd of='%s/bad' bs=1 seek=20000 "
	    "conv=notrunc 2>/dev/null && '%s' restore '%s/bad' --data '%s/r-bad' 2>&1", backup,
	    d.dir, d.dir, jixiaod, d.dir, d.dir);
	assert_int_equal(run(cmd, &out), EX_DATAERR);
	assert_has(out, "the backup is damaged");
	free(out);
	snprintf(cmd, sizeof(cmd), "%s/r-bad/data.mdb", d.dir);
	assert_int_not_equal(stat(cmd, &st), 0);
	snprintf(cmd, sizeof(cmd), "head -c 30000 '%s' | '%s' restore - --data '%s/r-cut' 2>&1",
	    backup, jixiaod, d.dir);
	assert_int_equal(run(cmd, &out), EX_DATAERR);
	assert_has(out, "does not end with a manifest");
	free(out);
	/* Never over a live store. */
	snprintf(cmd, sizeof(cmd), "'%s' restore '%s' --data '%s' 2>&1", jixiaod, backup, d.data);
	assert_int_not_equal(run(cmd, &out), 0);
	assert_has(out, "a jixiaod is running on");
	free(out);

	/* Restore the streamed backup into a new directory, then serve it. */
	snprintf(restored, sizeof(restored), "%s/restored", d.dir);
	snprintf(cmd, sizeof(cmd), "'%s' restore - --data '%s' < '%s/b2.jxbak'", jixiaod,
	    restored, d.dir);
	assert_int_equal(run(cmd, &out), 0);
	assert_has(out, "every chain checked");
	assert_has(out, "jx verify will report that the server rolled its");
	free(out);
	snprintf(cmd, sizeof(cmd), "tail -c 4096 '%s/b2.jxbak' | grep -a '^workspace '", d.dir);
	assert_int_equal(run(cmd, &manifest), 0);
	/* A change after the backup, and a user who verified it: their checkpoint is newer. */
	assert_int_equal(jxd_jx(&d, NULL, NULL, "node", "add", "1", "备份之后", "--weight", "1",
	    NULL), 0);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "verify", "1", NULL), 0);
	jxd_stop(&d);
	snprintf(cmd, sizeof(cmd), "mv '%s' '%s/old' && mv '%s' '%s'", d.data, d.dir, restored,
	    d.data);
	assert_int_equal(run(cmd, NULL), 0);
	jxd_restart(&d);
	/* The restore's notice comes true: that user's jx reports the rollback... */
	assert_int_equal(jxd_jx(&d, NULL, &err, "verify", "1", NULL), EX_DATAERR);
	assert_has(err, "fewer than the");
	free(err);
	/* ...until they accept it by deleting that workspace's checkpoint, as it says. */
	snprintf(cmd, sizeof(cmd), "rm '%s'/config/jixiao/checkpoints/*-1", d.dir);
	assert_int_equal(run(cmd, NULL), 0);
	for (uint64_t id = 1; id <= WORKSPACES; id++) {
		char ws[8], head[65], want[96];
		uint64_t rev = 0;
		assert_int_equal(manifest_ws(manifest, id, &rev, head), 0);
		snprintf(ws, sizeof(ws), "%llu", (unsigned long long)id);
		assert_int_equal(jxd_jx(&d, &out, &err, "verify", ws, NULL), 0);
		snprintf(want, sizeof(want), "(workspace %llu, revision %llu)",
		    (unsigned long long)id, (unsigned long long)rev);
		assert_has(out, want);
		snprintf(want, sizeof(want), "head %.16s…", head);
		assert_has(out, want);
		free(out);
		free(err);
	}
	free(manifest);
	/* The restored store takes writes. */
	assert_int_equal(jxd_jx(&d, NULL, NULL, "node", "add", "1", "恢复后", "--weight", "5",
	    NULL), 0);
	/* The invariant check at stop kept checkpoints from before the restore: it would
	 * report the rollback this test made on purpose. */
	d.no_invariants = true;
	jxd_stop(&d);
	snprintf(cmd, sizeof(cmd), "'%s' check --data '%s' --json", jixiaod, d.data);
	assert_int_equal(run(cmd, &out), 0);
	assert_has(out, "\"ok\": true");
	free(out);
	jxd_cleanup(&d);
}

static void
usage_errors(void **state)
{
	const char *jixiaod = getenv("JIXIAOD");
	char cmd[1024], *out;

	snprintf(cmd, sizeof(cmd), "'%s' backup 2>&1", jixiaod);
	assert_int_equal(run(cmd, &out), EX_USAGE);
	assert_has(out, "usage: jixiaod backup");
	free(out);
	snprintf(cmd, sizeof(cmd), "'%s' restore --data /nonexistent/x 2>&1", jixiaod);
	assert_int_equal(run(cmd, &out), EX_USAGE);
	free(out);
	snprintf(cmd, sizeof(cmd), "'%s' check --data /nonexistent/x 2>&1", jixiaod);
	assert_int_equal(run(cmd, &out), EX_NOINPUT);
	assert_has(out, "holds no store");
	free(out);
	snprintf(cmd, sizeof(cmd), "'%s' restore --help", jixiaod);
	assert_int_equal(run(cmd, &out), 0);
	assert_has(out, "checkpoints");
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(backup_under_writes_restores_and_verifies),
		cmocka_unit_test(usage_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
