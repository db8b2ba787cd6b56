/*
 * The performance-target table (绩效目标表) that units file before the year, as a CSV
 * with one row per project: 主管部门, 预算单位, 项目名称, 绩效目标, 绩效指标 (English
 * department, unit, project, goal, indicators), in any order, named by a header row
 * (rows above it are skipped; other columns are ignored; 项目名称 and 绩效指标 are
 * required). A blank 主管部门 or 预算单位 repeats the one above (merged cells).
 *
 * The 绩效指标 cell is free text listing the indicators, as in seed 004:
 *   1、效益指标：社会效益指标：系统用户总数，年度指标值：不低于600个。2、产出指标：…
 * Each indicator is [number、][category：[sub-category：]]name，年度指标值：target. Every
 * indicator has exactly one "指标值：" (or "年度指标值："); the text between one target
 * and the next name is split at the next indicator's category ("…指标：") and number,
 * or failing those at the last 。；; or ，. Targets are kept verbatim, with their ；
 * and ，; only the 。 that closes an item and spaces around it are dropped. Full-width
 * and half-width punctuation (：: ，, 、.．。；;) are both accepted.
 */
#ifndef JX_TARGET_TABLE_H
#define JX_TARGET_TABLE_H

#include <stddef.h>

#include "csv.h"

/* Longest 绩效指标 cell target_table_split accepts, in bytes. */
#define TARGET_TABLE_CELL_MAX CSV_MAX_CELL

struct target_table_item {
	int num;        /* the number written before it ("3、"), 0 when none */
	char *category; /* "效益指标/社会效益指标", "产出指标"; "" when none */
	char *name;     /* without the punctuation around it; "" when none given */
	char *target;   /* verbatim text after 指标值： */
};

struct target_table_project {
	char *department; /* 主管部门; "" when blank */
	char *unit;       /* 预算单位; "" when blank */
	char *name;       /* 项目名称 */
	char *goal;       /* 绩效目标; "" when blank */
	struct target_table_item *items;
	size_t nitems;
	size_t line; /* line of the project's row in the CSV */
};

struct target_table {
	struct target_table_project *projects;
	size_t n;
};

/*
 * Splits one 绩效指标 cell (UTF-8) into its indicators. On success *items is a new
 * array of *n items (NULL and 0 for a blank cell) that the caller frees with
 * target_table_items_free. On failure *items is NULL, *n 0, and the return is JX_EINVAL
 * with a sentence in why, "中文 / English", or JX_EINTERNAL when out of memory.
 */
int target_table_split(const char *cell, struct target_table_item **items, size_t *n, char *why,
    size_t whylen);

void target_table_items_free(struct target_table_item *items, size_t n);

/*
 * Reads the table in csv (which the caller keeps and frees). On success *out is a new
 * table the caller frees with target_table_free. On failure returns JX_EINVAL with a
 * sentence in why naming the row, column and header, or JX_EINTERNAL.
 */
int target_table_read(const struct csv *csv, struct target_table **out, char *why, size_t whylen);

void target_table_free(struct target_table *table);

#endif
