#include "import.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "method.h"

static char *
or_null(char *s)
{
	return s != NULL && s[0] != '\0' ? s : NULL;
}

static bool
import_is_computed(const char *method)
{
	struct method m;
	char why[128];

	return or_null((char *)method) != NULL &&
	    method_parse(method, NULL, &m, why, sizeof(why)) == 0 && m.kind != METHOD_MANUAL;
}

int
import_nodes_from_sheet(const struct sheet_csv *sheet, uint64_t ws, struct import_nodes *out)
{
	memset(out, 0, sizeof(*out));
	if (sheet->n == 0)
		return JX_OK;
	if ((out->reqs = calloc(sheet->n, sizeof(*out->reqs))) == NULL ||
	    (out->refs = calloc(sheet->n, sizeof(*out->refs))) == NULL ||
	    (out->ptrs = calloc(sheet->n, sizeof(*out->ptrs))) == NULL) {
		import_nodes_free(out);
		return JX_EINTERNAL;
	}
	for (size_t i = 0; i < sheet->n; i++) {
		const struct sheet_csv_node *n = &sheet->nodes[i];
		Jixiao__AddNodeRequest *r = &out->reqs[i];

		jixiao__add_node_request__init(r);
		jixiao__node_ref__init(&out->refs[i]);
		r->workspace = ws;
		r->code = (char *)n->code;
		r->name = n->name;
		if (n->parent >= 0) {
			out->refs[i].code = (char *)sheet->nodes[n->parent].code;
			r->parent = &out->refs[i];
		}
		r->has_weight = 1;
		r->weight = n->weight;
		/*
		 * A leaf scored by a method gets its score computed; the sheet's number is
		 * kept as the stated score, for jx check to compare with the computed one.
		 */
		if (n->adjustment) {
			/* Its points are the method's parameter (sheet-csv.h): nothing to state. */
		} else if (n->nchildren == 0 && n->has_score && import_is_computed(n->method)) {
			r->has_stated = 1;
			r->stated = n->score;
		} else {
			r->has_score = n->nchildren == 0 && n->has_score;
			r->score = n->score;
		}
		/* A 小计 row's figure for a parent. */
		if (n->nchildren > 0 && n->has_stated) {
			r->has_stated = 1;
			r->stated = n->stated;
		}
		r->criteria = or_null(n->criteria);
		r->comment = or_null(n->comment);
		r->target = or_null(n->target);
		r->actual = or_null(n->actual);
		r->method = or_null(n->method);
		r->params = or_null(n->params);
		r->category = or_null(n->category);
		out->ptrs[i] = r;
	}
	out->n = sheet->n;
	return JX_OK;
}

void
import_nodes_free(struct import_nodes *nodes)
{
	free(nodes->reqs);
	free(nodes->ptrs);
	free(nodes->refs);
	memset(nodes, 0, sizeof(*nodes));
}
