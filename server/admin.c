#include "admin.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>
#include <sysexits.h>

#include "backup.h"
#include "err.h"
#include "fsck.h"
#include "json.h"
#include "replay.h"
#include "store.h"

/* Problems found by fsck: one line each on stderr, or gathered for --json. */
struct admin_problems {
	bool json;
	size_t n;
	FILE *f;
};

static void
admin_problem(void *arg, const char *problem)
{
	struct admin_problems *p = arg;

	if (p->json) {
		fputs(p->n > 0 ? ",\n    " : "\n    ", p->f);
		json_quote(p->f, problem);
	} else {
		fprintf(p->f, "jixiaod: problem: %s\n", problem);
	}
	p->n++;
}

static int
admin_exit(int err)
{
	switch (err) {
	case JX_ENOTFOUND:
		return EX_NOINPUT;
	case JX_EEXIST:
		return EX_CANTCREAT;
	case JX_EINVAL:
		return EX_DATAERR;
	case JX_EPRECOND:
		return EX_CONFIG;
	default:
		return EX_IOERR;
	}
}

static void
admin_workspaces_json(FILE *f, const struct fsck_workspace *ws, size_t n)
{
	char hex[2 * FSCK_HASH_LEN + 1];

	fputs("  \"workspaces\": [", f);
	for (size_t i = 0; i < n; i++) {
		if (ws[i].has_head)
			sodium_bin2hex(hex, sizeof(hex), ws[i].head, FSCK_HASH_LEN);
		fprintf(f, "%s\n    {\"id\": %" PRIu64 ", \"revision\": %" PRIu64 ", \"head\": ",
		    i > 0 ? "," : "", ws[i].id, ws[i].revision);
		if (ws[i].has_head)
			json_quote(f, hex);
		else
			fputs("null", f);
		fputc('}', f);
	}
	fputs(n > 0 ? "\n  ]" : "]", f);
}

static void
admin_manifest_json(FILE *f, const struct backup_manifest *m, const char *file)
{
	char hex[2 * FSCK_HASH_LEN + 1];

	sodium_bin2hex(hex, sizeof(hex), m->hash, FSCK_HASH_LEN);
	fputs("{\n  \"file\": ", f);
	if (file != NULL)
		json_quote(f, file);
	else
		fputs("null", f);
	fputs(",\n  \"format\": ", f);
	json_quote(f, m->format);
	fputs(",\n  \"created\": ", f);
	json_quote(f, m->created);
	fprintf(f, ",\n  \"bytes\": %" PRIu64 ",\n  \"blake2b\": \"%s\",\n", m->bytes, hex);
	admin_workspaces_json(f, m->ws, m->nws);
	fputs("\n}\n", f);
}

static const char admin_backup_usage[] =
    "usage: jixiaod backup --data DIR OUT\n"
    "       jixiaod backup --data DIR --stdout > OUT\n";

int
admin_backup_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "data", required_argument, NULL, 'd' },
		{ "stdout", no_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct admin_problems p = { .f = stderr };
	struct backup_manifest m;
	unsigned long long problems;
	const char *data = NULL, *out = NULL;
	bool to_stdout = false, json = false;
	char why[512];
	FILE *info;
	int c, rv;

	while ((c = getopt_long(argc, argv, "d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			data = optarg;
			break;
		case 's':
			to_stdout = true;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			printf("%s\n"
			       "Copies the store in DIR, even while jixiaod serves it, into the new file\n"
			       "OUT (mode 0600: the store holds the server's signing key), or streams it\n"
			       "to standard output. The copy is one consistent, compacted snapshot\n"
			       "(writers wait for no more than a moment), checked like jixiaod check,\n"
			       "and ends with a manifest: the store format, the time, its BLAKE2b, and\n"
			       "the revision and chain head of every workspace. Restore it with\n"
			       "jixiaod restore OUT --data NEWDIR.\n"
			       "\n"
			       "  -d, --data DIR   the data directory\n"
			       "      --stdout     write the backup to standard output (the manifest\n"
			       "                   summary goes to standard error); a file it is\n"
			       "                   redirected to is made 0600 too\n"
			       "      --json       the manifest as JSON\n",
			    admin_backup_usage);
			return 0;
		default:
			fputs(admin_backup_usage, stderr);
			return EX_USAGE;
		}
	}
	if (optind < argc && !to_stdout)
		out = argv[optind++];
	if (data == NULL || optind < argc || (out == NULL) == !to_stdout) {
		fputs(admin_backup_usage, stderr);
		return EX_USAGE;
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "jixiaod: the crypto library failed to start\n");
		return EX_SOFTWARE;
	}
	rv = backup_write(data, out, &m, &problems, admin_problem, &p, why, sizeof(why));
	if (rv != 0) {
		fprintf(stderr, "jixiaod: backup failed: %s\n", why);
		return admin_exit(rv);
	}
	info = to_stdout ? stderr : stdout;
	if (json)
		admin_manifest_json(info, &m, out);
	else
		fprintf(info, "jixiaod: backup %s written: store format %s, %zu workspaces, %" PRIu64
		    " bytes, as of %s\n", out != NULL ? out : "(standard output)", m.format, m.nws,
		    m.bytes, m.created);
	backup_manifest_free(&m);
	if (problems > 0) {
		fprintf(stderr, "jixiaod: the store has %llu problem%s (above); the backup holds "
		    "them too. Run jixiaod check --data %s\n", problems, problems == 1 ? "" : "s",
		    data);
		return EX_DATAERR;
	}
	return 0;
}

static const char admin_restore_usage[] = "usage: jixiaod restore BACKUP|- --data DIR\n";

int
admin_restore_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "data", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct admin_problems p = { .f = stderr };
	struct backup_manifest m;
	const char *data = NULL, *backup;
	bool json = false;
	char why[512];
	int c, rv;

	while ((c = getopt_long(argc, argv, "d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			data = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			printf("%s\n"
			       "Makes DIR a store again from a file jixiaod backup wrote (- reads it\n"
			       "from standard input). DIR must hold no store: a live or existing one is\n"
			       "never overwritten. Before the store is put in place, the copy's BLAKE2b,\n"
			       "its manifest and every workspace's hash chain are checked; a damaged\n"
			       "backup is refused and leaves nothing behind. Then start jixiaod --data DIR.\n"
			       "\n"
			       "What users will notice: the store is as it was when the backup was made.\n"
			       "jx keeps the last signed checkpoint it saw of each workspace; for one that\n"
			       "had moved past the revision restored, jx verify reports that the server\n"
			       "rolled its history back. That is expected: tell them which changes to\n"
			       "redo; once they accept it, they remove that workspace's file under\n"
			       "~/.config/jixiao/checkpoints/.\n"
			       "\n"
			       "  -d, --data DIR   the new data directory\n"
			       "      --json       the restored manifest as JSON\n",
			    admin_restore_usage);
			return 0;
		default:
			fputs(admin_restore_usage, stderr);
			return EX_USAGE;
		}
	}
	if (data == NULL || argc - optind != 1) {
		fputs(admin_restore_usage, stderr);
		return EX_USAGE;
	}
	backup = argv[optind];
	if (sodium_init() < 0) {
		fprintf(stderr, "jixiaod: the crypto library failed to start\n");
		return EX_SOFTWARE;
	}
	if ((rv = backup_restore(backup, data, &m, admin_problem, &p, why, sizeof(why))) != 0) {
		fprintf(stderr, "jixiaod: restore refused: %s; nothing was restored\n", why);
		return admin_exit(rv);
	}
	if (json) {
		admin_manifest_json(stdout, &m, backup);
	} else {
		printf("jixiaod: restored %s into %s: %zu workspaces as of %s, every chain checked\n",
		    backup, data, m.nws, m.created);
		for (size_t i = 0; i < m.nws; i++)
			printf("  workspace %" PRIu64 " at revision %" PRIu64 "\n", m.ws[i].id,
			    m.ws[i].revision);
		printf("\nTell your users: the server's store is as it was at %s; changes made\n"
		       "after it are gone and must be made again. For a workspace they had seen\n"
		       "past the revision above, jx verify will report that the server rolled its\n"
		       "history back (the signed checkpoint jx kept is newer): that is this\n"
		       "restore. Once they accept it, they delete the workspace's checkpoint file\n"
		       "under ~/.config/jixiao/checkpoints/ and verify again.\n", m.created);
	}
	backup_manifest_free(&m);
	return 0;
}

static const char admin_check_usage[] = "usage: jixiaod check --data DIR [--json]\n";

int
admin_check_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "data", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct admin_problems p = { .f = stdout };
	struct replay_check lc;
	struct fsck_report r;
	struct store *st = NULL;
	const char *data = NULL;
	char why[512];
	int c, rv;

	while ((c = getopt_long(argc, argv, "d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			data = optarg;
			break;
		case 'j':
			p.json = true;
			break;
		case 'h':
			printf("%s\n"
			       "Checks the store in DIR without changing it: every workspace's hash\n"
			       "chain up to its head, the indicator, children, code, state, subject,\n"
			       "finding and user indexes against their records, and every evidence file\n"
			       "against its BLAKE2b; then its log (every record's checksum, the files\n"
			       "following on) and that the store and the newest snapshot are inside it.\n"
			       "Reads one snapshot, so it may run beside jixiaod.\n"
			       "Exits 0 when all is well, 65 naming each problem.\n"
			       "\n"
			       "  -d, --data DIR   the data directory\n"
			       "      --json       the report as JSON\n",
			    admin_check_usage);
			return 0;
		default:
			fputs(admin_check_usage, stderr);
			return EX_USAGE;
		}
	}
	if (data == NULL || optind < argc) {
		fputs(admin_check_usage, stderr);
		return EX_USAGE;
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "jixiaod: the crypto library failed to start\n");
		return EX_SOFTWARE;
	}
	if ((rv = store_open_readonly(data, false, &st, why, sizeof(why))) != 0) {
		fprintf(stderr, "jixiaod: %s\n", why);
		return admin_exit(rv);
	}
	memset(&lc, 0, sizeof(lc));
	if (p.json)
		fputs("{\n  \"problems\": [", stdout);
	rv = fsck_run(st, admin_problem, &p, &r);
	if (rv == 0)
		r.problems += replay_check(st, data, admin_problem, &p, &lc);
	store_close(st);
	if (rv != 0) {
		if (p.json)
			fputs("]\n}\n", stdout);
		fprintf(stderr, "jixiaod: the store cannot be read to the end: %s\n",
		    jx_strerror(rv));
		fsck_report_free(&r);
		return EX_IOERR;
	}
	if (p.json) {
		fprintf(stdout, "%s],\n  \"ok\": %s,\n  \"problem_count\": %llu,\n  \"records\": %llu,"
		    "\n  \"indicators\": %llu,\n  \"findings\": %llu,\n  \"users\": %llu,\n  "
		    "\"files\": %llu,\n  \"partial_uploads\": %llu,\n", p.n > 0 ? "\n  " : "",
		    r.problems == 0 ? "true" : "false", r.problems, r.records, r.nodes, r.findings,
		    r.users, r.files, r.partial);
		fprintf(stdout, "  \"log\": {\"files\": %zu, \"first\": %" PRIu64 ", \"last\": %"
		    PRIu64 ", \"bytes\": %" PRIu64 ", \"torn_bytes\": %" PRIu64 ", \"snapshot\": ",
		    lc.log.files, lc.log.first, lc.log.last, lc.log.bytes, lc.log.torn);
		if (lc.has_snapshot)
			fprintf(stdout, "%" PRIu64, lc.snapshot);
		else
			fputs("null", stdout);
		fputs(", \"store_position\": ", stdout);
		if (lc.has_position)
			fprintf(stdout, "%" PRIu64 "},\n", lc.position);
		else
			fputs("null},\n", stdout);
		admin_workspaces_json(stdout, r.ws, r.nws);
		fputs("\n}\n", stdout);
	} else {
		if (r.problems > p.n)
			printf("jixiaod: … and %llu more problems\n", r.problems - p.n);
		printf("jixiaod: checked %s: %zu workspaces, %llu history records, %llu indicators, "
		    "%llu findings, %llu users, %llu evidence files%s: %s\n", data, r.nws, r.records,
		    r.nodes, r.findings, r.users, r.files,
		    r.partial > 0 ? " (and unfinished uploads)" : "",
		    r.problems == 0 ? "no problems" : "PROBLEMS FOUND");
		if (lc.log.files > 0) {
			char snap[64] = "no snapshot";
			if (lc.has_snapshot)
				snprintf(snap, sizeof(snap), "its snapshot at record %" PRIu64,
				    lc.snapshot);
			printf("jixiaod: its log: %zu file(s), %.1f MB, records %" PRIu64 " to %"
			    PRIu64 "%s; %s\n", lc.log.files, (double)lc.log.bytes / 1e6,
			    lc.log.first, lc.log.last, lc.log.torn > 0 ? " and an incomplete last "
			    "record (cut at the next start)" : "", snap);
		}
	}
	fsck_report_free(&r);
	return r.problems == 0 ? 0 : EX_DATAERR;
}
