/*
 * Archives: a hash chain built here as the server builds one (workspace_record), signed
 * as the Workflow service signs, packed with archive_pack and checked by archive_verify.
 * Every single byte of a good archive is flipped and must be caught.
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

#include "archive.h"
#include "budget.h"
#include "digest.h"
#include "jxtest.h"
#include "key.h"

#define RECORDS_MAX 16

static uint8_t alice_pk[KEY_PUBLIC_LEN], alice_sk[KEY_SECRET_LEN];
static uint8_t bob_pk[KEY_PUBLIC_LEN], bob_sk[KEY_SECRET_LEN];
static uint8_t carol_pk[KEY_PUBLIC_LEN], carol_sk[KEY_SECRET_LEN];

/* How a fixture's sign-off is made. */
struct fixture_opts {
	uint64_t ws;
	bool signoff_older;         /* the sign-off signs the revision before the submission */
	bool label_submitted;       /* ...but names the submitted revision */
	const char *signoff_user;   /* default bob */
	const uint8_t *signoff_sk;  /* default bob's */
	const uint8_t *signoff_pk;
	const Jixiao__Signature *copied; /* a sign-off from elsewhere, used as is */
	bool extra_user;            /* list dave, who signed nothing */
	bool no_bob;                /* leave the sign-off's signer out of the users */
	bool orphan;                /* after the sign-off, an indicator under one never added */
};

/* A workspace's history as jixiaod keeps it. */
struct chain {
	Jixiao__Workspace ws;
	uint8_t head[DIGEST_LEN], hashes[RECORDS_MAX][DIGEST_LEN];
	ProtobufCBinaryData records[RECORDS_MAX];
	size_t n;
	int64_t now;
	Jixiao__Signature sigs[2], *sigp[2];
	uint8_t digests[2][DIGEST_LEN], sigbytes[2][64];
};

/* workspace_record: bump, stamp, link to the previous record, store, move the head. */
static void
chain_record(struct chain *c, Jixiao__Change *ch)
{
	uint8_t *buf;
	size_t len;

	assert_true(c->n < RECORDS_MAX);
	c->ws.revision++;
	c->ws.has_updated_at = 1;
	c->ws.updated_at = ++c->now;
	ch->workspace = c->ws.id;
	ch->revision = c->ws.revision;
	ch->time = c->now;
	ch->user = "alice";
	ch->has_prev = c->n > 0;
	ch->prev.data = c->head;
	ch->prev.len = DIGEST_LEN;
	len = protobuf_c_message_get_packed_size(&ch->base);
	assert_non_null(buf = malloc(len));
	protobuf_c_message_pack(&ch->base, buf);
	c->records[c->n].data = buf;
	c->records[c->n].len = len;
	crypto_generichash(c->head, DIGEST_LEN, buf, len, NULL, 0);
	memcpy(c->hashes[c->n++], c->head, DIGEST_LEN);
	c->ws.has_head = 1;
	c->ws.head.data = c->head;
	c->ws.head.len = DIGEST_LEN;
}

static Jixiao__Node nodes[5];
static Jixiao__Node *live[3] = { &nodes[0], &nodes[1], &nodes[2] };
static Jixiao__Evidence evidence = JIXIAO__EVIDENCE__INIT, *evidencep = &evidence;
static uint8_t evidence_hash[32];
static Jixiao__BudgetAdjustment adjust = JIXIAO__BUDGET_ADJUSTMENT__INIT, *adjustp = &adjust;

static void
chain_node(struct chain *c, size_t i, const char *what, bool removed)
{
	Jixiao__Change ch = JIXIAO__CHANGE__INIT;

	ch.what = (char *)what;
	nodes[i].revision = c->ws.revision + 1;
	if (removed)
		ch.before = &nodes[i];
	else
		ch.after = &nodes[i];
	chain_record(c, &ch);
}

static void
sign(struct chain *c, int which, const char *kind, const char *user, const uint8_t *sk,
    const uint8_t *pk, uint64_t rev, const uint8_t *digest)
{
	Jixiao__Signature *s = &c->sigs[which];

	jixiao__signature__init(s);
	s->kind = (char *)kind;
	s->user = (char *)user;
	s->public_key.data = (uint8_t *)pk;
	s->public_key.len = KEY_PUBLIC_LEN;
	s->revision = rev;
	memcpy(c->digests[which], digest, DIGEST_LEN);
	s->digest.data = c->digests[which];
	s->digest.len = DIGEST_LEN;
	digest_sign(kind, digest, sk, c->sigbytes[which]);
	s->signature.data = c->sigbytes[which];
	s->signature.len = 64;
	s->has_time = 1;
	s->time = c->now;
	c->sigp[which] = s;
}

static void
fixture_nodes(void)
{
	for (size_t i = 0; i < 5; i++)
		jixiao__node__init(&nodes[i]);
	nodes[0].id = 1, nodes[0].code = "1", nodes[0].name = "产出指标";
	nodes[0].has_weight = 1, nodes[0].weight = 9000;
	nodes[1].id = 2, nodes[1].has_parent_id = 1, nodes[1].parent_id = 1, nodes[1].code = "1.1";
	nodes[1].name = "系统可用率", nodes[1].has_weight = 1, nodes[1].weight = 5000;
	nodes[1].has_score = 1, nodes[1].score = 4500;
	nodes[2].id = 3, nodes[2].has_parent_id = 1, nodes[2].parent_id = 1, nodes[2].code = "1.2";
	nodes[2].name = "验收合格率", nodes[2].has_weight = 1, nodes[2].weight = 4000;
	nodes[2].has_score = 1, nodes[2].score = 4000;
	nodes[2].has_position = 1, nodes[2].position = 1;
	nodes[3].id = 4, nodes[3].code = "2", nodes[3].name = "满意度";
	nodes[3].has_weight = 1, nodes[3].weight = 1000, nodes[3].has_score = 1;
	nodes[3].has_position = 1, nodes[3].position = 1;
	nodes[4].id = 5, nodes[4].has_parent_id = 1, nodes[4].parent_id = 99, nodes[4].code = "9.1";
	nodes[4].name = "孤立指标", nodes[4].has_weight = 1, nodes[4].weight = 500;
}

/*
 * Workspace o->ws created, four indicators added (one removed again, one scored again
 * with its evidence), budget facts set, submitted by alice at revision 8 and signed off
 * by bob: 87.38, 良. Returns the packed archive (caller frees); *signoff gets a copy of
 * the sign-off (its bytes in static storage until the next call).
 */
static uint8_t *
fixture(const struct fixture_opts *o, size_t *len, Jixiao__Signature *signoff)
{
	static uint8_t signoff_digest[DIGEST_LEN], signoff_sig[64];
	Jixiao__Archive a = JIXIAO__ARCHIVE__INIT;
	Jixiao__ArchiveEvidence inv = JIXIAO__ARCHIVE_EVIDENCE__INIT, *invp = &inv;
	Jixiao__Budget budget = JIXIAO__BUDGET__INIT, derived;
	Jixiao__Change ch = JIXIAO__CHANGE__INIT;
	Jixiao__User dave = JIXIAO__USER__INIT, *users[4];
	struct chain c = { .ws = JIXIAO__WORKSPACE__INIT, .now = 1700000000 };
	uint8_t digest[DIGEST_LEN], older[DIGEST_LEN], *buf;
	int64_t amount = adjust.amount;
	uint64_t submitted;

	fixture_nodes();
	c.ws.id = o->ws;
	c.ws.subject = "数字政府运维专项";
	c.ws.fiscal_year = 2023;
	c.ws.kind = JIXIAO__KIND__KEY_EVALUATION;
	c.ws.state = JIXIAO__WORKSPACE_STATE__ACTIVE;
	c.ws.has_created_at = 1;
	c.ws.created_at = c.now;
	c.ws.created_by = "alice";
	ch.what = "workspace.create";
	ch.workspace_after = &c.ws;
	chain_record(&c, &ch);
	chain_node(&c, 0, "node.add", false);
	chain_node(&c, 1, "node.add", false);
	chain_node(&c, 2, "node.add", false);
	chain_node(&c, 3, "node.add", false);
	chain_node(&c, 3, "node.remove", true);
	nodes[1].score = 4738;
	crypto_generichash(evidence_hash, 32, (const uint8_t *)"验收报告", 12, NULL, 0);
	evidence.hash.data = evidence_hash;
	evidence.hash.len = 32;
	evidence.name = "验收报告.pdf";
	evidence.size = 12;
	nodes[1].n_evidence = 1;
	nodes[1].evidence = &evidencep;
	chain_node(&c, 1, "node.update", false);
	/* Revision 7, the one before the budget and the submission. */
	assert_int_equal(digest_content(&c.ws, 7, c.hashes[6], live, 3, NULL, NULL, 0, older), 0);

	ch = (Jixiao__Change)JIXIAO__CHANGE__INIT;
	budget.has_initial = 1, budget.initial = (int64_t)116443 * 10000;
	adjust.amount = (int64_t)-3001 * 10000;
	amount = adjust.amount;
	budget.n_adjustments = 1, budget.adjustments = &adjustp;
	budget.has_spent = 1, budget.spent = (int64_t)42854 * 10000;
	budget.has_revision = 1, budget.revision = c.ws.revision + 1;
	budget.updated_by = "alice";
	ch.what = "budget.set";
	ch.budget_after = &budget;
	chain_record(&c, &ch);

	/* Submitted at revision 8: alice signs its content and head. */
	submitted = c.ws.revision;
	assert_int_equal(submitted, 8);
	assert_int_equal(digest_content(&c.ws, submitted, c.head, live, 3, &budget, NULL, 0, digest), 0);
	sign(&c, 0, DIGEST_SUBMIT, "alice", alice_sk, alice_pk, submitted, digest);
	c.ws.n_signatures = 1;
	c.ws.signatures = c.sigp;
	c.ws.has_phase = 1;
	c.ws.phase = JIXIAO__PHASE__PHASE_SUBMITTED;
	c.ws.has_submitted_revision = 1;
	c.ws.submitted_revision = submitted;
	c.ws.has_version = 1;
	c.ws.version = 1;
	ch = (Jixiao__Change)JIXIAO__CHANGE__INIT;
	ch.what = "workflow.submit";
	ch.workspace_after = &c.ws;
	chain_record(&c, &ch);

	if (o->copied != NULL) {
		c.sigs[1] = *o->copied;
		c.sigp[1] = &c.sigs[1];
	} else {
		sign(&c, 1, DIGEST_SIGNOFF, o->signoff_user ? o->signoff_user : "bob",
		    o->signoff_sk ? o->signoff_sk : bob_sk, o->signoff_pk ? o->signoff_pk : bob_pk,
		    o->signoff_older && !o->label_submitted ? 7 : submitted,
		    o->signoff_older ? older : digest);
	}
	if (signoff != NULL) {
		*signoff = c.sigs[1];
		memcpy(signoff_digest, c.sigs[1].digest.data, DIGEST_LEN);
		memcpy(signoff_sig, c.sigs[1].signature.data, 64);
		signoff->digest.data = signoff_digest;
		signoff->signature.data = signoff_sig;
	}
	c.ws.n_signatures = 2;
	c.ws.phase = JIXIAO__PHASE__PHASE_FINAL;
	ch = (Jixiao__Change)JIXIAO__CHANGE__INIT;
	ch.what = "workflow.signoff";
	ch.workspace_after = &c.ws;
	chain_record(&c, &ch);
	if (o->orphan)
		chain_node(&c, 4, "node.add", false);

	a.workspace = &c.ws;
	a.records = c.records;
	a.n_records = c.n;
	/* The users: alice and bob, with the keys they signed with (as the exporter does). */
	dave.name = "dave";
	dave.public_key.data = carol_pk;
	dave.public_key.len = KEY_PUBLIC_LEN;
	users[0] = &dave;
	a.users = users;
	a.n_users = 0;
	{
		Jixiao__User alice = JIXIAO__USER__INIT, bob = JIXIAO__USER__INIT;
		alice.name = "alice";
		alice.public_key.data = alice_pk;
		alice.public_key.len = KEY_PUBLIC_LEN;
		bob.name = c.sigs[1].user;
		bob.public_key = c.sigs[1].public_key;
		users[a.n_users++] = &alice;
		if (!o->no_bob)
			users[a.n_users++] = &bob;
		if (o->extra_user)
			users[a.n_users++] = &dave;

		inv.indicator = "1.1";
		inv.name = evidence.name;
		inv.size = evidence.size;
		inv.hash = evidence.hash;
		a.n_inventory = 1;
		a.inventory = &invp;
		derived = budget;
		assert_int_equal(budget_final(budget.initial, 0, &amount, 1, &derived.final), 0);
		derived.has_final = 1;
		assert_int_equal(budget_rate(budget.spent, derived.final, &derived.rate), 0);
		derived.has_rate = 1;
		a.budget = &derived;
		a.has_total = 1;
		a.total = 8738;
		a.grade = "良";
		a.has_exported_at = 1;
		a.exported_at = c.now + 100;
		a.exported_by = "alice";
		assert_int_equal(archive_pack(&a, &buf, len), JX_OK);
	}
	for (size_t i = 0; i < c.n; i++)
		free(c.records[i].data);
	return buf;
}

static const struct fixture_opts good = { .ws = 7 };

/* The text of the first failed check, for messages. */
static const char *
first_failure(const struct archive_report *r)
{
	for (size_t i = 0; i < r->n; i++)
		if (!r->checks[i].ok)
			return r->checks[i].text;
	return "(none kept)";
}

static void
assert_refused(const uint8_t *buf, size_t len, const char *want)
{
	struct archive_report r;

	assert_jx_err(archive_verify(buf, len, &r), JX_EINVAL);
	for (size_t i = 0; i < r.n; i++)
		if (!r.checks[i].ok && strstr(r.checks[i].text, want) != NULL) {
			archive_report_free(&r);
			return;
		}
	fail_msg("expected a failure naming \"%s\"; first failure: %s", want, first_failure(&r));
}

static void
good_archive_verifies(void **state)
{
	struct archive_report r;
	uint8_t *buf;
	size_t len;
	bool chain = false, scores = false, submit = false, signoff = false, files = false;

	buf = fixture(&good, &len, NULL);
	if (archive_verify(buf, len, &r) != JX_OK)
		fail_msg("a good archive is refused: %s", first_failure(&r));
	assert_true(r.decoded);
	assert_int_equal(r.failed, 0);
	assert_int_equal(r.records, 10);
	assert_int_equal(r.signatures, 2);
	assert_int_equal(r.total, 8738);
	assert_string_equal(r.grade, "良");
	for (size_t i = 0; i < r.n; i++) {
		const char *t = r.checks[i].text;
		assert_true(r.checks[i].ok);
		chain |= strncmp(t, "chain: 10 records, revisions 1..10", 34) == 0;
		scores |= strncmp(t, "scores: 87.38 → 良", 20) == 0;
		submit |= strncmp(t, "signatures: submit by alice at r8", 33) == 0;
		signoff |= strncmp(t, "signatures: signoff by bob at r8", 32) == 0;
		files |= strncmp(t, "evidence: 1 file,", 17) == 0;
	}
	assert_true(chain && scores && submit && signoff && files);
	archive_report_free(&r);
	free(buf);
}

/* Every byte, one at a time, with every bit flipped and with the lowest bit flipped. */
static void
every_byte_flip_is_caught(void **state)
{
	static const uint8_t masks[] = { 0xff, 0x01, 0x80 };
	struct archive_report r;
	size_t len, flips = 0;
	uint8_t *buf = fixture(&good, &len, NULL), *copy = malloc(len);

	assert_non_null(copy);
	for (size_t m = 0; m < sizeof(masks); m++) {
		for (size_t i = 0; i < len; i++) {
			memcpy(copy, buf, len);
			copy[i] ^= masks[m];
			if (archive_verify(copy, len, &r) == JX_OK)
				fail_msg("flipping byte %zu of %zu (mask %02x) went unnoticed", i, len,
				    masks[m]);
			assert_true(r.failed > 0);
			assert_true(r.n > 0 && !r.checks[0].ok);
			flips++;
			archive_report_free(&r);
		}
	}
	print_message("%zu flips of a %zu-byte archive, all caught\n", flips, len);
	free(copy);
	free(buf);
}

/*
 * A forger who re-seals: every flipped byte outside the metadata the archive does not
 * authenticate (exported_at, exported_by) is still caught by the chain, the replay, the
 * signatures, the scores or the inventory.
 */
static void
every_resealed_flip_is_caught(void **state)
{
	Jixiao__Archive *a;
	struct archive_report r;
	size_t len, body, passed = 0;
	uint8_t *buf = fixture(&good, &len, NULL), *copy = malloc(len), *re;

	assert_non_null(copy);
	/* The metadata fields (13, 14) come last before the seal: where they start. */
	assert_non_null(a = jixiao__archive__unpack(NULL, len, buf));
	{
		char *by = a->exported_by;
		a->has_exported_at = 0;
		a->exported_by = NULL;
		a->has_seal = 0;
		body = protobuf_c_message_get_packed_size(&a->base);
		a->exported_by = by;
	}
	jixiao__archive__free_unpacked(a, NULL);
	for (size_t i = 0; i < len - 34; i++) {
		size_t n = len - 34;
		memcpy(copy, buf, len);
		copy[i] ^= 0x01;
		/* Reseal over the changed bytes, as a deliberate editor would. */
		re = malloc(len);
		assert_non_null(re);
		memcpy(re, copy, len);
		crypto_generichash(re + n + 2, 32, re, n, NULL, 0);
		if (archive_verify(re, len, &r) == JX_OK) {
			if (i < body)
				fail_msg("a resealed flip of byte %zu (of %zu; metadata from %zu) went "
				    "unnoticed", i, len, body);
			passed++;
		}
		archive_report_free(&r);
		free(re);
	}
	print_message("resealed flips: %zu bytes checked, %zu passed, all in the %zu bytes of "
		      "export metadata\n", len - 34, passed, len - 34 - body);
	free(copy);
	free(buf);
}

static void
older_revision_is_refused(void **state)
{
	struct fixture_opts o = good;
	uint8_t *buf;
	size_t len;

	/* Names revision 7, which it did sign: not the submitted revision. */
	o.signoff_older = true;
	buf = fixture(&o, &len, NULL);
	assert_refused(buf, len, "signs revision 7, not the submitted revision 8");
	free(buf);
	/* Names the submitted revision over revision 7's content. */
	o.label_submitted = true;
	buf = fixture(&o, &len, NULL);
	assert_refused(buf, len, "signoff by bob at r8 signs the digest");
	free(buf);
}

static void
unknown_key_is_refused(void **state)
{
	struct fixture_opts o = good;
	uint8_t *buf;
	size_t len;

	/* carol's signature, carol not among the users. */
	o.signoff_user = "carol";
	o.signoff_sk = carol_sk;
	o.signoff_pk = carol_pk;
	o.no_bob = true;
	buf = fixture(&o, &len, NULL);
	assert_refused(buf, len, "carol is not among the archive's users");
	free(buf);
	/* Signed with carol's key under bob's name: the key differs from bob's listed one. */
	o = good;
	o.signoff_sk = carol_sk;
	o.signoff_pk = carol_pk;
	buf = fixture(&o, &len, NULL);
	{
		/* bob listed with his own key: rebuild the users by hand. */
		Jixiao__Archive *a = jixiao__archive__unpack(NULL, len, buf);
		uint8_t *out;
		size_t n;
		assert_non_null(a);
		assert_int_equal(a->n_users, 2);
		assert_string_equal(a->users[1]->name, "bob");
		memcpy(a->users[1]->public_key.data, bob_pk, KEY_PUBLIC_LEN);
		assert_int_equal(archive_pack(a, &out, &n), JX_OK);
		assert_refused(out, n, "other than bob's key in the archive");
		free(out);
		jixiao__archive__free_unpacked(a, NULL);
	}
	free(buf);
	/* A user listed who signed nothing. */
	o = good;
	o.extra_user = true;
	buf = fixture(&o, &len, NULL);
	assert_refused(buf, len, "dave is listed, but signed nothing");
	free(buf);
}

static void
signoff_from_another_workspace_is_refused(void **state)
{
	struct fixture_opts o = { .ws = 8 };
	Jixiao__Signature theirs;
	uint8_t *buf;
	size_t len;

	/* Workspace 8's archive verifies by itself... */
	buf = fixture(&o, &len, &theirs);
	{
		struct archive_report r;
		assert_jx_ok(archive_verify(buf, len, &r));
		archive_report_free(&r);
	}
	free(buf);
	/* ...but its sign-off, copied into workspace 7's, signs other content. */
	o = good;
	o.copied = &theirs;
	buf = fixture(&o, &len, NULL);
	assert_refused(buf, len, "signoff by bob at r8 signs the digest");
	free(buf);
}

static void
damaged_files_are_refused(void **state)
{
	struct archive_report r;
	uint8_t junk[64] = { 0 };
	uint8_t *buf;
	size_t len;

	assert_jx_err(archive_verify(junk, 0, &r), JX_EINVAL);
	assert_false(r.decoded);
	archive_report_free(&r);
	assert_jx_err(archive_verify(junk, sizeof(junk), &r), JX_EINVAL);
	assert_false(r.decoded);
	archive_report_free(&r);
	/* Truncated: every prefix is refused. */
	buf = fixture(&good, &len, NULL);
	for (size_t n = 0; n < len; n += 7) {
		assert_jx_err(archive_verify(buf, n, &r), JX_EINVAL);
		archive_report_free(&r);
	}
	free(buf);
}

static int
setup(void **state)
{
	if (key_init() != 0)
		return -1;
	key_generate(alice_pk, alice_sk);
	key_generate(bob_pk, bob_sk);
	key_generate(carol_pk, carol_sk);
	return 0;
}

/* An indicator the history holds but no walk from the top reaches is reported, by code. */
static void
unreachable_indicator_is_reported(void **state)
{
	struct fixture_opts o = good;
	struct archive_report r;
	uint8_t *buf;
	size_t len;

	o.orphan = true;
	buf = fixture(&o, &len, NULL);
	assert_refused(buf, len, "1 of the 4 indicators the history holds are not reached from "
	    "the top level (9.1)");
	assert_jx_err(archive_verify(buf, len, &r), JX_EINVAL);
	assert_int_equal(r.indicators, 4);
	archive_report_free(&r);
	free(buf);
	buf = fixture(&good, &len, NULL);
	assert_jx_ok(archive_verify(buf, len, &r));
	assert_int_equal(r.indicators, 3);
	archive_report_free(&r);
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(good_archive_verifies),
		cmocka_unit_test(unreachable_indicator_is_reported),
		cmocka_unit_test(every_byte_flip_is_caught),
		cmocka_unit_test(every_resealed_flip_is_caught),
		cmocka_unit_test(older_revision_is_refused),
		cmocka_unit_test(unknown_key_is_refused),
		cmocka_unit_test(signoff_from_another_workspace_is_refused),
		cmocka_unit_test(damaged_files_are_refused),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
