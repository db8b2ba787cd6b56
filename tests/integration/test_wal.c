#define _XOPEN_SOURCE 700 /* nftw */
/*
 * The log is the record (issue 16): a store rebuilt from its log alone equals the live
 * one; a log cut at any byte of its last record keeps every acknowledged record and
 * nothing else; a damaged record with records after it is refused, not cut; and after a
 * simulated power loss (LMDB's file rolled back to the last clean stop's copy, or that
 * copy with pages scribbled over) nothing acknowledged is lost, even with the daemon
 * killed under load. With snapshots (a copy of the store every so much log, the log before
 * it removed), the store rebuilt from the newest snapshot and the log after it equals
 * the live one, a power loss under load loses nothing, and a store file older than
 * what its log still holds is refused with what to do.
 *
 * A real jixiaod on a real socket for the writes and the reads; the store's contents
 * are compared in-process, record by record (store_each), with the daemon stopped.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <sodium.h>

#include "client.h"
#include "daemon.h"
#include "err.h"
#include "jxtest.h"
#include "flatws.h"
#include "proto/jixiao.pb-c.h"
#include "store.h"

#define NODES 16
#define WEIGHT 1000
#define THREADS 8
#define DIGEST_LEN 32

/* ---- files */

static uint8_t *
slurp(const char *path, size_t *len)
{
	struct stat st;
	uint8_t *buf;
	int fd;

	assert_true((fd = open(path, O_RDONLY)) >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_non_null(buf = malloc((size_t)st.st_size + 1));
	assert_int_equal(read(fd, buf, (size_t)st.st_size), st.st_size);
	close(fd);
	*len = (size_t)st.st_size;
	return buf;
}

static void
spit(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	close(fd);
}

static void
copy_file(const char *from, const char *to)
{
	size_t len;
	uint8_t *buf = slurp(from, &len);

	spit(to, buf, len);
	free(buf);
}

/* The path of the newest log file of data dir. */
static void
last_log_file(const char *data, char *path, size_t len)
{
	char wdir[440], best[256] = "";
	struct dirent *e;
	DIR *d;

	snprintf(wdir, sizeof(wdir), "%s/wal", data);
	assert_non_null(d = opendir(wdir));
	while ((e = readdir(d)) != NULL)
		if (strlen(e->d_name) == 20 && strstr(e->d_name, ".log") != NULL &&
		    strcmp(e->d_name, best) > 0)
			memcpy(best, e->d_name, 21);
	closedir(d);
	assert_true(best[0] != '\0');
	assert_true(strlen(wdir) + 22 <= len);
	memcpy(path, wdir, strlen(wdir));
	path[strlen(wdir)] = '/';
	memcpy(path + strlen(wdir) + 1, best, 21);
}

/*
 * A copy of data dir's LMDB file and log in a fresh directory, on tmpfs when there is one
 * (the torn-log loop opens the store hundreds of times; its flushes cost nothing there).
 */
static void
copy_store(const char *data, char *copy, size_t len)
{
	char from[600], to[600];
	struct dirent *e;
	DIR *d;

	snprintf(copy, len, "/dev/shm/jxwal.XXXXXX");
	if (mkdtemp(copy) == NULL) {
		snprintf(copy, len, "%s.copy.XXXXXX", data);
		assert_non_null(mkdtemp(copy));
	}
	snprintf(to, sizeof(to), "%s/wal", copy);
	assert_int_equal(mkdir(to, 0700), 0);
	snprintf(from, sizeof(from), "%s/data.mdb", data);
	snprintf(to, sizeof(to), "%s/data.mdb", copy);
	copy_file(from, to);
	snprintf(from, sizeof(from), "%s/wal", data);
	assert_non_null(d = opendir(from));
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || strlen(e->d_name) > 64)
			continue;
		snprintf(from, sizeof(from), "%s/wal/%s", data, e->d_name);
		snprintf(to, sizeof(to), "%s/wal/%s", copy, e->d_name);
		copy_file(from, to);
	}
	closedir(d);
}

/*
 * Where the last record of a log file starts, and where it ends (*end): the records are
 * followed by zeros, the log's room to grow (format: server/wal.h).
 */
static size_t
last_record_start(const uint8_t *p, size_t len, size_t *end)
{
	size_t off = 32, last = 0;

	while (off + 24 <= len && p[off] == 'J' && p[off + 1] == 'X') {
		uint32_t plen = (uint32_t)p[off + 4] | (uint32_t)p[off + 5] << 8 |
		    (uint32_t)p[off + 6] << 16 | (uint32_t)p[off + 7] << 24;
		last = off;
		off += 24 + plen;
	}
	assert_true(off <= len);
	for (size_t i = off; i < len; i++)
		assert_int_equal(p[i], 0);
	assert_true(last > 0);
	*end = off;
	return last;
}

/* As after a power loss: the unclean-stop marker of another boot. */
static void
mark_other_boot(const char *data)
{
	char path[480];

	snprintf(path, sizeof(path), "%s/unclean", data);
	spit(path, "00000000-0000-0000-0000-000000000000\n", 37);
}

/* ---- the store's contents, record by record */

static int
digest_record(void *arg, enum store_db db, const void *key, size_t klen, const void *val,
    size_t vlen)
{
	crypto_generichash_state *st = arg;
	uint8_t head[12];

	head[0] = (uint8_t)db;
	for (int i = 0; i < 4; i++) {
		head[1 + i] = (uint8_t)(klen >> (8 * i));
		head[5 + i] = (uint8_t)(vlen >> (8 * i));
	}
	crypto_generichash_update(st, head, 9);
	crypto_generichash_update(st, key, klen);
	crypto_generichash_update(st, val, vlen);
	return 0;
}

/*
 * Opens the stopped daemon's store as jixiaod does at start-up (cutting, catching up or
 * rebuilding), and digests every record of every table. Returns the open's result.
 */
static int
store_digest(const char *data, uint8_t out[DIGEST_LEN])
{
	crypto_generichash_state st;
	struct store *s;
	MDB_txn *txn;
	char why[512];
	int rv;

	if ((rv = store_open(data, 0, &s, why, sizeof(why))) != 0)
		return rv;
	crypto_generichash_init(&st, NULL, 0, DIGEST_LEN);
	assert_jx_ok(store_read_begin(s, &txn));
	assert_jx_ok(store_each(s, txn, digest_record, &st));
	store_read_end(s, txn);
	crypto_generichash_final(&st, out, DIGEST_LEN);
	store_close(s);
	return JX_OK;
}

/* ---- calls */

static uint64_t
create_workspace(struct client *cl, const char *subject, uint64_t ids[NODES])
{
	Jixiao__GetTreeRequest g = JIXIAO__GET_TREE_REQUEST__INIT;
	Jixiao__TreeReply *tree;
	char msg[1100], codes[NODES][16], names[NODES][32], *cp[NODES], *np[NODES];
	uint64_t ws;

	for (int i = 0; i < NODES; i++) {
		snprintf(codes[i], sizeof(codes[i]), "L%d", i + 1);
		snprintf(names[i], sizeof(names[i]), "日志指标%d", i + 1);
		cp[i] = codes[i];
		np[i] = names[i];
	}
	ws = jxtest_flat_workspace(cl, subject, 2024, NODES, cp, np, WEIGHT, NULL);
	g.workspace = ws;
	assert_jx_ok(client_call(cl, &jixiao__tree__descriptor, "GetTree", &g.base,
	    (ProtobufCMessage **)&tree, msg, sizeof(msg)));
	assert_int_equal(tree->n_nodes, NODES);
	for (int i = 0; i < NODES; i++)
		for (size_t k = 0; k < tree->n_nodes; k++)
			if (strcmp(tree->nodes[k]->code, codes[i]) == 0)
				ids[i] = tree->nodes[k]->id;
	jixiao__tree_reply__free_unpacked(tree, NULL);
	return ws;
}

/* One UpdateNode; returns its status, and the node's new revision in *rev. */
static int
edit(struct client *cl, uint64_t ws, uint64_t node, uint64_t base, int64_t score,
    const char *comment, uint64_t *rev)
{
	Jixiao__UpdateNodeRequest in = JIXIAO__UPDATE_NODE_REQUEST__INIT;
	Jixiao__NodeRef ref = JIXIAO__NODE_REF__INIT;
	Jixiao__NodeReply *out = NULL;
	char msg[1100];
	int rv;

	ref.has_id = 1;
	ref.id = node;
	in.workspace = ws;
	in.node = &ref;
	in.base_revision = base;
	in.has_score = 1;
	in.score = score;
	in.comment = (char *)comment;
	rv = client_call(cl, &jixiao__tree__descriptor, "UpdateNode", &in.base,
	    (ProtobufCMessage **)&out, msg, sizeof(msg));
	if (rv == JX_OK)
		*rev = out->node->revision;
	if (out != NULL)
		jixiao__node_reply__free_unpacked(out, NULL);
	return rv;
}

static Jixiao__Workspace *
get_workspace(struct client *cl, uint64_t ws)
{
	Jixiao__GetWorkspaceRequest in = JIXIAO__GET_WORKSPACE_REQUEST__INIT;
	Jixiao__WorkspaceReply *out;
	Jixiao__Workspace *w;
	char msg[1100];

	in.workspace = ws;
	assert_jx_ok(client_call(cl, &jixiao__workspaces__descriptor, "Get", &in.base,
	    (ProtobufCMessage **)&out, msg, sizeof(msg)));
	w = out->workspace;
	out->workspace = NULL;
	jixiao__workspace_reply__free_unpacked(out, NULL);
	return w;
}

/* The comment of revision rev's record in ws's history ("" when none). */
static void
history_comment(struct client *cl, uint64_t ws, uint64_t rev, char *buf, size_t len)
{
	Jixiao__LogRequest in = JIXIAO__LOG_REQUEST__INIT;
	Jixiao__LogReply *out;
	char msg[1100];

	buf[0] = '\0';
	in.workspace = ws;
	in.has_from = 1;
	in.from = rev;
	in.has_limit = 1;
	in.limit = 1;
	assert_jx_ok(client_call(cl, &jixiao__history__descriptor, "Log", &in.base,
	    (ProtobufCMessage **)&out, msg, sizeof(msg)));
	if (out->n_changes == 1 && out->changes[0]->revision == rev &&
	    out->changes[0]->after != NULL && out->changes[0]->after->comment != NULL)
		snprintf(buf, len, "%s", out->changes[0]->after->comment);
	jixiao__log_reply__free_unpacked(out, NULL);
}

/* What a client sees of every workspace: each one's record and its whole tree, packed. */
static uint8_t *
everything(struct client *cl, size_t *len)
{
	Jixiao__ListWorkspacesRequest in = JIXIAO__LIST_WORKSPACES_REQUEST__INIT;
	Jixiao__ListWorkspacesReply *list;
	uint8_t *buf = NULL;
	char msg[1100];

	*len = 0;
	in.has_include_archived = 1;
	in.include_archived = 1;
	assert_jx_ok(client_call(cl, &jixiao__workspaces__descriptor, "List", &in.base,
	    (ProtobufCMessage **)&list, msg, sizeof(msg)));
	assert_true(list->n_workspaces > 0);
	for (size_t i = 0; i < list->n_workspaces; i++) {
		Jixiao__GetTreeRequest g = JIXIAO__GET_TREE_REQUEST__INIT;
		Jixiao__TreeReply *tree;
		Jixiao__Workspace *w = get_workspace(cl, list->workspaces[i]->id);
		size_t a, b;

		assert_true(w->has_head);
		g.workspace = w->id;
		assert_jx_ok(client_call(cl, &jixiao__tree__descriptor, "GetTree", &g.base,
		    (ProtobufCMessage **)&tree, msg, sizeof(msg)));
		a = jixiao__workspace__get_packed_size(w);
		b = jixiao__tree_reply__get_packed_size(tree);
		assert_non_null(buf = realloc(buf, *len + a + b));
		jixiao__workspace__pack(w, buf + *len);
		jixiao__tree_reply__pack(tree, buf + *len + a);
		*len += a + b;
		jixiao__tree_reply__free_unpacked(tree, NULL);
		jixiao__workspace__free_unpacked(w, NULL);
	}
	jixiao__list_workspaces_reply__free_unpacked(list, NULL);
	return buf;
}

/* ---- concurrent editors, each on its own indicators */

struct editor {
	const char *url;
	const struct client_identity *id;
	uint64_t ws;
	const uint64_t *ids;
	int index;
	int max;                 /* edits to make; 0: until the daemon is gone */
	atomic_int *acked_total;
	atomic_bool *stop;       /* set: no new edit */
	/* What was acknowledged: per own indicator, its last revision, score and comment. */
	uint64_t rev[NODES];
	int64_t score[NODES];
	char comment[NODES][48];
	int acked;
	char error[512];
};

static void *
editor_main(void *arg)
{
	struct editor *e = arg;
	struct client *cl;
	char why[256], comment[48];
	uint64_t rev;
	int rv;

	if (client_open(e->url, e->id, &cl, why, sizeof(why)) != 0) {
		snprintf(e->error, sizeof(e->error), "%s", why);
		return NULL;
	}
	for (int i = 0; (e->max == 0 || i < e->max) && !atomic_load(e->stop); i++) {
		/* Two indicators per editor: no conflicts, the base is always known. */
		int k = e->index * 2 + i % 2;
		int64_t score = (i * 37 + e->index) % (WEIGHT + 1);

		snprintf(comment, sizeof(comment), "日志 e%d n%d", e->index, i);
		rv = edit(cl, e->ws, e->ids[k], e->rev[k], score, comment, &rev);
		if (rv != JX_OK) {
			if (e->max != 0)
				snprintf(e->error, sizeof(e->error), "edit %d: %s", i,
				    jx_strerror(rv));
			break;
		}
		e->rev[k] = rev;
		e->score[k] = score;
		snprintf(e->comment[k], sizeof(e->comment[k]), "%s", comment);
		e->acked++;
		atomic_fetch_add(e->acked_total, 1);
	}
	client_close(cl);
	return NULL;
}

/* Starts THREADS editors; with max 0 they edit until the daemon is gone. */
static void
editors_run(struct editor *e, pthread_t *th, struct jxd *d, uint64_t ws, const uint64_t *ids,
    const uint64_t *revs, int max, atomic_int *total, atomic_bool *stop)
{
	for (int t = 0; t < THREADS; t++) {
		e[t] = (struct editor){ .url = d->url, .id = jxd_identity(d, "admin"), .ws = ws,
			.ids = ids, .index = t, .max = max, .acked_total = total, .stop = stop };
		for (int k = 0; k < NODES; k++)
			e[t].rev[k] = revs[k];
		assert_int_equal(pthread_create(&th[t], NULL, editor_main, &e[t]), 0);
	}
}

/* Every edit an editor was told about is in the store: the tree and the history. */
static void
check_acknowledged(struct jxd *d, uint64_t ws, const uint64_t *ids, struct editor *e)
{
	Jixiao__GetTreeRequest g = JIXIAO__GET_TREE_REQUEST__INIT;
	Jixiao__TreeReply *tree;
	struct client *cl;
	char why[256], msg[1100], comment[64];

	assert_jx_ok(client_open(d->url, jxd_identity(d, "admin"), &cl, why, sizeof(why)));
	g.workspace = ws;
	assert_jx_ok(client_call(cl, &jixiao__tree__descriptor, "GetTree", &g.base,
	    (ProtobufCMessage **)&tree, msg, sizeof(msg)));
	for (int t = 0; t < THREADS; t++)
		for (int k = t * 2; k < t * 2 + 2; k++) {
			const Jixiao__Node *n = NULL;
			if (e[t].comment[k][0] == '\0')
				continue;
			for (size_t i = 0; i < tree->n_nodes; i++)
				if (tree->nodes[i]->id == ids[k])
					n = tree->nodes[i];
			assert_non_null(n);
			/* At most the one edit in flight at the kill can be newer. */
			if (n->revision < e[t].rev[k])
				fail_msg("indicator %d is at revision %" PRIu64 ", but revision %"
				    PRIu64 " was acknowledged", k, n->revision, e[t].rev[k]);
			history_comment(cl, ws, e[t].rev[k], comment, sizeof(comment));
			if (strcmp(comment, e[t].comment[k]) != 0)
				fail_msg("revision %" PRIu64 " holds \"%s\", not the acknowledged "
				    "edit \"%s\"", e[t].rev[k], comment, e[t].comment[k]);
		}
	jixiao__tree_reply__free_unpacked(tree, NULL);
	client_close(cl);
}

static void
editors_join(struct editor *e, pthread_t *th, bool must_finish)
{
	for (int t = 0; t < THREADS; t++) {
		pthread_join(th[t], NULL);
		if (must_finish && e[t].error[0] != '\0')
			fail_msg("editor %d: %s", t, e[t].error);
	}
}

static uint64_t
node_revisions(struct client *cl, uint64_t ws, const uint64_t *ids, uint64_t *revs)
{
	Jixiao__GetTreeRequest g = JIXIAO__GET_TREE_REQUEST__INIT;
	Jixiao__TreeReply *tree;
	char msg[1100];

	g.workspace = ws;
	assert_jx_ok(client_call(cl, &jixiao__tree__descriptor, "GetTree", &g.base,
	    (ProtobufCMessage **)&tree, msg, sizeof(msg)));
	for (int k = 0; k < NODES; k++)
		for (size_t i = 0; i < tree->n_nodes; i++)
			if (tree->nodes[i]->id == ids[k])
				revs[k] = tree->nodes[i]->revision;
	jixiao__tree_reply__free_unpacked(tree, NULL);
	return 0;
}

/*
 * With the daemon stopped: removes LMDB's files, starts it again on what is left (the
 * log, and its snapshot if any), and checks that clients see what they saw before
 * (seen, len) and that every record equals the live store's (live). Leaves it stopped.
 */
static void
rebuild_equals(struct jxd *d, const uint8_t *seen, size_t len, const uint8_t live[DIGEST_LEN])
{
	struct client *cl;
	uint8_t rebuilt[DIGEST_LEN], *seen2;
	size_t len2;
	char why[256], path[400];

	snprintf(path, sizeof(path), "%s/data.mdb", d->data);
	assert_int_equal(unlink(path), 0);
	snprintf(path, sizeof(path), "%s/lock.mdb", d->data);
	unlink(path);
	jxd_restart(d);
	assert_jx_ok(client_open(d->url, jxd_identity(d, "admin"), &cl, why, sizeof(why)));
	seen2 = everything(cl, &len2);
	client_close(cl);
	assert_int_equal(len, len2);
	assert_memory_equal(seen, seen2, len);
	jxd_stop(d);
	assert_jx_ok(store_digest(d->data, rebuilt));
	assert_memory_equal(live, rebuilt, DIGEST_LEN);
	free(seen2);
}

/* jixiaod check on the stopped daemon's store: its exit status, and a phrase of its output. */
static void
check_says(struct jxd *d, int status, const char *phrase)
{
	char cmd[1200], out[8192];
	size_t n;
	FILE *p;
	int rc;

	snprintf(cmd, sizeof(cmd), "'%s' check --data '%s' 2>&1", getenv("JIXIAOD"), d->data);
	assert_non_null(p = popen(cmd, "r"));
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	rc = pclose(p);
	if (!WIFEXITED(rc) || WEXITSTATUS(rc) != status || strstr(out, phrase) == NULL)
		fail_msg("jixiaod check exited %d, not %d, or did not say \"%s\":\n%s",
		    WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, status, phrase, out);
}

/* ---- the tests */

/* A store rebuilt from its log alone equals the live one: what clients see, and every record. */
static void
wal_rebuild_from_log_equals_live(void **state)
{
	struct jxd d;
	struct client *cl;
	struct editor e[THREADS];
	pthread_t th[THREADS];
	atomic_int total = 0;
	atomic_bool stop = false;
	uint64_t ids[3][NODES], revs[NODES], ws[3];
	uint8_t live[DIGEST_LEN], *seen1;
	size_t len1;
	char why[256];

	jxd_start(&d, false);
	assert_jx_ok(client_open(d.url, jxd_identity(&d, "admin"), &cl, why, sizeof(why)));
	ws[0] = create_workspace(cl, "日志甲", ids[0]);
	ws[1] = create_workspace(cl, "日志乙", ids[1]);
	ws[2] = create_workspace(cl, "日志丙", ids[2]);
	for (int w = 0; w < 3; w++) {
		node_revisions(cl, ws[w], ids[w], revs);
		editors_run(e, th, &d, ws[w], ids[w], revs, 25, &total, &stop);
		editors_join(e, th, true);
	}
	assert_int_equal(atomic_load(&total), 3 * THREADS * 25);
	seen1 = everything(cl, &len1);
	client_close(cl);
	jxd_stop(&d);
	assert_jx_ok(store_digest(d.data, live));

	/* The log alone: LMDB's files go. */
	rebuild_equals(&d, seen1, len1, live);
	free(seen1);
	jxd_cleanup(&d);
}

/*
 * The last record cut at every byte, as a power loss during its write would leave it:
 * start-up keeps exactly the records before it (when cut) or all of them (when whole).
 */
static void
wal_torn_tail_keeps_acknowledged_only(void **state)
{
	struct jxd d;
	struct client *cl;
	uint64_t ids[NODES], revs[NODES], ws, rev, head;
	uint8_t before[DIGEST_LEN], after[DIGEST_LEN], got[DIGEST_LEN], *log;
	size_t len, start, end;
	struct stat st;
	char why[256], path[400], copy[400], comment[64];
	Jixiao__Workspace *w;

	jxd_start(&d, false);
	assert_jx_ok(client_open(d.url, jxd_identity(&d, "admin"), &cl, why, sizeof(why)));
	ws = create_workspace(cl, "日志截断", ids);
	node_revisions(cl, ws, ids, revs);
	for (int i = 0; i < 10; i++) {
		snprintf(comment, sizeof(comment), "截断前 %d", i);
		assert_jx_ok(edit(cl, ws, ids[i % NODES], revs[i % NODES], i, comment,
		    &revs[i % NODES]));
	}
	/* The last batch: one acknowledged edit, alone. */
	assert_jx_ok(edit(cl, ws, ids[0], revs[0], 7, "最后一笔", &rev));
	w = get_workspace(cl, ws);
	head = w->revision;
	jixiao__workspace__free_unpacked(w, NULL);
	client_close(cl);
	jxd_kill(&d);

	copy_store(d.data, copy, sizeof(copy));
	last_log_file(copy, path, sizeof(path));
	log = slurp(path, &len);
	start = last_record_start(log, len, &end);
	print_message("torn log: cutting the last record (%zu bytes) at each of its bytes\n",
	    end - start);

	spit(path, log, start);
	mark_other_boot(copy);
	assert_jx_ok(store_digest(copy, before));
	spit(path, log, len);
	mark_other_boot(copy);
	assert_jx_ok(store_digest(copy, after));
	assert_memory_not_equal(before, after, DIGEST_LEN);

	for (size_t off = start; off <= end; off++) {
		spit(path, log, off);
		mark_other_boot(copy);
		assert_jx_ok(store_digest(copy, got));
		if (memcmp(got, off == end ? after : before, DIGEST_LEN) != 0)
			fail_msg("the log cut %zu bytes into its last record (of %zu) gave a "
			    "store that is neither the one before the record nor after it",
			    off - start, end - start);
		/* The torn part is gone from the file. */
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal((size_t)st.st_size, off == end ? end : start);
	}
	/* The torn record followed by the zeros of the log's room: the same. */
	memset(log + start + (end - start) / 2, 0, end - start - (end - start) / 2);
	spit(path, log, len);
	mark_other_boot(copy);
	assert_jx_ok(store_digest(copy, got));
	assert_memory_equal(got, before, DIGEST_LEN);
	last_log_file(d.data, path, sizeof(path));
	free(log);
	log = slurp(path, &len);
	assert_int_equal(last_record_start(log, len, &end), start);
	last_log_file(copy, path, sizeof(path));

	/* A damaged record with a record after it is no torn tail: refused, nothing cut. */
	log[start - 10] ^= 0x55;
	spit(path, log, len);
	mark_other_boot(copy);
	assert_int_equal(store_digest(copy, got), JX_EINTERNAL);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal((size_t)st.st_size, len);
	log[start - 10] ^= 0x55;
	jxtest_rmtree(copy);

	last_log_file(d.data, path, sizeof(path));
	/* The daemon, with a record torn in its middle: the edit before stays, the last goes. */
	spit(path, log, start + (end - start) / 2);
	mark_other_boot(d.data);
	jxd_restart(&d);
	assert_jx_ok(client_open(d.url, jxd_identity(&d, "admin"), &cl, why, sizeof(why)));
	w = get_workspace(cl, ws);
	assert_int_equal(w->revision, head - 1);
	jixiao__workspace__free_unpacked(w, NULL);
	history_comment(cl, ws, head - 1, comment, sizeof(comment));
	assert_string_equal(comment, "截断前 9");
	client_close(cl);
	jxd_stop(&d);

	/* And whole again: the acknowledged last edit is there. */
	spit(path, log, len);
	mark_other_boot(d.data);
	jxd_restart(&d);
	assert_jx_ok(client_open(d.url, jxd_identity(&d, "admin"), &cl, why, sizeof(why)));
	w = get_workspace(cl, ws);
	assert_int_equal(w->revision, head);
	jixiao__workspace__free_unpacked(w, NULL);
	history_comment(cl, ws, rev, comment, sizeof(comment));
	assert_string_equal(comment, "最后一笔");
	client_close(cl);
	jxd_stop(&d);

	free(log);
	jxd_cleanup(&d);
}

/*
 * Power loss: LMDB's file as the last clean stop left it (its checkpoint), or that file
 * with pages scribbled over, while the log keeps what was flushed. The daemon is killed
 * while eight clients edit; every edit they were told about must be there.
 */
static void
wal_power_loss_loses_nothing_acknowledged(void **state)
{
	struct jxd d;
	struct client *cl;
	struct editor e[THREADS];
	pthread_t th[THREADS];
	atomic_int total = 0;
	atomic_bool stop = false;
	uint64_t ids[NODES], revs[NODES], ws;
	char why[256], mdb[400], ckpt[400];
	struct timespec ts = { 0, 5000000 };

	jxd_start(&d, false);
	assert_jx_ok(client_open(d.url, jxd_identity(&d, "admin"), &cl, why, sizeof(why)));
	ws = create_workspace(cl, "日志断电", ids);
	node_revisions(cl, ws, ids, revs);
	client_close(cl);
	jxd_stop(&d);
	snprintf(mdb, sizeof(mdb), "%s/data.mdb", d.data);
	snprintf(ckpt, sizeof(ckpt), "%s/checkpoint.mdb", d.dir);
	copy_file(mdb, ckpt);

	for (int round = 0; round < 2; round++) {
		int before;

		jxd_restart(&d);
		assert_jx_ok(client_open(d.url, jxd_identity(&d, "admin"), &cl, why,
		    sizeof(why)));
		node_revisions(cl, ws, ids, revs);
		client_close(cl);
		before = atomic_load(&total);
		atomic_store(&stop, false);
		editors_run(e, th, &d, ws, ids, revs, 0, &total, &stop);
		while (atomic_load(&total) < before + 300)
			nanosleep(&ts, NULL);
		jxd_kill(&d);
		atomic_store(&stop, true);

		/* LMDB back to its checkpoint; the log as flushed. */
		copy_file(ckpt, mdb);
		if (round == 1) {
			/* The machine went down: pages of LMDB's file are garbage. */
			uint8_t junk[4096];
			int fd = open(mdb, O_WRONLY);
			assert_true(fd >= 0);
			memset(junk, 0xa5, sizeof(junk));
			assert_int_equal(pwrite(fd, junk, sizeof(junk), 4096 * 2), 4096);
			assert_int_equal(pwrite(fd, junk, 40, 0), 40);
			close(fd);
			mark_other_boot(d.data);
		}
		/*
		 * The edits in flight at the kill are resent to the new daemon (nng REQ) and
		 * answered there: applied once, or the first reply from the rebuilt
		 * idempotency table.
		 */
		jxd_restart(&d);
		editors_join(e, th, true);
		check_acknowledged(&d, ws, ids, e);
		print_message("power loss round %d: %d edits acknowledged before the kill, all "
		    "there after %s\n", round, atomic_load(&total) - before,
		    round == 0 ? "catching up from the checkpoint" : "the rebuild");
		jxd_stop(&d);
	}
	jxd_cleanup(&d);
}

/*
 * A store without its log (from before the log, or its log lost) becomes the first
 * records of a new log, from which it can then be rebuilt.
 */
static void
wal_store_without_log_starts_one(void **state)
{
	struct jxd d;
	struct client *cl;
	struct editor e[THREADS];
	pthread_t th[THREADS];
	atomic_int total = 0;
	atomic_bool stop = false;
	uint64_t ids[NODES], revs[NODES], ws;
	uint8_t live[DIGEST_LEN], adopted[DIGEST_LEN], *seen1;
	size_t len1;
	char why[256], path[400];

	jxd_start(&d, false);
	assert_jx_ok(client_open(d.url, jxd_identity(&d, "admin"), &cl, why, sizeof(why)));
	ws = create_workspace(cl, "日志补建", ids);
	node_revisions(cl, ws, ids, revs);
	editors_run(e, th, &d, ws, ids, revs, 10, &total, &stop);
	editors_join(e, th, true);
	seen1 = everything(cl, &len1);
	client_close(cl);
	jxd_stop(&d);
	assert_jx_ok(store_digest(d.data, live));

	snprintf(path, sizeof(path), "%s/wal", d.data);
	assert_int_equal(jxtest_rmtree(path), 0);
	assert_jx_ok(store_digest(d.data, adopted));
	assert_memory_equal(live, adopted, DIGEST_LEN);

	/* The new log alone rebuilds the same store. */
	rebuild_equals(&d, seen1, len1, live);
	free(seen1);
	jxd_cleanup(&d);
}

/* The first LSN of data dir's log, and whether it holds a snapshot (*snapshots: how many). */
static uint64_t
log_first(const char *data, int *snapshots)
{
	char wdir[440];
	struct dirent *e;
	uint64_t first = UINT64_MAX, n;
	DIR *d;

	*snapshots = 0;
	snprintf(wdir, sizeof(wdir), "%s/wal", data);
	assert_non_null(d = opendir(wdir));
	while ((e = readdir(d)) != NULL) {
		if (strlen(e->d_name) == 20 && strcmp(e->d_name + 16, ".log") == 0 &&
		    (n = strtoull(e->d_name, NULL, 16)) < first)
			first = n;
		*snapshots += strstr(e->d_name, ".snapshot") != NULL;
	}
	closedir(d);
	return first;
}

/*
 * Snapshots bound the log: with one every 256 KiB of log, the log is pruned while
 * clients edit; the store rebuilt from the newest snapshot and the rest of the log
 * equals the live one; a power loss under load (the store's file garbage) loses nothing
 * acknowledged; a store file older than the log's first record is refused, named.
 */
static void
wal_snapshots_bound_the_log(void **state)
{
	static const char *const args[] = { "--snapshot-every", "262144", NULL };
	struct jxd_opts o = { .args = args };
	struct jxd d;
	struct client *cl;
	struct editor e[THREADS];
	pthread_t th[THREADS];
	atomic_int total = 0;
	atomic_bool stop = false;
	uint64_t ids[NODES], revs[NODES], ws, first = 1;
	uint8_t live[DIGEST_LEN], rebuilt[DIGEST_LEN], *seen1;
	size_t len1;
	char why[512], path[400], old[400];
	struct timespec ts = { 0, 50000000 };
	struct store *st;
	int snapshots = 0, before;

	jxd_start_opts(&d, &o);
	assert_jx_ok(client_open(d.url, jxd_identity(&d, "admin"), &cl, why, sizeof(why)));
	ws = create_workspace(cl, "日志快照", ids);
	client_close(cl);
	/* The store as it was before the edits, to put back at the end. */
	jxd_stop(&d);
	snprintf(path, sizeof(path), "%s/data.mdb", d.data);
	snprintf(old, sizeof(old), "%s/old.mdb", d.dir);
	copy_file(path, old);
	jxd_restart(&d);

	/* Edits until a snapshot has taken the log's first files (at most ~20 rounds). */
	for (int round = 0; round < 20 && (first == 1 || snapshots == 0); round++) {
		assert_jx_ok(client_open(d.url, jxd_identity(&d, "admin"), &cl, why,
		    sizeof(why)));
		node_revisions(cl, ws, ids, revs);
		client_close(cl);
		editors_run(e, th, &d, ws, ids, revs, 100, &total, &stop);
		editors_join(e, th, true);
		/* The flusher looks about once a second. */
		for (int i = 0; i < 40 && (first == 1 || snapshots == 0); i++) {
			nanosleep(&ts, NULL);
			first = log_first(d.data, &snapshots);
		}
	}
	if (first == 1 || snapshots == 0) {
		struct stat sb;
		char cmd[1400];
		assert_int_equal(stat(path, &sb), 0);
		snprintf(cmd, sizeof(cmd), "du -sb %s/wal %s/data.mdb", d.data, d.data);
		if (system(cmd) != 0)
			print_message("du failed\n");
		fail_msg("after %d edits the log still begins at record %" PRIu64 " (%d "
		    "snapshots; the store's file is %lld bytes)", atomic_load(&total), first,
		    snapshots, (long long)sb.st_size);
	}
	assert_int_equal(snapshots, 1);
	/* More edits after the snapshot: the log's part of the rebuild. */
	assert_jx_ok(client_open(d.url, jxd_identity(&d, "admin"), &cl, why, sizeof(why)));
	node_revisions(cl, ws, ids, revs);
	editors_run(e, th, &d, ws, ids, revs, 10, &total, &stop);
	editors_join(e, th, true);
	seen1 = everything(cl, &len1);
	client_close(cl);
	jxd_stop(&d);
	assert_jx_ok(store_digest(d.data, live));
	print_message("%d edits; the log begins at record %" PRIu64 "\n", atomic_load(&total),
	    log_first(d.data, &snapshots));

	/* The snapshot and the log alone: LMDB's files go. */
	rebuild_equals(&d, seen1, len1, live);

	/* Power loss under load: the store's file is garbage, the log as flushed. */
	jxd_restart(&d);
	assert_jx_ok(client_open(d.url, jxd_identity(&d, "admin"), &cl, why, sizeof(why)));
	node_revisions(cl, ws, ids, revs);
	client_close(cl);
	before = atomic_load(&total);
	editors_run(e, th, &d, ws, ids, revs, 0, &total, &stop);
	while (atomic_load(&total) < before + 600)
		nanosleep(&ts, NULL);
	jxd_kill(&d);
	atomic_store(&stop, true);
	snprintf(path, sizeof(path), "%s/data.mdb", d.data);
	{
		uint8_t junk[4096];
		int fd = open(path, O_WRONLY);
		assert_true(fd >= 0);
		memset(junk, 0xa5, sizeof(junk));
		for (int pg = 0; pg < 8; pg++)
			assert_int_equal(pwrite(fd, junk, sizeof(junk), 4096 * pg), 4096);
		close(fd);
	}
	mark_other_boot(d.data);
	jxd_restart(&d);
	editors_join(e, th, true);
	check_acknowledged(&d, ws, ids, e);
	print_message("power loss: %d edits acknowledged before the kill, all there after "
	    "the rebuild from the snapshot; the log begins at record %" PRIu64 "\n",
	    atomic_load(&total) - before, log_first(d.data, &snapshots));
	jxd_stop(&d);

	/* A store file from before the log's first record: refused, saying what to do. */
	copy_file(old, path);
	assert_int_not_equal(store_open(d.data, 0, &st, why, sizeof(why)), JX_OK);
	if (strstr(why, "older than its log") == NULL || strstr(why, "Move data.mdb aside") == NULL)
		fail_msg("refused, but with: %s", why);
	/* jixiaod check says so too, without changing anything. */
	check_says(&d, 65, "older than its log's first record");
	assert_int_equal(unlink(path), 0);
	assert_jx_ok(store_digest(d.data, rebuilt));
	check_says(&d, 0, "its snapshot at record");

	/* The snapshot gone: the records before the log's first are nowhere. */
	{
		char snap[600], aside[620];
		uint64_t at = 0;
		struct dirent *ent;
		DIR *dir;
		snprintf(snap, sizeof(snap), "%s/wal", d.data);
		assert_non_null(dir = opendir(snap));
		while ((ent = readdir(dir)) != NULL)
			if (strstr(ent->d_name, ".snapshot") != NULL)
				at = strtoull(ent->d_name, NULL, 16);
		closedir(dir);
		assert_true(at > 0);
		snprintf(snap, sizeof(snap), "%s/wal/%016" PRIx64 ".snapshot", d.data, at);
		snprintf(aside, sizeof(aside), "%s.aside", snap);
		assert_int_equal(rename(snap, aside), 0);
		check_says(&d, 65, "no snapshot holds the records before it");
		assert_int_equal(rename(aside, snap), 0);
	}
	/* A byte of the log's first file flipped: damage, named, nothing cut. */
	{
		char file[600];
		uint8_t b;
		int fd;
		snprintf(file, sizeof(file), "%s/wal/%016" PRIx64 ".log", d.data,
		    log_first(d.data, &snapshots));
		assert_true((fd = open(file, O_RDWR)) >= 0);
		assert_int_equal(pread(fd, &b, 1, 100), 1);
		b ^= 0x40;
		assert_int_equal(pwrite(fd, &b, 1, 100), 1);
		check_says(&d, 65, "the log is damaged");
		b ^= 0x40;
		assert_int_equal(pwrite(fd, &b, 1, 100), 1);
		close(fd);
	}
	check_says(&d, 0, "no problems");
	free(seen1);
	jxd_cleanup(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(wal_rebuild_from_log_equals_live),
		cmocka_unit_test(wal_torn_tail_keeps_acknowledged_only),
		cmocka_unit_test(wal_power_loss_loses_nothing_acknowledged),
		cmocka_unit_test(wal_store_without_log_starts_one),
		cmocka_unit_test(wal_snapshots_bound_the_log),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
