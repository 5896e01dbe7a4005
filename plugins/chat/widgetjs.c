/* widgetjs.c — GET /widget.js: the built widget, read once at init.
 *
 * Strong ETag (SHA-256 of the file), immutable for a year when asked for a
 * versioned URL (?v=<first 8+ hex characters of the ETag>) and 5 minutes
 * otherwise, gzip when the client accepts it (the precomputed widget.js.gz
 * when it is there and current, else compressed once here with zlib). A
 * missing file is a warning, not a refusal to start: /widget.js answers 404
 * until carbotd is restarted with the file in place. */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <zlib.h>

#include "chat.h"

static struct {
	char *js, *gz;
	size_t js_len, gz_len;
	char etag[67]; /* "\"" + 64 hex + "\"" */
	char hex[65];
} w;

static char *slurp(const char *path, size_t *len, size_t max)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	char *buf;

	if (!f)
		return NULL;
	if (fstat(fileno(f), &st) != 0 || st.st_size < 0 || (size_t)st.st_size > max) {
		fclose(f);
		return NULL;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (buf && fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (buf) {
		buf[st.st_size] = '\0';
		*len = (size_t)st.st_size;
	}
	return buf;
}

static char *gzip(const char *in, size_t n, size_t *out_len)
{
	z_stream z;
	uLong cap = compressBound((uLong)n) + 32;
	char *out = malloc(cap);

	memset(&z, 0, sizeof(z));
	if (!out || deflateInit2(&z, 9, Z_DEFLATED, 31, 9, Z_DEFAULT_STRATEGY) != Z_OK) {
		free(out);
		return NULL;
	}
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)n;
	z.next_out = (Bytef *)out;
	z.avail_out = (uInt)cap;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
		deflateEnd(&z);
		free(out);
		return NULL;
	}
	*out_len = z.total_out;
	deflateEnd(&z);
	return out;
}

/* 1 when gz decompresses to exactly js (a stale .gz is not served). */
static int gz_matches(const char *gz, size_t gz_len, const char *js, size_t js_len)
{
	z_stream z;
	char *buf = malloc(js_len + 1);
	int ok;

	memset(&z, 0, sizeof(z));
	if (!buf || inflateInit2(&z, 31) != Z_OK) {
		free(buf);
		return 0;
	}
	z.next_in = (Bytef *)(uintptr_t)gz;
	z.avail_in = (uInt)gz_len;
	z.next_out = (Bytef *)buf;
	z.avail_out = (uInt)(js_len + 1);
	ok = inflate(&z, Z_FINISH) == Z_STREAM_END && z.total_out == js_len &&
	     memcmp(buf, js, js_len) == 0;
	inflateEnd(&z);
	free(buf);
	return ok;
}

int widgetjs_load(const char *path)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char *gzpath;
	size_t n;

	w.js = slurp(path, &w.js_len, 16u << 20);
	if (!w.js)
		return CB_ENOTFOUND;
	if (EVP_Digest(w.js, w.js_len, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32) {
		widgetjs_free();
		return CB_ERR;
	}
	for (unsigned i = 0; i < mdlen; i++)
		snprintf(w.hex + 2 * i, 3, "%02x", md[i]);
	snprintf(w.etag, sizeof(w.etag), "\"%s\"", w.hex);

	n = strlen(path) + 4;
	gzpath = malloc(n);
	if (gzpath) {
		snprintf(gzpath, n, "%s.gz", path);
		w.gz = slurp(gzpath, &w.gz_len, 16u << 20);
		free(gzpath);
	}
	if (w.gz && !gz_matches(w.gz, w.gz_len, w.js, w.js_len)) {
		free(w.gz);
		w.gz = NULL;
	}
	if (!w.gz)
		w.gz = gzip(w.js, w.js_len, &w.gz_len);
	return CB_OK;
}

void widgetjs_free(void)
{
	free(w.js);
	free(w.gz);
	memset(&w, 0, sizeof(w));
}

/* 1 when Accept-Encoding allows gzip (not "gzip;q=0"). */
static int accepts_gzip(const char *ae)
{
	const char *p;

	for (p = ae; p && (p = strcasestr(p, "gzip")); p += 4) {
		const char *q = p + 4;
		while (*q == ' ')
			q++;
		if (*q == ';') {
			const char *v = strstr(q, "q=");
			if (v && strtod(v + 2, NULL) <= 0.0)
				return 0;
		}
		return 1;
	}
	return 0;
}

/* 1 when If-None-Match names our ETag (or is "*"). */
static int not_modified(const char *inm)
{
	return inm && (strstr(inm, w.etag) || strcmp(inm, "*") == 0);
}

int h_widget_js(cb_req *req)
{
	const char *v = cb_req_query(req, "v");
	int gz;

	if (!w.js)
		return cb_reply_error(req, 404, "not_found",
		                      "The widget has not been built on this server");
	if (v && strlen(v) >= 8 && strlen(v) <= 64 && strncmp(w.hex, v, strlen(v)) == 0)
		cb_set_header(req, "Cache-Control", "public, max-age=31536000, immutable");
	else
		cb_set_header(req, "Cache-Control", "public, max-age=300");
	cb_set_header(req, "ETag", w.etag);
	cb_set_header(req, "Vary", "Accept-Encoding");
	/* a script: nothing for it to load; any site may embed it */
	cb_set_header(req, "Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
	cb_set_header(req, "Cross-Origin-Resource-Policy", "cross-origin");
	cb_set_header(req, "Access-Control-Allow-Origin", "*");
	if (not_modified(cb_req_header(req, "If-None-Match")))
		return cb_reply(req, 304, NULL, NULL, 0);
	gz = w.gz && accepts_gzip(cb_req_header(req, "Accept-Encoding"));
	if (gz)
		cb_set_header(req, "Content-Encoding", "gzip");
	return cb_reply(req, 200, "application/javascript; charset=utf-8", gz ? w.gz : w.js,
	                gz ? w.gz_len : w.js_len);
}
