/* What a workbook exported for editing carries so that jx import edits can trust it. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "err.h"
#include "export.h"

char *
export_comment(const Jixiao__Node *n)
{
	const char *comment = n->comment != NULL ? n->comment : "";
	size_t len;
	char *text;

	if (n->note == NULL || n->note[0] == '\0')
		return strdup(comment);
	len = strlen(comment) + strlen(n->note) + 32;
	if ((text = malloc(len)) == NULL)
		return NULL;
	snprintf(text, len, "%s%s未评分：%s", comment, comment[0] != '\0' ? "\n" : "", n->note);
	return text;
}

/* A field: its length, then its bytes, so that no two sequences hash alike. */
static void
export_edit_field(crypto_generichash_state *h, const char *s)
{
	uint8_t len[8];
	size_t n = s != NULL ? strlen(s) : 0;

	for (int i = 0; i < 8; i++)
		len[i] = (uint8_t)((uint64_t)n >> (8 * i));
	crypto_generichash_update(h, len, sizeof(len));
	if (n > 0)
		crypto_generichash_update(h, (const uint8_t *)s, n);
}

static void
export_edit_number(crypto_generichash_state *h, bool has, int64_t v)
{
	char buf[32];

	if (has)
		snprintf(buf, sizeof(buf), "%" PRId64, v);
	else
		snprintf(buf, sizeof(buf), "-");
	export_edit_field(h, buf);
}

int
export_edit_digest(const struct export_sheet *s, uint8_t out[EXPORT_EDIT_DIGEST_LEN])
{
	crypto_generichash_state h;
	int64_t v = 0;
	bool has;

	crypto_generichash_init(&h, NULL, 0, EXPORT_EDIT_DIGEST_LEN);
	export_edit_field(&h, EXPORT_EDIT_MAGIC);
	export_edit_number(&h, true, (int64_t)s->tree->workspace->id);
	export_edit_number(&h, true, (int64_t)s->tree->workspace->revision);
	export_edit_number(&h, true, (int64_t)export_levels(s));
	for (size_t i = 0; i < s->n; i++) {
		const Jixiao__Node *n = s->nodes[i].node;
		char *comment;

		if (s->nodes[i].nchildren > 0)
			continue;
		if ((comment = export_comment(n)) == NULL)
			return JX_EINTERNAL;
		export_edit_number(&h, true, (int64_t)n->id);
		export_edit_number(&h, true, (int64_t)n->revision);
		export_edit_field(&h, export_name(n));
		has = export_weight(n, &v);
		export_edit_number(&h, has, v);
		has = export_score(n, &v);
		export_edit_number(&h, has, v);
		export_edit_field(&h, n->criteria);
		export_edit_field(&h, comment);
		free(comment);
	}
	crypto_generichash_final(&h, out, EXPORT_EDIT_DIGEST_LEN);
	return JX_OK;
}
