/*
 * Signed checkpoints of a workspace's history: the server's Ed25519 signature on "this
 * workspace's history has N records and its head is H", as a signed note in the form of
 * C2SP's tlog-checkpoint and signed-note:
 *
 *   jixiao/<server key fingerprint>/ws/<id>
 *   <revision>
 *   <head, base64>
 *
 *   — jixiao/<server key fingerprint>/ws/<id> <base64(key id (4) || signature (64))>
 *
 * The key id is C2SP's for Ed25519: the first 4 bytes of SHA-256(name || "\n" || 0x01 ||
 * public key); the signature covers the body (the three lines and their newlines).
 * The head is the hash chain's (each record hashes the one before), not a Merkle root,
 * so a later checkpoint extends an earlier one when the chain's record at the earlier
 * revision hashes to the earlier head: checked by re-reading the records, not by a proof.
 * A client that remembers a checkpoint catches a server that later rewrites or shortens
 * the history it showed.
 */
#ifndef JX_CHECKPOINT_H
#define JX_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#define CHECKPOINT_MAX 512
#define CHECKPOINT_HEAD_LEN 32

struct checkpoint {
	uint64_t workspace;
	uint64_t revision;
	uint8_t head[CHECKPOINT_HEAD_LEN];
};

/*
 * Writes the signed note for cp into out (NUL-terminated), signed with the server's
 * secret key sk (64 bytes; its public half is in it). Returns 0, or -1 when out is small.
 */
int checkpoint_sign(const struct checkpoint *cp, const uint8_t *sk, char *out, size_t len);

/*
 * Reads a signed note: its origin must name server key pk (32 bytes) and its signature
 * verify with it. Returns 0 with *cp filled, or -1 with a plain sentence in why.
 */
int checkpoint_open(const char *note, const uint8_t *pk, struct checkpoint *cp, char *why,
    size_t whylen);

#endif
