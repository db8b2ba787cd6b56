/*
 * jx-bench: the benchmark of issue 4, not a test. It starts its own jixiaod on a
 * mkdtemp directory, fills a workspace with scored indicators and measures, row by
 * row for a fixed time, reads (System.Ping, the round-trip floor; GetTree of a sheet
 * of real size; GetTree of the big workspace), durable CAS edits (Tree.UpdateNode)
 * and a mix, at several numbers of requests in flight: one thread per request in
 * flight, each with its own client_open connection and one outstanding call. Then it
 * runs tests/bench/peers.sh, which puts the same shape of durable-write load on
 * Redis, PostgreSQL and etcd on loopback, and prints the ratios.
 *
 * Every reply is decoded whole, as a client would; each worker decodes into its own
 * arena (common/arena.h), taken back before the next call, instead of a malloc per
 * field: the load generator shares the machine's CPUs with the server it measures.
 *
 * The daemon is restarted (same data) around every row so that its "writer stopped
 * after N transactions for M writes" log line gives each row's group-commit batches.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "bench-daemon.h"
#include "client.h"
#include "err.h"
#include "proto/jixiao.pb-c.h"

#ifndef JX_BENCH_JIXIAOD
#define JX_BENCH_JIXIAOD "jixiaod"
#endif
#ifndef JX_BENCH_PEERS
#define JX_BENCH_PEERS "tests/bench/peers.sh"
#endif

#define BENCH_MAX_LEVELS 8
#define BENCH_MAX_CLIENTS 1024
#define BENCH_MAX_PEERS 64
#define BENCH_MAX_ROWS 64
#define BENCH_GROUP 100           /* leaves under each level-1 indicator */
#define BENCH_MAX_INDICATORS 4900 /* one Tree.Import holds at most 5000 nodes */
#define BENCH_FSYNC_MS 1000

/* The targets. */
#define TARGET_EDITS_PER_S 40000.0
#define TARGET_EDITS_AT 128
#define TARGET_EDIT_P50_US 600.0
#define TARGET_READS_PER_S 80000.0

extern char **environ;

enum bench_kind { BENCH_PING, BENCH_TREE_SMALL, BENCH_TREE, BENCH_EDIT, BENCH_MIXED, BENCH_NKINDS };

static const char *const bench_kind_names[BENCH_NKINDS] = {
	"ping", "tree-small", "tree", "edit", "mixed",
};

/* The small workspace: a sheet of the size of seed 002's (35 indicators). */
#define SMALL_GROUPS 5
#define SMALL_LEAVES 6
static const int64_t small_weights[SMALL_LEAVES] = { 400, 400, 300, 300, 300, 300 };

static const char leaf_criteria[] = "按计划完成得满分；每有一项未按时完成扣该指标分值的20%，"
				    "扣完为止。资料不全的不得分。";

enum bench_peers_mode { PEERS_PRESENT, PEERS_INSTALL, PEERS_NONE };

struct bench_opts {
	const char *jixiaod;
	const char *peers_script;
	unsigned seconds;
	unsigned clients[BENCH_MAX_LEVELS];
	size_t nclients;
	unsigned indicators;
	bool kinds[BENCH_NKINDS];
	unsigned mix_reads; /* percent of reads in the mixed load */
	bool tcp, json, keep;
	enum bench_peers_mode peers;
};

/* One scored leaf of the big workspace; owned by one worker during a row. */
struct bench_leaf {
	uint64_t id;
	uint64_t revision; /* the node's revision as the last reply gave it */
	int64_t weight;
	int64_t score;
	unsigned long long edits;
};

struct bench_row {
	enum bench_kind kind;
	unsigned clients;
	double seconds;
	unsigned long long ops, reads, edits, errors, conflicts;
	double ops_per_s, p50_us, p99_us;
	bool have_commits;
	unsigned long long commits, writes;
	double server_cpu_s, client_cpu_s; /* CPU time (user + system) during the row */
	/* Bytes the data directory's device wrote from the row's start to the daemon's stop. */
	bool have_disk;
	unsigned long long disk_bytes;
	/* What jixiaod itself sent towards the storage in the row (/proc/PID/io write_bytes). */
	bool have_io;
	unsigned long long io_bytes;
	char first_error[256];
};

struct bench_peer {
	char name[32];
	unsigned clients;
	double ops_per_s, p50_us, p99_us;
	char what[200];
};

struct bench {
	struct bench_opts *o;
	struct bench_daemon d;
	uint64_t ws_big, ws_small;
	size_t nodes_big, nodes_small;
	struct bench_leaf *leaves;
	size_t nleaves;

	/* The row running. */
	enum bench_kind kind;
	uint64_t end_ns;
	pthread_mutex_t mtx;
	pthread_cond_t cv;
	unsigned connected; /* workers past client_open */
	bool go;            /* end_ns is set */

	struct bench_row rows[BENCH_MAX_ROWS];
	size_t nrows;
	bool verified;
	size_t verified_leaves, verify_mismatch;

	long ncpu;
	char cpu[128];
	const char *tmpdir;
	char load_before[64], load_after[64]; /* /proc/loadavg: other work on the machine */
	double fsync_per_s, fsync_us;

	struct bench_peer peers[BENCH_MAX_PEERS];
	size_t npeers;
	char peer_notes[8][256];
	size_t nnotes;
};

/* Each worker's arena: a decoded 1,010-indicator tree takes about 1 MiB. */
#define BENCH_ARENA ((size_t)4 << 20)

struct bench_worker {
	struct bench *b;
	struct client *cl;
	struct arena arena; /* the replies are decoded here */
	struct bench_leaf **mine;
	size_t nmine, next;
	uint64_t rng;
	uint64_t *lat; /* nanoseconds per completed call */
	size_t nlat, caplat;
	unsigned long long reads, edits, errors, conflicts;
	int open_err;
	char why[256];
	pthread_t thread;
};

static volatile pid_t bench_peers_pid;

static void
bench_on_signal(int sig)
{
	bench_stop = 1;
	if (bench_peers_pid > 0)
		kill(bench_peers_pid, SIGTERM);
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: jx-bench [options] [JIXIAOD]\n"
	    "\n"
	    "Benchmarks a jixiaod it starts itself (default: the build tree's), on a private\n"
	    "directory and a loopback address; then Redis, PostgreSQL and etcd through\n"
	    "peers.sh when their tools are installed.\n"
	    "\n"
	    "      --seconds N        length of each row (default 5)\n"
	    "      --clients LIST     requests in flight, comma-separated (default 1,16,128)\n"
	    "      --indicators N     scored indicators in the big workspace (default 1000)\n"
	    "      --workloads LIST   of ping,tree-small,tree,edit,mixed (default all)\n"
	    "      --mix PERCENT      reads in the mixed load (default 90)\n"
	    "      --tcp              tcp://127.0.0.1 instead of ipc://\n"
	    "      --peers            install the peers when missing (as root), then run them\n"
	    "      --no-peers         do not run the peers\n"
	    "      --peers-script P   the peers script (default " JX_BENCH_PEERS ")\n"
	    "      --json             print JSON instead of tables\n"
	    "      --keep             keep the data directory\n"
	    "  -h, --help             show this help\n");
}

static int
bench_parse_uint(const char *s, unsigned min, unsigned max, unsigned *out)
{
	char *end;
	unsigned long v;

	if (s[0] == '-' || s[0] == '+')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		return -1;
	*out = (unsigned)v;
	return 0;
}

/* Splits a comma-separated list in place; returns the number of items or -1. */
static int
bench_split(char *list, char **items, size_t max)
{
	size_t n = 0;
	char *p = list, *comma;

	for (;;) {
		if (n == max)
			return -1;
		items[n++] = p;
		if ((comma = strchr(p, ',')) == NULL)
			break;
		*comma = '\0';
		p = comma + 1;
	}
	return (int)n;
}

static int
bench_parse_args(int argc, char **argv, struct bench_opts *o)
{
	char *items[BENCH_MAX_LEVELS * 2];
	int n;

	o->jixiaod = getenv("JIXIAOD") != NULL ? getenv("JIXIAOD") : JX_BENCH_JIXIAOD;
	o->peers_script = JX_BENCH_PEERS;
	o->seconds = 5;
	o->clients[0] = 1;
	o->clients[1] = 16;
	o->clients[2] = 128;
	o->nclients = 3;
	o->indicators = 1000;
	o->mix_reads = 90;
	for (int k = 0; k < BENCH_NKINDS; k++)
		o->kinds[k] = true;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		char *v = i + 1 < argc ? argv[i + 1] : NULL;
		bool takes = true;

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			exit(0);
		} else if (strcmp(a, "--tcp") == 0) {
			o->tcp = true, takes = false;
		} else if (strcmp(a, "--json") == 0) {
			o->json = true, takes = false;
		} else if (strcmp(a, "--keep") == 0) {
			o->keep = true, takes = false;
		} else if (strcmp(a, "--peers") == 0) {
			o->peers = PEERS_INSTALL, takes = false;
		} else if (strcmp(a, "--no-peers") == 0) {
			o->peers = PEERS_NONE, takes = false;
		} else if (a[0] != '-') {
			o->jixiaod = a, takes = false;
		} else if (v == NULL) {
			fprintf(stderr, "jx-bench: %s needs a value\n", a);
			return -1;
		} else if (strcmp(a, "--seconds") == 0) {
			if (bench_parse_uint(v, 1, 600, &o->seconds) != 0)
				goto bad;
		} else if (strcmp(a, "--indicators") == 0) {
			if (bench_parse_uint(v, 1, BENCH_MAX_INDICATORS, &o->indicators) != 0)
				goto bad;
		} else if (strcmp(a, "--mix") == 0) {
			if (bench_parse_uint(v, 0, 100, &o->mix_reads) != 0)
				goto bad;
		} else if (strcmp(a, "--peers-script") == 0) {
			o->peers_script = v;
		} else if (strcmp(a, "--clients") == 0) {
			if ((n = bench_split(v, items, BENCH_MAX_LEVELS)) < 0)
				goto bad;
			o->nclients = (size_t)n;
			for (int j = 0; j < n; j++)
				if (bench_parse_uint(items[j], 1, BENCH_MAX_CLIENTS,
					&o->clients[j]))
					goto bad;
		} else if (strcmp(a, "--workloads") == 0) {
			if ((n = bench_split(v, items, BENCH_MAX_LEVELS * 2)) < 0)
				goto bad;
			for (int k = 0; k < BENCH_NKINDS; k++)
				o->kinds[k] = false;
			for (int j = 0; j < n; j++) {
				int k;
				for (k = 0; k < BENCH_NKINDS; k++)
					if (strcmp(items[j], bench_kind_names[k]) == 0)
						break;
				if (k == BENCH_NKINDS)
					goto bad;
				o->kinds[k] = true;
			}
		} else {
			fprintf(stderr, "jx-bench: unknown option %s (see jx-bench --help)\n", a);
			return -1;
		}
		if (takes)
			i++;
		continue;
bad:
		fprintf(stderr, "jx-bench: %s is not a valid value for %s\n", v, a);
		return -1;
	}
	return 0;
}

static int
bench_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

/* ---- calls */

static uint64_t
bench_rand(struct bench_worker *w)
{
	/* xorshift64*: enough to pick reads or edits. */
	w->rng ^= w->rng >> 12;
	w->rng ^= w->rng << 25;
	w->rng ^= w->rng >> 27;
	return w->rng * 2685821657736338717ull;
}

static int
bench_ping(struct bench_worker *w, char *msg, size_t msglen)
{
	Jixiao__PingRequest in = JIXIAO__PING_REQUEST__INIT;
	ProtobufCMessage *out = NULL;
	int rv;

	arena_reset(&w->arena);
	rv = client_call(w->cl, &jixiao__system__descriptor, "Ping", &in.base, &out, msg, msglen);
	if (out != NULL)
		protobuf_c_message_free_unpacked(out, &w->arena.allocator);
	w->reads++;
	return rv;
}

static int
bench_get_tree(struct bench_worker *w, uint64_t ws, char *msg, size_t msglen)
{
	Jixiao__GetTreeRequest in = JIXIAO__GET_TREE_REQUEST__INIT;
	ProtobufCMessage *out = NULL;
	int rv;

	in.workspace = ws;
	arena_reset(&w->arena);
	rv = client_call(w->cl, &jixiao__tree__descriptor, "GetTree", &in.base, &out, msg, msglen);
	if (out != NULL)
		protobuf_c_message_free_unpacked(out, &w->arena.allocator);
	w->reads++;
	return rv;
}

/*
 * Sets the score of the worker's next leaf, naming the revision the last reply gave.
 * Scores stay within 0..weight and always carry a comment (a deduction needs one).
 */
static int
bench_edit(struct bench_worker *w, char *msg, size_t msglen)
{
	Jixiao__UpdateNodeRequest in = JIXIAO__UPDATE_NODE_REQUEST__INIT;
	Jixiao__NodeRef ref = JIXIAO__NODE_REF__INIT;
	Jixiao__NodeReply *out = NULL;
	struct bench_leaf *leaf;
	char comment[96];
	int rv;

	if (w->nmine == 0) {
		snprintf(msg, msglen, "this worker owns no indicator");
		return JX_EINVAL;
	}
	leaf = w->mine[w->next++ % w->nmine];
	leaf->edits++;
	ref.has_id = 1;
	ref.id = leaf->id;
	in.workspace = w->b->ws_big;
	in.node = &ref;
	in.base_revision = leaf->revision;
	in.has_score = 1;
	in.score = (int64_t)(leaf->edits % (unsigned long long)(leaf->weight + 1));
	snprintf(comment, sizeof(comment), "基准测试：第 %llu 次评分，扣分原因见底稿", leaf->edits);
	in.comment = comment;
	arena_reset(&w->arena);
	rv = client_call(w->cl, &jixiao__tree__descriptor, "UpdateNode", &in.base,
	    (ProtobufCMessage **)&out, msg, msglen);
	if ((rv == JX_OK || rv == JX_EABORTED) && out != NULL && out->node != NULL)
		leaf->revision = out->node->revision;
	if (rv == JX_OK)
		leaf->score = in.score;
	else if (rv == JX_EABORTED)
		w->conflicts++;
	if (out != NULL)
		jixiao__node_reply__free_unpacked(out, &w->arena.allocator);
	w->edits++;
	return rv;
}

static int
bench_op(struct bench_worker *w, char *msg, size_t msglen)
{
	struct bench *b = w->b;

	switch (b->kind) {
	case BENCH_PING:
		return bench_ping(w, msg, msglen);
	case BENCH_TREE_SMALL:
		return bench_get_tree(w, b->ws_small, msg, msglen);
	case BENCH_TREE:
		return bench_get_tree(w, b->ws_big, msg, msglen);
	case BENCH_EDIT:
		return bench_edit(w, msg, msglen);
	case BENCH_MIXED:
		if (bench_rand(w) % 100 < b->o->mix_reads)
			return bench_get_tree(w, b->ws_small, msg, msglen);
		return bench_edit(w, msg, msglen);
	case BENCH_NKINDS:
		break;
	}
	return JX_EINTERNAL;
}

static int
bench_record(struct bench_worker *w, uint64_t ns)
{
	uint64_t *grown;

	if (w->nlat == w->caplat) {
		size_t cap = w->caplat != 0 ? w->caplat * 2 : 4096;
		if ((grown = realloc(w->lat, cap * sizeof(*grown))) == NULL)
			return -1;
		w->lat = grown;
		w->caplat = cap;
	}
	w->lat[w->nlat++] = ns;
	return 0;
}

/* Calls until the row's end; only calls that complete before it count. */
static void *
bench_worker_main(void *arg)
{
	struct bench_worker *w = arg;
	struct bench *b = w->b;
	char msg[512];
	int rv;

	w->open_err = client_open(b->d.url, &b->d.id, &w->cl, w->why, sizeof(w->why));
	if (w->open_err == 0 && (w->open_err = arena_init(&w->arena, BENCH_ARENA)) != 0)
		snprintf(w->why, sizeof(w->why), "out of memory");
	if (w->open_err == 0)
		client_set_allocator(w->cl, &w->arena.allocator);
	/* Everyone connects first; the clock starts when the last one has. */
	pthread_mutex_lock(&b->mtx);
	b->connected++;
	pthread_cond_broadcast(&b->cv);
	while (!b->go)
		pthread_cond_wait(&b->cv, &b->mtx);
	pthread_mutex_unlock(&b->mtx);
	if (w->open_err != 0)
		return NULL;
	while (!bench_stop) {
		uint64_t t0 = bench_now_ns(), t1;

		if (t0 >= b->end_ns)
			break;
		rv = bench_op(w, msg, sizeof(msg));
		t1 = bench_now_ns();
		if (t1 > b->end_ns)
			break;
		if (rv != JX_OK && rv != JX_EABORTED) {
			if (w->errors++ == 0)
				snprintf(w->why, sizeof(w->why), "%s: %.200s", jx_errname(rv), msg);
			continue;
		}
		if (bench_record(w, t1 - t0) != 0)
			break;
	}
	return NULL;
}

static int
bench_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The q-th percentile (nearest rank) of the sorted v, in microseconds. */
static double
bench_percentile_us(const uint64_t *v, size_t n, unsigned q)
{
	size_t rank;

	if (n == 0)
		return 0;
	rank = (n * q + 99) / 100;
	if (rank == 0)
		rank = 1;
	return (double)v[rank - 1] / 1000.0;
}

/* The CPU time (user + system) pid has used, from /proc/PID/stat; -1 if unknown. */
static double
bench_proc_cpu(pid_t pid)
{
	char path[64], buf[1024], *p, *end;
	unsigned long long ticks = 0, v;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if ((fd = open(path, O_RDONLY)) < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* Fields after the command's ")": state is field 3, utime 14, stime 15. */
	if ((p = strrchr(buf, ')')) == NULL)
		return -1;
	p++;
	for (int field = 3; field <= 15; field++) {
		p += strspn(p, " ");
		if (field < 14) {
			p += strcspn(p, " ");
			continue;
		}
		errno = 0;
		v = strtoull(p, &end, 10);
		if (errno != 0 || end == p)
			return -1;
		ticks += v;
		p = end;
	}
	return (double)ticks / (double)sysconf(_SC_CLK_TCK);
}

static double
bench_self_cpu(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return -1;
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/*
 * Sectors (512 bytes) written so far by the device holding path, from /proc/diskstats
 * (field 10). Every writer on that device counts, not only jixiaod.
 */
static int
bench_disk_sectors(const char *path, unsigned long long *sectors)
{
	struct stat st;
	char line[512], *p, *end;
	unsigned long long v[14];
	FILE *fp;
	int rv = -1, n;

	if (stat(path, &st) != 0 || (fp = fopen("/proc/diskstats", "r")) == NULL)
		return -1;
	while (rv != 0 && fgets(line, sizeof(line), fp) != NULL) {
		/* major minor name, then the counters: sectors written is the 7th. */
		for (n = 0, p = line; n < 10; n++) {
			p += strspn(p, " \t");
			if (n == 2) {
				p += strcspn(p, " \t");
				continue;
			}
			errno = 0;
			v[n] = strtoull(p, &end, 10);
			if (errno != 0 || end == p)
				break;
			p = end;
		}
		if (n == 10 && v[0] == major(st.st_dev) && v[1] == minor(st.st_dev)) {
			*sectors = v[9];
			rv = 0;
		}
	}
	fclose(fp);
	return rv;
}

/*
 * The bytes pid caused to be written to storage (/proc/PID/io write_bytes): counted when
 * a page of the page cache becomes dirty, so a page rewritten before it reaches the disk
 * counts once.
 */
static int
bench_proc_write_bytes(pid_t pid, unsigned long long *bytes)
{
	char path[64], line[128], *end;
	FILE *fp;
	int rv = -1;

	snprintf(path, sizeof(path), "/proc/%ld/io", (long)pid);
	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	while (rv != 0 && fgets(line, sizeof(line), fp) != NULL)
		if (strncmp(line, "write_bytes: ", 13) == 0) {
			errno = 0;
			*bytes = strtoull(line + 13, &end, 10);
			if (errno == 0 && end != line + 13)
				rv = 0;
		}
	fclose(fp);
	return rv;
}

/* Runs one row: n threads, each its own connection with one call in flight. */
static int
bench_row_run(struct bench *b, enum bench_kind kind, unsigned n, struct bench_row *row)
{
	struct bench_worker *w;
	uint64_t *all = NULL, start;
	unsigned long long io0 = 0, io1 = 0;
	bool have_io;
	double srv0, cli0;
	size_t total = 0;
	unsigned started = 0;
	int rv = -1;

	memset(row, 0, sizeof(*row));
	row->kind = kind;
	row->clients = n;
	if ((w = calloc(n, sizeof(*w))) == NULL)
		return -1;
	for (unsigned i = 0; i < n; i++) {
		w[i].b = b;
		w[i].rng = 0x9e3779b97f4a7c15ull * (i + 1);
		w[i].mine = calloc(b->nleaves / n + 1, sizeof(*w[i].mine));
		if (w[i].mine == NULL)
			goto out;
	}
	/* Each worker edits only its own indicators, so edits never conflict. */
	for (size_t j = 0; j < b->nleaves; j++) {
		struct bench_worker *o = &w[j % n];
		o->mine[o->nmine++] = &b->leaves[j];
	}
	b->kind = kind;
	b->connected = 0;
	b->go = false;
	for (started = 0; started < n; started++)
		if (pthread_create(&w[started].thread, NULL, bench_worker_main, &w[started]) != 0)
			break;
	pthread_mutex_lock(&b->mtx);
	while (b->connected < started)
		pthread_cond_wait(&b->cv, &b->mtx);
	start = bench_now_ns();
	srv0 = bench_proc_cpu(b->d.pid);
	cli0 = bench_self_cpu();
	have_io = bench_proc_write_bytes(b->d.pid, &io0) == 0;
	/* A thread that could not start ends the row at once. */
	b->end_ns = started == n ? start + (uint64_t)b->o->seconds * 1000000000u : start;
	b->go = true;
	pthread_cond_broadcast(&b->cv);
	pthread_mutex_unlock(&b->mtx);
	for (unsigned i = 0; i < started; i++)
		pthread_join(w[i].thread, NULL);
	row->server_cpu_s = bench_proc_cpu(b->d.pid) - srv0;
	row->client_cpu_s = bench_self_cpu() - cli0;
	if (have_io && bench_proc_write_bytes(b->d.pid, &io1) == 0 && io1 >= io0) {
		row->have_io = true;
		row->io_bytes = io1 - io0;
	}
	if (started < n) {
		fprintf(stderr, "jx-bench: cannot start %u threads\n", n);
		goto out;
	}
	row->seconds = (double)(b->end_ns - start) / 1e9;

	for (unsigned i = 0; i < n; i++) {
		if (w[i].open_err != 0) {
			fprintf(stderr, "jx-bench: client %u could not connect: %s\n", i, w[i].why);
			goto out;
		}
		total += w[i].nlat;
		row->reads += w[i].reads;
		row->edits += w[i].edits;
		row->errors += w[i].errors;
		row->conflicts += w[i].conflicts;
		if (w[i].errors != 0 && row->first_error[0] == '\0')
			snprintf(row->first_error, sizeof(row->first_error), "%s", w[i].why);
	}
	if ((all = malloc((total > 0 ? total : 1) * sizeof(*all))) == NULL)
		goto out;
	total = 0;
	for (unsigned i = 0; i < n; i++) {
		if (w[i].nlat > 0)
			memcpy(all + total, w[i].lat, w[i].nlat * sizeof(*all));
		total += w[i].nlat;
	}
	qsort(all, total, sizeof(*all), bench_cmp_u64);
	row->ops = total;
	row->ops_per_s = row->seconds > 0 ? (double)total / row->seconds : 0;
	row->p50_us = bench_percentile_us(all, total, 50);
	row->p99_us = bench_percentile_us(all, total, 99);
	rv = 0;
out:
	for (unsigned i = 0; i < n; i++) {
		client_close(w[i].cl);
		arena_free(&w[i].arena);
		free(w[i].lat);
		free(w[i].mine);
	}
	free(w);
	free(all);
	return rv;
}

/* ---- setup */

struct bench_new_node {
	Jixiao__AddNodeRequest req;
	Jixiao__NodeRef parent;
	char code[48];
	char name[96];
};

static int
bench_create_ws(struct client *cl, const char *subject, uint64_t *id)
{
	Jixiao__CreateWorkspaceRequest in = JIXIAO__CREATE_WORKSPACE_REQUEST__INIT;
	Jixiao__WorkspaceReply *out = NULL;
	char msg[512];
	int rv;

	in.subject = (char *)subject;
	in.fiscal_year = 2024;
	in.kind = JIXIAO__KIND__KEY_EVALUATION;
	rv = client_call(cl, &jixiao__workspaces__descriptor, "Create", &in.base,
	    (ProtobufCMessage **)&out, msg, sizeof(msg));
	if (rv == JX_OK && (out == NULL || out->workspace == NULL))
		rv = JX_EINTERNAL;
	if (rv == JX_OK)
		*id = out->workspace->id;
	else
		fprintf(stderr, "jx-bench: Workspaces.Create: %s\n", msg);
	if (out != NULL)
		jixiao__workspace_reply__free_unpacked(out, NULL);
	return rv;
}

/*
 * Imports groups level-1 indicators, each over leaves[g] scored leaves of the
 * weights weight(g, i), all at full marks, in one Tree.Import.
 */
static int
bench_import(struct client *cl, uint64_t ws, size_t groups, const size_t *per_group,
    const int64_t *weights, size_t *nodes)
{
	Jixiao__ImportTreeRequest in = JIXIAO__IMPORT_TREE_REQUEST__INIT;
	Jixiao__ImportTreeReply *out = NULL;
	struct bench_new_node *nn;
	size_t n = 0, total = groups, w = 0;
	char msg[512];
	int rv;

	for (size_t g = 0; g < groups; g++)
		total += per_group[g];
	nn = calloc(total, sizeof(*nn));
	in.nodes = calloc(total, sizeof(*in.nodes));
	if (nn == NULL || in.nodes == NULL) {
		free(nn);
		free(in.nodes);
		return JX_EINTERNAL;
	}
	for (size_t g = 0; g < groups; g++) {
		struct bench_new_node *top = &nn[n++];
		int64_t sum = 0;

		jixiao__add_node_request__init(&top->req);
		snprintf(top->code, sizeof(top->code), "%zu", g + 1);
		snprintf(top->name, sizeof(top->name), "一级指标%zu", g + 1);
		top->req.workspace = ws;
		top->req.code = top->code;
		top->req.name = top->name;
		for (size_t i = 0; i < per_group[g]; i++, w++) {
			struct bench_new_node *leaf = &nn[n++];

			jixiao__add_node_request__init(&leaf->req);
			jixiao__node_ref__init(&leaf->parent);
			snprintf(leaf->code, sizeof(leaf->code), "%zu.%zu", g + 1, i + 1);
			snprintf(leaf->name, sizeof(leaf->name), "三级指标%zu.%zu", g + 1, i + 1);
			leaf->parent.code = top->code;
			leaf->req.workspace = ws;
			leaf->req.parent = &leaf->parent;
			leaf->req.code = leaf->code;
			leaf->req.name = leaf->name;
			leaf->req.has_weight = leaf->req.has_score = 1;
			leaf->req.weight = leaf->req.score = weights[w];
			leaf->req.criteria = (char *)leaf_criteria;
			leaf->req.target = "100%";
			leaf->req.actual = "100%";
			sum += weights[w];
		}
		top->req.has_weight = 1;
		top->req.weight = sum;
	}
	for (size_t i = 0; i < total; i++)
		in.nodes[i] = &nn[i].req;
	in.n_nodes = total;
	in.workspace = ws;
	rv = client_call(cl, &jixiao__tree__descriptor, "Import", &in.base,
	    (ProtobufCMessage **)&out, msg, sizeof(msg));
	if (rv != JX_OK)
		fprintf(stderr, "jx-bench: Tree.Import: %s\n", msg);
	if (out != NULL)
		jixiao__import_tree_reply__free_unpacked(out, NULL);
	free(in.nodes);
	free(nn);
	*nodes = total;
	return rv;
}

/* Reads the big workspace's leaves (id, revision, weight) into b->leaves. */
static int
bench_load_leaves(struct bench *b, struct client *cl)
{
	Jixiao__GetTreeRequest in = JIXIAO__GET_TREE_REQUEST__INIT;
	Jixiao__TreeReply *out = NULL;
	char msg[512];
	int rv;

	in.workspace = b->ws_big;
	rv = client_call(cl, &jixiao__tree__descriptor, "GetTree", &in.base,
	    (ProtobufCMessage **)&out, msg, sizeof(msg));
	if (rv != JX_OK) {
		fprintf(stderr, "jx-bench: Tree.GetTree: %s\n", msg);
		return rv;
	}
	if ((b->leaves = calloc(out->n_nodes, sizeof(*b->leaves))) == NULL) {
		jixiao__tree_reply__free_unpacked(out, NULL);
		return JX_EINTERNAL;
	}
	for (size_t i = 0; i < out->n_nodes; i++) {
		const Jixiao__Node *node = out->nodes[i];
		if (node->parent_id == 0)
			continue;
		b->leaves[b->nleaves].id = node->id;
		b->leaves[b->nleaves].revision = node->revision;
		b->leaves[b->nleaves].weight = node->weight;
		b->leaves[b->nleaves].score = node->score;
		b->nleaves++;
	}
	jixiao__tree_reply__free_unpacked(out, NULL);
	return JX_OK;
}

static int
bench_setup(struct bench *b)
{
	size_t groups = (b->o->indicators + BENCH_GROUP - 1) / BENCH_GROUP;
	size_t per[BENCH_MAX_INDICATORS / BENCH_GROUP + 1], small_per[SMALL_GROUPS];
	int64_t *weights, small_w[SMALL_GROUPS * SMALL_LEAVES];
	int64_t leaf_weight = 10000 / (int64_t)b->o->indicators;
	struct client *cl;
	char why[256];
	int rv;

	if (leaf_weight < 1)
		leaf_weight = 1;
	if ((weights = calloc(b->o->indicators, sizeof(*weights))) == NULL)
		return -1;
	for (size_t i = 0; i < b->o->indicators; i++)
		weights[i] = leaf_weight;
	for (size_t g = 0; g < groups; g++)
		per[g] = g + 1 < groups ? BENCH_GROUP : b->o->indicators - g * BENCH_GROUP;
	for (size_t g = 0; g < SMALL_GROUPS; g++) {
		small_per[g] = SMALL_LEAVES;
		for (size_t i = 0; i < SMALL_LEAVES; i++)
			small_w[g * SMALL_LEAVES + i] = small_weights[i];
	}
	if ((rv = client_open(b->d.url, &b->d.id, &cl, why, sizeof(why))) != 0) {
		fprintf(stderr, "jx-bench: %s\n", why);
		free(weights);
		return -1;
	}
	if ((rv = bench_create_ws(cl, "基准测试：大型评价", &b->ws_big)) == 0 &&
	    (rv = bench_import(cl, b->ws_big, groups, per, weights, &b->nodes_big)) == 0 &&
	    (rv = bench_create_ws(cl, "基准测试：常规评分表", &b->ws_small)) == 0 &&
	    (rv = bench_import(cl, b->ws_small, SMALL_GROUPS, small_per, small_w,
		 &b->nodes_small)) == 0)
		rv = bench_load_leaves(b, cl);
	client_close(cl);
	free(weights);
	return rv == 0 ? 0 : -1;
}

/* Every edit accepted was kept: each leaf's revision and score are the last reply's. */
static int
bench_verify(struct bench *b)
{
	Jixiao__GetTreeRequest in = JIXIAO__GET_TREE_REQUEST__INIT;
	Jixiao__TreeReply *out = NULL;
	struct client *cl;
	char msg[512];
	size_t j = 0;
	int rv;

	if (client_open(b->d.url, &b->d.id, &cl, msg, sizeof(msg)) != 0)
		return -1;
	in.workspace = b->ws_big;
	rv = client_call(cl, &jixiao__tree__descriptor, "GetTree", &in.base,
	    (ProtobufCMessage **)&out, msg, sizeof(msg));
	client_close(cl);
	if (rv != JX_OK)
		return -1;
	for (size_t i = 0; i < out->n_nodes; i++) {
		const Jixiao__Node *node = out->nodes[i];
		if (node->parent_id == 0)
			continue;
		if (j >= b->nleaves || b->leaves[j].id != node->id ||
		    b->leaves[j].revision != node->revision || b->leaves[j].score != node->score)
			b->verify_mismatch++;
		j++;
	}
	b->verified_leaves = j;
	b->verified = true;
	jixiao__tree_reply__free_unpacked(out, NULL);
	return 0;
}

/* ---- the machine */

static void
bench_machine(struct bench *b)
{
	char line[512];
	FILE *f;

	b->ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	snprintf(b->cpu, sizeof(b->cpu), "unknown");
	if ((f = fopen("/proc/cpuinfo", "r")) == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "model name", 10) == 0) {
			char *v = strchr(line, ':');
			if (v != NULL) {
				v += 1 + strspn(v + 1, " \t");
				snprintf(b->cpu, sizeof(b->cpu), "%.*s", (int)strcspn(v, "\n"), v);
			}
			break;
		}
	}
	fclose(f);
}

/* The 1, 5 and 15 minute load averages, as /proc/loadavg has them. */
static void
bench_loadavg(char *buf, size_t len)
{
	char line[128];
	FILE *f;

	snprintf(buf, len, "unknown");
	if ((f = fopen("/proc/loadavg", "r")) == NULL)
		return;
	if (fgets(line, sizeof(line), f) != NULL) {
		/* The first three fields. */
		size_t n = 0;
		for (int field = 0; field < 3; field++) {
			n += strspn(line + n, " ");
			n += strcspn(line + n, " \n");
		}
		snprintf(buf, len, "%.*s", (int)n, line);
	}
	fclose(f);
}

/*
 * The disk's floor: 4 KiB pwrite + fdatasync, for a second, in the data directory.
 * A group commit flushes the log once (LMDB's pages are not flushed per commit), so
 * commits/s cannot exceed this.
 */
static void
bench_fsync_probe(struct bench *b)
{
	char path[320], buf[4096];
	uint64_t start, end;
	unsigned long n = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/fsync-probe", b->d.dir);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0)
		return;
	memset(buf, 'j', sizeof(buf));
	start = bench_now_ns();
	end = start + (uint64_t)BENCH_FSYNC_MS * 1000000u;
	while (bench_now_ns() < end && !bench_stop) {
		if (pwrite(fd, buf, sizeof(buf), (off_t)(n % 2) * (off_t)sizeof(buf)) < 0 ||
		    fdatasync(fd) != 0)
			break;
		n++;
	}
	end = bench_now_ns();
	close(fd);
	unlink(path);
	if (n > 0) {
		b->fsync_per_s = (double)n / ((double)(end - start) / 1e9);
		b->fsync_us = (double)(end - start) / 1e3 / (double)n;
	}
}

/* ---- peers */

static void
bench_peer_line(struct bench *b, char *line)
{
	char *f[6], *p = line, *end;
	size_t n = 0;

	if (strncmp(line, "skip ", 5) == 0) {
		if (b->nnotes < sizeof(b->peer_notes) / sizeof(b->peer_notes[0]))
			snprintf(b->peer_notes[b->nnotes++], sizeof(b->peer_notes[0]), "%s",
			    line + 5);
		return;
	}
	if (strncmp(line, "peer ", 5) != 0 || b->npeers == BENCH_MAX_PEERS)
		return;
	/* peer NAME CLIENTS OPS_PER_S P50_US P99_US WHAT... */
	p += 5;
	while (n < 6) {
		f[n++] = p;
		if (n == 6 || (p = strchr(p, ' ')) == NULL)
			break;
		*p++ = '\0';
	}
	if (n < 6)
		return;
	{
		struct bench_peer *pe = &b->peers[b->npeers];
		unsigned clients;

		if (bench_parse_uint(f[1], 1, BENCH_MAX_CLIENTS, &clients) != 0)
			return;
		pe->clients = clients;
		snprintf(pe->name, sizeof(pe->name), "%s", f[0]);
		pe->ops_per_s = strtod(f[2], &end);
		pe->p50_us = strtod(f[3], &end);
		pe->p99_us = strtod(f[4], &end);
		snprintf(pe->what, sizeof(pe->what), "%s", f[5]);
		b->npeers++;
	}
}

/* Runs peers.sh and collects its "peer ..." and "skip ..." lines. */
static void
bench_peers(struct bench *b)
{
	posix_spawn_file_actions_t fa;
	char secs[16], clients[128], buf[8192], *line, *nl;
	const char *argv[10];
	size_t used = 0, off = 0;
	int pipefd[2], n = 0, status;
	ssize_t r;
	pid_t pid;

	if (access(b->o->peers_script, X_OK) != 0) {
		snprintf(b->peer_notes[b->nnotes++], sizeof(b->peer_notes[0]),
		    "all: %s is not there", b->o->peers_script);
		return;
	}
	snprintf(secs, sizeof(secs), "%u", b->o->seconds);
	for (size_t i = 0; i < b->o->nclients; i++)
		off += (size_t)snprintf(clients + off, sizeof(clients) - off, "%s%u", i ? "," : "",
		    b->o->clients[i]);
	argv[n++] = b->o->peers_script;
	argv[n++] = "--seconds";
	argv[n++] = secs;
	argv[n++] = "--clients";
	argv[n++] = clients;
	if (b->o->peers != PEERS_INSTALL)
		argv[n++] = "--no-install";
	argv[n] = NULL;
	if (pipe(pipefd) != 0)
		return;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
	posix_spawn_file_actions_addclose(&fa, pipefd[0]);
	posix_spawn_file_actions_addclose(&fa, pipefd[1]);
	r = posix_spawn(&pid, argv[0], &fa, NULL, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	if (r != 0) {
		close(pipefd[0]);
		snprintf(b->peer_notes[b->nnotes++], sizeof(b->peer_notes[0]),
		    "all: cannot run %s: %s", argv[0], strerror((int)r));
		return;
	}
	bench_peers_pid = pid;
	for (;;) {
		r = read(pipefd[0], buf + used, sizeof(buf) - 1 - used);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		used += (size_t)r;
		buf[used] = '\0';
		for (line = buf; (nl = strchr(line, '\n')) != NULL; line = nl + 1) {
			*nl = '\0';
			bench_peer_line(b, line);
		}
		used = strlen(line);
		memmove(buf, line, used + 1);
		if (used == sizeof(buf) - 1)
			used = 0;
	}
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	bench_peers_pid = 0;
}

/* ---- output */

static const struct bench_row *
bench_find(const struct bench *b, enum bench_kind kind, unsigned clients)
{
	for (size_t i = 0; i < b->nrows; i++)
		if (b->rows[i].kind == kind && b->rows[i].clients == clients)
			return &b->rows[i];
	return NULL;
}

static const struct bench_peer *
bench_peer_find(const struct bench *b, const char *name, unsigned clients)
{
	for (size_t i = 0; i < b->npeers; i++)
		if (strcmp(b->peers[i].name, name) == 0 && b->peers[i].clients == clients)
			return &b->peers[i];
	return NULL;
}

/* Issue 16's goals, from the rows and the peers of this run. */
static void
bench_print_goals16(const struct bench *b)
{
	static const char *const rivals[] = { "postgres-upd", "etcd" };
	static const unsigned levels[] = { 16, 128 };
	const struct bench_row *r, *ping;
	const struct bench_peer *p;

	printf("\ngoals of issue 16 (against the peers of this run):\n");
	for (size_t l = 0; l < 2; l++)
		for (size_t k = 0; k < 2; k++)
			if ((r = bench_find(b, BENCH_EDIT, levels[l])) != NULL &&
			    (p = bench_peer_find(b, rivals[k], levels[l])) != NULL)
				printf("  edits/s at %3u ahead of %-12s: %.0f vs %.0f  %s\n",
				    levels[l], rivals[k], r->ops_per_s, p->ops_per_s,
				    r->ops_per_s > p->ops_per_s ? "met" : "MISSED");
	if ((r = bench_find(b, BENCH_EDIT, 128)) != NULL &&
	    (p = bench_peer_find(b, "redis", 128)) != NULL)
		printf("  edits/s at 128 >= half of redis    : %.0f vs %.0f  %s\n", r->ops_per_s,
		    p->ops_per_s / 2, r->ops_per_s >= p->ops_per_s / 2 ? "met" : "MISSED");
	if ((r = bench_find(b, BENCH_EDIT, 1)) != NULL) {
		if ((p = bench_peer_find(b, "etcd", 1)) != NULL)
			printf("  edits/s at   1 ahead of etcd        : %.0f vs %.0f  %s\n",
			    r->ops_per_s, p->ops_per_s, r->ops_per_s > p->ops_per_s ? "met" :
			    "MISSED");
		if ((p = bench_peer_find(b, "postgres-upd", 1)) != NULL) {
			printf("  edits/s at   1 >= 2/3 postgres-upd  : %.0f vs %.0f  %s\n",
			    r->ops_per_s, p->ops_per_s * 2 / 3,
			    r->ops_per_s >= p->ops_per_s * 2 / 3 ? "met" : "MISSED");
			printf("  edit p50 at  1 <= 1.5x postgres-upd: %.0f vs %.0f µs  %s\n",
			    r->p50_us, p->p50_us * 1.5, r->p50_us <= p->p50_us * 1.5 ? "met" :
			    "MISSED");
		}
	}
	for (size_t i = 0; i < b->nrows; i++) {
		r = &b->rows[i];
		if (r->kind != BENCH_TREE_SMALL ||
		    (ping = bench_find(b, BENCH_PING, r->clients)) == NULL)
			continue;
		printf("  35-sheet GetTree at %3u >= 70%% ping: %.0f vs %.0f  %s\n", r->clients,
		    r->ops_per_s, ping->ops_per_s * 0.7,
		    r->ops_per_s >= ping->ops_per_s * 0.7 ? "met" : "MISSED");
	}
	if ((r = bench_find(b, BENCH_TREE, 16)) != NULL)
		printf("  %zu-indicator GetTree at 16 >= 10000/s: %.0f  %s\n", b->nodes_big,
		    r->ops_per_s, r->ops_per_s >= 10000 ? "met" : "MISSED");
	if ((r = bench_find(b, BENCH_EDIT, 128)) != NULL && r->ops > 0 && r->have_disk)
		printf("  bytes to the disk per edit at 128 <= 2048: %.0f (jixiaod's own: %.0f)  "
		    "%s\n", (double)r->disk_bytes / (double)r->ops,
		    r->have_io ? (double)r->io_bytes / (double)r->ops : -1.0,
		    (double)r->disk_bytes / (double)r->ops <= 2048 ? "met" : "MISSED");
}

static void
bench_what(const struct bench *b, enum bench_kind kind, char *buf, size_t len)
{
	switch (kind) {
	case BENCH_PING:
		snprintf(buf, len, "System.Ping (the round-trip floor)");
		break;
	case BENCH_TREE_SMALL:
		snprintf(buf, len, "Tree.GetTree, %zu-indicator sheet", b->nodes_small);
		break;
	case BENCH_TREE:
		snprintf(buf, len, "Tree.GetTree, %zu-indicator workspace", b->nodes_big);
		break;
	case BENCH_EDIT:
		snprintf(buf, len, "Tree.UpdateNode score+comment, CAS, durable");
		break;
	case BENCH_MIXED:
		snprintf(buf, len, "%u %% GetTree %zu-sheet / %u %% UpdateNode", b->o->mix_reads,
		    b->nodes_small, 100 - b->o->mix_reads);
		break;
	case BENCH_NKINDS:
		buf[0] = '\0';
		break;
	}
}

static void
bench_json_str(const char *s)
{
	putchar('"');
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

static double
bench_best_read(const struct bench *b, enum bench_kind kind, unsigned *at)
{
	double best = 0;

	for (size_t i = 0; i < b->nrows; i++)
		if (b->rows[i].kind == kind && b->rows[i].ops_per_s > best) {
			best = b->rows[i].ops_per_s;
			*at = b->rows[i].clients;
		}
	return best;
}

static void
bench_print_table(const struct bench *b)
{
	const struct bench_row *r;
	char what[96];
	unsigned at = 0;
	double v;

	printf("jx-bench: jixiaod at %s, %u s per row, one connection and one call in flight "
	       "per client thread\n",
	    b->o->tcp ? "tcp://127.0.0.1" : "ipc://", b->o->seconds);
	printf("machine: %ld CPUs, %s; fdatasync floor %.0f/s (%.0f µs each, 4 KiB in %s)\n",
	    b->ncpu, b->cpu, b->fsync_per_s, b->fsync_us, b->tmpdir);
	printf("load average before: %s, after: %s\n\n", b->load_before, b->load_after);
	printf("%-10s  %-44s %6s %8s %8s %8s %6s %7s %6s %7s %7s %9s %8s\n", "workload", "what",
	    "flight", "ops/s", "p50 µs", "p99 µs", "errors", "commits", "batch", "srv µs", "cli µs",
	    "disk B/op", "srv B/op");
	for (size_t i = 0; i < b->nrows; i++) {
		char commits[24] = "-", batch[24] = "-", srv[24] = "-", cli[24] = "-";
		char disk[24] = "-", io[24] = "-";

		r = &b->rows[i];
		bench_what(b, r->kind, what, sizeof(what));
		if (r->have_commits && r->commits > 0) {
			snprintf(commits, sizeof(commits), "%llu", r->commits);
			snprintf(batch, sizeof(batch), "%.1f",
			    (double)r->writes / (double)r->commits);
		}
		if (r->ops > 0 && r->server_cpu_s >= 0)
			snprintf(srv, sizeof(srv), "%.0f", r->server_cpu_s * 1e6 / (double)r->ops);
		if (r->ops > 0 && r->client_cpu_s >= 0)
			snprintf(cli, sizeof(cli), "%.0f", r->client_cpu_s * 1e6 / (double)r->ops);
		if (r->ops > 0 && r->have_disk)
			snprintf(disk, sizeof(disk), "%.0f", (double)r->disk_bytes / (double)r->ops);
		if (r->ops > 0 && r->have_io)
			snprintf(io, sizeof(io), "%.0f", (double)r->io_bytes / (double)r->ops);
		printf("%-10s  %-44s %6u %8.0f %8.0f %8.0f %6llu %7s %6s %7s %7s %9s %8s\n",
		    bench_kind_names[r->kind], what, r->clients, r->ops_per_s, r->p50_us, r->p99_us,
		    r->errors + r->conflicts, commits, batch, srv, cli, disk, io);
		if (r->first_error[0] != '\0')
			printf("            first error: %s\n", r->first_error);
	}
	printf("\nflight: client threads, one call in flight each; errors: failed calls and "
	       "refused edits;\ncommits: LMDB transactions of the row and batch: writes per "
	       "transaction (jixiaod's\nwriter counters); srv µs, cli µs: CPU time per call in "
	       "jixiaod and in jx-bench,\nwhich share the machine's CPUs; disk B/op: bytes the "
	       "data directory's device wrote\n(/proc/diskstats) from the row's start to the "
	       "daemon's clean stop, per call: the\nlog, LMDB's pages and anything else "
	       "writing to that device then; srv B/op: what\njixiaod itself sent towards "
	       "the disk during the row (/proc/PID/io write_bytes), per call.\n");
	if (b->verified)
		printf("\nafter the run: %zu of %zu edited indicators hold the revision and score "
		       "of their last reply%s\n",
		    b->verified_leaves - b->verify_mismatch, b->verified_leaves,
		    b->verify_mismatch ? " (SOME EDITS WERE LOST)" : "");

	if (b->npeers > 0 || b->nnotes > 0) {
		printf("\n%-12s  %-46s %6s %8s %8s %8s %11s\n", "peer", "what", "flight",
		    "writes/s", "p50 µs", "p99 µs", "jixiao/peer");
		for (size_t i = 0; i < b->npeers; i++) {
			const struct bench_peer *p = &b->peers[i];
			char ratio[24] = "-";

			if ((r = bench_find(b, BENCH_EDIT, p->clients)) != NULL && p->ops_per_s > 0)
				snprintf(ratio, sizeof(ratio), "%.2f", r->ops_per_s / p->ops_per_s);
			printf("%-12s  %-46s %6u %8.0f %8.0f %8.0f %11s\n", p->name, p->what,
			    p->clients, p->ops_per_s, p->p50_us, p->p99_us, ratio);
		}
		for (size_t i = 0; i < b->nnotes; i++)
			printf("skipped: %s\n", b->peer_notes[i]);
	}

	printf("\ntargets of issue 4:\n");
	if ((r = bench_find(b, BENCH_EDIT, TARGET_EDITS_AT)) != NULL)
		printf("  durable edits/s at %d in flight  >= %.0f: %.0f  %s\n", TARGET_EDITS_AT,
		    TARGET_EDITS_PER_S, r->ops_per_s,
		    r->ops_per_s >= TARGET_EDITS_PER_S ? "met" : "MISSED");
	if ((r = bench_find(b, BENCH_EDIT, 1)) != NULL)
		printf("  edit p50 at 1 in flight         <= %.0f µs: %.0f µs  %s\n",
		    TARGET_EDIT_P50_US, r->p50_us,
		    r->p50_us <= TARGET_EDIT_P50_US ? "met" : "MISSED");
	for (int k = BENCH_PING; k <= BENCH_TREE; k++) {
		if ((v = bench_best_read(b, (enum bench_kind)k, &at)) <= 0)
			continue;
		printf("  reads/s (%-10s best, at %3u) >= %.0f: %.0f  %s\n", bench_kind_names[k],
		    at, TARGET_READS_PER_S, v, v >= TARGET_READS_PER_S ? "met" : "MISSED");
	}
	for (size_t i = 0; i < b->npeers; i++) {
		const struct bench_peer *p = &b->peers[i];
		if ((r = bench_find(b, BENCH_EDIT, p->clients)) != NULL)
			printf("  ahead of %-12s at %3u in flight: %.0f vs %.0f  %s\n", p->name,
			    p->clients, r->ops_per_s, p->ops_per_s,
			    r->ops_per_s > p->ops_per_s ? "yes" : "NO");
	}
	bench_print_goals16(b);
}

static void
bench_print_json(const struct bench *b)
{
	const struct bench_row *r;
	char what[96];

	printf("{\n  \"machine\": {\"cpus\": %ld, \"cpu\": ", b->ncpu);
	bench_json_str(b->cpu);
	printf(", \"fdatasync_per_s\": %.1f, \"fdatasync_us\": %.1f, \"loadavg_before\": ",
	    b->fsync_per_s, b->fsync_us);
	bench_json_str(b->load_before);
	printf(", \"loadavg_after\": ");
	bench_json_str(b->load_after);
	printf("},\n");
	printf("  \"config\": {\"transport\": \"%s\", \"seconds\": %u, \"indicators\": %zu, "
	       "\"small_indicators\": %zu, \"mix_reads_percent\": %u},\n",
	    b->o->tcp ? "tcp" : "ipc", b->o->seconds, b->nodes_big, b->nodes_small,
	    b->o->mix_reads);
	printf("  \"rows\": [");
	for (size_t i = 0; i < b->nrows; i++) {
		r = &b->rows[i];
		bench_what(b, r->kind, what, sizeof(what));
		printf("%s\n    {\"workload\": \"%s\", \"what\": ", i ? "," : "",
		    bench_kind_names[r->kind]);
		bench_json_str(what);
		printf(", \"clients\": %u, \"seconds\": %.3f, \"ops\": %llu, \"reads\": %llu, "
		       "\"edits\": %llu, \"ops_per_s\": %.1f, \"p50_us\": %.1f, \"p99_us\": %.1f, "
		       "\"errors\": %llu, \"conflicts\": %llu",
		    r->clients, r->seconds, r->ops, r->reads, r->edits, r->ops_per_s, r->p50_us,
		    r->p99_us, r->errors, r->conflicts);
		if (r->have_commits)
			printf(", \"commits\": %llu, \"writes\": %llu", r->commits, r->writes);
		printf(", \"server_cpu_s\": %.2f, \"client_cpu_s\": %.2f", r->server_cpu_s,
		    r->client_cpu_s);
		if (r->have_disk)
			printf(", \"disk_bytes\": %llu", r->disk_bytes);
		if (r->have_io)
			printf(", \"server_write_bytes\": %llu", r->io_bytes);
		printf("}");
	}
	printf("\n  ],\n");
	if (b->verified)
		printf("  \"verify\": {\"indicators\": %zu, \"mismatched\": %zu},\n",
		    b->verified_leaves, b->verify_mismatch);
	printf("  \"peers\": [");
	for (size_t i = 0; i < b->npeers; i++) {
		const struct bench_peer *p = &b->peers[i];

		printf("%s\n    {\"name\": ", i ? "," : "");
		bench_json_str(p->name);
		printf(", \"what\": ");
		bench_json_str(p->what);
		printf(", \"clients\": %u, \"ops_per_s\": %.1f, \"p50_us\": %.1f, \"p99_us\": %.1f",
		    p->clients, p->ops_per_s, p->p50_us, p->p99_us);
		if ((r = bench_find(b, BENCH_EDIT, p->clients)) != NULL && p->ops_per_s > 0)
			printf(", \"jixiao_ratio\": %.3f", r->ops_per_s / p->ops_per_s);
		printf("}");
	}
	printf("\n  ],\n  \"peers_skipped\": [");
	for (size_t i = 0; i < b->nnotes; i++) {
		printf("%s", i ? ", " : "");
		bench_json_str(b->peer_notes[i]);
	}
	printf("]\n}\n");
}

/* ---- main */

static int
bench_rows(struct bench *b)
{
	struct bench_row *row;
	unsigned long long s0 = 0, s1 = 0;
	bool have0;
	int rv;

	for (int k = 0; k < BENCH_NKINDS; k++) {
		if (!b->o->kinds[k])
			continue;
		for (size_t i = 0; i < b->o->nclients && !bench_stop; i++) {
			if (b->nrows == BENCH_MAX_ROWS)
				return 0;
			row = &b->rows[b->nrows];
			fprintf(stderr, "jx-bench: %s at %u in flight ...", bench_kind_names[k],
			    b->o->clients[i]);
			if (bench_daemon_start(&b->d) != 0)
				return -1;
			have0 = bench_disk_sectors(b->d.dir, &s0) == 0;
			rv = bench_row_run(b, (enum bench_kind)k, b->o->clients[i], row);
			/* The daemon's clean stop flushes what the row left in LMDB's pages. */
			if (bench_daemon_stop(&b->d) != 0 || rv != 0)
				return -1;
			if (have0 && bench_disk_sectors(b->d.dir, &s1) == 0 && s1 >= s0) {
				row->have_disk = true;
				row->disk_bytes = (s1 - s0) * 512;
			}
			row->have_commits = bench_daemon_stats(&b->d, &row->commits, &row->writes);
			fprintf(stderr, " %.0f ops/s, p50 %.0f µs, p99 %.0f µs\n", row->ops_per_s,
			    row->p50_us, row->p99_us);
			b->nrows++;
		}
	}
	return bench_stop ? -1 : 0;
}

int
main(int argc, char **argv)
{
	static struct bench b;
	struct bench_opts o = { 0 };
	struct sigaction sa;
	const char *tmp = getenv("TMPDIR");
	int rv = 1;

	if (bench_parse_args(argc, argv, &o) != 0)
		return 64;
	b.o = &o;
	pthread_mutex_init(&b.mtx, NULL);
	pthread_cond_init(&b.cv, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = bench_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	bench_machine(&b);
	bench_loadavg(b.load_before, sizeof(b.load_before));

	b.d.path = o.jixiaod;
	b.d.tcp = o.tcp;
	b.d.pid = 0;
	b.d.out_fd = -1;
	b.tmpdir = tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp";
	snprintf(b.d.dir, sizeof(b.d.dir), "%s/jx-bench.XXXXXX", b.tmpdir);
	if (mkdtemp(b.d.dir) == NULL) {
		fprintf(stderr, "jx-bench: mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	snprintf(b.d.data, sizeof(b.d.data), "%s/data", b.d.dir);
	snprintf(b.d.log, sizeof(b.d.log), "%s/jixiaod.log", b.d.dir);
	if (!o.tcp)
		snprintf(b.d.url, sizeof(b.d.url), "ipc://%s/jixiaod.sock", b.d.dir);

	fprintf(stderr, "jx-bench: starting %s in %s\n", o.jixiaod, b.d.dir);
	if (bench_daemon_start(&b.d) != 0)
		goto out;
	if (bench_setup(&b) != 0) {
		bench_daemon_stop(&b.d);
		goto out;
	}
	if (bench_daemon_stop(&b.d) != 0)
		goto out;
	fprintf(stderr,
	    "jx-bench: %zu indicators (%zu scored) and a %zu-indicator sheet "
	    "created\n",
	    b.nodes_big, b.nleaves, b.nodes_small);
	bench_fsync_probe(&b);
	if (bench_rows(&b) != 0) {
		bench_daemon_stop(&b.d);
		goto out;
	}
	if (o.kinds[BENCH_EDIT] || o.kinds[BENCH_MIXED]) {
		if (bench_daemon_start(&b.d) != 0)
			goto out;
		bench_verify(&b);
		if (bench_daemon_stop(&b.d) != 0)
			goto out;
	}
	if (o.peers != PEERS_NONE && !bench_stop)
		bench_peers(&b);
	if (bench_stop)
		goto out;
	bench_loadavg(b.load_after, sizeof(b.load_after));
	if (o.json)
		bench_print_json(&b);
	else
		bench_print_table(&b);
	rv = b.verify_mismatch != 0 ? 2 : 0;
out:
	if (o.keep)
		fprintf(stderr, "jx-bench: kept %s\n", b.d.dir);
	else
		nftw(b.d.dir, bench_rm, 16, FTW_DEPTH | FTW_PHYS);
	free(b.leaves);
	return bench_stop ? 130 : rv;
}
