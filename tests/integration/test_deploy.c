/*
 * The install: cmake --install into a DESTDIR lays down every file an operator needs
 * (binaries, the unit with the prefix substituted, configurations, manual pages, bash
 * and zsh completions); systemd-analyze accepts the installed unit where systemd is
 * present; the bash completion completes from jx's own help; the Dockerfile copies
 * only what exists and its HEALTHCHECK command passes against a healthy jixiaod.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "daemon.h"
#include "jxtest.h"

static int
run(const char *cmd, char **out)
{
	char buf[4096];
	size_t len = 0, n;
	FILE *p = popen(cmd, "r");
	char *all = NULL;
	int st;

	assert_non_null(p);
	while ((n = fread(buf, 1, sizeof(buf), p)) > 0) {
		assert_non_null(all = realloc(all, len + n + 1));
		memcpy(all + len, buf, n);
		len += n;
	}
	if (all == NULL)
		assert_non_null(all = calloc(1, 1));
	all[len] = '\0';
	st = pclose(p);
	if (out != NULL)
		*out = all;
	else
		free(all);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void
assert_has(const char *hay, const char *needle)
{
	if (strstr(hay, needle) == NULL)
		fail_msg("expected \"%s\" in:\n%s", needle, hay);
}

struct fixture {
	char dir[128];
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	snprintf(f->dir, sizeof(f->dir), "/tmp/jxdeploy.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static void
install_lists_every_file(void **state)
{
	static const char *const files[] = {
		"/usr/local/bin/jixiaod",
		"/usr/local/bin/jx",
		"/usr/local/lib/systemd/system/jixiaod.service",
		"/usr/local/etc/jixiao/jixiaod.conf",
		"/usr/local/share/doc/jixiao/examples/jixiaod.conf.example",
		"/usr/local/share/doc/jixiao/examples/jx.conf.example",
		"/usr/local/share/man/man1/jx.1",
		"/usr/local/share/man/man8/jixiaod.8",
		"/usr/local/share/bash-completion/completions/jx",
		"/usr/local/share/zsh/site-functions/_jx",
	};
	struct fixture *f = *state;
	char cmd[1024], *out, *unit;

	snprintf(cmd, sizeof(cmd), "DESTDIR='%s/root' cmake --install '%s' --prefix /usr/local 2>&1",
	    f->dir, JX_BINARY_DIR);
	assert_int_equal(run(cmd, &out), 0);
	free(out);
	snprintf(cmd, sizeof(cmd), "cd '%s/root' && find . -type f | sed 's/^\\.//' | sort", f->dir);
	assert_int_equal(run(cmd, &out), 0);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char line[256];
		snprintf(line, sizeof(line), "%s\n", files[i]);
		assert_has(out, line);
	}
	free(out);
	/* The unit names the prefix's paths and is a notify service with a watchdog. */
	snprintf(cmd, sizeof(cmd), "cat '%s/root/usr/local/lib/systemd/system/jixiaod.service'",
	    f->dir);
	assert_int_equal(run(cmd, &unit), 0);
	assert_has(unit, "\nExecStart=/usr/local/bin/jixiaod --config "
			 "/usr/local/etc/jixiao/jixiaod.conf\n");
	assert_has(unit, "\nType=notify\n");
	assert_has(unit, "\nWatchdogSec=");
	assert_has(unit, "\nExecReload=/bin/kill -HUP $MAINPID\n");
	assert_null(strstr(unit, "@JX_"));
	free(unit);
	/* The installed configuration is one jixiaod reads (an unknown key would stop it). */
	snprintf(cmd, sizeof(cmd), "'%s' --config '%s/root/usr/local/etc/jixiao/jixiaod.conf' "
	    "--data /nonexistent/dir/x 2>&1", getenv("JIXIAOD"), f->dir);
	assert_int_not_equal(run(cmd, &out), 0);
	assert_null(strstr(out, "unknown key"));
	assert_has(out, "/nonexistent/dir/x");
	free(out);
	/* A second install keeps an operator's configuration. */
	snprintf(cmd, sizeof(cmd), "echo 'data = /srv/mine' > '%s/root/usr/local/etc/jixiao/jixiaod.conf' "
	    "&& DESTDIR='%s/root' cmake --install '%s' --prefix /usr/local >/dev/null && "
	    "cat '%s/root/usr/local/etc/jixiao/jixiaod.conf'", f->dir, f->dir, JX_BINARY_DIR,
	    f->dir);
	assert_int_equal(run(cmd, &out), 0);
	assert_string_equal(out, "data = /srv/mine\n");
	free(out);
}

static void
systemd_accepts_the_installed_unit(void **state)
{
	struct fixture *f = *state;
	char cmd[1024], *out;

	if (run("command -v systemd-analyze >/dev/null", NULL) != 0) {
		printf("systemd-analyze is not here: the unit is not verified\n");
		return;
	}
	/* Installed under a prefix of its own, so ExecStart names a binary that exists. */
	snprintf(cmd, sizeof(cmd), "cmake --install '%s' --prefix '%s/prefix' >/dev/null && "
	    "systemd-analyze verify '%s/prefix/lib/systemd/system/jixiaod.service' 2>&1",
	    JX_BINARY_DIR, f->dir, f->dir);
	if (run(cmd, &out) != 0)
		fail_msg("systemd-analyze verify failed:\n%s", out);
	/* Unknown keys are only warnings there: none may be printed. */
	assert_null(strstr(out, "jixiaod.service"));
	free(out);
}

static void
bash_completes_from_jx_help(void **state)
{
	char cmd[1024], *out, jxdir[512];

	if (run("command -v bash >/dev/null", NULL) != 0)
		return;
	snprintf(jxdir, sizeof(jxdir), "%s", getenv("JX"));
	*strrchr(jxdir, '/') = '\0';
	snprintf(cmd, sizeof(cmd), "PATH='%s':$PATH bash -c 'source \"%s/deploy/completions/"
	    "jx.bash\"; COMP_WORDS=(jx w); COMP_CWORD=1; _jx; echo \"${COMPREPLY[*]}\"; "
	    "COMP_WORDS=(jx ws l); COMP_CWORD=2; _jx; echo \"${COMPREPLY[*]}\"; "
	    "COMP_WORDS=(jx ws create --s); COMP_CWORD=3; _jx; echo \"${COMPREPLY[*]}\"'",
	    jxdir, getenv("JX_SOURCE_DIR"));
	assert_int_equal(run(cmd, &out), 0);
	/* One line per completion asked: the commands from w, ws's from l, options from --s. */
	assert_has(out, "ws watch whoami");
	assert_null(strstr(out, "version"));
	assert_has(out, "\nlist");
	assert_has(out, "--subject");
	assert_null(strstr(out, "--year"));
	free(out);
	if (run("command -v zsh >/dev/null", NULL) == 0) {
		snprintf(cmd, sizeof(cmd), "zsh -n '%s/deploy/completions/_jx'",
		    getenv("JX_SOURCE_DIR"));
		assert_int_equal(run(cmd, NULL), 0);
	}
}

/*
 * The Dockerfile, without a container engine: what it COPYs from the tree exists, and
 * its HEALTHCHECK command, run as the image would, passes against a healthy jixiaod and
 * fails where nothing answers.
 */
static void
dockerfile_copies_and_healthcheck(void **state)
{
	struct jxd d;
	struct jxd_opts o = { .metrics = true };
	char cmd[2048], *docker, *hc, *line, port[16];
	size_t len;
	const char *p;

	docker = jxtest_slurp("deploy/Dockerfile", &len);
	for (line = docker; line != NULL && *line != '\0'; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		char src[256];
		struct stat st;
		if (strncmp(line, "COPY ", 5) != 0 || strncmp(line, "COPY --from", 11) == 0)
			continue;
		snprintf(src, sizeof(src), "%.*s", (int)strcspn(line + 5, " \n"), line + 5);
		snprintf(cmd, sizeof(cmd), "%s/%s", getenv("JX_SOURCE_DIR"), src);
		if (stat(cmd, &st) != 0)
			fail_msg("the Dockerfile copies %s, which is not in the tree", src);
	}
	/* What the runtime stage copies from the build stage's install into /opt/jixiao. */
	snprintf(cmd, sizeof(cmd), "cmake --install '%s' --prefix '%s/opt/jixiao' >/dev/null",
	    JX_BINARY_DIR, ((struct fixture *)*state)->dir);
	assert_int_equal(run(cmd, NULL), 0);
	for (line = docker; line != NULL && *line != '\0'; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		const char *q;
		if (strncmp(line, "COPY --from=build ", 18) != 0)
			continue;
		/* Every word but the last (the destination) is a source under the install. */
		for (q = line + 18; *q != '\n' && *q != '\0';) {
			size_t n = strcspn(q, " \n");
			char src[256];
			struct stat st;
			if (q[n] != ' ')
				break;
			snprintf(src, sizeof(src), "%s%.*s", ((struct fixture *)*state)->dir, (int)n, q);
			if (stat(src, &st) != 0)
				fail_msg("the Dockerfile copies %.*s from the build stage, which "
				    "cmake --install --prefix /opt/jixiao does not make", (int)n, q);
			q += n + 1;
		}
	}
	assert_has(docker, "\nHEALTHCHECK ");
	assert_has(docker, "\"--metrics\", \"http://0.0.0.0:9741/metrics\"");
	/* The command is the third string of CMD ["bash", "-c", "..."]. */
	assert_non_null(p = strstr(docker, "CMD [\"bash\", \"-c\", \""));
	p += strlen("CMD [\"bash\", \"-c\", \"");
	assert_non_null(hc = calloc(1, strlen(p) + 1));
	for (size_t i = 0; *p != '"'; p++) {
		if (*p == '\\')
			p++;
		hc[i++] = *p;
	}
	free(docker);

	jxd_start_opts(&d, &o);
	snprintf(port, sizeof(port), "%s", strrchr(d.metrics_url, ':') + 1);
	*strchr(port, '/') = '\0';
	{
		FILE *f;
		char script[400];
		snprintf(script, sizeof(script), "%s/healthcheck.sh", d.dir);
		assert_non_null(f = fopen(script, "w"));
		fputs(hc, f);
		fclose(f);
		snprintf(cmd, sizeof(cmd), "JX_METRICS_PORT=%s bash '%s'", port, script);
		assert_int_equal(run(cmd, NULL), 0);
		jxd_stop(&d);
		assert_int_not_equal(run(cmd, NULL), 0);
	}
	free(hc);
	jxd_cleanup(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(install_lists_every_file),
		cmocka_unit_test(systemd_accepts_the_installed_unit),
		cmocka_unit_test(bash_completes_from_jx_help),
		cmocka_unit_test(dockerfile_copies_and_healthcheck),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
