#include "decimal.h"

#include <stdio.h>

#include "err.h"

int
dec_parse(const char *s, int64_t *out)
{
	int neg = 0, digits = 0, decimals = 0;
	int64_t v = 0;

	if (s == NULL)
		return JX_EINVAL;
	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	for (; *s >= '0' && *s <= '9'; s++, digits++) {
		v = v * 10 + (*s - '0');
		if (v > DEC_MAX)
			return JX_EINVAL;
	}
	v *= 100;
	if (*s == '.') {
		s++;
		for (int64_t scale = 10; *s >= '0' && *s <= '9'; s++, decimals++) {
			if (decimals == 2)
				return JX_EINVAL;
			v += (*s - '0') * scale;
			scale /= 10;
		}
		if (decimals == 0)
			return JX_EINVAL;
	}
	if (*s != '\0' || digits == 0 || v > DEC_MAX)
		return JX_EINVAL;
	*out = neg ? -v : v;
	return JX_OK;
}

char *
dec_format(int64_t v, char buf[DEC_BUFSZ])
{
	uint64_t m = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

	snprintf(buf, DEC_BUFSZ, "%s%llu.%02llu", v < 0 ? "-" : "",
	    (unsigned long long)(m / 100), (unsigned long long)(m % 100));
	return buf;
}

char *
dec_format_short(int64_t v, char buf[DEC_BUFSZ])
{
	size_t n;

	dec_format(v, buf);
	for (n = 0; buf[n] != '\0'; n++)
		;
	if (buf[n - 1] == '0')
		buf[--n] = '\0';
	if (buf[n - 1] == '0')
		buf[--n] = '\0';
	if (buf[n - 1] == '.')
		buf[--n] = '\0';
	return buf;
}
