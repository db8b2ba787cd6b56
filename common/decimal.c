#include "decimal.h"

#include <stdio.h>
#include <string.h>

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

/*
 * The byte-length of a full-width form (U+FF01 ... U+FF5E) at s of one of the ASCII
 * characters in set, with that character in *c; 0 when there is none.
 */
static size_t
dec_fullwidth(const char *s, const char *set, char *c)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned cp;

	if (u[0] != 0xef || (u[1] != 0xbc && u[1] != 0xbd) || (u[2] & 0xc0) != 0x80)
		return 0;
	cp = ((unsigned)(u[1] & 0x3f) << 6 | (u[2] & 0x3f)) + 0xf000 - 0xfee0;
	if (cp == 0 || cp > 0x7e || strchr(set, (int)cp) == NULL)
		return 0;
	*c = (char)cp;
	return 3;
}

/* The length of a space (ASCII, U+3000, U+00A0) at s, 0 for none. */
static size_t
dec_space(const char *s, size_t n)
{
	if (n >= 1 && (s[0] == ' ' || (s[0] >= '\t' && s[0] <= '\r')))
		return 1;
	if (n >= 3 && memcmp(s, "\xe3\x80\x80", 3) == 0)
		return 3;
	if (n >= 2 && memcmp(s, "\xc2\xa0", 2) == 0)
		return 2;
	return 0;
}

int
dec_parse_written(const char *s, size_t n, int64_t *out)
{
	char buf[DEC_BUFSZ];
	size_t a = 0, b = n, o = 0, l;
	int group = -1, grouped = 0, seen_point = 0;

	if (s == NULL || out == NULL)
		return JX_EINVAL;
	while (a < b && (l = dec_space(s + a, b - a)) > 0)
		a += l;
	while (b > a) {
		if (s[b - 1] == ' ' || (s[b - 1] >= '\t' && s[b - 1] <= '\r'))
			b--;
		else if (b - a >= 3 && memcmp(s + b - 3, "\xe3\x80\x80", 3) == 0)
			b -= 3;
		else if (b - a >= 2 && memcmp(s + b - 2, "\xc2\xa0", 2) == 0)
			b -= 2;
		else
			break;
	}
	while (a < b) {
		char c = s[a];

		l = 1;
		if ((unsigned char)c >= 0x80) {
			if ((l = dec_fullwidth(s + a, "0123456789.,+-", &c)) == 0) {
				if (b - a >= 3 && memcmp(s + a, "，", 3) == 0)
					c = ',', l = 3;
				else
					return JX_EINVAL;
			}
		}
		a += l;
		if (c == ',') {
			/* 1,164.43 and 1,260,000: groups of three, the first of one to three. */
			if (seen_point || group < 1 || group > 3 || (grouped && group != 3))
				return JX_EINVAL;
			grouped = 1;
			group = 0;
			continue;
		}
		if (c >= '0' && c <= '9')
			group = group < 0 ? 1 : group + 1;
		else if (c == '.') {
			if (grouped && group != 3)
				return JX_EINVAL;
			seen_point = 1;
			grouped = 0;
		} else if ((c == '-' || c == '+') && o == 0) {
			/* a sign, first */
		} else
			return JX_EINVAL;
		if (o + 1 >= sizeof(buf))
			return JX_EINVAL;
		buf[o++] = c;
	}
	if (grouped && group != 3)
		return JX_EINVAL;
	buf[o] = '\0';
	return dec_parse(buf, out);
}
