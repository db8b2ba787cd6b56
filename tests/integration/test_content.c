/*
 * Workflow.Content: what a browser hashes and signs is the server's own bytes. On a
 * real jixiaod with seed 002's sheet, budget facts and findings: the parts decode to
 * the sheet GetTree shows, the digest over them is the digest jx computes from GetTree
 * and ListFindings (and the one the server checks: a submission signed over it is
 * accepted, one over a single changed byte is refused), and a past revision's parts
 * stay the same after later edits.
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

#include "client.h"
#include "daemon.h"
#include "digest.h"
#include "err.h"
#include "jxtest.h"
#include "key.h"
#include "proto/jixiao.pb-c.h"

static ProtobufCMessage *
call(struct client *cl, const ProtobufCServiceDescriptor *svc, const char *method,
    const ProtobufCMessage *in, int want)
{
	ProtobufCMessage *out = NULL;
	char msg[1100];
	int rv = client_call(cl, svc, method, in, &out, msg, sizeof(msg));

	if (rv != want)
		fail_msg("%s.%s: %d (%s), wanted %d", svc->name, method, rv, msg, want);
	return out;
}

static Jixiao__ContentReply *
content(struct client *cl, uint64_t ws, uint64_t at)
{
	Jixiao__ContentRequest in = JIXIAO__CONTENT_REQUEST__INIT;

	in.workspace = ws;
	in.has_at = at != 0;
	in.at = at;
	return (Jixiao__ContentReply *)call(cl, &jixiao__workflow__descriptor, "Content",
	    &in.base, JX_OK);
}

/* The parts of a reply, borrowed, for digest_of_parts. */
static void
parts_of(const Jixiao__ContentReply *c, struct digest_parts *p, uint8_t **nodes,
    size_t *node_lens, uint8_t **findings, size_t *finding_lens)
{
	memset(p, 0, sizeof(*p));
	p->header = c->header.data;
	p->header_len = c->header.len;
	for (size_t i = 0; i < c->n_nodes; i++) {
		nodes[i] = c->nodes[i].data;
		node_lens[i] = c->nodes[i].len;
	}
	p->nodes = nodes;
	p->node_lens = node_lens;
	p->n_nodes = c->n_nodes;
	p->budget = c->has_budget ? c->budget.data : NULL;
	p->budget_len = c->has_budget ? c->budget.len : 0;
	for (size_t i = 0; i < c->n_findings; i++) {
		findings[i] = c->findings[i].data;
		finding_lens[i] = c->findings[i].len;
	}
	p->findings = findings;
	p->finding_lens = finding_lens;
	p->n_findings = c->n_findings;
}

static void
content_is_what_is_signed(void **state)
{
	struct jxd d;
	struct client *cl;
	char why[512], path[512];
	Jixiao__GetTreeRequest tin = JIXIAO__GET_TREE_REQUEST__INIT;
	Jixiao__ListFindingsRequest fin = JIXIAO__LIST_FINDINGS_REQUEST__INIT;
	Jixiao__SignRequest sin = JIXIAO__SIGN_REQUEST__INIT;
	Jixiao__TreeReply *t;
	Jixiao__ListFindingsReply *f;
	Jixiao__ContentReply *c, *again;
	struct digest_parts p;
	uint8_t *nodes[64], *findings[8], mine[DIGEST_LEN], theirs[DIGEST_LEN];
	uint8_t sk[KEY_SECRET_LEN], sig[KEY_SIG_LEN];
	size_t node_lens[64], finding_lens[8];
	uint64_t rev;

	jxd_start(&d, false);
	jxtest_source_path("tests/data/seed002-sheet.csv", path, sizeof(path));
	assert_int_equal(jxd_jx(&d, NULL, NULL, "ws", "create", "--subject", "数字政府运维",
	    "--year", "2023", "--kind", "key-evaluation", NULL), 0);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "import", "sheet", "1", path, NULL), 0);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "budget", "set", "1", "--initial", "1164.43",
	    "--spent", "428.54", NULL), 0);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "finding", "add", "1", "--kind", "problem",
	    "预算执行率偏低", NULL), 0);
	jxd_user(&d, "li", false);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "member", "set", "1", "li", "evaluator", NULL),
	    0);
	if (client_open(d.url, jxd_identity(&d, "li"), &cl, why, sizeof(why)) != 0)
		fail_msg("client_open: %s", why);

	c = content(cl, 1, 0);
	tin.workspace = 1;
	t = (Jixiao__TreeReply *)call(cl, &jixiao__tree__descriptor, "GetTree", &tin.base, JX_OK);
	rev = t->workspace->revision;
	fin.workspace = 1;
	f = (Jixiao__ListFindingsReply *)call(cl, &jixiao__findings__descriptor, "List",
	    &fin.base, JX_OK);
	assert_int_equal(c->revision, rev);
	assert_int_equal(c->n_nodes, t->n_nodes);
	assert_int_equal(c->n_findings, 1);
	assert_true(c->has_budget);
	assert_memory_equal(c->head.data, t->head.data, DIGEST_LEN);

	/* The bytes decode to the sheet shown: every node, by id, as GetTree has it. */
	for (size_t i = 0; i < c->n_nodes; i++) {
		Jixiao__Node *n = jixiao__node__unpack(NULL, c->nodes[i].len, c->nodes[i].data);
		assert_non_null(n);
		assert_int_equal(n->id, i + 1);
		assert_false(n->has_total);
		for (size_t k = 0; k < t->n_nodes; k++)
			if (t->nodes[k]->id == n->id) {
				assert_string_equal(n->code, t->nodes[k]->code);
				assert_int_equal(n->has_score, t->nodes[k]->has_score);
				assert_int_equal(n->score, t->nodes[k]->score);
			}
		jixiao__node__free_unpacked(n, NULL);
	}

	/* Hashed, they give the digest jx computes from GetTree and ListFindings. */
	assert_true(c->n_nodes <= 64);
	parts_of(c, &p, nodes, node_lens, findings, finding_lens);
	digest_of_parts(1, c->revision, c->head.data, &p, mine);
	assert_int_equal(digest_content(t->workspace, rev, t->head.data,
	    (Jixiao__Node *const *)t->nodes, t->n_nodes, t->budget,
	    (Jixiao__Finding *const *)f->findings, f->n_findings, theirs), 0);
	assert_memory_equal(mine, theirs, DIGEST_LEN);

	/* The server checks the same: one changed byte of what is signed is refused. */
	assert_int_equal(key_load_secret(jxd_key_path(&d, "li", path, sizeof(path)), sk, why,
	    sizeof(why)), 0);
	c->header.data[c->header.len - 1] ^= 1;
	parts_of(c, &p, nodes, node_lens, findings, finding_lens);
	digest_of_parts(1, c->revision, c->head.data, &p, theirs);
	c->header.data[c->header.len - 1] ^= 1;
	digest_sign(DIGEST_SUBMIT, theirs, sk, sig);
	sin.workspace = 1;
	sin.revision = rev;
	sin.digest.data = theirs;
	sin.digest.len = DIGEST_LEN;
	sin.signature.data = sig;
	sin.signature.len = KEY_SIG_LEN;
	protobuf_c_message_free_unpacked(call(cl, &jixiao__workflow__descriptor, "Submit",
	    &sin.base, JX_EINVAL), NULL);
	digest_sign(DIGEST_SUBMIT, mine, sk, sig);
	sin.digest.data = mine;
	protobuf_c_message_free_unpacked(call(cl, &jixiao__workflow__descriptor, "Submit",
	    &sin.base, JX_OK), NULL);
	sodium_memzero(sk, sizeof(sk));

	/* Later changes leave a past revision's bytes as they were. */
	assert_int_equal(jxd_jx(&d, NULL, NULL, "--reason", "复核", "node", "set", "1", "1.1.1",
	    "--score", "2", NULL), 0);
	again = content(cl, 1, rev);
	assert_int_equal(again->n_nodes, c->n_nodes);
	for (size_t i = 0; i < c->n_nodes; i++)
		assert_true(again->nodes[i].len == c->nodes[i].len &&
		    memcmp(again->nodes[i].data, c->nodes[i].data, c->nodes[i].len) == 0);

	jixiao__content_reply__free_unpacked(again, NULL);
	jixiao__content_reply__free_unpacked(c, NULL);
	jixiao__tree_reply__free_unpacked(t, NULL);
	jixiao__list_findings_reply__free_unpacked(f, NULL);
	client_close(cl);
	jxd_stop(&d);
	jxd_cleanup(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(content_is_what_is_signed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
