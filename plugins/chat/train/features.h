/* features.h — the intent classifier's features, shared by the build-time
 * trainer (train/train.c) and the plugin (classify.c) so both see the same:
 * the text in lower-case ASCII (ä -> ae, ö -> oe, ü -> ue, ß -> ss, other
 * bytes a space), then per word the word itself and its character 3- and
 * 4-grams of "^word$" (German compounds share their parts), FNV-1a hashed
 * into FEAT_BUCKETS. */
#ifndef CHAT_FEATURES_H
#define CHAT_FEATURES_H

#include <stddef.h>
#include <string.h>

#define FEAT_BUCKETS 4096
#define FEAT_TEXT    1200 /* bytes of a message read */

static inline unsigned feat_hash(const char *s, size_t n, unsigned seed)
{
	unsigned h = 2166136261u ^ seed;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h % FEAT_BUCKETS;
}

/* Features of text into out (at most max); returns how many. */
static inline size_t feat_extract(const char *text, unsigned *out, size_t max)
{
	char buf[2 * FEAT_TEXT + 4];
	size_t n = 0, k = 0;

	buf[n++] = ' ';
	for (size_t i = 0; text[i] && i < FEAT_TEXT && n + 4 < sizeof(buf); i++) {
		unsigned char c = (unsigned char)text[i];
		const char *rep = NULL;
		if (c == 0xC3 && text[i + 1]) {
			unsigned char d = (unsigned char)text[i + 1];
			rep = d == 0xA4 || d == 0x84   ? "ae"
			      : d == 0xB6 || d == 0x96 ? "oe"
			      : d == 0xBC || d == 0x9C ? "ue"
			      : d == 0x9F              ? "ss"
			                               : " ";
			i++;
		} else if (c >= 'A' && c <= 'Z')
			buf[n++] = (char)(c - 'A' + 'a');
		else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			buf[n++] = (char)c;
		else if (n && buf[n - 1] != ' ')
			buf[n++] = ' ';
		if (rep)
			for (; *rep && n + 2 < sizeof(buf); rep++)
				if (*rep != ' ' || buf[n - 1] != ' ')
					buf[n++] = *rep;
	}
	if (buf[n - 1] != ' ')
		buf[n++] = ' ';
	buf[n] = '\0';
	for (size_t i = 0; i < n && k < max;) {
		while (i < n && buf[i] == ' ')
			i++;
		size_t s = i;
		while (i < n && buf[i] != ' ')
			i++;
		if (i == s)
			break;
		char w[64];
		size_t wl = i - s < sizeof(w) - 3 ? i - s : sizeof(w) - 3;
		w[0] = '^';
		memcpy(w + 1, buf + s, wl);
		w[wl + 1] = '$';
		if (k < max)
			out[k++] = feat_hash(w + 1, wl, 1); /* the word */
		for (size_t g = 3; g <= 4; g++)
			for (size_t p = 0; p + g <= wl + 2 && k < max; p++)
				out[k++] = feat_hash(w + p, g, (unsigned)g);
	}
	return k;
}

#endif
