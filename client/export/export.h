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
	/* xlsx: the sheet for offline editing, with what jx import edits needs (below). */
	bool for_editing;
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
 * The HTML report printed to a PDF at path by headless Chromium (export-pdf.c): A4,
 * page numbers, rows not cut. JX_EPRECOND with a sentence when Chromium is not installed.
 */
int export_pdf(const struct export_sheet *s, const char *path, char *why, size_t whylen);
/* Whether Chromium is on $PATH, and where (into buf). */
bool export_pdf_browser(char *buf, size_t len);

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

/*
 * A workbook exported for editing (jx export --for-editing, jx import edits): the 评分表
 * sheet has a hidden column after 评价得分 holding each leaf row's indicator id, so the
 * id moves with its row when rows are inserted, deleted or sorted; a hidden, protected
 * sheet EXPORT_EDIT_SHEET holds, in column B of the rows named in column A:
 *   magic EXPORT_EDIT_MAGIC, workspace (id), revision (the workspace's, exported at),
 *   levels (the table's level columns), digest (export_edit_digest, hex);
 * then a row "id, revision, code" and one such row per leaf exported.
 */
#define EXPORT_EDIT_SHEET "jixiao"
#define EXPORT_EDIT_MAGIC "jixiao-edit-1"
#define EXPORT_EDIT_DIGEST_LEN 32
/* The columns of a leaf row (from 0): its name is in column depth - 1. */
#define EXPORT_COL_WEIGHT(levels) (levels)
#define EXPORT_COL_CRITERIA(levels) ((levels) + 1)
#define EXPORT_COL_COMMENT(levels) ((levels) + 2)
#define EXPORT_COL_SCORE(levels) ((levels) + 3)
#define EXPORT_COL_ID(levels) ((levels) + 4)
/*
 * BLAKE2b-256 over the workspace id and revision, the levels, and per leaf in order its
 * id, revision and the values exported (name, weight, score, criteria, comment as
 * export_comment writes it): what jx import edits checks the hidden sheet against.
 * Returns 0 or JX_EINTERNAL.
 */
int export_edit_digest(const struct export_sheet *s, uint8_t out[EXPORT_EDIT_DIGEST_LEN]);
/* The 评价情况 cell: the comment, and why a method could not score the leaf yet. Malloc'd. */
char *export_comment(const Jixiao__Node *n);

/*
 * The signature block (签字): one row per signature on the workspace, and what a report
 * says when it is not (yet) signed off. A final report has no placeholder text: a
 * section with nothing to show says plainly that there was none.
 */
struct export_signer {
	const char *role;    /* "签字提交 / submitted", "复核签字 / signed off" */
	const char *user;
	uint64_t revision;   /* the revision signed */
	char fingerprint[24]; /* the key's (common/key.h), "?" when the key is malformed */
	char digest[EXPORT_HASH_HEX]; /* the signed BLAKE2b digest, hex */
	char date[32];       /* UTC "2026-12-06 21:05", "" when not known */
};
/* Signature i of ws (0 ≤ i < ws->n_signatures) as a row of the block. */
void export_signer(const Jixiao__Workspace *ws, size_t i, struct export_signer *out);
/*
 * NULL when ws is final (signed off), else the sentence a report shows instead:
 * "草稿——未签字（draft — not signed）" or "已提交，尚未复核签字（submitted, not signed off）".
 */
const char *export_unsigned_note(const Jixiao__Workspace *ws);
/* Whether the report is final: signed off, no placeholders. */
bool export_final(const Jixiao__Workspace *ws);
/* What an empty section says: "尚未录入。" in a draft, "无。" in a final report. */
const char *export_none(const Jixiao__Workspace *ws);

/* What a report says when a veto (否定性指标) capped the grade. */
#define EXPORT_VETO_NOTE "否定性指标未达标，不得评为优、良等次。"

/*
 * The formats, and one entry point from the replies to a file or to bytes: what jx
 * export and jixiaod's Export call (export-format.c).
 */
enum export_format { EXPORT_CSV, EXPORT_MD, EXPORT_HTML, EXPORT_XLSX, EXPORT_PDF };
#define EXPORT_NFORMATS 5
/* What a format needs besides the tree (export_sheet's findings and trend). */
#define EXPORT_NEEDS_FINDINGS 1u
#define EXPORT_NEEDS_TREND 2u

/* "xlsx" (or "markdown" for md) → the format: 0, or -1 when there is none. */
int export_format_parse(const char *s, enum export_format *fmt);
/* The format a file name implies ("report.html" → html): 0, or -1. */
int export_format_of_path(const char *path, enum export_format *fmt);
/* "xlsx", and what it holds: "scoring sheet" or "report". */
const char *export_format_name(enum export_format fmt);
const char *export_format_what(enum export_format fmt);
/* Which of EXPORT_NEEDS_* the format reads. */
unsigned export_format_needs(enum export_format fmt);
/* The MIME type of the file ("application/vnd.openxmlformats-…" for xlsx). */
const char *export_format_mime(enum export_format fmt);
/*
 * Writes s as fmt to f (any format; xlsx and pdf go through a temporary file in $TMPDIR).
 * Returns 0, or JX_EINVAL / JX_EINTERNAL / JX_EIO with a sentence in why.
 */
int export_format_write(const struct export_sheet *s, enum export_format fmt, FILE *f,
    char *why, size_t whylen);
/*
 * The same as bytes: *buf (malloc'd; the caller frees it) and *len, nothing on failure.
 * At most EXPORT_BYTES_MAX bytes, else JX_ENOSPC.
 */
#define EXPORT_BYTES_MAX ((size_t)256 << 20)
int export_format_bytes(const struct export_sheet *s, enum export_format fmt, uint8_t **buf,
    size_t *len, char *why, size_t whylen);

/* What an archive (common/archive.h) is made of: the replies jx fetches for it. */
struct export_archive_in {
	const Jixiao__CheckpointReply *checkpoint; /* the signed head, read before the tree */
	const Jixiao__TreeReply *tree;
	const Jixiao__Template *tmpl;         /* the workspace's template, NULL when none */
	const ProtobufCBinaryData *records;   /* history records 1..N as stored */
	size_t nrecords;                      /* N: the tree's revision */
	/* The workspace's users as the server knows them now (Users.Members), or NULL: each
	 * signer's standing (disabled, keys replaced since) goes into the archive. */
	const Jixiao__ListUsersReply *members;
	const char *exported_by;              /* NULL when not known */
	int64_t exported_at;                  /* Unix seconds */
};
/*
 * Packs and seals the archive of in into *buf (malloc'd; the caller frees it) and *len.
 * Returns 0, JX_EINVAL (a record does not decode, no workspace), JX_ENOSPC (larger than
 * ARCHIVE_MAX) with a sentence in why, or JX_EINTERNAL when out of memory.
 */
int export_archive(const struct export_archive_in *in, uint8_t **buf, size_t *len, char *why,
    size_t whylen);

#endif
