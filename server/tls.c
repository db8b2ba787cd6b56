#include "tls.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "err.h"
#include "log.h"

bool
tls_url(const char *url)
{
	return strncmp(url, "tls+", 4) == 0;
}

/*
 * Reads a PEM file whole into a new NUL-terminated buffer. With is_key, checks its
 * mode on the open descriptor (not the path, which could change in between).
 */
static int
tls_read_pem(const char *path, bool is_key, char **textp, size_t *lenp, char *why,
    size_t whylen)
{
	const char *what = is_key ? "TLS private key" : "TLS certificate";
	char *text = NULL;
	struct stat st = { 0 };
	size_t used = 0;
	ssize_t n;
	int fd, rv = JX_EINVAL;

	*textp = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		snprintf(why, whylen, "cannot read the %s %s: %s", what, path, strerror(errno));
		return JX_EINVAL;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(why, whylen, "the %s %s is not a regular file", what, path);
		goto out;
	}
	if ((size_t)st.st_size >= TLS_MAX_PEM) {
		snprintf(why, whylen, "the %s %s is larger than %zu bytes", what, path,
		    TLS_MAX_PEM);
		goto out;
	}
	/*
	 * Others must not read the key: refused, as wireguard-tools would have it. Group
	 * read is only warned about, because Debian's convention for TLS keys is 0640
	 * root:ssl-cert with the daemon's user in that group.
	 */
	if (is_key && (st.st_mode & S_IRWXO) != 0) {
		snprintf(why, whylen, "the %s %s is readable by others (mode %03o); "
		    "chmod 600 it", what, path, (unsigned)(st.st_mode & 0777));
		goto out;
	}
	if (is_key && (st.st_mode & S_IRWXG) != 0)
		log_warn("the %s %s is readable by its group (mode %03o)", what, path,
		    (unsigned)(st.st_mode & 0777));
	if ((text = malloc((size_t)st.st_size + 1)) == NULL) {
		snprintf(why, whylen, "out of memory");
		rv = JX_EINTERNAL;
		goto out;
	}
	while (used < (size_t)st.st_size &&
	    (n = read(fd, text + used, (size_t)st.st_size - used)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(why, whylen, "cannot read the %s %s: %s", what, path,
			    strerror(errno));
			goto out;
		}
		used += (size_t)n;
	}
	text[used] = '\0';
	*textp = text;
	*lenp = used;
	text = NULL;
	rv = JX_OK;
out:
	if (text != NULL) {
		sodium_memzero(text, (size_t)st.st_size + 1);
		free(text);
	}
	close(fd);
	return rv;
}

int
tls_server_config(const char *cert, const char *key, nng_tls_config **cfgp, char *why,
    size_t whylen)
{
	nng_tls_config *cfg = NULL, *probe = NULL;
	char *cert_pem = NULL, *key_pem = NULL;
	size_t cert_len = 0, key_len = 0;
	int rv;

	*cfgp = NULL;
	if ((rv = tls_read_pem(cert, false, &cert_pem, &cert_len, why, whylen)) != 0 ||
	    (rv = tls_read_pem(key, true, &key_pem, &key_len, why, whylen)) != 0)
		goto out;
	if (nng_tls_config_alloc(&cfg, NNG_TLS_MODE_SERVER) != 0 ||
	    nng_tls_config_alloc(&probe, NNG_TLS_MODE_CLIENT) != 0) {
		snprintf(why, whylen, "cannot set up TLS: nng has no TLS support");
		rv = JX_EINTERNAL;
		goto out;
	}
	/*
	 * nng_tls_config_own_cert parses both and cannot say which one it did not like;
	 * the certificate alone parses as a CA chain, so try that first to name the file.
	 */
	if (nng_tls_config_ca_chain(probe, cert_pem, NULL) != 0) {
		snprintf(why, whylen, "the TLS certificate %s holds no valid PEM certificate",
		    cert);
		rv = JX_EINVAL;
		goto out;
	}
	if (nng_tls_config_own_cert(cfg, cert_pem, key_pem, NULL) != 0) {
		snprintf(why, whylen, "the TLS private key %s holds no valid unencrypted PEM "
		    "private key", key);
		rv = JX_EINVAL;
		goto out;
	}
	*cfgp = cfg;
	cfg = NULL;
out:
	if (key_pem != NULL) {
		sodium_memzero(key_pem, key_len);
		free(key_pem);
	}
	free(cert_pem);
	if (probe != NULL)
		nng_tls_config_free(probe);
	if (cfg != NULL)
		nng_tls_config_free(cfg);
	return rv;
}

int
tls_listen(nng_socket sock, const char *url, nng_tls_config *cfg, nng_listener *lp)
{
	nng_listener l;
	int rv;

	if (tls_url(url) && cfg == NULL)
		return NNG_EINVAL;
	if ((rv = nng_listener_create(&l, sock, url)) != 0)
		return rv;
	if ((tls_url(url) && (rv = nng_listener_set_ptr(l, NNG_OPT_TLS_CONFIG, cfg)) != 0) ||
	    (rv = nng_listener_start(l, 0)) != 0) {
		nng_listener_close(l);
		return rv;
	}
	*lp = l;
	return 0;
}
