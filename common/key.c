#include "key.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#define KEY_SECRET_TAG "jixiao-ed25519-secret "
#define KEY_PUBLIC_TAG "jixiao-ed25519 "
#define KEY_B64 sodium_base64_VARIANT_ORIGINAL
#define KEY_FILE_MAX 1024

int
key_init(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

void
key_generate(uint8_t pk[KEY_PUBLIC_LEN], uint8_t sk[KEY_SECRET_LEN])
{
	crypto_sign_keypair(pk, sk);
}

void
key_public_of(const uint8_t sk[KEY_SECRET_LEN], uint8_t pk[KEY_PUBLIC_LEN])
{
	crypto_sign_ed25519_sk_to_pk(pk, sk);
}

void
key_hex(const uint8_t *b, size_t n, char *out)
{
	sodium_bin2hex(out, 2 * n + 1, b, n);
}

int
key_unhex(const char *s, uint8_t *b, size_t n)
{
	size_t got;

	if (strlen(s) != 2 * n || sodium_hex2bin(b, n, s, 2 * n, NULL, &got, NULL) != 0 ||
	    got != n)
		return -1;
	return 0;
}

void
key_fingerprint(const uint8_t pk[KEY_PUBLIC_LEN], char out[KEY_FINGERPRINT_LEN])
{
	uint8_t h[8];

	crypto_generichash(h, sizeof(h), pk, KEY_PUBLIC_LEN, NULL, 0);
	key_hex(h, sizeof(h), out);
}

/* Writes all of buf to a new file at path with mode; never replaces a file. */
static int
key_write_new(const char *path, const char *buf, mode_t mode, char *why, size_t whylen)
{
	size_t len = strlen(buf);
	int fd, rv = 0;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)) < 0) {
		rv = errno;
		snprintf(why, whylen, "cannot create %s: %s", path, strerror(rv));
		return rv;
	}
	if (write(fd, buf, len) != (ssize_t)len || fsync(fd) != 0) {
		rv = errno != 0 ? errno : EIO;
		snprintf(why, whylen, "cannot write %s: %s", path, strerror(rv));
	}
	if (close(fd) != 0 && rv == 0) {
		rv = errno;
		snprintf(why, whylen, "cannot write %s: %s", path, strerror(rv));
	}
	if (rv != 0)
		unlink(path);
	return rv;
}

int
key_save(const char *path, const uint8_t pk[KEY_PUBLIC_LEN], const uint8_t sk[KEY_SECRET_LEN],
    const char *name, char *why, size_t whylen)
{
	char b64[sodium_base64_ENCODED_LEN(KEY_SECRET_LEN, KEY_B64)];
	char line[KEY_LINE_MAX], pub[KEY_LINE_MAX + 8];
	int rv;

	if (strlen(name) > 200 || strpbrk(name, " \t\r\n") != NULL) {
		snprintf(why, whylen, "a key's name is one word of at most 200 bytes");
		return EINVAL;
	}
	sodium_bin2base64(b64, sizeof(b64), sk, KEY_SECRET_LEN, KEY_B64);
	snprintf(line, sizeof(line), KEY_SECRET_TAG "%s\n", b64);
	sodium_memzero(b64, sizeof(b64));
	rv = key_write_new(path, line, 0600, why, whylen);
	sodium_memzero(line, sizeof(line));
	if (rv != 0)
		return rv;
	sodium_bin2base64(b64, sizeof(b64), pk, KEY_PUBLIC_LEN, KEY_B64);
	snprintf(line, sizeof(line), KEY_PUBLIC_TAG "%s %s\n", b64, name);
	snprintf(pub, sizeof(pub), "%s.pub", path);
	if ((rv = key_write_new(pub, line, 0644, why, whylen)) != 0)
		unlink(path);
	return rv;
}

/* Reads a small key file into buf (NUL-terminated), refusing wide modes when secret. */
static int
key_read(const char *path, char *buf, size_t len, int secret, char *why, size_t whylen)
{
	struct stat st;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		snprintf(why, whylen, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(why, whylen, "%s is not a key file", path);
		close(fd);
		return -1;
	}
	if (secret && (st.st_mode & 077) != 0) {
		snprintf(why, whylen, "%s may be read by others (mode %04o): a secret key must "
		    "be yours alone; run chmod 600 %s", path, (unsigned)(st.st_mode & 07777), path);
		close(fd);
		return -1;
	}
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0) {
		snprintf(why, whylen, "cannot read %s", path);
		return -1;
	}
	buf[n] = '\0';
	return 0;
}

/* Decodes BASE64 after tag (up to a space or the line's end) into out (exactly n bytes). */
static int
key_decode(const char *line, const char *tag, uint8_t *out, size_t n)
{
	const char *b = line, *end;
	size_t got;

	if (strncmp(b, tag, strlen(tag)) != 0)
		return -1;
	b += strlen(tag);
	end = b + strcspn(b, " \r\n");
	if (sodium_base642bin(out, n, b, (size_t)(end - b), NULL, &got, NULL, KEY_B64) != 0 ||
	    got != n)
		return -1;
	return 0;
}

int
key_load_secret(const char *path, uint8_t sk[KEY_SECRET_LEN], char *why, size_t whylen)
{
	char buf[KEY_FILE_MAX];
	uint8_t pk[KEY_PUBLIC_LEN], seed[crypto_sign_SEEDBYTES], derived[KEY_SECRET_LEN];
	int rv = -1;

	if (key_read(path, buf, sizeof(buf), 1, why, whylen) != 0)
		return -1;
	if (key_decode(buf, KEY_SECRET_TAG, sk, KEY_SECRET_LEN) != 0) {
		snprintf(why, whylen, "%s is not a jixiao secret key (make one with jx keygen)",
		    path);
		goto out;
	}
	/*
	 * The seed and the public half must agree, or signatures would not verify. The
	 * public half is derived from the seed again: crypto_sign_ed25519_sk_to_pk only
	 * copies the stored one.
	 */
	crypto_sign_ed25519_sk_to_seed(seed, sk);
	crypto_sign_seed_keypair(pk, derived, seed);
	sodium_memzero(seed, sizeof(seed));
	sodium_memzero(derived, sizeof(derived));
	if (sodium_memcmp(pk, sk + 32, KEY_PUBLIC_LEN) != 0) {
		snprintf(why, whylen, "%s is damaged", path);
		sodium_memzero(sk, KEY_SECRET_LEN);
		goto out;
	}
	rv = 0;
out:
	sodium_memzero(buf, sizeof(buf));
	return rv;
}

int
key_parse_public(const char *line, uint8_t pk[KEY_PUBLIC_LEN])
{
	return key_decode(line, KEY_PUBLIC_TAG, pk, KEY_PUBLIC_LEN);
}

int
key_load_public(const char *path, uint8_t pk[KEY_PUBLIC_LEN], char *why, size_t whylen)
{
	char buf[KEY_FILE_MAX];

	if (key_read(path, buf, sizeof(buf), 0, why, whylen) != 0)
		return -1;
	if (key_parse_public(buf, pk) != 0) {
		snprintf(why, whylen, "%s is not a jixiao public key (jx keygen writes one)", path);
		return -1;
	}
	return 0;
}

#define KEY_CHALLENGE_CTX "jixiao-challenge-v1"
#define KEY_LOGIN_CTX "jixiao-login-v1"

/* The message signed: context with its NUL, then the parts. */
static size_t
key_statement(uint8_t *buf, const char *ctx, const uint8_t *a, size_t alen, const uint8_t *b,
    size_t blen)
{
	size_t n = strlen(ctx) + 1;

	memcpy(buf, ctx, n);
	memcpy(buf + n, a, alen);
	n += alen;
	if (b != NULL) {
		memcpy(buf + n, b, blen);
		n += blen;
	}
	return n;
}

void
key_sign_challenge(const uint8_t sk[KEY_SECRET_LEN], const uint8_t nonce[KEY_NONCE_LEN],
    uint8_t sig[KEY_SIG_LEN])
{
	uint8_t m[64 + KEY_NONCE_LEN];
	size_t n = key_statement(m, KEY_CHALLENGE_CTX, nonce, KEY_NONCE_LEN, NULL, 0);

	crypto_sign_detached(sig, NULL, m, n, sk);
}

int
key_verify_challenge(const uint8_t server_pk[KEY_PUBLIC_LEN],
    const uint8_t nonce[KEY_NONCE_LEN], const uint8_t sig[KEY_SIG_LEN])
{
	uint8_t m[64 + KEY_NONCE_LEN];
	size_t n = key_statement(m, KEY_CHALLENGE_CTX, nonce, KEY_NONCE_LEN, NULL, 0);

	return crypto_sign_verify_detached(sig, m, n, server_pk) == 0 ? 0 : -1;
}

void
key_sign_login(const uint8_t sk[KEY_SECRET_LEN], const uint8_t server_pk[KEY_PUBLIC_LEN],
    const uint8_t nonce[KEY_NONCE_LEN], uint8_t sig[KEY_SIG_LEN])
{
	uint8_t m[64 + KEY_PUBLIC_LEN + KEY_NONCE_LEN];
	size_t n = key_statement(m, KEY_LOGIN_CTX, server_pk, KEY_PUBLIC_LEN, nonce,
	    KEY_NONCE_LEN);

	crypto_sign_detached(sig, NULL, m, n, sk);
}

int
key_verify_login(const uint8_t pk[KEY_PUBLIC_LEN], const uint8_t server_pk[KEY_PUBLIC_LEN],
    const uint8_t nonce[KEY_NONCE_LEN], const uint8_t sig[KEY_SIG_LEN])
{
	uint8_t m[64 + KEY_PUBLIC_LEN + KEY_NONCE_LEN];
	size_t n = key_statement(m, KEY_LOGIN_CTX, server_pk, KEY_PUBLIC_LEN, nonce,
	    KEY_NONCE_LEN);

	return crypto_sign_verify_detached(sig, m, n, pk) == 0 ? 0 : -1;
}
