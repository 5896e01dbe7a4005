/* assets.c — logo and favicon uploads, and serving them.
 *
 * An upload is the raw image as the request body (at most 2 MiB). Its type
 * comes from its first bytes, never from what the client claims: PNG, JPEG
 * or WebP. SVG is refused (it can carry script). Files are content-addressed
 * (asset_dir/{page}/{sha256}.{ext}), written to a temporary name and renamed,
 * so a URL always means the same bytes and is served as immutable. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "landing.h"

#define ASSET_MAX (2u << 20)

struct image_type {
	const char *ext, *mime;
};

static const struct image_type PNG = {"png", "image/png"};
static const struct image_type JPEG = {"jpg", "image/jpeg"};
static const struct image_type WEBP = {"webp", "image/webp"};

static const struct image_type *sniff(const unsigned char *p, size_t n)
{
	if (n >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0)
		return &PNG;
	if (n >= 4 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
		return &JPEG;
	if (n >= 12 && memcmp(p, "RIFF", 4) == 0 && memcmp(p + 8, "WEBP", 4) == 0)
		return &WEBP;
	return NULL;
}

/* 1 when the body looks like SVG or other XML (to say so in the refusal). */
static int looks_like_svg(const char *p, size_t n)
{
	size_t i = 0;

	if (n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < n && (p[i] == ' ' || p[i] == '\n' || p[i] == '\r' || p[i] == '\t'))
		i++;
	return i < n && p[i] == '<';
}

/* Writes len bytes to path through a temporary file and rename. */
static int write_file(cb_req *req, const char *dir, const char *path, const void *p, size_t len)
{
	const char *tmp = cb_sprintf(req, "%s/.tmp-%s", dir, cb_random_hex(req, 8));
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	size_t off = 0;

	if (fd < 0)
		return CB_ERR;
	while (off < len) {
		ssize_t n = write(fd, (const char *)p + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(fd);
			unlink(tmp);
			return CB_ERR;
		}
		off += (size_t)n;
	}
	if (fsync(fd) != 0 || close(fd) != 0 || rename(tmp, path) != 0) {
		unlink(tmp);
		return CB_ERR;
	}
	return CB_OK;
}

int h_asset_upload(cb_req *req)
{
	const char *kind = cb_req_query(req, "kind"), *dir, *sha, *url, *path;
	const struct image_type *type;
	size_t len;
	const char *body = cb_req_body(req, &len);
	cb_res *page, *res;
	cb_json *o;

	if (!kind || (strcmp(kind, "logo") != 0 && strcmp(kind, "favicon") != 0)) {
		cb_check *c = cb_check_new(req, NULL);
		cb_check_fail(c, "kind", kind ? "invalid" : "missing",
		              "kind must be logo or favicon (query parameter)");
		return cb_check_reply(c);
	}
	page = page_of_caller(req);
	if (!page)
		return FAILED(req);
	if (len == 0)
		return cb_reply_error(req, 400, "empty_body", "Send the image as the request body");
	type = sniff((const unsigned char *)body, len);
	if (!type)
		return cb_reply_error(req, 415, "unsupported_image",
		                      looks_like_svg(body, len)
		                          ? "SVG is not accepted (it can carry script); "
		                            "send PNG, JPEG or WebP"
		                          : "The body is not a PNG, JPEG or WebP image");

	sha = cb_sha256_hex(req, body, len);
	dir = cb_sprintf(req, "%s/%s", lp_cf.asset_dir, cb_res_val(page, 0, "id"));
	path = cb_sprintf(req, "%s/%s.%s", dir, sha, type->ext);
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		cb_log(req, CB_LOG_ERROR, "landing: mkdir %s: %s", dir, strerror(errno));
		return CB_ERR;
	}
	if (access(path, F_OK) != 0 && write_file(req, dir, path, body, len) != CB_OK) {
		cb_log(req, CB_LOG_ERROR, "landing: cannot store %s: %s", path, strerror(errno));
		return CB_ERR;
	}
	url = cb_sprintf(req, "/assets/%s/%s.%s", cb_res_val(page, 0, "id"), sha, type->ext);
	res = cb_db_q(req,
	              "UPDATE landing_pages SET configuration = jsonb_set(configuration, "
	              "$3::text[], to_jsonb($4::text), true), "
	              "render_version = render_version + 1, updated_at = now() "
	              "WHERE id = $1 AND user_id = $2",
	              cb_res_val(page, 0, "id"), cb_req_get(req, "user.id"),
	              strcmp(kind, "logo") == 0 ? "{theme,logo_url}" : "{theme,favicon_url}", url);
	if (!res)
		return cb_reply_db_error(req, "set asset");
	cache_invalidate_page(cb_res_val(page, 0, "id"));
	o = cb_json_new_object(req);
	cb_json_set_str(o, "kind", kind);
	cb_json_set_str(o, "url", url);
	cb_json_set_str(o, "sha256", sha);
	cb_json_set_str(o, "content_type", type->mime);
	cb_json_set_int(o, "bytes", (long long)len);
	return cb_reply_json(req, 201, o);
}

/* The type of a stored file name "{64 hex}.{ext}", or NULL. */
static const struct image_type *stored_name(const char *f)
{
	const char *dot = strchr(f, '.');

	if (!dot || dot - f != 64)
		return NULL;
	for (const char *p = f; p < dot; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return NULL;
	if (strcmp(dot + 1, PNG.ext) == 0)
		return &PNG;
	if (strcmp(dot + 1, JPEG.ext) == 0)
		return &JPEG;
	if (strcmp(dot + 1, WEBP.ext) == 0)
		return &WEBP;
	return NULL;
}

int h_asset_get(cb_req *req)
{
	const char *page = cb_req_param(req, "page"), *file = cb_req_param(req, "file");
	const struct image_type *type = file ? stored_name(file) : NULL;
	const char *inm = cb_req_header(req, "If-None-Match"), *etag;
	struct stat st;
	char *data;
	size_t off = 0;
	int fd;

	if (!cb_is_uuid(page) || !type)
		return cb_reply_error(req, 404, "not_found", "No such asset");
	fd = open(cb_sprintf(req, "%s/%s/%s", lp_cf.asset_dir, page, file), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return cb_reply_error(req, 404, "not_found", "No such asset");
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > (off_t)ASSET_MAX) {
		close(fd);
		return cb_reply_error(req, 404, "not_found", "No such asset");
	}
	etag = cb_sprintf(req, "\"%.64s\"", file);
	cb_set_header(req, "Cache-Control", "public, max-age=31536000, immutable");
	cb_set_header(req, "ETag", etag);
	if (inm && strstr(inm, etag)) {
		close(fd);
		return cb_reply(req, 304, NULL, NULL, 0);
	}
	data = cb_alloc(req, (size_t)st.st_size + 1);
	while (off < (size_t)st.st_size) {
		ssize_t n = read(fd, data + off, (size_t)st.st_size - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	close(fd);
	return cb_reply(req, 200, type->mime, data, off);
}

void assets_remove_page(const char *page_id)
{
	char dir[4096];
	DIR *d;
	struct dirent *de;

	snprintf(dir, sizeof dir, "%s/%s", lp_cf.asset_dir, page_id);
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		char path[4400];
		if (de->d_name[0] == '.' &&
		    (!de->d_name[1] || (de->d_name[1] == '.' && !de->d_name[2])))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}
