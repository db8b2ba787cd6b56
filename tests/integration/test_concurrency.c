/*
 * Many clients at once against a real jixiaod: edits to different indicators never
 * conflict; contending edits to one indicator are accepted or refused, never lost
 * or half-applied; the change feed publishes each committed revision.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <signal.h>
#include <sys/types.h>
#include <unistd.h>
#include <cmocka.h>

#include <nng/nng.h>
#include <nng/protocol/pubsub0/sub.h>

#include "client.h"
#include "daemon.h"
#include "err.h"
#include "jxtest.h"
#include "proto/jixiao.pb-c.h"

#define CLIENTS 16
#define EDITS 40

struct worker {
	const char *url;
	const struct client_identity *id;
	char code[16];      /* the indicator this worker edits */
	int accepted, aborted, other;
	int64_t last_score;
};

static Jixiao__Node *
get_node(struct client *cl, const char *code)
{
	Jixiao__GetTreeRequest in = JIXIAO__GET_TREE_REQUEST__INIT;
	Jixiao__TreeReply *out;
	Jixiao__Node *found = NULL;
	char msg[256];

	in.workspace = 1;
	assert_jx_ok(client_call(cl, &jixiao__tree__descriptor, "GetTree", &in.base,
	    (ProtobufCMessage **)&out, msg, sizeof(msg)));
	for (size_t i = 0; i < out->n_nodes; i++) {
		if (strcmp(out->nodes[i]->code, code) == 0) {
			found = out->nodes[i];
			out->nodes[i] = out->nodes[--out->n_nodes];
		}
	}
	jixiao__tree_reply__free_unpacked(out, NULL);
	assert_non_null(found);
	return found;
}

/* Reads the node and sets its score, naming the revision it read. */
static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct client *cl;
	char why[256], msg[1100];

	if (client_open(w->url, w->id, &cl, why, sizeof(why)) != 0)
		return NULL;
	for (int i = 0; i < EDITS; i++) {
		Jixiao__UpdateNodeRequest in = JIXIAO__UPDATE_NODE_REQUEST__INIT;
		Jixiao__NodeRef ref = JIXIAO__NODE_REF__INIT;
		Jixiao__Node *node = get_node(cl, w->code);
		Jixiao__NodeReply *out;
		int rv;

		ref.code = w->code;
		in.workspace = 1;
		in.node = &ref;
		in.base_revision = node->revision;
		in.has_score = 1;
		in.score = (int64_t)(i % 500);
		in.comment = "并发编辑";
		rv = client_call(cl, &jixiao__tree__descriptor, "UpdateNode", &in.base,
		    (ProtobufCMessage **)&out, msg, sizeof(msg));
		if (rv == JX_OK) {
			w->accepted++;
			w->last_score = in.score;
		} else if (rv == JX_EABORTED) {
			w->aborted++;
		} else {
			w->other++;
		}
		if (out != NULL)
			jixiao__node_reply__free_unpacked(out, NULL);
		jixiao__node__free_unpacked(node, NULL);
	}
	client_close(cl);
	return NULL;
}

static void
concurrent_edits_are_never_lost(void **state)
{
	struct jxd d;
	struct worker w[2 * CLIENTS];
	pthread_t th[2 * CLIENTS];
	struct client *cl;
	char why[256], code[16];
	int accepted = 0;
	/* Revisions before the race: the workspace, S, and each P. */
	const uint64_t rev_before = 2 + CLIENTS;
	Jixiao__Node *node;

	jxd_start(&d, false);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "ws", "create", "--subject", "并发", "--year",
	    "2023", "--kind", "key-evaluation", NULL), 0);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "node", "add", "1", "共享指标", "--weight", "10",
	    "--code", "S", NULL), 0);
	for (int i = 0; i < CLIENTS; i++) {
		snprintf(code, sizeof(code), "P%d", i);
		assert_int_equal(jxd_jx(&d, NULL, NULL, "node", "add", "1", "个人指标", "--weight",
		    "10", "--code", code, NULL), 0);
	}
	assert_jx_ok(client_open(d.url, jxd_identity(&d, "checker"), &cl, why, sizeof(why)));
	for (int i = 0; i < 2 * CLIENTS; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].url = d.url;
		if (i < CLIENTS)
			snprintf(w[i].code, sizeof(w[i].code), "P%d", i);
		else
			snprintf(w[i].code, sizeof(w[i].code), "S");
		w[i].id = jxd_identity(&d, w[i].code);
	}
	for (int i = 0; i < 2 * CLIENTS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, worker_main, &w[i]), 0);
	for (int i = 0; i < 2 * CLIENTS; i++)
		pthread_join(th[i], NULL);

	for (int i = 0; i < 2 * CLIENTS; i++) {
		assert_int_equal(w[i].other, 0);
		assert_int_equal(w[i].accepted + w[i].aborted, EDITS);
		accepted += w[i].accepted;
		if (i < CLIENTS) {
			/* Nobody else edits a private indicator: every edit goes through. */
			assert_int_equal(w[i].accepted, EDITS);
			node = get_node(cl, w[i].code);
			assert_int_equal(node->score, w[i].last_score);
			jixiao__node__free_unpacked(node, NULL);
		}
	}
	/* Every accepted edit is exactly one revision; refused ones left none. */
	{
		Jixiao__GetWorkspaceRequest in = JIXIAO__GET_WORKSPACE_REQUEST__INIT;
		Jixiao__WorkspaceReply *out;
		char msg[256];
		in.workspace = 1;
		assert_jx_ok(client_call(cl, &jixiao__workspaces__descriptor, "Get", &in.base,
		    (ProtobufCMessage **)&out, msg, sizeof(msg)));
		assert_int_equal(out->workspace->revision, rev_before + (uint64_t)accepted);
		jixiao__workspace_reply__free_unpacked(out, NULL);
	}
	client_close(cl);
	jxd_stop(&d);
	jxd_cleanup(&d);
}

static int count_revision(const char *out, unsigned rev);

/* Whether the n bytes at p hold the text t. */
static bool
holds(const void *p, size_t n, const char *t)
{
	size_t tl = strlen(t);

	for (size_t i = 0; i + tl <= n; i++)
		if (memcmp((const char *)p + i, t, tl) == 0)
			return true;
	return false;
}

/*
 * The feed (no key, no login) publishes a notice of every committed change and nothing
 * else (issue 11, defect 5): each message is the workspace id as its topic and a
 * FeedNotice with no other field, holding no indicator name, score or comment.
 */
static void
feed_publishes_notices_only(void **state)
{
	struct jxd d;
	nng_socket sub;
	uint8_t topic[8] = { 0, 0, 0, 0, 0, 0, 0, 1 };

	jxd_start(&d, false);
	assert_int_equal(nng_sub0_open(&sub), 0);
	/* Every topic: whatever the feed sends to anyone. */
	assert_int_equal(nng_socket_set(sub, NNG_OPT_SUB_SUBSCRIBE, "", 0), 0);
	nng_socket_set_ms(sub, NNG_OPT_RECVTIMEO, 10000);
	assert_int_equal(nng_dial(sub, d.feed_url, NULL, 0), 0);

	assert_int_equal(jxd_jx(&d, NULL, NULL, "ws", "create", "--subject", "订阅", "--year",
	    "2023", "--kind", "self-evaluation", NULL), 0);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "node", "add", "1", "机密产出指标", "--weight",
	    "20", NULL), 0);
	/* A refused edit publishes nothing. */
	assert_int_equal(jxd_jx(&d, NULL, NULL, "node", "set", "1", "1", "--score", "30", NULL),
	    65);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "node", "set", "1", "1", "--score", "18",
	    "--comment", "两项产出未完成", NULL), 0);
	for (uint64_t rev = 1; rev <= 3; rev++) {
		Jixiao__FeedNotice *n;
		nng_msg *msg;
		size_t len;
		void *body;

		assert_int_equal(nng_recvmsg(sub, &msg, 0), 0);
		body = nng_msg_body(msg);
		len = nng_msg_len(msg);
		assert_true(len > 8);
		assert_memory_equal(body, topic, 8);
		if (holds(body, len, "机密产出指标") || holds(body, len, "两项产出未完成") ||
		    holds(body, len, "订阅") || holds(body, len, "admin"))
			fail_msg("the feed published content to a subscriber with no login");
		n = jixiao__feed_notice__unpack(NULL, len - 8, (uint8_t *)body + 8);
		assert_non_null(n);
		assert_int_equal(n->workspace, 1);
		assert_int_equal(n->revision, rev);
		/* Nothing but the two fields: a Change would decode with the rest unknown. */
		assert_int_equal(n->base.n_unknown_fields, 0);
		assert_int_equal(protobuf_c_message_get_packed_size(&n->base), len - 8);
		jixiao__feed_notice__free_unpacked(n, NULL);
		nng_msg_free(msg);
	}
	nng_close(sub);
	jxd_stop(&d);
	jxd_cleanup(&d);
}

/*
 * jx watch on a notices-only feed: a member sees the changes (fetched with their
 * login), a user who is not a member of the workspace sees nothing and is told why.
 */
static void
watch_shows_changes_to_members_only(void **state)
{
	const char *member[] = { "--user", "li", "watch", "1", "--from", "2", "--count", "2",
		"--json", NULL };
	const char *stranger[] = { "--user", "wang", "watch", "1", "--from", "2", "--count",
		"2", NULL };
	struct jxd_proc w;
	struct jxd d;
	char *out, *err;

	jxd_start(&d, false);
	jxd_user(&d, "li", false);
	jxd_user(&d, "wang", false);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "ws", "create", "--subject", "观察", "--year",
	    "2023", "--kind", "self-evaluation", NULL), 0);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "member", "set", "1", "li", "evaluator", NULL), 0);
	jxd_jx_start(&d, &w, member);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "node", "add", "1", "机密产出指标", "--weight",
	    "20", NULL), 0);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "node", "add", "1", "效益", "--weight", "20",
	    NULL), 0);
	assert_int_equal(jxd_jx_wait(&w, &out, NULL), 0);
	if (strstr(out, "机密产出指标") == NULL || count_revision(out, 3) != 1)
		fail_msg("the member's jx watch did not show the changes:\n%s", out);
	free(out);
	assert_int_equal(jxd_jxv(&d, &out, &err, stranger), 77);
	if (strstr(out, "机密产出指标") != NULL || strstr(err, "机密产出指标") != NULL)
		fail_msg("a non-member's jx watch showed content:\n%s%s", out, err);
	assert_string_equal(out, "");
	free(out);
	free(err);
	jxd_stop(&d);
	jxd_cleanup(&d);
}

/* How many change records of revision rev out holds (top-level keys are indented 2). */
static int
count_revision(const char *out, unsigned rev)
{
	char want[32];
	int n = 0;

	snprintf(want, sizeof(want), "\n  \"revision\": %u,", rev);
	for (const char *p = out; (p = strstr(p, want)) != NULL; p += strlen(want))
		n++;
	return n;
}

/* The state letter of pid in /proc (R, S, T = stopped, ...), or '?'. */
static char
proc_state(pid_t pid)
{
	char path[64], buf[512], *p;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return '?';
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* pid (comm) STATE ...: comm may hold spaces and parentheses, so the last ')' */
	if ((p = strrchr(buf, ')')) == NULL || p[1] != ' ')
		return '?';
	return p[2];
}

/*
 * jx watch: live changes while a watcher runs, paused and resumed, each shown once.
 * A second, identical watcher runs beside it and must never be paused: the test
 * signals the pid it started, not whatever matches a name (a pkill -f would stop
 * both, and anyone else's jx watch on the machine).
 */
static void
watch_shows_every_revision_once(void **state)
{
	const char *watch[] = { "watch", "1", "--from", "2", "--count", "5", "--json", NULL };
	struct jxd_proc w, other;
	struct jxd d;
	char *out, *other_out;

	jxd_start(&d, false);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "ws", "create", "--subject", "观察", "--year",
	    "2023", "--kind", "self-evaluation", NULL), 0);
	/* Live: from revision 2 on, five changes, the watcher stopped half way through. */
	jxd_jx_start(&d, &w, watch);
	jxd_jx_start(&d, &other, watch);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "node", "add", "1", "产出", "--weight", "20", NULL),
	    0);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "node", "add", "1", "效益", "--weight", "20", NULL),
	    0);
	/* Only the watcher this test started: never processes found by name. */
	assert_int_equal(kill(w.pid, SIGSTOP), 0);
	for (int i = 0; i < 200 && proc_state(w.pid) != 'T'; i++)
		usleep(5000); /* the stop is asynchronous; a 1 s bound */
	assert_int_equal(proc_state(w.pid), 'T');
	if (proc_state(other.pid) == 'T')
		fail_msg("the test stopped a jx watch it did not mean to (pid %d)",
		    (int)other.pid);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "node", "set", "1", "1", "--score", "20", NULL),
	    0);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "node", "set", "1", "2", "--score", "20", NULL),
	    0);
	assert_int_equal(kill(w.pid, SIGCONT), 0);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "node", "rm", "1", "2", NULL), 0);
	assert_int_equal(jxd_jx_wait(&w, &out, NULL), 0);
	assert_int_equal(jxd_jx_wait(&other, &other_out, NULL), 0);
	for (unsigned rev = 2; rev <= 6; rev++)
		if (count_revision(out, rev) != 1 || count_revision(other_out, rev) != 1)
			fail_msg("revision %u shown %d and %d times:\n%s\n%s", rev,
			    count_revision(out, rev), count_revision(other_out, rev), out,
			    other_out);
	assert_int_equal(count_revision(out, 1), 0);
	assert_int_equal(count_revision(out, 7), 0);
	free(out);
	free(other_out);
	jxd_stop(&d);
	jxd_cleanup(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(concurrent_edits_are_never_lost),
		cmocka_unit_test(feed_publishes_notices_only),
		cmocka_unit_test(watch_shows_changes_to_members_only),
		cmocka_unit_test(watch_shows_every_revision_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
