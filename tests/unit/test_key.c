/*
 * Keys and signed statements (common/key.c) and the canonical content digest
 * (common/digest.c): key files round-trip and are refused when wide open or damaged,
 * login statements bind the server and the nonce, and the digest covers exactly the
 * stored content.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <sodium.h>

#include "digest.h"
#include "jxtest.h"
#include "key.h"
#include "proto/jixiao.pb-c.h"

static char dir[] = "/tmp/jxkey.XXXXXX";

static int
setup(void **state)
{
	if (key_init() != 0 || mkdtemp(dir) == NULL)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	char cmd[64];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *
path_of(const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", dir, name);
	return buf;
}

static void
write_text(const char *path, const char *text, mode_t mode)
{
	FILE *f;

	unlink(path);
	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(fputs(text, f) >= 0, 1);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

static char *
read_text(const char *path)
{
	char *buf = calloc(1, 1024);
	FILE *f = fopen(path, "r");

	assert_non_null(buf);
	assert_non_null(f);
	assert_true(fread(buf, 1, 1023, f) > 0);
	fclose(f);
	return buf;
}

static void
save_and_load(void **state)
{
	uint8_t pk[KEY_PUBLIC_LEN], sk[KEY_SECRET_LEN], pk2[KEY_PUBLIC_LEN], sk2[KEY_SECRET_LEN];
	char path[256], pub[300], why[600];
	struct stat st;

	key_generate(pk, sk);
	path_of("me.key", path, sizeof(path));
	assert_int_equal(key_save(path, pk, sk, "me", why, sizeof(why)), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(key_load_secret(path, sk2, why, sizeof(why)), 0);
	assert_memory_equal(sk, sk2, KEY_SECRET_LEN);
	snprintf(pub, sizeof(pub), "%s.pub", path);
	assert_int_equal(key_load_public(pub, pk2, why, sizeof(why)), 0);
	assert_memory_equal(pk, pk2, KEY_PUBLIC_LEN);
	key_public_of(sk2, pk2);
	assert_memory_equal(pk, pk2, KEY_PUBLIC_LEN);

	/* Never over an existing file; the first key stays. */
	key_generate(pk2, sk2);
	assert_int_not_equal(key_save(path, pk2, sk2, "me", why, sizeof(why)), 0);
	assert_int_equal(key_load_secret(path, sk2, why, sizeof(why)), 0);
	assert_memory_equal(sk, sk2, KEY_SECRET_LEN);
	/* A name is one word. */
	assert_int_not_equal(key_save(path_of("two.key", path, sizeof(path)), pk, sk,
	    "two words", why, sizeof(why)), 0);
	assert_int_not_equal(access(path, F_OK), 0);
}

static void
wide_and_damaged_files_are_refused(void **state)
{
	uint8_t pk[KEY_PUBLIC_LEN], sk[KEY_SECRET_LEN], got[KEY_SECRET_LEN];
	char path[256], why[600], *text, *b64;

	key_generate(pk, sk);
	path_of("wide.key", path, sizeof(path));
	assert_int_equal(key_save(path, pk, sk, "wide", why, sizeof(why)), 0);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(key_load_secret(path, got, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "chmod 600"));
	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(key_load_secret(path, got, why, sizeof(why)), -1);
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(key_load_secret(path, got, why, sizeof(why)), 0);

	/* One character of the public half changed: the halves disagree. */
	text = read_text(path);
	assert_non_null(b64 = strchr(text, ' '));
	b64[60] = b64[60] == 'A' ? 'B' : 'A';
	write_text(path, text, 0600);
	assert_int_equal(key_load_secret(path, got, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "damaged"));
	/* Cut short, not base64, the wrong tag, empty. */
	b64[30] = '\0';
	write_text(path, text, 0600);
	assert_int_equal(key_load_secret(path, got, why, sizeof(why)), -1);
	write_text(path, "jixiao-ed25519-secret !!!!\n", 0600);
	assert_int_equal(key_load_secret(path, got, why, sizeof(why)), -1);
	write_text(path, "ssh-ed25519 AAAA\n", 0600);
	assert_int_equal(key_load_secret(path, got, why, sizeof(why)), -1);
	write_text(path, "", 0600);
	assert_int_equal(key_load_secret(path, got, why, sizeof(why)), -1);
	free(text);
	/* A public key file is not a secret key. */
	snprintf(path, sizeof(path), "%s/wide.key.pub", dir);
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(key_load_secret(path, got, why, sizeof(why)), -1);
	assert_int_equal(key_load_public(path, pk, why, sizeof(why)), 0);
	assert_int_equal(key_parse_public("jixiao-ed25519 short name\n", pk), -1);
}

static void
challenge_and_login_statements(void **state)
{
	uint8_t spk[KEY_PUBLIC_LEN], ssk[KEY_SECRET_LEN], opk[KEY_PUBLIC_LEN], osk[KEY_SECRET_LEN];
	uint8_t upk[KEY_PUBLIC_LEN], usk[KEY_SECRET_LEN], nonce[KEY_NONCE_LEN],
	    nonce2[KEY_NONCE_LEN], sig[KEY_SIG_LEN];

	key_generate(spk, ssk);
	key_generate(opk, osk);
	key_generate(upk, usk);
	randombytes_buf(nonce, sizeof(nonce));
	memcpy(nonce2, nonce, sizeof(nonce));
	nonce2[0] ^= 1;

	key_sign_challenge(ssk, nonce, sig);
	assert_int_equal(key_verify_challenge(spk, nonce, sig), 0);
	assert_int_equal(key_verify_challenge(opk, nonce, sig), -1);
	assert_int_equal(key_verify_challenge(spk, nonce2, sig), -1);

	key_sign_login(usk, spk, nonce, sig);
	assert_int_equal(key_verify_login(upk, spk, nonce, sig), 0);
	assert_int_equal(key_verify_login(upk, opk, nonce, sig), -1);  /* another server */
	assert_int_equal(key_verify_login(upk, spk, nonce2, sig), -1); /* another nonce */
	assert_int_equal(key_verify_login(opk, spk, nonce, sig), -1);  /* another user */
	/* A challenge signature is not a login and the other way round. */
	key_sign_challenge(usk, nonce, sig);
	assert_int_equal(key_verify_login(upk, spk, nonce, sig), -1);
	key_sign_login(ssk, spk, nonce, sig);
	assert_int_equal(key_verify_challenge(spk, nonce, sig), -1);
}

/* ------------------------------------------------------------ the content digest */

#define N_NODES 3

struct sheet {
	Jixiao__Workspace ws;
	Jixiao__Node nodes[N_NODES];
	Jixiao__Node *list[N_NODES];
	Jixiao__Budget budget;
	uint8_t head[DIGEST_LEN];
	uint64_t revision;
};

static void
sheet_init(struct sheet *s)
{
	static const char *const codes[N_NODES] = { "1", "1.1", "2" };

	memset(s, 0, sizeof(*s));
	s->ws = (Jixiao__Workspace)JIXIAO__WORKSPACE__INIT;
	s->ws.id = 7;
	s->ws.subject = "某专项资金";
	s->ws.fiscal_year = 2023;
	s->ws.kind = JIXIAO__KIND__KEY_EVALUATION;
	s->ws.state = JIXIAO__WORKSPACE_STATE__ACTIVE;
	s->ws.revision = 12;
	s->ws.title = "重点绩效评价";
	for (int i = 0; i < N_NODES; i++) {
		Jixiao__Node *n = &s->nodes[i];
		*n = (Jixiao__Node)JIXIAO__NODE__INIT;
		n->id = (uint64_t)i + 1;
		n->code = (char *)codes[i];
		n->name = "指标";
		n->has_weight = 1;
		n->weight = 5000;
		n->has_score = 1;
		n->score = 4000 + i;
		n->revision = (uint64_t)i + 2;
		s->list[i] = n;
	}
	s->nodes[1].has_parent_id = 1;
	s->nodes[1].parent_id = 1;
	s->budget = (Jixiao__Budget)JIXIAO__BUDGET__INIT;
	s->budget.has_initial = 1;
	s->budget.initial = 100000000;
	s->budget.has_revision = 1;
	s->budget.revision = 5;
	memset(s->head, 0xab, sizeof(s->head));
	s->revision = 12;
}

static void
sheet_digest(const struct sheet *s, uint8_t out[DIGEST_LEN])
{
	assert_int_equal(digest_content(&s->ws, s->revision, s->head,
	    (Jixiao__Node *const *)s->list, N_NODES, &s->budget, NULL, 0, out), 0);
}

static bool
in_list(const char *name, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(name, *list) == 0)
			return true;
	return false;
}

/*
 * Changes field f of m to another value; a repeated message field gets one element
 * (returned, for the caller to free after the digest).
 */
static ProtobufCMessage **
mutate(ProtobufCMessage *m, const ProtobufCFieldDescriptor *f)
{
	char *p = (char *)m + f->offset;

	if (f->label == PROTOBUF_C_LABEL_REPEATED) {
		ProtobufCMessage **arr = calloc(1, sizeof(*arr));
		const ProtobufCMessageDescriptor *md = f->descriptor;

		assert_int_equal(f->type, PROTOBUF_C_TYPE_MESSAGE);
		assert_non_null(arr);
		assert_non_null(arr[0] = calloc(1, md->sizeof_message));
		protobuf_c_message_init(md, arr[0]);
		*(ProtobufCMessage ***)p = arr;
		*(size_t *)((char *)m + f->quantifier_offset) = 1;
		return arr;
	}
	if (f->label == PROTOBUF_C_LABEL_OPTIONAL && f->quantifier_offset != 0 &&
	    f->type != PROTOBUF_C_TYPE_STRING && f->type != PROTOBUF_C_TYPE_MESSAGE)
		*(protobuf_c_boolean *)((char *)m + f->quantifier_offset) = 1;
	switch (f->type) {
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_SINT64:
		*(uint64_t *)p += 7;
		break;
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_ENUM:
		*(uint32_t *)p += 1;
		break;
	case PROTOBUF_C_TYPE_BOOL:
		*(protobuf_c_boolean *)p = !*(protobuf_c_boolean *)p;
		break;
	case PROTOBUF_C_TYPE_STRING:
		*(const char **)p = "改过的值";
		break;
	case PROTOBUF_C_TYPE_BYTES: {
		static uint8_t b[DIGEST_LEN] = { 1, 2, 3 };
		((ProtobufCBinaryData *)p)->data = b;
		((ProtobufCBinaryData *)p)->len = sizeof(b);
		if (f->label == PROTOBUF_C_LABEL_OPTIONAL)
			*(protobuf_c_boolean *)((char *)m + f->quantifier_offset) = 1;
		break;
	}
	default:
		fail_msg("field %s: type %d is not handled here", f->name, (int)f->type);
	}
	return NULL;
}

static void
free_mutation(ProtobufCMessage **arr)
{
	if (arr != NULL) {
		free(arr[0]);
		free(arr);
	}
}

/*
 * For every field of the message that part() picks out of a fresh sheet: changing it
 * changes the digest, unless it is in `ignored`.
 */
static void
each_field(const ProtobufCMessageDescriptor *md,
    ProtobufCMessage *(*part)(struct sheet *s), const char *const *ignored, size_t n_ignored)
{
	uint8_t base[DIGEST_LEN], now[DIGEST_LEN];
	struct sheet s;
	size_t seen = 0;

	sheet_init(&s);
	sheet_digest(&s, base);
	for (unsigned i = 0; i < md->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &md->fields[i];
		ProtobufCMessage **grown;
		bool ignore = in_list(f->name, ignored);

		sheet_init(&s);
		grown = mutate(part(&s), f);
		sheet_digest(&s, now);
		free_mutation(grown);
		if (ignore && memcmp(base, now, DIGEST_LEN) != 0)
			fail_msg("%s.%s is not content, yet it changes the digest", md->name,
			    f->name);
		if (!ignore && memcmp(base, now, DIGEST_LEN) == 0)
			fail_msg("%s.%s changed and the digest did not", md->name, f->name);
		seen += ignore;
	}
	/* Every name in `ignored` is a field (no stale names). */
	assert_int_equal(seen, n_ignored);
}

static ProtobufCMessage *
part_node(struct sheet *s)
{
	return &s->nodes[1].base;
}

static ProtobufCMessage *
part_budget(struct sheet *s)
{
	return &s->budget.base;
}

static ProtobufCMessage *
part_ws(struct sheet *s)
{
	return &s->ws.base;
}

static void
digest_covers_the_content(void **state)
{
	static const char *const node_computed[] = { "total", "depth", "unscored", "computed",
		"vetoed", "note", "claimed_by", "claimed_until", NULL };
	static const char *const budget_computed[] = { "final", "rate", "lines_total", NULL };
	/* The workflow's state and bookkeeping, not the content signed. */
	static const char *const ws_not_content[] = { "state", "revision", "created_at",
		"created_by", "updated_at", "head", "members", "phase", "version", "signatures",
		"signoffs_required", "comment_round", "submitted_revision", "reopen_reason",
		"report_revision",
		NULL };

	each_field(&jixiao__node__descriptor, part_node, node_computed, 8);
	each_field(&jixiao__budget__descriptor, part_budget, budget_computed, 3);
	each_field(&jixiao__workspace__descriptor, part_ws, ws_not_content, 15);
}

static void
digest_order_head_revision_budget(void **state)
{
	uint8_t base[DIGEST_LEN], now[DIGEST_LEN];
	Jixiao__Node *rev[N_NODES];
	Jixiao__Budget empty = JIXIAO__BUDGET__INIT;
	struct sheet s;

	sheet_init(&s);
	sheet_digest(&s, base);
	/* Node order does not matter: the digest sorts by id. */
	for (int i = 0; i < N_NODES; i++)
		rev[i] = s.list[N_NODES - 1 - i];
	assert_int_equal(digest_content(&s.ws, s.revision, s.head, rev, N_NODES, &s.budget, NULL, 0, now),
	    0);
	assert_memory_equal(base, now, DIGEST_LEN);
	/* The same inputs, the same digest. */
	sheet_digest(&s, now);
	assert_memory_equal(base, now, DIGEST_LEN);

	s.head[DIGEST_LEN - 1] ^= 1;
	sheet_digest(&s, now);
	assert_memory_not_equal(base, now, DIGEST_LEN);
	sheet_init(&s);
	s.revision++;
	sheet_digest(&s, now);
	assert_memory_not_equal(base, now, DIGEST_LEN);
	sheet_init(&s);
	s.ws.id++;
	sheet_digest(&s, now);
	assert_memory_not_equal(base, now, DIGEST_LEN);
	/* A node fewer. */
	sheet_init(&s);
	assert_int_equal(digest_content(&s.ws, s.revision, s.head,
	    (Jixiao__Node *const *)s.list, N_NODES - 1, &s.budget, NULL, 0, now), 0);
	assert_memory_not_equal(base, now, DIGEST_LEN);
	/* No budget differs from this budget; an empty budget is no budget. */
	assert_int_equal(digest_content(&s.ws, s.revision, s.head,
	    (Jixiao__Node *const *)s.list, N_NODES, NULL, NULL, 0, base), 0);
	sheet_digest(&s, now);
	assert_memory_not_equal(base, now, DIGEST_LEN);
	assert_int_equal(digest_content(&s.ws, s.revision, s.head,
	    (Jixiao__Node *const *)s.list, N_NODES, &empty, NULL, 0, now), 0);
	assert_memory_equal(base, now, DIGEST_LEN);
	/* No nodes at all is a digest too. */
	assert_int_equal(digest_content(&s.ws, s.revision, s.head, NULL, 0, NULL, NULL, 0, now), 0);
	assert_memory_not_equal(base, now, DIGEST_LEN);
}

/* Findings (存在问题/建议) are signed content too: any change shows, their order does not. */
static void
digest_covers_findings(void **state)
{
	Jixiao__Finding a = JIXIAO__FINDING__INIT, b = JIXIAO__FINDING__INIT;
	Jixiao__Finding *ab[2] = { &a, &b }, *ba[2] = { &b, &a };
	uint8_t none[DIGEST_LEN], one[DIGEST_LEN], x[DIGEST_LEN], y[DIGEST_LEN];
	struct sheet s;

	sheet_init(&s);
	a.id = 1;
	a.kind = JIXIAO__FINDING_KIND__PROBLEM;
	a.text = "预算执行率偏低";
	b.id = 2;
	b.kind = JIXIAO__FINDING_KIND__RECOMMENDATION;
	b.text = "加强预算编制";
	sheet_digest(&s, none);
	assert_int_equal(digest_content(&s.ws, s.revision, s.head,
	    (Jixiao__Node *const *)s.list, N_NODES, &s.budget, ab, 1, one), 0);
	assert_memory_not_equal(none, one, DIGEST_LEN);
	assert_int_equal(digest_content(&s.ws, s.revision, s.head,
	    (Jixiao__Node *const *)s.list, N_NODES, &s.budget, ab, 2, x), 0);
	assert_int_equal(digest_content(&s.ws, s.revision, s.head,
	    (Jixiao__Node *const *)s.list, N_NODES, &s.budget, ba, 2, y), 0);
	assert_memory_equal(x, y, DIGEST_LEN);
	assert_memory_not_equal(one, x, DIGEST_LEN);
	b.text = "加强预算编制。";
	assert_int_equal(digest_content(&s.ws, s.revision, s.head,
	    (Jixiao__Node *const *)s.list, N_NODES, &s.budget, ab, 2, y), 0);
	assert_memory_not_equal(x, y, DIGEST_LEN);
}

static void
signatures_bind_kind_key_and_digest(void **state)
{
	uint8_t pk[KEY_PUBLIC_LEN], sk[KEY_SECRET_LEN], opk[KEY_PUBLIC_LEN], osk[KEY_SECRET_LEN];
	uint8_t digest[DIGEST_LEN], sig[KEY_SIG_LEN];
	struct sheet s;

	key_generate(pk, sk);
	key_generate(opk, osk);
	sheet_init(&s);
	sheet_digest(&s, digest);

	digest_sign(DIGEST_SUBMIT, digest, sk, sig);
	assert_int_equal(digest_verify(DIGEST_SUBMIT, digest, pk, sig, sizeof(sig)), 0);
	assert_int_equal(digest_verify(DIGEST_SIGNOFF, digest, pk, sig, sizeof(sig)), -1);
	assert_int_equal(digest_verify(DIGEST_SUBMIT, digest, opk, sig, sizeof(sig)), -1);
	assert_int_equal(digest_verify(DIGEST_SUBMIT, digest, pk, sig, sizeof(sig) - 1), -1);
	digest[0] ^= 1;
	assert_int_equal(digest_verify(DIGEST_SUBMIT, digest, pk, sig, sizeof(sig)), -1);
	digest[0] ^= 1;
	digest_sign(DIGEST_SIGNOFF, digest, sk, sig);
	assert_int_equal(digest_verify(DIGEST_SIGNOFF, digest, pk, sig, sizeof(sig)), 0);
	assert_int_equal(digest_verify(DIGEST_SUBMIT, digest, pk, sig, sizeof(sig)), -1);
	/* A login statement over the same bytes is not a submission. */
	key_sign_login(sk, digest, digest, sig);
	assert_int_equal(digest_verify(DIGEST_SUBMIT, digest, pk, sig, sizeof(sig)), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(save_and_load),
		cmocka_unit_test(wide_and_damaged_files_are_refused),
		cmocka_unit_test(challenge_and_login_statements),
		cmocka_unit_test(digest_covers_the_content),
		cmocka_unit_test(digest_order_head_revision_budget),
		cmocka_unit_test(digest_covers_findings),
		cmocka_unit_test(signatures_bind_kind_key_and_digest),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
