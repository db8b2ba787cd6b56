#include "audit.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <nng/nng.h>

#include "err.h"
#include "json.h"
#include "key.h"

/* The peer of pipe as text: "127.0.0.1:53012", "[::1]:53012", "ipc:/path" or "". */
static void
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

void
audit_log(const struct audit_event *e)
{
	char when[32], peer[160], fp[KEY_FINGERPRINT_LEN];
	struct timespec ts;
	struct tm tm;
	FILE *f = stderr;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	audit_peer(e->pipe, peer, sizeof(peer));
	flockfile(f);
	fprintf(f, "{\"audit\":\"%s\",\"time\":\"%s.%03ldZ\",\"user\":", e->event, when,
	    ts.tv_nsec / 1000000);
	json_quote(f, e->user != NULL ? e->user : "");
	if (e->key != NULL) {
		key_fingerprint(e->key, fp);
		fprintf(f, ",\"key\":\"%s\"", fp);
	} else {
		fputs(",\"key\":null", f);
	}
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
	fputs("}\n", f);
	fflush(f);
	funlockfile(f);
}
