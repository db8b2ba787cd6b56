/*
 * What jx prints: tables for people (Chinese text aligned by display width) and
 * pretty-printed JSON for scripts. Neither needs a locale. Write errors are left on
 * the FILE for the caller to check with ferror().
 */
#ifndef JX_OUT_H
#define JX_OUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * Display width of a UTF-8 string in terminal columns: East Asian wide and fullwidth
 * characters (CJK ideographs, Hangul, fullwidth forms, CJK punctuation like ，。：（）)
 * count 2, combining marks and zero-width characters 0, others 1; invalid UTF-8 bytes
 * count 1 each. NULL counts 0. No locale needed.
 */
size_t out_width(const char *s);

enum out_align { OUT_LEFT, OUT_RIGHT };

/*
 * A table of text cells, printed once all rows are in. The table owns copies of
 * every header and cell. When printed, control characters in cells show as a space
 * (tab, newline, carriage return) or U+FFFD (the others), and so do invalid UTF-8
 * bytes, so no cell can move the cursor or send escape sequences to a terminal.
 */
struct out_table;

/*
 * A table of ncols columns with the given headers (copied; headers or any of them
 * may be NULL, printing as empty). Returns NULL on ENOMEM or when ncols is 0.
 */
struct out_table *out_table_new(size_t ncols, const char *const headers[]);

/* Aligns column col, header included (default OUT_LEFT). A col out of range is ignored. */
void out_table_align(struct out_table *t, size_t col, enum out_align a);

/*
 * Caps column col at max_width display columns (0, the default, means no cap). A cell
 * or header wider than that is cut at a character boundary and ends in "…", which
 * counts one column. A col out of range is ignored.
 */
void out_table_max_width(struct out_table *t, size_t col, size_t max_width);

/*
 * Adds a row of ncols cells; the cells are copied, a NULL cell prints as empty
 * (NULL for cells adds an empty row).
 * Returns 0, or JX_EINTERNAL when out of memory (the table is unchanged).
 */
int out_table_row(struct out_table *t, const char *const cells[]);

/* The number of rows added so far. */
size_t out_table_nrows(const struct out_table *t);

/*
 * Prints the header, a rule line of '-' as wide as each column, then the rows: columns
 * separated by two spaces and padded by display width, trailing spaces trimmed. When f
 * is a terminal narrower than the table ($COLUMNS, else the terminal's own width), the
 * widest text columns are cut (ending in "…") to fit; written to a pipe or a file,
 * nothing is ever cut.
 */
void out_table_print(const struct out_table *t, FILE *f);

/* Frees the table and its copies; accepts NULL. */
void out_table_free(struct out_table *t);

/* Containers nested deeper than this are ignored, with everything inside them. */
#define OUT_JSON_DEPTH 32

/*
 * A streaming JSON writer to f (not owned; it must outlive the writer), pretty-printed
 * with two-space indent, keys in call order. Every call takes the member's key: it is
 * required inside an object (NULL writes ""), and ignored at top level and in arrays.
 * Strings are written as UTF-8 with '"', '\\' and control characters escaped and each
 * invalid byte replaced by U+FFFD. Successive top-level values go on separate lines.
 * All functions accept a NULL writer and then do nothing.
 */
struct out_json;

/* Returns NULL on ENOMEM. */
struct out_json *out_json_new(FILE *f);

/* Opens an object or an array, closed by out_json_end. */
void out_json_object(struct out_json *j, const char *key);
void out_json_array(struct out_json *j, const char *key);

/* Closes the innermost open object or array; with none open it does nothing. */
void out_json_end(struct out_json *j);

/* A string; a NULL v writes null. */
void out_json_string(struct out_json *j, const char *key, const char *v);
void out_json_int(struct out_json *j, const char *key, int64_t v);
void out_json_uint(struct out_json *j, const char *key, uint64_t v);
/* true when v is nonzero. */
void out_json_bool(struct out_json *j, const char *key, int v);
void out_json_null(struct out_json *j, const char *key);

/*
 * A fixed-point number in hundredths written as a JSON number without trailing zeros:
 * 488 → 4.88, 10000 → 100, 350 → 3.5, -5 → -0.05. Also fits money in fen → yuan.
 */
void out_json_hundredths(struct out_json *j, const char *key, int64_t v);

/* Closes any open containers, ends the document with a newline and frees j; accepts NULL. */
void out_json_free(struct out_json *j);

#endif
