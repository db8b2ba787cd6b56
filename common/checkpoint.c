#include "checkpoint.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "key.h"

#define CHECKPOINT_B64 sodium_base64_VARIANT_ORIGINAL
#define CHECKPOINT_ORIGIN_MAX 64
#define CHECKPOINT_KEYID_LEN 4
/* "— " as UTF-8: the em dash that starts a signature line. */
#define CHECKPOINT_DASH "\xe2\x80\x94 "

static void
checkpoint_origin(const uint8_t *pk, uint64_t ws, char out[CHECKPOINT_ORIGIN_MAX])
{
	char fp[KEY_FINGERPRINT_LEN];

	key_fingerprint(pk, fp);
	snprintf(out, CHECKPOINT_ORIGIN_MAX, "jixiao/%s/ws/%" PRIu64, fp, ws);
}

/* C2SP's Ed25519 key id: SHA-256(name || "\n" || 0x01 || public key), first 4 bytes. */
static void
checkpoint_key_id(const char *name, const uint8_t *pk, uint8_t id[CHECKPOINT_KEYID_LEN])
{
	crypto_hash_sha256_state st;
	uint8_t h[crypto_hash_sha256_BYTES], alg = 0x01;

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const uint8_t *)name, strlen(name));
	crypto_hash_sha256_update(&st, (const uint8_t *)"\n", 1);
	crypto_hash_sha256_update(&st, &alg, 1);
	crypto_hash_sha256_update(&st, pk, KEY_PUBLIC_LEN);
	crypto_hash_sha256_final(&st, h);
	memcpy(id, h, CHECKPOINT_KEYID_LEN);
}

/* The signed body: origin, revision and head, a line each. Returns its length or -1. */
static int
checkpoint_body(const char *origin, const struct checkpoint *cp, char *out, size_t len)
{
	char head[sodium_base64_ENCODED_LEN(CHECKPOINT_HEAD_LEN, CHECKPOINT_B64)];
	int n;

	sodium_bin2base64(head, sizeof(head), cp->head, CHECKPOINT_HEAD_LEN, CHECKPOINT_B64);
	n = snprintf(out, len, "%s\n%" PRIu64 "\n%s\n", origin, cp->revision, head);
	return n < 0 || (size_t)n >= len ? -1 : n;
}

int
checkpoint_sign(const struct checkpoint *cp, const uint8_t *sk, char *out, size_t len)
{
	uint8_t pk[KEY_PUBLIC_LEN], sig[CHECKPOINT_KEYID_LEN + KEY_SIG_LEN];
	char origin[CHECKPOINT_ORIGIN_MAX];
	char b64[sodium_base64_ENCODED_LEN(sizeof(sig), CHECKPOINT_B64)];
	int body, n;

	key_public_of(sk, pk);
	checkpoint_origin(pk, cp->workspace, origin);
	if ((body = checkpoint_body(origin, cp, out, len)) < 0)
		return -1;
	checkpoint_key_id(origin, pk, sig);
	crypto_sign_detached(sig + CHECKPOINT_KEYID_LEN, NULL, (const uint8_t *)out,
	    (size_t)body, sk);
	sodium_bin2base64(b64, sizeof(b64), sig, sizeof(sig), CHECKPOINT_B64);
	n = snprintf(out + body, len - (size_t)body, "\n" CHECKPOINT_DASH "%s %s\n", origin, b64);
	return n < 0 || (size_t)n >= len - (size_t)body ? -1 : 0;
}

/* Parses a decimal line of the body into *v; returns the text after its newline. */
static const char *
checkpoint_number(const char *p, uint64_t *v)
{
	char *end;

	if (*p < '0' || *p > '9')
		return NULL;
	*v = strtoull(p, &end, 10);
	return *end == '\n' ? end + 1 : NULL;
}

/*
 * Decodes the base64 text [p, p + len) into exactly n bytes at out. Only the canonical
 * encoding is taken: libsodium 1.0.18 also reads some bytes above 0x7f as base64 letters
 * (its comparisons take them as signed), so two texts could carry one signature.
 */
static int
checkpoint_b64(const char *p, size_t len, uint8_t *out, size_t n)
{
	char again[sodium_base64_ENCODED_LEN(CHECKPOINT_KEYID_LEN + KEY_SIG_LEN, CHECKPOINT_B64)];
	size_t got;

	if (sodium_base64_ENCODED_LEN(n, CHECKPOINT_B64) > sizeof(again) ||
	    sodium_base642bin(out, n, p, len, NULL, &got, NULL, CHECKPOINT_B64) != 0 || got != n)
		return -1;
	sodium_bin2base64(again, sizeof(again), out, n, CHECKPOINT_B64);
	return strlen(again) == len && memcmp(again, p, len) == 0 ? 0 : -1;
}

int
checkpoint_open(const char *note, const uint8_t *pk, struct checkpoint *cp, char *why,
    size_t whylen)
{
	char origin[CHECKPOINT_ORIGIN_MAX], expect[CHECKPOINT_ORIGIN_MAX + 8], body[CHECKPOINT_MAX];
	uint8_t sig[CHECKPOINT_KEYID_LEN + KEY_SIG_LEN], id[CHECKPOINT_KEYID_LEN];
	const char *p, *blank, *line, *b64, *end;
	size_t blen;
	uint64_t ws;

	memset(cp, 0, sizeof(*cp));
	if (strnlen(note, CHECKPOINT_MAX) >= CHECKPOINT_MAX || (blank = strstr(note, "\n\n")) ==
	    NULL) {
		snprintf(why, whylen, "the checkpoint is not a signed note");
		return -1;
	}
	blen = (size_t)(blank - note) + 1;
	memcpy(body, note, blen);
	body[blen] = '\0';
	/* The origin names the server's key and the workspace. */
	if ((p = strstr(body, "/ws/")) == NULL || strncmp(body, "jixiao/", 7) != 0 ||
	    (p = checkpoint_number(p + 4, &ws)) == NULL) {
		snprintf(why, whylen, "the checkpoint's origin is not a jixiao workspace's");
		return -1;
	}
	checkpoint_origin(pk, ws, origin);
	snprintf(expect, sizeof(expect), "%s\n", origin);
	if (strncmp(body, expect, strlen(expect)) != 0) {
		snprintf(why, whylen, "the checkpoint was not made by this server's key");
		return -1;
	}
	cp->workspace = ws;
	if ((p = checkpoint_number(body + strlen(expect), &cp->revision)) == NULL ||
	    (end = strchr(p, '\n')) == NULL || end[1] != '\0' ||
	    checkpoint_b64(p, (size_t)(end - p), cp->head, CHECKPOINT_HEAD_LEN) != 0) {
		snprintf(why, whylen, "the checkpoint's revision or head does not read");
		return -1;
	}
	/* The signature line: "— origin base64(key id || signature)". */
	line = blank + 2;
	snprintf(expect, sizeof(expect), CHECKPOINT_DASH "%s ", origin);
	if (strncmp(line, expect, strlen(expect)) != 0) {
		snprintf(why, whylen, "the checkpoint is not signed by this server");
		return -1;
	}
	b64 = line + strlen(expect);
	end = b64 + strcspn(b64, "\n");
	if (checkpoint_b64(b64, (size_t)(end - b64), sig, sizeof(sig)) != 0) {
		snprintf(why, whylen, "the checkpoint's signature does not read");
		return -1;
	}
	checkpoint_key_id(origin, pk, id);
	if (memcmp(id, sig, CHECKPOINT_KEYID_LEN) != 0 ||
	    crypto_sign_verify_detached(sig + CHECKPOINT_KEYID_LEN, (const uint8_t *)body, blen,
	    pk) != 0) {
		snprintf(why, whylen, "the checkpoint's signature does not verify with the "
		    "server's key");
		return -1;
	}
	return 0;
}
