/*
 * Issue 4's proof, under load: 32 clients make 500 edits each against one real
 * jixiaod, on 8 indicators they all share and one private indicator each, every edit
 * naming the revision its client last saw (after a refusal, mostly a retry on the
 * revision the refusal showed); about 5 % are resent with the same request id, after
 * the reply or at the same time from a second connection, and must be answered
 * identically. Afterwards the history must account for every acknowledged edit exactly
 * once and for nothing else, with an unbroken hash chain; what refused edits and reads
 * showed must be versions the history holds; replaying it must give the final tree;
 * and every indicator's operations (edits and reads) must be linearizable as a
 * compare-and-set register on its revision (tests/support/linearize.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <time.h>
#include <cmocka.h>

#include <sodium.h>

#include "client.h"
#include "daemon.h"
#include "err.h"
#include "jxtest.h"
#include "flatws.h"
#include "linearize.h"
#include "proto/jixiao.pb-c.h"

#define CLIENTS 32
#define EDITS 500
#define SHARED 8
#define NODES (SHARED + CLIENTS)
#define WEIGHT 1000          /* 10 points: scores 0..1000 hundredths */
#define SHARED_PERCENT 65    /* of the edits that are not retries */
#define RETRY_PERCENT 75     /* after a refused edit, edit the same indicator again */
#define RESEND_PERCENT 5
#define READ_EVERY 25        /* edits between two reads of the whole tree */
#define HASH_LEN 32

enum resend { RESEND_NONE, RESEND_AFTER, RESEND_CONCURRENT };

/* One UpdateNode, as its client saw it. */
struct edit {
	int node; /* index into the test's indicators */
	uint64_t base;
	int64_t score;
	char comment[48]; /* unique: finds the edit in the history */
	int code;
	uint64_t revision; /* the reply's node revision: new, or on ABORTED the current one */
	int64_t seen_score; /* on ABORTED, the current score the reply showed (-1: none) */
	int64_t invoke_ns, response_ns;
	enum resend resend;
};

struct worker {
	int index;
	const char *url;
	const struct client_identity *id;
	uint64_t ws;
	const uint64_t *ids; /* indicator ids by index */
	uint64_t known[NODES]; /* the newest revision this client saw of each */
	uint64_t seed;
	struct edit edits[EDITS];
	int nedits;
	struct linearize_op *reads; /* every indicator of every whole-tree read */
	int64_t *read_scores;       /* the score each read showed (-1: none) */
	size_t nreads, capreads;
	int resends[3];
	char error[2560]; /* the first thing that went wrong; workers cannot assert */
};

/* A resend from the worker's second connection while the first call is on its way. */
struct resend_call {
	struct client *cl;
	const uint8_t *id;
	const ProtobufCMessage *input;
	ProtobufCMessage *output;
	int code;
	int64_t response_ns;
	char message[1100];
};

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static int
node_index(const uint64_t *ids, uint64_t id)
{
	for (int i = 0; i < NODES; i++)
		if (ids[i] == id)
			return i;
	return -1;
}

/* Packs a reply for comparison; NULL packs as nothing. */
static uint8_t *
pack(const ProtobufCMessage *m, size_t *len)
{
	uint8_t *buf;

	*len = m != NULL ? protobuf_c_message_get_packed_size(m) : 0;
	if ((buf = malloc(*len + 1)) != NULL && m != NULL)
		protobuf_c_message_pack(m, buf);
	return buf;
}

/* The same status, sentence and payload, byte for byte. */
static bool
same_reply(int code1, const char *msg1, const ProtobufCMessage *out1, int code2,
    const char *msg2, const ProtobufCMessage *out2)
{
	uint8_t *a, *b;
	size_t la, lb;
	bool same;

	if (code1 != code2 || strcmp(msg1, msg2) != 0 || (out1 == NULL) != (out2 == NULL))
		return false;
	a = pack(out1, &la);
	b = pack(out2, &lb);
	same = a != NULL && b != NULL && la == lb && memcmp(a, b, la) == 0;
	free(a);
	free(b);
	return same;
}

static void *
resend_main(void *arg)
{
	struct resend_call *r = arg;

	r->code = client_call_with_id(r->cl, &jixiao__tree__descriptor, "UpdateNode", r->id,
	    r->input, &r->output, r->message, sizeof(r->message));
	r->response_ns = now_ns();
	return NULL;
}

/* Reads the whole tree: a READ of every indicator, and fresher revisions to edit on. */
static int
worker_read(struct worker *w, struct client *cl)
{
	Jixiao__GetTreeRequest in = JIXIAO__GET_TREE_REQUEST__INIT;
	Jixiao__TreeReply *out;
	char msg[1100];
	int64_t invoke, response;
	int rv;

	in.workspace = w->ws;
	invoke = now_ns();
	rv = client_call(cl, &jixiao__tree__descriptor, "GetTree", &in.base,
	    (ProtobufCMessage **)&out, msg, sizeof(msg));
	response = now_ns();
	if (rv != JX_OK) {
		snprintf(w->error, sizeof(w->error), "GetTree: %s: %s", jx_strerror(rv), msg);
		if (out != NULL)
			jixiao__tree_reply__free_unpacked(out, NULL);
		return -1;
	}
	if (w->nreads + out->n_nodes > w->capreads) {
		size_t cap = (w->capreads + out->n_nodes) * 2;
		struct linearize_op *r = realloc(w->reads, cap * sizeof(*r));
		int64_t *sc = r != NULL ? realloc(w->read_scores, cap * sizeof(*sc)) : NULL;
		if (r != NULL)
			w->reads = r;
		if (sc == NULL) {
			snprintf(w->error, sizeof(w->error), "out of memory");
			jixiao__tree_reply__free_unpacked(out, NULL);
			return -1;
		}
		w->read_scores = sc;
		w->capreads = cap;
	}
	for (size_t i = 0; i < out->n_nodes; i++) {
		const Jixiao__Node *n = out->nodes[i];
		int k = node_index(w->ids, n->id);
		if (k < 0) {
			snprintf(w->error, sizeof(w->error),
			    "GetTree shows an unknown node %" PRIu64, n->id);
			jixiao__tree_reply__free_unpacked(out, NULL);
			return -1;
		}
		w->known[k] = n->revision;
		w->read_scores[w->nreads] = n->has_score ? n->score : -1;
		w->reads[w->nreads++] = (struct linearize_op){ n->id, invoke, response,
			LINEARIZE_READ, 0, n->revision };
	}
	jixiao__tree_reply__free_unpacked(out, NULL);
	return 0;
}

/* Makes one edit, resending it as e->resend says. */
static int
worker_edit(struct worker *w, struct client *cl, struct client *cl2, struct edit *e)
{
	Jixiao__UpdateNodeRequest in = JIXIAO__UPDATE_NODE_REQUEST__INIT;
	Jixiao__NodeRef ref = JIXIAO__NODE_REF__INIT;
	Jixiao__NodeReply *out = NULL, *out2 = NULL;
	struct resend_call rc = { 0 };
	uint8_t id[ENVELOPE_REQUEST_ID_LEN];
	char msg[1100], msg2[1100];
	pthread_t th;
	int code2 = JX_OK, rv = -1;

	ref.has_id = 1;
	ref.id = w->ids[e->node];
	in.workspace = w->ws;
	in.node = &ref;
	in.base_revision = e->base;
	in.has_score = 1;
	in.score = e->score;
	in.comment = e->comment;
	client_new_request_id(id);

	e->invoke_ns = now_ns();
	if (e->resend == RESEND_CONCURRENT) {
		rc.cl = cl2;
		rc.id = id;
		rc.input = &in.base;
		if (pthread_create(&th, NULL, resend_main, &rc) != 0) {
			snprintf(w->error, sizeof(w->error), "cannot start a thread");
			return -1;
		}
	}
	e->code = client_call_with_id(cl, &jixiao__tree__descriptor, "UpdateNode", id, &in.base,
	    (ProtobufCMessage **)&out, msg, sizeof(msg));
	e->response_ns = now_ns();
	if (e->resend == RESEND_CONCURRENT) {
		pthread_join(th, NULL);
		/* It took effect once, before whichever reply came first. */
		if (rc.response_ns < e->response_ns)
			e->response_ns = rc.response_ns;
		code2 = rc.code;
		snprintf(msg2, sizeof(msg2), "%s", rc.message);
		out2 = (Jixiao__NodeReply *)rc.output;
	} else if (e->resend == RESEND_AFTER) {
		code2 = client_call_with_id(cl, &jixiao__tree__descriptor, "UpdateNode", id,
		    &in.base, (ProtobufCMessage **)&out2, msg2, sizeof(msg2));
	}
	if (e->resend != RESEND_NONE && !same_reply(e->code, msg,
	    out != NULL ? &out->base : NULL, code2, msg2, out2 != NULL ? &out2->base : NULL)) {
		snprintf(w->error, sizeof(w->error), "a resent edit (%s) of node %" PRIu64
		    " on revision %" PRIu64 " was answered %s (%s), then %s (%s)",
		    e->resend == RESEND_AFTER ? "after the reply" : "concurrently", ref.id,
		    e->base, jx_strerror(e->code), msg, jx_strerror(code2), msg2);
		goto out;
	}
	if ((e->code != JX_OK && e->code != JX_EABORTED) || out == NULL || out->node == NULL ||
	    out->node->id != ref.id) {
		snprintf(w->error, sizeof(w->error), "an edit of node %" PRIu64 " on revision %"
		    PRIu64 " was answered %s: %s", ref.id, e->base, jx_strerror(e->code), msg);
		goto out;
	}
	e->revision = out->node->revision;
	e->seen_score = out->node->has_score ? out->node->score : -1;
	w->known[e->node] = e->revision;
	w->resends[e->resend]++;
	rv = 0;
out:
	if (out != NULL)
		jixiao__node_reply__free_unpacked(out, NULL);
	if (out2 != NULL)
		jixiao__node_reply__free_unpacked(out2, NULL);
	return rv;
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct client *cl = NULL, *cl2 = NULL;
	char why[256];

	if (client_open(w->url, w->id, &cl, why, sizeof(why)) != 0 ||
	    client_open(w->url, w->id, &cl2, why, sizeof(why)) != 0) {
		snprintf(w->error, sizeof(w->error), "%s", why);
		goto out;
	}
	for (int i = 0; i < EDITS; i++) {
		struct edit *e = &w->edits[i];
		const struct edit *prev = i > 0 ? &w->edits[i - 1] : NULL;

		if (i % READ_EVERY == 0 && worker_read(w, cl) != 0)
			break;
		if (prev != NULL && prev->code == JX_EABORTED &&
		    rnd(&w->seed) % 100 < RETRY_PERCENT)
			e->node = prev->node;
		else if (rnd(&w->seed) % 100 < SHARED_PERCENT)
			e->node = (int)(rnd(&w->seed) % SHARED);
		else
			e->node = SHARED + w->index;
		e->base = w->known[e->node];
		e->score = (int64_t)(rnd(&w->seed) % (WEIGHT + 1));
		snprintf(e->comment, sizeof(e->comment), "压力测试 c%02d e%03d", w->index, i);
		if (rnd(&w->seed) % 100 < RESEND_PERCENT)
			e->resend = rnd(&w->seed) % 2 ? RESEND_AFTER : RESEND_CONCURRENT;
		if (worker_edit(w, cl, cl2, e) != 0)
			break;
		w->nedits++;
	}
out:
	client_close(cl2);
	client_close(cl);
	return NULL;
}

/* The code of indicator index i: S1..S8 shared, P1..P32 private. */
static void
node_code(int i, char *code, size_t len)
{
	if (i < SHARED)
		snprintf(code, len, "S%d", i + 1);
	else
		snprintf(code, len, "P%d", i - SHARED + 1);
}

static uint64_t
create_workspace(struct client *cl, uint64_t *setup_head)
{
	char codes[NODES][16], names[NODES][32], *cp[NODES], *np[NODES];

	for (int i = 0; i < NODES; i++) {
		node_code(i, codes[i], sizeof(codes[i]));
		snprintf(names[i], sizeof(names[i]), "%s%s", i < SHARED ? "共享指标" : "个人指标",
		    codes[i] + 1);
		cp[i] = codes[i];
		np[i] = names[i];
	}
	return jxtest_flat_workspace(cl, "压力测试", 2023, NODES, cp, np, WEIGHT, setup_head);
}

static Jixiao__TreeReply *
get_tree(struct client *cl, uint64_t ws)
{
	Jixiao__GetTreeRequest in = JIXIAO__GET_TREE_REQUEST__INIT;
	Jixiao__TreeReply *out;
	char msg[1100];

	in.workspace = ws;
	assert_jx_ok(client_call(cl, &jixiao__tree__descriptor, "GetTree", &in.base,
	    (ProtobufCMessage **)&out, msg, sizeof(msg)));
	assert_int_equal(out->n_nodes, NODES);
	return out;
}

/* The whole history, paged 1000 at a time: hist[rev] for rev 1..*head. */
static Jixiao__Change **
read_history(struct client *cl, uint64_t ws, uint64_t *head, Jixiao__LogReply ***pages,
    size_t *npages)
{
	Jixiao__Change **hist = NULL;
	uint64_t from = 1;
	char msg[1100];

	*head = 0;
	*pages = NULL;
	*npages = 0;
	for (;;) {
		Jixiao__LogRequest in = JIXIAO__LOG_REQUEST__INIT;
		Jixiao__LogReply *out;

		in.workspace = ws;
		in.has_from = 1;
		in.from = from;
		in.has_limit = 1;
		in.limit = 1000;
		assert_jx_ok(client_call(cl, &jixiao__history__descriptor, "Log", &in.base,
		    (ProtobufCMessage **)&out, msg, sizeof(msg)));
		assert_true(out->has_head_revision);
		if (hist == NULL) {
			*head = out->head_revision;
			assert_non_null(hist = calloc(*head + 1, sizeof(*hist)));
		}
		assert_int_equal(out->head_revision, *head);
		assert_non_null(*pages = realloc(*pages, (*npages + 1) * sizeof(**pages)));
		(*pages)[(*npages)++] = out;
		assert_true(out->n_changes <= 1000);
		for (size_t i = 0; i < out->n_changes; i++) {
			/* Every revision, in order, without gaps. */
			assert_int_equal(out->changes[i]->revision, from);
			assert_int_equal(out->changes[i]->workspace, ws);
			hist[from++] = out->changes[i];
		}
		if (from > *head || out->n_changes == 0)
			break;
	}
	assert_int_equal(from, *head + 1);
	return hist;
}

/* Each record names the BLAKE2b-256 of the one before it; the workspace, the last. */
static void
check_chain(Jixiao__Change **hist, uint64_t head, const Jixiao__Workspace *ws)
{
	uint8_t hash[HASH_LEN];

	for (uint64_t rev = 1; rev <= head; rev++) {
		size_t len;
		uint8_t *rec = pack(&hist[rev]->base, &len);

		assert_non_null(rec);
		if (rev == 1)
			assert_false(hist[rev]->has_prev);
		else if (!hist[rev]->has_prev || hist[rev]->prev.len != HASH_LEN ||
		    memcmp(hist[rev]->prev.data, hash, HASH_LEN) != 0)
			fail_msg("history record %" PRIu64 " does not name the hash of record %"
			    PRIu64, rev, rev - 1);
		crypto_generichash(hash, HASH_LEN, rec, len, NULL, 0);
		free(rec);
	}
	assert_true(ws->has_head);
	assert_int_equal(ws->head.len, HASH_LEN);
	assert_memory_equal(ws->head.data, hash, HASH_LEN);
}

/* Every acknowledged edit is its own node.update record, with what it set. */
static void
check_acknowledged(struct worker *w, Jixiao__Change **hist, uint64_t setup_head,
    uint64_t head, bool *used)
{
	for (int c = 0; c < CLIENTS; c++) {
		for (int i = 0; i < w[c].nedits; i++) {
			const struct edit *e = &w[c].edits[i];
			const Jixiao__Change *ch;

			if (e->code != JX_OK)
				continue;
			if (e->revision <= setup_head || e->revision > head)
				fail_msg("edit \"%s\" was acknowledged as revision %" PRIu64
				    ", which the history (revisions 1 to %" PRIu64 ") lacks",
				    e->comment, e->revision, head);
			ch = hist[e->revision];
			if (used[e->revision])
				fail_msg("revision %" PRIu64 " was acknowledged twice",
				    e->revision);
			used[e->revision] = true;
			if (strcmp(ch->what, "node.update") != 0 || ch->after == NULL ||
			    ch->before == NULL || ch->after->id != w[c].ids[e->node] ||
			    ch->after->revision != e->revision ||
			    ch->before->revision != e->base || !ch->after->has_score ||
			    ch->after->score != e->score || ch->after->comment == NULL ||
			    strcmp(ch->after->comment, e->comment) != 0 || ch->forced)
				fail_msg("revision %" PRIu64 " (%s by %s) is not the edit \"%s\" "
				    "acknowledged with it", e->revision, ch->what,
				    ch->user != NULL ? ch->user : "?", e->comment);
		}
	}
}

/* What a version of node id holds: the state its history record left. */
static void
check_version(Jixiao__Change **hist, uint64_t head, uint64_t id, uint64_t rev, int64_t score,
    const char *who)
{
	const Jixiao__Node *after = rev >= 1 && rev <= head ? hist[rev]->after : NULL;

	if (after == NULL || after->id != id)
		fail_msg("%s showed node %" PRIu64 " at revision %" PRIu64 ", which is no "
		    "version of it", who, id, rev);
	if ((after->has_score ? after->score : -1) != score)
		fail_msg("%s showed node %" PRIu64 " at revision %" PRIu64 " with score %" PRId64
		    ", but that revision set %" PRId64, who, id, rev, score,
		    after->has_score ? after->score : -1);
}

/* Every refused edit and every read showed a node as one of its versions was. */
static void
check_observed(const struct worker *w, Jixiao__Change **hist, uint64_t head)
{
	for (int c = 0; c < CLIENTS; c++) {
		for (int i = 0; i < w[c].nedits; i++) {
			const struct edit *e = &w[c].edits[i];
			if (e->code == JX_EABORTED)
				check_version(hist, head, w[c].ids[e->node], e->revision,
				    e->seen_score, e->comment);
		}
		for (size_t i = 0; i < w[c].nreads; i++)
			check_version(hist, head, w[c].reads[i].key, w[c].reads[i].version,
			    w[c].read_scores[i], "a read");
	}
}

/*
 * Replays the history's node states by id onto the indicators as imported, and
 * compares with the tree as it is now.
 */
static void
check_replay(Jixiao__Change **hist, uint64_t setup_head, uint64_t head, const uint64_t *ids,
    const Jixiao__TreeReply *tree)
{
	const Jixiao__Node *state[NODES] = { 0 };
	int64_t total = 0;

	for (uint64_t rev = 2; rev <= head; rev++) {
		const Jixiao__Node *after = hist[rev]->after;
		int k;

		assert_string_equal(hist[rev]->what,
		    rev <= setup_head ? "node.add" : "node.update");
		assert_non_null(after);
		assert_true((k = node_index(ids, after->id)) >= 0);
		assert_true(rev > setup_head || state[k] == NULL);
		state[k] = after;
	}
	assert_int_equal(tree->workspace->revision, head);
	for (size_t i = 0; i < tree->n_nodes; i++) {
		const Jixiao__Node *now = tree->nodes[i], *was;
		int k = node_index(ids, now->id);

		assert_true(k >= 0);
		assert_non_null(was = state[k]);
		if (now->revision != was->revision || now->has_score != was->has_score ||
		    (now->has_score && now->score != was->score) ||
		    (now->comment == NULL) != (was->comment == NULL) ||
		    (now->comment != NULL && strcmp(now->comment, was->comment) != 0))
			fail_msg("indicator %s is at revision %" PRIu64 " with score %" PRId64
			    ", but the history replays to revision %" PRIu64 " with score %"
			    PRId64, now->code, now->revision, now->score, was->revision,
			    was->score);
		total += was->has_score ? was->score : 0;
	}
	assert_int_equal(tree->total, total);
}

static void
stress_edits_are_accounted_for_and_linearizable(void **state)
{
	struct jxd d;
	struct client *cl;
	struct worker *w;
	pthread_t th[CLIENTS];
	Jixiao__TreeReply *tree;
	Jixiao__LogReply **pages;
	Jixiao__Change **hist;
	struct linearize_op *ops;
	struct linearize_init init[NODES];
	struct linearize_report report;
	enum linearize_result lr;
	uint64_t ids[NODES], ws, setup_head, head;
	size_t npages, nops = 0, nreads = 0;
	int acked = 0, refused = 0, acked_shared = 0, resends[3] = { 0 };
	int64_t t0, t1, t2, t3;
	bool *used;
	char why[256], code[16];

	jxd_start(&d, false);
	assert_jx_ok(client_open(d.url, jxd_identity(&d, "组长"), &cl, why, sizeof(why)));
	ws = create_workspace(cl, &setup_head);
	assert_int_equal(setup_head, 1 + NODES);
	tree = get_tree(cl, ws);
	for (int k = 0; k < NODES; k++) {
		ids[k] = 0;
		node_code(k, code, sizeof(code));
		for (size_t i = 0; i < tree->n_nodes; i++)
			if (strcmp(tree->nodes[i]->code, code) == 0) {
				ids[k] = tree->nodes[i]->id;
				init[k] = (struct linearize_init){ ids[k],
					tree->nodes[i]->revision };
			}
		assert_true(ids[k] != 0);
	}
	jixiao__tree_reply__free_unpacked(tree, NULL);

	assert_non_null(w = calloc(CLIENTS, sizeof(*w)));
	/* Every evaluator's key is made and registered before any thread starts. */
	for (int c = 0; c < CLIENTS; c++) {
		char name[32];
		snprintf(name, sizeof(name), "评价员%02d", c);
		w[c].id = jxd_identity(&d, name);
	}
	t0 = now_ns();
	for (int c = 0; c < CLIENTS; c++) {
		w[c].index = c;
		w[c].url = d.url;
		w[c].ws = ws;
		w[c].ids = ids;
		w[c].seed = 0x9e3779b97f4a7c15ULL * (uint64_t)(c + 1);
		assert_int_equal(pthread_create(&th[c], NULL, worker_main, &w[c]), 0);
	}
	for (int c = 0; c < CLIENTS; c++)
		pthread_join(th[c], NULL);
	t1 = now_ns();

	for (int c = 0; c < CLIENTS; c++) {
		if (w[c].error[0] != '\0')
			fail_msg("client %d, after %d edits: %s", c, w[c].nedits, w[c].error);
		assert_int_equal(w[c].nedits, EDITS);
		for (int i = 0; i < EDITS; i++) {
			const struct edit *e = &w[c].edits[i];
			if (e->code == JX_OK) {
				acked++;
				acked_shared += e->node < SHARED;
			} else {
				refused++;
				/* Nobody else edits a private indicator: all its edits pass. */
				if (e->node >= SHARED)
					fail_msg("client %d's edit %d of its own indicator was "
					    "refused", c, i);
			}
		}
		for (int r = 0; r < 3; r++)
			resends[r] += w[c].resends[r];
		nreads += w[c].nreads;
	}

	/*
	 * The history: the setup, then exactly the acknowledged edits, each once. Every
	 * record after the setup is an acknowledged edit with its own unique comment, so a
	 * refused edit (or a resent one applied twice) would have shown as a record left
	 * over.
	 */
	hist = read_history(cl, ws, &head, &pages, &npages);
	assert_int_equal(head, setup_head + (uint64_t)acked);
	assert_non_null(used = calloc(head + 1, sizeof(*used)));
	check_acknowledged(w, hist, setup_head, head, used);
	for (uint64_t rev = setup_head + 1; rev <= head; rev++)
		if (!used[rev])
			fail_msg("revision %" PRIu64 " (%s by %s) is no acknowledged edit", rev,
			    hist[rev]->what, hist[rev]->user != NULL ? hist[rev]->user : "?");
	check_observed(w, hist, head);
	tree = get_tree(cl, ws);
	check_replay(hist, setup_head, head, ids, tree);
	check_chain(hist, head, tree->workspace);
	jixiao__tree_reply__free_unpacked(tree, NULL);

	/* Every indicator a compare-and-set register on its revision. */
	assert_non_null(ops = calloc((size_t)CLIENTS * EDITS + nreads, sizeof(*ops)));
	for (int c = 0; c < CLIENTS; c++) {
		for (int i = 0; i < EDITS; i++) {
			const struct edit *e = &w[c].edits[i];
			ops[nops++] = (struct linearize_op){ ids[e->node], e->invoke_ns,
				e->response_ns, e->code == JX_OK ? LINEARIZE_CAS
								 : LINEARIZE_CAS_REFUSED,
				e->base, e->revision };
		}
		memcpy(ops + nops, w[c].reads, w[c].nreads * sizeof(*ops));
		nops += w[c].nreads;
	}
	t2 = now_ns();
	lr = linearize_check(ops, nops, init, NODES, LINEARIZE_STEPS_DEFAULT, &report);
	t3 = now_ns();
	print_message("stress: %d clients x %d edits: %d acknowledged (%d on the %d shared "
	    "indicators), %d refused; %d resent after the reply and %d concurrently, each "
	    "answered identically; %zu reads; %.1f s\n", CLIENTS, EDITS, acked, acked_shared,
	    SHARED, refused, resends[RESEND_AFTER], resends[RESEND_CONCURRENT], nreads,
	    (double)(t1 - t0) / 1e9);
	print_message("stress: history of %" PRIu64 " revisions accounted for (%.1f s); %zu "
	    "operations on %zu indicators %s in %" PRIu64 " steps (%.1f s)\n", head,
	    (double)(t2 - t1) / 1e9, report.ops, report.keys, linearize_result_name(lr),
	    report.steps, (double)(t3 - t2) / 1e9);
	if (lr != LINEARIZE_OK)
		fail_msg("%zu indicators not linearizable, %zu unknown; %s", report.violations,
		    report.unknown, report.why);
	assert_int_equal(report.keys, NODES);

	free(ops);
	free(used);
	for (size_t i = 0; i < npages; i++)
		jixiao__log_reply__free_unpacked(pages[i], NULL);
	free(pages);
	free(hist);
	for (int c = 0; c < CLIENTS; c++) {
		free(w[c].reads);
		free(w[c].read_scores);
	}
	free(w);
	client_close(cl);
	jxd_stop(&d);
	jxd_cleanup(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stress_edits_are_accounted_for_and_linearizable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
