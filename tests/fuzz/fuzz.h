/*
 * What the libFuzzer harnesses of tests/fuzz share: the services of the protocol, the
 * fixed key that signs the checkpoint seeds, and a NUL-terminated copy of an input.
 */
#ifndef JX_FUZZ_H
#define JX_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "proto/jixiao.pb-c.h"

/* Every service of proto/jixiao.proto, in the order it declares them. */
extern const ProtobufCServiceDescriptor *const fuzz_services[];
extern const size_t fuzz_nservices;

/* The service named name, or NULL. */
const ProtobufCServiceDescriptor *fuzz_service(const char *name);

/*
 * The Ed25519 key pair the checkpoint harness and its seeds use: made from a fixed seed,
 * so seeds written once stay valid (crypto_sign_seed_keypair).
 */
void fuzz_key(uint8_t pk[32], uint8_t sk[64]);

/* A malloc'd copy of data with a NUL after it (aborts when out of memory). */
char *fuzz_cstr(const uint8_t *data, size_t size);

#endif
