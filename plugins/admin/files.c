/* files.c — the built dashboard, read into memory once at init.
 *
 * Vite writes a handful of files (index.html, assets/<name>-<hash>.js|css,
 * a few static ones); holding them in memory lets every request be answered
 * on the I/O thread without touching the disk. Each gets its SHA-256 as a
 * strong ETag and, for text types, a gzip copy made here once. */
#include <dirent.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "admin.h"

#define MAX_DEPTH 4
#define MAX_FILE  (16u << 20)
#define MAX_TOTAL (64u << 20)
#define MAX_FILES 4096

static struct admin_file *files;
static size_t nfiles, cap, total;

static const struct {
	const char *ext, *type;
	int text;
} types[] = {
    {".html", "text/html; charset=utf-8", 1},
    {".js", "application/javascript; charset=utf-8", 1},
    {".mjs", "application/javascript; charset=utf-8", 1},
    {".css", "text/css; charset=utf-8", 1},
    {".json", "application/json; charset=utf-8", 1},
    {".webmanifest", "application/manifest+json", 1},
    {".svg", "image/svg+xml", 1},
    {".txt", "text/plain; charset=utf-8", 1},
    {".png", "image/png", 0},
    {".ico", "image/x-icon", 0},
    {".webp", "image/webp", 0},
    {".woff2", "font/woff2", 0},
};

static const char *type_of(const char *name, int *text)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		size_t e = strlen(types[i].ext);
		if (n > e && strcmp(name + n - e, types[i].ext) == 0) {
			*text = types[i].text;
			return types[i].type;
		}
	}
	*text = 0;
	return "application/octet-stream";
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	char *buf;

	if (!f)
		return NULL;
	if (fstat(fileno(f), &st) != 0 || st.st_size < 0 || (size_t)st.st_size > MAX_FILE) {
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
	uLong bound = compressBound((uLong)n) + 32;
	char *out = malloc(bound);

	memset(&z, 0, sizeof(z));
	if (!out || deflateInit2(&z, 9, Z_DEFLATED, 31, 9, Z_DEFAULT_STRATEGY) != Z_OK) {
		free(out);
		return NULL;
	}
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)n;
	z.next_out = (Bytef *)out;
	z.avail_out = (uInt)bound;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
		deflateEnd(&z);
		free(out);
		return NULL;
	}
	*out_len = z.total_out;
	deflateEnd(&z);
	return out;
}

static int etag_of(struct admin_file *f)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (EVP_Digest(f->body, f->len, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32)
		return CB_ERR;
	f->etag[0] = '"';
	for (unsigned i = 0; i < mdlen; i++)
		snprintf(f->etag + 1 + 2 * i, 3, "%02x", md[i]);
	f->etag[65] = '"';
	f->etag[66] = '\0';
	return CB_OK;
}

static int add_file(const char *path, const char *rel)
{
	struct admin_file *f;
	int text;

	if (nfiles == MAX_FILES)
		return CB_ERR;
	if (nfiles == cap) {
		size_t ncap = cap ? cap * 2 : 32;
		struct admin_file *n = realloc(files, ncap * sizeof(*n));
		if (!n)
			return CB_ERR;
		files = n;
		cap = ncap;
	}
	f = &files[nfiles];
	memset(f, 0, sizeof(*f));
	f->body = slurp(path, &f->len);
	f->rel = strdup(rel);
	if (!f->body || !f->rel || total + f->len > MAX_TOTAL || etag_of(f) != CB_OK) {
		free(f->body);
		free(f->rel);
		return CB_ERR;
	}
	total += f->len;
	f->type = type_of(rel, &text);
	f->immutable = strncmp(rel, "assets/", 7) == 0;
	/* below ~1 KB gzip saves less than its header costs */
	if (text && f->len >= 1024) {
		f->gz = gzip(f->body, f->len, &f->gz_len);
		if (f->gz && f->gz_len >= f->len) {
			free(f->gz);
			f->gz = NULL;
		}
	}
	nfiles++;
	return CB_OK;
}

static int walk(const char *dir, const char *prefix, int depth)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int rc = CB_OK;

	if (!d)
		return depth == 0 ? CB_ENOTFOUND : CB_ERR;
	while (rc == CB_OK && (e = readdir(d))) {
		char path[4096], rel[1024];
		struct stat st;

		if (e->d_name[0] == '.')
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= (int)sizeof(path) ||
		    snprintf(rel, sizeof(rel), "%s%s", prefix, e->d_name) >= (int)sizeof(rel) ||
		    stat(path, &st) != 0) {
			rc = CB_ERR;
			break;
		}
		if (S_ISDIR(st.st_mode)) {
			if (depth + 1 < MAX_DEPTH && strlen(rel) + 2 < sizeof(rel)) {
				strcat(rel, "/");
				rc = walk(path, rel, depth + 1);
			}
		} else if (S_ISREG(st.st_mode)) {
			rc = add_file(path, rel);
		}
	}
	closedir(d);
	return rc;
}

static int by_rel(const void *a, const void *b)
{
	return strcmp(((const struct admin_file *)a)->rel, ((const struct admin_file *)b)->rel);
}

int admin_files_load(const char *dir)
{
	int rc = walk(dir, "", 0);

	if (rc == CB_OK && nfiles)
		qsort(files, nfiles, sizeof(*files), by_rel);
	if (rc == CB_OK && !admin_file_find("index.html"))
		rc = CB_ENOTFOUND;
	if (rc != CB_OK)
		admin_files_free();
	return rc;
}

const struct admin_file *admin_file_find(const char *rel)
{
	struct admin_file key;

	if (!nfiles)
		return NULL;
	key.rel = (char *)(uintptr_t)rel;
	return bsearch(&key, files, nfiles, sizeof(*files), by_rel);
}

size_t admin_files_count(void)
{
	return nfiles;
}

void admin_files_free(void)
{
	for (size_t i = 0; i < nfiles; i++) {
		free(files[i].rel);
		free(files[i].body);
		free(files[i].gz);
	}
	free(files);
	files = NULL;
	nfiles = cap = total = 0;
}
