/* Signed checkpoints: the note reads back, and any change to it, or another key, fails. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "checkpoint.h"
#include "key.h"

static void
sign_and_open(void **state)
{
	uint8_t pk[KEY_PUBLIC_LEN], sk[KEY_SECRET_LEN];
	struct checkpoint cp = { .workspace = 7, .revision = 42 }, back;
	char note[CHECKPOINT_MAX], why[256];

	assert_int_equal(key_init(), 0);
	key_generate(pk, sk);
	memset(cp.head, 0xa5, sizeof(cp.head));
	assert_int_equal(checkpoint_sign(&cp, sk, note, sizeof(note)), 0);
	assert_non_null(strstr(note, "/ws/7\n42\n"));
	assert_non_null(strstr(note, "\n\n\xe2\x80\x94 jixiao/"));
	assert_int_equal(checkpoint_open(note, pk, &back, why, sizeof(why)), 0);
	assert_int_equal(back.workspace, 7);
	assert_int_equal(back.revision, 42);
	assert_memory_equal(back.head, cp.head, sizeof(cp.head));
	/* Too small a buffer is refused, not cut. */
	assert_int_equal(checkpoint_sign(&cp, sk, note, 40), -1);
}

static void
changes_and_other_keys_are_refused(void **state)
{
	uint8_t pk[KEY_PUBLIC_LEN], sk[KEY_SECRET_LEN], opk[KEY_PUBLIC_LEN], osk[KEY_SECRET_LEN];
	struct checkpoint cp = { .workspace = 3, .revision = 9 }, back;
	char note[CHECKPOINT_MAX], bad[CHECKPOINT_MAX], why[256], *p;
	size_t len;

	assert_int_equal(key_init(), 0);
	key_generate(pk, sk);
	key_generate(opk, osk);
	memset(cp.head, 0x11, sizeof(cp.head));
	assert_int_equal(checkpoint_sign(&cp, sk, note, sizeof(note)), 0);
	/* Another server's key. */
	assert_int_equal(checkpoint_open(note, opk, &back, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "this server"));
	/* A revision claimed higher than signed. */
	snprintf(bad, sizeof(bad), "%s", note);
	assert_non_null(p = strstr(bad, "\n9\n"));
	p[1] = '8';
	assert_int_equal(checkpoint_open(bad, pk, &back, why, sizeof(why)), -1);
	/* Every single byte changed, one at a time: never accepted as the same checkpoint. */
	len = strlen(note);
	for (size_t i = 0; i < len; i++) {
		snprintf(bad, sizeof(bad), "%s", note);
		bad[i] ^= 0x01;
		if (checkpoint_open(bad, pk, &back, why, sizeof(why)) == 0)
			assert_true(back.workspace == cp.workspace && back.revision == cp.revision &&
			    memcmp(back.head, cp.head, sizeof(cp.head)) == 0 && i + 1 == len);
	}
	/* The same statement signed by another key and relabelled. */
	assert_int_equal(checkpoint_sign(&cp, osk, bad, sizeof(bad)), 0);
	assert_int_equal(checkpoint_open(bad, pk, &back, why, sizeof(why)), -1);
	assert_int_equal(checkpoint_open("", pk, &back, why, sizeof(why)), -1);
	assert_int_equal(checkpoint_open("jixiao/x/ws/1\n1\nAA==\n\n", pk, &back, why,
	    sizeof(why)), -1);
}

/*
 * Found by tests/fuzz/fuzz_checkpoint: libsodium 1.0.18 reads some bytes above 0x7f as
 * base64 letters, so a note with one letter of its signature or head replaced by such a
 * byte verified. Only the canonical text of a signature is taken.
 */
static void
non_canonical_base64_is_refused(void **state)
{
	uint8_t pk[KEY_PUBLIC_LEN], sk[KEY_SECRET_LEN];
	struct checkpoint cp = { .workspace = 1, .revision = 7 }, back;
	char note[CHECKPOINT_MAX], bad[CHECKPOINT_MAX], why[256];
	size_t len, changed = 0;

	assert_int_equal(key_init(), 0);
	key_generate(pk, sk);
	memset(cp.head, 0x11, sizeof(cp.head));
	assert_int_equal(checkpoint_sign(&cp, sk, note, sizeof(note)), 0);
	len = strlen(note);
	/* Every byte of the note, in turn, as every byte above 0x7f. */
	for (size_t i = 0; i < len; i++) {
		if (note[i] == '\n')
			continue;
		for (int hi = 0x80; hi <= 0xff; hi++) {
			if ((unsigned char)note[i] == hi)
				continue;
			memcpy(bad, note, len + 1);
			bad[i] = (char)hi;
			changed++;
			if (checkpoint_open(bad, pk, &back, why, sizeof(why)) == 0)
				fail_msg("byte %zu of the note as 0x%02x is accepted", i, hi);
		}
	}
	assert_true(changed > 100);
	assert_int_equal(checkpoint_open(note, pk, &back, why, sizeof(why)), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sign_and_open),
		cmocka_unit_test(changes_and_other_keys_are_refused),
		cmocka_unit_test(non_canonical_base64_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
