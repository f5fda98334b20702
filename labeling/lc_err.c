/*
 * labeling/lc_err.c — lookup in the error registry of lc_err.h.
 */
#include <stddef.h>

#include "labeling/lc_err.h"

static const struct lc_err_info lc_errs[] = {
#define LC_ERR_ROW(sym, code, http, type, title) \
	{ code, http, #sym, type, title },
	LC_ERR_TABLE(LC_ERR_ROW)
#undef LC_ERR_ROW
};

const struct lc_err_info *
lc_err_info(int code)
{
	size_t i;

	for (i = 0; i < sizeof(lc_errs) / sizeof(lc_errs[0]); i++)
		if (lc_errs[i].code == code)
			return &lc_errs[i];
	return &lc_errs[0];
}
