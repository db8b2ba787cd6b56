#include "archive.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "budget.h"
#include "checkpoint.h"
#include "decimal.h"
#include "digest.h"
#include "err.h"
#include "key.h"
#include "score.h"
#include "sheet.h"
#include "tree-order.h"

/* The seal's field: number 15, length-delimited, 32 bytes, last in the encoding. */
#define ARCHIVE_SEAL_TAG 0x7a
#define ARCHIVE_SEAL_FIELD (2 + ARCHIVE_SEAL_LEN)
/* As the server's tree: deeper indicators are not reached. */
#define ARCHIVE_GRADES_MAX 16

/* A signature found in the archive, and the first record that carries it (0: none). */
struct archive_sig {
	const Jixiao__Signature *sig;
	uint64_t recorded_at;
	bool checked;   /* its revision was reached by the replay */
};

/*
 * The replay's sets of entities (indicators, findings), each kept sorted by id as an
 * array of pointers borrowed from the decoded records.
 */
struct archive_set {
	void **items;
	size_t n, cap;
	uint64_t (*id)(const void *item);
};

/* What the replay holds while it walks the records. */
struct archive_state {
	const Jixiao__Archive *a;
	Jixiao__Change **changes;      /* decoded records; NULL where one does not decode */
	uint8_t (*hashes)[DIGEST_LEN]; /* BLAKE2b-256 of each record's bytes */
	size_t n;
	const Jixiao__Workspace *ws;   /* the header as of the replay's revision */
	const Jixiao__Budget *budget;
	struct archive_set nodes;      /* Jixiao__Node *, by id */
	struct archive_set findings;   /* Jixiao__Finding *, by id */
	struct archive_sig *sigs;
	size_t nsigs;
};

void
archive_report_add(struct archive_report *r, bool ok, const char *fmt, ...)
{
	struct archive_check *c;
	va_list ap;

	if (!ok)
		r->failed++;
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		struct archive_check *grown;
		if (r->n >= ARCHIVE_CHECKS_MAX ||
		    (grown = realloc(r->checks, cap * sizeof(*grown))) == NULL)
			return;
		r->checks = grown;
		r->cap = cap;
	}
	c = &r->checks[r->n++];
	c->ok = ok;
	va_start(ap, fmt);
	vsnprintf(c->text, sizeof(c->text), fmt, ap);
	va_end(ap);
}

/* "3f9a1b2c…" of a hash for a person. */
static const char *
archive_short(const uint8_t *b, size_t len, char out[20])
{
	if (len < 8) {
		snprintf(out, 20, "(%zu bytes)", len);
		return out;
	}
	key_hex(b, 8, out);
	memcpy(out + 16, "…", sizeof("…"));
	return out;
}

/* The UTC day of t, as 2026-12-06. */
static const char *
archive_day(int64_t t, char buf[16])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL || strftime(buf, 16, "%Y-%m-%d", &tm) == 0)
		snprintf(buf, 16, "?");
	return buf;
}

static const char *
archive_who(const char *user)
{
	return user != NULL && user[0] != '\0' ? user : "(nobody)";
}

void
archive_report_free(struct archive_report *r)
{
	if (r == NULL)
		return;
	free(r->checks);
	r->checks = NULL;
	r->n = r->cap = 0;
}

int
archive_pack(const Jixiao__Archive *a, uint8_t **buf, size_t *len)
{
	Jixiao__Archive c = *a;
	size_t n;
	uint8_t *b;

	*buf = NULL;
	*len = 0;
	c.magic = ARCHIVE_MAGIC;
	c.format = JIXIAO__ARCHIVE_FORMAT__ARCHIVE_FORMAT_V1;
	c.has_seal = 0;
	n = protobuf_c_message_get_packed_size(&c.base);
	if (n > ARCHIVE_MAX - ARCHIVE_SEAL_FIELD)
		return JX_ENOSPC;
	if ((b = malloc(n + ARCHIVE_SEAL_FIELD)) == NULL)
		return JX_EINTERNAL;
	protobuf_c_message_pack(&c.base, b);
	/* protobuf-c writes fields by number, so the seal (the highest) goes last. */
	b[n] = ARCHIVE_SEAL_TAG;
	b[n + 1] = ARCHIVE_SEAL_LEN;
	crypto_generichash(b + n + 2, ARCHIVE_SEAL_LEN, b, n, NULL, 0);
	*buf = b;
	*len = n + ARCHIVE_SEAL_FIELD;
	return JX_OK;
}

int
archive_add_signers(Jixiao__Archive *a, const Jixiao__Workspace *ws)
{
	for (size_t i = 0; i < ws->n_signatures; i++) {
		const Jixiao__Signature *s = ws->signatures[i];
		Jixiao__User **grown, *u;
		bool have = false;

		for (size_t k = 0; k < a->n_users && !have; k++)
			have = strcmp(a->users[k]->name, s->user) == 0 &&
			    a->users[k]->public_key.len == s->public_key.len &&
			    memcmp(a->users[k]->public_key.data, s->public_key.data,
			    s->public_key.len) == 0;
		if (have)
			continue;
		if ((grown = realloc(a->users, (a->n_users + 1) * sizeof(*grown))) == NULL)
			return JX_EINTERNAL;
		a->users = grown;
		if ((u = malloc(sizeof(*u))) == NULL)
			return JX_EINTERNAL;
		jixiao__user__init(u);
		u->name = s->user;
		u->public_key = s->public_key;
		a->users[a->n_users++] = u;
	}
	return JX_OK;
}

void
archive_users_free(Jixiao__Archive *a)
{
	for (size_t i = 0; i < a->n_users; i++)
		free(a->users[i]);
	free(a->users);
	a->users = NULL;
	a->n_users = 0;
}

/* ---- the chain */

/* Decodes and hashes every record, and checks the links. */
static int
archive_chain(struct archive_state *s, struct archive_report *r)
{
	const Jixiao__Archive *a = s->a;
	const Jixiao__Workspace *ws = a->workspace;
	size_t bad = r->failed;
	char x[20], y[20];

	s->n = a->n_records;
	if (s->n == 0) {
		archive_report_add(r, false, "chain: the archive holds no history records");
		return JX_OK;
	}
	if ((s->changes = calloc(s->n, sizeof(*s->changes))) == NULL ||
	    (s->hashes = calloc(s->n, sizeof(*s->hashes))) == NULL)
		return JX_EINTERNAL;
	for (size_t i = 0; i < s->n; i++) {
		const ProtobufCBinaryData *rec = &a->records[i];
		Jixiao__Change *ch;

		crypto_generichash(s->hashes[i], DIGEST_LEN, rec->data, rec->len, NULL, 0);
		if ((ch = s->changes[i] = jixiao__change__unpack(NULL, rec->len, rec->data)) ==
		    NULL) {
			archive_report_add(r, false, "chain: record %zu (%zu bytes) is not a history record",
			    i + 1, rec->len);
			continue;
		}
		if (ch->workspace != ws->id || ch->revision != i + 1)
			archive_report_add(r, false, "chain: record %zu says it is revision %" PRIu64
			    " of workspace %" PRIu64 "; expected revision %zu of workspace %" PRIu64,
			    i + 1, ch->revision, ch->workspace, i + 1, ws->id);
		if (i == 0 && ch->has_prev)
			archive_report_add(r, false, "chain: record 1 names a previous record; the first "
			    "has none");
		else if (i > 0 && (!ch->has_prev || ch->prev.len != DIGEST_LEN ||
		    sodium_memcmp(ch->prev.data, s->hashes[i - 1], DIGEST_LEN) != 0))
			archive_report_add(r, false, "chain: record %zu's prev is %s, but record %zu hashes "
			    "to %s", i + 1, ch->has_prev ? archive_short(ch->prev.data, ch->prev.len,
			    x) : "missing", i, archive_short(s->hashes[i - 1], DIGEST_LEN, y));
	}
	if (!ws->has_head || ws->head.len != DIGEST_LEN ||
	    sodium_memcmp(ws->head.data, s->hashes[s->n - 1], DIGEST_LEN) != 0)
		archive_report_add(r, false, "chain: the workspace's head is %s, but the last record "
		    "(%zu) hashes to %s", ws->has_head ? archive_short(ws->head.data, ws->head.len,
		    x) : "missing", s->n, archive_short(s->hashes[s->n - 1], DIGEST_LEN, y));
	if (ws->revision != s->n)
		archive_report_add(r, false, "chain: the workspace is at revision %" PRIu64 " but the "
		    "archive holds %zu records", ws->revision, s->n);
	if (r->failed == bad)
		archive_report_add(r, true, "chain: %zu records, revisions 1..%zu, head %s", s->n, s->n,
		    archive_short(s->hashes[s->n - 1], DIGEST_LEN, x));
	return JX_OK;
}

/* ---- replaying the records */

static uint64_t
archive_node_id(const void *item)
{
	return ((const Jixiao__Node *)item)->id;
}

static uint64_t
archive_finding_id(const void *item)
{
	return ((const Jixiao__Finding *)item)->id;
}

/* Index of the first item whose id is >= id. */
static size_t
archive_set_at(const struct archive_set *set, uint64_t id)
{
	size_t lo = 0, hi = set->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (set->id(set->items[mid]) < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int
archive_set_put(struct archive_set *set, void *item)
{
	uint64_t id = set->id(item);
	size_t i = archive_set_at(set, id);

	if (i < set->n && set->id(set->items[i]) == id) {
		set->items[i] = item;
		return JX_OK;
	}
	if (set->n == set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 64;
		void **grown = realloc(set->items, cap * sizeof(*grown));
		if (grown == NULL)
			return JX_EINTERNAL;
		set->items = grown;
		set->cap = cap;
	}
	memmove(&set->items[i + 1], &set->items[i], (set->n - i) * sizeof(*set->items));
	set->items[i] = item;
	set->n++;
	return JX_OK;
}

static void
archive_set_remove(struct archive_set *set, uint64_t id)
{
	size_t i = archive_set_at(set, id);

	if (i < set->n && set->id(set->items[i]) == id) {
		memmove(&set->items[i], &set->items[i + 1], (set->n - i - 1) * sizeof(*set->items));
		set->n--;
	}
}

static int
archive_sig_add(struct archive_state *s, const Jixiao__Signature *sig, uint64_t recorded_at)
{
	struct archive_sig *grown;

	for (size_t i = 0; i < s->nsigs; i++) {
		const Jixiao__Signature *o = s->sigs[i].sig;
		if (o->signature.len == sig->signature.len && o->revision == sig->revision &&
		    strcmp(o->kind, sig->kind) == 0 && strcmp(o->user, sig->user) == 0 &&
		    memcmp(o->signature.data, sig->signature.data, sig->signature.len) == 0)
			return JX_OK;
	}
	if ((grown = realloc(s->sigs, (s->nsigs + 1) * sizeof(*grown))) == NULL)
		return JX_EINTERNAL;
	s->sigs = grown;
	s->sigs[s->nsigs++] = (struct archive_sig){ sig, recorded_at, false };
	return JX_OK;
}

/* Every signature the records and the final state carry, each once. */
static int
archive_sigs_collect(struct archive_state *s)
{
	const Jixiao__Workspace *ws = s->a->workspace;

	for (size_t i = 0; i < s->n; i++) {
		const Jixiao__Workspace *w = s->changes[i] != NULL ? s->changes[i]->workspace_after
								    : NULL;
		for (size_t k = 0; w != NULL && k < w->n_signatures; k++)
			if (archive_sig_add(s, w->signatures[k], i + 1) != 0)
				return JX_EINTERNAL;
	}
	for (size_t k = 0; k < ws->n_signatures; k++)
		if (archive_sig_add(s, ws->signatures[k], 0) != 0)
			return JX_EINTERNAL;
	return JX_OK;
}

static const Jixiao__User *
archive_user(const Jixiao__Archive *a, const char *name, const ProtobufCBinaryData *key)
{
	const Jixiao__User *first = NULL;

	/* A user whose key was replaced signed with each: the entry of this key first. */
	for (size_t i = 0; i < a->n_users; i++) {
		const Jixiao__User *u = a->users[i];
		if (strcmp(u->name, name) != 0)
			continue;
		if (u->public_key.len == key->len && key->len == KEY_PUBLIC_LEN &&
		    sodium_memcmp(u->public_key.data, key->data, KEY_PUBLIC_LEN) == 0)
			return u;
		if (first == NULL)
			first = u;
	}
	return first;
}

/*
 * What happened to a good signature's key since, as the archive's user entry says:
 * into buf ("" when nothing), e.g. "; the key was replaced on 2026-12-06 by admin".
 */
static void
archive_standing(const Jixiao__User *u, const ProtobufCBinaryData *key, char *buf, size_t len)
{
	const Jixiao__UserEvent *replaced = NULL, *disabled = NULL;
	size_t used = 0;
	char day[16];

	buf[0] = '\0';
	for (size_t i = 0; i < u->n_events; i++) {
		const Jixiao__UserEvent *e = u->events[i];
		if (e->what == NULL)
			continue;
		if (strcmp(e->what, "user.key") == 0 && replaced == NULL && e->has_old_key &&
		    e->old_key.len == key->len && key->len == KEY_PUBLIC_LEN &&
		    sodium_memcmp(e->old_key.data, key->data, KEY_PUBLIC_LEN) == 0)
			replaced = e;
		if (strcmp(e->what, "user.disable") == 0)
			disabled = e;
	}
	if (replaced != NULL)
		used += (size_t)snprintf(buf + used, len - used, "; this key was later replaced "
		    "(revoked) on %s by %.40s%s%.60s", archive_day(replaced->time, day),
		    replaced->by != NULL ? replaced->by : "?", replaced->reason != NULL ? ": " : "",
		    replaced->reason != NULL ? replaced->reason : "");
	if (used < len && u->has_disabled && u->disabled)
		snprintf(buf + used, len - used, "; %.60s was later disabled%s%s%s%.40s%s%.60s",
		    u->name, disabled != NULL ? " on " : "",
		    disabled != NULL ? archive_day(disabled->time, day) : "",
		    disabled != NULL ? " by " : "",
		    disabled != NULL && disabled->by != NULL ? disabled->by : "",
		    disabled != NULL && disabled->reason != NULL ? ": " : "",
		    disabled != NULL && disabled->reason != NULL ? disabled->reason : "");
}

/* Checks one signature against the content digest at its revision (the replay's state). */
static int
archive_sig_check(struct archive_state *s, struct archive_sig *as, struct archive_report *r)
{
	const Jixiao__Signature *sig = as->sig;
	const Jixiao__User *u = archive_user(s->a, sig->user, &sig->public_key);
	uint64_t rev = sig->revision;
	uint8_t digest[DIGEST_LEN];
	char x[20], y[20];
	const char *who = archive_who(sig->user);

	as->checked = true;
	if (strcmp(sig->kind, DIGEST_SUBMIT) != 0 && strcmp(sig->kind, DIGEST_SIGNOFF) != 0) {
		archive_report_add(r, false, "signatures: %.40s by %s at r%" PRIu64 " is neither a "
		    "submission nor a sign-off", sig->kind, who, rev);
		return JX_OK;
	}
	if (digest_content(s->ws, rev, s->hashes[rev - 1], (Jixiao__Node *const *)s->nodes.items,
	    s->nodes.n, s->budget, (Jixiao__Finding *const *)s->findings.items, s->findings.n,
	    digest) != 0)
		return JX_EINTERNAL;
	if (as->recorded_at != 0 && as->recorded_at <= rev)
		archive_report_add(r, false, "signatures: %s by %s at r%" PRIu64 " is recorded at "
		    "revision %" PRIu64 ", before the revision it signs", sig->kind, who, rev,
		    as->recorded_at);
	else if (u == NULL)
		archive_report_add(r, false, "signatures: %s by %s at r%" PRIu64 ": %s is not among "
		    "the archive's users", sig->kind, who, rev, who);
	else if (u->public_key.len != KEY_PUBLIC_LEN ||
	    sig->public_key.len != KEY_PUBLIC_LEN ||
	    sodium_memcmp(u->public_key.data, sig->public_key.data, KEY_PUBLIC_LEN) != 0)
		archive_report_add(r, false, "signatures: %s by %s at r%" PRIu64 " is made with a key "
		    "(%s) other than %s's key in the archive (%s)", sig->kind, who, rev,
		    archive_short(sig->public_key.data, sig->public_key.len, x), who,
		    archive_short(u->public_key.data, u->public_key.len, y));
	else if (sig->digest.len != DIGEST_LEN ||
	    sodium_memcmp(sig->digest.data, digest, DIGEST_LEN) != 0)
		archive_report_add(r, false, "signatures: %s by %s at r%" PRIu64 " signs the digest %s, "
		    "but the content of workspace %" PRIu64 " at revision %" PRIu64 " digests "
		    "to %s", sig->kind, who, rev, archive_short(sig->digest.data, sig->digest.len,
		    x), s->a->workspace->id, rev, archive_short(digest, DIGEST_LEN, y));
	else if (digest_verify(sig->kind, digest, u->public_key.data, sig->signature.data,
	    sig->signature.len) != 0)
		archive_report_add(r, false, "signatures: %s by %s at r%" PRIu64 ": the signature does "
		    "not verify with %s's key", sig->kind, who, rev, who);
	else {
		/* The fingerprint jx keygen, jx user ls and jx ws show print for this key. */
		char fp[KEY_FINGERPRINT_LEN], later[400];
		key_fingerprint(u->public_key.data, fp);
		archive_standing(u, &sig->public_key, later, sizeof(later));
		archive_report_add(r, true, "signatures: %s by %s at r%" PRIu64 " (key %s)%s",
		    sig->kind, who, rev, fp, later);
	}
	return JX_OK;
}

/* Applies record i, then checks the signatures over its revision. */
static int
archive_apply(struct archive_state *s, size_t i, struct archive_report *r)
{
	Jixiao__Change *ch = s->changes[i];
	int rv = JX_OK;

	if (ch->workspace_after != NULL)
		s->ws = ch->workspace_after;
	if (ch->after != NULL)
		rv = archive_set_put(&s->nodes, ch->after);
	else if (ch->before != NULL)
		archive_set_remove(&s->nodes, ch->before->id);
	if (rv == 0 && ch->finding_after != NULL)
		rv = archive_set_put(&s->findings, ch->finding_after);
	else if (rv == 0 && ch->finding_before != NULL)
		archive_set_remove(&s->findings, ch->finding_before->id);
	if (ch->budget_after != NULL)
		s->budget = ch->budget_after;
	if (s->ws == NULL) {
		archive_report_add(r, false, "replay: record 1 (%.60s) does not create the workspace",
		    ch->what);
		return JX_EINVAL;
	}
	for (size_t k = 0; rv == 0 && k < s->nsigs; k++)
		if (s->sigs[k].sig->revision == i + 1)
			rv = archive_sig_check(s, &s->sigs[k], r);
	return rv;
}

/* The workspace as the server keeps it after record n: the last header recorded, moved on. */
static void
archive_workspace_check(struct archive_state *s, struct archive_report *r)
{
	const Jixiao__Workspace *got = s->a->workspace;
	Jixiao__Workspace want = *s->ws;
	const Jixiao__Change *last = s->changes[s->n - 1];
	size_t a = protobuf_c_message_get_packed_size(&got->base), b;
	uint8_t *pa = NULL, *pb = NULL;
	bool same = false;

	want.revision = s->n;
	want.has_updated_at = 1;
	want.updated_at = last->time;
	want.has_head = 1;
	want.head.data = s->hashes[s->n - 1];
	want.head.len = DIGEST_LEN;
	b = protobuf_c_message_get_packed_size(&want.base);
	if (a == b && (pa = malloc(a + 1)) != NULL && (pb = malloc(b + 1)) != NULL) {
		protobuf_c_message_pack(&got->base, pa);
		protobuf_c_message_pack(&want.base, pb);
		same = memcmp(pa, pb, a) == 0;
	}
	free(pa);
	free(pb);
	if (same)
		return;
	if (strcmp(got->subject, want.subject) != 0)
		archive_report_add(r, false, "workspace: its subject is %.80s, but its history records "
		    "%.80s", got->subject, want.subject);
	else if (got->n_signatures != want.n_signatures)
		archive_report_add(r, false, "workspace: it carries %zu signatures, but its history "
		    "records %zu", got->n_signatures, want.n_signatures);
	else if (got->state != want.state || got->phase != want.phase)
		archive_report_add(r, false, "workspace: its state or phase differs from what its "
		    "history records");
	else if (got->has_updated_at != want.has_updated_at || got->updated_at != want.updated_at)
		archive_report_add(r, false, "workspace: its time of last change differs from record "
		    "%zu's time", s->n);
	else
		archive_report_add(r, false, "workspace: the final header differs from the one its "
		    "history rebuilds at revision %zu", s->n);
}

static bool
archive_same(const ProtobufCMessage *x, const ProtobufCMessage *y)
{
	size_t a = protobuf_c_message_get_packed_size(x);
	size_t b = protobuf_c_message_get_packed_size(y);
	uint8_t *pa = NULL, *pb = NULL;
	bool same = false;

	if (a == b && (pa = malloc(a + 1)) != NULL && (pb = malloc(b + 1)) != NULL) {
		protobuf_c_message_pack(x, pa);
		protobuf_c_message_pack(y, pb);
		same = memcmp(pa, pb, a) == 0;
	}
	free(pa);
	free(pb);
	return same;
}

/* The final budget facts, derived as the server does, against the archive's. */
static int
archive_budget_check(struct archive_state *s, Jixiao__Budget *derived,
    struct archive_report *r)
{
	const Jixiao__Budget *got = s->a->budget;

	if (s->budget == NULL) {
		if (got != NULL)
			archive_report_add(r, false, "budget: the archive states budget facts that its "
			    "history never recorded");
		return JX_OK;
	}
	*derived = *s->budget;
	if (budget_derive(derived) != 0)
		return JX_EINTERNAL;
	if (got == NULL)
		archive_report_add(r, false, "budget: the archive leaves out the budget facts its "
		    "history records at revision %" PRIu64, derived->revision);
	else if (!archive_same(&got->base, &derived->base))
		archive_report_add(r, false, "budget: the archive's budget facts differ from those its "
		    "history records at revision %" PRIu64, derived->revision);
	return JX_OK;
}

/* ---- scores */

/* The grade bands: the archive's for a template's workspace, else Guangzhou's. */
static bool
archive_grades(const Jixiao__Archive *a, struct score_grade *bands, struct score_grades *g,
    struct archive_report *r)
{
	const Jixiao__Workspace *ws = a->workspace;
	bool tmpl = ws->template_id != NULL && ws->template_id[0] != '\0';

	if (!tmpl && a->n_grades == 0) {
		*g = score_grades_guangzhou;
		return true;
	}
	if (!tmpl) {
		archive_report_add(r, false, "scores: the archive carries grade bands, but the "
		    "workspace comes from no template (its bands are Guangzhou's)");
		return false;
	}
	if (a->n_grades == 0 || a->n_grades > ARCHIVE_GRADES_MAX) {
		archive_report_add(r, false, "scores: the grade bands of template %.40s v%u are not "
		    "in the archive", ws->template_id, ws->template_version);
		return false;
	}
	for (size_t i = 0; i < a->n_grades; i++)
		bands[i] = (struct score_grade){ a->grades[i]->name, a->grades[i]->key,
			a->grades[i]->min };
	g->bands = bands;
	g->nbands = a->n_grades;
	g->veto_cap = a->has_veto_cap && a->veto_cap < a->n_grades ? a->veto_cap
								   : a->n_grades - 1;
	if (a->has_veto_cap && a->veto_cap >= a->n_grades) {
		archive_report_add(r, false, "scores: the veto cap %u is not one of the %zu grade bands",
		    a->veto_cap, a->n_grades);
		return false;
	}
	return true;
}

/*
 * Reports the indicators the history holds that no walk from the top level reaches (a
 * parent that is gone, or a cycle): every view and score would leave them out.
 */
static void
archive_unreachable(const struct tree_order *o, Jixiao__Node *const *nodes, size_t n,
    struct archive_report *r)
{
	char codes[160] = "";
	size_t used = 0, listed = 0;

	for (size_t i = 0; i < n; i++) {
		bool reached = false;

		for (size_t k = 0; k < o->n && !reached; k++)
			reached = o->order[k] == nodes[i];
		if (reached || used >= sizeof(codes) - 40)
			continue;
		used += (size_t)snprintf(codes + used, sizeof(codes) - used, "%s%.32s",
		    listed++ > 0 ? ", " : "", nodes[i]->code);
	}
	archive_report_add(r, false, "indicators: %zu of the %zu indicators the history holds are "
	    "not reached from the top level (%s%s), so no view or score shows them", n - o->n, n,
	    codes, n - o->n > listed ? ", …" : "");
}

/* Scores the final tree as the server does and compares with what the archive states. */
static int
archive_scores(struct archive_state *s, const Jixiao__Budget *derived,
    struct archive_report *r)
{
	const Jixiao__Archive *a = s->a;
	struct tree_order o = { 0 };
	struct sheet_node *sheet = NULL;
	Jixiao__Node **nodes = NULL;
	size_t n = s->nodes.n;
	struct score_grade bands[ARCHIVE_GRADES_MAX];
	struct score_grades grades;
	struct sheet sh = { 0 };
	char x[DEC_BUFSZ], y[DEC_BUFSZ];
	int rv = JX_EINTERNAL;

	if (!archive_grades(a, bands, &grades, r))
		return JX_OK;
	/* The replay's set stays by id: the tree is ordered on a copy. */
	if (n > 0 && ((nodes = malloc(n * sizeof(*nodes))) == NULL ||
	    (sheet = calloc(n, sizeof(*sheet))) == NULL))
		goto out;
	if (n > 0)
		memcpy(nodes, s->nodes.items, n * sizeof(*nodes));
	if (tree_order_make(nodes, n, &o) != 0)
		goto out;
	r->indicators = n;
	if (o.n < n)
		archive_unreachable(&o, nodes, n, r);
	tree_order_sheet(&o, sheet);
	sh.nodes = sheet;
	sh.n = o.n;
	sh.grades = &grades;
	if (derived != NULL && derived->has_rate) {
		sh.has_rate = true;
		sh.rate = derived->rate;
	}
	rv = JX_OK;
	if (sheet_compute(&sh) != 0 || sh.grade == NULL) {
		archive_report_add(r, false, "scores: the indicators at revision %zu cannot be scored "
		    "(a method or the grade bands do not parse)", s->n);
		goto out;
	}
	/*
	 * An evaluator's score lies within its weight (score_manual, the server's rule);
	 * the reasons it needs below full marks are a check's business, not a signature's.
	 */
	for (size_t i = 0; i < o.n; i++)
		if (sheet[i].leaf && !sheet[i].computed && sheet[i].has_score &&
		    (!sheet[i].has_weight ||
		    score_manual(sheet[i].weight, sheet[i].score, NULL) != JX_OK))
			archive_report_add(r, false, "scores: indicator %.40s scores %s, outside 0 "
			    "to its weight", sheet[i].code, dec_format(sheet[i].score, x));
	r->total = sh.total;
	snprintf(r->grade, sizeof(r->grade), "%s", sh.grade->name);
	if (!a->has_total)
		archive_report_add(r, false, "scores: the archive states no total (recomputed: %s)",
		    dec_format(sh.total, x));
	else if (a->total != sh.total)
		archive_report_add(r, false, "scores: the archive states the total %s, but the "
		    "indicators at revision %zu add up to %s", dec_format(a->total, x), s->n,
		    dec_format(sh.total, y));
	else if (a->grade == NULL || strcmp(a->grade, sh.grade->name) != 0)
		archive_report_add(r, false, "scores: the archive states the grade %.30s, but %s "
		    "earns %s", a->grade != NULL ? a->grade : "(none)", dec_format(sh.total, x),
		    sh.grade->name);
	else
		archive_report_add(r, true, "scores: %s → %s (%zu indicators at revision %zu)",
		    dec_format(sh.total, x), sh.grade->name, sh.n, s->n);
out:
	tree_order_free(&o);
	free(nodes);
	free(sheet);
	return rv;
}

/* ---- evidence */

static void
archive_evidence(struct archive_state *s, struct archive_report *r)
{
	const Jixiao__Archive *a = s->a;
	size_t k = 0, bad = r->failed;
	char x[20];

	for (size_t i = 0; i < s->nodes.n; i++) {
		const Jixiao__Node *n = s->nodes.items[i];
		for (size_t e = 0; e < n->n_evidence; e++, k++) {
			const Jixiao__Evidence *ev = n->evidence[e];
			const Jixiao__ArchiveEvidence *got = k < a->n_inventory ? a->inventory[k]
										: NULL;
			if (got == NULL)
				continue;
			if (strcmp(got->indicator, n->code) != 0 || strcmp(got->name, ev->name) != 0 ||
			    got->size != ev->size || got->hash.len != ev->hash.len ||
			    sodium_memcmp(got->hash.data, ev->hash.data, ev->hash.len) != 0)
				archive_report_add(r, false, "evidence: inventory entry %zu (%.80s on %.40s, "
				    "%" PRIu64 " bytes) is not the file linked there at revision %zu "
				    "(%.80s on %.40s, %" PRIu64 " bytes, %s)", k + 1, got->name,
				    got->indicator, got->size, s->n, ev->name, n->code, ev->size,
				    archive_short(ev->hash.data, ev->hash.len, x));
		}
	}
	if (k != a->n_inventory)
		archive_report_add(r, false, "evidence: the inventory lists %zu files, but %zu are "
		    "linked to the indicators at revision %zu", a->n_inventory, k, s->n);
	if (r->failed == bad)
		archive_report_add(r, true, "evidence: %zu file%s, as linked at revision %zu", k,
		    k == 1 ? "" : "s", s->n);
}

/* ---- users and the workflow's own consistency */

static void
archive_users(struct archive_state *s, struct archive_report *r)
{
	const Jixiao__Archive *a = s->a;
	const Jixiao__Workspace *ws = a->workspace;
	const Jixiao__Signature *submit = NULL;

	for (size_t i = 0; i < a->n_users; i++) {
		const Jixiao__User *u = a->users[i];
		bool signed_any = false;

		/* Twice with one key is an error; with two, the user's key was replaced. */
		for (size_t k = 0; k < i; k++)
			if (strcmp(a->users[k]->name, u->name) == 0 &&
			    a->users[k]->public_key.len == u->public_key.len &&
			    memcmp(a->users[k]->public_key.data, u->public_key.data,
			    u->public_key.len) == 0)
				archive_report_add(r, false, "users: %.60s is listed twice", u->name);
		for (size_t k = 0; k < s->nsigs && !signed_any; k++)
			signed_any = strcmp(s->sigs[k].sig->user, u->name) == 0;
		if (!signed_any)
			archive_report_add(r, false, "users: %.60s is listed, but signed nothing in this "
			    "archive", u->name);
	}
	for (size_t k = 0; k < ws->n_signatures; k++)
		if (strcmp(ws->signatures[k]->kind, DIGEST_SUBMIT) == 0)
			submit = ws->signatures[k];
	if (submit != NULL && ws->has_submitted_revision &&
	    submit->revision != ws->submitted_revision)
		archive_report_add(r, false, "signatures: the submission by %s signs revision %" PRIu64
		    ", but the workspace was submitted at revision %" PRIu64,
		    archive_who(submit->user), submit->revision, ws->submitted_revision);
	/* A sign-off signs the submission before it in its own version (a reopen starts anew). */
	for (size_t k = 0; k < ws->n_signatures; k++) {
		const Jixiao__Signature *so = ws->signatures[k], *sub = NULL;
		if (strcmp(so->kind, DIGEST_SIGNOFF) != 0)
			continue;
		for (size_t i = k; i-- > 0 && sub == NULL;)
			if (strcmp(ws->signatures[i]->kind, DIGEST_SUBMIT) == 0 &&
			    ws->signatures[i]->version == so->version)
				sub = ws->signatures[i];
		if (sub == NULL)
			archive_report_add(r, false, "signatures: the sign-off by %s at r%" PRIu64 " has no "
			    "submission to sign off", archive_who(so->user), so->revision);
		else if (so->revision != sub->revision)
			archive_report_add(r, false, "signatures: the sign-off by %s signs revision %"
			    PRIu64 ", not the submitted revision %" PRIu64, archive_who(so->user),
			    so->revision, sub->revision);
	}
	if (s->nsigs == 0)
		archive_report_add(r, true, "signatures: none (the workspace was never submitted)");
}

/* The server's signed checkpoint, when the archive has one: its head is this chain's. */
static void
archive_checkpoint_check(struct archive_state *s, struct archive_report *r)
{
	const Jixiao__CheckpointReply *c = s->a->checkpoint;
	char why[160], fp[KEY_FINGERPRINT_LEN];
	struct checkpoint cp;

	if (c == NULL) {
		archive_report_add(r, true, "checkpoint: none (an archive from before checkpoints)");
		return;
	}
	if (c->server_key.len != KEY_PUBLIC_LEN) {
		archive_report_add(r, false, "checkpoint: the server's key is not 32 bytes");
		return;
	}
	key_fingerprint(c->server_key.data, fp);
	if (checkpoint_open(c->note, c->server_key.data, &cp, why, sizeof(why)) != 0)
		archive_report_add(r, false, "checkpoint: %s", why);
	else if (cp.workspace != s->a->workspace->id)
		archive_report_add(r, false, "checkpoint: it is of workspace %" PRIu64 ", not %" PRIu64,
		    cp.workspace, s->a->workspace->id);
	else if (cp.revision == 0 || cp.revision > s->n)
		archive_report_add(r, false, "checkpoint: it signs revision %" PRIu64 ", but the archive "
		    "has records 1..%zu", cp.revision, s->n);
	else if (sodium_memcmp(cp.head, s->hashes[cp.revision - 1], DIGEST_LEN) != 0)
		archive_report_add(r, false, "checkpoint: the server signed another head for revision %"
		    PRIu64 " than record %" PRIu64 " hashes to", cp.revision, cp.revision);
	else
		archive_report_add(r, true, "checkpoint: the server (key %s) signed revision %" PRIu64
		    " with this head", fp, cp.revision);
}

int
archive_extends(const uint8_t *buf, size_t len, const struct checkpoint *earlier,
    char *why, size_t whylen)
{
	Jixiao__Archive *a = jixiao__archive__unpack(NULL, len, buf);
	uint8_t h[DIGEST_LEN];
	int rv = -1;

	if (a == NULL || a->workspace == NULL) {
		snprintf(why, whylen, "the archive does not decode");
	} else if (earlier->workspace != a->workspace->id) {
		snprintf(why, whylen, "the checkpoint is of another workspace");
	} else if (earlier->revision == 0 || earlier->revision > a->n_records) {
		snprintf(why, whylen, "the history now has %zu records, fewer than the %" PRIu64
		    " of the checkpoint seen before: the server has dropped some", a->n_records,
		    earlier->revision);
	} else {
		const ProtobufCBinaryData *rec = &a->records[earlier->revision - 1];
		crypto_generichash(h, sizeof(h), rec->data, rec->len, NULL, 0);
		if (sodium_memcmp(h, earlier->head, DIGEST_LEN) != 0)
			snprintf(why, whylen, "record %" PRIu64 " is not the one the server signed "
			    "before: the history up to it was rewritten", earlier->revision);
		else
			rv = 0;
	}
	if (a != NULL)
		jixiao__archive__free_unpacked(a, NULL);
	return rv;
}

/* Replays the history, checking signatures on the way, then the final state. */
static int
archive_replay(struct archive_state *s, struct archive_report *r)
{
	Jixiao__Budget derived;
	bool has_derived = false;
	int rv;

	for (size_t i = 0; i < s->n; i++) {
		if (s->changes[i] == NULL) {
			archive_report_add(r, false, "replay: not possible past revision %zu, which does "
			    "not decode", i);
			return JX_OK;
		}
	}
	if ((rv = archive_sigs_collect(s)) != 0)
		return rv;
	r->signatures = s->nsigs;
	for (size_t k = 0; k < s->nsigs; k++) {
		const Jixiao__Signature *sig = s->sigs[k].sig;
		if (sig->revision == 0 || sig->revision > s->n)
			archive_report_add(r, false, "signatures: %.40s by %s names revision %" PRIu64
			    ", which the history does not reach (1..%zu)", sig->kind,
			    archive_who(sig->user), sig->revision, s->n);
	}
	for (size_t i = 0; i < s->n; i++) {
		if ((rv = archive_apply(s, i, r)) == JX_EINVAL)
			return JX_OK;
		if (rv != 0)
			return rv;
	}
	archive_workspace_check(s, r);
	archive_users(s, r);
	if ((rv = archive_budget_check(s, &derived, r)) != 0)
		return rv;
	has_derived = s->budget != NULL;
	if ((rv = archive_scores(s, has_derived ? &derived : NULL, r)) != 0)
		return rv;
	archive_evidence(s, r);
	return JX_OK;
}

/* The seal: the last field, over every byte before it. */
static bool
archive_seal_ok(const uint8_t *buf, size_t len)
{
	uint8_t h[ARCHIVE_SEAL_LEN];

	if (len < ARCHIVE_SEAL_FIELD || buf[len - ARCHIVE_SEAL_FIELD] != ARCHIVE_SEAL_TAG ||
	    buf[len - ARCHIVE_SEAL_FIELD + 1] != ARCHIVE_SEAL_LEN)
		return false;
	crypto_generichash(h, sizeof(h), buf, len - ARCHIVE_SEAL_FIELD, NULL, 0);
	return sodium_memcmp(h, buf + len - ARCHIVE_SEAL_LEN, ARCHIVE_SEAL_LEN) == 0;
}

int
archive_verify(const uint8_t *buf, size_t len, struct archive_report *r)
{
	struct archive_state s = { .nodes.id = archive_node_id,
		.findings.id = archive_finding_id };
	Jixiao__Archive *a = NULL;
	bool sealed;
	int rv = JX_OK;

	memset(r, 0, sizeof(*r));
	if (sodium_init() < 0)
		return JX_EINTERNAL;
	if (len > ARCHIVE_MAX) {
		archive_report_add(r, false, "file: %zu bytes is more than an archive may have (%zu)", len,
		    ARCHIVE_MAX);
		goto out;
	}
	sealed = archive_seal_ok(buf, len);
	if (!sealed)
		archive_report_add(r, false, "seal: the file is damaged or was changed after export (its "
		    "last %d bytes are not the hash of the rest)", ARCHIVE_SEAL_FIELD);
	if ((a = jixiao__archive__unpack(NULL, len, buf)) == NULL) {
		archive_report_add(r, false, "decode: the file is not a jixiao archive (it does not "
		    "decode)");
		goto out;
	}
	if (strcmp(a->magic, ARCHIVE_MAGIC) != 0 ||
	    a->format != JIXIAO__ARCHIVE_FORMAT__ARCHIVE_FORMAT_V1) {
		archive_report_add(r, false, "decode: the file is not a jixiao archive of format 1 "
		    "(magic %.20s, format %u)", a->magic, a->format);
		goto out;
	}
	r->decoded = sealed;
	r->workspace = a->workspace->id;
	r->revision = a->workspace->revision;
	r->records = a->n_records;
	s.a = a;
	if ((rv = archive_chain(&s, r)) != 0 || s.n == 0)
		goto out;
	archive_checkpoint_check(&s, r);
	rv = archive_replay(&s, r);
out:
	for (size_t i = 0; s.changes != NULL && i < s.n; i++)
		if (s.changes[i] != NULL)
			jixiao__change__free_unpacked(s.changes[i], NULL);
	free(s.changes);
	free(s.hashes);
	free(s.nodes.items);
	free(s.findings.items);
	free(s.sigs);
	if (a != NULL)
		jixiao__archive__free_unpacked(a, NULL);
	if (rv != 0)
		return rv;
	return r->failed == 0 ? JX_OK : JX_EINVAL;
}
