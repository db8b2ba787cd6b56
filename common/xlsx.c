#include "xlsx.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <expat.h>
#include <zip.h>

#include "err.h"
#include "text.h"

/* Cells a sheet may hold once merged ranges are spread out. */
#define XLSX_MAX_CELLS ((size_t)4 << 20)
/* Rows and columns Excel itself has: anything beyond is not a cell reference. */
#define XLSX_EXCEL_ROWS 1048576
#define XLSX_EXCEL_COLS 16384
/* Custom number formats and cell styles a workbook may define. */
#define XLSX_MAX_FORMATS 4096
#define XLSX_MAX_STYLES 65536
/* Relationships in one .rels part. */
#define XLSX_MAX_RELS 4096
/* Bytes read from a part at a time. */
#define XLSX_CHUNK 65536
/* A part's name inside the zip. */
#define XLSX_NAME_MAX 512

enum xlsx_fmt { XLSX_FMT_GENERAL, XLSX_FMT_PERCENT, XLSX_FMT_DATE, XLSX_FMT_TIME,
	XLSX_FMT_DATETIME };

struct xlsx_style {
	uint8_t fmt;      /* enum xlsx_fmt */
	uint8_t decimals; /* a percent format's */
	uint8_t seconds;  /* a time format shows seconds */
};

struct xlsx_format {
	unsigned id;
	struct xlsx_style style;
};

struct xlsx_sheetinfo {
	char *name;
	char *part; /* "xl/worksheets/sheet1.xml"; NULL when the workbook names none */
};

/* A string of at most XLSX_MAX_CELL bytes; over marks one that went past the cap. */
struct xlsx_text {
	char *p;
	size_t len, cap;
	bool over;
};

struct xlsx {
	zip_t *zip;
	size_t total; /* bytes decompressed so far, for XLSX_MAX_TOTAL */
	struct xlsx_sheetinfo *sheets;
	size_t nsheets;
	char **strings; /* shared strings; NULL for one over XLSX_MAX_CELL */
	size_t *lens;
	size_t nstrings, stringscap;
	struct xlsx_style *styles; /* by cell style (cellXfs) index */
	size_t nstyles;
	struct xlsx_format *formats; /* custom number formats */
	size_t nformats;
	unsigned *xfs; /* each cell style's numFmtId, while styles.xml is read */
	size_t nxfs;
	bool date1904;
	char *why;
	size_t whylen;
};

/* What every part's handlers share; each parser's state starts with it. */
struct xlsx_parse {
	struct xlsx *x;
	XML_Parser p;
	const char *part;
	int err; /* set by a handler that stopped the parse; why holds the sentence */
};

struct xlsx_rel {
	char *id, *type, *target;
};

struct xlsx_rels {
	struct xlsx_parse base;
	struct xlsx_rel *rels;
	size_t n;
};

/* ---- Small helpers. ---- */

const char *
xlsx_column(size_t col, char buf[8])
{
	char tmp[8];
	size_t n = 0;

	if (col == 0 || col > XLSX_EXCEL_COLS) {
		snprintf(buf, 8, "?");
		return buf;
	}
	while (col > 0 && n < sizeof(tmp)) {
		tmp[n++] = (char)('A' + (col - 1) % 26);
		col = (col - 1) / 26;
	}
	for (size_t i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	buf[n] = '\0';
	return buf;
}

static int
xlsx_fail(struct xlsx *x, const char *zh, const char *en)
{
	snprintf(x->why, x->whylen, "%s / %s", zh, en);
	return JX_EINVAL;
}

/* "工作表「S」第 R 行第 C 列：zh / sheet 「S」, row R, column C: en"; no cell when row is 0. */
static int
xlsx_fail_cell(struct xlsx *x, const char *sheet, size_t row, size_t col, const char *zh,
    const char *en)
{
	char c[8];

	if (row == 0)
		snprintf(x->why, x->whylen, "工作表「%s」：%s / sheet 「%s」: %s", sheet, zh, sheet,
		    en);
	else if (col == 0)
		snprintf(x->why, x->whylen, "工作表「%s」第 %zu 行：%s / sheet 「%s」, row %zu: %s",
		    sheet, row, zh, sheet, row, en);
	else
		snprintf(x->why, x->whylen,
		    "工作表「%s」第 %zu 行第 %s 列：%s / sheet 「%s」, row %zu, column %s: %s", sheet,
		    row, xlsx_column(col, c), zh, sheet, row, xlsx_column(col, c), en);
	return JX_EINVAL;
}

static void
xlsx_stop(struct xlsx_parse *ps, int err)
{
	if (ps->err == JX_OK)
		ps->err = err;
	XML_StopParser(ps->p, XML_FALSE);
}

/* The local part of an expat name "namespace|local". */
static const char *
xlsx_local(const char *name)
{
	const char *bar = strrchr(name, '|');

	return bar != NULL ? bar + 1 : name;
}

/* The value of the attribute with local name local, or NULL. */
static const char *
xlsx_attr(const char **atts, const char *local)
{
	for (size_t i = 0; atts[i] != NULL; i += 2)
		if (strcmp(xlsx_local(atts[i]), local) == 0)
			return atts[i + 1];
	return NULL;
}

static int
xlsx_text_add(struct xlsx_text *t, const char *s, size_t n)
{
	if (t->over)
		return JX_OK;
	if (n > XLSX_MAX_CELL - t->len) {
		t->over = true;
		return JX_OK;
	}
	if (t->cap - t->len < n + 1) {
		size_t ncap = t->cap == 0 ? 256 : t->cap;
		char *np;

		while (ncap - t->len < n + 1)
			ncap *= 2;
		if ((np = realloc(t->p, ncap)) == NULL)
			return JX_EINTERNAL;
		t->p = np;
		t->cap = ncap;
	}
	memcpy(t->p + t->len, s, n);
	t->len += n;
	t->p[t->len] = '\0';
	return JX_OK;
}

static void
xlsx_text_reset(struct xlsx_text *t)
{
	t->len = 0;
	t->over = false;
	if (t->p != NULL)
		t->p[0] = '\0';
}

static int
xlsx_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Undoes OOXML's escapes in string content in place: "_xHHHH_" is the character
 * U+HHHH ("_x000D_" a carriage return, "_x005F_" an underscore). Line breaks come out
 * as LF, as csv_parse gives them. Returns the new length.
 */
static size_t
xlsx_unescape(char *s, size_t len)
{
	size_t i = 0, o = 0;

	while (i < len) {
		unsigned v = 0;
		bool esc = i + 7 <= len && s[i] == '_' && s[i + 1] == 'x' && s[i + 6] == '_';

		for (size_t k = 2; esc && k < 6; k++) {
			int h = xlsx_hex(s[i + k]);
			if (h < 0)
				esc = false;
			else
				v = v * 16 + (unsigned)h;
		}
		if (esc && v != 0 && (v < 0xd800 || v > 0xdfff)) {
			if (v < 0x80) {
				s[o++] = (char)v;
			} else if (v < 0x800) {
				s[o++] = (char)(0xc0 | (v >> 6));
				s[o++] = (char)(0x80 | (v & 0x3f));
			} else {
				s[o++] = (char)(0xe0 | (v >> 12));
				s[o++] = (char)(0x80 | ((v >> 6) & 0x3f));
				s[o++] = (char)(0x80 | (v & 0x3f));
			}
			i += 7;
			continue;
		}
		s[o++] = s[i++];
	}
	/* CRLF and a lone CR become LF. */
	len = o;
	o = 0;
	for (i = 0; i < len; i++) {
		if (s[i] == '\r') {
			if (i + 1 < len && s[i + 1] == '\n')
				continue;
			s[o++] = '\n';
			continue;
		}
		s[o++] = s[i];
	}
	s[o] = '\0';
	return o;
}

/* Parses a cell reference "AB12" into 1-based col and row. */
static bool
xlsx_ref(const char *s, size_t *col, size_t *row)
{
	size_t c = 0, r = 0;
	const char *p = s;

	while (*p >= 'A' && *p <= 'Z' && p - s < 3)
		c = c * 26 + (size_t)(*p++ - 'A' + 1);
	if (p == s || c > XLSX_EXCEL_COLS)
		return false;
	if (*p == '\0') {
		*col = c;
		*row = 0;
		return true;
	}
	for (; *p >= '0' && *p <= '9'; p++) {
		r = r * 10 + (size_t)(*p - '0');
		if (r > XLSX_EXCEL_ROWS)
			return false;
	}
	if (*p != '\0' || r == 0)
		return false;
	*col = c;
	*row = r;
	return true;
}

/* A non-negative decimal attribute, at most max. */
static bool
xlsx_uint(const char *s, size_t max, size_t *v)
{
	char *end;
	unsigned long long n;

	if (s == NULL || *s < '0' || *s > '9')
		return false;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || n > max)
		return false;
	*v = (size_t)n;
	return true;
}

/* ---- Reading a part of the zip through expat. ---- */

static bool
xlsx_zip_encrypted(int ze)
{
	return ze == ZIP_ER_NOPASSWD || ze == ZIP_ER_WRONGPASSWD || ze == ZIP_ER_ENCRNOTSUPP;
}

static int
xlsx_zip_fail(struct xlsx *x, const char *part, int ze)
{
	char zh[256], en[256], what[128];
	zip_error_t e;

	if (xlsx_zip_encrypted(ze))
		return xlsx_fail(x, "工作簿有密码保护（已加密）：请在 Excel 或 WPS 里取消密码后再导入",
		    "the workbook is encrypted (password-protected): remove the password in "
		    "Excel or WPS and import it again");
	zip_error_init_with_code(&e, ze);
	snprintf(what, sizeof(what), "%s", zip_error_strerror(&e));
	zip_error_fini(&e);
	snprintf(zh, sizeof(zh), "工作簿已损坏或不完整（%s：%s）", part, what);
	snprintf(en, sizeof(en), "the workbook is damaged or incomplete (%s: %s)", part, what);
	return xlsx_fail(x, zh, en);
}

static void XMLCALL
xlsx_doctype(void *data, const XML_Char *name, const XML_Char *sysid, const XML_Char *pubid,
    int internal)
{
	struct xlsx_parse *ps = data;
	char zh[256], en[256];

	snprintf(zh, sizeof(zh), "%s 里有 DTD，工作簿不会有", ps->part);
	snprintf(en, sizeof(en), "%s holds a DTD, which no workbook does", ps->part);
	xlsx_stop(ps, xlsx_fail(ps->x, zh, en));
}

/*
 * Streams the part name through a new expat parser with the given handlers and ps as
 * user data. Returns JX_OK, JX_ENOTFOUND when the zip holds no such part, or an error
 * with a sentence in why.
 */
static int
xlsx_part(struct xlsx *x, const char *name, struct xlsx_parse *ps, XML_StartElementHandler start,
    XML_EndElementHandler end, XML_CharacterDataHandler chars)
{
	char *buf = NULL;
	zip_int64_t idx, n;
	zip_file_t *zf = NULL;
	size_t part = 0;
	int rv = JX_OK;

	ps->x = x;
	ps->part = name;
	ps->err = JX_OK;
	if ((idx = zip_name_locate(x->zip, name, ZIP_FL_NOCASE)) < 0)
		return JX_ENOTFOUND;
	if ((zf = zip_fopen_index(x->zip, (zip_uint64_t)idx, 0)) == NULL)
		return xlsx_zip_fail(x, name, zip_error_code_zip(zip_get_error(x->zip)));
	if ((buf = malloc(XLSX_CHUNK)) == NULL || (ps->p = XML_ParserCreateNS(NULL, '|')) == NULL) {
		free(buf);
		zip_fclose(zf);
		return JX_EINTERNAL;
	}
	XML_SetUserData(ps->p, ps);
	XML_SetElementHandler(ps->p, start, end);
	XML_SetCharacterDataHandler(ps->p, chars);
	XML_SetStartDoctypeDeclHandler(ps->p, xlsx_doctype);
	for (;;) {
		bool last;

		n = zip_fread(zf, buf, XLSX_CHUNK);
		if (n < 0) {
			rv = xlsx_zip_fail(x, name, zip_error_code_zip(zip_file_get_error(zf)));
			goto out;
		}
		part += (size_t)n;
		x->total += (size_t)n;
		if (part > XLSX_MAX_PART || x->total > XLSX_MAX_TOTAL) {
			char zh[256], en[256];

			snprintf(zh, sizeof(zh),
			    "%s 解压后超过 %zu MiB（压缩炸弹？），不予读取", name,
			    (part > XLSX_MAX_PART ? XLSX_MAX_PART : XLSX_MAX_TOTAL) >> 20);
			snprintf(en, sizeof(en),
			    "%s inflates past %zu MiB (a zip bomb?) and is not read", name,
			    (part > XLSX_MAX_PART ? XLSX_MAX_PART : XLSX_MAX_TOTAL) >> 20);
			rv = xlsx_fail(x, zh, en);
			goto out;
		}
		last = n == 0;
		if (XML_Parse(ps->p, buf, (int)n, last) == XML_STATUS_ERROR) {
			char zh[256], en[256];

			if (ps->err != JX_OK) {
				rv = ps->err;
				goto out;
			}
			snprintf(zh, sizeof(zh), "%s 的 XML 有错（第 %lu 行：%s）", name,
			    (unsigned long)XML_GetCurrentLineNumber(ps->p),
			    XML_ErrorString(XML_GetErrorCode(ps->p)));
			snprintf(en, sizeof(en), "%s is not well-formed XML (line %lu: %s)", name,
			    (unsigned long)XML_GetCurrentLineNumber(ps->p),
			    XML_ErrorString(XML_GetErrorCode(ps->p)));
			rv = xlsx_fail(x, zh, en);
			goto out;
		}
		if (ps->err != JX_OK) {
			rv = ps->err;
			goto out;
		}
		if (last)
			break;
	}
out:
	XML_ParserFree(ps->p);
	ps->p = NULL;
	zip_fclose(zf);
	free(buf);
	return rv;
}

/* ---- Relationships: which part a workbook or a sheet id names. ---- */

static void XMLCALL
xlsx_rels_start(void *data, const XML_Char *name, const XML_Char **atts)
{
	struct xlsx_rels *r = data;
	const char *id = xlsx_attr(atts, "Id"), *type = xlsx_attr(atts, "Type"),
		   *target = xlsx_attr(atts, "Target");
	struct xlsx_rel *nr;

	if (strcmp(xlsx_local(name), "Relationship") != 0 || id == NULL || type == NULL ||
	    target == NULL)
		return;
	if (r->n == XLSX_MAX_RELS) {
		xlsx_stop(&r->base, xlsx_fail(r->base.x, "关系表太长", "too many relationships"));
		return;
	}
	if ((nr = realloc(r->rels, (r->n + 1) * sizeof(*nr))) == NULL) {
		xlsx_stop(&r->base, JX_EINTERNAL);
		return;
	}
	r->rels = nr;
	nr = &r->rels[r->n];
	nr->id = strdup(id);
	nr->type = strdup(type);
	nr->target = strdup(target);
	r->n++;
	if (nr->id == NULL || nr->type == NULL || nr->target == NULL)
		xlsx_stop(&r->base, JX_EINTERNAL);
}

static void
xlsx_rels_free(struct xlsx_rels *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->rels[i].id);
		free(r->rels[i].type);
		free(r->rels[i].target);
	}
	free(r->rels);
	r->rels = NULL;
	r->n = 0;
}

/* The relationship whose Type ends in suffix, or whose Id is id. */
static const struct xlsx_rel *
xlsx_rels_find(const struct xlsx_rels *r, const char *suffix, const char *id)
{
	for (size_t i = 0; i < r->n; i++) {
		size_t tl = strlen(r->rels[i].type), sl = suffix != NULL ? strlen(suffix) : 0;

		if (id != NULL && strcmp(r->rels[i].id, id) == 0)
			return &r->rels[i];
		if (suffix != NULL && tl >= sl && strcmp(r->rels[i].type + tl - sl, suffix) == 0)
			return &r->rels[i];
	}
	return NULL;
}

/*
 * The part a target names, relative to the directory dir ("xl/"), as a new string: an
 * absolute target starts at the root; "." and ".." are resolved. NULL when out of
 * memory or when it climbs out of the package.
 */
static char *
xlsx_resolve(const char *dir, const char *target)
{
	char path[XLSX_NAME_MAX], *out;
	size_t len = 0, tl;
	const char *p;

	if (target[0] == '/') {
		target++;
	} else {
		len = strlen(dir);
		if (len >= sizeof(path))
			return NULL;
		memcpy(path, dir, len);
	}
	tl = strlen(target);
	if (tl >= sizeof(path) - len)
		return NULL;
	p = target;
	while (*p != '\0') {
		const char *slash = strchr(p, '/');
		size_t seg = slash != NULL ? (size_t)(slash - p) : strlen(p);

		if (seg == 2 && strncmp(p, "..", 2) == 0) {
			if (len == 0)
				return NULL;
			len--;
			while (len > 0 && path[len - 1] != '/')
				len--;
		} else if (!(seg == 1 && p[0] == '.') && seg > 0) {
			memcpy(path + len, p, seg);
			len += seg;
			if (slash != NULL)
				path[len++] = '/';
		}
		p += seg + (slash != NULL);
	}
	path[len] = '\0';
	if ((out = strdup(path)) == NULL)
		return NULL;
	return out;
}

/* Reads the .rels part of part ("xl/workbook.xml" → "xl/_rels/workbook.xml.rels"). */
static int
xlsx_rels_read(struct xlsx *x, const char *part, struct xlsx_rels *r)
{
	char name[XLSX_NAME_MAX];
	const char *slash = strrchr(part, '/');
	int n, rv;

	if (slash != NULL)
		n = snprintf(name, sizeof(name), "%.*s_rels/%s.rels", (int)(slash - part + 1), part,
		    slash + 1);
	else
		n = snprintf(name, sizeof(name), "_rels/%s.rels", part);
	if (n < 0 || (size_t)n >= sizeof(name))
		return xlsx_fail(x, "部件名太长", "a part name is too long");
	rv = xlsx_part(x, name, &r->base, xlsx_rels_start, NULL, NULL);
	return rv == JX_ENOTFOUND ? JX_OK : rv;
}

/* ---- The workbook: its sheets and date system. ---- */

struct xlsx_book {
	struct xlsx_parse base;
	const struct xlsx_rels *rels;
	const char *dir;
	bool root_seen, is_workbook;
};

static void XMLCALL
xlsx_book_start(void *data, const XML_Char *name, const XML_Char **atts)
{
	struct xlsx_book *b = data;
	struct xlsx *x = b->base.x;
	const char *local = xlsx_local(name), *v;

	if (!b->root_seen) {
		b->root_seen = true;
		b->is_workbook = strcmp(local, "workbook") == 0;
		return;
	}
	if (strcmp(local, "workbookPr") == 0) {
		v = xlsx_attr(atts, "date1904");
		x->date1904 = v != NULL && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0);
	} else if (strcmp(local, "sheet") == 0) {
		const char *sname = xlsx_attr(atts, "name"), *id = xlsx_attr(atts, "id");
		const struct xlsx_rel *rel = id != NULL ? xlsx_rels_find(b->rels, NULL, id) : NULL;
		struct xlsx_sheetinfo *ns;

		if (x->nsheets == XLSX_MAX_SHEETS) {
			xlsx_stop(&b->base, xlsx_fail(x, "工作表超过 256 个",
			    "more than 256 sheets"));
			return;
		}
		if ((ns = realloc(x->sheets, (x->nsheets + 1) * sizeof(*ns))) == NULL) {
			xlsx_stop(&b->base, JX_EINTERNAL);
			return;
		}
		x->sheets = ns;
		ns = &x->sheets[x->nsheets++];
		ns->name = strdup(sname != NULL ? sname : "");
		ns->part = rel != NULL ? xlsx_resolve(b->dir, rel->target) : NULL;
		if (ns->name == NULL || !text_utf8_valid(ns->name))
			xlsx_stop(&b->base, JX_EINTERNAL);
	}
}

/* ---- Shared strings. ---- */

struct xlsx_sst {
	struct xlsx_parse base;
	struct xlsx_text t;
	bool in_si, in_t;
	unsigned in_rph;
};

static void XMLCALL
xlsx_sst_start(void *data, const XML_Char *name, const XML_Char **atts)
{
	struct xlsx_sst *s = data;
	const char *local = xlsx_local(name);

	if (strcmp(local, "si") == 0) {
		s->in_si = true;
		xlsx_text_reset(&s->t);
	} else if (strcmp(local, "rPh") == 0) {
		s->in_rph++;
	} else if (strcmp(local, "t") == 0 && s->in_si && s->in_rph == 0) {
		s->in_t = true;
	}
}

static void XMLCALL
xlsx_sst_end(void *data, const XML_Char *name)
{
	struct xlsx_sst *s = data;
	struct xlsx *x = s->base.x;
	const char *local = xlsx_local(name);
	char *str = NULL;

	if (strcmp(local, "t") == 0) {
		s->in_t = false;
	} else if (strcmp(local, "rPh") == 0 && s->in_rph > 0) {
		s->in_rph--;
	} else if (strcmp(local, "si") == 0 && s->in_si) {
		s->in_si = false;
		if (x->nstrings == XLSX_MAX_STRINGS) {
			xlsx_stop(&s->base, xlsx_fail(x, "共享字符串太多", "too many shared strings"));
			return;
		}
		if (x->nstrings == x->stringscap) {
			size_t ncap = x->stringscap == 0 ? 256 : x->stringscap * 2;
			char **ns = realloc(x->strings, ncap * sizeof(*ns));
			size_t *nl;

			if (ns == NULL) {
				xlsx_stop(&s->base, JX_EINTERNAL);
				return;
			}
			x->strings = ns;
			if ((nl = realloc(x->lens, ncap * sizeof(*nl))) == NULL) {
				xlsx_stop(&s->base, JX_EINTERNAL);
				return;
			}
			x->lens = nl;
			x->stringscap = ncap;
		}
		if (!s->t.over) {
			size_t len = s->t.len;

			if ((str = malloc(len + 1)) == NULL) {
				xlsx_stop(&s->base, JX_EINTERNAL);
				return;
			}
			if (len > 0)
				memcpy(str, s->t.p, len);
			str[len] = '\0';
			x->lens[x->nstrings] = xlsx_unescape(str, len);
		}
		x->strings[x->nstrings++] = str;
	}
}

static void XMLCALL
xlsx_sst_chars(void *data, const XML_Char *s, int len)
{
	struct xlsx_sst *st = data;

	if (st->in_t && xlsx_text_add(&st->t, s, (size_t)len) != JX_OK)
		xlsx_stop(&st->base, JX_EINTERNAL);
}

/* ---- Number formats: which cells are percentages, dates and times. ---- */

static struct xlsx_style
xlsx_builtin_format(unsigned id)
{
	struct xlsx_style s = { XLSX_FMT_GENERAL, 0, 0 };

	if (id == 9 || id == 10) {
		s.fmt = XLSX_FMT_PERCENT;
		s.decimals = id == 10 ? 2 : 0;
	} else if ((id >= 14 && id <= 17) || (id >= 27 && id <= 31) || id == 36 ||
	    (id >= 50 && id <= 58)) {
		s.fmt = XLSX_FMT_DATE;
	} else if ((id >= 18 && id <= 21) || (id >= 32 && id <= 35) || (id >= 45 && id <= 47)) {
		s.fmt = XLSX_FMT_TIME;
		s.seconds = id == 19 || id == 21 || id == 46 || id == 47;
	} else if (id == 22) {
		s.fmt = XLSX_FMT_DATETIME;
	}
	return s;
}

/*
 * What a format code shows, from its first section: quoted text, [colour] and
 * [$-locale] brackets, and characters after \ _ * are not codes. y, d (and m without h
 * or s) make a date; h and s a time; % a percentage with the zeros after the point.
 */
static struct xlsx_style
xlsx_classify(const char *code)
{
	struct xlsx_style s = { XLSX_FMT_GENERAL, 0, 0 };
	bool date = false, time = false, month = false, pct = false, point = false;
	unsigned dec = 0;

	for (const char *p = code; *p != '\0' && *p != ';'; p++) {
		char c = *p;

		if (c == '"') {
			while (p[1] != '\0' && p[1] != '"')
				p++;
			if (p[1] == '"')
				p++;
			continue;
		}
		if (c == '[') {
			/* [h] [mm] [ss]: elapsed time; anything else in brackets is not a code. */
			if (p[1] == 'h' || p[1] == 'H' || p[1] == 's' || p[1] == 'S')
				time = true;
			while (p[1] != '\0' && p[1] != ']')
				p++;
			if (p[1] == ']')
				p++;
			continue;
		}
		if (c == '\\' || c == '_' || c == '*') {
			if (p[1] != '\0')
				p++;
			continue;
		}
		switch (c) {
		case 'y': case 'Y': case 'd': case 'D':
			date = true;
			break;
		case 'm': case 'M':
			month = true;
			break;
		case 'h': case 'H': case 's': case 'S':
			time = true;
			break;
		case '%':
			pct = true;
			break;
		case '.':
			point = true;
			break;
		case '0': case '#': case '?':
			if (point)
				dec++;
			break;
		default:
			break;
		}
	}
	if (month && !time)
		date = true;
	if (date || time) {
		s.fmt = date && time ? XLSX_FMT_DATETIME : date ? XLSX_FMT_DATE : XLSX_FMT_TIME;
		s.seconds = strchr(code, 's') != NULL || strchr(code, 'S') != NULL;
	} else if (pct) {
		s.fmt = XLSX_FMT_PERCENT;
		s.decimals = (uint8_t)(dec > 15 ? 15 : dec);
	}
	return s;
}

struct xlsx_styles {
	struct xlsx_parse base;
	bool in_xfs;
};

static void XMLCALL
xlsx_styles_start(void *data, const XML_Char *name, const XML_Char **atts)
{
	struct xlsx_styles *st = data;
	struct xlsx *x = st->base.x;
	const char *local = xlsx_local(name);
	size_t id;

	if (strcmp(local, "cellXfs") == 0) {
		st->in_xfs = true;
	} else if (strcmp(local, "numFmt") == 0) {
		const char *code = xlsx_attr(atts, "formatCode");
		struct xlsx_format *nf;

		if (code == NULL || !xlsx_uint(xlsx_attr(atts, "numFmtId"), UINT32_MAX, &id))
			return;
		if (x->nformats == XLSX_MAX_FORMATS) {
			xlsx_stop(&st->base, xlsx_fail(x, "数字格式太多", "too many number formats"));
			return;
		}
		if ((nf = realloc(x->formats, (x->nformats + 1) * sizeof(*nf))) == NULL) {
			xlsx_stop(&st->base, JX_EINTERNAL);
			return;
		}
		x->formats = nf;
		nf[x->nformats].id = (unsigned)id;
		nf[x->nformats].style = xlsx_classify(code);
		x->nformats++;
	} else if (strcmp(local, "xf") == 0 && st->in_xfs) {
		unsigned *nx;

		if (!xlsx_uint(xlsx_attr(atts, "numFmtId"), UINT32_MAX, &id))
			id = 0;
		if (x->nxfs == XLSX_MAX_STYLES) {
			xlsx_stop(&st->base, xlsx_fail(x, "单元格样式太多", "too many cell styles"));
			return;
		}
		if ((nx = realloc(x->xfs, (x->nxfs + 1) * sizeof(*nx))) == NULL) {
			xlsx_stop(&st->base, JX_EINTERNAL);
			return;
		}
		x->xfs = nx;
		x->xfs[x->nxfs++] = (unsigned)id;
	}
}

static void XMLCALL
xlsx_styles_end(void *data, const XML_Char *name)
{
	struct xlsx_styles *st = data;

	if (strcmp(xlsx_local(name), "cellXfs") == 0)
		st->in_xfs = false;
}

/* Each cell style's kind of number, from its format: custom ones first. */
static int
xlsx_styles_finish(struct xlsx *x)
{
	if (x->nxfs == 0)
		return JX_OK;
	if ((x->styles = calloc(x->nxfs, sizeof(*x->styles))) == NULL)
		return JX_EINTERNAL;
	x->nstyles = x->nxfs;
	for (size_t i = 0; i < x->nxfs; i++) {
		size_t k;

		for (k = x->nformats; k-- > 0;)
			if (x->formats[k].id == x->xfs[i])
				break;
		x->styles[i] = k < x->nformats ? x->formats[k].style : xlsx_builtin_format(x->xfs[i]);
	}
	return JX_OK;
}

/* ---- Opening. ---- */

enum xlsx_kind
xlsx_kind(const void *data, size_t len)
{
	static const unsigned char cfb[8] = { 0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1 };
	/* "EncryptedPackage" in UTF-16LE: the stream an encrypted OOXML file keeps. */
	static const char enc[] = "E\0n\0c\0r\0y\0p\0t\0e\0d\0P\0a\0c\0k\0a\0g\0e\0";

	if (len >= 4 && memcmp(data, "PK", 2) == 0 &&
	    (memcmp((const char *)data + 2, "\3\4", 2) == 0 ||
		memcmp((const char *)data + 2, "\5\6", 2) == 0))
		return XLSX_KIND_ZIP;
	if (len >= sizeof(cfb) && memcmp(data, cfb, sizeof(cfb)) == 0) {
		for (size_t i = 0; i + sizeof(enc) - 1 <= len; i++)
			if (memcmp((const char *)data + i, enc, sizeof(enc) - 1) == 0)
				return XLSX_KIND_ENCRYPTED;
		return XLSX_KIND_BIFF;
	}
	return XLSX_KIND_OTHER;
}

int
xlsx_open(const void *data, size_t len, struct xlsx **out, char *why, size_t whylen)
{
	static _Thread_local char nowhy[XLSX_WHY_MAX];
	struct xlsx_rels top = { 0 }, book = { 0 };
	struct xlsx_book b = { 0 };
	struct xlsx_sst sst = { 0 };
	struct xlsx_styles st = { 0 };
	const struct xlsx_rel *rel;
	zip_source_t *src;
	zip_error_t ze;
	struct xlsx *x;
	char *wbpart = NULL, *part = NULL, dir[XLSX_NAME_MAX];
	const char *slash;
	int rv = JX_OK;

	if (why == NULL || whylen == 0) {
		why = nowhy;
		whylen = sizeof(nowhy);
	}
	why[0] = '\0';
	if ((x = calloc(1, sizeof(*x))) == NULL)
		return JX_EINTERNAL;
	x->why = why;
	x->whylen = whylen;
	switch (xlsx_kind(data, len)) {
	case XLSX_KIND_ZIP:
		break;
	case XLSX_KIND_ENCRYPTED:
		rv = xlsx_zip_fail(x, "", ZIP_ER_NOPASSWD);
		goto out;
	case XLSX_KIND_BIFF:
		rv = xlsx_fail(x, "这是旧版 Excel（.xls）或 WPS（.et）格式，请另存为 .xlsx",
		    "this is an old Excel (.xls) or WPS (.et) file: save it as .xlsx");
		goto out;
	default:
		rv = xlsx_fail(x, "不是 Excel 工作簿（.xlsx）", "not an Excel workbook (.xlsx)");
		goto out;
	}
	if (len > XLSX_MAX_FILE) {
		rv = xlsx_fail(x, "工作簿超过 64 MiB", "the workbook is larger than 64 MiB");
		goto out;
	}
	zip_error_init(&ze);
	if ((src = zip_source_buffer_create(data, len, 0, &ze)) == NULL) {
		zip_error_fini(&ze);
		rv = JX_EINTERNAL;
		goto out;
	}
	if ((x->zip = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze)) == NULL) {
		int code = zip_error_code_zip(&ze);

		zip_source_free(src);
		zip_error_fini(&ze);
		rv = code == ZIP_ER_MEMORY ? JX_EINTERNAL : xlsx_zip_fail(x, "zip", code);
		goto out;
	}
	zip_error_fini(&ze);
	/* The package's start part names the workbook; xl/workbook.xml when it does not. */
	if ((rv = xlsx_rels_read(x, "", &top)) != JX_OK)
		goto out;
	rel = xlsx_rels_find(&top, "/officeDocument", NULL);
	wbpart = xlsx_resolve("", rel != NULL ? rel->target : "xl/workbook.xml");
	if (wbpart == NULL) {
		rv = xlsx_fail(x, "工作簿的部件名无效", "the workbook's part name is not valid");
		goto out;
	}
	slash = strrchr(wbpart, '/');
	snprintf(dir, sizeof(dir), "%.*s", slash != NULL ? (int)(slash - wbpart + 1) : 0, wbpart);
	if ((rv = xlsx_rels_read(x, wbpart, &book)) != JX_OK)
		goto out;
	b.rels = &book;
	b.dir = dir;
	rv = xlsx_part(x, wbpart, &b.base, xlsx_book_start, NULL, NULL);
	if (rv == JX_ENOTFOUND || (rv == JX_OK && !b.is_workbook)) {
		rv = xlsx_fail(x, "不是 Excel 工作簿（里面没有工作簿部件）",
		    "not an Excel workbook (it holds no workbook part)");
		goto out;
	}
	if (rv != JX_OK)
		goto out;
	if (x->nsheets == 0) {
		rv = xlsx_fail(x, "工作簿里没有工作表", "the workbook has no sheets");
		goto out;
	}
	if ((rel = xlsx_rels_find(&book, "/sharedStrings", NULL)) != NULL) {
		if ((part = xlsx_resolve(dir, rel->target)) == NULL) {
			rv = JX_EINTERNAL;
			goto out;
		}
		rv = xlsx_part(x, part, &sst.base, xlsx_sst_start, xlsx_sst_end, xlsx_sst_chars);
		free(part);
		part = NULL;
		if (rv != JX_OK && rv != JX_ENOTFOUND)
			goto out;
	}
	if ((rel = xlsx_rels_find(&book, "/styles", NULL)) != NULL) {
		if ((part = xlsx_resolve(dir, rel->target)) == NULL) {
			rv = JX_EINTERNAL;
			goto out;
		}
		rv = xlsx_part(x, part, &st.base, xlsx_styles_start, xlsx_styles_end, NULL);
		if (rv != JX_OK && rv != JX_ENOTFOUND)
			goto out;
		if ((rv = xlsx_styles_finish(x)) != JX_OK)
			goto out;
	}
	rv = JX_OK;
	*out = x;
	x = NULL;
out:
	free(part);
	free(wbpart);
	free(sst.t.p);
	xlsx_rels_free(&top);
	xlsx_rels_free(&book);
	xlsx_free(x);
	return rv;
}

size_t
xlsx_nsheets(const struct xlsx *x)
{
	return x->nsheets;
}

const char *
xlsx_sheet_name(const struct xlsx *x, size_t i)
{
	return i < x->nsheets ? x->sheets[i].name : "";
}

void
xlsx_free(struct xlsx *x)
{
	if (x == NULL)
		return;
	for (size_t i = 0; i < x->nsheets; i++) {
		free(x->sheets[i].name);
		free(x->sheets[i].part);
	}
	free(x->sheets);
	for (size_t i = 0; i < x->nstrings; i++)
		free(x->strings[i]);
	free(x->strings);
	free(x->lens);
	free(x->styles);
	free(x->formats);
	free(x->xfs);
	if (x->zip != NULL)
		zip_discard(x->zip);
	free(x);
}

/* ---- Numbers as text. ---- */

/* Days since 1970-01-01 → civil date (Howard Hinnant's algorithm). */
static void
xlsx_civil(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	yoe = z - era * 146097;
	yoe = (yoe - yoe / 1460 + yoe / 36524 - yoe / 146096) / 365;
	doy = z - era * 146097 - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* A date serial as "2023-05-01", "14:30" or both; false when it is no date. */
static bool
xlsx_date(double v, const struct xlsx_style *st, bool date1904, char *buf, size_t len)
{
	int64_t days, secs, y;
	unsigned m, d;
	char t[16] = "";

	if (!(v >= 0 && v < 2958466))
		return false;
	days = (int64_t)floor(v);
	secs = (int64_t)llround((v - (double)days) * 86400.0);
	if (secs >= 86400) {
		days++;
		secs -= 86400;
	}
	if (st->fmt != XLSX_FMT_DATE) {
		if (st->seconds)
			snprintf(t, sizeof(t), "%02d:%02d:%02d", (int)(secs / 3600),
			    (int)(secs / 60 % 60), (int)(secs % 60));
		else
			snprintf(t, sizeof(t), "%02d:%02d", (int)(secs / 3600), (int)(secs / 60 % 60));
	}
	if (st->fmt == XLSX_FMT_TIME) {
		snprintf(buf, len, "%s", t);
		return true;
	}
	/*
	 * Serial 1 is 1900-01-01, and Excel counts a 1900-02-29 that never was (serial
	 * 60): from serial 61 on, day 0 is 1899-12-30. The 1904 system starts at 1904-01-01.
	 */
	if (date1904)
		days -= 24107;
	else if (days < 61)
		days += 1 - 25569;
	else
		days -= 25569;
	xlsx_civil(days, &y, &m, &d);
	if (st->fmt == XLSX_FMT_DATE)
		snprintf(buf, len, "%04lld-%02u-%02u", (long long)y, m, d);
	else
		snprintf(buf, len, "%04lld-%02u-%02u %s", (long long)y, m, d, t);
	return true;
}

/*
 * A numeric cell's text: 15 significant digits (what Excel shows, so a sum cached as
 * 87.38000000000001 reads 87.38), as a percentage or a date when its format says so.
 * Returns false when v is not a number.
 */
static bool
xlsx_number(const char *v, const struct xlsx_style *st, bool date1904, char *buf, size_t len)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(v, &end);
	if (end == v || *end != '\0' || !isfinite(d))
		return false;
	if (st != NULL && st->fmt >= XLSX_FMT_DATE && xlsx_date(d, st, date1904, buf, len))
		return true;
	if (st != NULL && st->fmt == XLSX_FMT_PERCENT) {
		char num[64], *dot;
		size_t have;

		snprintf(num, sizeof(num), "%.15g", d * 100.0);
		if (strchr(num, 'e') == NULL) {
			size_t n = strlen(num);

			dot = strchr(num, '.');
			have = dot != NULL ? strlen(dot + 1) : 0;
			if (have < st->decimals && n + st->decimals + 2 < sizeof(num)) {
				if (dot == NULL)
					num[n++] = '.';
				while (have++ < st->decimals)
					num[n++] = '0';
				num[n] = '\0';
			}
		}
		snprintf(buf, len, "%s%%", strcmp(num, "-0") == 0 ? "0" : num);
		return true;
	}
	snprintf(buf, len, "%.15g", d);
	if (strcmp(buf, "-0") == 0)
		snprintf(buf, len, "0");
	return true;
}

/* ---- A sheet. ---- */

enum xlsx_type { XLSX_T_NUMBER, XLSX_T_SHARED, XLSX_T_INLINE, XLSX_T_STRING, XLSX_T_BOOL,
	XLSX_T_ERROR };

struct xlsx_cell {
	uint32_t row;
	uint16_t col;
	uint8_t merged; /* copied from the top-left cell of a merged range */
	uint32_t off, len; /* in the sheet's text */
};

struct xlsx_merge {
	size_t r1, c1, r2, c2;
};

struct xlsx_sheetparse {
	struct xlsx_parse base;
	const char *sheet;
	size_t row, col, style, lastrow, nrows;
	enum xlsx_type type;
	bool in_cell, in_v, in_is, in_t, has_style;
	unsigned in_rph;
	struct xlsx_text v;
	char *text;
	size_t textlen, textcap;
	struct xlsx_cell *cells;
	size_t ncells, cellscap;
	struct xlsx_merge *merges;
	size_t nmerges;
};

static int
xlsx_sheet_store(struct xlsx_sheetparse *sp, const char *s, size_t len)
{
	struct xlsx *x = sp->base.x;
	struct xlsx_cell *c;

	if (sp->col > XLSX_MAX_COLS)
		return xlsx_fail_cell(x, sp->sheet, sp->row, sp->col, "超过 256 列",
		    "more than 256 columns");
	if (sp->row != sp->lastrow) {
		if (++sp->nrows > XLSX_MAX_ROWS)
			return xlsx_fail_cell(x, sp->sheet, sp->row, 0, "超过 100000 行，不予读取",
			    "more than 100000 rows: not read");
		sp->lastrow = sp->row;
	}
	if (sp->ncells == XLSX_MAX_CELLS)
		return xlsx_fail_cell(x, sp->sheet, sp->row, sp->col, "单元格太多",
		    "too many cells");
	if (len > XLSX_MAX_PART - sp->textlen)
		return xlsx_fail_cell(x, sp->sheet, sp->row, sp->col, "工作表的文字太多",
		    "the sheet holds too much text");
	if (sp->ncells == sp->cellscap) {
		size_t ncap = sp->cellscap == 0 ? 1024 : sp->cellscap * 2;
		struct xlsx_cell *nc = realloc(sp->cells, ncap * sizeof(*nc));

		if (nc == NULL)
			return JX_EINTERNAL;
		sp->cells = nc;
		sp->cellscap = ncap;
	}
	if (sp->textcap - sp->textlen < len + 1) {
		size_t ncap = sp->textcap == 0 ? 65536 : sp->textcap;
		char *nt;

		while (ncap - sp->textlen < len + 1)
			ncap *= 2;
		if ((nt = realloc(sp->text, ncap)) == NULL)
			return JX_EINTERNAL;
		sp->text = nt;
		sp->textcap = ncap;
	}
	memcpy(sp->text + sp->textlen, s, len);
	sp->text[sp->textlen + len] = '\0';
	c = &sp->cells[sp->ncells++];
	c->row = (uint32_t)sp->row;
	c->col = (uint16_t)sp->col;
	c->merged = 0;
	c->off = (uint32_t)sp->textlen;
	c->len = (uint32_t)len;
	sp->textlen += len + 1;
	return JX_OK;
}

/* The cell just closed: its text by its type and style, stored when not blank. */
static int
xlsx_sheet_cell(struct xlsx_sheetparse *sp)
{
	struct xlsx *x = sp->base.x;
	const struct xlsx_style *st = sp->has_style && sp->style < x->nstyles ?
	    &x->styles[sp->style] : NULL;
	const char *s = sp->v.p != NULL ? sp->v.p : "";
	char num[64];
	size_t len = sp->v.len, idx;

	if (sp->v.over)
		return xlsx_fail_cell(x, sp->sheet, sp->row, sp->col, "单元格超过 64 KiB",
		    "the cell is longer than 64 KiB");
	switch (sp->type) {
	case XLSX_T_SHARED:
		if (len == 0)
			return JX_OK;
		if (!xlsx_uint(s, SIZE_MAX, &idx) || idx >= x->nstrings)
			return xlsx_fail_cell(x, sp->sheet, sp->row, sp->col,
			    "引用了不存在的共享字符串", "names a shared string that is not there");
		if (x->strings[idx] == NULL)
			return xlsx_fail_cell(x, sp->sheet, sp->row, sp->col, "单元格超过 64 KiB",
			    "the cell is longer than 64 KiB");
		s = x->strings[idx];
		len = x->lens[idx];
		break;
	case XLSX_T_INLINE:
	case XLSX_T_STRING:
	case XLSX_T_ERROR:
		if (len == 0)
			return JX_OK;
		len = xlsx_unescape(sp->v.p, len);
		break;
	case XLSX_T_BOOL:
		if (len == 0)
			return JX_OK;
		s = strcmp(s, "0") == 0 ? "FALSE" : "TRUE";
		len = strlen(s);
		break;
	case XLSX_T_NUMBER:
		if (len == 0)
			return JX_OK;
		if (!xlsx_number(s, st, x->date1904, num, sizeof(num)))
			return xlsx_fail_cell(x, sp->sheet, sp->row, sp->col, "数字单元格的值无效",
			    "a numeric cell's value is not a number");
		s = num;
		len = strlen(num);
		break;
	}
	if (len == 0)
		return JX_OK;
	if (memchr(s, '\0', len) != NULL || !text_utf8_valid(s))
		return xlsx_fail_cell(x, sp->sheet, sp->row, sp->col, "单元格里有无效的字符",
		    "the cell holds characters that are not valid");
	return xlsx_sheet_store(sp, s, len);
}

static void XMLCALL
xlsx_sheet_start(void *data, const XML_Char *name, const XML_Char **atts)
{
	struct xlsx_sheetparse *sp = data;
	struct xlsx *x = sp->base.x;
	const char *local = xlsx_local(name), *v;
	size_t n, col, row;

	if (strcmp(local, "row") == 0) {
		v = xlsx_attr(atts, "r");
		if (v == NULL)
			n = sp->row + 1;
		else if (!xlsx_uint(v, XLSX_EXCEL_ROWS, &n) || n == 0)
			n = 0;
		if (n == 0 || n > XLSX_EXCEL_ROWS) {
			xlsx_stop(&sp->base, xlsx_fail_cell(x, sp->sheet, 0, 0,
			    "行号无效", "a row number is not valid"));
			return;
		}
		sp->row = n;
		sp->col = 0;
	} else if (strcmp(local, "c") == 0) {
		const char *t = xlsx_attr(atts, "t");

		v = xlsx_attr(atts, "r");
		if (v != NULL) {
			if (!xlsx_ref(v, &col, &row)) {
				xlsx_stop(&sp->base, xlsx_fail_cell(x, sp->sheet, sp->row, 0,
				    "单元格引用无效", "a cell reference is not valid"));
				return;
			}
			sp->col = col;
			if (row != 0)
				sp->row = row;
		} else {
			sp->col++;
		}
		if (sp->row == 0)
			sp->row = 1;
		sp->has_style = xlsx_uint(xlsx_attr(atts, "s"), SIZE_MAX, &sp->style);
		sp->type = t == NULL || strcmp(t, "n") == 0 ? XLSX_T_NUMBER :
		    strcmp(t, "s") == 0 ? XLSX_T_SHARED :
		    strcmp(t, "inlineStr") == 0 ? XLSX_T_INLINE :
		    strcmp(t, "b") == 0 ? XLSX_T_BOOL :
		    strcmp(t, "e") == 0 ? XLSX_T_ERROR : XLSX_T_STRING;
		sp->in_cell = true;
		xlsx_text_reset(&sp->v);
	} else if (!sp->in_cell) {
		if (strcmp(local, "mergeCell") == 0 && (v = xlsx_attr(atts, "ref")) != NULL) {
			struct xlsx_merge m, *nm;
			char a[16], *colon = strchr(v, ':');

			if (colon == NULL || (size_t)(colon - v) >= sizeof(a))
				return;
			memcpy(a, v, (size_t)(colon - v));
			a[colon - v] = '\0';
			if (!xlsx_ref(a, &m.c1, &m.r1) || !xlsx_ref(colon + 1, &m.c2, &m.r2) ||
			    m.r1 == 0 || m.r2 < m.r1 || m.c2 < m.c1)
				return;
			if (sp->nmerges == XLSX_MAX_MERGES) {
				xlsx_stop(&sp->base, xlsx_fail_cell(x, sp->sheet, 0, 0,
				    "合并单元格太多", "too many merged ranges"));
				return;
			}
			if ((nm = realloc(sp->merges, (sp->nmerges + 1) * sizeof(*nm))) == NULL) {
				xlsx_stop(&sp->base, JX_EINTERNAL);
				return;
			}
			sp->merges = nm;
			sp->merges[sp->nmerges++] = m;
		}
	} else if (strcmp(local, "v") == 0) {
		sp->in_v = true;
	} else if (strcmp(local, "is") == 0) {
		sp->in_is = true;
	} else if (strcmp(local, "rPh") == 0) {
		sp->in_rph++;
	} else if (strcmp(local, "t") == 0 && sp->in_is && sp->in_rph == 0) {
		sp->in_t = true;
	}
}

static void XMLCALL
xlsx_sheet_end(void *data, const XML_Char *name)
{
	struct xlsx_sheetparse *sp = data;
	const char *local = xlsx_local(name);
	int rv;

	if (!sp->in_cell)
		return;
	if (strcmp(local, "v") == 0) {
		sp->in_v = false;
	} else if (strcmp(local, "t") == 0) {
		sp->in_t = false;
	} else if (strcmp(local, "rPh") == 0 && sp->in_rph > 0) {
		sp->in_rph--;
	} else if (strcmp(local, "is") == 0) {
		sp->in_is = false;
	} else if (strcmp(local, "c") == 0) {
		sp->in_cell = sp->in_v = sp->in_is = sp->in_t = false;
		sp->in_rph = 0;
		if ((rv = xlsx_sheet_cell(sp)) != JX_OK)
			xlsx_stop(&sp->base, rv);
	}
}

static void XMLCALL
xlsx_sheet_chars(void *data, const XML_Char *s, int len)
{
	struct xlsx_sheetparse *sp = data;
	bool want = sp->type == XLSX_T_INLINE ? sp->in_t : sp->in_v;

	if (sp->in_cell && want && xlsx_text_add(&sp->v, s, (size_t)len) != JX_OK)
		xlsx_stop(&sp->base, JX_EINTERNAL);
}

static int
xlsx_cell_cmp(const void *a, const void *b)
{
	const struct xlsx_cell *x = a, *y = b;

	if (x->row != y->row)
		return x->row < y->row ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return (int)x->merged - (int)y->merged;
}

static const struct xlsx_cell *
xlsx_cell_find(const struct xlsx_cell *cells, size_t n, size_t row, size_t col)
{
	struct xlsx_cell key = { .row = (uint32_t)row, .col = (uint16_t)col };

	return bsearch(&key, cells, n, sizeof(*cells), xlsx_cell_cmp);
}

/*
 * Copies each merged range's top-left value down its first column, to every row the
 * range spans, up to the last row that holds anything (a range merged to the sheet's end
 * adds no rows). Not across: a name merged over the level columns to its right stays one
 * name in one column, as a CSV writes it.
 */
static int
xlsx_sheet_merge(struct xlsx_sheetparse *sp)
{
	struct xlsx *x = sp->base.x;
	size_t n = sp->ncells, maxrow = 0;

	qsort(sp->cells, n, sizeof(*sp->cells), xlsx_cell_cmp);
	for (size_t i = 0; i < n; i++)
		if (sp->cells[i].row > maxrow)
			maxrow = sp->cells[i].row;
	for (size_t m = 0; m < sp->nmerges; m++) {
		const struct xlsx_merge *g = &sp->merges[m];
		const struct xlsx_cell *tl = xlsx_cell_find(sp->cells, n, g->r1, g->c1);
		uint32_t off, len;

		if (tl == NULL)
			continue;
		off = tl->off;
		len = tl->len;
		for (size_t r = g->r1 + 1; r <= g->r2 && r <= maxrow; r++) {
			struct xlsx_cell *nc;

			if (sp->ncells == XLSX_MAX_CELLS)
				return xlsx_fail_cell(x, sp->sheet, r, g->c1, "单元格太多",
				    "too many cells");
			if (sp->ncells == sp->cellscap) {
				size_t ncap = sp->cellscap * 2;

				if ((nc = realloc(sp->cells, ncap * sizeof(*nc))) == NULL)
					return JX_EINTERNAL;
				sp->cells = nc;
				sp->cellscap = ncap;
			}
			nc = &sp->cells[sp->ncells++];
			nc->row = (uint32_t)r;
			nc->col = (uint16_t)g->c1;
			nc->merged = 1;
			nc->off = off;
			nc->len = len;
		}
	}
	qsort(sp->cells, sp->ncells, sizeof(*sp->cells), xlsx_cell_cmp);
	return JX_OK;
}

/* The cells as a table: a row per sheet row that holds anything, gaps as "". */
static int
xlsx_sheet_table(struct xlsx_sheetparse *sp, struct csv **out)
{
	struct xlsx *x = sp->base.x;
	struct csv *csv = csv_new();
	size_t i = 0;
	int rv = JX_OK;

	if (csv == NULL)
		return JX_EINTERNAL;
	while (i < sp->ncells && rv == JX_OK) {
		size_t row = sp->cells[i].row, col = 0;

		if ((rv = csv_add_row(csv, row)) != JX_OK)
			break;
		for (; i < sp->ncells && sp->cells[i].row == row && rv == JX_OK; i++) {
			const struct xlsx_cell *c = &sp->cells[i];

			if (c->col == col)
				continue; /* the original cell came first; a merged copy loses */
			while (++col < c->col && rv == JX_OK)
				rv = csv_add_cell(csv, "", 0);
			if (rv == JX_OK)
				rv = csv_add_cell(csv, sp->text + c->off, c->len);
		}
	}
	if (rv == JX_ENOSPC)
		rv = xlsx_fail_cell(x, sp->sheet, 0, 0, "超过行数或列数的上限",
		    "more rows or columns than allowed");
	else if (rv == JX_EINVAL)
		rv = xlsx_fail_cell(x, sp->sheet, 0, 0, "单元格里有无效的字符",
		    "a cell holds characters that are not valid");
	if (rv != JX_OK) {
		csv_free(csv);
		return rv;
	}
	*out = csv;
	return JX_OK;
}

int
xlsx_sheet(struct xlsx *x, size_t i, struct csv **out, char *why, size_t whylen)
{
	static _Thread_local char nowhy[XLSX_WHY_MAX];
	struct xlsx_sheetparse sp = { 0 };
	int rv;

	if (why == NULL || whylen == 0) {
		why = nowhy;
		whylen = sizeof(nowhy);
	}
	why[0] = '\0';
	x->why = why;
	x->whylen = whylen;
	if (i >= x->nsheets)
		return xlsx_fail(x, "没有这个工作表", "no such sheet");
	sp.sheet = x->sheets[i].name;
	if (x->sheets[i].part == NULL)
		return xlsx_fail_cell(x, sp.sheet, 0, 0, "工作簿没有给出这个工作表的部件",
		    "the workbook names no part for this sheet");
	rv = xlsx_part(x, x->sheets[i].part, &sp.base, xlsx_sheet_start, xlsx_sheet_end,
	    xlsx_sheet_chars);
	if (rv == JX_ENOTFOUND)
		rv = xlsx_fail_cell(x, sp.sheet, 0, 0, "工作簿里缺少这个工作表",
		    "the workbook is missing this sheet");
	if (rv == JX_EINVAL && strncmp(why, "工作表「", strlen("工作表「")) != 0) {
		char part[XLSX_WHY_MAX];

		snprintf(part, sizeof(part), "%s", why);
		snprintf(why, whylen, "工作表「%s」：%s", sp.sheet, part);
	}
	if (rv == JX_OK)
		rv = xlsx_sheet_merge(&sp);
	if (rv == JX_OK)
		rv = xlsx_sheet_table(&sp, out);
	free(sp.v.p);
	free(sp.text);
	free(sp.cells);
	free(sp.merges);
	return rv;
}
