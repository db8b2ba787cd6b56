/*
 * The scoring sheet (评分表) as a whole: every leaf scored by its method or by its
 * evaluator, totals summed up the tree, adjustments (加减分) added, and the grade
 * read off the template's bands with any veto applied. Both jixiaod and jx compute
 * with this, so a sheet can be checked offline.
 */
#ifndef JX_SHEET_H
#define JX_SHEET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "score.h"

#define SHEET_ROOT ((size_t)-1)
#define SHEET_NOTE_MAX 160

struct sheet_node {
	/* In: the caller's, borrowed for the computation. */
	const char *code, *target, *actual, *method, *params;
	size_t parent;          /* index of the parent, earlier in the array; SHEET_ROOT */
	bool has_weight;
	int64_t weight;
	bool has_score;         /* the evaluator's score, for manual leaves */
	int64_t score;
	/* Out. */
	bool leaf;
	bool computed;          /* scored by its method */
	bool scored;            /* a leaf with a score, or a parent whose leaves all have one */
	int64_t total;          /* a leaf's score, or Σ children */
	unsigned unscored;      /* leaves under it (itself for a leaf) without a score */
	bool vetoed;
	char note[SHEET_NOTE_MAX]; /* why a method could not score the leaf */
};

struct sheet {
	struct sheet_node *nodes; /* parents before their children */
	size_t n;
	bool has_rate;            /* budget execution rate, hundredths of a percent */
	int64_t rate;
	int64_t adjustments;      /* 加减分, hundredths */
	const struct score_grades *grades; /* NULL: Guangzhou's five bands */
	/* Out. */
	int64_t total;            /* Σ leaves + adjustments */
	int64_t weight;           /* Σ level-1 weights */
	unsigned unscored;
	bool vetoed;
	const struct score_grade *grade;
};

/*
 * Computes every output field. A leaf whose method cannot score it yet counts as
 * unscored, with the reason in its note; a method that does not parse is JX_EINVAL
 * (the server refuses such methods when they are set). Returns 0 or JX_EINVAL.
 */
int sheet_compute(struct sheet *s);

#endif
