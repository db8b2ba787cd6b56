/*
 * Findings (存在问题 / 建议 / 经验做法) through jx on a real daemon: added, listed, edited
 * on the revision read, a stale edit refused with nothing changed, two evaluators
 * writing different findings at the same time, bad input refused in plain words, the
 * history (log, diff, --at), idempotent resends, and the findings, the archive
 * inventory and the year-by-year chart in the exports.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>
#include <cmocka.h>

#include "client.h"
#include "daemon.h"
#include "envelope.h"
#include "err.h"
#include "jxtest.h"
#include "proto/jixiao.pb-c.h"

extern char **environ;

static void
assert_has(const char *text, const char *want)
{
	if (strstr(text, want) == NULL)
		fail_msg("expected %s in:\n%.4000s", want, text);
}

static void
assert_lacks(const char *text, const char *unwanted)
{
	if (strstr(text, unwanted) != NULL)
		fail_msg("did not expect %s in:\n%.4000s", unwanted, text);
}

static uint64_t
json_uint(const char *json, const char *key)
{
	char want[64];
	const char *p;

	snprintf(want, sizeof(want), "\"%s\": ", key);
	assert_non_null(p = strstr(json, want));
	return strtoull(p + strlen(want), NULL, 10);
}

/* A finding's revision, from `jx finding ls WS --json`. */
static uint64_t
finding_rev(struct jxd *d, const char *ws, const char *id)
{
	char *out, want[64];
	const char *p;
	uint64_t rev;

	assert_int_equal(jxd_jx(d, &out, NULL, "finding", "ls", ws, "--json", NULL), 0);
	snprintf(want, sizeof(want), "\"id\": %s,", id);
	assert_non_null(p = strstr(out, want));
	rev = json_uint(p, "revision");
	free(out);
	return rev;
}

static char *
slurp(const char *path)
{
	struct stat st;
	char *buf;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL)
		fail_msg("cannot open %s: %s", path, strerror(errno));
	assert_int_equal(fstat(fileno(f), &st), 0);
	assert_non_null(buf = malloc((size_t)st.st_size + 1));
	assert_int_equal(fread(buf, 1, (size_t)st.st_size, f), (size_t)st.st_size);
	buf[st.st_size] = '\0';
	fclose(f);
	return buf;
}

/* A workspace (id 1) with two indicators, 1 and 2. */
static void
start(struct jxd *d)
{
	jxd_start(d, false);
	assert_int_equal(jxd_jx(d, NULL, NULL, "ws", "create", "--subject", "数字政府运维", "--year",
	    "2023", "--kind", "key-evaluation", NULL), 0);
	assert_int_equal(jxd_jx(d, NULL, NULL, "node", "add", "1", "财务管理情况", "--weight", "7",
	    "--score", "6", "--comment", "部分资料不全", NULL), 0);
	assert_int_equal(jxd_jx(d, NULL, NULL, "node", "add", "1", "支出完成率", "--weight", "8",
	    NULL), 0);
}

static void
add_list_and_edit_on_the_revision_read(void **state)
{
	struct jxd d;
	char *out, *err, *before, *after, rev[24];

	start(&d);
	assert_int_equal(jxd_jx(&d, &out, NULL, "finding", "add", "1", "--kind", "problem",
	    "项目预算执行率较低，仅为 84.40%。", "--indicator", "2", NULL), 0);
	assert_has(out, "Added finding 1 (存在问题, revision 4).");
	free(out);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "finding", "add", "1", "--kind", "recommendation",
	    "建议在编制预算前进行充分调研。", NULL), 0);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "finding", "add", "1", "--kind", "经验做法",
	    "建立了运维工作周报制度。\n每周通报运行情况。", NULL), 0);

	/* Grouped under the three headings, each with its id and revision. */
	assert_int_equal(jxd_jx(&d, &out, NULL, "finding", "ls", "1", NULL), 0);
	assert_has(out, "存在问题 (problem)\n  1. [#1 rev 4, 2] 项目预算执行率较低，仅为 84.40%。\n");
	assert_has(out, "\n建议 (recommendation)\n  1. [#2 rev 5] 建议在编制预算前进行充分调研。\n");
	assert_has(out, "\n经验做法 (experience)\n  1. [#3 rev 6] 建立了运维工作周报制度。\n"
	    "     每周通报运行情况。\n");
	free(out);
	assert_int_equal(jxd_jx(&d, &out, NULL, "finding", "ls", "1", "--json", NULL), 0);
	assert_has(out, "\"kind\": \"problem\",");
	assert_has(out, "\"indicator\": \"2\",");
	assert_has(out, "\"text\": \"建立了运维工作周报制度。\\n每周通报运行情况。\",");
	free(out);

	/* An edit on the revision read succeeds; the same base again is stale. */
	assert_int_equal(finding_rev(&d, "1", "1"), 4);
	assert_int_equal(jxd_jx(&d, &out, NULL, "finding", "set", "1", "1",
	    "项目预算执行率较低（84.40%），未达到 90% 的目标。", "--rev", "4", NULL), 0);
	assert_has(out, "Updated finding 1 (存在问题, revision 7).");
	free(out);
	assert_int_equal(jxd_jx(&d, &before, NULL, "finding", "ls", "1", "--json", NULL), 0);
	assert_int_equal(jxd_jx(&d, NULL, &err, "finding", "set", "1", "1", "覆盖别人的修改",
	    "--rev", "4", NULL), EX_TEMPFAIL);
	assert_has(err, "finding 1 was changed by");
	assert_has(err, "at revision 7 after your revision 4");
	assert_has(err, "now (revision 7, by ");
	assert_has(err, "未达到 90% 的目标。");
	free(err);
	/* With --json the conflict carries the current finding. */
	assert_int_equal(jxd_jx(&d, &out, NULL, "finding", "set", "1", "1", "覆盖别人的修改",
	    "--rev", "4", "--json", NULL), EX_TEMPFAIL);
	assert_has(out, "\"code\": \"ABORTED\"");
	assert_has(out, "\"current\": {");
	assert_has(out, "未达到 90% 的目标。");
	free(out);
	/* Nothing changed: the same findings, and the workspace still at revision 7. */
	assert_int_equal(jxd_jx(&d, &after, NULL, "finding", "ls", "1", "--json", NULL), 0);
	assert_string_equal(before, after);
	assert_int_equal(json_uint(after, "revision"), 7);
	free(before);
	free(after);

	/* A stale removal is refused too; a current one goes through. */
	assert_int_equal(jxd_jx(&d, NULL, NULL, "finding", "rm", "1", "1", "--rev", "4", NULL),
	    EX_TEMPFAIL);
	snprintf(rev, sizeof(rev), "%llu", (unsigned long long)finding_rev(&d, "1", "2"));
	assert_int_equal(jxd_jx(&d, NULL, NULL, "finding", "rm", "1", "2", "--rev", rev, NULL), 0);
	assert_int_equal(jxd_jx(&d, &out, NULL, "finding", "ls", "1", "--kind", "recommendation",
	    NULL), 0);
	assert_has(out, "No findings yet");
	free(out);

	/* Kept across a restart. */
	jxd_restart(&d);
	assert_int_equal(jxd_jx(&d, &out, NULL, "finding", "ls", "1", NULL), 0);
	assert_has(out, "未达到 90% 的目标。");
	assert_lacks(out, "建议在编制预算前");
	free(out);
	jxd_stop(&d);
	jxd_cleanup(&d);
}

/*
 * Starts jx --server URL ARGS... in the background, its output discarded; args start
 * with --user NAME, who gets a registered key first.
 */
static pid_t
spawn_jx(struct jxd *d, const char *const *args)
{
	posix_spawn_file_actions_t fa;
	const char *argv[16];
	char key[400];
	size_t n = 0;
	pid_t pid;

	assert_string_equal(args[0], "--user");
	jxd_user(d, args[1], true);
	argv[n++] = getenv("JX");
	argv[n++] = "--server";
	argv[n++] = d->url;
	argv[n++] = "--key";
	argv[n++] = jxd_key_path(d, args[1], key, sizeof(key));
	for (size_t i = 2; args[i] != NULL && n < 15; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	assert_non_null(argv[0]);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	if (posix_spawn(&pid, argv[0], &fa, NULL, (char *const *)argv, environ) != 0)
		fail_msg("cannot run %s: %s", argv[0], strerror(errno));
	posix_spawn_file_actions_destroy(&fa);
	return pid;
}

static int
wait_jx(pid_t pid)
{
	int status;

	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/*
 * Two evaluators edit at the same time, both on what they read: different findings
 * never conflict, whichever lands first; the same finding from the same revision is
 * taken from exactly one of them and refused to the other. The outcome does not
 * depend on the order the server sees them in.
 */
static void
concurrent_editors(void **state)
{
	static const char *const alice[] = { "--user", "alice", "finding", "set", "1", "1",
		"甲：预算执行率偏低。", "--rev", "4", NULL };
	static const char *const bob[] = { "--user", "bob", "finding", "set", "1", "2",
		"乙：建议加强预算编制。", "--rev", "5", NULL };
	static const char *const carol[] = { "--user", "carol", "finding", "set", "1", "1",
		"丙的版本", "--rev", "6", NULL };
	static const char *const dave[] = { "--user", "dave", "finding", "set", "1", "1",
		"丁的版本", "--rev", "6", NULL };
	struct jxd d;
	char *out;
	int a, b;

	start(&d);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "finding", "add", "1", "--kind", "problem", "问题",
	    NULL), 0);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "finding", "add", "1", "--kind", "recommendation",
	    "建议", NULL), 0);
	{
		pid_t p1 = spawn_jx(&d, alice), p2 = spawn_jx(&d, bob);

		a = wait_jx(p1);
		b = wait_jx(p2);
	}
	assert_int_equal(a, 0);
	assert_int_equal(b, 0);
	assert_int_equal(jxd_jx(&d, &out, NULL, "finding", "ls", "1", "--json", NULL), 0);
	assert_has(out, "\"text\": \"甲：预算执行率偏低。\",");
	assert_has(out, "\"text\": \"乙：建议加强预算编制。\",");
	assert_has(out, "\"updated_by\": \"alice\",");
	assert_has(out, "\"updated_by\": \"bob\",");
	assert_int_equal(json_uint(out, "revision"), 7);
	free(out);

	/* Finding 1 is now at revision 6 or 7, whichever of the two edits came first. */
	{
		uint64_t r1 = finding_rev(&d, "1", "1");
		char rev[24];
		const char *c2[10], *d2[10];

		snprintf(rev, sizeof(rev), "%llu", (unsigned long long)r1);
		memcpy(c2, carol, sizeof(c2));
		memcpy(d2, dave, sizeof(d2));
		c2[8] = rev;
		d2[8] = rev;
		pid_t p1 = spawn_jx(&d, c2), p2 = spawn_jx(&d, d2);
		a = wait_jx(p1);
		b = wait_jx(p2);
	}
	assert_true((a == 0 && b == EX_TEMPFAIL) || (a == EX_TEMPFAIL && b == 0));
	assert_int_equal(jxd_jx(&d, &out, NULL, "finding", "ls", "1", "--json", NULL), 0);
	assert_has(out, a == 0 ? "\"text\": \"丙的版本\"," : "\"text\": \"丁的版本\",");
	assert_lacks(out, a == 0 ? "丁的版本" : "丙的版本");
	assert_int_equal(json_uint(out, "revision"), 8);
	free(out);
	jxd_stop(&d);
	jxd_cleanup(&d);
}

static void
bad_input_is_refused_plainly(void **state)
{
	struct jxd d;
	char *out, *err, *before, *after, big[9000];

	start(&d);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "finding", "add", "1", "--kind", "problem", "问题",
	    NULL), 0);
	assert_int_equal(jxd_jx(&d, &before, NULL, "ws", "show", "1", "--json", NULL), 0);

	assert_int_equal(jxd_jx(&d, NULL, &err, "finding", "add", "1", "--kind", "problem", "",
	    NULL), EX_DATAERR);
	assert_string_equal(err, "jx: a finding's text cannot be empty\n");
	free(err);
	assert_int_equal(jxd_jx(&d, NULL, &err, "finding", "add", "1", "--kind", "problem",
	    " \n\u3000 ", NULL), EX_DATAERR);
	assert_string_equal(err, "jx: a finding's text cannot be empty\n");
	free(err);
	assert_int_equal(jxd_jx(&d, NULL, &err, "finding", "add", "1", "--kind", "complaint", "x",
	    NULL), EX_USAGE);
	assert_has(err, "the kind must be problem, recommendation or experience, not 'complaint'");
	free(err);
	assert_int_equal(jxd_jx(&d, NULL, &err, "finding", "add", "1", "x", NULL), EX_USAGE);
	assert_has(err, "--kind");
	free(err);
	assert_int_equal(jxd_jx(&d, NULL, &err, "finding", "add", "1", "--kind", "problem", "坏\x01",
	    NULL), EX_DATAERR);
	assert_has(err, "valid UTF-8 without control characters");
	free(err);
	assert_int_equal(jxd_jx(&d, NULL, &err, "finding", "add", "1", "--kind", "problem",
	    "\xff\xfe", NULL), EX_DATAERR);
	free(err);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(jxd_jx(&d, NULL, &err, "finding", "add", "1", "--kind", "problem", big,
	    NULL), EX_DATAERR);
	assert_has(err, "at most 8192 bytes");
	free(err);
	assert_int_equal(jxd_jx(&d, NULL, &err, "finding", "add", "1", "--kind", "problem", "x",
	    "--indicator", "9.9", NULL), EX_NOINPUT);
	free(err);
	assert_int_equal(jxd_jx(&d, NULL, &err, "finding", "set", "1", "42", "x", "--rev", "3",
	    NULL), EX_NOINPUT);
	assert_string_equal(err, "jx: finding 42 does not exist in workspace 1\n");
	free(err);
	assert_int_equal(jxd_jx(&d, NULL, &err, "finding", "rm", "1", "42", NULL), EX_NOINPUT);
	free(err);
	assert_int_equal(jxd_jx(&d, NULL, &err, "finding", "set", "1", "1", "", "--rev", "4",
	    NULL), EX_DATAERR);
	free(err);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "finding", "set", "1", "1", NULL), EX_USAGE);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "finding", "ls", "9", NULL), EX_NOINPUT);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "finding", "ls", "1", "--at", "99", NULL),
	    EX_DATAERR);
	assert_int_equal(jxd_jx(&d, &out, NULL, "finding", "add", "--help", NULL), 0);
	assert_has(out, "usage: jx finding add WS --kind");
	free(out);

	/* None of it changed anything. */
	assert_int_equal(jxd_jx(&d, &after, NULL, "ws", "show", "1", "--json", NULL), 0);
	assert_string_equal(before, after);
	free(before);
	free(after);

	/* An archived workspace takes no findings. */
	assert_int_equal(jxd_jx(&d, NULL, NULL, "ws", "archive", "1", NULL), 0);
	assert_int_equal(jxd_jx(&d, NULL, &err, "finding", "add", "1", "--kind", "problem", "晚了",
	    NULL), EX_DATAERR);
	assert_has(err, "archived");
	free(err);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "finding", "set", "1", "1", "晚了", "--rev", "4",
	    NULL), EX_DATAERR);
	jxd_stop(&d);
	jxd_cleanup(&d);
}

/* jx log and jx diff say what happened to findings; --at reads them back as they were. */
static void
history_of_findings(void **state)
{
	struct jxd d;
	char *out;

	start(&d);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "finding", "add", "1", "--kind", "problem",
	    "第一稿", NULL), 0); /* revision 4 */
	assert_int_equal(jxd_jx(&d, NULL, NULL, "finding", "add", "1", "--kind", "experience",
	    "经验", NULL), 0); /* 5 */
	assert_int_equal(jxd_jx(&d, NULL, NULL, "finding", "set", "1", "1", "第二稿", "--rev",
	    "4", "--indicator", "1", NULL), 0); /* 6 */
	assert_int_equal(jxd_jx(&d, NULL, NULL, "finding", "rm", "1", "2", NULL), 0); /* 7 */

	assert_int_equal(jxd_jx(&d, &out, NULL, "log", "1", NULL), 0);
	assert_has(out, "finding.add       #1 存在问题: 第一稿\n");
	assert_has(out, "finding.update    #1 存在问题: 第二稿\n"
	    "        text: 第一稿 → 第二稿; indicator: - → 1\n");
	assert_has(out, "finding.remove    #2 经验做法: 经验\n");
	free(out);
	assert_int_equal(jxd_jx(&d, &out, NULL, "log", "1", "--json", NULL), 0);
	assert_has(out, "\"what\": \"finding.update\",");
	assert_has(out, "\"before\": {");
	free(out);

	assert_int_equal(jxd_jx(&d, &out, NULL, "diff", "1", "4", "7", NULL), 0);
	assert_has(out, "changed  #1 存在问题: 第二稿\n");
	assert_has(out, "text: 第一稿 → 第二稿");
	assert_lacks(out, "经验");
	assert_has(out, "1 change from revision 4 to 7");
	free(out);
	assert_int_equal(jxd_jx(&d, &out, NULL, "diff", "1", "5", "7", "--json", NULL), 0);
	assert_has(out, "\"change\": \"removed\",\n      \"finding\": 2,");
	free(out);

	assert_int_equal(jxd_jx(&d, &out, NULL, "finding", "ls", "1", "--at", "5", NULL), 0);
	assert_has(out, "[#1 rev 4] 第一稿");
	assert_has(out, "[#2 rev 5] 经验");
	free(out);
	assert_int_equal(jxd_jx(&d, &out, NULL, "finding", "ls", "1", "--at", "3", NULL), 0);
	assert_has(out, "No findings yet");
	free(out);
	/* Findings do not disturb reading the tree at a past revision. */
	assert_int_equal(jxd_jx(&d, &out, NULL, "score", "1", "--at", "6", "--json", NULL), 0);
	assert_has(out, "\"name\": \"财务管理情况\",");
	free(out);
	jxd_stop(&d);
	jxd_cleanup(&d);
}

/* A resent Add (the same request id) is applied once and answered with the first reply. */
static void
resent_add_is_applied_once(void **state)
{
	Jixiao__AddFindingRequest in = JIXIAO__ADD_FINDING_REQUEST__INIT;
	uint8_t id[ENVELOPE_REQUEST_ID_LEN];
	ProtobufCMessage *out;
	struct client *cl;
	struct jxd d;
	char why[256], msg[1100], *ls;

	start(&d);
	assert_int_equal(client_open(d.url, jxd_identity(&d, "alice"), &cl, why, sizeof(why)), 0);
	in.workspace = 1;
	in.kind = JIXIAO__FINDING_KIND__PROBLEM;
	in.text = "只应出现一次";
	client_new_request_id(id);
	for (int i = 0; i < 2; i++) {
		assert_jx_ok(client_call_with_id(cl, &jixiao__findings__descriptor, "Add", id,
		    &in.base, &out, msg, sizeof(msg)));
		assert_int_equal(((Jixiao__FindingReply *)out)->finding->id, 1);
		assert_int_equal(((Jixiao__FindingReply *)out)->workspace_revision, 4);
		protobuf_c_message_free_unpacked(out, NULL);
	}
	/* A kind out of the enum's range is refused by the server itself. */
	in.kind = (Jixiao__FindingKind)7;
	assert_jx_err(client_call(cl, &jixiao__findings__descriptor, "Add", &in.base, &out, msg,
	    sizeof(msg)), JX_EINVAL);
	assert_has(msg, "a finding is a problem, a recommendation or an experience");
	if (out != NULL)
		protobuf_c_message_free_unpacked(out, NULL);
	client_close(cl);
	assert_int_equal(jxd_jx(&d, &ls, NULL, "finding", "ls", "1", "--json", NULL), 0);
	assert_int_equal(json_uint(ls, "revision"), 4);
	assert_non_null(strstr(ls, "只应出现一次"));
	assert_null(strstr(strstr(ls, "只应出现一次") + 1, "只应出现一次"));
	free(ls);
	jxd_stop(&d);
	jxd_cleanup(&d);
}

static const char *
in_dir(const struct jxd *d, const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", d->dir, name);
	return buf;
}

/* Runs argv, its stdout into *out; returns its exit status. */
static int
run(const char *const *argv, char **out)
{
	posix_spawn_file_actions_t fa;
	size_t cap = 65536, used = 0;
	char *buf;
	int p[2];
	ssize_t n;
	pid_t pid;

	assert_int_equal(pipe(p), 0);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], STDOUT_FILENO);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addclose(&fa, p[0]);
	posix_spawn_file_actions_addclose(&fa, p[1]);
	if (posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv, environ) != 0)
		fail_msg("cannot run %s: %s", argv[0], strerror(errno));
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	assert_non_null(buf = malloc(cap));
	while ((n = read(p[0], buf + used, cap - used - 1)) > 0) {
		used += (size_t)n;
		if (cap - used < 2)
			assert_non_null(buf = realloc(buf, cap *= 2));
	}
	buf[used] = '\0';
	close(p[0]);
	*out = buf;
	return wait_jx(pid);
}

/* The findings and the archive inventory in md, html and xlsx; the csv stays the sheet. */
static void
findings_and_inventory_in_exports(void **state)
{
	struct jxd d;
	char path[512], file[512], *text, *out;
	FILE *f;

	start(&d);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "finding", "add", "1", "--kind", "problem",
	    "财务资料归档不完整 <未归档> & 缺失", "--indicator", "1", NULL), 0);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "finding", "add", "1", "--kind", "recommendation",
	    "完善财务资料管理", NULL), 0);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "finding", "add", "1", "--kind", "experience",
	    "运维周报制度", NULL), 0);
	assert_non_null(f = fopen(in_dir(&d, "合同.txt", file, sizeof(file)), "w"));
	fputs("abc", f);
	fclose(f);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "evidence", "add", "1", "1", file, NULL), 0);

	assert_int_equal(jxd_jx(&d, NULL, NULL, "export", "1", "-o",
	    in_dir(&d, "r.md", path, sizeof(path)), NULL), 0);
	text = slurp(path);
	assert_has(text, "\n## 经验做法、存在问题和建议\n\n### 主要经验做法\n\n1. 运维周报制度\n"
	    "\n### 存在问题\n\n1. 财务资料归档不完整 \\<未归档\\> \\& 缺失（指标 1）\n"
	    "\n### 相关建议\n\n1. 完善财务资料管理\n");
	/* BLAKE2b-256 of "abc". */
	assert_has(text, "\n## 档案清单\n\n| 编号 | 指标 | 文件 | 大小（字节） | BLAKE2b-256 |\n"
	    "| --- | --- | --- | ---: | --- |\n| 1 | 财务管理情况 | 合同.txt | 3 | "
	    "`bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319` |\n");
	assert_true(strstr(text, "## 经验做法") < strstr(text, "## 评价结论"));
	free(text);

	assert_int_equal(jxd_jx(&d, NULL, NULL, "export", "1", "-o",
	    in_dir(&d, "r.html", path, sizeof(path)), NULL), 0);
	text = slurp(path);
	assert_has(text, "<h2>四、项目实施的经验、存在的问题和改进措施</h2>\n<h3>（一）主要经验做法</h3>\n"
	    "<p class=\"text finding\">1. 运维周报制度</p>\n<h3>（二）存在问题</h3>\n"
	    "<p class=\"text finding\">1. 财务资料归档不完整 &lt;未归档&gt; &amp; 缺失"
	    "<span class=\"muted\">（指标 1）</span></p>\n<h3>（三）相关建议</h3>\n");
	assert_has(text, "<h2>五、评价结论</h2>");
	assert_has(text, "<h2>七、附件：档案清单</h2>");
	assert_has(text, "<td>合同.txt</td><td class=\"num\">3</td><td class=\"hash\">"
	    "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319</td>");
	assert_lacks(text, "<未归档>");
	free(text);

	/* The csv is the scoring sheet only, as jx export --help says. */
	assert_int_equal(jxd_jx(&d, &out, NULL, "export", "1", "--format", "csv", NULL), 0);
	assert_lacks(out, "财务资料归档不完整");
	free(out);
	assert_int_equal(jxd_jx(&d, &out, NULL, "export", "--help", NULL), 0);
	assert_has(out, "not in the csv");
	free(out);

	assert_int_equal(jxd_jx(&d, NULL, NULL, "export", "1", "-o",
	    in_dir(&d, "r.xlsx", path, sizeof(path)), NULL), 0);
	if (access("/usr/bin/unzip", X_OK) != 0) {
		print_message("unzip is not installed: the workbook's parts are not read\n");
	} else {
		const char *wb[] = { "unzip", "-p", path, "xl/workbook.xml", NULL };
		const char *strings[] = { "unzip", "-p", path, "xl/sharedStrings.xml", NULL };

		assert_int_equal(run(wb, &out), 0);
		assert_has(out, "name=\"问题与建议\"");
		assert_has(out, "name=\"档案清单\"");
		free(out);
		assert_int_equal(run(strings, &out), 0);
		assert_has(out, "财务资料归档不完整 &lt;未归档&gt; &amp; 缺失");
		assert_has(out, "完善财务资料管理");
		assert_has(out, "主要经验做法");
		assert_has(out, "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319");
		free(out);
	}
	jxd_stop(&d);
	jxd_cleanup(&d);
}

/* The html report charts the subject's totals year by year once it has two years. */
static void
trend_chart_with_two_years_only(void **state)
{
	struct jxd d;
	char *out;

	start(&d);
	assert_int_equal(jxd_jx(&d, &out, NULL, "export", "1", "--format", "html", NULL), 0);
	assert_lacks(out, "历年评价情况");
	assert_lacks(out, "class=\"trend\"");
	free(out);

	assert_int_equal(jxd_jx(&d, NULL, NULL, "node", "set", "1", "2", "--score", "8", NULL), 0);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "ws", "carry", "1", "--to", "2024", NULL), 0);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "node", "set", "2", "1", "--score", "7", NULL), 0);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "node", "set", "2", "2", "--score", "8", NULL), 0);
	assert_int_equal(jxd_jx(&d, &out, NULL, "export", "2", "--format", "html", NULL), 0);
	assert_has(out, "<h3>历年评价情况</h3>\n<svg");
	assert_has(out, "aria-label=\"历年评价得分\"");
	assert_has(out, "2023 年度评价得分 14.00 分（");
	assert_has(out, "2024 年度评价得分 15.00 分（");
	assert_has(out, "<text x=\"18\" y=\"230\">2023 年 ");
	assert_has(out, "<text x=\"108\" y=\"230\">2024 年 ");
	assert_null(strstr(out, "<script"));
	assert_null(strstr(out, "href="));
	free(out);
	/* The 2023 report shows no later year: one year up to it, no chart. */
	assert_int_equal(jxd_jx(&d, &out, NULL, "export", "1", "--format", "html", NULL), 0);
	assert_lacks(out, "历年评价情况");
	free(out);
	jxd_stop(&d);
	jxd_cleanup(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(add_list_and_edit_on_the_revision_read),
		cmocka_unit_test(concurrent_editors),
		cmocka_unit_test(bad_input_is_refused_plainly),
		cmocka_unit_test(history_of_findings),
		cmocka_unit_test(resent_add_is_applied_once),
		cmocka_unit_test(findings_and_inventory_in_exports),
		cmocka_unit_test(trend_chart_with_two_years_only),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
