#include "sheet.h"

#include <stdio.h>
#include <string.h>

#include "decimal.h"
#include "err.h"
#include "method.h"

static int
sheet_leaf(struct sheet *s, struct sheet_node *n, const struct method_context *ctx)
{
	struct method m;
	int64_t score;
	bool vetoed;
	int rv;

	if (method_parse(n->method, n->params, &m, n->note, sizeof(n->note)) != 0)
		return JX_EINVAL;
	if (m.kind == METHOD_MANUAL) {
		n->scored = n->has_score;
		n->total = n->has_score ? n->score : 0;
		return JX_OK;
	}
	n->computed = true;
	rv = method_score(&m, n->has_weight ? n->weight : 0, n->target, n->actual, ctx, &score,
	    &vetoed, n->note, sizeof(n->note));
	if (rv != 0) {
		/* Not scorable yet (or inputs that contradict it): unscored, with the reason. */
		n->scored = false;
		n->total = 0;
		return JX_OK;
	}
	n->scored = true;
	n->total = score;
	n->vetoed = vetoed;
	s->vetoed |= vetoed;
	return JX_OK;
}

int
sheet_compute(struct sheet *s)
{
	struct method_context ctx = { s->has_rate, s->rate };
	int64_t sum = 0;
	size_t i;

	s->total = 0;
	s->weight = 0;
	s->unscored = 0;
	s->vetoed = false;
	s->grade = NULL;
	for (i = 0; i < s->n; i++) {
		struct sheet_node *n = &s->nodes[i];
		if (n->parent != SHEET_ROOT && n->parent >= i)
			return JX_EINVAL;
		n->leaf = true;
		n->computed = n->vetoed = false;
		n->total = 0;
		n->unscored = 0;
		n->note[0] = '\0';
	}
	for (i = 0; i < s->n; i++)
		if (s->nodes[i].parent != SHEET_ROOT)
			s->nodes[s->nodes[i].parent].leaf = false;
	for (i = 0; i < s->n; i++) {
		struct sheet_node *n = &s->nodes[i];
		if (n->leaf && sheet_leaf(s, n, &ctx) != 0)
			return JX_EINVAL;
		if (n->leaf)
			n->unscored = n->scored ? 0 : 1;
	}
	/* Children come after parents: sum bottom-up by walking backwards. */
	for (i = s->n; i-- > 0;) {
		struct sheet_node *n = &s->nodes[i];
		if (!n->leaf)
			n->scored = n->unscored == 0;
		if (n->parent == SHEET_ROOT) {
			sum += n->total;
			s->unscored += n->unscored;
			if (n->has_weight)
				s->weight += n->weight;
			continue;
		}
		s->nodes[n->parent].total += n->total;
		s->nodes[n->parent].unscored += n->unscored;
	}
	if (sum > DEC_MAX || sum < -DEC_MAX)
		return JX_EINVAL;
	s->total = sum + s->adjustments;
	return score_grade(s->grades != NULL ? s->grades : &score_grades_guangzhou, s->total,
	    s->vetoed, &s->grade);
}
