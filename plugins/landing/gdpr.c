/* gdpr.c — landing's part of the data-subject contract: the owner's pages
 * with their configuration, SEO settings and domain checks, and the uploaded
 * assets as files (landing/assets/PAGE/FILE); pages offline while an erasure
 * is pending and published again when it is cancelled; the erasure deletes
 * pages, domain checks and files. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "landing.h"

#define PAGE_JSON                                                                                  \
	"json_build_object('id', id, 'template_id', template_id, 'subdomain', subdomain, "         \
	"'custom_domain', custom_domain, 'configuration', configuration, "                         \
	"'seo_settings', seo_settings, 'is_published', is_published, "                             \
	"'published_at', " CB_SQL_TS("published_at") ", 'created_at', " CB_SQL_TS(                 \
	    "created_at") ", "                                                                     \
	                  "'updated_at', " CB_SQL_TS(                                              \
	                      "updated_at") ", "                                                   \
	                                    "'domain_verifications', (SELECT "                     \
	                                    "coalesce(json_agg(json_build_object('domain', "       \
	                                    "d.domain, "                                           \
	                                    "'method', d.verification_method, 'is_verified', "     \
	                                    "d.is_verified)), '[]') "                              \
	                                    "FROM domain_verifications d WHERE d.landing_page_id " \
	                                    "= p.id))"

/* Streams one file in 64 KiB pieces. */
static int copy_file(cb_export *out, const char *path)
{
	char buf[65536];
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = CB_OK;
	ssize_t n;
	if (fd < 0)
		return CB_OK; /* removed meanwhile */
	while (rc == CB_OK && (n = read(fd, buf, sizeof buf)) > 0)
		rc = cb_export_write(out, buf, (size_t)n);
	close(fd);
	return rc;
}

static int export_assets(cb_req *req, const char *page, cb_export *out)
{
	const char *dir = cb_sprintf(req, "%s/%s", lp_cf.asset_dir, page);
	DIR *d = opendir(dir);
	struct dirent *de;
	int rc = CB_OK;
	if (!d)
		return CB_OK;
	while (rc == CB_OK && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue; /* ., .. and temporary files */
		rc = cb_export_file(out, cb_sprintf(req, "landing/assets/%s/%s", page, de->d_name));
		if (rc == CB_OK) {
			cb_export_count(out, 1);
			rc = copy_file(out, cb_sprintf(req, "%s/%s", dir, de->d_name));
		}
	}
	closedir(d);
	return rc;
}

static int export_pages(cb_req *req, const char *uid, cb_export *out)
{
	int rc =
	    cb_export_ndjson(req, out, "landing/pages.ndjson",
	                     "SELECT " PAGE_JSON "::text AS j, id::text AS k FROM landing_pages p "
	                     "WHERE user_id = $1 AND id::text > $2 ORDER BY id::text LIMIT 1000",
	                     uid);
	if (rc != CB_OK)
		return rc;
	cb_res *r =
	    cb_db_q(req, "SELECT id FROM landing_pages WHERE user_id = $1 ORDER BY id", uid);
	if (!r)
		return CB_EDB;
	for (int i = 0; rc == CB_OK && i < cb_res_rows(r); i++)
		rc = export_assets(req, cb_res_val(r, i, "id"), out);
	return rc;
}

static int set_published(cb_req *req, const char *uid, int on)
{
	cb_res *r =
	    on ? cb_db_q(req,
	                 "UPDATE landing_pages SET is_published = true, gdpr_suspended = false, "
	                 "render_version = render_version + 1, updated_at = now() "
	                 "WHERE user_id = $1 AND gdpr_suspended RETURNING id",
	                 uid)
	       : cb_db_q(req,
	                 "UPDATE landing_pages SET is_published = false, gdpr_suspended = true, "
	                 "render_version = render_version + 1, updated_at = now() "
	                 "WHERE user_id = $1 AND is_published RETURNING id",
	                 uid);
	if (!r)
		return CB_EDB;
	for (int i = 0; i < cb_res_rows(r); i++)
		cache_invalidate_page(cb_res_val(r, i, "id"));
	return CB_OK;
}

static int suspend(cb_req *req, const char *uid)
{
	return set_published(req, uid, 0);
}

static int restore(cb_req *req, const char *uid)
{
	return set_published(req, uid, 1);
}

static int erase(cb_req *req, const char *uid, long long *rows)
{
	cb_res *d = cb_db_q(req,
	                    "DELETE FROM domain_verifications WHERE landing_page_id IN "
	                    "(SELECT id FROM landing_pages WHERE user_id = $1)",
	                    uid);
	cb_res *p =
	    d ? cb_db_q(req, "DELETE FROM landing_pages WHERE user_id = $1 RETURNING id", uid)
	      : NULL;
	if (!p)
		return CB_EDB;
	for (int i = 0; i < cb_res_rows(p); i++) {
		cache_invalidate_page(cb_res_val(p, i, "id"));
		assets_remove_page(cb_res_val(p, i, "id"));
	}
	*rows += cb_res_affected(d) + cb_res_affected(p);
	return CB_OK;
}

static const cb_datasubject ds = {
    CB_DATASUBJECT_SIZE, "landing", export_pages, erase, suspend, restore, NULL, NULL, NULL, NULL};

int gdpr_register(cb_plugin *p)
{
	return cb_datasubject_register(p, &ds);
}
