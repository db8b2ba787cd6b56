/*
 * jx export --format pdf: the HTML report printed to PDF by headless Chromium (A4, page
 * numbers in the footer, table rows not cut: the report's print style), in a private
 * temporary directory with a profile of its own.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "export.h"
#include "program.h"

/* How long Chromium may take to print a report. */
#define EXPORT_PDF_SECONDS 120

bool
export_pdf_browser(char *buf, size_t len)
{
	static const char *const names[] = { "chromium", "chromium-browser", "google-chrome" };

	return program_find(names, sizeof(names) / sizeof(names[0]), buf, len);
}

/* Removes what Chromium left in dir (its profile) and dir itself. */
static void
export_pdf_clean(const char *dir)
{
	pid_t pid = fork();

	if (pid == 0) {
		execl("/bin/rm", "rm", "-rf", dir, (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
}

int
export_pdf(const struct export_sheet *s, const char *path, char *why, size_t whylen)
{
	char browser[PATH_MAX], dir[PATH_MAX], html[PATH_MAX + 16], pdf[PATH_MAX + 16],
	    url[PATH_MAX + 32], print[PATH_MAX + 32], profile[PATH_MAX + 32];
	const char *tmp = getenv("TMPDIR");
	int status = 0, waited = 0, err = JX_OK;
	FILE *f;
	pid_t pid;

	if (!export_pdf_browser(browser, sizeof(browser))) {
		snprintf(why, whylen, "PDF needs Chromium (chromium), which is not installed: "
		    "install it, or export html and print that");
		return JX_EPRECOND;
	}
	snprintf(dir, sizeof(dir), "%s/jx-pdf.XXXXXX", tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		snprintf(why, whylen, "cannot create a temporary directory: %s", strerror(errno));
		return JX_EINTERNAL;
	}
	snprintf(html, sizeof(html), "%s/report.html", dir);
	snprintf(pdf, sizeof(pdf), "%s/report.pdf", dir);
	snprintf(url, sizeof(url), "file://%s", html);
	snprintf(print, sizeof(print), "--print-to-pdf=%s", pdf);
	snprintf(profile, sizeof(profile), "--user-data-dir=%s/profile", dir);
	if ((f = fopen(html, "wb")) == NULL) {
		snprintf(why, whylen, "cannot write %s: %s", html, strerror(errno));
		err = JX_EINTERNAL;
		goto out;
	}
	err = export_html(s, f, why, whylen);
	if (fclose(f) != 0 && err == JX_OK) {
		snprintf(why, whylen, "cannot write %s", html);
		err = JX_EINTERNAL;
	}
	if (err != JX_OK)
		goto out;
	if ((pid = fork()) < 0) {
		snprintf(why, whylen, "cannot start Chromium: %s", strerror(errno));
		err = JX_EINTERNAL;
		goto out;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		if (null >= 0) {
			dup2(null, STDIN_FILENO);
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
		}
		/* No sandbox: it cannot start as root without one, and it only opens our file. */
		execl(browser, browser, "--headless", "--no-sandbox", "--disable-gpu",
		    "--disable-background-networking", "--disable-component-update",
		    "--disable-sync", "--no-first-run", "--no-pdf-header-footer", profile, print,
		    url, (char *)NULL);
		_exit(127);
	}
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid)
			break;
		if (w < 0 && errno != EINTR) {
			snprintf(why, whylen, "cannot wait for Chromium: %s", strerror(errno));
			err = JX_EINTERNAL;
			goto out;
		}
		if (waited++ >= EXPORT_PDF_SECONDS * 10) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			snprintf(why, whylen, "Chromium did not print the report within %d seconds",
			    EXPORT_PDF_SECONDS);
			err = JX_EINTERNAL;
			goto out;
		}
		nanosleep(&(struct timespec){ 0, 100000000 }, NULL);
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || access(pdf, R_OK) != 0) {
		snprintf(why, whylen, "Chromium (%s) could not print the report to PDF", browser);
		err = JX_EINTERNAL;
		goto out;
	}
	if (rename(pdf, path) != 0) {
		/* Another file system: copy. */
		FILE *in = fopen(pdf, "rb"), *o = fopen(path, "wb");
		char buf[65536];
		size_t n;

		if (in == NULL || o == NULL) {
			snprintf(why, whylen, "cannot write %s: %s", path, strerror(errno));
			err = JX_EINTERNAL;
		}
		while (err == JX_OK && (n = fread(buf, 1, sizeof(buf), in)) > 0)
			if (fwrite(buf, 1, n, o) != n)
				err = JX_EINTERNAL;
		if (in != NULL)
			fclose(in);
		if (o != NULL && fclose(o) != 0)
			err = JX_EINTERNAL;
		if (err != JX_OK && why[0] == '\0')
			snprintf(why, whylen, "cannot write %s", path);
	}
out:
	export_pdf_clean(dir);
	return err;
}
