#include "out.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "decimal.h"
#include "err.h"

struct out_range {
	uint32_t lo, hi;
};

/*
 * Generated from Unicode 14.0 (Python's unicodedata): zero-width are the nonspacing and
 * enclosing marks (Mn, Me), Hangul medial and final jamo, and the zero-width spaces and
 * joiners; wide are East Asian Width W and F, less those.
 */
/* clang-format off */
static const struct out_range out_zero[] = {
	{ 0x0300, 0x036f }, { 0x0483, 0x0489 }, { 0x0591, 0x05bd }, { 0x05bf, 0x05bf },
	{ 0x05c1, 0x05c2 }, { 0x05c4, 0x05c5 }, { 0x05c7, 0x05c7 }, { 0x0610, 0x061a },
	{ 0x064b, 0x065f }, { 0x0670, 0x0670 }, { 0x06d6, 0x06dc }, { 0x06df, 0x06e4 },
	{ 0x06e7, 0x06e8 }, { 0x06ea, 0x06ed }, { 0x0711, 0x0711 }, { 0x0730, 0x074a },
	{ 0x07a6, 0x07b0 }, { 0x07eb, 0x07f3 }, { 0x07fd, 0x07fd }, { 0x0816, 0x0819 },
	{ 0x081b, 0x0823 }, { 0x0825, 0x0827 }, { 0x0829, 0x082d }, { 0x0859, 0x085b },
	{ 0x0898, 0x089f }, { 0x08ca, 0x08e1 }, { 0x08e3, 0x0902 }, { 0x093a, 0x093a },
	{ 0x093c, 0x093c }, { 0x0941, 0x0948 }, { 0x094d, 0x094d }, { 0x0951, 0x0957 },
	{ 0x0962, 0x0963 }, { 0x0981, 0x0981 }, { 0x09bc, 0x09bc }, { 0x09c1, 0x09c4 },
	{ 0x09cd, 0x09cd }, { 0x09e2, 0x09e3 }, { 0x09fe, 0x09fe }, { 0x0a01, 0x0a02 },
	{ 0x0a3c, 0x0a3c }, { 0x0a41, 0x0a42 }, { 0x0a47, 0x0a48 }, { 0x0a4b, 0x0a4d },
	{ 0x0a51, 0x0a51 }, { 0x0a70, 0x0a71 }, { 0x0a75, 0x0a75 }, { 0x0a81, 0x0a82 },
	{ 0x0abc, 0x0abc }, { 0x0ac1, 0x0ac5 }, { 0x0ac7, 0x0ac8 }, { 0x0acd, 0x0acd },
	{ 0x0ae2, 0x0ae3 }, { 0x0afa, 0x0aff }, { 0x0b01, 0x0b01 }, { 0x0b3c, 0x0b3c },
	{ 0x0b3f, 0x0b3f }, { 0x0b41, 0x0b44 }, { 0x0b4d, 0x0b4d }, { 0x0b55, 0x0b56 },
	{ 0x0b62, 0x0b63 }, { 0x0b82, 0x0b82 }, { 0x0bc0, 0x0bc0 }, { 0x0bcd, 0x0bcd },
	{ 0x0c00, 0x0c00 }, { 0x0c04, 0x0c04 }, { 0x0c3c, 0x0c3c }, { 0x0c3e, 0x0c40 },
	{ 0x0c46, 0x0c48 }, { 0x0c4a, 0x0c4d }, { 0x0c55, 0x0c56 }, { 0x0c62, 0x0c63 },
	{ 0x0c81, 0x0c81 }, { 0x0cbc, 0x0cbc }, { 0x0cbf, 0x0cbf }, { 0x0cc6, 0x0cc6 },
	{ 0x0ccc, 0x0ccd }, { 0x0ce2, 0x0ce3 }, { 0x0d00, 0x0d01 }, { 0x0d3b, 0x0d3c },
	{ 0x0d41, 0x0d44 }, { 0x0d4d, 0x0d4d }, { 0x0d62, 0x0d63 }, { 0x0d81, 0x0d81 },
	{ 0x0dca, 0x0dca }, { 0x0dd2, 0x0dd4 }, { 0x0dd6, 0x0dd6 }, { 0x0e31, 0x0e31 },
	{ 0x0e34, 0x0e3a }, { 0x0e47, 0x0e4e }, { 0x0eb1, 0x0eb1 }, { 0x0eb4, 0x0ebc },
	{ 0x0ec8, 0x0ecd }, { 0x0f18, 0x0f19 }, { 0x0f35, 0x0f35 }, { 0x0f37, 0x0f37 },
	{ 0x0f39, 0x0f39 }, { 0x0f71, 0x0f7e }, { 0x0f80, 0x0f84 }, { 0x0f86, 0x0f87 },
	{ 0x0f8d, 0x0f97 }, { 0x0f99, 0x0fbc }, { 0x0fc6, 0x0fc6 }, { 0x102d, 0x1030 },
	{ 0x1032, 0x1037 }, { 0x1039, 0x103a }, { 0x103d, 0x103e }, { 0x1058, 0x1059 },
	{ 0x105e, 0x1060 }, { 0x1071, 0x1074 }, { 0x1082, 0x1082 }, { 0x1085, 0x1086 },
	{ 0x108d, 0x108d }, { 0x109d, 0x109d }, { 0x1160, 0x11ff }, { 0x135d, 0x135f },
	{ 0x1712, 0x1714 }, { 0x1732, 0x1733 }, { 0x1752, 0x1753 }, { 0x1772, 0x1773 },
	{ 0x17b4, 0x17b5 }, { 0x17b7, 0x17bd }, { 0x17c6, 0x17c6 }, { 0x17c9, 0x17d3 },
	{ 0x17dd, 0x17dd }, { 0x180b, 0x180d }, { 0x180f, 0x180f }, { 0x1885, 0x1886 },
	{ 0x18a9, 0x18a9 }, { 0x1920, 0x1922 }, { 0x1927, 0x1928 }, { 0x1932, 0x1932 },
	{ 0x1939, 0x193b }, { 0x1a17, 0x1a18 }, { 0x1a1b, 0x1a1b }, { 0x1a56, 0x1a56 },
	{ 0x1a58, 0x1a5e }, { 0x1a60, 0x1a60 }, { 0x1a62, 0x1a62 }, { 0x1a65, 0x1a6c },
	{ 0x1a73, 0x1a7c }, { 0x1a7f, 0x1a7f }, { 0x1ab0, 0x1ace }, { 0x1b00, 0x1b03 },
	{ 0x1b34, 0x1b34 }, { 0x1b36, 0x1b3a }, { 0x1b3c, 0x1b3c }, { 0x1b42, 0x1b42 },
	{ 0x1b6b, 0x1b73 }, { 0x1b80, 0x1b81 }, { 0x1ba2, 0x1ba5 }, { 0x1ba8, 0x1ba9 },
	{ 0x1bab, 0x1bad }, { 0x1be6, 0x1be6 }, { 0x1be8, 0x1be9 }, { 0x1bed, 0x1bed },
	{ 0x1bef, 0x1bf1 }, { 0x1c2c, 0x1c33 }, { 0x1c36, 0x1c37 }, { 0x1cd0, 0x1cd2 },
	{ 0x1cd4, 0x1ce0 }, { 0x1ce2, 0x1ce8 }, { 0x1ced, 0x1ced }, { 0x1cf4, 0x1cf4 },
	{ 0x1cf8, 0x1cf9 }, { 0x1dc0, 0x1dff }, { 0x200b, 0x200f }, { 0x2060, 0x2064 },
	{ 0x20d0, 0x20f0 }, { 0x2cef, 0x2cf1 }, { 0x2d7f, 0x2d7f }, { 0x2de0, 0x2dff },
	{ 0x302a, 0x302d }, { 0x3099, 0x309a }, { 0xa66f, 0xa672 }, { 0xa674, 0xa67d },
	{ 0xa69e, 0xa69f }, { 0xa6f0, 0xa6f1 }, { 0xa802, 0xa802 }, { 0xa806, 0xa806 },
	{ 0xa80b, 0xa80b }, { 0xa825, 0xa826 }, { 0xa82c, 0xa82c }, { 0xa8c4, 0xa8c5 },
	{ 0xa8e0, 0xa8f1 }, { 0xa8ff, 0xa8ff }, { 0xa926, 0xa92d }, { 0xa947, 0xa951 },
	{ 0xa980, 0xa982 }, { 0xa9b3, 0xa9b3 }, { 0xa9b6, 0xa9b9 }, { 0xa9bc, 0xa9bd },
	{ 0xa9e5, 0xa9e5 }, { 0xaa29, 0xaa2e }, { 0xaa31, 0xaa32 }, { 0xaa35, 0xaa36 },
	{ 0xaa43, 0xaa43 }, { 0xaa4c, 0xaa4c }, { 0xaa7c, 0xaa7c }, { 0xaab0, 0xaab0 },
	{ 0xaab2, 0xaab4 }, { 0xaab7, 0xaab8 }, { 0xaabe, 0xaabf }, { 0xaac1, 0xaac1 },
	{ 0xaaec, 0xaaed }, { 0xaaf6, 0xaaf6 }, { 0xabe5, 0xabe5 }, { 0xabe8, 0xabe8 },
	{ 0xabed, 0xabed }, { 0xfb1e, 0xfb1e }, { 0xfe00, 0xfe0f }, { 0xfe20, 0xfe2f },
	{ 0xfeff, 0xfeff }, { 0x101fd, 0x101fd }, { 0x102e0, 0x102e0 },
	{ 0x10376, 0x1037a }, { 0x10a01, 0x10a03 }, { 0x10a05, 0x10a06 },
	{ 0x10a0c, 0x10a0f }, { 0x10a38, 0x10a3a }, { 0x10a3f, 0x10a3f },
	{ 0x10ae5, 0x10ae6 }, { 0x10d24, 0x10d27 }, { 0x10eab, 0x10eac },
	{ 0x10f46, 0x10f50 }, { 0x10f82, 0x10f85 }, { 0x11001, 0x11001 },
	{ 0x11038, 0x11046 }, { 0x11070, 0x11070 }, { 0x11073, 0x11074 },
	{ 0x1107f, 0x11081 }, { 0x110b3, 0x110b6 }, { 0x110b9, 0x110ba },
	{ 0x110c2, 0x110c2 }, { 0x11100, 0x11102 }, { 0x11127, 0x1112b },
	{ 0x1112d, 0x11134 }, { 0x11173, 0x11173 }, { 0x11180, 0x11181 },
	{ 0x111b6, 0x111be }, { 0x111c9, 0x111cc }, { 0x111cf, 0x111cf },
	{ 0x1122f, 0x11231 }, { 0x11234, 0x11234 }, { 0x11236, 0x11237 },
	{ 0x1123e, 0x1123e }, { 0x112df, 0x112df }, { 0x112e3, 0x112ea },
	{ 0x11300, 0x11301 }, { 0x1133b, 0x1133c }, { 0x11340, 0x11340 },
	{ 0x11366, 0x1136c }, { 0x11370, 0x11374 }, { 0x11438, 0x1143f },
	{ 0x11442, 0x11444 }, { 0x11446, 0x11446 }, { 0x1145e, 0x1145e },
	{ 0x114b3, 0x114b8 }, { 0x114ba, 0x114ba }, { 0x114bf, 0x114c0 },
	{ 0x114c2, 0x114c3 }, { 0x115b2, 0x115b5 }, { 0x115bc, 0x115bd },
	{ 0x115bf, 0x115c0 }, { 0x115dc, 0x115dd }, { 0x11633, 0x1163a },
	{ 0x1163d, 0x1163d }, { 0x1163f, 0x11640 }, { 0x116ab, 0x116ab },
	{ 0x116ad, 0x116ad }, { 0x116b0, 0x116b5 }, { 0x116b7, 0x116b7 },
	{ 0x1171d, 0x1171f }, { 0x11722, 0x11725 }, { 0x11727, 0x1172b },
	{ 0x1182f, 0x11837 }, { 0x11839, 0x1183a }, { 0x1193b, 0x1193c },
	{ 0x1193e, 0x1193e }, { 0x11943, 0x11943 }, { 0x119d4, 0x119d7 },
	{ 0x119da, 0x119db }, { 0x119e0, 0x119e0 }, { 0x11a01, 0x11a0a },
	{ 0x11a33, 0x11a38 }, { 0x11a3b, 0x11a3e }, { 0x11a47, 0x11a47 },
	{ 0x11a51, 0x11a56 }, { 0x11a59, 0x11a5b }, { 0x11a8a, 0x11a96 },
	{ 0x11a98, 0x11a99 }, { 0x11c30, 0x11c36 }, { 0x11c38, 0x11c3d },
	{ 0x11c3f, 0x11c3f }, { 0x11c92, 0x11ca7 }, { 0x11caa, 0x11cb0 },
	{ 0x11cb2, 0x11cb3 }, { 0x11cb5, 0x11cb6 }, { 0x11d31, 0x11d36 },
	{ 0x11d3a, 0x11d3a }, { 0x11d3c, 0x11d3d }, { 0x11d3f, 0x11d45 },
	{ 0x11d47, 0x11d47 }, { 0x11d90, 0x11d91 }, { 0x11d95, 0x11d95 },
	{ 0x11d97, 0x11d97 }, { 0x11ef3, 0x11ef4 }, { 0x16af0, 0x16af4 },
	{ 0x16b30, 0x16b36 }, { 0x16f4f, 0x16f4f }, { 0x16f8f, 0x16f92 },
	{ 0x16fe4, 0x16fe4 }, { 0x1bc9d, 0x1bc9e }, { 0x1cf00, 0x1cf2d },
	{ 0x1cf30, 0x1cf46 }, { 0x1d167, 0x1d169 }, { 0x1d17b, 0x1d182 },
	{ 0x1d185, 0x1d18b }, { 0x1d1aa, 0x1d1ad }, { 0x1d242, 0x1d244 },
	{ 0x1da00, 0x1da36 }, { 0x1da3b, 0x1da6c }, { 0x1da75, 0x1da75 },
	{ 0x1da84, 0x1da84 }, { 0x1da9b, 0x1da9f }, { 0x1daa1, 0x1daaf },
	{ 0x1e000, 0x1e006 }, { 0x1e008, 0x1e018 }, { 0x1e01b, 0x1e021 },
	{ 0x1e023, 0x1e024 }, { 0x1e026, 0x1e02a }, { 0x1e130, 0x1e136 },
	{ 0x1e2ae, 0x1e2ae }, { 0x1e2ec, 0x1e2ef }, { 0x1e8d0, 0x1e8d6 },
	{ 0x1e944, 0x1e94a }, { 0xe0100, 0xe01ef },
};

static const struct out_range out_wide[] = {
	{ 0x1100, 0x115f }, { 0x231a, 0x231b }, { 0x2329, 0x232a }, { 0x23e9, 0x23ec },
	{ 0x23f0, 0x23f0 }, { 0x23f3, 0x23f3 }, { 0x25fd, 0x25fe }, { 0x2614, 0x2615 },
	{ 0x2648, 0x2653 }, { 0x267f, 0x267f }, { 0x2693, 0x2693 }, { 0x26a1, 0x26a1 },
	{ 0x26aa, 0x26ab }, { 0x26bd, 0x26be }, { 0x26c4, 0x26c5 }, { 0x26ce, 0x26ce },
	{ 0x26d4, 0x26d4 }, { 0x26ea, 0x26ea }, { 0x26f2, 0x26f3 }, { 0x26f5, 0x26f5 },
	{ 0x26fa, 0x26fa }, { 0x26fd, 0x26fd }, { 0x2705, 0x2705 }, { 0x270a, 0x270b },
	{ 0x2728, 0x2728 }, { 0x274c, 0x274c }, { 0x274e, 0x274e }, { 0x2753, 0x2755 },
	{ 0x2757, 0x2757 }, { 0x2795, 0x2797 }, { 0x27b0, 0x27b0 }, { 0x27bf, 0x27bf },
	{ 0x2b1b, 0x2b1c }, { 0x2b50, 0x2b50 }, { 0x2b55, 0x2b55 }, { 0x2e80, 0x2e99 },
	{ 0x2e9b, 0x2ef3 }, { 0x2f00, 0x2fd5 }, { 0x2ff0, 0x2ffb }, { 0x3000, 0x3029 },
	{ 0x302e, 0x303e }, { 0x3041, 0x3096 }, { 0x309b, 0x30ff }, { 0x3105, 0x312f },
	{ 0x3131, 0x318e }, { 0x3190, 0x31e3 }, { 0x31f0, 0x321e }, { 0x3220, 0x3247 },
	{ 0x3250, 0x4dbf }, { 0x4e00, 0xa48c }, { 0xa490, 0xa4c6 }, { 0xa960, 0xa97c },
	{ 0xac00, 0xd7a3 }, { 0xf900, 0xfa6d }, { 0xfa70, 0xfad9 }, { 0xfe10, 0xfe19 },
	{ 0xfe30, 0xfe52 }, { 0xfe54, 0xfe66 }, { 0xfe68, 0xfe6b }, { 0xff01, 0xff60 },
	{ 0xffe0, 0xffe6 }, { 0x16fe0, 0x16fe3 }, { 0x16ff0, 0x16ff1 },
	{ 0x17000, 0x187f7 }, { 0x18800, 0x18cd5 }, { 0x18d00, 0x18d08 },
	{ 0x1aff0, 0x1aff3 }, { 0x1aff5, 0x1affb }, { 0x1affd, 0x1affe },
	{ 0x1b000, 0x1b122 }, { 0x1b150, 0x1b152 }, { 0x1b164, 0x1b167 },
	{ 0x1b170, 0x1b2fb }, { 0x1f004, 0x1f004 }, { 0x1f0cf, 0x1f0cf },
	{ 0x1f18e, 0x1f18e }, { 0x1f191, 0x1f19a }, { 0x1f200, 0x1f202 },
	{ 0x1f210, 0x1f23b }, { 0x1f240, 0x1f248 }, { 0x1f250, 0x1f251 },
	{ 0x1f260, 0x1f265 }, { 0x1f300, 0x1f320 }, { 0x1f32d, 0x1f335 },
	{ 0x1f337, 0x1f37c }, { 0x1f37e, 0x1f393 }, { 0x1f3a0, 0x1f3ca },
	{ 0x1f3cf, 0x1f3d3 }, { 0x1f3e0, 0x1f3f0 }, { 0x1f3f4, 0x1f3f4 },
	{ 0x1f3f8, 0x1f43e }, { 0x1f440, 0x1f440 }, { 0x1f442, 0x1f4fc },
	{ 0x1f4ff, 0x1f53d }, { 0x1f54b, 0x1f54e }, { 0x1f550, 0x1f567 },
	{ 0x1f57a, 0x1f57a }, { 0x1f595, 0x1f596 }, { 0x1f5a4, 0x1f5a4 },
	{ 0x1f5fb, 0x1f64f }, { 0x1f680, 0x1f6c5 }, { 0x1f6cc, 0x1f6cc },
	{ 0x1f6d0, 0x1f6d2 }, { 0x1f6d5, 0x1f6d7 }, { 0x1f6dd, 0x1f6df },
	{ 0x1f6eb, 0x1f6ec }, { 0x1f6f4, 0x1f6fc }, { 0x1f7e0, 0x1f7eb },
	{ 0x1f7f0, 0x1f7f0 }, { 0x1f90c, 0x1f93a }, { 0x1f93c, 0x1f945 },
	{ 0x1f947, 0x1f9ff }, { 0x1fa70, 0x1fa74 }, { 0x1fa78, 0x1fa7c },
	{ 0x1fa80, 0x1fa86 }, { 0x1fa90, 0x1faac }, { 0x1fab0, 0x1faba },
	{ 0x1fac0, 0x1fac5 }, { 0x1fad0, 0x1fad9 }, { 0x1fae0, 0x1fae7 },
	{ 0x1faf0, 0x1faf6 }, { 0x20000, 0x2fffd }, { 0x30000, 0x3fffd },
};
/* clang-format on */

#define REPLACEMENT "\xef\xbf\xbd" /* U+FFFD, for what cannot be shown */
#define ELLIPSIS "\xe2\x80\xa6"    /* U+2026, ending a cut cell */

/* The narrowest a text column is cut to when a table must fit a terminal. */
#define OUT_FIT_MIN 8

struct out_col {
	enum out_align align;
	size_t max;   /* cap in columns, 0 for none */
	size_t width; /* widest header or cell as printed, kept current */
};

struct out_table {
	size_t ncols;
	char **headers;       /* ncols cleaned copies */
	struct out_col *cols; /* ncols */
	char ***rows;         /* nrows arrays of ncols cleaned copies */
	size_t nrows, cap;
};

struct out_json_frame {
	char close; /* '}' or ']' */
	size_t n;   /* members written so far */
};

struct out_json {
	FILE *f;
	size_t depth;   /* open containers */
	size_t skipped; /* containers opened beyond OUT_JSON_DEPTH, all ignored */
	size_t top;     /* values written at top level */
	struct out_json_frame open[OUT_JSON_DEPTH];
};

/*
 * Decodes the UTF-8 character at str into *cp and returns its length in bytes, or 0
 * when str does not start a valid shortest-form character: a stray continuation byte,
 * a truncated sequence, an overlong form, a surrogate or a value past U+10FFFF.
 * Never reads past a NUL, which is no continuation byte.
 */
static size_t
utf8_decode(const char *str, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned char lo = 0x80, hi = 0xbf;
	uint32_t c;
	size_t n;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		c = s[0] & 0x0f;
		if (s[0] == 0xe0)
			lo = 0xa0;
		else if (s[0] == 0xed)
			hi = 0x9f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		c = s[0] & 0x07;
		if (s[0] == 0xf0)
			lo = 0x90;
		else if (s[0] == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	if (s[1] < lo || s[1] > hi)
		return 0;
	c = c << 6 | (s[1] & 0x3f);
	for (size_t i = 2; i < n; i++) {
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	*cp = c;
	return n;
}

static int
in_ranges(uint32_t cp, const struct out_range *r, size_t n)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cp < r[mid].lo)
			hi = mid;
		else if (cp > r[mid].hi)
			lo = mid + 1;
		else
			return 1;
	}
	return 0;
}

static size_t
char_width(uint32_t cp)
{
	if (cp < out_zero[0].lo)
		return 1;
	if (in_ranges(cp, out_zero, sizeof(out_zero) / sizeof(out_zero[0])))
		return 0;
	if (in_ranges(cp, out_wide, sizeof(out_wide) / sizeof(out_wide[0])))
		return 2;
	return 1;
}

/* Steps over one character or invalid byte at s, which must not be at its NUL. */
static size_t
next_char(const char *s, size_t *width)
{
	uint32_t cp;
	size_t n = utf8_decode(s, &cp);

	if (n == 0) {
		*width = 1;
		return 1;
	}
	*width = char_width(cp);
	return n;
}

size_t
out_width(const char *s)
{
	size_t w = 0, cw;

	if (s == NULL)
		return 0;
	while (*s != '\0') {
		s += next_char(s, &cw);
		w += cw;
	}
	return w;
}

/*
 * Copies s into d (when d is not NULL) made safe for a terminal: tab, newline and
 * carriage return become a space, other control characters and invalid bytes U+FFFD.
 * Returns the length of the copy, its NUL not counted.
 */
static size_t
clean(const char *s, char *d)
{
	size_t len = 0, n, m;
	const char *put;
	uint32_t cp;

	for (; *s != '\0'; s += n) {
		n = utf8_decode(s, &cp);
		put = s;
		m = n;
		if (n == 0) {
			n = 1;
			put = REPLACEMENT;
			m = 3;
		} else if (cp == '\t' || cp == '\n' || cp == '\r') {
			put = " ";
			m = 1;
		} else if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) {
			put = REPLACEMENT;
			m = 3;
		}
		if (d != NULL)
			memcpy(d + len, put, m);
		len += m;
	}
	if (d != NULL)
		d[len] = '\0';
	return len;
}

static char *
clean_dup(const char *s)
{
	char *d;

	if (s == NULL)
		s = "";
	if ((d = malloc(clean(s, NULL) + 1)) != NULL)
		clean(s, d);
	return d;
}

/*
 * How s shows in at most max columns (0: no cap): its first *len bytes, followed by
 * an ellipsis when *cut, *width columns in all.
 */
static void
fit(const char *s, size_t max, size_t *len, int *cut, size_t *width)
{
	const char *p = s;
	size_t used = 0, cw, n;

	*len = strlen(s);
	*cut = 0;
	*width = out_width(s);
	if (max == 0 || *width <= max)
		return;
	while (*p != '\0') {
		n = next_char(p, &cw);
		if (used + cw > max - 1)
			break;
		used += cw;
		p += n;
	}
	*len = (size_t)(p - s);
	*cut = 1;
	*width = used + 1;
}

static size_t
fit_width(const char *s, size_t max)
{
	size_t len, width;
	int cut;

	fit(s, max, &len, &cut, &width);
	return width;
}

static void
cells_free(char **cells, size_t n)
{
	if (cells == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		free(cells[i]);
	free(cells);
}

/* Clean copies of n cells, or NULL when out of memory. */
static char **
cells_dup(const char *const cells[], size_t n)
{
	char **d;

	if ((d = calloc(n, sizeof(*d))) == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if ((d[i] = clean_dup(cells != NULL ? cells[i] : NULL)) == NULL) {
			cells_free(d, n);
			return NULL;
		}
	}
	return d;
}

struct out_table *
out_table_new(size_t ncols, const char *const headers[])
{
	struct out_table *t;

	if (ncols == 0 || (t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->ncols = ncols;
	if ((t->cols = calloc(ncols, sizeof(*t->cols))) == NULL ||
	    (t->headers = cells_dup(headers, ncols)) == NULL) {
		out_table_free(t);
		return NULL;
	}
	for (size_t c = 0; c < ncols; c++) {
		t->cols[c].align = OUT_LEFT;
		t->cols[c].width = out_width(t->headers[c]);
	}
	return t;
}

void
out_table_align(struct out_table *t, size_t col, enum out_align a)
{
	if (t != NULL && col < t->ncols)
		t->cols[col].align = a;
}

void
out_table_max_width(struct out_table *t, size_t col, size_t max_width)
{
	struct out_col *c;

	if (t == NULL || col >= t->ncols)
		return;
	c = &t->cols[col];
	c->max = max_width;
	c->width = fit_width(t->headers[col], c->max);
	for (size_t r = 0; r < t->nrows; r++) {
		size_t w = fit_width(t->rows[r][col], c->max);

		if (w > c->width)
			c->width = w;
	}
}

int
out_table_row(struct out_table *t, const char *const cells[])
{
	char **row;

	if (t == NULL)
		return JX_EINTERNAL;
	if (t->nrows == t->cap) {
		size_t cap = t->cap > 0 ? t->cap * 2 : 16;
		char ***rows;

		if (cap > SIZE_MAX / sizeof(*rows) ||
		    (rows = realloc(t->rows, cap * sizeof(*rows))) == NULL)
			return JX_EINTERNAL;
		t->rows = rows;
		t->cap = cap;
	}
	if ((row = cells_dup(cells, t->ncols)) == NULL)
		return JX_EINTERNAL;
	for (size_t c = 0; c < t->ncols; c++) {
		size_t w = fit_width(row[c], t->cols[c].max);

		if (w > t->cols[c].width)
			t->cols[c].width = w;
	}
	t->rows[t->nrows++] = row;
	return JX_OK;
}

size_t
out_table_nrows(const struct out_table *t)
{
	return t != NULL ? t->nrows : 0;
}

/*
 * A line being printed. Spaces are held back until something else follows them, so
 * a line never ends in spaces.
 */
struct line {
	FILE *f;
	size_t pending;
};

static void
line_put(struct line *l, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == ' ') {
			l->pending++;
			continue;
		}
		for (; l->pending > 0; l->pending--)
			putc(' ', l->f);
		putc(s[i], l->f);
	}
}

static void
print_cells(const struct out_table *t, const struct out_col *cols, FILE *f,
    char *const cells[])
{
	struct line l = { f, 0 };

	for (size_t c = 0; c < t->ncols; c++) {
		const struct out_col *col = &cols[c];
		size_t len, width;
		int cut;

		fit(cells[c], col->max, &len, &cut, &width);
		if (c > 0)
			l.pending += 2;
		if (col->align == OUT_RIGHT)
			l.pending += col->width - width;
		line_put(&l, cells[c], len);
		if (cut)
			line_put(&l, ELLIPSIS, strlen(ELLIPSIS));
		if (col->align == OUT_LEFT)
			l.pending += col->width - width;
	}
	putc('\n', f);
}

/* The terminal's width when f is one ($COLUMNS first, then the tty's), else 0. */
static size_t
out_terminal_width(FILE *f)
{
	const char *env = getenv("COLUMNS");
	struct winsize ws;
	char *end;
	long n;

	if (!isatty(fileno(f)))
		return 0;
	if (env != NULL && env[0] != '\0') {
		n = strtol(env, &end, 10);
		if (*end == '\0' && n > 0 && n < 100000)
			return (size_t)n;
	}
	if (ioctl(fileno(f), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 0;
}

/*
 * Narrows the widest text (left-aligned) columns of cols until the table fits width
 * columns, none below OUT_FIT_MIN; cut cells end in "…". Numbers are never cut.
 */
static void
out_fit(const struct out_table *t, struct out_col *cols, size_t width)
{
	size_t total = 2 * (t->ncols - 1);

	for (size_t c = 0; c < t->ncols; c++)
		total += cols[c].width;
	while (total > width) {
		size_t widest = t->ncols, cut;
		for (size_t c = 0; c < t->ncols; c++)
			if (cols[c].align == OUT_LEFT && cols[c].width > OUT_FIT_MIN &&
			    (widest == t->ncols || cols[c].width > cols[widest].width))
				widest = c;
		if (widest == t->ncols)
			break;
		cut = total - width;
		if (cut > cols[widest].width - OUT_FIT_MIN)
			cut = cols[widest].width - OUT_FIT_MIN;
		cols[widest].width -= cut;
		cols[widest].max = cols[widest].width;
		total -= cut;
	}
}

void
out_table_print(const struct out_table *t, FILE *f)
{
	struct line l = { f, 0 };
	struct out_col *cols;
	size_t width;

	if (t == NULL)
		return;
	/* On a terminal, a copy of the columns narrowed to fit it; piped, as they are. */
	if ((cols = malloc(t->ncols * sizeof(*cols))) == NULL)
		return;
	memcpy(cols, t->cols, t->ncols * sizeof(*cols));
	if ((width = out_terminal_width(f)) > 0)
		out_fit(t, cols, width);
	print_cells(t, cols, f, t->headers);
	for (size_t c = 0; c < t->ncols; c++) {
		if (c > 0)
			l.pending += 2;
		for (size_t i = 0; i < cols[c].width; i++)
			line_put(&l, "-", 1);
	}
	putc('\n', f);
	for (size_t r = 0; r < t->nrows; r++)
		print_cells(t, cols, f, t->rows[r]);
	free(cols);
}

void
out_table_free(struct out_table *t)
{
	if (t == NULL)
		return;
	for (size_t r = 0; r < t->nrows; r++)
		cells_free(t->rows[r], t->ncols);
	free(t->rows);
	cells_free(t->headers, t->ncols);
	free(t->cols);
	free(t);
}

static void
json_quote(FILE *f, const char *s)
{
	size_t n;
	uint32_t cp;

	putc('"', f);
	for (; *s != '\0'; s += n) {
		if ((n = utf8_decode(s, &cp)) == 0) {
			fputs(REPLACEMENT, f);
			n = 1;
			continue;
		}
		switch (cp) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\b':
			fputs("\\b", f);
			break;
		case '\f':
			fputs("\\f", f);
			break;
		default:
			if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
				fprintf(f, "\\u%04x", (unsigned)cp);
			else
				fwrite(s, 1, n, f);
		}
	}
	putc('"', f);
}

static void
json_indent(struct out_json *j)
{
	putc('\n', j->f);
	for (size_t i = 0; i < j->depth; i++)
		fputs("  ", j->f);
}

/*
 * Starts a value: the separator, the line break and indent, and the key when inside
 * an object. Returns 0 when the value is to be ignored.
 */
static int
json_member(struct out_json *j, const char *key)
{
	struct out_json_frame *fr;

	if (j == NULL || j->skipped > 0)
		return 0;
	if (j->depth == 0) {
		if (j->top++ > 0)
			putc('\n', j->f);
		return 1;
	}
	fr = &j->open[j->depth - 1];
	if (fr->n++ > 0)
		putc(',', j->f);
	json_indent(j);
	if (fr->close == '}') {
		json_quote(j->f, key != NULL ? key : "");
		fputs(": ", j->f);
	}
	return 1;
}

static void
json_open(struct out_json *j, const char *key, char open, char close)
{
	if (j == NULL)
		return;
	if (j->skipped > 0 || j->depth == OUT_JSON_DEPTH) {
		j->skipped++;
		return;
	}
	json_member(j, key);
	putc(open, j->f);
	j->open[j->depth].close = close;
	j->open[j->depth].n = 0;
	j->depth++;
}

struct out_json *
out_json_new(FILE *f)
{
	struct out_json *j;

	if (f == NULL || (j = calloc(1, sizeof(*j))) == NULL)
		return NULL;
	j->f = f;
	return j;
}

void
out_json_object(struct out_json *j, const char *key)
{
	json_open(j, key, '{', '}');
}

void
out_json_array(struct out_json *j, const char *key)
{
	json_open(j, key, '[', ']');
}

void
out_json_end(struct out_json *j)
{
	struct out_json_frame *fr;

	if (j == NULL)
		return;
	if (j->skipped > 0) {
		j->skipped--;
		return;
	}
	if (j->depth == 0)
		return;
	fr = &j->open[--j->depth];
	if (fr->n > 0)
		json_indent(j);
	putc(fr->close, j->f);
}

void
out_json_string(struct out_json *j, const char *key, const char *v)
{
	if (!json_member(j, key))
		return;
	if (v != NULL)
		json_quote(j->f, v);
	else
		fputs("null", j->f);
}

void
out_json_int(struct out_json *j, const char *key, int64_t v)
{
	if (json_member(j, key))
		fprintf(j->f, "%" PRId64, v);
}

void
out_json_uint(struct out_json *j, const char *key, uint64_t v)
{
	if (json_member(j, key))
		fprintf(j->f, "%" PRIu64, v);
}

void
out_json_bool(struct out_json *j, const char *key, int v)
{
	if (json_member(j, key))
		fputs(v ? "true" : "false", j->f);
}

void
out_json_null(struct out_json *j, const char *key)
{
	if (json_member(j, key))
		fputs("null", j->f);
}

void
out_json_hundredths(struct out_json *j, const char *key, int64_t v)
{
	char buf[DEC_BUFSZ];

	if (json_member(j, key))
		fputs(dec_format_short(v, buf), j->f);
}

void
out_json_free(struct out_json *j)
{
	if (j == NULL)
		return;
	while (j->skipped > 0 || j->depth > 0)
		out_json_end(j);
	if (j->top > 0)
		putc('\n', j->f);
	free(j);
}
