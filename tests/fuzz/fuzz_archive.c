/*
 * common/archive.c: archive_verify on any bytes, as they are and resealed (so the
 * checks behind the seal run on damaged content too), and archive_extends.
 * It must answer with a report, never crash; a resealed input that verifies must be
 * one whose every check passed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "archive.h"
#include "checkpoint.h"
#include "err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Protobuf field 15, length-delimited, 32 bytes: the seal (archive.c). */
#define FUZZ_ARCHIVE_SEAL_TAG 0x7a

static void
fuzz_archive_verify(const uint8_t *buf, size_t len)
{
	struct archive_report r;
	int rv;

	rv = archive_verify(buf, len, &r);
	if (rv == JX_OK && (r.failed != 0 || !r.decoded))
		abort();
	if (rv == JX_EINVAL && r.failed == 0)
		abort();
	for (size_t i = 0; i < r.n; i++)
		if (strnlen(r.checks[i].text, ARCHIVE_TEXT_MAX) == ARCHIVE_TEXT_MAX)
			abort();
	archive_report_free(&r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct checkpoint cp = { .workspace = 1, .revision = 2 };
	uint8_t *sealed;
	char why[256];

	if (sodium_init() < 0)
		abort();
	fuzz_archive_verify(data, size);
	(void)archive_extends(data, size, &cp, why, sizeof(why));

	/* The input with a valid seal after it, in place of its own if it ends in one. */
	if (size >= 2 + ARCHIVE_SEAL_LEN &&
	    data[size - 2 - ARCHIVE_SEAL_LEN] == FUZZ_ARCHIVE_SEAL_TAG &&
	    data[size - 1 - ARCHIVE_SEAL_LEN] == ARCHIVE_SEAL_LEN)
		size -= 2 + ARCHIVE_SEAL_LEN;
	if ((sealed = malloc(size + 2 + ARCHIVE_SEAL_LEN)) == NULL)
		abort();
	memcpy(sealed, data, size);
	sealed[size] = FUZZ_ARCHIVE_SEAL_TAG;
	sealed[size + 1] = ARCHIVE_SEAL_LEN;
	crypto_generichash(sealed + size + 2, ARCHIVE_SEAL_LEN, sealed, size, NULL, 0);
	fuzz_archive_verify(sealed, size + 2 + ARCHIVE_SEAL_LEN);
	free(sealed);
	return 0;
}
