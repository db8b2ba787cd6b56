/* The System service: liveness and versions. */
#include <lmdb.h>
#include <nng/nng.h>
#include <sodium.h>

#include "proto/jixiao.pb-c.h"
#include "rpc.h"
#include "svc.h"

static void
svc_system_ping(Jixiao__System_Service *service, const Jixiao__PingRequest *in,
    Jixiao__PingReply_Closure closure, void *data)
{
	Jixiao__PingReply out = JIXIAO__PING_REPLY__INIT;

	out.has_data = in->has_data;
	out.data = in->data;
	out.has_server_time = 1;
	out.server_time = rpc_call_now(data);
	closure(&out, data);
}

static void
svc_system_version(Jixiao__System_Service *service, const Jixiao__VersionRequest *in,
    Jixiao__VersionReply_Closure closure, void *data)
{
	Jixiao__VersionReply out = JIXIAO__VERSION_REPLY__INIT;

	out.server = "jixiaod " JX_VERSION;
	out.protocol = JIXIAO__PROTOCOL__PROTOCOL_VERSION;
	out.lmdb = (char *)mdb_version(NULL, NULL, NULL);
	out.nng = (char *)nng_version();
	out.sodium = (char *)sodium_version_string();
	out.protobuf_c = (char *)protobuf_c_version();
	out.feed = (char *)rpc_call_feed_url(data);
	closure(&out, data);
}

static Jixiao__System_Service svc_system_service = JIXIAO__SYSTEM__INIT(svc_system_);

const struct rpc_service svc_system = {
	.service = &svc_system_service.base,
};
