/* admin.h — what the admin plugin's files share: the built dashboard
 * (admin-ui/, `make admin-ui`) read into memory at init and served at
 * /admin/. Built with -fvisibility=hidden: nothing here leaves the plugin. */
#ifndef ADMIN_ADMIN_H
#define ADMIN_ADMIN_H

#include <stddef.h>

#include <carbot/sdk.h>

/* One built file, read once at init. */
struct admin_file {
	char *rel;       /* path below the dist directory: "assets/index-3f9a.js" */
	char *body, *gz; /* the bytes; gz is NULL when not worth compressing */
	size_t len, gz_len;
	const char *type; /* Content-Type */
	char etag[67];    /* "\"" + 64 hex of SHA-256 + "\"" */
	int immutable;    /* under assets/: the name carries a content hash */
};

/* files.c: reads every regular file under dir (at most 4 levels deep, no
 * dot-files) into the table. CB_OK, CB_ENOTFOUND when dir or its
 * index.html is missing, CB_ERR on a read or memory failure (or when the
 * tree is over 64 MiB). */
int admin_files_load(const char *dir);

/* The file at rel ("index.html", "assets/x.js"), or NULL. Read-only after
 * init: safe from any thread without a lock. */
const struct admin_file *admin_file_find(const char *rel);

/* Number of files loaded (0 before a successful load). */
size_t admin_files_count(void);

void admin_files_free(void);

/* serve.c: the handler of every GET /admin... route. */
int admin_serve(cb_req *req);

#endif
