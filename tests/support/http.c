#include "http.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <cmocka.h>

/* Largest response read: /metrics is the biggest, a few tens of KiB. */
#define HTTP_MAX (4 << 20)

int
http_get(const char *url, const char *path, char **head, char **body)
{
	const char *hp = url + strlen("http://127.0.0.1:");
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct timeval tv = { 10, 0 };
	char req[512], *buf = NULL, *b;
	size_t len = 0;
	ssize_t n;
	int fd, status;

	assert_int_equal(strncmp(url, "http://127.0.0.1:", 17), 0);
	sa.sin_port = htons((uint16_t)strtoul(hp, NULL, 10));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) >= 0);
	/* A server that stopped answering fails the test instead of hanging it. */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	n = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close"
	    "\r\n\r\n", path);
	assert_true(n > 0 && (size_t)n < sizeof(req));
	assert_int_equal(write(fd, req, (size_t)n), n);
	for (;;) {
		assert_true(len < HTTP_MAX);
		buf = realloc(buf, len + 65536 + 1);
		assert_non_null(buf);
		if ((n = read(fd, buf + len, 65536)) <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	if (n < 0 || strncmp(buf, "HTTP/1.1 ", 9) != 0)
		fail_msg("GET %s from %s: %s", path, url, n < 0 ? "no answer within 10 s" :
		    "not an HTTP/1.1 answer");
	status = atoi(buf + 9);
	assert_non_null(b = strstr(buf, "\r\n\r\n"));
	if (head != NULL)
		assert_non_null(*head = strndup(buf, (size_t)(b + 2 - buf)));
	if (body != NULL)
		assert_non_null(*body = strdup(b + 4));
	free(buf);
	return status;
}
