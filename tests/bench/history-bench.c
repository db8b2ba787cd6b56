/*
 * history-bench: the cost of age (issue 6). Builds a workspace with many revisions and
 * a subject with many fiscal years, then times reading past revisions (GetTree --at)
 * and the trend. Prints its numbers; BENCHMARKS.md says how to read them.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include <errno.h>
#include <ftw.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench-daemon.h"
#include "client.h"
#include "err.h"
#include "proto/jixiao.pb-c.h"

#define THREADS 16
#define SUBJECT "历史基准项目"

struct opts {
	unsigned long revisions, indicators, years, samples;
};

struct leaf {
	uint64_t id, revision;
};

struct editor {
	const char *url;
	const struct client_identity *id;
	uint64_t ws;
	struct leaf *leaves;
	size_t nleaves;
	unsigned long edits;
	unsigned seed;
	int failed;
	pthread_t thread;
};

static int
call(struct client *cl, const ProtobufCServiceDescriptor *svc, const char *method,
    const ProtobufCMessage *in, ProtobufCMessage **out)
{
	char msg[1200];
	int rv = client_call(cl, svc, method, in, out, msg, sizeof(msg));

	if (rv != JX_OK)
		fprintf(stderr, "history-bench: %s.%s: %s\n", svc->name, method, msg);
	return rv;
}

/* A workspace with n top-level indicators of 10 points each. */
static int
make_workspace(struct client *cl, uint32_t year, unsigned long n, uint64_t *ws,
    struct leaf **leaves)
{
	Jixiao__CreateWorkspaceRequest in = JIXIAO__CREATE_WORKSPACE_REQUEST__INIT;
	Jixiao__GetTreeRequest gt = JIXIAO__GET_TREE_REQUEST__INIT;
	Jixiao__AddNodeRequest *reqs = calloc(n, sizeof(*reqs)), **ptrs = calloc(n, sizeof(*ptrs));
	Jixiao__WorkspaceReply *made = NULL;
	Jixiao__TreeReply *tree = NULL;
	char (*names)[32] = calloc(n, sizeof(*names));
	int rv = -1;

	if (reqs == NULL || ptrs == NULL || names == NULL)
		goto out;
	for (unsigned long i = 0; i < n; i++) {
		jixiao__add_node_request__init(&reqs[i]);
		snprintf(names[i], sizeof(names[i]), "指标%lu", i + 1);
		reqs[i].name = names[i];
		reqs[i].has_weight = 1;
		reqs[i].weight = 1000;
		ptrs[i] = &reqs[i];
	}
	in.subject = SUBJECT;
	in.fiscal_year = year;
	in.kind = JIXIAO__KIND__KEY_EVALUATION;
	in.nodes = ptrs;
	in.n_nodes = n;
	if (call(cl, &jixiao__workspaces__descriptor, "Create", &in.base,
	    (ProtobufCMessage **)&made) != 0)
		goto out;
	*ws = made->workspace->id;
	gt.workspace = *ws;
	if (call(cl, &jixiao__tree__descriptor, "GetTree", &gt.base,
	    (ProtobufCMessage **)&tree) != 0 || (*leaves = calloc(n, sizeof(**leaves))) == NULL)
		goto out;
	for (size_t i = 0; i < tree->n_nodes && i < n; i++)
		(*leaves)[i] = (struct leaf){ tree->nodes[i]->id, tree->nodes[i]->revision };
	rv = 0;
out:
	if (made != NULL)
		jixiao__workspace_reply__free_unpacked(made, NULL);
	if (tree != NULL)
		jixiao__tree_reply__free_unpacked(tree, NULL);
	free(reqs);
	free(ptrs);
	free(names);
	return rv;
}

static void *
editor_main(void *arg)
{
	struct editor *e = arg;
	struct client *cl;
	char why[256];

	if (client_open(e->url, e->id, &cl, why, sizeof(why)) != 0) {
		e->failed = 1;
		return NULL;
	}
	for (unsigned long k = 0; k < e->edits && !bench_stop; k++) {
		Jixiao__UpdateNodeRequest in = JIXIAO__UPDATE_NODE_REQUEST__INIT;
		Jixiao__NodeRef ref = JIXIAO__NODE_REF__INIT;
		Jixiao__NodeReply *out = NULL;
		struct leaf *l = &e->leaves[k % e->nleaves];

		ref.has_id = 1;
		ref.id = l->id;
		in.workspace = e->ws;
		in.node = &ref;
		in.base_revision = l->revision;
		in.has_score = 1;
		in.score = (int64_t)(rand_r(&e->seed) % 1001);
		in.comment = "基准测试扣分原因";
		if (call(cl, &jixiao__tree__descriptor, "UpdateNode", &in.base,
		    (ProtobufCMessage **)&out) != 0) {
			e->failed = 1;
			break;
		}
		l->revision = out->node->revision;
		jixiao__node_reply__free_unpacked(out, NULL);
	}
	client_close(cl);
	return NULL;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Prints p50, p99 and max of n timings (ns) as milliseconds. */
static void
report(const char *what, uint64_t *ns, size_t n)
{
	qsort(ns, n, sizeof(*ns), cmp_u64);
	printf("  %-44s p50 %7.3f ms  p99 %7.3f ms  max %7.3f ms  (%zu samples)\n", what,
	    (double)ns[n / 2] / 1e6, (double)ns[(n * 99) / 100] / 1e6, (double)ns[n - 1] / 1e6,
	    n);
}

static int
time_at(struct client *cl, uint64_t ws, uint64_t head, unsigned long samples, uint64_t *ns)
{
	unsigned seed = 42;

	for (unsigned long i = 0; i < samples; i++) {
		Jixiao__GetTreeRequest in = JIXIAO__GET_TREE_REQUEST__INIT;
		Jixiao__TreeReply *out;
		uint64_t t0;

		in.workspace = ws;
		in.has_at = 1;
		in.at = 1 + (uint64_t)rand_r(&seed) % head;
		t0 = bench_now_ns();
		if (call(cl, &jixiao__tree__descriptor, "GetTree", &in.base,
		    (ProtobufCMessage **)&out) != 0)
			return -1;
		ns[i] = bench_now_ns() - t0;
		jixiao__tree_reply__free_unpacked(out, NULL);
	}
	return 0;
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

int
main(int argc, char **argv)
{
	struct opts o = { 100000, 100, 10, 200 };
	struct bench_daemon d = { .path = JX_BENCH_JIXIAOD, .out_fd = -1 };
	struct editor ed[THREADS];
	struct leaf *leaves = NULL;
	struct client *cl = NULL;
	uint64_t ws, *ns = NULL, t0, years_ws[64];
	struct stat st;
	char why[256], mdb[400];
	int rv = 1;

	for (int i = 1; i + 1 < argc; i += 2) {
		unsigned long *v = strcmp(argv[i], "--revisions") == 0 ? &o.revisions :
		    strcmp(argv[i], "--indicators") == 0 ? &o.indicators :
		    strcmp(argv[i], "--years") == 0 ? &o.years :
		    strcmp(argv[i], "--samples") == 0 ? &o.samples : NULL;
		char *end;
		if (v == NULL || (*v = strtoul(argv[i + 1], &end, 10)) == 0 || *end != '\0') {
			fprintf(stderr, "usage: history-bench [--revisions N] [--indicators N] "
					"[--years N (≤ 60)] [--samples N]\n");
			return 64;
		}
	}
	if (argc % 2 == 0 || o.years > 60 || o.indicators < THREADS) {
		fprintf(stderr, "usage: history-bench [--revisions N] [--indicators N ≥ 16] "
				"[--years N (≤ 60)] [--samples N]\n");
		return 64;
	}
	snprintf(d.dir, sizeof(d.dir), "/tmp/history-bench.XXXXXX");
	if (mkdtemp(d.dir) == NULL)
		return 1;
	snprintf(d.data, sizeof(d.data), "%s/data", d.dir);
	snprintf(d.log, sizeof(d.log), "%s/jixiaod.log", d.dir);
	snprintf(d.url, sizeof(d.url), "ipc://%s/jixiaod.sock", d.dir);
	signal(SIGPIPE, SIG_IGN);
	if (bench_daemon_start(&d) != 0 || client_open(d.url, &d.id, &cl, why, sizeof(why)) != 0)
		goto out;
	if ((ns = calloc(o.samples, sizeof(*ns))) == NULL ||
	    make_workspace(cl, 2015, o.indicators, &ws, &leaves) != 0)
		goto out;

	printf("history-bench: %lu revisions on %lu indicators, %lu fiscal years\n", o.revisions,
	    o.indicators, o.years);
	t0 = bench_now_ns();
	for (int i = 0; i < THREADS; i++) {
		size_t per = o.indicators / THREADS;
		ed[i] = (struct editor){ .url = d.url, .id = &d.id, .ws = ws, .leaves = leaves + i * per,
			.nleaves = per, .edits = o.revisions / THREADS, .seed = (unsigned)i + 1 };
		pthread_create(&ed[i].thread, NULL, editor_main, &ed[i]);
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(ed[i].thread, NULL);
		if (ed[i].failed)
			goto out;
	}
	printf("  built %lu revisions in %.1f s\n", (o.revisions / THREADS) * THREADS,
	    (double)(bench_now_ns() - t0) / 1e9);
	{
		Jixiao__GetWorkspaceRequest in = JIXIAO__GET_WORKSPACE_REQUEST__INIT;
		Jixiao__WorkspaceReply *out;
		uint64_t head;
		in.workspace = ws;
		if (call(cl, &jixiao__workspaces__descriptor, "Get", &in.base,
		    (ProtobufCMessage **)&out) != 0)
			goto out;
		head = out->workspace->revision;
		jixiao__workspace_reply__free_unpacked(out, NULL);
		if (time_at(cl, ws, head, o.samples, ns) != 0)
			goto out;
		report("GetTree --at a random past revision", ns, o.samples);
		if (time_at(cl, ws, 1, o.samples < 50 ? o.samples : 50, ns) != 0)
			goto out;
		report("GetTree --at revision 1 (the oldest)", ns, o.samples < 50 ? o.samples : 50);
		snprintf(mdb, sizeof(mdb), "%s/data.mdb", d.data);
		if (stat(mdb, &st) == 0)
			printf("  store: %.1f MB on disk, %.0f bytes per revision\n",
			    (double)st.st_blocks * 512 / 1e6, (double)st.st_blocks * 512 / (double)head);
	}
	/* A subject with o.years fiscal years, each carried from the one before. */
	years_ws[0] = ws;
	for (unsigned long y = 1; y < o.years; y++) {
		Jixiao__CarryRequest in = JIXIAO__CARRY_REQUEST__INIT;
		Jixiao__WorkspaceReply *out;
		in.workspace = years_ws[y - 1];
		in.to_year = 2015 + (uint32_t)y;
		if (call(cl, &jixiao__history__descriptor, "Carry", &in.base,
		    (ProtobufCMessage **)&out) != 0)
			goto out;
		years_ws[y] = out->workspace->id;
		jixiao__workspace_reply__free_unpacked(out, NULL);
	}
	for (unsigned long i = 0; i < o.samples; i++) {
		Jixiao__TrendRequest in = JIXIAO__TREND_REQUEST__INIT;
		Jixiao__TrendReply *out;
		in.subject = SUBJECT;
		t0 = bench_now_ns();
		if (call(cl, &jixiao__history__descriptor, "Trend", &in.base,
		    (ProtobufCMessage **)&out) != 0)
			goto out;
		ns[i] = bench_now_ns() - t0;
		if (out->n_years != o.years) {
			fprintf(stderr, "history-bench: the trend has %zu years, not %lu\n",
			    out->n_years, o.years);
			jixiao__trend_reply__free_unpacked(out, NULL);
			goto out;
		}
		jixiao__trend_reply__free_unpacked(out, NULL);
	}
	snprintf(why, sizeof(why), "Trend over %lu years (%lu indicators each)", o.years,
	    o.indicators);
	report(why, ns, o.samples);
	rv = 0;
out:
	client_close(cl);
	if (bench_daemon_stop(&d) != 0)
		rv = 1;
	nftw(d.dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(ns);
	free(leaves);
	return rv;
}
