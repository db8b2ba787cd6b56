/*
 * common/envelope.c: any frame decodes as a request or is refused with a sentence; a
 * request's method and payload decode or are refused; any frame decodes as a reply of
 * any method's output type or is refused. A request that decodes packs again and
 * decodes the same.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "envelope.h"
#include "err.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_envelope_request(const uint8_t *data, size_t size)
{
	const ProtobufCServiceDescriptor *svc;
	const ProtobufCMethodDescriptor *m;
	ProtobufCMessage *input = NULL;
	Jixiao__Request *req = NULL, *again = NULL;
	const char *why = NULL;
	uint8_t *buf = NULL;
	size_t len;

	if (envelope_request_unpack(data, size, &req, &why) != JX_OK) {
		if (why == NULL || why[0] == '\0')
			abort();
		return;
	}
	if ((svc = fuzz_service(req->service)) == NULL ||
	    (m = envelope_method(svc, req->method)) == NULL)
		goto out;
	if (envelope_input_unpack(m, req, &input) != JX_OK)
		goto out;
	/* What was read packs into a request that reads back the same. */
	if (envelope_request_pack(svc, req->method, req->has_request_id ? req->request_id.data : NULL,
	    req->reason, input, &buf, &len) == JX_OK) {
		if (envelope_request_unpack(buf, len, &again, &why) != JX_OK ||
		    strcmp(again->service, req->service) != 0 || again->method != req->method)
			abort();
	}
out:
	free(buf);
	if (again != NULL)
		jixiao__request__free_unpacked(again, NULL);
	if (input != NULL)
		protobuf_c_message_free_unpacked(input, NULL);
	jixiao__request__free_unpacked(req, NULL);
}

/* As a reply to the method the input's first byte picks. */
static void
fuzz_envelope_reply(const uint8_t *data, size_t size)
{
	const ProtobufCServiceDescriptor *svc;
	ProtobufCMessage *output = NULL;
	char *message = NULL;
	int code = -1;

	if (size == 0)
		return;
	svc = fuzz_services[data[0] % fuzz_nservices];
	if (envelope_reply_unpack(data + 1, size - 1,
	    svc->methods[(data[0] / fuzz_nservices) % svc->n_methods].output, &code, &message,
	    &output) == JX_OK && output != NULL)
		protobuf_c_message_free_unpacked(output, NULL);
	free(message);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_envelope_request(data, size);
	fuzz_envelope_reply(data, size);
	return 0;
}
