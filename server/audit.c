#include "audit.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <nng/nng.h>

#include "err.h"
#include "json.h"
#include "key.h"

/* journald's native protocol socket. */
#define AUDIT_JOURNAL_SOCKET "/run/systemd/journal/socket"
/* The longest audit line; a longer one (a long failure message) is cut. */
#define AUDIT_LINE_MAX 2048

void
audit_peer(uint32_t pipe, char *out, size_t len)
{
	nng_pipe p = NNG_PIPE_INITIALIZER;
	nng_sockaddr sa;
	char ip[INET6_ADDRSTRLEN];

	out[0] = '\0';
	p.id = pipe;
	if (pipe == 0 || nng_pipe_get_addr(p, NNG_OPT_REMADDR, &sa) != 0)
		return;
	switch (sa.s_family) {
	case NNG_AF_INET:
		if (inet_ntop(AF_INET, &sa.s_in.sa_addr, ip, sizeof(ip)) != NULL)
			snprintf(out, len, "%s:%u", ip, ntohs(sa.s_in.sa_port));
		break;
	case NNG_AF_INET6:
		if (inet_ntop(AF_INET6, sa.s_in6.sa_addr, ip, sizeof(ip)) != NULL)
			snprintf(out, len, "[%s]:%u", ip, ntohs(sa.s_in6.sa_port));
		break;
	case NNG_AF_IPC:
		snprintf(out, len, "ipc:%s", sa.s_ipc.sa_path);
		break;
	default:
		break;
	}
}

/* The JSON line of e (no newline) into f. */
static void
audit_json(FILE *f, const struct audit_event *e, const char *when, const char *peer,
    const char *fp)
{
	fprintf(f, "{\"audit\":\"%s\",\"time\":\"%s\",\"user\":", e->event, when);
	json_quote(f, e->user != NULL ? e->user : "");
	if (fp != NULL)
		fprintf(f, ",\"key\":\"%s\"", fp);
	else
		fputs(",\"key\":null", f);
	fputs(",\"peer\":", f);
	json_quote(f, peer);
	fprintf(f, ",\"method\":\"%s.%s\"", e->service, e->method);
	if (e->has_workspace)
		fprintf(f, ",\"workspace\":%llu", (unsigned long long)e->workspace);
	else
		fputs(",\"workspace\":null", f);
	if (e->revision > 0)
		fprintf(f, ",\"revision\":%llu", (unsigned long long)e->revision);
	else
		fputs(",\"revision\":null", f);
	fprintf(f, ",\"changes\":%u,\"status\":\"%s\"", e->changes, jx_errname(e->code));
	if (e->message != NULL && e->code != JX_OK) {
		fputs(",\"message\":", f);
		json_quote(f, e->message);
	}
	fputc('}', f);
}

/* A journal field's value on one line: newlines would start another field. */
static void
audit_field(FILE *f, const char *name, const char *v)
{
	fprintf(f, "%s=", name);
	for (; *v != '\0'; v++)
		fputc(*v == '\n' ? ' ' : *v, f);
	fputc('\n', f);
}

/*
 * True when stderr is the journal's stream ($JOURNAL_STREAM names its device and inode):
 * then each audit record goes to journald as fields of its own.
 */
static bool
audit_under_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	char mine[64];
	struct stat st;

	if (js == NULL || fstat(STDERR_FILENO, &st) != 0)
		return false;
	snprintf(mine, sizeof(mine), "%llu:%llu", (unsigned long long)st.st_dev,
	    (unsigned long long)st.st_ino);
	return strcmp(js, mine) == 0;
}

/*
 * Sends the record to journald's native socket: MESSAGE is the JSON line, and each part
 * a field (JX_USER=li…) for journalctl to filter on. Returns 0, or -1 to fall back to
 * stderr.
 */
static int
audit_journal(const struct audit_event *e, const char *line, const char *peer,
    const char *fp)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char *buf = NULL, num[32];
	size_t len = 0;
	FILE *f;
	int fd, rv = -1;

	if ((f = open_memstream(&buf, &len)) == NULL)
		return -1;
	audit_field(f, "MESSAGE", line);
	fprintf(f, "PRIORITY=%d\nSYSLOG_IDENTIFIER=jixiaod\n", e->code == JX_OK ? 5 : 4);
	audit_field(f, "JX_AUDIT", e->event);
	audit_field(f, "JX_USER", e->user != NULL ? e->user : "");
	if (fp != NULL)
		audit_field(f, "JX_KEY", fp);
	audit_field(f, "JX_PEER", peer);
	fprintf(f, "JX_METHOD=%s.%s\n", e->service, e->method);
	if (e->has_workspace) {
		snprintf(num, sizeof(num), "%llu", (unsigned long long)e->workspace);
		audit_field(f, "JX_WORKSPACE", num);
	}
	if (e->revision > 0) {
		snprintf(num, sizeof(num), "%llu", (unsigned long long)e->revision);
		audit_field(f, "JX_REVISION", num);
	}
	audit_field(f, "JX_STATUS", jx_errname(e->code));
	if (fclose(f) != 0) {
		free(buf);
		return -1;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", AUDIT_JOURNAL_SOCKET);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) >= 0) {
		if (sendto(fd, buf, len, MSG_NOSIGNAL, (struct sockaddr *)&sa, sizeof(sa)) ==
		    (ssize_t)len)
			rv = 0;
		close(fd);
	}
	free(buf);
	return rv;
}

void
audit_log(const struct audit_event *e)
{
	char when[64], stamp[32], fp[KEY_FINGERPRINT_LEN], line[AUDIT_LINE_MAX];
	const char *peer = e->peer != NULL ? e->peer : "";
	struct timespec ts;
	struct tm tm;
	FILE *f;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(when, sizeof(when), "%s.%03uZ", stamp, (unsigned)(ts.tv_nsec / 1000000) % 1000);
	if (e->key != NULL)
		key_fingerprint(e->key, fp);
	/* The line is built whole first, so it is written in one piece (or cut, never torn). */
	if ((f = fmemopen(line, sizeof(line), "w")) == NULL)
		return;
	audit_json(f, e, when, peer, e->key != NULL ? fp : NULL);
	if (fclose(f) != 0)
		line[sizeof(line) - 1] = '\0';
	if (audit_under_journal() &&
	    audit_journal(e, line, peer, e->key != NULL ? fp : NULL) == 0)
		return;
	flockfile(stderr);
	fputs(line, stderr);
	fputc('\n', stderr);
	fflush(stderr);
	funlockfile(stderr);
}
