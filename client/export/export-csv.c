/* jx export --format csv: the scoring sheet in the `jx import sheet` format. */
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "export.h"
#include "sheet-csv.h"

static char *
export_csv_text(const char *s)
{
	return s != NULL ? (char *)s : "";
}

/*
 * The score the sheet gives a leaf. A computed one is read back as the stated score,
 * and its method computes it again; a negative one (加减分) cannot be written, as the
 * sheet takes no negative numbers, and is left for the method alone.
 */
static bool
export_csv_score(const struct export_node *e, int64_t *v)
{
	const Jixiao__Node *n = e->node;

	if (e->nchildren > 0)
		return false;
	if (n->unscored == 0)
		*v = n->total;
	else if (n->computed && n->has_stated)
		*v = n->stated;
	else if (n->has_score)
		*v = n->score;
	else
		return false;
	return *v >= 0;
}

int
export_csv(const struct export_sheet *s, FILE *f, char *why, size_t whylen)
{
	struct sheet_csv sheet = { 0 };
	int rv;

	if (s->depth > SHEET_CSV_LEVELS) {
		snprintf(why, whylen,
		    "the tree is %u levels deep and a scoring-sheet CSV holds at "
		    "most %d; export it as xlsx, md or html instead",
		    s->depth, SHEET_CSV_LEVELS);
		return JX_EINVAL;
	}
	if (s->n == 0) {
		snprintf(why, whylen, "the workspace has no indicators to export yet");
		return JX_EINVAL;
	}
	/* The strings are borrowed from the reply: only the array is freed below. */
	if ((sheet.nodes = calloc(s->n, sizeof(*sheet.nodes))) == NULL)
		return JX_EINTERNAL;
	sheet.n = s->n;
	for (size_t i = 0; i < s->n; i++) {
		const struct export_node *e = &s->nodes[i];
		const Jixiao__Node *n = e->node;
		struct sheet_csv_node *c = &sheet.nodes[i];

		snprintf(c->code, sizeof(c->code), "%s", n->code);
		c->parent = e->parent == EXPORT_ROOT ? -1 : (ptrdiff_t)e->parent;
		c->depth = (int)e->depth;
		c->nchildren = e->nchildren;
		c->name = (char *)export_name(n);
		/* A leaf needs a weight to be read back: one never given is written as 0. */
		c->weight_stated = e->nchildren == 0 || n->has_weight;
		c->weight = n->has_weight ? n->weight : 0;
		c->has_score = export_csv_score(e, &c->score);
		c->criteria = export_csv_text(n->criteria);
		c->comment = export_csv_text(n->comment);
		c->target = export_csv_text(n->target);
		c->actual = export_csv_text(n->actual);
		c->method = export_csv_text(n->method);
		c->params = export_csv_text(n->params);
		c->category = export_csv_text(n->category);
	}
	if ((rv = sheet_csv_write(&sheet, f)) != JX_OK)
		snprintf(why, whylen, "cannot write the CSV");
	free(sheet.nodes);
	return rv;
}
