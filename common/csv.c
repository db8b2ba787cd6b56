#include "csv.h"

#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "text.h"

struct csv_row {
	size_t first; /* index of the row's first cell in cells */
	size_t ncols;
	size_t line;
};

struct csv {
	char *text;      /* every cell, each NUL-terminated */
	uint32_t *cells; /* offset of each cell in text; text stays below 4 GiB */
	struct csv_row *rows;
	size_t nrows;
	/* Used and allocated, for a table built with csv_add_row and csv_add_cell. */
	size_t textlen, textcap, ncells, cellscap, rowscap;
};

struct csv_parser {
	const char *p, *end;
	size_t line;
	char *text;
	size_t textlen, textcap;
	uint32_t *cells;
	size_t ncells, cellscap;
	struct csv_row *rows;
	size_t nrows, rowscap;
	char *why;
	size_t whylen;
};

/* Makes room for one more element of size sz in *buf (capacity *cap, in elements). */
static int
csv_grow(void **buf, size_t *cap, size_t used, size_t sz)
{
	size_t ncap;
	void *nb;

	if (used < *cap)
		return JX_OK;
	ncap = *cap == 0 ? 64 : *cap * 2;
	if (ncap > SIZE_MAX / sz)
		return JX_EINTERNAL;
	if ((nb = realloc(*buf, ncap * sz)) == NULL)
		return JX_EINTERNAL;
	*buf = nb;
	*cap = ncap;
	return JX_OK;
}

static int
csv_putc(struct csv_parser *ps, char c)
{
	if (csv_grow((void **)&ps->text, &ps->textcap, ps->textlen, 1) != JX_OK)
		return JX_EINTERNAL;
	ps->text[ps->textlen++] = c;
	return JX_OK;
}

static size_t
csv_count_lines(const char *s, size_t n)
{
	size_t line = 1;

	for (size_t i = 0; i < n; i++)
		if (s[i] == '\n')
			line++;
	return line;
}

/*
 * Formula injection (CSV/DDE): a spreadsheet runs a cell that starts with = + - @, a tab
 * or a CR as a formula; a LF is guarded too, since a quoted cell's lone CR reads back as
 * one (csv_parse keeps every line break as LF). csv_write_row writes such a cell with an apostrophe in front,
 * which Excel and WPS show as text, and so also a cell that already starts with
 * apostrophes followed by one of those; csv_parse takes one apostrophe off such a cell,
 * so that what was written reads back exactly. A plain number ("-2", "+1.5") is no
 * formula and is written as it is.
 */
static bool
csv_formula_start(const char *s, size_t len)
{
	size_t i = 0;

	if (len == 0 || strchr("=+-@\t\r\n", s[0]) == NULL || s[0] == '\0')
		return false;
	if (s[0] == '+' || s[0] == '-') {
		bool digit = false, dot = false;

		for (i = 1; i < len; i++) {
			if (s[i] >= '0' && s[i] <= '9')
				digit = true;
			else if (s[i] == '.' && !dot)
				dot = true;
			else
				break;
		}
		if (i == len && digit)
			return false;
	}
	return true;
}

/* Whether writing s needs an apostrophe in front (see csv_formula_start). */
static bool
csv_guarded(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len && s[i] == '\'')
		i++;
	return csv_formula_start(s + i, len - i);
}

/* Takes the guarding apostrophe off s[0..len); returns the new length. */
static size_t
csv_unguard(char *s, size_t len)
{
	if (len < 2 || s[0] != '\'' || !csv_guarded(s + 1, len - 1))
		return len;
	memmove(s, s + 1, len - 1);
	return len - 1;
}

/* Reads one cell at ps->p; col is 1-based, for messages. */
static int
csv_read_cell(struct csv_parser *ps, size_t rowline, size_t col)
{
	size_t start = ps->textlen;
	int quoted = ps->p < ps->end && *ps->p == '"';

	if (csv_grow((void **)&ps->cells, &ps->cellscap, ps->ncells, sizeof(uint32_t)) != JX_OK)
		return JX_EINTERNAL;
	ps->cells[ps->ncells++] = (uint32_t)start;
	if (quoted) {
		ps->p++;
		for (;;) {
			char c;

			if (ps->p == ps->end)
				return csv_why(ps->why, ps->whylen, rowline, col, NULL,
				    "引号没有闭合", "a quoted cell is never closed");
			c = *ps->p;
			if (c == '"') {
				if (ps->p + 1 < ps->end && ps->p[1] == '"') {
					ps->p++;
				} else {
					ps->p++;
					break;
				}
			} else if (c == '\r') {
				/* CRLF and a lone CR are each one line break, kept as LF. */
				if (ps->p + 1 < ps->end && ps->p[1] == '\n')
					ps->p++;
				c = '\n';
			}
			if (c == '\n')
				ps->line++;
			ps->p++;
			if (csv_putc(ps, c) != JX_OK)
				return JX_EINTERNAL;
			if (ps->textlen - start > CSV_MAX_CELL)
				goto toolong;
		}
		if (ps->p < ps->end && *ps->p != ',' && *ps->p != '\r' && *ps->p != '\n')
			return csv_why(ps->why, ps->whylen, rowline, col, NULL,
			    "右引号后面还有文字（引号里的引号要写两次）",
			    "text after the closing quote (a quote inside quotes is written "
			    "twice)");
	} else {
		while (ps->p < ps->end && *ps->p != ',' && *ps->p != '\r' && *ps->p != '\n') {
			if (csv_putc(ps, *ps->p++) != JX_OK)
				return JX_EINTERNAL;
			if (ps->textlen - start > CSV_MAX_CELL)
				goto toolong;
		}
	}
	ps->textlen = start + csv_unguard(ps->text + start, ps->textlen - start);
	return csv_putc(ps, '\0');
toolong:
	return csv_why(ps->why, ps->whylen, rowline, col, NULL, "单元格超过 64 KiB",
	    "the cell is longer than 64 KiB");
}

/* Splits the UTF-8 text into rows and cells. */
static int
csv_split(struct csv_parser *ps)
{
	int rv;

	while (ps->p < ps->end) {
		struct csv_row row = { ps->ncells, 0, ps->line };

		if (ps->nrows == CSV_MAX_ROWS)
			return csv_why(ps->why, ps->whylen, ps->line, 0, NULL, "超过 100000 行",
			    "more than 100000 rows");
		for (;;) {
			if (row.ncols == CSV_MAX_COLS)
				return csv_why(ps->why, ps->whylen, row.line, row.ncols + 1, NULL,
				    "超过 256 列", "more than 256 columns");
			if ((rv = csv_read_cell(ps, row.line, row.ncols + 1)) != JX_OK)
				return rv;
			row.ncols++;
			if (ps->p < ps->end && *ps->p == ',') {
				ps->p++;
				continue;
			}
			if (ps->p < ps->end && *ps->p == '\r')
				ps->p++;
			if (ps->p < ps->end && *ps->p == '\n')
				ps->p++;
			ps->line++;
			break;
		}
		if (csv_grow((void **)&ps->rows, &ps->rowscap, ps->nrows, sizeof(row)) != JX_OK)
			return JX_EINTERNAL;
		ps->rows[ps->nrows++] = row;
	}
	return JX_OK;
}

/* Converts GB18030 to UTF-8 into a new NUL-terminated buffer. */
static int
csv_from_gb18030(const char *data, size_t len, char **out, char *why, size_t whylen)
{
	iconv_t cd;
	char *buf = NULL, *in = (char *)data, *o;
	size_t cap = len + len / 2 + 16, inleft = len, outleft;
	int rv = JX_OK;

	if ((cd = iconv_open("UTF-8", "GB18030")) == (iconv_t)-1) {
		snprintf(why, whylen, "无法从 GB18030 转换 / cannot convert from GB18030 here");
		return JX_EINTERNAL;
	}
	if ((buf = malloc(cap)) == NULL) {
		rv = JX_EINTERNAL;
		goto out;
	}
	o = buf;
	outleft = cap - 1;
	while (inleft > 0) {
		if (iconv(cd, &in, &inleft, &o, &outleft) != (size_t)-1)
			continue;
		if (errno == E2BIG) {
			size_t used = (size_t)(o - buf);
			char *nb;

			cap *= 2;
			if ((nb = realloc(buf, cap)) == NULL) {
				rv = JX_EINTERNAL;
				goto out;
			}
			buf = nb;
			o = buf + used;
			outleft = cap - used - 1;
			continue;
		}
		rv = csv_why(why, whylen, csv_count_lines(data, len - inleft), 0, NULL,
		    "文件既不是 UTF-8 也不是 GB18030 编码",
		    "the file is neither UTF-8 nor GB18030 text");
		goto out;
	}
	*o = '\0';
	*out = buf;
	buf = NULL;
out:
	free(buf);
	iconv_close(cd);
	return rv;
}

/* Gives the input as NUL-terminated UTF-8 text without a byte-order mark. */
static int
csv_decode(const char *data, size_t len, char **out, size_t *outlen, char *why, size_t whylen)
{
	const char *nul;
	char *text;
	size_t skip = 0;
	int rv;

	if (len >= 2 &&
	    (((unsigned char)data[0] == 0xff && (unsigned char)data[1] == 0xfe) ||
		((unsigned char)data[0] == 0xfe && (unsigned char)data[1] == 0xff))) {
		snprintf(why, whylen,
		    "文件是 UTF-16 编码，请另存为“CSV UTF-8”或 GB18030 / "
		    "the file is UTF-16: save it as \"CSV UTF-8\" or GB18030");
		return JX_EINVAL;
	}
	if ((nul = memchr(data, '\0', len)) != NULL)
		return csv_why(why, whylen, csv_count_lines(data, (size_t)(nul - data)), 0, NULL,
		    "含有 NUL 字节，不是 CSV 文本（是 Excel 文件吗？请另存为 CSV）",
		    "a NUL byte: this is not CSV text (an Excel file? save it as CSV)");
	if ((text = malloc(len + 1)) == NULL)
		return JX_EINTERNAL;
	memcpy(text, data, len);
	text[len] = '\0';
	if (!text_utf8_valid(text)) {
		free(text);
		text = NULL;
		if ((rv = csv_from_gb18030(data, len, &text, why, whylen)) != JX_OK)
			return rv;
		if (!text_utf8_valid(text)) {
			free(text);
			snprintf(why, whylen,
			    "转换后的文字不是有效的 UTF-8 / "
			    "the converted text is not valid UTF-8");
			return JX_EINVAL;
		}
	}
	if (strncmp(text, "\xef\xbb\xbf", 3) == 0)
		skip = 3;
	*outlen = strlen(text + skip);
	memmove(text, text + skip, *outlen + 1);
	*out = text;
	return JX_OK;
}

int
csv_parse(const char *data, size_t len, struct csv **out, char *why, size_t whylen)
{
	struct csv_parser ps = { 0 };
	struct csv *csv = NULL;
	char *text = NULL;
	size_t textlen;
	int rv;

	if (why != NULL && whylen > 0)
		why[0] = '\0';
	if (len > CSV_MAX_BYTES) {
		snprintf(why, whylen, "文件超过 32 MiB / the file is larger than 32 MiB");
		return JX_EINVAL;
	}
	if ((rv = csv_decode(data, len, &text, &textlen, why, whylen)) != JX_OK)
		return rv;
	ps.p = text;
	ps.end = text + textlen;
	ps.line = 1;
	ps.why = why;
	ps.whylen = whylen;
	if ((rv = csv_split(&ps)) != JX_OK)
		goto out;
	if ((csv = calloc(1, sizeof(*csv))) == NULL) {
		rv = JX_EINTERNAL;
		goto out;
	}
	csv->text = ps.text;
	csv->cells = ps.cells;
	csv->rows = ps.rows;
	csv->nrows = ps.nrows;
	ps.text = NULL;
	ps.cells = NULL;
	ps.rows = NULL;
	*out = csv;
out:
	free(ps.rows);
	free(ps.cells);
	free(ps.text);
	free(text);
	return rv;
}

size_t
csv_nrows(const struct csv *csv)
{
	return csv->nrows;
}

size_t
csv_ncols(const struct csv *csv, size_t row)
{
	return row < csv->nrows ? csv->rows[row].ncols : 0;
}

const char *
csv_cell(const struct csv *csv, size_t row, size_t col)
{
	if (row >= csv->nrows || col >= csv->rows[row].ncols)
		return "";
	return csv->text + csv->cells[csv->rows[row].first + col];
}

size_t
csv_line(const struct csv *csv, size_t row)
{
	return row < csv->nrows ? csv->rows[row].line : 0;
}

void
csv_free(struct csv *csv)
{
	if (csv == NULL)
		return;
	free(csv->rows);
	free(csv->cells);
	free(csv->text);
	free(csv);
}

struct csv *
csv_new(void)
{
	return calloc(1, sizeof(struct csv));
}

int
csv_add_row(struct csv *csv, size_t line)
{
	struct csv_row row = { csv->ncells, 0, line };

	if (csv->nrows == CSV_MAX_ROWS)
		return JX_ENOSPC;
	if (csv_grow((void **)&csv->rows, &csv->rowscap, csv->nrows, sizeof(row)) != JX_OK)
		return JX_EINTERNAL;
	csv->rows[csv->nrows++] = row;
	return JX_OK;
}

int
csv_add_cell(struct csv *csv, const char *s, size_t len)
{
	if (csv->nrows == 0)
		return JX_EINVAL;
	if (csv->rows[csv->nrows - 1].ncols == CSV_MAX_COLS || len > CSV_MAX_CELL)
		return JX_ENOSPC;
	if (memchr(s, '\0', len) != NULL)
		return JX_EINVAL;
	if (csv->textlen + len + 1 > UINT32_MAX)
		return JX_ENOSPC;
	if (csv_grow((void **)&csv->cells, &csv->cellscap, csv->ncells, sizeof(uint32_t)) != JX_OK)
		return JX_EINTERNAL;
	while (csv->textcap - csv->textlen < len + 1) {
		size_t ncap = csv->textcap == 0 ? 4096 : csv->textcap * 2;
		char *nt = realloc(csv->text, ncap);

		if (nt == NULL)
			return JX_EINTERNAL;
		csv->text = nt;
		csv->textcap = ncap;
	}
	memcpy(csv->text + csv->textlen, s, len);
	csv->text[csv->textlen + len] = '\0';
	csv->cells[csv->ncells++] = (uint32_t)csv->textlen;
	csv->textlen += len + 1;
	csv->rows[csv->nrows - 1].ncols++;
	return JX_OK;
}

int
csv_write_row(FILE *f, const char *const *cells, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *s = cells[i] != NULL ? cells[i] : "";
		bool guard;

		if (i > 0)
			putc(',', f);
		guard = csv_guarded(s, strlen(s));

		/* A byte-order mark at the start of a file would be read as one, not as text. */
		if (strpbrk(s, ",\"\r\n") == NULL && strncmp(s, "\xef\xbb\xbf", 3) != 0) {
			if (guard)
				putc('\'', f);
			fputs(s, f);
			continue;
		}
		putc('"', f);
		if (guard)
			putc('\'', f);
		for (; *s != '\0'; s++) {
			if (*s == '"')
				putc('"', f);
			putc(*s, f);
		}
		putc('"', f);
	}
	fputs("\r\n", f);
	return ferror(f) ? JX_EINTERNAL : JX_OK;
}

/* Length of the space character at s (ASCII white space, U+3000, U+00A0), or 0. */
static size_t
csv_space(const char *s)
{
	if (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n' || *s == '\v' || *s == '\f')
		return 1;
	if (strncmp(s, "\xe3\x80\x80", 3) == 0)
		return 3;
	if (strncmp(s, "\xc2\xa0", 2) == 0)
		return 2;
	return 0;
}

size_t
csv_trim(const char *s, const char **start)
{
	size_t n, len = 0, k;

	while ((n = csv_space(s)) > 0)
		s += n;
	*start = s;
	for (size_t i = 0; s[i] != '\0'; i += k) {
		if ((k = csv_space(s + i)) == 0) {
			k = 1;
			len = i + 1;
		}
	}
	return len;
}

bool
csv_blank(const char *s)
{
	const char *start;

	return csv_trim(s, &start) == 0;
}

static char
csv_fold(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

bool
csv_header_eq(const char *cell, const char *name)
{
	const char *s;
	size_t len = csv_trim(cell, &s), i = 0;

	for (;;) {
		while (i < len && (s[i] == ' ' || s[i] == '_' || s[i] == '-'))
			i++;
		while (*name == ' ' || *name == '_' || *name == '-')
			name++;
		if (i == len || *name == '\0')
			return i == len && *name == '\0';
		if (csv_fold(s[i]) != csv_fold(*name))
			return false;
		i++;
		name++;
	}
}

int
csv_why(char *why, size_t whylen, size_t line, size_t col, const char *header, const char *zh,
    const char *en)
{
	if (col == 0)
		snprintf(why, whylen, "第 %zu 行：%s / line %zu: %s", line, zh, line, en);
	else if (header == NULL)
		snprintf(why, whylen, "第 %zu 行第 %zu 列：%s / row %zu, column %zu: %s", line, col,
		    zh, line, col, en);
	else
		snprintf(why, whylen, "第 %zu 行第 %zu 列「%s」：%s / row %zu, column %zu (%s): %s",
		    line, col, header, zh, line, col, header, en);
	return JX_EINVAL;
}
