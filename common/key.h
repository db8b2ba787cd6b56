/*
 * Ed25519 keys (libsodium) and the files that hold them. A secret key file is
 * "jixiao-ed25519-secret BASE64\n", mode 0600, and is refused when anyone but its
 * owner may read it; a public key file is "jixiao-ed25519 BASE64 NAME\n".
 *
 * Also the statements signed with them: the login answer to a server's challenge,
 * and the server's own signature on that challenge.
 */
#ifndef JX_KEY_H
#define JX_KEY_H

#include <stddef.h>
#include <stdint.h>

#define KEY_PUBLIC_LEN 32
#define KEY_SECRET_LEN 64
#define KEY_SIG_LEN 64
#define KEY_NONCE_LEN 32
/* "jixiao-ed25519 " + base64 + " " + name + "\n" fits */
#define KEY_LINE_MAX 512
/* Hex of the first 8 bytes of BLAKE2b(public key), for people to compare. */
#define KEY_FINGERPRINT_LEN 17

/* Fails only when libsodium cannot start. */
int key_init(void);

/* A fresh key pair. */
void key_generate(uint8_t pk[KEY_PUBLIC_LEN], uint8_t sk[KEY_SECRET_LEN]);

/*
 * Writes a new secret key file (0600, never over an existing file) and its public key
 * file beside it (path + ".pub"). Returns 0 or an errno-style error with why filled.
 */
int key_save(const char *path, const uint8_t pk[KEY_PUBLIC_LEN],
    const uint8_t sk[KEY_SECRET_LEN], const char *name, char *why, size_t whylen);

/*
 * Reads a secret key file; refuses it when group or others may read or write it.
 * Returns 0, or -1 with a plain sentence in why. The caller zeroes sk after use.
 */
int key_load_secret(const char *path, uint8_t sk[KEY_SECRET_LEN], char *why, size_t whylen);

/* Reads a public key file. Returns 0, or -1 with why. */
int key_load_public(const char *path, uint8_t pk[KEY_PUBLIC_LEN], char *why, size_t whylen);

/* Parses one public key line (the file's content). Returns 0 or -1. */
int key_parse_public(const char *line, uint8_t pk[KEY_PUBLIC_LEN]);

/* The public half of a secret key. */
void key_public_of(const uint8_t sk[KEY_SECRET_LEN], uint8_t pk[KEY_PUBLIC_LEN]);

/* "3f9a…" for a person to compare keys. */
void key_fingerprint(const uint8_t pk[KEY_PUBLIC_LEN], char out[KEY_FINGERPRINT_LEN]);

/* Lower-case hex of n bytes into out (2n + 1 bytes). */
void key_hex(const uint8_t *b, size_t n, char *out);
/* Parses 2n hex digits into n bytes. Returns 0 or -1. */
int key_unhex(const char *s, uint8_t *b, size_t n);

/* The server signs its challenge: sig over ("jixiao-challenge-v1", nonce). */
void key_sign_challenge(const uint8_t sk[KEY_SECRET_LEN], const uint8_t nonce[KEY_NONCE_LEN],
    uint8_t sig[KEY_SIG_LEN]);
int key_verify_challenge(const uint8_t server_pk[KEY_PUBLIC_LEN],
    const uint8_t nonce[KEY_NONCE_LEN], const uint8_t sig[KEY_SIG_LEN]);

/*
 * The user answers: sig over ("jixiao-login-v1", the server's public key, nonce), so an
 * answer given to one server cannot be replayed to another or on another connection.
 */
void key_sign_login(const uint8_t sk[KEY_SECRET_LEN], const uint8_t server_pk[KEY_PUBLIC_LEN],
    const uint8_t nonce[KEY_NONCE_LEN], uint8_t sig[KEY_SIG_LEN]);
int key_verify_login(const uint8_t pk[KEY_PUBLIC_LEN], const uint8_t server_pk[KEY_PUBLIC_LEN],
    const uint8_t nonce[KEY_NONCE_LEN], const uint8_t sig[KEY_SIG_LEN]);

#endif
