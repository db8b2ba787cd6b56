/*
 * The RPC envelope: a Request names a service and a method index and carries the
 * method's input; a Reply carries a status and the method's output. Both sides use
 * these functions, so the protocol version is checked here and nowhere else.
 */
#ifndef JX_ENVELOPE_H
#define JX_ENVELOPE_H

#include <stddef.h>
#include <stdint.h>

#include "proto/jixiao.pb-c.h"

/*
 * Message sizes, one setting: jixiaod --max-message (from ENVELOPE_MAX, the default,
 * to ENVELOPE_LIMIT) caps the requests it accepts and the replies it sends, and
 * refuses a change that would make a workspace's tree reply bigger. Clients send
 * requests up to ENVELOPE_MAX, which every server accepts, and read replies up to
 * ENVELOPE_LIMIT, which no server exceeds.
 */
#define ENVELOPE_MAX ((size_t)4 << 20)
#define ENVELOPE_LIMIT ((size_t)64 << 20)
#define ENVELOPE_REQUEST_ID_LEN 16
#define ENVELOPE_NAME_MAX 128
#define ENVELOPE_MESSAGE_MAX 1024
#define ENVELOPE_REASON_MAX 2048

/*
 * Encodes a request into *buf (malloc'd; the caller frees it). request_id may be
 * NULL (a read) or ENVELOPE_REQUEST_ID_LEN bytes; reason (why the change) may be NULL.
 * Returns 0, JX_EINVAL (input too large) or JX_EINTERNAL (out of memory).
 */
int envelope_request_pack(const ProtobufCServiceDescriptor *service, unsigned method,
    const uint8_t *request_id, const char *reason, const ProtobufCMessage *input,
    uint8_t **buf, size_t *len);

/*
 * Decodes and validates a request frame. On success *req is the caller's to free
 * with jixiao__request__free_unpacked(*req, NULL). On failure returns JX_EINVAL and
 * points *why at a static sentence saying what was wrong.
 */
int envelope_request_unpack(const uint8_t *buf, size_t len, Jixiao__Request **req,
    const char **why);

/* The method at index, or NULL when the service has no such method. */
const ProtobufCMethodDescriptor *envelope_method(const ProtobufCServiceDescriptor *service,
    uint32_t index);

/*
 * Decodes a request's payload as the method's input type. On success the caller
 * frees *input with protobuf_c_message_free_unpacked(*input, NULL).
 * Returns 0 or JX_EINVAL.
 */
int envelope_input_unpack(const ProtobufCMethodDescriptor *method, const Jixiao__Request *req,
    ProtobufCMessage **input);

/*
 * Encodes a reply into *buf (malloc'd). output may be NULL; message may be NULL.
 * Returns 0 or JX_EINTERNAL.
 */
int envelope_reply_pack(int code, const char *message, const ProtobufCMessage *output,
    uint8_t **buf, size_t *len);

/*
 * Decodes a reply frame. *code and *message (malloc'd, or NULL) always describe the
 * outcome; *output is the decoded payload of type output_desc when present (or NULL),
 * freed with protobuf_c_message_free_unpacked. Returns 0 if the frame was a valid
 * reply (whatever its code), JX_EINVAL if it was not.
 */
int envelope_reply_unpack(const uint8_t *buf, size_t len,
    const ProtobufCMessageDescriptor *output_desc, int *code, char **message,
    ProtobufCMessage **output);
/* The same, allocating with alloc (NULL: malloc); *output is freed with the same alloc. */
int envelope_reply_unpack_with(const uint8_t *buf, size_t len,
    const ProtobufCMessageDescriptor *output_desc, ProtobufCAllocator *alloc, int *code,
    char **message, ProtobufCMessage **output);

#endif
