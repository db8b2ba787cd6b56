#include "dial.h"

#include <stdio.h>
#include <string.h>

#include <nng/supplemental/tls/tls.h>

#include "err.h"

bool
dial_is_tls(const char *url)
{
	return strncmp(url, "tls+", 4) == 0;
}

/* The host of scheme://host:port or scheme://[v6]:port, for certificate checks. */
static int
dial_host(const char *url, char *host, size_t len)
{
	const char *p = strstr(url, "://"), *end;

	if (p == NULL)
		return -1;
	p += 3;
	if (*p == '[') {
		p++;
		if ((end = strchr(p, ']')) == NULL)
			return -1;
	} else if ((end = strrchr(p, ':')) == NULL) {
		return -1;
	}
	if (end == p || (size_t)(end - p) >= len)
		return -1;
	snprintf(host, len, "%.*s", (int)(end - p), p);
	return 0;
}

/* A client configuration that requires the server's certificate to chain to ca_file. */
static int
dial_tls_config(const char *url, const char *ca_file, nng_tls_config **cfgp, char *why,
    size_t whylen)
{
	nng_tls_config *cfg = NULL;
	char host[256];
	int rv;

	*cfgp = NULL;
	if (ca_file == NULL || ca_file[0] == '\0') {
		snprintf(why, whylen, "%s needs a CA certificate to check the server's: "
		    "give --ca FILE (or $JX_CA, or ca = FILE in the config file)", url);
		return JX_EINVAL;
	}
	if (dial_host(url, host, sizeof(host)) != 0) {
		snprintf(why, whylen, "%s is not a tls+tcp://HOST:PORT address", url);
		return JX_EINVAL;
	}
	if ((rv = nng_tls_config_alloc(&cfg, NNG_TLS_MODE_CLIENT)) != 0) {
		snprintf(why, whylen, "cannot set up TLS: %s", nng_strerror(rv));
		return JX_EINTERNAL;
	}
	if ((rv = nng_tls_config_ca_file(cfg, ca_file)) != 0) {
		snprintf(why, whylen, "cannot use the CA certificate %s: %s", ca_file,
		    rv == NNG_ENOENT ? "no such file" : rv == NNG_EPERM ? "permission denied"
		    : "it is not readable or holds no valid PEM certificate");
		nng_tls_config_free(cfg);
		return JX_EINVAL;
	}
	if ((rv = nng_tls_config_server_name(cfg, host)) != 0 ||
	    (rv = nng_tls_config_auth_mode(cfg, NNG_TLS_AUTH_MODE_REQUIRED)) != 0) {
		snprintf(why, whylen, "cannot set up TLS: %s", nng_strerror(rv));
		nng_tls_config_free(cfg);
		return JX_EINTERNAL;
	}
	*cfgp = cfg;
	return JX_OK;
}

/*
 * Why a dial failed, in one sentence. nng (1.5.2 with mbedTLS) does not say why a
 * handshake failed: an unknown CA, a certificate for another host and a peer that
 * does not speak TLS all come back as NNG_ECRYPTO (or, for a peer that does not speak
 * TLS, as a hang-up, when it closes before mbedTLS reads its answer), so the sentence
 * names the likely causes instead of pretending to know which.
 */
static void
dial_explain(const char *url, const char *ca_file, int rv, char *why, size_t whylen)
{
	char host[256];

	if (rv == NNG_ECONNREFUSED || rv == NNG_ENOENT)
		snprintf(why, whylen, "cannot reach jixiaod at %s: nothing is listening there; "
		    "is the server running?", url);
	else if (dial_is_tls(url) && (rv == NNG_ECRYPTO || rv == NNG_EPEERAUTH ||
	    rv == NNG_ECONNSHUT || rv == NNG_ECONNRESET))
		snprintf(why, whylen, "cannot reach jixiaod at %s: the TLS handshake failed "
		    "(%s): the server's certificate is not signed by the CA in %s or is not "
		    "issued for %s, or the server does not speak TLS there", url,
		    nng_strerror(rv), ca_file,
		    dial_host(url, host, sizeof(host)) == 0 ? host : "that host");
	else if (!dial_is_tls(url) && rv == NNG_ECONNSHUT)
		snprintf(why, whylen, "cannot reach jixiaod at %s: the server hung up at once; "
		    "does it expect tls+tcp:// there?", url);
	else
		snprintf(why, whylen, "cannot reach jixiaod at %s: %s", url, nng_strerror(rv));
}

int
dial_start(nng_socket sock, const char *url, const char *ca_file, bool wait, char *why,
    size_t whylen)
{
	nng_tls_config *cfg = NULL;
	nng_dialer d;
	bool dialer = false;
	int rv;

	if (dial_is_tls(url) && (rv = dial_tls_config(url, ca_file, &cfg, why, whylen)) != 0)
		return rv;
	if ((rv = nng_dialer_create(&d, sock, url)) != 0) {
		snprintf(why, whylen, "cannot reach jixiaod at %s: %s", url, nng_strerror(rv));
		rv = JX_EINVAL;
		goto out;
	}
	dialer = true;
	/* The dialer holds its own reference to cfg. */
	if (cfg != NULL && (rv = nng_dialer_set_ptr(d, NNG_OPT_TLS_CONFIG, cfg)) != 0) {
		snprintf(why, whylen, "cannot set up TLS for %s: %s", url, nng_strerror(rv));
		rv = JX_EINTERNAL;
		goto out;
	}
	/*
	 * A synchronous dial fails at once when nobody listens, instead of timing out;
	 * with TLS it also waits for the handshake, so a refused certificate fails here.
	 */
	if ((rv = nng_dialer_start(d, wait ? 0 : NNG_FLAG_NONBLOCK)) != 0) {
		dial_explain(url, ca_file, rv, why, whylen);
		rv = JX_EUNAVAIL;
		goto out;
	}
	dialer = false;
	rv = JX_OK;
out:
	if (dialer)
		nng_dialer_close(d);
	if (cfg != NULL)
		nng_tls_config_free(cfg);
	return rv;
}
