#include "target-table.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "text.h"

/* Category words, longest matched first when text runs into a category unseparated. */
static const char *const target_table_categories[] = {
	"服务对象满意度",
	"生态环境成本",
	"可持续影响",
	"经济效益",
	"社会效益",
	"生态效益",
	"文化效益",
	"经济成本",
	"社会成本",
	"满意度",
	"产出",
	"效益",
	"成本",
	"数量",
	"质量",
	"时效",
};

#define WORD_INDICATOR "指标" /* 6 bytes */
#define WORD_VALUE "指标值"   /* 9 bytes */
#define WORD_YEAR "年度"      /* 6 bytes */
#define CATEGORY_CHARS 12     /* longest category word before 指标, in characters */

/* Room for one side of a message. */
#define MSG_MAX 256

struct target_table_marker {
	size_t start; /* where "年度指标值" or "指标值" begins */
	size_t value; /* where the target text begins */
};

/* The code point at s[i] (s is valid UTF-8) and its length in *len. */
static uint32_t
target_table_cp(const char *str, size_t i, size_t *len)
{
	const unsigned char *s = (const unsigned char *)str + i;

	if (s[0] < 0x80) {
		*len = 1;
		return s[0];
	}
	if ((s[0] & 0xe0) == 0xc0) {
		*len = 2;
		return (uint32_t)(s[0] & 0x1f) << 6 | (s[1] & 0x3f);
	}
	if ((s[0] & 0xf0) == 0xe0) {
		*len = 3;
		return (uint32_t)(s[0] & 0x0f) << 12 | (uint32_t)(s[1] & 0x3f) << 6 | (s[2] & 0x3f);
	}
	*len = 4;
	return (uint32_t)(s[0] & 0x07) << 18 | (uint32_t)(s[1] & 0x3f) << 12 |
	    (uint32_t)(s[2] & 0x3f) << 6 | (s[3] & 0x3f);
}

/* Where the character before s[i] starts (i > 0). */
static size_t
target_table_prev(const char *s, size_t i)
{
	do
		i--;
	while (i > 0 && ((unsigned char)s[i] & 0xc0) == 0x80);
	return i;
}

/* The code point before s[i], and where it starts in *at; 0 when i is at or before a. */
static uint32_t
target_table_before(const char *s, size_t a, size_t i, size_t *at)
{
	size_t len;

	if (i <= a) {
		*at = i;
		return 0;
	}
	*at = target_table_prev(s, i);
	return target_table_cp(s, *at, &len);
}

static bool
target_table_space(uint32_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f' ||
	    c == 0x3000 || c == 0xa0;
}

static bool
target_table_cjk(uint32_t c)
{
	return (c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf) ||
	    (c >= 0xf900 && c <= 0xfaff);
}

/* The value of a digit, ASCII or full-width, or -1. */
static int
target_table_digit(uint32_t c)
{
	if (c >= '0' && c <= '9')
		return (int)(c - '0');
	if (c >= 0xff10 && c <= 0xff19)
		return (int)(c - 0xff10);
	return -1;
}

static bool
target_table_colon(uint32_t c)
{
	return c == ':' || c == 0xff1a;
}

/* 。；; end an item's target. */
static bool
target_table_term(uint32_t c)
{
	return c == 0x3002 || c == 0xff1b || c == ';';
}

static bool
target_table_comma(uint32_t c)
{
	return c == ',' || c == 0xff0c;
}

/* 、．. follow an item's number. */
static bool
target_table_numsep(uint32_t c)
{
	return c == 0x3001 || c == 0xff0e || c == '.';
}

/* What is trimmed around names and targets: spaces and item punctuation. */
static bool
target_table_trimmed(uint32_t c)
{
	return target_table_space(c) || target_table_term(c) || target_table_comma(c) ||
	    target_table_numsep(c) || target_table_colon(c);
}

/* Narrows [*a, *b) past the characters trimmed at both ends. */
static void
target_table_trim(const char *s, size_t *a, size_t *b)
{
	size_t len, at;

	while (*a < *b && target_table_trimmed(target_table_cp(s, *a, &len)))
		*a += len;
	while (*b > *a && target_table_trimmed(target_table_before(s, *a, *b, &at)))
		*b = at;
}

/* Narrows [*a, *b) past the spaces at both ends, and the item's closing 。 and the like. */
static void
target_table_trim_target(const char *s, size_t *a, size_t *b)
{
	size_t len, at;

	while (*a < *b && target_table_space(target_table_cp(s, *a, &len)))
		*a += len;
	while (*b > *a && target_table_trimmed(target_table_before(s, *a, *b, &at)))
		*b = at;
}

static bool
target_table_at(const char *s, size_t i, size_t end, const char *w)
{
	size_t n = strlen(w);

	return i + n <= end && memcmp(s + i, w, n) == 0;
}

/* If s[i..end) is 指标, spaces and a colon, the index after the colon; else 0. */
static size_t
target_table_catend(const char *s, size_t i, size_t end)
{
	size_t len;
	uint32_t c;

	if (!target_table_at(s, i, end, WORD_INDICATOR) || target_table_at(s, i, end, WORD_VALUE))
		return 0;
	for (i += strlen(WORD_INDICATOR); i < end; i += len) {
		c = target_table_cp(s, i, &len);
		if (target_table_colon(c))
			return i + len;
		if (!target_table_space(c))
			return 0;
	}
	return 0;
}

/*
 * Where the category word ending at s[q] (where 指标 begins) starts: the longest known
 * category among the Chinese characters just before q, else all of them (at most
 * CATEGORY_CHARS).
 */
static size_t
target_table_word(const char *s, size_t a, size_t q)
{
	size_t rs = q, at, best = 0;

	for (int k = 0; k < CATEGORY_CHARS; k++) {
		if (!target_table_cjk(target_table_before(s, a, rs, &at)) || at == rs)
			break;
		rs = at;
	}
	for (size_t i = 0; i < sizeof(target_table_categories) / sizeof(target_table_categories[0]);
	     i++) {
		size_t n = strlen(target_table_categories[i]);

		if (q - rs >= n && n > best &&
		    memcmp(s + q - n, target_table_categories[i], n) == 0)
			best = n;
	}
	return best > 0 ? q - best : rs;
}

/* If a number (1 to 3 digits) and 、．. end just before s[p], where the number starts. */
static bool
target_table_number_before(const char *s, size_t a, size_t p, size_t *start)
{
	size_t at, digits = 0;
	uint32_t c;

	while (target_table_space(c = target_table_before(s, a, p, &at)) && at < p)
		p = at;
	if (!target_table_numsep(c) || at == p)
		return false;
	p = at;
	while (target_table_space(c = target_table_before(s, a, p, &at)) && at < p)
		p = at;
	while (digits < 3 && target_table_digit(c) >= 0 && at < p) {
		p = at;
		digits++;
		c = target_table_before(s, a, p, &at);
	}
	if (digits == 0 || (target_table_digit(c) >= 0 && at < p))
		return false;
	*start = p;
	return true;
}

/*
 * Finds where the next indicator's head begins in s[a..z), the text between one target
 * and the next 指标值: at its number, else at its categories, else after the last 。；;,
 * else at the last number, else after the last ，. False when there is none of these.
 */
static bool
target_table_boundary(const char *s, size_t a, size_t z, size_t *b)
{
	size_t zn = z, at, len, q = 0, qend = 0, first, p;
	bool found = false;

	while (zn > a && target_table_trimmed(target_table_before(s, a, zn, &at)))
		zn = at;
	for (size_t i = a; i < zn; i += len) {
		size_t e;

		target_table_cp(s, i, &len);
		if ((e = target_table_catend(s, i, zn)) != 0) {
			q = i;
			qend = e;
			found = true;
		}
	}
	for (size_t i = qend; found && i < zn; i += len)
		if (target_table_term(target_table_cp(s, i, &len)))
			found = false;
	if (found) {
		first = target_table_word(s, a, q);
		for (;;) {
			uint32_t c;

			p = first;
			while (target_table_space(c = target_table_before(s, a, p, &at)) && at < p)
				p = at;
			if (!target_table_colon(c) || at == p)
				break;
			p = at;
			while (target_table_space(c = target_table_before(s, a, p, &at)) && at < p)
				p = at;
			if (p < a + strlen(WORD_INDICATOR) ||
			    !target_table_at(s, p - strlen(WORD_INDICATOR), zn, WORD_INDICATOR))
				break;
			first = target_table_word(s, a, p - strlen(WORD_INDICATOR));
		}
		if (!target_table_number_before(s, a, first, b))
			*b = first;
		return true;
	}
	for (p = zn; p > a;) {
		uint32_t c = target_table_before(s, a, p, &at);

		if (target_table_term(c)) {
			*b = p;
			return true;
		}
		p = at;
	}
	for (p = zn; p > a;) {
		size_t next;
		uint32_t c;

		p = target_table_prev(s, p);
		c = target_table_cp(s, p, &len);
		if (target_table_numsep(c) &&
		    !(c == '.' && p + 1 < zn &&
			target_table_digit(target_table_cp(s, p + 1, &next)) >= 0) &&
		    target_table_number_before(s, a, p + len, b))
			return true;
	}
	for (p = zn; p > a;) {
		if (target_table_comma(target_table_before(s, a, p, &at))) {
			*b = p;
			return true;
		}
		p = at;
	}
	return false;
}

static char *
target_table_dup(const char *s, size_t a, size_t b)
{
	return strndup(s + a, b - a);
}

/* Reads one head, s[a..e): [number、][category：…]name[，]. */
static int
target_table_head(const char *s, size_t a, size_t e, struct target_table_item *it)
{
	char *cat = NULL;
	size_t catlen = 0, len, nl, i, p = a, b = e;
	uint32_t c;
	int num = 0, digits = 0, d;

	while (p < e && target_table_trimmed(target_table_cp(s, p, &len)))
		p += len;
	for (i = p;
	     i < e && digits < 4 && (d = target_table_digit(target_table_cp(s, i, &len))) >= 0;
	     i += len) {
		num = num * 10 + d;
		digits++;
	}
	while (digits > 0 && i < e && target_table_space(c = target_table_cp(s, i, &len)))
		i += len;
	if (digits > 0 && i < e && target_table_numsep(c = target_table_cp(s, i, &len)) &&
	    !(c == '.' && i + 1 < e && target_table_digit(target_table_cp(s, i + 1, &nl)) >= 0))
		p = i + len;
	else
		num = 0;
	for (;;) {
		size_t end = 0;
		char *nc;

		i = p;
		while (i < e && target_table_space(target_table_cp(s, i, &len)))
			i += len;
		p = i;
		for (int k = 0; k <= CATEGORY_CHARS + 2 && i < e; k++) {
			if ((end = target_table_catend(s, i, e)) != 0)
				break;
			if (!target_table_cjk(target_table_cp(s, i, &len)))
				break;
			i += len;
		}
		if (end == 0)
			break;
		len = i + strlen(WORD_INDICATOR) - p;
		if ((nc = realloc(cat, catlen + len + 2)) == NULL) {
			free(cat);
			return JX_EINTERNAL;
		}
		cat = nc;
		if (catlen > 0)
			cat[catlen++] = '/';
		memcpy(cat + catlen, s + p, len);
		catlen += len;
		cat[catlen] = '\0';
		p = end;
	}
	target_table_trim(s, &p, &b);
	it->num = num;
	it->category = cat != NULL ? cat : strdup("");
	it->name = target_table_dup(s, p, b);
	if (it->category == NULL || it->name == NULL)
		return JX_EINTERNAL;
	return JX_OK;
}

static void
target_table_excerpt(char *buf, size_t n, const char *s, size_t a, size_t b)
{
	size_t len = b - a;

	if (len > 40) {
		len = 40;
		while (len > 0 && ((unsigned char)s[a + len] & 0xc0) == 0x80)
			len--;
	}
	snprintf(buf, n, "%.*s%s", (int)len, s + a, len < b - a ? "…" : "");
}

/* The splitter, with its message in two languages. */
static int
target_table_split2(const char *cell, struct target_table_item **items, size_t *n, char *zh,
    char *en)
{
	struct target_table_marker *m = NULL;
	struct target_table_item *it = NULL;
	size_t cap = 0, nm = 0, len = strlen(cell), clen;
	int rv = JX_OK;

	*items = NULL;
	*n = 0;
	if (len > TARGET_TABLE_CELL_MAX) {
		snprintf(zh, MSG_MAX, "超过 64 KiB");
		snprintf(en, MSG_MAX, "longer than 64 KiB");
		return JX_EINVAL;
	}
	if (!text_utf8_valid(cell)) {
		snprintf(zh, MSG_MAX, "不是有效的 UTF-8 文字");
		snprintf(en, MSG_MAX, "not valid UTF-8 text");
		return JX_EINVAL;
	}
	for (size_t i = 0; i < len; i += clen) {
		size_t j;

		target_table_cp(cell, i, &clen);
		if (!target_table_at(cell, i, len, WORD_VALUE))
			continue;
		for (j = i + strlen(WORD_VALUE); j < len; j += clen)
			if (!target_table_space(target_table_cp(cell, j, &clen)))
				break;
		if (j == len || !target_table_colon(target_table_cp(cell, j, &clen)))
			continue;
		if (nm == cap) {
			struct target_table_marker *nmk;

			cap = cap == 0 ? 16 : cap * 2;
			if ((nmk = realloc(m, cap * sizeof(*m))) == NULL) {
				rv = JX_EINTERNAL;
				goto out;
			}
			m = nmk;
		}
		m[nm].start = i;
		if (i >= strlen(WORD_YEAR) &&
		    memcmp(cell + i - strlen(WORD_YEAR), WORD_YEAR, strlen(WORD_YEAR)) == 0)
			m[nm].start -= strlen(WORD_YEAR);
		for (j += clen; j < len; j += clen)
			if (!target_table_space(target_table_cp(cell, j, &clen)))
				break;
		m[nm++].value = j;
		i = j;
		clen = 0;
	}
	if (nm == 0) {
		size_t a = 0, b = len;

		target_table_trim(cell, &a, &b);
		if (a == b)
			goto out;
		snprintf(zh, MSG_MAX, "找不到“指标值：”，分不出各个指标");
		snprintf(en, MSG_MAX,
		    "no \"指标值：\" (target value) found, so the indicators "
		    "cannot be told apart");
		rv = JX_EINVAL;
		goto out;
	}
	if ((it = calloc(nm, sizeof(*it))) == NULL) {
		rv = JX_EINTERNAL;
		goto out;
	}
	for (size_t k = 0; k < nm; k++) {
		size_t a = k == 0 ? 0 : m[k - 1].value, b, ta, tb;

		if (!target_table_boundary(cell, a, m[k].start, &b)) {
			if (k > 0) {
				snprintf(zh, MSG_MAX, "分不清第 %zu 个指标的指标值在哪里结束", k);
				snprintf(en, MSG_MAX,
				    "cannot tell where indicator %zu's target ends", k);
				rv = JX_EINVAL;
				goto out;
			}
			b = 0;
		}
		if (k == 0) {
			ta = 0;
			tb = b;
			target_table_trim(cell, &ta, &tb);
			if (ta < tb) {
				char q[MSG_MAX / 2];

				target_table_excerpt(q, sizeof(q), cell, ta, tb);
				snprintf(zh, MSG_MAX, "第一个指标前面有看不懂的文字“%s”", q);
				snprintf(en, MSG_MAX, "text before the first indicator: \"%s\"", q);
				rv = JX_EINVAL;
				goto out;
			}
		} else {
			ta = m[k - 1].value;
			tb = b;
			target_table_trim_target(cell, &ta, &tb);
			if ((it[k - 1].target = target_table_dup(cell, ta, tb)) == NULL) {
				rv = JX_EINTERNAL;
				goto out;
			}
		}
		if ((rv = target_table_head(cell, b, m[k].start, &it[k])) != JX_OK)
			goto out;
	}
	{
		size_t ta = m[nm - 1].value, tb = len;

		target_table_trim_target(cell, &ta, &tb);
		if ((it[nm - 1].target = target_table_dup(cell, ta, tb)) == NULL) {
			rv = JX_EINTERNAL;
			goto out;
		}
	}
	*items = it;
	*n = nm;
	it = NULL;
out:
	if (it != NULL)
		target_table_items_free(it, nm);
	free(m);
	return rv;
}

int
target_table_split(const char *cell, struct target_table_item **items, size_t *n, char *why,
    size_t whylen)
{
	char zh[MSG_MAX] = "", en[MSG_MAX] = "";
	int rv = target_table_split2(cell, items, n, zh, en);

	if (rv == JX_EINVAL)
		snprintf(why, whylen, "%s / %s", zh, en);
	return rv;
}

void
target_table_items_free(struct target_table_item *items, size_t n)
{
	if (items == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		free(items[i].category);
		free(items[i].name);
		free(items[i].target);
	}
	free(items);
}

enum target_table_col { COL_DEPARTMENT, COL_UNIT, COL_NAME, COL_GOAL, COL_INDICATORS, COL_N };

static const char *const target_table_headers[COL_N][3] = {
	{ "主管部门", "department" },
	{ "预算单位", "unit", "budget unit" },
	{ "项目名称", "project" },
	{ "绩效目标", "goal", "objective" },
	{ "绩效指标", "indicators" },
};

static bool
target_table_is(const char *cell, enum target_table_col col)
{
	for (int k = 0; k < 3 && target_table_headers[col][k] != NULL; k++)
		if (csv_header_eq(cell, target_table_headers[col][k]))
			return true;
	return false;
}

static char *
target_table_cell(const struct csv *csv, size_t row, const size_t *col, enum target_table_col c)
{
	const char *t;
	size_t len = csv_trim(col[c] == 0 ? "" : csv_cell(csv, row, col[c] - 1), &t);

	return strndup(t, len);
}

static int
target_table_project(const struct csv *csv, size_t row, const size_t *col, char (*header)[64],
    const struct target_table_project *above, struct target_table_project *p, char *why,
    size_t whylen)
{
	char zh[MSG_MAX], en[MSG_MAX];
	char **f[] = { &p->department, &p->unit, &p->name, &p->goal };
	int rv;

	p->line = csv_line(csv, row);
	for (int c = COL_DEPARTMENT; c <= COL_GOAL; c++) {
		if ((*f[c] = target_table_cell(csv, row, col, c)) == NULL)
			return JX_EINTERNAL;
		if (!text_printable(*f[c], true))
			return csv_why(why, whylen, p->line, col[c], header[c], "含有控制字符",
			    "holds a control character");
	}
	if (p->name[0] == '\0')
		return csv_why(why, whylen, p->line, col[COL_NAME], header[COL_NAME],
		    "项目名称不能空着", "the project name cannot be blank");
	for (int c = COL_DEPARTMENT; c <= COL_UNIT && above != NULL; c++) {
		if ((*f[c])[0] != '\0')
			continue;
		free(*f[c]);
		if ((*f[c] = strdup(c == COL_DEPARTMENT ? above->department : above->unit)) == NULL)
			return JX_EINTERNAL;
	}
	rv = target_table_split2(csv_cell(csv, row, col[COL_INDICATORS] - 1), &p->items, &p->nitems,
	    zh, en);
	if (rv == JX_EINVAL)
		return csv_why(why, whylen, p->line, col[COL_INDICATORS], header[COL_INDICATORS],
		    zh, en);
	return rv;
}

static void
target_table_project_free(struct target_table_project *p)
{
	free(p->department);
	free(p->unit);
	free(p->name);
	free(p->goal);
	target_table_items_free(p->items, p->nitems);
}

int
target_table_read(const struct csv *csv, struct target_table **out, char *why, size_t whylen)
{
	struct target_table *t = NULL;
	size_t col[COL_N] = { 0 }, row, nrows = csv_nrows(csv), cap = 0;
	char header[COL_N][64] = { "" };
	int rv = JX_OK;

	if (why != NULL && whylen > 0)
		why[0] = '\0';
	for (row = 0; row < nrows; row++) {
		bool name = false, ind = false;

		for (size_t c = 0; c < csv_ncols(csv, row); c++) {
			name |= target_table_is(csv_cell(csv, row, c), COL_NAME);
			ind |= target_table_is(csv_cell(csv, row, c), COL_INDICATORS);
		}
		if (name && ind)
			break;
	}
	if (row == nrows) {
		snprintf(why, whylen,
		    "找不到表头：需要「项目名称」和「绩效指标」两列 / no header "
		    "row: columns 项目名称 (project) and 绩效指标 (indicators) are needed");
		return JX_EINVAL;
	}
	for (size_t c = 0; c < csv_ncols(csv, row); c++) {
		const char *cell = csv_cell(csv, row, c), *s;

		for (int k = 0; k < COL_N; k++) {
			size_t len;

			if (!target_table_is(cell, k))
				continue;
			len = csv_trim(cell, &s);
			if (len >= sizeof(header[k]))
				len = 0;
			memcpy(header[k], s, len);
			header[k][len] = '\0';
			if (col[k] != 0)
				return csv_why(why, whylen, csv_line(csv, row), c + 1, header[k],
				    "这一列重复了", "a second column with this name");
			col[k] = c + 1;
		}
	}
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return JX_EINTERNAL;
	for (row++; row < nrows; row++) {
		struct target_table_project *p;
		bool blank = true;

		for (int k = 0; k < COL_N; k++)
			if (col[k] != 0 && !csv_blank(csv_cell(csv, row, col[k] - 1)))
				blank = false;
		if (blank)
			continue;
		if (t->n == cap) {
			struct target_table_project *np;

			cap = cap == 0 ? 32 : cap * 2;
			if ((np = realloc(t->projects, cap * sizeof(*np))) == NULL) {
				rv = JX_EINTERNAL;
				goto out;
			}
			t->projects = np;
		}
		p = &t->projects[t->n++];
		memset(p, 0, sizeof(*p));
		if ((rv = target_table_project(csv, row, col, header,
			 t->n > 1 ? &t->projects[t->n - 2] : NULL, p, why, whylen)) != JX_OK)
			goto out;
	}
	*out = t;
	t = NULL;
out:
	target_table_free(t);
	return rv;
}

void
target_table_free(struct target_table *table)
{
	if (table == NULL)
		return;
	for (size_t i = 0; i < table->n; i++)
		target_table_project_free(&table->projects[i]);
	free(table->projects);
	free(table);
}
