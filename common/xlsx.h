/*
 * Excel workbooks (Office Open XML, .xlsx, as Excel, WPS and LibreOffice save them)
 * read into tables of text cells (csv.h), so that every importer that reads a CSV reads
 * a sheet of a workbook the same way. The container is read with libzip and every part
 * is streamed through expat; nothing is ever evaluated.
 *
 * What a cell reads as:
 *   - a number as the shortest decimal that gives back the stored double ("4.88", not
 *     "4.8799999999999999"); a cell with a percent format as the percentage with at
 *     least the format's decimals (0.844 with 0.00% → "84.40%"); a cell with a date or
 *     time format as an ISO date ("2023-05-01", "2023-05-01 14:30"), never as a number;
 *   - shared and inline strings as their text (rich text runs joined; phonetic runs and
 *     _xHHHH_ escapes as Excel means them);
 *   - a formula as its cached result (<v>): a workbook that was never calculated reads
 *     as the value the writer cached, often 0;
 *   - TRUE / FALSE for booleans, the error text ("#DIV/0!") for errors.
 * A merged range's value is copied down to every row the range spans (in its first
 * column), so a level-1 name merged over five rows reads as that name on each of them;
 * a name merged across columns stays in its first column. Rows that hold nothing are
 * left out; each row keeps its sheet row number as its line, so messages name the row
 * the user sees.
 *
 * Caps (a file over a cap is refused with a sentence saying which, never truncated):
 * the file, each part and all parts together decompressed, the sheets, shared strings,
 * merged ranges, and the rows, columns and cell size of csv.h.
 */
#ifndef JX_XLSX_H
#define JX_XLSX_H

#include <stdbool.h>
#include <stddef.h>

#include "csv.h"

#define XLSX_MAX_FILE ((size_t)64 << 20)   /* the workbook file as stored */
#define XLSX_MAX_PART ((size_t)256 << 20)  /* one part, decompressed */
#define XLSX_MAX_TOTAL ((size_t)512 << 20) /* all parts read, decompressed */
#define XLSX_MAX_SHEETS 256
#define XLSX_MAX_STRINGS ((size_t)1 << 22) /* shared strings */
#define XLSX_MAX_MERGES 100000
#define XLSX_MAX_ROWS CSV_MAX_ROWS
#define XLSX_MAX_COLS CSV_MAX_COLS
#define XLSX_MAX_CELL CSV_MAX_CELL

/* Room for any sentence this module puts in a why buffer. */
#define XLSX_WHY_MAX 512

struct xlsx;

/* What the first bytes of a file say it is. */
enum xlsx_kind {
	XLSX_KIND_OTHER,     /* not a workbook container: CSV text, perhaps */
	XLSX_KIND_ZIP,       /* a zip archive: an .xlsx (or another OOXML file) */
	XLSX_KIND_BIFF,      /* an OLE compound file: .xls or WPS .et (convert it first) */
	XLSX_KIND_ENCRYPTED, /* an OLE compound file holding an encrypted OOXML package */
};
enum xlsx_kind xlsx_kind(const void *data, size_t len);

/*
 * Opens the workbook in len bytes of data, which the caller keeps unchanged until
 * xlsx_free. Reads the sheet list, shared strings and number formats. On success *out is
 * a new workbook; on failure *out is untouched and the return is JX_EINVAL with a
 * sentence in why (Chinese, then English): not a zip, truncated or damaged, encrypted,
 * not a workbook, over a cap; or JX_EINTERNAL when out of memory.
 */
int xlsx_open(const void *data, size_t len, struct xlsx **out, char *why, size_t whylen);

size_t xlsx_nsheets(const struct xlsx *x);
/* A sheet's name as the workbook gives it ("评分表"); "" when i is out of range. */
const char *xlsx_sheet_name(const struct xlsx *x, size_t i);

/*
 * Reads sheet i (0-based, in the workbook's order) into a new table that the caller
 * frees with csv_free. On failure the return is JX_EINVAL with a sentence naming the
 * sheet, and the row and column where there is one (「评分表」第 12 行第 D 列), or
 * JX_EINTERNAL when out of memory.
 */
int xlsx_sheet(struct xlsx *x, size_t i, struct csv **out, char *why, size_t whylen);

void xlsx_free(struct xlsx *x);

/* A column's letters: 1 → "A", 27 → "AA". */
const char *xlsx_column(size_t col, char buf[8]);

#endif
