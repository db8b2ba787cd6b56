/*
 * CSV as spreadsheets save it (RFC 4180): cells separated by commas, rows ended by CRLF
 * or LF (a lone CR ends a row too), a cell in double quotes may hold commas, line breaks
 * and doubled quotes (""). A quote inside an unquoted cell is kept as it is; text after a
 * closing quote is refused. Line breaks inside a quoted cell come back as LF.
 *
 * Encoding: a UTF-8 byte-order mark is skipped. Input that is not valid UTF-8 is taken as
 * GB18030 (what Excel saves on a Chinese Windows) and converted; the result is always
 * valid UTF-8 or the input is refused. UTF-16 and input holding NUL bytes are refused.
 *
 * A cell that starts with an apostrophe followed by = + - @ (or more apostrophes and
 * then one of those), as csv_write_row guards formulas, loses that one apostrophe.
 */
#ifndef JX_CSV_H
#define JX_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Caps: larger input is refused with a sentence saying which cap, never truncated. */
#define CSV_MAX_BYTES ((size_t)32 << 20) /* the input, before conversion */
#define CSV_MAX_ROWS 100000
#define CSV_MAX_COLS 256
#define CSV_MAX_CELL ((size_t)64 << 10) /* one cell's bytes, after conversion */

/* Room for any sentence this module and its readers put in a why buffer. */
#define CSV_WHY_MAX 512

struct csv;

/*
 * Parses len bytes of data (no terminator needed). On success *out is a new table that
 * the caller frees with csv_free. On failure *out is untouched and the return is
 * JX_EINVAL, with a sentence in why (Chinese, then English) naming the line of the file
 * and the column, or JX_EINTERNAL when memory or iconv fails. why may be NULL.
 */
int csv_parse(const char *data, size_t len, struct csv **out, char *why, size_t whylen);

size_t csv_nrows(const struct csv *csv);

/* Cells in a row as written (a blank line is one empty cell); 0 when row is out of range. */
size_t csv_ncols(const struct csv *csv, size_t row);

/* A cell, NUL-terminated UTF-8 owned by csv; "" when row or col is out of range. */
const char *csv_cell(const struct csv *csv, size_t row, size_t col);

/* The 1-based line of the file on which a row starts; 0 when row is out of range. */
size_t csv_line(const struct csv *csv, size_t row);

void csv_free(struct csv *csv);

/*
 * A table built row by row (a sheet of a workbook, common/xlsx.h): csv_new, then per
 * row csv_add_row with the line (row number) messages name, and its cells left to
 * right with csv_add_cell (UTF-8, no NUL; copied). The same caps as csv_parse: JX_ENOSPC
 * beyond CSV_MAX_ROWS rows, CSV_MAX_COLS cells in a row or CSV_MAX_CELL bytes in a cell,
 * JX_EINVAL for a NUL or a cell before any row, JX_EINTERNAL when out of memory.
 */
struct csv *csv_new(void);
int csv_add_row(struct csv *csv, size_t line);
int csv_add_cell(struct csv *csv, const char *s, size_t len);

/*
 * Writes one row of n cells and a CRLF, quoting the cells that need it. A cell that a
 * spreadsheet would run as a formula (= + - @ tab CR at its start; not a plain number)
 * is written with an apostrophe in front, which csv_parse takes off again. Returns 0,
 * or JX_EINTERNAL when the stream reports an error.
 */
int csv_write_row(FILE *f, const char *const *cells, size_t n);

/*
 * Helpers for readers of tables in CSV.
 *
 * csv_trim: the length of s without the spaces around it (ASCII white space, U+3000
 * ideographic space, U+00A0); *start points at its first other character.
 * csv_blank: true when s is empty or only such spaces.
 * csv_header_eq: whether a header cell names a column: spaces around it, ASCII spaces,
 * '_' and '-' inside it and ASCII case do not count ("Level 1" names "level1").
 */
size_t csv_trim(const char *s, const char **start);
bool csv_blank(const char *s);
bool csv_header_eq(const char *cell, const char *name);

/*
 * Writes "第 L 行第 C 列「H」：zh / row L, column C (H): en" into why; without the column
 * part when col is 0 and without 「H」 when header is NULL. Returns JX_EINVAL.
 */
int csv_why(char *why, size_t whylen, size_t line, size_t col, const char *header, const char *zh,
    const char *en);

#endif
