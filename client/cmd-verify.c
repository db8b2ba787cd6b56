/* jx verify FILE|WS: checks an archive offline, or a live workspace the same way. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include <sodium.h>

#include "archive.h"
#include "checkpoint.h"
#include "cli.h"
#include "err.h"
#include "archive-fetch.h"
#include "key.h"

static const struct cli_command verify_command = { "verify", cmd_verify, "jx verify FILE|WS",
	"Checks an archive written by 'jx export WS --archive FILE' with no server: the hash\n"
	"chain of its history records, the state they rebuild, every submission and sign-off\n"
	"signature against the content it signs and the signer's key, the total and grade\n"
	"recomputed from the indicators, and the evidence inventory. Given a workspace id\n"
	"instead (and no file of that name), fetches the workspace and checks it the same\n"
	"way, and also checks that the server's history extends the signed checkpoint you\n"
	"saw the last time (kept in $XDG_CONFIG_HOME/jixiao/checkpoints): a server that\n"
	"rewrote or dropped history you have seen is caught. Exits 0 when everything\n"
	"holds, 65 naming what does not." };

static const char *const verify_details =
    "The signers' keys are those the archive carries with their signatures; compare\n"
    "their fingerprints with the keys you know.\n";

/* Reads the whole file, refusing one larger than an archive may be. Returns an exit code. */
static int
verify_read(const char *path, uint8_t **buf, size_t *len)
{
	struct stat st;
	size_t done = 0;
	int fd, rv = 0;

	*buf = NULL;
	*len = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return cli_error(errno == ENOENT ? EX_NOINPUT : EX_IOERR, "cannot read %s: %s",
		    path, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		rv = cli_error(EX_NOINPUT, "%s is not a file", path);
		goto out;
	}
	if ((uint64_t)st.st_size > ARCHIVE_MAX) {
		rv = cli_error(EX_DATAERR, "%s is %lld bytes, more than an archive may have (%zu)",
		    path, (long long)st.st_size, ARCHIVE_MAX);
		goto out;
	}
	if ((*buf = malloc((size_t)st.st_size + 1)) == NULL) {
		rv = cli_error(EX_OSERR, "out of memory");
		goto out;
	}
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, *buf + done, (size_t)st.st_size - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rv = cli_error(EX_IOERR, "cannot read %s: %s", path,
			    n < 0 ? strerror(errno) : "it shrank while read");
			goto out;
		}
		done += (size_t)n;
	}
	*len = done;
out:
	close(fd);
	if (rv != 0) {
		free(*buf);
		*buf = NULL;
	}
	return rv;
}

static void
verify_print(struct cli *cli, const char *what, const struct archive_report *r)
{
	if (cli->json) {
		struct out_json *j = out_json_new(stdout);

		out_json_object(j, NULL);
		out_json_string(j, "archive", what);
		out_json_bool(j, "ok", r->failed == 0);
		out_json_uint(j, "workspace", r->workspace);
		out_json_uint(j, "revision", r->revision);
		out_json_uint(j, "records", r->records);
		out_json_uint(j, "signatures", r->signatures);
		out_json_uint(j, "indicators", r->indicators);
		if (r->grade[0] != '\0') {
			out_json_hundredths(j, "total", r->total);
			out_json_string(j, "grade", r->grade);
		}
		out_json_uint(j, "failed", r->failed);
		out_json_array(j, "checks");
		for (size_t i = 0; i < r->n; i++) {
			const char *t = r->checks[i].text, *colon = strchr(t, ':');
			char area[32] = "";

			if (colon != NULL && (size_t)(colon - t) < sizeof(area))
				snprintf(area, sizeof(area), "%.*s", (int)(colon - t), t);
			out_json_object(j, NULL);
			out_json_string(j, "check", area);
			out_json_bool(j, "ok", r->checks[i].ok);
			out_json_string(j, "text", colon != NULL && colon[1] == ' ' ? colon + 2 : t);
			out_json_end(j);
		}
		out_json_free(j);
		return;
	}
	printf("%s (workspace %" PRIu64 ", revision %" PRIu64 "):\n", what, r->workspace,
	    r->revision);
	for (size_t i = 0; i < r->n; i++) {
		if (r->checks[i].ok)
			printf("  %s ✓\n", r->checks[i].text);
		else
			printf("  ✗ %s\n", r->checks[i].text);
	}
	if (r->failed > 0) {
		size_t shown = 0;
		for (size_t i = 0; i < r->n; i++)
			shown += !r->checks[i].ok;
		if (r->failed > shown)
			printf("  … and %zu more failures\n", r->failed - shown);
	}
}

/* Where the checkpoint of workspace ws on the server with key pk is kept. */
static int
verify_checkpoint_path(const uint8_t *pk, uint64_t ws, char *path, size_t len)
{
	char fp[KEY_FINGERPRINT_LEN], name[96];

	key_fingerprint(pk, fp);
	if (cli_config_path("checkpoints", path, len) != 0 || cli_config_mkdir() != 0 ||
	    (mkdir(path, 0700) != 0 && errno != EEXIST))
		return -1;
	snprintf(name, sizeof(name), "checkpoints/%s-%" PRIu64, fp, ws);
	return cli_config_path(name, path, len);
}

/*
 * A live workspace: its checkpoint must be signed by the server key jx pinned, and the
 * history must extend the checkpoint seen before; then the new one is kept. Adds its
 * findings to r. Returns 0, or -1 when out of memory.
 */
static int
verify_history_kept(struct cli *cli, uint64_t ws, const uint8_t *buf, size_t len,
    struct archive_report *r)
{
	Jixiao__Archive *a = jixiao__archive__unpack(NULL, len, buf);
	const uint8_t *pinned = cli->client != NULL ? client_server_key(cli->client) : NULL;
	char path[4096], tmp[4200], old[CHECKPOINT_MAX], why[256];
	struct checkpoint earlier;
	const char *note;
	FILE *f;
	size_t n;

	if (a == NULL || a->checkpoint == NULL || a->checkpoint->server_key.len != KEY_PUBLIC_LEN) {
		archive_report_add(r, false, "history: the server gave no checkpoint");
		goto out;
	}
	note = a->checkpoint->note;
	if (pinned == NULL || sodium_memcmp(pinned, a->checkpoint->server_key.data,
	    KEY_PUBLIC_LEN) != 0) {
		archive_report_add(r, false, "history: the checkpoint is signed by another key than "
		    "the server's you logged in to");
		goto out;
	}
	if (verify_checkpoint_path(pinned, ws, path, sizeof(path)) != 0) {
		archive_report_add(r, true, "history: no place to keep checkpoints (set "
		    "XDG_CONFIG_HOME)");
		goto out;
	}
	if ((f = fopen(path, "r")) != NULL) {
		n = fread(old, 1, sizeof(old) - 1, f);
		old[n] = '\0';
		fclose(f);
		if (checkpoint_open(old, pinned, &earlier, why, sizeof(why)) != 0)
			archive_report_add(r, false, "history: the checkpoint kept in %s: %s", path,
			    why);
		else if (archive_extends(buf, len, &earlier, why, sizeof(why)) != 0) {
			archive_report_add(r, false, "history: %s", why);
			goto out; /* keep the evidence: the old checkpoint stays */
		} else
			archive_report_add(r, true, "history: extends the checkpoint you kept at "
			    "revision %" PRIu64, earlier.revision);
	} else {
		archive_report_add(r, true, "history: first checkpoint of this workspace kept");
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((f = fopen(tmp, "w")) == NULL || fputs(note, f) < 0 || fclose(f) != 0 ||
	    rename(tmp, path) != 0)
		archive_report_add(r, false, "history: cannot keep the checkpoint in %s", path);
out:
	if (a != NULL)
		jixiao__archive__free_unpacked(a, NULL);
	return 0;
}

int
cmd_verify(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct archive_report r = { 0 };
	const char *arg;
	char what[320];
	uint8_t *buf = NULL;
	size_t len = 0;
	struct stat st;
	bool live = false;
	uint64_t ws = 0;
	int c, rv;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c != 'h')
			return EX_USAGE;
		cli_help(&verify_command, verify_details);
		return 0;
	}
	if (argc - optind != 1)
		return cli_usage_error("usage: %s", verify_command.usage);
	arg = argv[optind];
	if (stat(arg, &st) != 0 && strspn(arg, "0123456789") == strlen(arg) && arg[0] != '\0') {
		if (cli_parse_id(arg, "the workspace", &ws) != 0)
			return EX_USAGE;
		if ((rv = archive_fetch(cli, ws, true, &buf, &len)) != 0)
			return rv;
		live = true;
		snprintf(what, sizeof(what), "workspace %" PRIu64 " on the server", ws);
	} else {
		if ((rv = verify_read(arg, &buf, &len)) != 0)
			return rv;
		snprintf(what, sizeof(what), "%s", arg);
	}
	rv = archive_verify(buf, len, &r);
	if (rv != JX_EINTERNAL && live)
		verify_history_kept(cli, ws, buf, len, &r);
	if (rv == JX_OK && r.failed > 0)
		rv = JX_EINVAL;
	switch (rv) {
	case JX_OK:
		verify_print(cli, what, &r);
		rv = 0;
		break;
	case JX_EINVAL: {
		/* Name the first failure beyond the seal: it says what was changed. */
		const char *first = NULL;
		verify_print(cli, what, &r);
		for (size_t i = 0; i < r.n; i++)
			if (!r.checks[i].ok && (first == NULL || strncmp(first, "seal:", 5) == 0))
				first = r.checks[i].text;
		rv = first != NULL ? cli_error(EX_DATAERR, "%s does not verify: %s", what, first)
				   : cli_error(EX_DATAERR, "%s does not verify", what);
		break;
	}
	default:
		rv = cli_error(EX_OSERR, "out of memory");
		break;
	}
	archive_report_free(&r);
	free(buf);
	return rv;
}
