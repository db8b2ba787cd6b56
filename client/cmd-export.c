/*
 * jx export WS --format xlsx|csv|md|html|pdf -o FILE: a workspace as a file to hand on;
 * jx export WS --archive FILE: its whole history, for jx verify.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "archive-fetch.h"
#include "cli.h"
#include "err.h"
#include "export.h"

static const struct cli_command export_command = { "export", cmd_export,
	"jx export WS --format xlsx|csv|md|html|pdf -o FILE [--for-editing] | --archive FILE",
	"Writes a workspace to a file: its scoring sheet (评分表) as an Excel workbook or as\n"
	"the CSV that 'jx import sheet' reads back, or a report (Markdown, or a standalone\n"
	"HTML page with charts) with the budget facts, the analysis per indicator, the total\n"
	"and the grade. With --archive, an archive that 'jx verify FILE' checks offline:\n"
	"every history record as stored, the final state, the signers' keys and the\n"
	"evidence inventory." };

static const char *const export_details =
    "  -f, --format F    xlsx, csv, md, html or pdf (default: from FILE's extension)\n"
    "  -o, --output FILE the file to write, replaced whole or left as it was;\n"
    "                    '-' for standard output (default; xlsx only into a pipe)\n"
    "  -a, --archive FILE write an archive of the workspace and its history instead\n"
    "      --for-editing  xlsx: a 评分表 to fill in offline and bring back with\n"
    "                    'jx import edits WS FILE': each row carries its indicator's id\n"
    "                    (a hidden column) and a hidden sheet the revision and a BLAKE2b\n"
    "                    digest of the values exported, so that the import knows what\n"
    "                    changed and refuses a file whose hidden parts were altered\n"
    "\n"
    "csv is UTF-8 with a byte-order mark, as Excel opens Chinese text; computed scores\n"
    "are written as the sheet's scores, and their methods and parameters with them.\n"
    "It is the scoring sheet only: findings (jx finding) and the archive inventory are\n"
    "in the md, html and xlsx exports, not in the csv, so that it re-imports as is.\n"
    "A csv cell that a spreadsheet would run as a formula (starting with = + - @) is\n"
    "written with an apostrophe in front, which jx import sheet takes off again.\n"
    "md and html have sections for 经验做法, 存在问题 and 建议 and the archive inventory\n"
    "(档案清单: every evidence file with its size and BLAKE2b hash); xlsx has them as\n"
    "sheets of their own. html charts the subject's totals year by year when it has\n"
    "earlier years of the same kind of evaluation (jx ws carry). pdf is the html report\n"
    "printed by headless Chromium (A4, page numbers); it needs chromium installed.\n";

/* Copies the file at path to standard output. */
static int
export_copy_out(const char *path)
{
	char buf[65536];
	FILE *in = fopen(path, "rb");
	size_t n;
	int rv = 0;

	if (in == NULL)
		return cli_error(EX_IOERR, "cannot read back %s: %s", path, strerror(errno));
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0) {
		if (fwrite(buf, 1, n, stdout) != n) {
			rv = cli_error(EX_IOERR, "cannot write to standard output");
			break;
		}
	}
	if (rv == 0 && ferror(in))
		rv = cli_error(EX_IOERR, "cannot read back %s", path);
	fclose(in);
	if (rv == 0 && fflush(stdout) != 0)
		rv = cli_error(EX_IOERR, "cannot write to standard output: %s", strerror(errno));
	return rv;
}

/*
 * A new temporary file beside path (or in $TMPDIR for standard output), so that the
 * file is replaced only once it is whole: its name goes into tmp, its descriptor is
 * returned, -1 after telling the user.
 */
static int
export_temp(const char *path, char *tmp, size_t len)
{
	const char *dir = getenv("TMPDIR"), *slash;
	mode_t mask;
	int fd, n;

	if (path == NULL)
		n = snprintf(tmp, len, "%s/jx-export.XXXXXX",
		    dir != NULL && dir[0] != '\0' ? dir : "/tmp");
	else if ((slash = strrchr(path, '/')) != NULL)
		n = snprintf(tmp, len, "%.*s/.%s.XXXXXX", (int)(slash - path), path, slash + 1);
	else
		n = snprintf(tmp, len, ".%s.XXXXXX", path);
	if (n < 0 || (size_t)n >= len) {
		cli_error(0, "the file name %s is too long", path != NULL ? path : "");
		return -1;
	}
	if ((fd = mkstemp(tmp)) < 0) {
		cli_error(0, "cannot create a file beside %s: %s", path != NULL ? path : tmp,
		    strerror(errno));
		return -1;
	}
	/* mkstemp makes it 0600; a report is as readable as any new file of the user's. */
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) != 0) {
		cli_error(0, "cannot set the mode of %s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	return fd;
}

/* Writes an archive to path, replacing it only once whole. Returns an exit code. */
static int
export_archive_to(const uint8_t *buf, size_t len, const char *path)
{
	char tmp[PATH_MAX];
	size_t done = 0;
	int fd, rv = 0;

	if ((fd = export_temp(path, tmp, sizeof(tmp))) < 0)
		return EX_CANTCREAT;
	while (done < len) {
		ssize_t n = write(fd, buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rv = cli_error(EX_IOERR, "cannot write %s: %s", tmp, strerror(errno));
			break;
		}
		done += (size_t)n;
	}
	if (rv == 0 && fsync(fd) != 0)
		rv = cli_error(EX_IOERR, "cannot write %s: %s", tmp, strerror(errno));
	if (close(fd) != 0 && rv == 0)
		rv = cli_error(EX_IOERR, "cannot write %s: %s", tmp, strerror(errno));
	if (rv == 0 && rename(tmp, path) != 0)
		rv = cli_error(EX_CANTCREAT, "cannot write %s: %s", path, strerror(errno));
	if (rv != 0)
		unlink(tmp);
	return rv;
}

/* jx export WS --archive FILE. */
static int
export_archive_file(struct cli *cli, uint64_t ws, const char *path)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int rv;

	if (path[0] == '\0' || strcmp(path, "-") == 0)
		return cli_usage_error("name the archive file with --archive FILE");
	if ((rv = archive_fetch(cli, ws, true, &buf, &len)) != 0 ||
	    (rv = export_archive_to(buf, len, path)) != 0)
		goto out;
	if (cli->json) {
		struct out_json *j = out_json_new(stdout);

		out_json_object(j, NULL);
		out_json_uint(j, "workspace", ws);
		out_json_string(j, "format", "archive");
		out_json_string(j, "file", path);
		out_json_uint(j, "bytes", len);
		out_json_free(j);
	} else {
		printf("Wrote the archive of workspace %" PRIu64 " to %s (%zu bytes); check it "
		       "with jx verify %s.\n", ws, path, len, path);
	}
out:
	free(buf);
	return rv;
}

/* Writes the export to path ("-": standard output). Returns an exit code. */
static int
export_to(const struct export_sheet *s, enum export_format fmt, const char *path, off_t *size)
{
	char tmp[PATH_MAX], why[EXPORT_WHY_MAX] = "";
	bool out = strcmp(path, "-") == 0;
	struct stat st;
	FILE *f = NULL;
	int fd, rv = 0, err;

	if (out && fmt != EXPORT_XLSX && fmt != EXPORT_PDF) {
		if ((err = export_format_write(s, fmt, stdout, why, sizeof(why))) != JX_OK)
			return cli_error(err == JX_EINVAL ? EX_DATAERR : EX_IOERR, "%s",
			    why[0] != '\0' ? why : "out of memory");
		if (fflush(stdout) != 0 || ferror(stdout))
			return cli_error(EX_IOERR, "cannot write to standard output");
		return 0;
	}
	if ((fd = export_temp(out ? NULL : path, tmp, sizeof(tmp))) < 0)
		return EX_CANTCREAT;
	if (fmt == EXPORT_XLSX || fmt == EXPORT_PDF) {
		close(fd);
		err = fmt == EXPORT_PDF ? export_pdf(s, tmp, why, sizeof(why)) :
		    export_xlsx(s, tmp, why, sizeof(why));
	} else if ((f = fdopen(fd, "wb")) == NULL) {
		close(fd);
		rv = cli_error(EX_IOERR, "cannot write %s: %s", tmp, strerror(errno));
		goto out;
	} else {
		err = export_format_write(s, fmt, f, why, sizeof(why));
		if (err == JX_OK && (fflush(f) != 0 || ferror(f) || fsync(fileno(f)) != 0)) {
			rv = cli_error(EX_IOERR, "cannot write %s: %s", tmp, strerror(errno));
			fclose(f);
			goto out;
		}
		if (fclose(f) != 0 && err == JX_OK) {
			rv = cli_error(EX_IOERR, "cannot write %s: %s", tmp, strerror(errno));
			goto out;
		}
	}
	if (err != JX_OK) {
		rv = cli_error(err == JX_EINVAL ? EX_DATAERR : err == JX_EPRECOND ? EX_UNAVAILABLE :
		    EX_IOERR, "%s", why[0] != '\0' ? why : "out of memory");
		goto out;
	}
	if (stat(tmp, &st) == 0)
		*size = st.st_size;
	if (out)
		rv = export_copy_out(tmp);
	else if (rename(tmp, path) != 0)
		rv = cli_error(EX_CANTCREAT, "cannot write %s: %s", path, strerror(errno));
	else
		return 0;
out:
	unlink(tmp);
	return rv;
}

/*
 * What a report needs besides the tree: the findings (not for csv) and, for html, the
 * subject's evaluations of the same kind year by year. Returns an exit code.
 */
static int
export_fetch_more(struct cli *cli, enum export_format fmt, const Jixiao__TreeReply *tree,
    Jixiao__ListFindingsReply **findings, Jixiao__TrendReply **trend)
{
	Jixiao__ListFindingsRequest fin = JIXIAO__LIST_FINDINGS_REQUEST__INIT;
	Jixiao__TrendRequest tin = JIXIAO__TREND_REQUEST__INIT;
	int rv;

	if ((export_format_needs(fmt) & EXPORT_NEEDS_FINDINGS) != 0) {
		fin.workspace = tree->workspace->id;
		if ((rv = cli_call(cli, &jixiao__findings__descriptor, "List", &fin.base,
		    (ProtobufCMessage **)findings)) != 0)
			return rv;
	}
	if ((export_format_needs(fmt) & EXPORT_NEEDS_TREND) == 0)
		return 0;
	tin.subject = tree->workspace->subject;
	tin.has_kind = 1;
	tin.kind = tree->workspace->kind;
	return cli_call(cli, &jixiao__history__descriptor, "Trend", &tin.base,
	    (ProtobufCMessage **)trend);
}

int
cmd_export(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "archive", required_argument, NULL, 'a' },
		{ "for-editing", no_argument, NULL, 'E' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	Jixiao__GetTreeRequest in = JIXIAO__GET_TREE_REQUEST__INIT;
	Jixiao__TreeReply *tree = NULL;
	Jixiao__ListFindingsReply *findings = NULL;
	Jixiao__TrendReply *trend = NULL;
	struct export_sheet sheet = { 0 };
	enum export_format fmt = EXPORT_CSV;
	const char *path = "-", *archive = NULL;
	bool has_fmt = false, has_out = false, editing = false;
	char why[EXPORT_WHY_MAX] = "", total[DEC_BUFSZ];
	off_t size = 0;
	int c, rv, err;

	optind = 0;
	while ((c = getopt_long(argc, argv, "f:o:a:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (export_format_parse(optarg, &fmt) != 0)
				return cli_usage_error("the format must be xlsx, csv, md, html or pdf, "
						       "not '%s'",
				    optarg);
			has_fmt = true;
			break;
		case 'o':
			path = optarg;
			has_out = true;
			break;
		case 'a':
			archive = optarg;
			break;
		case 'E':
			editing = true;
			break;
		case 'h':
			cli_help(&export_command, export_details);
			return 0;
		default:
			return EX_USAGE;
		}
	}
	if (argc - optind != 1)
		return cli_usage_error("usage: %s", export_command.usage);
	if (cli_parse_id(argv[optind], "the workspace", &in.workspace) != 0)
		return EX_USAGE;
	if (archive != NULL && (has_fmt || has_out))
		return cli_usage_error("--archive writes its own format: leave out --format and "
				       "--output");
	if (archive != NULL)
		return export_archive_file(cli, in.workspace, archive);
	if (!has_fmt && strcmp(path, "-") == 0)
		return cli_usage_error("say which format with --format xlsx|csv|md|html|pdf");
	if (!has_fmt && export_format_of_path(path, &fmt) != 0)
		return cli_usage_error("cannot tell the format from the name %s: say which with "
				       "--format xlsx|csv|md|html|pdf",
		    path);
	if (path[0] == '\0')
		return cli_usage_error("the output file name is empty");
	if (editing && fmt != EXPORT_XLSX)
		return cli_usage_error("--for-editing writes an xlsx workbook: use --format xlsx");
	if ((fmt == EXPORT_XLSX || fmt == EXPORT_PDF) && strcmp(path, "-") == 0 &&
	    isatty(STDOUT_FILENO))
		return cli_usage_error("an %s file does not belong on a terminal: "
				       "name a file with -o FILE, or pipe it", export_format_name(fmt));

	if ((rv = cli_call(cli, &jixiao__tree__descriptor, "GetTree", &in.base,
		 (ProtobufCMessage **)&tree)) != 0)
		return rv;
	if ((err = export_sheet_init(&sheet, tree, why, sizeof(why))) != JX_OK) {
		rv = err == JX_EINTERNAL ? cli_error(EX_OSERR, "out of memory")
		    : cli_error(err == JX_EPRECOND ? EX_DATAERR : EX_PROTOCOL, "%s", why);
		goto out;
	}
	if ((rv = export_fetch_more(cli, fmt, tree, &findings, &trend)) != 0)
		goto out;
	sheet.findings = findings;
	sheet.trend = trend;
	sheet.for_editing = editing;
	if ((rv = export_to(&sheet, fmt, path, &size)) != 0 || strcmp(path, "-") == 0)
		goto out;
	if (cli->json) {
		struct out_json *j = out_json_new(stdout);

		out_json_object(j, NULL);
		out_json_uint(j, "workspace", in.workspace);
		out_json_string(j, "format", export_format_name(fmt));
		out_json_string(j, "file", path);
		out_json_int(j, "bytes", (int64_t)size);
		out_json_uint(j, "indicators", tree->n_nodes);
		out_json_hundredths(j, "total", tree->total);
		out_json_string(j, "grade", tree->grade);
		out_json_free(j);
	} else {
		printf("Wrote the %s of workspace %" PRIu64 " (%zu indicators, total %s → %s) to "
		       "%s (%s, %lld bytes).\n",
		    export_format_what(fmt), in.workspace, tree->n_nodes,
		    dec_format(tree->total, total), export_grade(tree), path,
		    export_format_name(fmt), (long long)size);
	}
out:
	export_sheet_free(&sheet);
	if (trend != NULL)
		jixiao__trend_reply__free_unpacked(trend, NULL);
	if (findings != NULL)
		jixiao__list_findings_reply__free_unpacked(findings, NULL);
	jixiao__tree_reply__free_unpacked(tree, NULL);
	return rv;
}
