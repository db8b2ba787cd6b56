/* nftw(3), to remove LibreOffice's profile. */
#define _XOPEN_SOURCE 700

#include "table-file.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "err.h"
#include "program.h"
#include "xlsx.h"

/* How long LibreOffice may take to convert a workbook. */
#define TABLE_FILE_CONVERT_SECONDS 120
/* Room for the reasons each sheet of a workbook was not taken. */
#define TABLE_FILE_REASONS_MAX 2048

int
table_file_load(const char *path, size_t max, char **data, size_t *len)
{
	char *buf = NULL;
	size_t n = 0, cap = 0;
	FILE *f;
	int rv = 0;

	*data = NULL;
	*len = 0;
	if ((f = fopen(path, "rb")) == NULL)
		return cli_error(EX_NOINPUT, "cannot open %s: %s", path, strerror(errno));
	for (;;) {
		size_t got;

		if (cap - n < 65536) {
			char *grown;

			if (cap >= max + 65536) {
				rv = cli_error(EX_DATAERR, "%s is larger than %zu MiB", path, max >> 20);
				goto out;
			}
			cap = cap ? cap * 2 : 1 << 20;
			if ((grown = realloc(buf, cap)) == NULL) {
				rv = cli_error(EX_OSERR, "out of memory reading %s", path);
				goto out;
			}
			buf = grown;
		}
		if ((got = fread(buf + n, 1, cap - n, f)) == 0)
			break;
		n += got;
	}
	if (ferror(f)) {
		rv = cli_error(EX_IOERR, "cannot read %s", path);
		goto out;
	}
	if (n > max) {
		rv = cli_error(EX_DATAERR, "%s is larger than %zu MiB", path, max >> 20);
		goto out;
	}
	*data = buf;
	*len = n;
	buf = NULL;
out:
	fclose(f);
	free(buf);
	return rv;
}

/* The first of soffice and libreoffice on PATH, into buf; false when neither is. */
static bool
table_file_soffice(char *buf, size_t len)
{
	static const char *const names[] = { "soffice", "libreoffice" };

	return program_find(names, sizeof(names) / sizeof(names[0]), buf, len);
}

static int
table_file_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	remove(path);
	return 0;
}

/* Copies len bytes of data to a new file at path, readable by the user only. */
static int
table_file_put(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	size_t done = 0;

	if (fd < 0)
		return -1;
	while (done < len) {
		ssize_t n = write(fd, data + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(fd);
			return -1;
		}
		done += (size_t)n;
	}
	return close(fd);
}

/*
 * Runs LibreOffice to convert the binary workbook in data to .xlsx, in a new private
 * directory removed afterwards, with a profile of its own there (so that a LibreOffice
 * the user has open does not take the job). Replaces *data and *len with the xlsx.
 */
static int
table_file_convert(const char *path, char **data, size_t *len)
{
	char soffice[PATH_MAX], dir[PATH_MAX], in[PATH_MAX + 16], out[PATH_MAX + 16],
	    profile[PATH_MAX + 64];
	const char *tmp = getenv("TMPDIR");
	char *xlsx = NULL;
	size_t xlen = 0;
	pid_t pid;
	int status = 0, rv = 0, waited = 0;

	if (!table_file_soffice(soffice, sizeof(soffice)))
		return cli_error(EX_DATAERR,
		    "%s: 这是旧版 Excel（.xls）或 WPS（.et）文件；请安装 LibreOffice"
		    "（libreoffice-calc-nogui）以便自动转换，或在 Excel/WPS 里另存为 .xlsx / "
		    "an old Excel (.xls) or WPS (.et) workbook: install LibreOffice "
		    "(libreoffice-calc-nogui) to have it converted, or save it as .xlsx",
		    path);
	snprintf(dir, sizeof(dir), "%s/jx-convert.XXXXXX",
	    tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL)
		return cli_error(EX_CANTCREAT, "cannot create a temporary directory: %s",
		    strerror(errno));
	snprintf(in, sizeof(in), "%s/in.xls", dir);
	snprintf(out, sizeof(out), "%s/in.xlsx", dir);
	snprintf(profile, sizeof(profile), "-env:UserInstallation=file://%s/profile", dir);
	if (table_file_put(in, *data, *len) != 0) {
		rv = cli_error(EX_CANTCREAT, "cannot write %s: %s", in, strerror(errno));
		goto out;
	}
	if ((pid = fork()) < 0) {
		rv = cli_error(EX_OSERR, "cannot start LibreOffice: %s", strerror(errno));
		goto out;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		if (null >= 0) {
			dup2(null, STDIN_FILENO);
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
		}
		execl(soffice, soffice, profile, "--headless", "--norestore", "--convert-to",
		    "xlsx", "--outdir", dir, in, (char *)NULL);
		_exit(127);
	}
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid)
			break;
		if (w < 0 && errno != EINTR) {
			rv = cli_error(EX_OSERR, "cannot wait for LibreOffice: %s", strerror(errno));
			goto out;
		}
		if (waited++ >= TABLE_FILE_CONVERT_SECONDS * 10) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			rv = cli_error(EX_UNAVAILABLE, "%s: LibreOffice did not convert it within "
			    "%d seconds", path, TABLE_FILE_CONVERT_SECONDS);
			goto out;
		}
		nanosleep(&(struct timespec){ 0, 100000000 }, NULL);
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || access(out, R_OK) != 0) {
		rv = cli_error(EX_DATAERR, "%s: LibreOffice (%s) could not convert it to .xlsx / "
		    "LibreOffice 无法把它转换为 .xlsx", path, soffice);
		goto out;
	}
	if ((rv = table_file_load(out, XLSX_MAX_FILE, &xlsx, &xlen)) != 0)
		goto out;
	free(*data);
	*data = xlsx;
	*len = xlen;
	fprintf(stderr, "jx: 已用 LibreOffice 把 %s 转换为 .xlsx 后读取 / converted %s to .xlsx "
	    "with LibreOffice\n", path, path);
out:
	nftw(dir, table_file_rm, 16, FTW_DEPTH | FTW_PHYS);
	return rv;
}

/* Appends "「S」：why；" to the reasons, cut when full. */
static void
table_file_reason(char *reasons, size_t len, const char *sheet, const char *why)
{
	size_t used = strlen(reasons);

	if (used + 8 >= len)
		return;
	snprintf(reasons + used, len - used, "%s「%s」%s", used > 0 ? "\n  " : "  ", sheet, why);
}

/* Which sheet --sheet names: its name, or its number from 1. */
static int
table_file_pick(const char *path, const struct xlsx *x, const char *sheet, size_t *idx)
{
	char *end;
	unsigned long n;

	for (size_t i = 0; i < xlsx_nsheets(x); i++) {
		if (strcmp(xlsx_sheet_name(x, i), sheet) == 0) {
			*idx = i;
			return 0;
		}
	}
	errno = 0;
	n = strtoul(sheet, &end, 10);
	if (sheet[0] >= '1' && sheet[0] <= '9' && *end == '\0' && errno == 0 &&
	    n <= xlsx_nsheets(x)) {
		*idx = n - 1;
		return 0;
	}
	fprintf(stderr, "jx: %s 里没有工作表「%s」/ %s has no sheet %s; its sheets:\n", path, sheet,
	    path, sheet);
	for (size_t i = 0; i < xlsx_nsheets(x); i++)
		fprintf(stderr, "  %zu. %s\n", i + 1, xlsx_sheet_name(x, i));
	return EX_USAGE;
}

static int
table_file_book(const char *path, const char *data, size_t len, const char *sheet,
    table_file_reader read, void *arg, struct csv **csv)
{
	char why[XLSX_WHY_MAX], reasons[TABLE_FILE_REASONS_MAX] = "";
	struct xlsx *x = NULL;
	size_t first = 0, last, i;
	int err, rv = 0;

	if ((err = xlsx_open(data, len, &x, why, sizeof(why))) != JX_OK)
		return err == JX_EINTERNAL ? cli_error(EX_OSERR, "out of memory reading %s", path) :
					     cli_error(EX_DATAERR, "%s: %s", path, why);
	last = xlsx_nsheets(x);
	if (sheet != NULL) {
		if ((rv = table_file_pick(path, x, sheet, &first)) != 0)
			goto out;
		last = first + 1;
	}
	for (i = first; i < last; i++) {
		struct csv *t = NULL;

		err = xlsx_sheet(x, i, &t, why, sizeof(why));
		if (err == JX_OK && read != NULL)
			err = read(t, arg, why, sizeof(why));
		if (err == JX_OK) {
			*csv = t;
			break;
		}
		csv_free(t);
		if (err == JX_EINTERNAL) {
			rv = cli_error(EX_OSERR, "out of memory reading %s", path);
			goto out;
		}
		if (sheet != NULL) {
			rv = cli_error(EX_DATAERR, "%s: %s", path, why);
			goto out;
		}
		table_file_reason(reasons, sizeof(reasons), xlsx_sheet_name(x, i), why);
	}
	if (i == last) {
		rv = cli_error(EX_DATAERR, "%s: 没有一个工作表能读入 / no sheet could be read:\n%s",
		    path, reasons);
		goto out;
	}
	if (xlsx_nsheets(x) > 1)
		fprintf(stderr, "jx: 读取了 %s 的第 %zu 个工作表「%s」/ read sheet %zu (%s) of %s\n",
		    path, i + 1, xlsx_sheet_name(x, i), i + 1, xlsx_sheet_name(x, i), path);
out:
	xlsx_free(x);
	return rv;
}

int
table_file_read(const char *path, const char *sheet, table_file_reader read, void *arg,
    struct csv **csv)
{
	char *data = NULL, why[XLSX_WHY_MAX];
	size_t len = 0;
	int rv, err;

	*csv = NULL;
	if ((rv = table_file_load(path, XLSX_MAX_FILE > CSV_MAX_BYTES ? XLSX_MAX_FILE :
	    CSV_MAX_BYTES, &data, &len)) != 0)
		return rv;
	switch (xlsx_kind(data, len)) {
	case XLSX_KIND_BIFF:
		if ((rv = table_file_convert(path, &data, &len)) != 0)
			break;
		/* fall through */
	case XLSX_KIND_ZIP:
	case XLSX_KIND_ENCRYPTED:
		rv = table_file_book(path, data, len, sheet, read, arg, csv);
		break;
	case XLSX_KIND_OTHER:
		if (sheet != NULL) {
			rv = cli_usage_error("--sheet is for workbooks; %s is read as CSV", path);
			break;
		}
		if ((err = csv_parse(data, len, csv, why, sizeof(why))) != JX_OK) {
			rv = err == JX_EINTERNAL ? cli_error(EX_OSERR, "out of memory reading %s", path) :
						   cli_error(EX_DATAERR, "%s: %s", path, why);
			break;
		}
		if (read != NULL && (err = read(*csv, arg, why, sizeof(why))) != JX_OK) {
			rv = err == JX_EINTERNAL ? cli_error(EX_OSERR, "out of memory") :
						   cli_error(EX_DATAERR, "%s: %s", path, why);
			csv_free(*csv);
			*csv = NULL;
		}
		break;
	}
	free(data);
	return rv;
}
