/* The export formats and the one entry point from a sheet to a file or to bytes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "export.h"

static const struct {
	const char *name, *what, *mime;
	unsigned needs;
} export_format_table[EXPORT_NFORMATS] = {
	[EXPORT_CSV] = { "csv", "scoring sheet", "text/csv; charset=utf-8", 0 },
	[EXPORT_MD] = { "md", "report", "text/markdown; charset=utf-8", EXPORT_NEEDS_FINDINGS },
	[EXPORT_HTML] = { "html", "report", "text/html; charset=utf-8",
	    EXPORT_NEEDS_FINDINGS | EXPORT_NEEDS_TREND },
	[EXPORT_XLSX] = { "xlsx", "scoring sheet",
	    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	    EXPORT_NEEDS_FINDINGS },
	[EXPORT_PDF] = { "pdf", "report", "application/pdf",
	    EXPORT_NEEDS_FINDINGS | EXPORT_NEEDS_TREND },
};

int
export_format_parse(const char *s, enum export_format *fmt)
{
	for (size_t i = 0; i < EXPORT_NFORMATS; i++) {
		if (strcmp(s, export_format_table[i].name) == 0 ||
		    (i == EXPORT_MD && strcmp(s, "markdown") == 0)) {
			*fmt = (enum export_format)i;
			return 0;
		}
	}
	return -1;
}

int
export_format_of_path(const char *path, enum export_format *fmt)
{
	const char *dot = strrchr(path, '.');

	if (dot == NULL || strchr(dot, '/') != NULL)
		return -1;
	if (strcmp(dot, ".htm") == 0 || strcmp(dot, ".markdown") == 0)
		return export_format_parse(dot[1] == 'h' ? "html" : "md", fmt);
	return export_format_parse(dot + 1, fmt);
}

const char *
export_format_name(enum export_format fmt)
{
	return (unsigned)fmt < EXPORT_NFORMATS ? export_format_table[fmt].name : "?";
}

const char *
export_format_what(enum export_format fmt)
{
	return (unsigned)fmt < EXPORT_NFORMATS ? export_format_table[fmt].what : "?";
}

unsigned
export_format_needs(enum export_format fmt)
{
	return (unsigned)fmt < EXPORT_NFORMATS ? export_format_table[fmt].needs : 0;
}

const char *
export_format_mime(enum export_format fmt)
{
	return (unsigned)fmt < EXPORT_NFORMATS ? export_format_table[fmt].mime :
						 "application/octet-stream";
}

/* An xlsx workbook or a PDF in a new temporary file, its name in tmp. */
static int
export_format_temp(const struct export_sheet *s, enum export_format fmt, char *tmp,
    size_t tmplen, char *why, size_t whylen)
{
	const char *dir = getenv("TMPDIR");
	int fd, n, err;

	n = snprintf(tmp, tmplen, "%s/jx-export.XXXXXX",
	    dir != NULL && dir[0] != '\0' ? dir : "/tmp");
	if (n < 0 || (size_t)n >= tmplen) {
		snprintf(why, whylen, "the temporary directory's name is too long");
		return JX_EINTERNAL;
	}
	if ((fd = mkstemp(tmp)) < 0) {
		snprintf(why, whylen, "cannot create a temporary file in %s: %s",
		    dir != NULL && dir[0] != '\0' ? dir : "/tmp", strerror(errno));
		return JX_EINTERNAL;
	}
	close(fd);
	err = fmt == EXPORT_PDF ? export_pdf(s, tmp, why, whylen) : export_xlsx(s, tmp, why, whylen);
	if (err != JX_OK)
		unlink(tmp);
	return err;
}

/* Copies the file at path to f, at most max bytes. */
static int
export_format_copy(const char *path, FILE *f, size_t max, char *why, size_t whylen)
{
	char buf[65536];
	FILE *in = fopen(path, "rb");
	size_t n, done = 0;
	int err = JX_OK;

	if (in == NULL) {
		snprintf(why, whylen, "cannot read back %s: %s", path, strerror(errno));
		return JX_EINTERNAL;
	}
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0) {
		if ((done += n) > max) {
			snprintf(why, whylen, "the export is larger than %zu bytes", max);
			err = JX_ENOSPC;
			break;
		}
		if (fwrite(buf, 1, n, f) != n) {
			snprintf(why, whylen, "cannot write the export");
			err = JX_EINTERNAL;
			break;
		}
	}
	if (err == JX_OK && ferror(in)) {
		snprintf(why, whylen, "cannot read back %s", path);
		err = JX_EINTERNAL;
	}
	fclose(in);
	return err;
}

static int
export_format_write_max(const struct export_sheet *s, enum export_format fmt, FILE *f,
    size_t max, char *why, size_t whylen)
{
	char tmp[4096];
	int err;

	switch (fmt) {
	case EXPORT_CSV:
		return export_csv(s, f, why, whylen);
	case EXPORT_MD:
		return export_md(s, f, why, whylen);
	case EXPORT_HTML:
		return export_html(s, f, why, whylen);
	case EXPORT_XLSX:
	case EXPORT_PDF:
		if ((err = export_format_temp(s, fmt, tmp, sizeof(tmp), why, whylen)) != JX_OK)
			return err;
		err = export_format_copy(tmp, f, max, why, whylen);
		unlink(tmp);
		return err;
	}
	snprintf(why, whylen, "no such export format");
	return JX_EINVAL;
}

int
export_format_write(const struct export_sheet *s, enum export_format fmt, FILE *f, char *why,
    size_t whylen)
{
	return export_format_write_max(s, fmt, f, SIZE_MAX, why, whylen);
}

int
export_format_bytes(const struct export_sheet *s, enum export_format fmt, uint8_t **buf,
    size_t *len, char *why, size_t whylen)
{
	char *mem = NULL;
	size_t n = 0;
	FILE *f;
	int err;

	*buf = NULL;
	*len = 0;
	if ((f = open_memstream(&mem, &n)) == NULL)
		return JX_EINTERNAL;
	err = export_format_write_max(s, fmt, f, EXPORT_BYTES_MAX, why, whylen);
	if (fclose(f) != 0 && err == JX_OK)
		err = JX_EINTERNAL;
	if (err == JX_OK && n > EXPORT_BYTES_MAX) {
		snprintf(why, whylen, "the export is larger than %zu bytes", EXPORT_BYTES_MAX);
		err = JX_ENOSPC;
	}
	if (err != JX_OK) {
		free(mem);
		return err;
	}
	*buf = (uint8_t *)mem;
	*len = n;
	return JX_OK;
}
