#include "kind.h"

#include <string.h>

static const struct {
	Jixiao__Kind kind;
	const char *name, *zh, *zh_short;
} kind_table[] = {
	{ JIXIAO__KIND__TARGET_DECLARATION, "target-declaration", "绩效目标申报", "目标申报" },
	{ JIXIAO__KIND__SELF_EVALUATION, "self-evaluation", "绩效自评", "自评" },
	{ JIXIAO__KIND__KEY_EVALUATION, "key-evaluation", "重点绩效评价", "重点评价" },
};
#define KIND_N (sizeof(kind_table) / sizeof(kind_table[0]))

int
kind_parse(const char *s, Jixiao__Kind *kind)
{
	for (size_t i = 0; i < KIND_N; i++) {
		if (strcmp(s, kind_table[i].name) == 0 || strcmp(s, kind_table[i].zh) == 0 ||
		    strcmp(s, kind_table[i].zh_short) == 0) {
			*kind = kind_table[i].kind;
			return 0;
		}
	}
	return -1;
}

const char *
kind_name(Jixiao__Kind kind)
{
	for (size_t i = 0; i < KIND_N; i++)
		if (kind_table[i].kind == kind)
			return kind_table[i].name;
	return "unknown";
}

const char *
kind_zh(Jixiao__Kind kind)
{
	for (size_t i = 0; i < KIND_N; i++)
		if (kind_table[i].kind == kind)
			return kind_table[i].zh;
	return "?";
}
