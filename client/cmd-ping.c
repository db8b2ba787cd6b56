/* jx ping, jx version */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "cli.h"

int
cmd_ping(struct cli *cli, int argc, char **argv)
{
	static const struct cli_command cmd = { "ping", cmd_ping, "jx ping",
		"Checks that the server answers, and how fast." };
	Jixiao__PingRequest in = JIXIAO__PING_REQUEST__INIT;
	Jixiao__PingReply *out;
	struct timespec t0, t1;
	long long us;
	int rv;

	if ((rv = cli_plain_args(&cmd, argc, argv, 0)) >= 0)
		return rv;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((rv = cli_call(cli, &jixiao__system__descriptor, "Ping", &in.base,
	    (ProtobufCMessage **)&out)) != 0)
		return rv;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	us = (t1.tv_sec - t0.tv_sec) * 1000000LL + (t1.tv_nsec - t0.tv_nsec) / 1000;
	if (cli->json) {
		struct out_json *j = out_json_new(stdout);
		out_json_object(j, NULL);
		out_json_bool(j, "ok", 1);
		out_json_string(j, "server", cli->server);
		out_json_int(j, "server_time", out->server_time);
		out_json_int(j, "round_trip_us", us);
		out_json_free(j);
	} else {
		printf("jixiaod at %s answered in %.3f ms\n", cli->server, (double)us / 1000.0);
	}
	jixiao__ping_reply__free_unpacked(out, NULL);
	return 0;
}

int
cmd_version(struct cli *cli, int argc, char **argv)
{
	static const struct cli_command cmd = { "version", cmd_version, "jx version",
		"Shows the versions of jx and of the server." };
	Jixiao__VersionRequest in = JIXIAO__VERSION_REQUEST__INIT;
	Jixiao__VersionReply *out;
	int rv;

	if ((rv = cli_plain_args(&cmd, argc, argv, 0)) >= 0)
		return rv;
	if ((rv = cli_call(cli, &jixiao__system__descriptor, "Version", &in.base,
	    (ProtobufCMessage **)&out)) != 0)
		return rv;
	if (cli->json) {
		struct out_json *j = out_json_new(stdout);
		out_json_object(j, NULL);
		out_json_string(j, "client", "jx " JX_VERSION);
		out_json_string(j, "server", out->server);
		out_json_uint(j, "protocol", out->protocol);
		out_json_string(j, "lmdb", out->lmdb);
		out_json_string(j, "nng", out->nng);
		out_json_string(j, "sodium", out->sodium);
		out_json_string(j, "protobuf_c", out->protobuf_c);
		out_json_free(j);
	} else {
		printf("client:   jx %s\nserver:   %s (protocol %u)\nlibraries: %s, nng %s, "
		       "libsodium %s, protobuf-c %s\n", JX_VERSION, out->server, out->protocol,
		    out->lmdb, out->nng, out->sodium, out->protobuf_c);
	}
	jixiao__version_reply__free_unpacked(out, NULL);
	return 0;
}
