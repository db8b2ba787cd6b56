#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "web.h"

/* Only plain paths under the app's directory reach the file system. */
static void
web_paths(void **state)
{
	static const char *const good[] = {
		"/", "/index.html", "/app.js", "/vendor/protobuf.min.js",
		"/vendor/noble-hashes/_blake.js", "/a-b_c.d.css",
	};
	static const char *const bad[] = {
		"", "index.html", "/../etc/passwd", "/..", "/vendor/../../etc/passwd",
		"/%2e%2e/etc/passwd", "/..%2f..%2fetc", "/.hidden", "/vendor/.git/config",
		"//etc/passwd", "/a//b.js", "/app.js?x=1", "/app.js#x", "/a\\b.js", "/a b.js",
		"/\xe4\xb8\xad.js", "/a.js\n", "/a:b",
	};
	char longpath[WEB_MAX_PATH + 8];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_true(web_path_ok(good[i]));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(web_path_ok(bad[i]));
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	assert_false(web_path_ok(longpath));
	longpath[WEB_MAX_PATH] = '\0';
	assert_true(web_path_ok(longpath));
}

static void
web_urls(void **state)
{
	assert_true(web_url_ok("http://127.0.0.1:7480"));
	assert_true(web_url_ok("https://[::1]:443"));
	assert_false(web_url_ok("ws://127.0.0.1:7480"));
	assert_false(web_url_ok("tcp://127.0.0.1:7480"));
	assert_false(web_url_ok(""));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(web_paths),
		cmocka_unit_test(web_urls),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
