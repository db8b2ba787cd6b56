#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "envelope.h"
#include "proto/jixiao.pb-c.h"
#include "err.h"
#include "jxtest.h"

static void
request_round_trip(void **state)
{
	Jixiao__GetTreeRequest in = JIXIAO__GET_TREE_REQUEST__INIT;
	Jixiao__Request *req;
	ProtobufCMessage *decoded;
	const ProtobufCMethodDescriptor *m;
	uint8_t id[ENVELOPE_REQUEST_ID_LEN], *buf;
	const char *why = NULL;
	size_t len;

	memset(id, 0xab, sizeof(id));
	in.workspace = 42;
	assert_jx_ok(envelope_request_pack(&jixiao__tree__descriptor, 4, id, "li", &in.base,
	    &buf, &len));
	assert_jx_ok(envelope_request_unpack(buf, len, &req, &why));
	assert_string_equal(req->service, "jixiao.Tree");
	assert_int_equal(req->method, 4);
	assert_string_equal(req->reason, "li");
	assert_memory_equal(req->request_id.data, id, sizeof(id));
	m = envelope_method(&jixiao__tree__descriptor, req->method);
	assert_non_null(m);
	assert_string_equal(m->name, "GetTree");
	assert_jx_ok(envelope_input_unpack(m, req, &decoded));
	assert_int_equal(((Jixiao__GetTreeRequest *)decoded)->workspace, 42);
	protobuf_c_message_free_unpacked(decoded, NULL);
	jixiao__request__free_unpacked(req, NULL);
	free(buf);
}

static void
bad_method_index_is_refused(void **state)
{
	assert_null(envelope_method(&jixiao__tree__descriptor, jixiao__tree__descriptor.n_methods));
	assert_null(envelope_method(&jixiao__tree__descriptor, UINT32_MAX));
	assert_null(envelope_method(NULL, 0));
	assert_non_null(envelope_method(&jixiao__system__descriptor, 1));
}

static void
truncated_frames_are_refused(void **state)
{
	Jixiao__AddNodeRequest in = JIXIAO__ADD_NODE_REQUEST__INIT;
	Jixiao__Request *req;
	const char *why;
	uint8_t *buf;
	size_t len, cut;
	int refused = 0;

	in.workspace = 7;
	in.name = "立项依据适应性";
	assert_jx_ok(envelope_request_pack(&jixiao__tree__descriptor, 0, NULL, NULL, &in.base,
	    &buf, &len));
	/* Every proper prefix either fails to decode or decodes to a request missing data. */
	for (cut = 0; cut < len; cut++) {
		why = NULL;
		if (envelope_request_unpack(buf, cut, &req, &why) != JX_OK) {
			assert_non_null(why);
			assert_null(req);
			refused++;
			continue;
		}
		/* A prefix that still decodes must have lost its payload's tail. */
		const ProtobufCMethodDescriptor *m = envelope_method(&jixiao__tree__descriptor,
		    req->method);
		ProtobufCMessage *input = NULL;
		if (m != NULL && envelope_input_unpack(m, req, &input) == JX_OK) {
			Jixiao__AddNodeRequest *got = (Jixiao__AddNodeRequest *)input;
			assert_false(got->workspace == 7 && strcmp(got->name, in.name) == 0);
			protobuf_c_message_free_unpacked(input, NULL);
		}
		jixiao__request__free_unpacked(req, NULL);
	}
	assert_true(refused > 0);
	free(buf);
}

static void
oversized_and_wrong_version_are_refused(void **state)
{
	Jixiao__Request r = JIXIAO__REQUEST__INIT;
	Jixiao__Request *req;
	const char *why = NULL;
	uint8_t buf[256] = { 0 };
	size_t len;

	assert_int_equal(envelope_request_unpack(buf, ENVELOPE_LIMIT + 1, &req, &why), JX_EINVAL);
	r.protocol = 99;
	r.service = "jixiao.System";
	len = jixiao__request__pack(&r, buf);
	assert_int_equal(envelope_request_unpack(buf, len, &req, &why), JX_EINVAL);
	assert_non_null(strstr(why, "protocol"));
	r.protocol = JIXIAO__PROTOCOL__PROTOCOL_VERSION;
	r.has_request_id = 1;
	r.request_id.data = buf;
	r.request_id.len = 3;
	len = jixiao__request__pack(&r, buf + 64);
	assert_int_equal(envelope_request_unpack(buf + 64, len, &req, &why), JX_EINVAL);
}

static void
reply_round_trip_carries_status_and_payload(void **state)
{
	Jixiao__Node node = JIXIAO__NODE__INIT;
	Jixiao__NodeReply out = JIXIAO__NODE_REPLY__INIT;
	ProtobufCMessage *got;
	char *message;
	uint8_t *buf;
	size_t len;
	int code;

	node.id = 3;
	node.code = "1.1";
	node.revision = 9;
	out.node = &node;
	assert_jx_ok(envelope_reply_pack(JX_EABORTED, "stale", &out.base, &buf, &len));
	assert_jx_ok(envelope_reply_unpack(buf, len, &jixiao__node_reply__descriptor, &code,
	    &message, &got));
	assert_int_equal(code, JX_EABORTED);
	assert_string_equal(message, "stale");
	assert_int_equal(((Jixiao__NodeReply *)got)->node->revision, 9);
	protobuf_c_message_free_unpacked(got, NULL);
	free(message);
	/* A payload of the wrong type is a bad frame, not a crash. */
	assert_int_equal(envelope_reply_unpack(buf, len / 2, &jixiao__node_reply__descriptor,
	    &code, &message, &got), JX_EINVAL);
	free(buf);
}

/* The reply packed once is byte for byte the Reply packed with its payload inside. */
static void
reply_packed_once_equals_packed_twice(void **state)
{
	static const size_t sizes[] = { 0, 1, 100, 126, 127, 128, 300, 16383, 16384, 70000 };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		Jixiao__PingReply out = JIXIAO__PING_REPLY__INIT;
		Jixiao__Reply r = JIXIAO__REPLY__INIT;
		uint8_t *once, *payload, *twice;
		size_t len, plen, tlen;
		uint8_t *text = malloc(sizes[i] + 1);

		assert_non_null(text);
		memset(text, 'x', sizes[i]);
		out.has_data = 1;
		out.data.data = text;
		out.data.len = sizes[i];
		assert_jx_ok(envelope_reply_pack(JX_OK, i % 2 ? "注意" : NULL, &out.base, &once,
		    &len));
		plen = protobuf_c_message_get_packed_size(&out.base);
		assert_non_null(payload = malloc(plen + 1));
		protobuf_c_message_pack(&out.base, payload);
		r.code = JX_OK;
		r.message = i % 2 ? "注意" : NULL;
		r.has_payload = 1;
		r.payload.data = payload;
		r.payload.len = plen;
		tlen = jixiao__reply__get_packed_size(&r);
		assert_non_null(twice = malloc(tlen));
		jixiao__reply__pack(&r, twice);
		assert_int_equal(len, tlen);
		assert_memory_equal(once, twice, len);
		free(once);
		free(twice);
		free(payload);
		free(text);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(request_round_trip),
		cmocka_unit_test(bad_method_index_is_refused),
		cmocka_unit_test(truncated_frames_are_refused),
		cmocka_unit_test(oversized_and_wrong_version_are_refused),
		cmocka_unit_test(reply_round_trip_carries_status_and_payload),
		cmocka_unit_test(reply_packed_once_equals_packed_twice),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
