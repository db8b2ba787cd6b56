#include "envelope.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"

static int
pack_message(const ProtobufCMessage *msg, uint8_t **buf, size_t *len)
{
	size_t n = protobuf_c_message_get_packed_size(msg);

	/* malloc(0) may return NULL; an empty message is still a valid frame. */
	*buf = malloc(n > 0 ? n : 1);
	if (*buf == NULL)
		return JX_EINTERNAL;
	*len = protobuf_c_message_pack(msg, *buf);
	return JX_OK;
}

int
envelope_request_pack(const ProtobufCServiceDescriptor *service, unsigned method,
    const uint8_t *request_id, const char *reason, const ProtobufCMessage *input,
    uint8_t **buf, size_t *len)
{
	Jixiao__Request req = JIXIAO__REQUEST__INIT;
	uint8_t *payload = NULL;
	size_t payload_len = 0;
	int rv;

	if (input != NULL) {
		if (protobuf_c_message_get_packed_size(input) > ENVELOPE_MAX - 1024)
			return JX_EINVAL;
		if ((rv = pack_message(input, &payload, &payload_len)) != 0)
			return rv;
		req.has_payload = 1;
		req.payload.data = payload;
		req.payload.len = payload_len;
	}
	req.protocol = JIXIAO__PROTOCOL__PROTOCOL_VERSION;
	req.service = (char *)service->name;
	req.method = method;
	if (request_id != NULL) {
		req.has_request_id = 1;
		req.request_id.data = (uint8_t *)request_id;
		req.request_id.len = ENVELOPE_REQUEST_ID_LEN;
	}
	req.reason = (char *)reason;
	rv = pack_message(&req.base, buf, len);
	free(payload);
	return rv;
}

int
envelope_request_unpack(const uint8_t *buf, size_t len, Jixiao__Request **reqp,
    const char **why)
{
	Jixiao__Request *req;

	*reqp = NULL;
	if (len > ENVELOPE_LIMIT) {
		*why = "the request is larger than the server accepts";
		return JX_EINVAL;
	}
	req = jixiao__request__unpack(NULL, len, buf);
	if (req == NULL) {
		*why = "the request could not be decoded";
		return JX_EINVAL;
	}
	if (req->protocol != JIXIAO__PROTOCOL__PROTOCOL_VERSION) {
		*why = "the client speaks another protocol version; upgrade jx or jixiaod";
		goto bad;
	}
	if (strlen(req->service) > ENVELOPE_NAME_MAX) {
		*why = "the service name is too long";
		goto bad;
	}
	if (req->has_request_id && req->request_id.len != ENVELOPE_REQUEST_ID_LEN) {
		*why = "the request id must be 16 bytes";
		goto bad;
	}
	if (req->user != NULL && strlen(req->user) > ENVELOPE_NAME_MAX) {
		*why = "the user name is too long";
		goto bad;
	}
	if (req->reason != NULL && strlen(req->reason) > ENVELOPE_REASON_MAX) {
		*why = "the reason is too long";
		goto bad;
	}
	*reqp = req;
	return JX_OK;
bad:
	jixiao__request__free_unpacked(req, NULL);
	return JX_EINVAL;
}

const ProtobufCMethodDescriptor *
envelope_method(const ProtobufCServiceDescriptor *service, uint32_t index)
{
	/* protobuf_c_service_invoke_internal only asserts this; a peer must not reach it. */
	if (service == NULL || index >= service->n_methods)
		return NULL;
	return &service->methods[index];
}

int
envelope_input_unpack(const ProtobufCMethodDescriptor *method, const Jixiao__Request *req,
    ProtobufCMessage **input)
{
	static const uint8_t empty[1];
	const uint8_t *data = req->has_payload ? req->payload.data : empty;
	size_t len = req->has_payload ? req->payload.len : 0;

	*input = protobuf_c_message_unpack(method->input, NULL, len, data);
	return *input != NULL ? JX_OK : JX_EINVAL;
}

/*
 * Packs the payload once, straight into the frame: the Reply without its payload, then
 * field 3 (tag, length, the packed output). Fields go in number order, so the bytes are
 * what packing the Reply with the payload would give.
 */
int
envelope_reply_pack(int code, const char *message, const ProtobufCMessage *output,
    uint8_t **buf, size_t *len)
{
	Jixiao__Reply reply = JIXIAO__REPLY__INIT;
	size_t head, plen = 0, vlen = 0, total;
	uint8_t *p;

	reply.code = (uint32_t)code;
	reply.message = (char *)message;
	head = jixiao__reply__get_packed_size(&reply);
	total = head;
	if (output != NULL) {
		plen = protobuf_c_message_get_packed_size(output);
		for (size_t v = plen; vlen == 0 || v != 0; v >>= 7)
			vlen++;
		total += 1 + vlen + plen;
	}
	if ((p = malloc(total > 0 ? total : 1)) == NULL)
		return JX_EINTERNAL;
	jixiao__reply__pack(&reply, p);
	if (output != NULL) {
		size_t o = head, v = plen;

		p[o++] = 3 << 3 | 2; /* field 3, length-delimited */
		for (; v >= 0x80; v >>= 7)
			p[o++] = (uint8_t)(v | 0x80);
		p[o++] = (uint8_t)v;
		protobuf_c_message_pack(output, p + o);
	}
	*buf = p;
	*len = total;
	return JX_OK;
}

int
envelope_reply_unpack(const uint8_t *buf, size_t len,
    const ProtobufCMessageDescriptor *output_desc, int *code, char **message,
    ProtobufCMessage **output)
{
	return envelope_reply_unpack_with(buf, len, output_desc, NULL, code, message, output);
}

int
envelope_reply_unpack_with(const uint8_t *buf, size_t len,
    const ProtobufCMessageDescriptor *output_desc, ProtobufCAllocator *alloc, int *code,
    char **message, ProtobufCMessage **output)
{
	Jixiao__Reply *reply;

	*code = JX_EINTERNAL;
	*message = NULL;
	*output = NULL;
	if (len > ENVELOPE_LIMIT || (reply = jixiao__reply__unpack(alloc, len, buf)) == NULL)
		return JX_EINVAL;
	*code = (int)reply->code;
	if (reply->message != NULL && reply->message[0] != '\0')
		*message = strndup(reply->message, ENVELOPE_MESSAGE_MAX);
	if (reply->has_payload && output_desc != NULL) {
		*output = protobuf_c_message_unpack(output_desc, alloc, reply->payload.len,
		    reply->payload.data);
		if (*output == NULL) {
			jixiao__reply__free_unpacked(reply, alloc);
			free(*message);
			*message = NULL;
			*code = JX_EINTERNAL;
			return JX_EINVAL;
		}
	}
	jixiao__reply__free_unpacked(reply, alloc);
	return JX_OK;
}
