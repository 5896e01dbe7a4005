/* gdprprobe — a third-party plugin with personal data of its own (a note per
 * owner, written by the tests with SQL). It knows nothing of gdpr: it
 * registers an exporter and an eraser through <carbot/datasubject.h>, and
 * t/gdpr-*.t prove both run. */
#include <carbot/sdk.h>

static const char migration_001[] =
    "CREATE TABLE gdprprobe_notes (\n"
    "    id bigserial PRIMARY KEY,\n"
    "    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,\n"
    "    note text NOT NULL\n"
    ");\n"
    "CREATE INDEX gdprprobe_notes_user_idx ON gdprprobe_notes (user_id);\n";

static int export_notes(cb_req *req, const char *uid, cb_export *out)
{
	return cb_export_ndjson(req, out, "gdprprobe/notes.ndjson",
	                        "SELECT json_build_object('note', note)::text AS j, "
	                        "lpad(id::text, 20, '0') AS k FROM gdprprobe_notes "
	                        "WHERE user_id = $1 AND lpad(id::text, 20, '0') > $2 "
	                        "ORDER BY id LIMIT 1000",
	                        uid);
}

/* The CASCADE would do it too; the contract says: delete your own rows. The
 * FK is dropped by the test that proves it, so this eraser must work alone. */
static int erase_notes(cb_req *req, const char *uid, long long *rows)
{
	cb_res *r = cb_db_q(req, "DELETE FROM gdprprobe_notes WHERE user_id = $1", uid);
	if (!r)
		return CB_EDB;
	*rows += cb_res_affected(r);
	return CB_OK;
}

static const cb_datasubject ds = {CB_DATASUBJECT_SIZE,
                                  "gdprprobe",
                                  export_notes,
                                  erase_notes,
                                  NULL,
                                  NULL,
                                  NULL,
                                  NULL,
                                  NULL,
                                  NULL};

static int probe_init(cb_plugin *p)
{
	if (cb_migration(p, "001_notes", migration_001) != CB_OK)
		return cb_plugin_fail(p, "migration");
	return cb_datasubject_register(p, &ds);
}

CB_PLUGIN("gdprprobe", "1.0.0", CB_DEPS("auth"), probe_init, NULL)
