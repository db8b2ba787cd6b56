/*
 * jx export: a workspace's scoring sheet (评分表) and report written to a file, one
 * writer per format (export-FORMAT.c), all from one Tree.GetTree reply. The writers
 * read the tree through an export_sheet, which checks its shape once and works out
 * what every table layout needs: parents, subtree ends and leaf counts.
 */
#ifndef JX_EXPORT_H
#define JX_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "decimal.h"
#include "proto/jixiao.pb-c.h"
#include "tree-order.h"

#define EXPORT_ROOT ((size_t)-1)
/*
 * The deepest tree a table layout takes (one column per level): every level the server
 * lets indicators nest; a deeper tree of an older store is refused with its code.
 */
#define EXPORT_LEVELS_MAX TREE_DEPTH_MAX
/* Room for a why sentence. */
#define EXPORT_WHY_MAX 256

struct export_node {
	const Jixiao__Node *node; /* borrowed from the reply */
	size_t parent;            /* index of the parent, EXPORT_ROOT at level 1 */
	size_t end;               /* index just after its last descendant */
	size_t nchildren;
	size_t nleaves; /* leaves under it; 1 for a leaf */
	unsigned depth; /* 1 for a level-1 indicator */
};

struct export_sheet {
	const Jixiao__TreeReply *tree; /* borrowed: it must outlive the sheet */
	struct export_node *nodes;     /* in the reply's order: depth first */
	size_t n;
	unsigned depth; /* the deepest level, 0 for an empty tree */
	/* Set by the caller after export_sheet_init; borrowed, NULL when not fetched. */
	const Jixiao__ListFindingsReply *findings; /* 存在问题 / 建议 / 经验做法 */
	const Jixiao__TrendReply *trend;           /* the subject's years, for the html chart */
};

/*
 * Reads the shape of t into s. Returns 0, JX_EINVAL when the nodes are not depth first
 * with consistent depths and parents, JX_EPRECOND when they go deeper than
 * EXPORT_LEVELS_MAX (each with a sentence in why), or JX_EINTERNAL when out of memory.
 * s needs export_sheet_free either way.
 */
int export_sheet_init(struct export_sheet *s, const Jixiao__TreeReply *t, char *why, size_t whylen);
void export_sheet_free(struct export_sheet *s);

/* The level columns a table shows: the tree's depth, at least three (一/二/三级指标). */
unsigned export_levels(const struct export_sheet *s);

/* The writers. Each returns 0, or JX_EINVAL / JX_EINTERNAL with a sentence in why. */
/* The `jx import sheet` CSV: UTF-8 with BOM; re-imports to the same tree and scores. */
int export_csv(const struct export_sheet *s, FILE *f, char *why, size_t whylen);
/* A Markdown report: header block, budget facts, scoring table, total and grade. */
int export_md(const struct export_sheet *s, FILE *f, char *why, size_t whylen);
/* A standalone HTML report in the outline of seed 002, charts as inline SVG. */
int export_html(const struct export_sheet *s, FILE *f, char *why, size_t whylen);
/* The scoring sheet as an Excel workbook, written by libxlsxwriter to path. */
int export_xlsx(const struct export_sheet *s, const char *path, char *why, size_t whylen);

/*
 * Shared wording and numbers. Every function returning a const char * returns its buf
 * or a static string, never NULL.
 */
/* A node's name, or "（未命名指标）" when it has none. */
const char *export_name(const Jixiao__Node *n);
/* The evaluated unit (预算单位), else the supervising department, else "". */
const char *export_unit(const Jixiao__Workspace *ws);
/* "2023 年度重点绩效评价评分表". */
const char *export_sheet_title(const Jixiao__Workspace *ws, char *buf, size_t len);
/* A level's column header: "一级指标", "二级指标", … */
const char *export_level_header(unsigned level, char *buf, size_t len);
/* A number in Chinese numerals, as section headings write it: 1 → 一, 12 → 十二. */
const char *export_zh_number(unsigned v, char *buf, size_t len);
/*
 * Whether a node has a score to show, and which: a leaf its own or computed score once
 * it has one; a parent the sum of its children's once any of them is scored.
 */
bool export_score(const Jixiao__Node *n, int64_t *v);
/* The weight to show, when there is one. */
bool export_weight(const Jixiao__Node *n, int64_t *v);
/*
 * 得分率 = score / weight, in tenths of a percent rounded half away from zero, as seed
 * 002 writes it ("80.0%"). Returns false when the weight is not positive.
 */
bool export_rate(int64_t score, int64_t weight, int64_t *tenths);
/* The rate as text: "80.0%", or "—" when there is none. */
const char *export_rate_text(int64_t score, int64_t weight, char buf[DEC_BUFSZ]);
/* Money in fen as 万元 with two decimals ("507.74"), as the reports write budgets. */
const char *export_wan(int64_t fen, char buf[DEC_BUFSZ]);
/* The grade ("良"), or "—" when there is none. */
const char *export_grade(const Jixiao__TreeReply *t);
/* Whether n's target was not understood by the parser: exports mark it EXPORT_FLAG_NOTE. */
bool export_target_flagged(const Jixiao__Node *n);
#define EXPORT_FLAG_NOTE "（⚑指标值未能识别）"
/* Findings in the order seed 002 reports them: experience, problems, recommendations. */
#define EXPORT_FINDING_KINDS 3
extern const Jixiao__FindingKind export_finding_order[EXPORT_FINDING_KINDS];
/* A report's heading for a kind of finding: "主要经验做法", "存在问题", "相关建议". */
const char *export_finding_heading(Jixiao__FindingKind kind);
/* The number of findings of kind (all kinds when kind is 0). */
size_t export_findings_count(const struct export_sheet *s, Jixiao__FindingKind kind);
/* The number of evidence files in the tree: the archive inventory's rows. */
size_t export_evidence_count(const struct export_sheet *s);
/* An evidence file's BLAKE2b hash as hex, into buf (2 × 32 + 1 bytes at least). */
#define EXPORT_HASH_HEX 65
const char *export_hash_hex(const Jixiao__Evidence *e, char buf[EXPORT_HASH_HEX]);

/* What a report says when a veto (否定性指标) capped the grade. */
#define EXPORT_VETO_NOTE "否定性指标未达标，不得评为优、良等次。"

struct cli;
/*
 * An archive of workspace ws (common/archive.h) fetched from the server: the tree with
 * its total and grade, every history record as stored, the template's grade bands and
 * the signers' keys, packed and sealed into *buf (malloc'd; caller frees) and *len.
 * Progress goes to a terminal's stderr when progress is true. Returns a sysexits code,
 * 0 on success, after telling the user what went wrong.
 */
int export_archive_fetch(struct cli *cli, uint64_t ws, bool progress, uint8_t **buf,
    size_t *len);

#endif
