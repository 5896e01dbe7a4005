/* tap.h — the smallest TAP producer: plan, ok, is, done. Header-only. */
#ifndef CB_TAP_H
#define CB_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define is_str(got, want, ...) tap_is_str((got), (want), __FILE__, __LINE__, __VA_ARGS__)
#define is_int(got, want, ...) tap_is_int((long long)(got), (long long)(want), __FILE__, __LINE__, __VA_ARGS__)

__attribute__((format(printf, 4, 5))) static int tap_ok(int pass, const char *file, int line,
							 const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("%sok %d - ", pass ? "" : "not ", ++tap_n);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!pass) {
		tap_failed++;
		printf("#   Failed at %s line %d\n", file, line);
	}
	fflush(stdout);
	return pass;
}

#define tap_is_str(got, want, file, line, ...)                                              \
	do {                                                                                 \
		const char *g_ = (got), *w_ = (want);                                        \
		int p_ = (g_ == NULL && w_ == NULL) || (g_ && w_ && strcmp(g_, w_) == 0);    \
		if (!tap_ok(p_, file, line, __VA_ARGS__))                                    \
			printf("#   got:      '%s'\n#   expected: '%s'\n", g_ ? g_ : "(null)", \
			       w_ ? w_ : "(null)");                                          \
	} while (0)

#define tap_is_int(got, want, file, line, ...)                                         \
	do {                                                                            \
		long long g_ = (got), w_ = (want);                                      \
		if (!tap_ok(g_ == w_, file, line, __VA_ARGS__))                         \
			printf("#   got:      %lld\n#   expected: %lld\n", g_, w_);     \
	} while (0)

/* Prints the plan at the end and returns the exit status for main. */
static int done_testing(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
