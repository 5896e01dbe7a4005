/* zip.c — the export archive: a ZIP written by streaming through libarchive.
 * Each file is compressed as it is written (no size known in advance: the
 * entry's length follows its data), with a SHA-256 and a record count kept
 * for manifest.json, which goes last. Memory stays flat: only the list of
 * file names is kept. */
#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gdpr.h"

struct zfile {
	char *name;
	char sha[65];
	long long bytes, count;
};

struct zip_out {
	cb_export exp;
	struct archive *a;
	struct zfile *files;
	size_t n, cap;
	int open; /* an entry is being written */
	EVP_MD_CTX *md;
	int failed;
};

static int name_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > 200 || s[0] == '/' || strstr(s, "..") || strcmp(s, "manifest.json") == 0)
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._/-") == n;
}

static int finish_entry(struct zip_out *z)
{
	if (!z->open)
		return CB_OK;
	unsigned char d[32];
	unsigned int dl = 0;
	EVP_DigestFinal_ex(z->md, d, &dl);
	struct zfile *f = &z->files[z->n - 1];
	for (unsigned i = 0; i < dl; i++)
		snprintf(f->sha + 2 * i, 3, "%02x", d[i]);
	z->open = 0;
	return archive_write_finish_entry(z->a) == ARCHIVE_OK ? CB_OK : CB_ERR;
}

static int start_entry(struct zip_out *z, const char *name)
{
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_mtime(e, time(NULL), 0);
	int rc = archive_write_header(z->a, e);
	archive_entry_free(e);
	return rc == ARCHIVE_OK ? CB_OK : CB_ERR;
}

static int x_file(cb_export *out, const char *name)
{
	struct zip_out *z = (struct zip_out *)out;
	if (z->failed)
		return CB_ERR;
	if (!name_ok(name))
		return CB_EINVAL;
	if (finish_entry(z) != CB_OK || start_entry(z, name) != CB_OK) {
		z->failed = 1;
		return CB_ERR;
	}
	if (z->n == z->cap) {
		z->cap = z->cap ? 2 * z->cap : 16;
		z->files = realloc(z->files, z->cap * sizeof *z->files);
	}
	struct zfile *f = &z->files[z->n++];
	memset(f, 0, sizeof *f);
	f->name = strdup(name);
	EVP_DigestInit_ex(z->md, EVP_sha256(), NULL);
	z->open = 1;
	return CB_OK;
}

static int x_write(cb_export *out, const void *data, size_t len)
{
	struct zip_out *z = (struct zip_out *)out;
	if (z->failed || !z->open)
		return CB_ERR;
	if (len == 0)
		return CB_OK;
	if (archive_write_data(z->a, data, len) != (la_ssize_t)len) {
		z->failed = 1;
		return CB_ERR;
	}
	EVP_DigestUpdate(z->md, data, len);
	z->files[z->n - 1].bytes += (long long)len;
	return CB_OK;
}

static void x_count(cb_export *out, long long n)
{
	struct zip_out *z = (struct zip_out *)out;
	if (z->open)
		z->files[z->n - 1].count += n;
}

struct zip_out *zip_open(const char *path)
{
	struct zip_out *z = calloc(1, sizeof *z);
	z->exp.size = sizeof z->exp;
	z->exp.ctx = z;
	z->exp.file = x_file;
	z->exp.write = x_write;
	z->exp.count = x_count;
	z->md = EVP_MD_CTX_new();
	z->a = archive_write_new();
	if (archive_write_set_format_zip(z->a) != ARCHIVE_OK ||
	    archive_write_open_filename(z->a, path) != ARCHIVE_OK) {
		zip_abort(z);
		return NULL;
	}
	return z;
}

cb_export *zip_export(struct zip_out *z)
{
	return &z->exp;
}

static void zip_free(struct zip_out *z)
{
	for (size_t i = 0; i < z->n; i++)
		free(z->files[i].name);
	free(z->files);
	EVP_MD_CTX_free(z->md);
	free(z);
}

void zip_abort(struct zip_out *z)
{
	if (!z)
		return;
	archive_write_free(z->a); /* closes */
	zip_free(z);
}

int zip_close(cb_req *req, struct zip_out *z, const char *user_id, long long *bytes)
{
	int rc = z->failed ? CB_ERR : finish_entry(z);
	cb_json *m = cb_json_new_object(req), *files = cb_json_new_array(req);
	cb_json_set_int(m, "schema_version", 1);
	cb_res *now = cb_db_q0(req, "SELECT " CB_SQL_TS("now()") " AS t");
	cb_json_set_str(m, "generated_at", now ? cb_res_val(now, 0, "t") : NULL);
	cb_json *owner = cb_json_new_object(req);
	cb_json_set_str(owner, "user_id", user_id);
	cb_json_set(m, "owner", owner);
	cb_json_set_str(m, "format", "ZIP of JSON and NDJSON (one JSON record per line)");
	*bytes = 0;
	for (size_t i = 0; i < z->n; i++) {
		cb_json *f = cb_json_new_object(req);
		cb_json_set_str(f, "name", z->files[i].name);
		cb_json_set_str(f, "sha256", z->files[i].sha);
		cb_json_set_int(f, "bytes", z->files[i].bytes);
		cb_json_set_int(f, "count", z->files[i].count);
		cb_json_push(files, f);
		*bytes += z->files[i].bytes;
	}
	cb_json_set(m, "files", files);
	size_t len = 0;
	char *text = cb_json_dump(req, m, &len);
	if (rc == CB_OK && (start_entry(z, "manifest.json") != CB_OK ||
	                    archive_write_data(z->a, text, len) != (la_ssize_t)len ||
	                    archive_write_finish_entry(z->a) != ARCHIVE_OK))
		rc = CB_ERR;
	if (archive_write_close(z->a) != ARCHIVE_OK)
		rc = CB_ERR;
	archive_write_free(z->a);
	zip_free(z);
	return rc;
}
