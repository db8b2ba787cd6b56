/*
 * Evidence (佐证材料) through jx on a real daemon: files stored by hash in chunks,
 * listed as the archive inventory, retrieved byte for byte, checked on arrival, kept
 * across a restart, and counted by jx check.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <cmocka.h>

#include <sodium.h>

#include "client.h"
#include "daemon.h"
#include "err.h"
#include "proto/jixiao.pb-c.h"

static void
assert_has(const char *text, const char *want)
{
	if (strstr(text, want) == NULL)
		fail_msg("expected %s in:\n%s", want, text);
}

static char *
write_file(const struct jxd *d, const char *name, size_t size, char *path, size_t len)
{
	uint8_t *buf = malloc(size);
	FILE *f;

	assert_non_null(buf);
	for (size_t i = 0; i < size; i++)
		buf[i] = (uint8_t)(i * 2654435761u >> 13);
	snprintf(path, len, "%s/%s", d->dir, name);
	assert_non_null(f = fopen(path, "wb"));
	assert_int_equal(fwrite(buf, 1, size, f), size);
	fclose(f);
	free(buf);
	return path;
}

static void
files_round_trip_and_count(void **state)
{
	struct jxd d;
	char big[512], small[512], back[512], cmd[2048], *out, *err;

	jxd_start(&d, false);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "ws", "create", "--subject", "佐证", "--year",
	    "2023", "--kind", "key-evaluation", NULL), 0);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "node", "add", "1", "财务管理情况", "--weight", "7",
	    "--score", "7", NULL), 0);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "node", "add", "1", "项目执行情况", "--weight", "4",
	    "--score", "4", NULL), 0);
	/* Scored without evidence: jx check says so for both. */
	assert_int_equal(jxd_jx(&d, &out, NULL, "check", "1", "--json", NULL), 1);
	assert_has(out, "\"kind\": \"no-evidence\"");
	free(out);

	/* 2.5 MiB: three chunks. */
	write_file(&d, "验收报告.pdf", 2621440 + 1234, big, sizeof(big));
	write_file(&d, "合同.txt", 100, small, sizeof(small));
	assert_int_equal(jxd_jx(&d, &out, NULL, "evidence", "add", "1", "1", big, small, NULL),
	    0);
	assert_has(out, "Attached 验收报告.pdf (2622674 bytes) to 1.");
	free(out);
	/* Attaching the same file again changes nothing. */
	assert_int_equal(jxd_jx(&d, NULL, NULL, "evidence", "add", "1", "1", small, NULL), 0);
	assert_int_equal(jxd_jx(&d, &out, NULL, "log", "1", NULL), 0);
	assert_has(out, "evidence: 0 → 1 files, +验收报告.pdf");
	assert_has(out, "evidence: 1 → 2 files, +合同.txt");
	free(out);
	assert_int_equal(jxd_jx(&d, &out, NULL, "ws", "show", "1", "--json", NULL), 0);
	assert_has(out, "\"revision\": 5,");
	free(out);

	jxd_restart(&d);
	assert_int_equal(jxd_jx(&d, &out, NULL, "evidence", "ls", "1", "--json", NULL), 0);
	assert_has(out, "\"name\": \"验收报告.pdf\"");
	assert_has(out, "\"size\": 2622674,");
	assert_has(out, "\"name\": \"合同.txt\"");
	free(out);
	snprintf(back, sizeof(back), "%s/back.pdf", d.dir);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "evidence", "get", "1", "验收报告.pdf", "-o", back,
	    NULL), 0);
	snprintf(cmd, sizeof(cmd), "cmp -s '%s' '%s'", big, back);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(jxd_jx(&d, NULL, &err, "evidence", "get", "1", "无此文件", "-o", back,
	    NULL), EX_NOINPUT);
	free(err);

	/* Now only 1.2 lacks evidence. */
	assert_int_equal(jxd_jx(&d, &out, NULL, "check", "1", "--json", NULL), 1);
	assert_has(out, "\"code\": \"2\",\n      \"kind\": \"no-evidence\"");
	assert_null(strstr(out, "\"code\": \"1\",\n      \"kind\": \"no-evidence\""));
	free(out);
	jxd_stop(&d);
	jxd_cleanup(&d);
}

/* A file whose chunks do not hash to what was announced is refused; nothing changes. */
static void
bad_uploads_are_refused(void **state)
{
	Jixiao__PutChunkRequest put = JIXIAO__PUT_CHUNK_REQUEST__INIT;
	Jixiao__AddEvidenceRequest add = JIXIAO__ADD_EVIDENCE_REQUEST__INIT;
	Jixiao__NodeRef ref = JIXIAO__NODE_REF__INIT;
	ProtobufCMessage *out;
	struct client *cl;
	struct jxd d;
	uint8_t hash[32], data[] = "伪造的内容";
	char why[256], msg[1100];

	jxd_start(&d, false);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "ws", "create", "--subject", "伪造", "--year",
	    "2023", "--kind", "key-evaluation", NULL), 0);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "node", "add", "1", "指标", "--weight", "4", NULL),
	    0);
	assert_int_equal(client_open(d.url, jxd_identity(&d, "mallory"), &cl, why, sizeof(why)), 0);
	/* Announced as the hash of other content. */
	crypto_generichash(hash, sizeof(hash), (const uint8_t *)"真实的内容", 15, NULL, 0);
	put.hash.data = hash;
	put.hash.len = sizeof(hash);
	put.data.data = data;
	put.data.len = sizeof(data) - 1;
	assert_int_equal(client_call(cl, &jixiao__files__descriptor, "PutChunk", &put.base, &out,
	    msg, sizeof(msg)), JX_OK);
	protobuf_c_message_free_unpacked(out, NULL);
	ref.code = "1";
	add.workspace = 1;
	add.node = &ref;
	add.name = "证明.txt";
	add.hash = put.hash;
	add.size = put.data.len;
	assert_int_equal(client_call(cl, &jixiao__files__descriptor, "AddEvidence", &add.base, &out,
	    msg, sizeof(msg)), JX_EINVAL);
	assert_has(msg, "does not match its hash");
	if (out != NULL)
		protobuf_c_message_free_unpacked(out, NULL);
	/* A size with chunks missing, and one beyond the limit. */
	add.size = put.data.len + 2000000;
	assert_int_equal(client_call(cl, &jixiao__files__descriptor, "AddEvidence", &add.base, &out,
	    msg, sizeof(msg)), JX_EPRECOND);
	if (out != NULL)
		protobuf_c_message_free_unpacked(out, NULL);
	add.size = (uint64_t)1 << 40;
	assert_int_equal(client_call(cl, &jixiao__files__descriptor, "AddEvidence", &add.base, &out,
	    msg, sizeof(msg)), JX_EINVAL);
	if (out != NULL)
		protobuf_c_message_free_unpacked(out, NULL);
	/* A chunk at an odd offset. */
	put.offset = 7;
	assert_int_equal(client_call(cl, &jixiao__files__descriptor, "PutChunk", &put.base, &out,
	    msg, sizeof(msg)), JX_EINVAL);
	if (out != NULL)
		protobuf_c_message_free_unpacked(out, NULL);
	client_close(cl);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "ws", "show", "1", NULL), 0);
	jxd_stop(&d);
	jxd_cleanup(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(files_round_trip_and_count),
		cmocka_unit_test(bad_uploads_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
