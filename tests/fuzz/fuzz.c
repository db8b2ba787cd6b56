#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

const ProtobufCServiceDescriptor *const fuzz_services[] = {
	&jixiao__system__descriptor,
	&jixiao__workspaces__descriptor,
	&jixiao__history__descriptor,
	&jixiao__subjects__descriptor,
	&jixiao__templates__descriptor,
	&jixiao__tree__descriptor,
	&jixiao__budgets__descriptor,
	&jixiao__files__descriptor,
	&jixiao__auth__descriptor,
	&jixiao__users__descriptor,
	&jixiao__workflow__descriptor,
	&jixiao__findings__descriptor,
};
const size_t fuzz_nservices = sizeof(fuzz_services) / sizeof(fuzz_services[0]);

const ProtobufCServiceDescriptor *
fuzz_service(const char *name)
{
	for (size_t i = 0; i < fuzz_nservices; i++)
		if (strcmp(fuzz_services[i]->name, name) == 0)
			return fuzz_services[i];
	return NULL;
}

void
fuzz_key(uint8_t pk[32], uint8_t sk[64])
{
	uint8_t seed[crypto_sign_SEEDBYTES];

	memset(seed, 0x6a, sizeof(seed)); /* 'j' */
	if (sodium_init() < 0 || crypto_sign_seed_keypair(pk, sk, seed) != 0)
		abort();
}

char *
fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}
