#include "target.h"

#include <string.h>

#include "decimal.h"
#include "err.h"

/* Values found in one text; more than this and the text is flagged. */
#define TARGET_CANDS 32

/* Comparator codes beside enum target_cmp. */
#define CMP_NONE (-1)	/* a bare number */
#define CMP_REL (-2)	/* 提高 50%, 约 3 个, 5 个左右: relative or approximate */

struct word {
	const char *s;
	int cmp;
};

/* Words before a number; longest match wins, so 不少于 beats 少于. */
static const struct word target_prefixes[] = {
	{ "≥", TARGET_GE }, { ">=", TARGET_GE }, { "≮", TARGET_GE },
	{ "大于等于", TARGET_GE }, { "大于或等于", TARGET_GE }, { "不少于", TARGET_GE },
	{ "不低于", TARGET_GE }, { "不小于", TARGET_GE }, { "至少", TARGET_GE },
	{ "最少", TARGET_GE }, { "最低", TARGET_GE },
	{ "提高到", TARGET_GE }, { "提高至", TARGET_GE }, { "提升到", TARGET_GE },
	{ "提升至", TARGET_GE }, { "增加到", TARGET_GE }, { "增加至", TARGET_GE },
	{ "增长到", TARGET_GE }, { "增长至", TARGET_GE }, { "增至", TARGET_GE },
	{ "上升到", TARGET_GE }, { "上升至", TARGET_GE },
	{ "≤", TARGET_LE }, { "<=", TARGET_LE }, { "≯", TARGET_LE },
	{ "小于等于", TARGET_LE }, { "小于或等于", TARGET_LE }, { "不超过", TARGET_LE },
	{ "不高于", TARGET_LE }, { "不大于", TARGET_LE }, { "不多于", TARGET_LE },
	{ "至多", TARGET_LE }, { "最多", TARGET_LE }, { "最高", TARGET_LE },
	{ "控制在", TARGET_LE }, { "降低到", TARGET_LE }, { "降低至", TARGET_LE },
	{ "降到", TARGET_LE }, { "降至", TARGET_LE }, { "减少到", TARGET_LE },
	{ "减少至", TARGET_LE }, { "下降到", TARGET_LE }, { "下降至", TARGET_LE },
	{ "缩短到", TARGET_LE }, { "缩短至", TARGET_LE }, { "压缩到", TARGET_LE },
	{ "压缩至", TARGET_LE },
	{ ">", TARGET_GT }, { "大于", TARGET_GT }, { "高于", TARGET_GT },
	{ "超过", TARGET_GT }, { "超出", TARGET_GT }, { "多于", TARGET_GT },
	{ "<", TARGET_LT }, { "小于", TARGET_LT }, { "低于", TARGET_LT },
	{ "少于", TARGET_LT }, { "不足", TARGET_LT }, { "不到", TARGET_LT },
	{ "=", TARGET_EQ }, { "为", TARGET_EQ }, { "等于", TARGET_EQ },
	{ "达到", TARGET_EQ }, { "达", TARGET_EQ },
	{ "提高", CMP_REL }, { "提升", CMP_REL }, { "增加", CMP_REL }, { "增长", CMP_REL },
	{ "上升", CMP_REL }, { "降低", CMP_REL }, { "减少", CMP_REL }, { "下降", CMP_REL },
	{ "缩短", CMP_REL }, { "压缩", CMP_REL }, { "约", CMP_REL }, { "大约", CMP_REL },
	{ "≈", CMP_REL },
};

/* Words after a number and its unit. */
static const struct word target_suffixes[] = {
	{ "以上", TARGET_GE }, { "及以上", TARGET_GE }, { "或以上", TARGET_GE },
	{ "以下", TARGET_LE }, { "及以下", TARGET_LE }, { "或以下", TARGET_LE },
	{ "以内", TARGET_LE }, { "之内", TARGET_LE },
	{ "左右", CMP_REL },
};

/* Units, longest match wins; 万元 and 百分点 are units, not magnitudes. */
static const char *const target_units[] = {
	"%", "‰", "个百分点", "百分点", "个工作日", "工作日", "个自然日", "自然日",
	"个月", "个小时", "小时", "分钟", "毫秒", "秒", "天", "日", "周", "月", "年",
	"季度", "人次", "户次", "件次", "万元", "亿元", "元", "个", "件", "次", "份", "项",
	"条", "人", "通", "分", "起", "宗次", "台", "套", "家", "户", "名", "篇", "期", "场", "批", "所",
	"座", "处", "张", "本", "册", "部", "类", "种", "宗", "笔", "门", "位", "轮", "倍",
	"页", "辆", "间", "课时", "学时", "平方米", "米", "公里", "千米", "千克", "公斤",
	"吨",
};

/* Units of time: after them a bare 内 means "within" (5个工作日内, 4小时内). */
static const char *const target_timeunits[] = {
	"个工作日", "工作日", "个自然日", "自然日", "个月", "个小时", "小时", "分钟", "毫秒",
	"秒", "天", "日", "周", "月", "年", "季度",
};

/* What 零 / 无 may deny (零事故, 无重大安全事故): the events a zero-count target counts. */
static const char *const target_events[] = {
	"事故", "投诉", "差错", "失误", "伤亡", "死亡", "超时", "故障", "违规", "违纪", "违法",
	"事件", "泄露", "泄漏", "丢失", "逾期", "延误", "宕机", "漏洞", "中断", "瘫痪", "案件",
	"纠纷", "复议", "诉讼", "错误", "问题",
};

/* Words a zero-count target may begin with before 零 / 无: 实现零投诉, 全年无事故. */
static const char *const target_zero_leads[] = {
	"实现", "确保", "保证", "做到", "全年", "年度内", "年内", "力争",
};

/* Words that deny an event: 零事故, 无事故, 未发生事故, 不发生事故, 杜绝事故. */
static const char *const target_zero_marks[] = {
	"零", "无", "未发生", "不发生", "没有", "杜绝", "未出现", "不出现",
};

/* Targets relative to last year need its actual: 较上年提高, 不低于上年水平, 同比增长. */
static const char *const target_relwords[] = {
	"上年", "去年", "上一年", "同比", "同期", "往年", "上年度", "历年",
};

static const struct {
	const char *s;
	int exp;
} target_mags[] = {
	{ "百", 2 }, { "千", 3 }, { "万", 4 }, { "亿", 8 },
};

/* Clause separators; 、 is not one, it joins words inside a label. */
static const char *const target_seps[] = { "，", ",", "；", ";", "。" };

/* Trimmed from both ends of labels and tails, with spaces and separators. */
static const char *const target_edges[] = { "、", "：", ":", ".", "！", "!", "？", "?" };

/* After a day or month number, a date: 12月底, 6月前. */
static const char *const target_datewords[] = {
	"底", "末", "初", "之前", "前", "份", "中旬", "上旬", "下旬",
};

/* Joining words at the start of a later clause's label. */
static const struct {
	const char *s;
	int any;
} target_conjs[] = {
	{ "或者", 1 }, { "或是", 1 }, { "或", 1 },
	{ "并且", 0 }, { "而且", 0 }, { "且", 0 }, { "以及", 0 }, { "和", 0 },
};

/* Characters that must not survive in a label or tail. */
static const char *const target_cmpchars[] = { "≥", "≤", "<", ">", "=" };

struct cand {
	size_t start, end;	/* the whole value: comparators, number, unit */
	size_t unit, unitlen;
	int seg;		/* which separator-delimited segment */
	int cmp;		/* enum target_cmp, CMP_NONE or CMP_REL */
	int bad;		/* not exact in hundredths, too large, or contradictory */
	int64_t value;
};

struct parser {
	char s[TARGET_TEXT_MAX + 1];	/* the normalised text */
	size_t n;
	struct cand c[TARGET_CANDS];
	size_t nc;
	size_t numbers;			/* numbers seen: a refused 1,16 is two */
	int overflow;			/* more values than TARGET_CANDS */
	size_t date_end;		/* where the last date ended, (size_t)-1 for none */
	size_t value_end;		/* where the last value ended */
	int round;			/* values beyond hundredths are rounded, not flagged */
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static int
target_isdigit(int c)
{
	return c >= '0' && c <= '9';
}

static int
target_isalpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Length of the UTF-8 character starting with byte c, in text known to be valid. */
static size_t
target_clen(unsigned char c)
{
	if (c < 0x80)
		return 1;
	if (c < 0xe0)
		return 2;
	if (c < 0xf0)
		return 3;
	return 4;
}

/*
 * Decodes the UTF-8 sequence at s, at most n bytes: its length, or 0 when it is not
 * valid (stray continuation, truncated, overlong, surrogate, beyond U+10FFFF).
 */
static size_t
target_utf8(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c, min;
	size_t len, i;

	if (n == 0)
		return 0;
	c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if ((c & 0xe0) == 0xc0) {
		len = 2, c &= 0x1f, min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		len = 3, c &= 0x0f, min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		len = 4, c &= 0x07, min = 0x10000;
	} else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* Copies src[0..len) into dst of size cap, cut at a character boundary. */
static void
target_copy(char *dst, size_t cap, const char *src, size_t len)
{
	if (len > cap - 1) {
		len = cap - 1;
		while (len > 0 && ((unsigned char)src[len] & 0xc0) == 0x80)
			len--;
	}
	memcpy(dst, src, len);
	dst[len] = '\0';
}

static int
target_isspace(const char *s, size_t n, size_t *len)
{
	if (n >= 1 && (s[0] == ' ' || (s[0] >= '\t' && s[0] <= '\r'))) {
		*len = 1;
		return 1;
	}
	if (n >= 3 && memcmp(s, "\xe3\x80\x80", 3) == 0) {	/* U+3000 */
		*len = 3;
		return 1;
	}
	return 0;
}

/* Length of the whitespace character ending at b, not before a; 0 for none. */
static size_t
target_space_before(const char *s, size_t a, size_t b)
{
	if (b > a && (s[b - 1] == ' ' || (s[b - 1] >= '\t' && s[b - 1] <= '\r')))
		return 1;
	if (b - a >= 3 && memcmp(s + b - 3, "\xe3\x80\x80", 3) == 0)
		return 3;
	return 0;
}

/*
 * Fills t->text: the input without surrounding whitespace, control characters shown
 * as spaces, invalid sequences as U+FFFD, cut to fit. Returns whether the input was
 * valid UTF-8.
 */
static int
target_display(struct target *t, const char *text, size_t n)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t a = 0, b = n, o = 0, k, l, w;
	uint32_t cp;
	int valid = 1, room = 1;

	while (a < b && target_isspace(text + a, b - a, &l))
		a += l;
	while ((l = target_space_before(text, a, b)) > 0)
		b -= l;
	for (k = a; k < b; k += l) {
		const char *rep = text + k;

		if ((l = target_utf8(s + k, b - k, &cp)) == 0) {
			valid = 0;
			l = 1;
			rep = "\xef\xbf\xbd";
		} else if (cp < 0x20 || cp == 0x7f)
			rep = " ";
		w = rep == text + k ? l : strlen(rep);
		if (room && o + w < sizeof(t->text)) {
			memcpy(t->text + o, rep, w);
			o += w;
		} else
			room = 0;
	}
	t->text[o] = '\0';
	return valid;
}

/*
 * Copies text into p->s with full-width digits, letters and ％．＞＜＝＋－／ folded to
 * ASCII, ≧ ⩾ to ≥, ≦ ⩽ to ≤, and every kind of space or control character to ' '.
 * The text is valid UTF-8 here and no folding lengthens it.
 */
static void
target_normalise(struct parser *p, const char *text, size_t n)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t k, l;
	uint32_t cp;

	p->n = 0;
	for (k = 0; k < n; k += l) {
		l = target_utf8(s + k, n - k, &cp);
		if (cp < 0x20 || cp == 0x7f || cp == 0xa0 || cp == 0x3000) {
			p->s[p->n++] = ' ';
		} else if (cp >= 0xff01 && cp <= 0xff5e &&
		    (target_isdigit((int)(cp - 0xfee0)) || target_isalpha((int)(cp - 0xfee0)) ||
		    strchr("%.<>=+-/", (int)(cp - 0xfee0)) != NULL)) {
			p->s[p->n++] = (char)(cp - 0xfee0);
		} else if (cp == 0x2267 || cp == 0x2a7e) {
			memcpy(p->s + p->n, "≥", 3);
			p->n += 3;
		} else if (cp == 0x2266 || cp == 0x2a7d) {
			memcpy(p->s + p->n, "≤", 3);
			p->n += 3;
		} else {
			memcpy(p->s + p->n, text + k, l);
			p->n += l;
		}
	}
	p->s[p->n] = '\0';
}

static size_t
target_match(const struct parser *p, size_t i, const char *w)
{
	size_t l = strlen(w);

	return l <= p->n - i && memcmp(p->s + i, w, l) == 0 ? l : 0;
}

/* Length of the longest word of tab at i, its comparator in *cmp; 0 for none. */
static size_t
target_word(const struct parser *p, size_t i, const struct word *tab, size_t ntab, int *cmp)
{
	size_t best = 0, l;

	for (size_t k = 0; k < ntab; k++)
		if ((l = target_match(p, i, tab[k].s)) > best) {
			best = l;
			*cmp = tab[k].cmp;
		}
	return best;
}

static size_t
target_oneof(const struct parser *p, size_t i, const char *const *tab, size_t ntab)
{
	size_t best = 0, l;

	for (size_t k = 0; k < ntab; k++)
		if ((l = target_match(p, i, tab[k])) > best)
			best = l;
	return best;
}

static size_t
target_sep(const struct parser *p, size_t i)
{
	return target_oneof(p, i, target_seps, NELEM(target_seps));
}

static size_t
target_skip(const struct parser *p, size_t i)
{
	while (i < p->n && p->s[i] == ' ')
		i++;
	return i;
}

/* A unit at i: one from the table or a run of letters, optionally "/" and another. */
static size_t
target_unit(const struct parser *p, size_t i)
{
	size_t l, m;

	if ((l = target_oneof(p, i, target_units, NELEM(target_units))) == 0)
		while (i + l < p->n && target_isalpha(p->s[i + l]))
			l++;
	if (l == 0)
		return 0;
	if (p->s[i + l] == '/') {
		m = target_oneof(p, i + l + 1, target_units, NELEM(target_units));
		if (m == 0)
			while (i + l + 1 + m < p->n && target_isalpha(p->s[i + l + 1 + m]))
				m++;
		if (m > 0)
			l += 1 + m;
	}
	return l < TARGET_UNIT_MAX ? l : 0;
}

/* Whether c's unit is u. */
static int
target_unit_is(const struct parser *p, const struct cand *c, const char *u)
{
	return c->unitlen == strlen(u) && memcmp(p->s + c->unit, u, c->unitlen) == 0;
}

/*
 * Sets c->value to mantissa m, with frac decimals, times 10^exp, in hundredths;
 * marks c bad when that is not a whole number of hundredths (unless round: then it is
 * rounded half up) or exceeds DEC_MAX.
 */
static void
target_scale(struct cand *c, int64_t m, int frac, int exp, int round)
{
	int e = exp + 2 - frac;

	for (; e > 0; e--) {
		if (m > DEC_MAX / 10) {
			c->bad = 1;
			return;
		}
		m *= 10;
	}
	if (e < 0) {
		int64_t div = 1;

		for (; e < 0; e++)
			div *= 10;	/* at most 10^18: m has at most 18 digits */
		if (m % div != 0 && !round) {
			c->bad = 1;
			return;
		}
		/* Half up: 386.7540 -> 386.75, 4.245 -> 4.25. */
		m = m / div + (m % div >= div - m % div ? 1 : 0);
	}
	if (m > DEC_MAX)
		c->bad = 1;
	c->value = m;
}

/* Whether a day of the month follows i: "30日", "5 号" (6月30日 is a date). */
static int
target_dayfollows(const struct parser *p, size_t i)
{
	size_t k = target_skip(p, i), d = 0;

	while (target_isdigit(p->s[k + d]))
		d++;
	if (d == 0 || d > 2)
		return 0;
	k = target_skip(p, k + d);
	return target_match(p, k, "日") > 0 || target_match(p, k, "号") > 0;
}

/*
 * Reads the value whose digits start at j, its prefix comparator (cmp) starting at
 * start, and records it unless it is a date or an ordinal. Returns where it ends.
 */
static size_t
target_value(struct parser *p, size_t start, size_t j, int cmp, int seg)
{
	struct cand c = { .start = start, .seg = seg, .cmp = cmp };
	int64_t m = 0;
	int digits = 0, frac = 0, exp = 0, mags = 0, sfx, toolong = 0, group = 0, grouped = 0;
	int commas = 0;
	size_t k = j, q, l;

	for (;;) {
		if (target_isdigit(p->s[k])) {
			if (digits >= 18)
				toolong = 1;
			else
				m = m * 10 + (p->s[k] - '0');
			digits++;
			group++;
			k++;
		} else if (p->s[k] == ',' && target_isdigit(p->s[k + 1])) {
			/*
			 * Thousands as spreadsheets write them: 1,164.43, 1,260,000. Any other
			 * comma between digits (1,16, 12,34,567) could be a list or a decimal
			 * comma: refuse to guess.
			 */
			if (group < 1 || group > 3 || (grouped && group != 3) ||
			    !target_isdigit(p->s[k + 2]) || !target_isdigit(p->s[k + 3]) ||
			    target_isdigit(p->s[k + 4]))
				c.bad = 1;
			grouped = 1;
			commas++;
			group = 0;
			k++;
		} else if (target_match(p, k, "，") > 0 && target_isdigit(p->s[k + 3]) &&
		    target_isdigit(p->s[k + 4]) && target_isdigit(p->s[k + 5]) &&
		    !target_isdigit(p->s[k + 6])) {
			/* 1，000: a full-width comma before three digits, list or thousands. */
			c.bad = 1;
			break;
		} else
			break;
	}
	if (grouped && group != 3)
		c.bad = 1;
	if (p->s[k] == '.' && target_isdigit(p->s[k + 1])) {
		for (k++; target_isdigit(p->s[k]); k++, frac++, digits++) {
			if (digits >= 18)
				toolong = 1;
			else
				m = m * 10 + (p->s[k] - '0');
		}
	}
	c.end = k;
	q = target_skip(p, k);
	if ((l = target_unit(p, q)) > 0) {
		c.unit = q, c.unitlen = l, c.end = q + l;
	} else {
		for (;;) {
			size_t t;

			if (target_unit(p, q) > 0)
				break;	/* 5万万元 is 5万 of 万元 */
			for (t = 0; t < NELEM(target_mags); t++)
				if ((l = target_match(p, q, target_mags[t].s)) > 0)
					break;
			if (t == NELEM(target_mags))
				break;
			exp += target_mags[t].exp;
			c.end = q + l;
			q = target_skip(p, c.end);
			mags++;
		}
		if (mags > 0 && (l = target_unit(p, q)) > 0)
			c.unit = q, c.unitlen = l, c.end = q + l;
	}

	/* Dates are prose: 2022年, 12月底, 2022年12月31日. */
	if (frac == 0 && mags == 0 && !toolong &&
	    ((target_unit_is(p, &c, "年") && m >= 1900 && m <= 2100) ||
	    ((target_unit_is(p, &c, "月") || target_unit_is(p, &c, "日") ||
	    target_unit_is(p, &c, "号")) && m <= 31 &&
	    ((p->date_end != (size_t)-1 && target_skip(p, p->date_end) == j) ||
	    (target_unit_is(p, &c, "月") && target_dayfollows(p, c.end)) ||
	    target_oneof(p, c.end, target_datewords, NELEM(target_datewords)) > 0)))) {
		p->date_end = c.end;
		return c.end;
	}
	/* Ordinals are prose: 第3期. */
	if (cmp == CMP_NONE && j >= 3 && memcmp(p->s + j - 3, "第", 3) == 0)
		return c.end;

	q = target_skip(p, c.end);
	/* 100%（含）以上: the bracket says the bound is included, which ≥ already says. */
	if ((l = target_match(p, q, "（含）")) > 0 || (l = target_match(p, q, "(含)")) > 0) {
		size_t r = target_skip(p, q + l);

		if (target_word(p, r, target_suffixes, NELEM(target_suffixes), &sfx) > 0)
			q = r;
	}
	l = target_word(p, q, target_suffixes, NELEM(target_suffixes), &sfx);
	/* 5个工作日内, 4小时内: a bare 内 after a unit of time is "within". */
	if (l == 0 && c.unitlen > 0 && target_match(p, q, "内") > 0 &&
	    target_oneof(p, c.unit, target_timeunits, NELEM(target_timeunits)) == c.unitlen) {
		l = strlen("内");
		sfx = TARGET_LE;
	}
	if (l > 0) {
		c.end = q + l;
		if (sfx == CMP_REL || c.cmp == CMP_REL)
			c.cmp = CMP_REL;
		else if (c.cmp == CMP_NONE || c.cmp == TARGET_EQ)
			c.cmp = sfx;
		else if (c.cmp != sfx)
			c.bad = 1;
	}
	if (toolong || mags > 2)
		c.bad = 1;
	else
		target_scale(&c, m, frac, exp, p->round);

	/*
	 * A comma the value was refused for may be a list's (4,4): its numbers count one
	 * each, as they do once a rendering has put a clause separator between them.
	 */
	p->numbers += c.bad && grouped ? (size_t)commas + 1 : 1;
	if (p->nc == TARGET_CANDS || p->numbers > TARGET_CANDS)
		p->overflow = 1;
	else
		p->c[p->nc++] = c;
	return c.end;
}

/* Length of "7×24"-style digits at i (a product, prose), or 0. */
static size_t
target_product(const struct parser *p, size_t i)
{
	size_t k = i, l;

	while (target_isdigit(p->s[k]))
		k++;
	if ((l = target_match(p, k, "×")) == 0 && p->s[k] != '*' && p->s[k] != 'x' &&
	    p->s[k] != 'X')
		return 0;
	if (l == 0)
		l = 1;
	if (!target_isdigit(p->s[k + l]))
		return 0;
	for (k += l; target_isdigit(p->s[k]); k++)
		;
	return k - i;
}

/* Finds every value in p->s, noting the segment (between separators) of each. */
static void
target_scan(struct parser *p)
{
	size_t i = 0, l, j;
	int seg = 0, insep = 0, cmp;

	while (i < p->n) {
		if ((l = target_sep(p, i)) > 0) {
			if (!insep)
				seg++;
			insep = 1;
			i += l;
			continue;
		}
		if (p->s[i] == ' ') {
			i++;
			continue;
		}
		insep = 0;
		if ((l = target_word(p, i, target_prefixes, NELEM(target_prefixes), &cmp)) > 0) {
			j = target_skip(p, i + l);
			if (target_isdigit(p->s[j])) {
				i = p->value_end = target_value(p, i, j, cmp, seg);
				continue;
			}
		}
		if (target_isdigit(p->s[i])) {
			if (i > 0 && i != p->value_end &&
			    (target_isalpha(p->s[i - 1]) || p->s[i - 1] == '_')) {
				/* Part of a name: IPv6, H5, v2.0; not 5Gbps1. */
				while (target_isdigit(p->s[i]) || target_isalpha(p->s[i]) ||
				    (p->s[i] == '.' && target_isdigit(p->s[i + 1])))
					i++;
			} else if ((l = target_product(p, i)) > 0)
				i += l;
			else
				i = p->value_end = target_value(p, i, i, CMP_NONE, seg);
			continue;
		}
		i += target_clen((unsigned char)p->s[i]);
	}
}

/*
 * Picks the values that make clauses: in a segment holding a comparator, numbers
 * without one are part of the prose ("2022年访问量不少于100万次" has one value).
 * A segment of several bare numbers is ambiguous. Returns the count, -1 to flag.
 */
static int
target_pick(const struct parser *p, size_t *v)
{
	size_t nv = 0, a, b, k;
	int hascmp, bare;

	if (p->overflow)
		return -1;
	for (a = 0; a < p->nc; a = b) {
		hascmp = bare = 0;
		for (b = a; b < p->nc && p->c[b].seg == p->c[a].seg; b++) {
			if (p->c[b].cmp == CMP_NONE)
				bare++;
			else
				hascmp++;
		}
		if (hascmp == 0 && bare > 1)
			return -1;
		for (k = a; k < b; k++) {
			if (hascmp > 0 && p->c[k].cmp == CMP_NONE)
				continue;
			if (p->c[k].cmp == CMP_REL || p->c[k].bad || nv == TARGET_MAX_CLAUSES)
				return -1;
			v[nv++] = k;
		}
	}
	return (int)nv;
}

/*
 * Narrows [*a, *b) past spaces, separators and stray punctuation at both ends;
 * at the start only past spaces and separators unless edges is set, so that a
 * tail keeps the 、 that kept it apart from its value.
 */
static void
target_trim(const struct parser *p, size_t *a, size_t *b, int edges)
{
	size_t l;

	for (;;) {
		if (p->s[*a] == ' ')
			l = 1;
		else if ((l = target_sep(p, *a)) == 0 && edges)
			l = target_oneof(p, *a, target_edges, NELEM(target_edges));
		if (l == 0 || *a + l > *b)
			break;
		*a += l;
	}
	while (*b > *a) {
		size_t c = *b - 1;

		while (c > *a && ((unsigned char)p->s[c] & 0xc0) == 0x80)
			c--;
		if (p->s[c] != ' ' && target_sep(p, c) != *b - c &&
		    target_oneof(p, c, target_edges, NELEM(target_edges)) != *b - c)
			break;
		*b = c;
	}
}

/*
 * Counts the runs of separators (and spaces between them) in [a, b); *rs and *re
 * delimit the first run.
 */
/*
 * Trims [a, b) as target_trim does and cuts it to fit a buffer of cap bytes: a cut ends at
 * a character and is trimmed again, so what is stored is trimmed and renders back to it.
 */
static void
target_fit(const struct parser *p, size_t *a, size_t *b, size_t cap, int edges)
{
	if (*b - *a <= cap - 1)
		return;
	*b = *a + cap - 1;
	while (*b > *a && ((unsigned char)p->s[*b] & 0xc0) == 0x80)
		(*b)--;
	target_trim(p, a, b, edges);
}

static int
target_runs(const struct parser *p, size_t a, size_t b, size_t *rs, size_t *re)
{
	int runs = 0, insep = 0;
	size_t i = a, l;

	while (i < b) {
		if ((l = target_sep(p, i)) > 0) {
			if (!insep && runs++ == 0)
				*rs = i;
			if (runs == 1)
				*re = i + l;
			insep = 1;
			i += l;
		} else if (p->s[i] == ' ') {
			i++;
		} else {
			insep = 0;
			i += target_clen((unsigned char)p->s[i]);
		}
	}
	return runs;
}

static int
target_has_cmpchar(const struct parser *p, size_t a, size_t b)
{
	for (size_t i = a; i < b; i++)
		if (target_oneof(p, i, target_cmpchars, NELEM(target_cmpchars)) > 0)
			return 1;
	return 0;
}

/* Strips 或, 且 and the like from the start of label [*a, *b); whether one was 或. */
static int
target_conj(const struct parser *p, size_t *a, size_t *b)
{
	size_t t, l = 0;
	int any = 0;

	for (;;) {
		for (t = 0; t < NELEM(target_conjs); t++)
			if ((l = target_match(p, *a, target_conjs[t].s)) > 0 && *a + l <= *b)
				break;
		if (t == NELEM(target_conjs))
			return any;
		any |= target_conjs[t].any;
		*a += l;
		target_trim(p, a, b, 1);
	}
}

/* Fills out's clauses from the chosen values. Returns 0, or -1 to flag. */
static int
target_build(const struct parser *p, const size_t *v, int nv, struct target *out)
{
	size_t la, lb, ta, tb, rs = 0, re = 0;
	int nany = 0, runs;

	for (int k = 0; k <= nv; k++) {
		size_t a = k == 0 ? 0 : p->c[v[k - 1]].end;
		size_t b = k == nv ? p->n : p->c[v[k]].start;

		/* The prose in [a, b): the tail of clause k - 1, the label of clause k. */
		runs = target_runs(p, a, b, &rs, &re);
		ta = tb = a;
		la = lb = b;
		if (k == 0)
			la = a;
		else if (k == nv)
			tb = b;
		else if (runs == 0)
			la = a;
		else if (runs == 1)
			tb = rs, la = re;
		else
			return -1;	/* a clause without a value between two */
		target_trim(p, &la, &lb, 1);
		target_trim(p, &ta, &tb, 0);
		/* Prose cut off from the first or last value by a separator, likewise. */
		if ((k == 0 && la < lb && target_runs(p, la, b, &rs, &re) > 0) ||
		    (k == nv && ta < tb && target_runs(p, a, tb, &rs, &re) > 0))
			return -1;
		if (k > 0 && k < nv)
			nany += target_conj(p, &la, &lb);
		if (target_has_cmpchar(p, la, lb) || target_has_cmpchar(p, ta, tb))
			return -1;
		if (k > 0) {
			target_fit(p, &ta, &tb, TARGET_TAIL_MAX, 0);
			target_copy(out->clauses[k - 1].tail, TARGET_TAIL_MAX, p->s + ta, tb - ta);
		}
		if (k < nv) {
			target_fit(p, &la, &lb, TARGET_LABEL_MAX, 1);
			target_copy(out->clauses[k].label, TARGET_LABEL_MAX, p->s + la, lb - la);
		}
	}
	if (nany > 0 && nany != nv - 1)
		return -1;	/* 或 at some joins only: no precedence to go by */
	for (int k = 0; k < nv; k++) {
		const struct cand *c = &p->c[v[k]];

		out->clauses[k].cmp = c->cmp == CMP_NONE ? TARGET_EQ : (enum target_cmp)c->cmp;
		/* 0起, 安全事故0次, 为0: none at all, so any occurrence fails. */
		if (out->clauses[k].cmp == TARGET_EQ && c->value == 0)
			out->clauses[k].cmp = TARGET_LE;
		out->clauses[k].value = c->value;
		target_copy(out->clauses[k].unit, TARGET_UNIT_MAX, p->s + c->unit, c->unitlen);
	}
	out->nclauses = (size_t)nv;
	out->join = nany > 0 ? TARGET_ANY : TARGET_ALL;
	out->kind = TARGET_QUANTITATIVE;
	return 0;
}

static int
target_contains(const struct parser *p, size_t a, size_t b, const char *const *tab, size_t ntab)
{
	for (size_t i = a; i < b; i += target_clen((unsigned char)p->s[i]))
		if (target_oneof(p, i, tab, ntab) > 0)
			return 1;
	return 0;
}

/*
 * A zero-count target written without a digit: [lead]零|无|未发生…<event>, as in 零事故,
 * 实现零投诉, 无重大安全事故. One clause "≤ 0" with the lead as its label and the rest
 * as its tail; 0 when the text is not of that form.
 */
static int
target_zero_words(const struct parser *p, struct target *out)
{
	size_t a = target_skip(p, 0), lead, mark, la, lb, ta, tb;

	lead = target_oneof(p, a, target_zero_leads, NELEM(target_zero_leads));
	mark = target_oneof(p, a + lead, target_zero_marks, NELEM(target_zero_marks));
	if (mark == 0) {
		lead = 0;
		if ((mark = target_oneof(p, a, target_zero_marks, NELEM(target_zero_marks))) == 0)
			return 0;
	}
	ta = a + lead + mark;
	tb = p->n;
	/* An actual may say just 无 or 未发生: the target says what did not happen. */
	if (target_runs(p, ta, tb, &la, &lb) > 0 || target_has_cmpchar(p, ta, tb) ||
	    (!target_contains(p, ta, tb, target_events, NELEM(target_events)) &&
	    !(p->round && target_skip(p, ta) == tb)))
		return 0;
	la = a;
	lb = a + lead;
	target_trim(p, &la, &lb, 1);
	target_trim(p, &ta, &tb, 1);
	target_copy(out->clauses[0].label, TARGET_LABEL_MAX, p->s + la, lb - la);
	target_copy(out->clauses[0].tail, TARGET_TAIL_MAX, p->s + ta, tb - ta);
	out->clauses[0].cmp = TARGET_LE;
	out->clauses[0].value = 0;
	out->nclauses = 1;
	out->join = TARGET_ALL;
	out->kind = TARGET_QUANTITATIVE;
	return 1;
}

static void
target_qualitative(struct target *out, int flagged)
{
	char text[TARGET_DISPLAY_MAX];

	memcpy(text, out->text, sizeof(text));
	memset(out, 0, sizeof(*out));
	memcpy(out->text, text, sizeof(text));
	out->kind = TARGET_QUALITATIVE;
	out->join = TARGET_ALL;
	out->flagged = flagged;
}

int
target_parse(const char *text, struct target *out)
{
	if (text == NULL || out == NULL)
		return JX_EINVAL;
	return target_parse_len(text, strnlen(text, TARGET_TEXT_MAX + 1), 0, out);
}

int
target_parse_len(const char *text, size_t n, unsigned flags, struct target *out)
{
	struct parser p;
	size_t v[TARGET_MAX_CLAUSES];
	int nv;

	if (text == NULL || out == NULL || n > TARGET_TEXT_MAX)
		return JX_EINVAL;
	memset(out, 0, sizeof(*out));
	if (!target_display(out, text, n) || out->text[0] == '\0') {
		target_qualitative(out, 1);
		return JX_OK;
	}
	memset(&p, 0, sizeof(p));
	p.date_end = (size_t)-1;
	p.round = (flags & TARGET_ACTUAL) != 0;
	target_normalise(&p, text, n);
	if (strstr(p.s, "（定性") != NULL || strstr(p.s, "(定性") != NULL) {
		target_qualitative(out, 0);	/* the author says so */
		return JX_OK;
	}
	if (!(flags & TARGET_ACTUAL) &&
	    target_contains(&p, 0, p.n, target_relwords, NELEM(target_relwords))) {
		target_qualitative(out, 1);	/* relative to last year: not a number alone */
		return JX_OK;
	}
	target_scan(&p);
	if (p.nc == 0 && !p.overflow && target_zero_words(&p, out))
		return JX_OK;
	if (p.nc == 0 && !p.overflow)
		target_qualitative(out, 0);	/* no numbers but dates and names */
	else if ((nv = target_pick(&p, v)) <= 0 || target_build(&p, v, nv, out) != 0)
		target_qualitative(out, 1);
	return JX_OK;
}

int
target_text_flagged(const char *text)
{
	struct target t;
	size_t n;

	if (text == NULL || (n = strnlen(text, TARGET_TEXT_MAX + 1)) > TARGET_TEXT_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (text[i] != ' ' && (text[i] < '\t' || text[i] > '\r'))
			return target_parse_len(text, n, 0, &t) == JX_OK && t.flagged;
	return 0;
}

const char *
target_cmp_symbol(enum target_cmp cmp)
{
	switch (cmp) {
	case TARGET_EQ:
		return "=";
	case TARGET_GE:
		return "≥";
	case TARGET_GT:
		return ">";
	case TARGET_LE:
		return "≤";
	case TARGET_LT:
		return "<";
	}
	return "?";
}

enum target_dir
target_direction(const struct target *t)
{
	if (t == NULL || t->kind != TARGET_QUANTITATIVE || t->nclauses != 1)
		return TARGET_DIR_NONE;
	switch (t->clauses[0].cmp) {
	case TARGET_EQ:
	case TARGET_GE:
	case TARGET_GT:
		return TARGET_DIR_UP;
	case TARGET_LE:
	case TARGET_LT:
		return TARGET_DIR_DOWN;
	}
	return TARGET_DIR_NONE;
}

struct outbuf {
	char *b;
	size_t len, off;
	int full;
};

/* Appends s, or as much of it as fits, cut at a character; then nothing more. */
static void
target_put(struct outbuf *o, const char *s)
{
	size_t l = strlen(s);

	if (o->full)
		return;
	if (o->off + l > o->len - 1) {
		l = o->len - 1 - o->off;
		while (l > 0 && ((unsigned char)s[l] & 0xc0) == 0x80)
			l--;
		o->full = 1;
	}
	memcpy(o->b + o->off, s, l);
	o->off += l;
	o->b[o->off] = '\0';
}

/*
 * Whether a bare value needs its "=" to read back the same: when it shares its
 * segment with other values (joined by 或), when the label or the tail holds digits,
 * or when the label ends in something that would claim the number (为, 第, a letter).
 */
static int
target_needs_eq(const struct target *t, const struct target_clause *c)
{
	size_t n = strnlen(c->label, sizeof(c->label)), l;

	if (t->join == TARGET_ANY || strpbrk(c->label, "0123456789") != NULL ||
	    strpbrk(c->tail, "0123456789") != NULL)
		return 1;
	if (n > 0 && (target_isalpha(c->label[n - 1]) || c->label[n - 1] == '_'))
		return 1;
	if (n >= 3 && memcmp(c->label + n - 3, "第", 3) == 0)
		return 1;
	for (size_t k = 0; k < NELEM(target_prefixes); k++) {
		l = strlen(target_prefixes[k].s);
		if (l <= n && memcmp(c->label + n - l, target_prefixes[k].s, l) == 0)
			return 1;
	}
	return 0;
}

/*
 * Whether tail s would be read as part of the value it follows: 万, a unit (or the rest of
 * a longer unit that begins with this one), 以上, a digit; but digits after a unit's
 * letters are a name (IPv6), not the value's.
 */
static int
target_glues(const char *unit, const char *s)
{
	size_t k, n = strlen(unit);

	if (target_isdigit(s[0]))
		return n == 0 || !target_isalpha(unit[n - 1]);
	if (target_isalpha(s[0]) || s[0] == '.' || s[0] == '/')
		return 1;
	for (k = 0; k < NELEM(target_units); k++) {
		const char *u = target_units[k];
		if (strncmp(s, u, strlen(u)) == 0)
			return 1;
		/* 分 then 钟: together the longer unit 分钟. */
		if (n > 0 && strlen(u) > n && strncmp(u, unit, n) == 0 &&
		    strncmp(s, u + n, strlen(u + n)) == 0)
			return 1;
	}
	for (k = 0; k < NELEM(target_mags); k++)
		if (strncmp(s, target_mags[k].s, strlen(target_mags[k].s)) == 0)
			return 1;
	for (k = 0; k < NELEM(target_suffixes); k++)
		if (strncmp(s, target_suffixes[k].s, strlen(target_suffixes[k].s)) == 0)
			return 1;
	for (k = 0; k < NELEM(target_datewords); k++)	/* 12月以下底 is no date */
		if (strncmp(s, target_datewords[k], strlen(target_datewords[k])) == 0)
			return 1;
	return 0;
}

/*
 * Whether word followed by tail spells one of the words of a relative target across
 * the join (以上 + 年内 holds 上年), which would turn the rendering into another target.
 */
static int
target_joins_relword(const char *word, const char *tail)
{
	size_t wn = strlen(word);

	for (size_t k = 0; k < NELEM(target_relwords); k++) {
		const char *r = target_relwords[k];
		for (size_t j = 1; j < strlen(r); j++)
			if (j <= wn && memcmp(word + wn - j, r, j) == 0 &&
			    strncmp(tail, r + j, strlen(r + j)) == 0)
				return 1;
	}
	return 0;
}

/* 10亿 for 100000000000, 148.75万 for 148750000, 95 for 9500. */
static void
target_put_value(struct outbuf *o, int64_t v, const char *unit)
{
	char num[DEC_BUFSZ];
	const char *mag = "";
	int unitmag = 0;

	/* Not when the unit has its own (万元), nor when 万 and the unit make one (万 元). */
	for (size_t t = 0; t < NELEM(target_mags); t++)
		if (strncmp(unit, target_mags[t].s, strlen(target_mags[t].s)) == 0)
			unitmag = 1;
	if (strncmp(unit, "元", strlen("元")) == 0)
		unitmag = 1;
	if (!unitmag && v >= 10000000000LL && v % 100000000 == 0) {
		v /= 100000000;
		mag = "亿";
	} else if (!unitmag && v >= 1000000 && v % 10000 == 0) {
		v /= 10000;
		mag = "万";
	}
	target_put(o, dec_format_short(v, num));
	target_put(o, mag);
}

/*
 * Whether label, written right after 或, would make a longer joining word of it (是 after
 * 或 reads as 或是) and lose its first character: then a space keeps them apart.
 */
static int
target_conj_glues(const char *label)
{
	const size_t orlen = strlen("或");

	for (size_t t = 0; t < NELEM(target_conjs); t++) {
		const char *w = target_conjs[t].s;
		if (strncmp(w, "或", orlen) == 0 && strlen(w) > orlen &&
		    strncmp(label, w + orlen, strlen(w) - orlen) == 0)
			return 1;
	}
	return 0;
}

int
target_format(const struct target *t, char *buf, size_t len)
{
	struct outbuf o = { buf, len, 0, 0 };
	size_t n;

	if (t == NULL || buf == NULL || len == 0)
		return JX_EINVAL;
	buf[0] = '\0';
	n = t->kind != TARGET_QUANTITATIVE ? 0 :
	    t->nclauses < TARGET_MAX_CLAUSES ? t->nclauses : TARGET_MAX_CLAUSES;
	if (n == 0)
		target_put(&o, t->text);
	for (size_t k = 0; k < n; k++) {
		const struct target_clause *c = &t->clauses[k];

		/*
		 * The separator keeps the previous tail from running into the label, and
		 * 或以上 from reading as the previous value's.
		 */
		if (k > 0 && t->join == TARGET_ANY && (t->clauses[k - 1].tail[0] != '\0' ||
		    strncmp(c->label, "以上", strlen("以上")) == 0 ||
		    strncmp(c->label, "以下", strlen("以下")) == 0))
			target_put(&o, "；或");
		else if (k > 0)
			target_put(&o, t->join == TARGET_ANY ? "或" : "；");
		if (k > 0 && t->join == TARGET_ANY && target_conj_glues(c->label))
			target_put(&o, " ");
		target_put(&o, c->label);
		if (c->cmp != TARGET_EQ || target_needs_eq(t, c))
			target_put(&o, target_cmp_symbol(c->cmp));
		target_put_value(&o, c->value, c->unit);
		target_put(&o, c->unit);
		/*
		 * A tail that would stick to the value was kept apart from it by 以上 or
		 * 以下, or by a space, which a unit does not reach past.
		 */
		if (target_glues(c->unit, c->tail)) {
			const char *apart = c->cmp == TARGET_GE ? "以上" :
			    c->cmp == TARGET_LE ? "以下" : " ";
			target_put(&o, apart);
			/* 以上 + 年内 would spell 上年: a space between (a space alone lets 年 be the unit). */
			if (target_joins_relword(apart, c->tail))
				target_put(&o, " ");
		}
		target_put(&o, c->tail);
	}
	return o.full ? JX_ENOSPC : JX_OK;
}
