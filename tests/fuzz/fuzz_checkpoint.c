/*
 * common/checkpoint.c: any note is opened or refused with a sentence, never accepted
 * unless it is the fixed key's signature of what it says; and a checkpoint made from the
 * input's bytes signs and opens back to itself.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t fuzz_checkpoint_pk[32], fuzz_checkpoint_sk[64];

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	struct checkpoint cp, back;
	char *note = fuzz_cstr(data, size), signed_note[CHECKPOINT_MAX], why[256];

	if (!ready) {
		fuzz_key(fuzz_checkpoint_pk, fuzz_checkpoint_sk);
		ready = 1;
	}
	why[0] = '\0';
	if (checkpoint_open(note, fuzz_checkpoint_pk, &cp, why, sizeof(why)) == 0) {
		/*
		 * Accepted: signing what it says gives the same note back (Ed25519 is
		 * deterministic), up to its signature line's newline, which may be missing
		 * (a file saved without it); lines after it are other signers' and ignored.
		 */
		size_t n;

		if (checkpoint_sign(&cp, fuzz_checkpoint_sk, signed_note, sizeof(signed_note)) != 0)
			abort();
		n = strlen(signed_note) - 1;
		if (strncmp(signed_note, note, n) != 0 || (note[n] != '\n' && note[n] != '\0'))
			abort();
	} else if (why[0] == '\0') {
		abort();
	}

	memset(&cp, 0, sizeof(cp));
	memcpy(&cp, data, size < sizeof(cp) ? size : sizeof(cp));
	if (checkpoint_sign(&cp, fuzz_checkpoint_sk, signed_note, sizeof(signed_note)) != 0 ||
	    checkpoint_open(signed_note, fuzz_checkpoint_pk, &back, why, sizeof(why)) != 0 ||
	    back.workspace != cp.workspace || back.revision != cp.revision ||
	    memcmp(back.head, cp.head, sizeof(cp.head)) != 0)
		abort();
	free(note);
	return 0;
}
