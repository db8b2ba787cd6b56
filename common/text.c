#include "text.h"

#include <stdint.h>

bool
text_utf8_valid(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	while (*s != 0) {
		uint32_t cp;
		int n;

		if (s[0] < 0x80) {
			s++;
			continue;
		} else if ((s[0] & 0xe0) == 0xc0) {
			n = 1, cp = s[0] & 0x1f;
		} else if ((s[0] & 0xf0) == 0xe0) {
			n = 2, cp = s[0] & 0x0f;
		} else if ((s[0] & 0xf8) == 0xf0) {
			n = 3, cp = s[0] & 0x07;
		} else {
			return false;
		}
		for (int i = 1; i <= n; i++) {
			if ((s[i] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i] & 0x3f);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		s += n + 1;
	}
	return true;
}

bool
text_printable(const char *str, bool multiline)
{
	for (const unsigned char *s = (const unsigned char *)str; *s != 0; s++) {
		if (multiline && (*s == '\n' || *s == '\t' || *s == '\r'))
			continue;
		if (*s < 0x20 || *s == 0x7f)
			return false;
	}
	return true;
}

size_t
text_utf8_whole(const char *s, size_t len)
{
	size_t start = len, need;
	unsigned char lead;

	/* Back to the last character's first byte: at most 3 continuation bytes. */
	while (start > 0 && len - start < 4 && ((unsigned char)s[start - 1] & 0xc0) == 0x80)
		start--;
	if (start == 0)
		return len;
	lead = (unsigned char)s[start - 1];
	need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
	return len - (start - 1) < need ? start - 1 : len;
}
