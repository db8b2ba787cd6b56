#include "digest.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#define DIGEST_CONTENT_CTX "jixiao-content-v1"
#define DIGEST_SIGN_CTX "jixiao-sign-v1"

static void
digest_u64(crypto_generichash_state *st, uint64_t v)
{
	uint8_t b[8];

	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * (7 - i)));
	crypto_generichash_update(st, b, sizeof(b));
}

/* The protobuf encoding of m into a new buffer; -1 when out of memory. */
static int
digest_pack(const ProtobufCMessage *m, uint8_t **buf, size_t *len)
{
	*len = protobuf_c_message_get_packed_size(m);
	if ((*buf = malloc(*len > 0 ? *len : 1)) == NULL)
		return -1;
	protobuf_c_message_pack(m, *buf);
	return 0;
}

/* Length, then the bytes. */
static void
digest_part(crypto_generichash_state *st, const uint8_t *buf, size_t len)
{
	digest_u64(st, len);
	crypto_generichash_update(st, buf, len);
}

static int
digest_by_id(const void *a, const void *b)
{
	const Jixiao__Node *x = *(Jixiao__Node *const *)a, *y = *(Jixiao__Node *const *)b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static int
digest_finding_by_id(const void *a, const void *b)
{
	const Jixiao__Finding *x = *(Jixiao__Finding *const *)a;
	const Jixiao__Finding *y = *(Jixiao__Finding *const *)b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* A sorted copy of an array of n pointers (NULL when n is 0); -1 when out of memory. */
static int
digest_sorted(void *const *items, size_t n, int (*cmp)(const void *, const void *),
    void ***out)
{
	*out = NULL;
	if (n == 0)
		return 0;
	if ((*out = malloc(n * sizeof(**out))) == NULL)
		return -1;
	memcpy(*out, items, n * sizeof(**out));
	qsort(*out, n, sizeof(**out), cmp);
	return 0;
}

/* The node as stored: a shallow copy without the fields computed on read. */
static Jixiao__Node
digest_node_stored(const Jixiao__Node *n)
{
	Jixiao__Node s = *n;

	s.has_total = s.has_depth = s.has_unscored = s.has_computed = s.has_vetoed = 0;
	s.note = NULL;
	s.claimed_by = NULL;
	s.has_claimed_until = 0;
	return s;
}

void
digest_parts_free(struct digest_parts *p)
{
	free(p->header);
	for (size_t i = 0; p->nodes != NULL && i < p->n_nodes; i++)
		free(p->nodes[i]);
	free(p->nodes);
	free(p->node_lens);
	free(p->budget);
	for (size_t i = 0; p->findings != NULL && i < p->n_findings; i++)
		free(p->findings[i]);
	free(p->findings);
	free(p->finding_lens);
	memset(p, 0, sizeof(*p));
}

int
digest_parts(const Jixiao__Workspace *ws, Jixiao__Node *const *nodes, size_t n,
    const Jixiao__Budget *budget, Jixiao__Finding *const *findings, size_t nfindings,
    struct digest_parts *p)
{
	Jixiao__Workspace h = JIXIAO__WORKSPACE__INIT;
	void **sorted = NULL, **fsorted = NULL;
	int rv = -1;

	memset(p, 0, sizeof(*p));
	if (digest_sorted((void *const *)nodes, n, digest_by_id, &sorted) != 0 ||
	    digest_sorted((void *const *)findings, nfindings, digest_finding_by_id, &fsorted) != 0)
		goto out;
	h.id = ws->id;
	h.subject = ws->subject;
	h.fiscal_year = ws->fiscal_year;
	h.kind = ws->kind;
	h.state = JIXIAO__WORKSPACE_STATE__ACTIVE;
	h.title = ws->title;
	h.department = ws->department;
	h.unit = ws->unit;
	h.goal = ws->goal;
	h.template_id = ws->template_id;
	h.has_template_version = ws->has_template_version;
	h.template_version = ws->template_version;
	h.has_subject_id = ws->has_subject_id;
	h.subject_id = ws->subject_id;
	h.lead = ws->lead;
	h.has_stated_total = ws->has_stated_total;
	h.stated_total = ws->stated_total;
	h.overview = ws->overview;
	h.process = ws->process;
	h.evaluator = ws->evaluator;
	h.report_date = ws->report_date;
	if (digest_pack(&h.base, &p->header, &p->header_len) != 0)
		goto out;
	if (n > 0 && ((p->nodes = calloc(n, sizeof(*p->nodes))) == NULL ||
	    (p->node_lens = calloc(n, sizeof(*p->node_lens))) == NULL))
		goto out;
	for (size_t i = 0; i < n; i++, p->n_nodes++) {
		Jixiao__Node s = digest_node_stored((const Jixiao__Node *)sorted[i]);
		if (digest_pack(&s.base, &p->nodes[i], &p->node_lens[i]) != 0)
			goto out;
	}
	if (budget != NULL) {
		Jixiao__Budget b = *budget;
		b.has_final = b.has_rate = b.has_lines_total = 0;
		/* No budget facts and an empty budget are the same content. */
		if (protobuf_c_message_get_packed_size(&b.base) > 0 &&
		    digest_pack(&b.base, &p->budget, &p->budget_len) != 0)
			goto out;
	}
	if (nfindings > 0 && ((p->findings = calloc(nfindings, sizeof(*p->findings))) == NULL ||
	    (p->finding_lens = calloc(nfindings, sizeof(*p->finding_lens))) == NULL))
		goto out;
	for (size_t i = 0; i < nfindings; i++, p->n_findings++)
		if (digest_pack(&((const Jixiao__Finding *)fsorted[i])->base, &p->findings[i],
		    &p->finding_lens[i]) != 0)
			goto out;
	rv = 0;
out:
	free(sorted);
	free(fsorted);
	return rv;
}

void
digest_of_parts(uint64_t id, uint64_t revision, const uint8_t *head,
    const struct digest_parts *p, uint8_t out[DIGEST_LEN])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, DIGEST_LEN);
	crypto_generichash_update(&st, (const uint8_t *)DIGEST_CONTENT_CTX,
	    sizeof(DIGEST_CONTENT_CTX));
	digest_u64(&st, id);
	digest_u64(&st, revision);
	crypto_generichash_update(&st, head, DIGEST_LEN);
	digest_part(&st, p->header, p->header_len);
	for (size_t i = 0; i < p->n_nodes; i++)
		digest_part(&st, p->nodes[i], p->node_lens[i]);
	if (p->budget != NULL)
		digest_part(&st, p->budget, p->budget_len);
	for (size_t i = 0; i < p->n_findings; i++)
		digest_part(&st, p->findings[i], p->finding_lens[i]);
	crypto_generichash_final(&st, out, DIGEST_LEN);
}

int
digest_content(const Jixiao__Workspace *ws, uint64_t revision, const uint8_t *head,
    Jixiao__Node *const *nodes, size_t n, const Jixiao__Budget *budget,
    Jixiao__Finding *const *findings, size_t nfindings, uint8_t out[DIGEST_LEN])
{
	struct digest_parts p;
	int rv;

	if ((rv = digest_parts(ws, nodes, n, budget, findings, nfindings, &p)) == 0)
		digest_of_parts(ws->id, revision, head, &p, out);
	digest_parts_free(&p);
	return rv;
}

/* ("jixiao-sign-v1", kind, digest), each text with its NUL. */
static size_t
digest_statement(uint8_t *buf, size_t cap, const char *kind, const uint8_t digest[DIGEST_LEN])
{
	size_t a = sizeof(DIGEST_SIGN_CTX), b = strlen(kind) + 1;

	if (a + b + DIGEST_LEN > cap)
		return 0;
	memcpy(buf, DIGEST_SIGN_CTX, a);
	memcpy(buf + a, kind, b);
	memcpy(buf + a + b, digest, DIGEST_LEN);
	return a + b + DIGEST_LEN;
}

void
digest_sign(const char *kind, const uint8_t digest[DIGEST_LEN], const uint8_t *sk,
    uint8_t sig[64])
{
	uint8_t m[128];
	size_t n = digest_statement(m, sizeof(m), kind, digest);

	crypto_sign_detached(sig, NULL, m, n, sk);
}

int
digest_verify(const char *kind, const uint8_t digest[DIGEST_LEN], const uint8_t *pk,
    const uint8_t *sig, size_t siglen)
{
	uint8_t m[128];
	size_t n = digest_statement(m, sizeof(m), kind, digest);

	if (n == 0 || siglen != crypto_sign_BYTES)
		return -1;
	return crypto_sign_verify_detached(sig, m, n, pk) == 0 ? 0 : -1;
}
