#include "exposition.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

static bool
exposition_name_char(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
	    (!first && c >= '0' && c <= '9');
}

void
exposition_check(const char *text)
{
	char families[128][96], last_bucket_family[96] = "";
	size_t nfam = 0;
	double last_bucket = 0;
	const char *p = text;

	while (*p != '\0') {
		const char *eol = strchr(p, '\n'), *q = p;
		char name[96], value[64], line[512];
		size_t nl = 0;
		bool known = false;

		assert_non_null(eol);
		snprintf(line, sizeof(line), "%.*s", (int)(eol - p), p);
		if (strncmp(p, "# HELP ", 7) == 0) {
			p = eol + 1;
			continue;
		}
		if (strncmp(p, "# TYPE ", 7) == 0) {
			char type[32];
			const char *sp = strchr(p + 7, ' ');
			assert_true(sp != NULL && sp < eol);
			snprintf(type, sizeof(type), "%.*s", (int)(eol - sp - 1), sp + 1);
			if (strcmp(type, "counter") != 0 && strcmp(type, "gauge") != 0 &&
			    strcmp(type, "histogram") != 0)
				fail_msg("unknown type in: %s", line);
			for (size_t i = 0; i < nfam; i++)
				if (strlen(families[i]) == (size_t)(sp - p - 7) &&
				    strncmp(families[i], p + 7, (size_t)(sp - p - 7)) == 0)
					fail_msg("declared twice: %s", line);
			assert_true(nfam < 128);
			snprintf(families[nfam++], sizeof(families[0]), "%.*s", (int)(sp - p - 7), p + 7);
			p = eol + 1;
			continue;
		}
		if (*p == '#')
			fail_msg("a comment that is neither HELP nor TYPE: %s", line);
		if (!exposition_name_char(*q, true))
			fail_msg("not a sample: %s", line);
		while (q < eol && exposition_name_char(*q, false))
			name[nl++] = *q++;
		name[nl] = '\0';
		if (*q == '{') {
			for (q++; *q != '}'; ) {
				if (!exposition_name_char(*q, true))
					fail_msg("bad label in: %s", line);
				while (exposition_name_char(*q, false))
					q++;
				if (q[0] != '=' || q[1] != '"')
					fail_msg("bad label in: %s", line);
				for (q += 2; *q != '"'; q++) {
					if (*q == '\\')
						q++;
					if (q >= eol)
						fail_msg("unterminated label in: %s", line);
				}
				q++;
				if (*q == ',')
					q++;
			}
			q++;
		}
		if (*q != ' ')
			fail_msg("no value in: %s", line);
		snprintf(value, sizeof(value), "%.*s", (int)(eol - q - 1), q + 1);
		{
			char *end;
			double v = strtod(value, &end);
			if (end == value || *end != '\0')
				fail_msg("not a number in: %s", line);
			for (size_t i = 0; i < nfam && !known; i++) {
				size_t fl = strlen(families[i]);
				known = strcmp(name, families[i]) == 0 ||
				    (strncmp(name, families[i], fl) == 0 &&
				    (strcmp(name + fl, "_bucket") == 0 || strcmp(name + fl, "_sum") == 0 ||
				    strcmp(name + fl, "_count") == 0));
			}
			if (!known)
				fail_msg("a sample of an undeclared metric: %s", line);
			if (nl > 7 && strcmp(name + nl - 7, "_bucket") == 0) {
				char fam[96];
				const char *le = strstr(line, "le=\"");
				assert_non_null(le);
				/* The family and its labels but le: one histogram series. */
				snprintf(fam, sizeof(fam), "%.*s", (int)(le - line), line);
				if (strcmp(fam, last_bucket_family) == 0 && v < last_bucket)
					fail_msg("buckets not cumulative at: %s", line);
				snprintf(last_bucket_family, sizeof(last_bucket_family), "%s", fam);
				last_bucket = v;
			}
		}
		p = eol + 1;
	}
	assert_true(nfam >= 12);
}
