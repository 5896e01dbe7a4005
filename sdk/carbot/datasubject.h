/* carbot/datasubject.h — the data-subject contract (GDPR Art. 15, 17, 20;
 * since 1.6).
 *
 * Every plugin that stores personal data answers for its own rows. In init it
 * registers one cb_datasubject: a section name, an exporter (writes the
 * plugin's part of one owner's data into an archive) and an eraser (deletes
 * or anonymises the plugin's rows of one owner), optionally a visitor eraser
 * and exporter (one visitor of an owner: chat's conversations and leads) and
 * suspend/restore (switch off what the owner has while an erasure waits out
 * its grace period, and switch it back on when it is cancelled).
 *
 *   static const cb_datasubject ds = {CB_DATASUBJECT_SIZE, "notes", export_notes,
 *                                     erase_notes, NULL, NULL, NULL, NULL, NULL};
 *   cb_datasubject_register(p, &ds);   (in init)
 *
 * Order: the entries run in plugin load order, which is dependency order
 * (auth before keys before chat): exporters and restore in that order,
 * erasers and suspend in reverse (a plugin's rows go before the rows they
 * refer to, the user row of auth last). The gdpr plugin drives them; it
 * knows no other plugin's tables.
 *
 * Who calls what, and in which transaction: erase_* and suspend/restore run
 * inside the caller's open transaction (a failing one aborts the erasure
 * as a whole); export_* run inside a read-only REPEATABLE READ transaction,
 * so all sections see one snapshot.
 */
#ifndef CARBOT_DATASUBJECT_H
#define CARBOT_DATASUBJECT_H

#include <stddef.h>

typedef struct cb_req cb_req;
typedef struct cb_plugin cb_plugin;
typedef struct cb_json cb_json;

/* Where an exporter writes: files in the archive, written by streaming.
 * Provided by the caller (the gdpr plugin); starts with its size and only
 * grows at its end. Use the inline helpers below rather than the members. */
typedef struct cb_export {
	size_t size;
	void *ctx;
	/* Starts file `name` (relative, e.g. "chat/messages.ndjson"; [A-Za-z0-9._/-],
	 * no ".."), ending the one before. CB_OK, CB_EINVAL (bad name), CB_ERR. */
	int (*file)(struct cb_export *out, const char *name);
	/* Appends len bytes to the current file. CB_OK or CB_ERR. */
	int (*write)(struct cb_export *out, const void *data, size_t len);
	/* Adds n to the current file's record count (manifest.json). */
	void (*count)(struct cb_export *out, long long n);
} cb_export;

/* Which visitor of an owner: any of the fields may be NULL, a row matches
 * when it matches one that is set. Grows at its end. */
typedef struct cb_visitor {
	size_t size;
	const char *conversation_id; /* uuid */
	const char *session_id;      /* the widget's session */
	const char *email;           /* a lead's e-mail, lower case */
	const char *phone;           /* a lead's phone, as stored */
} cb_visitor;
#define CB_VISITOR_INIT                                                                            \
	{                                                                                          \
		sizeof(cb_visitor), NULL, NULL, NULL, NULL                                         \
	}

typedef struct cb_datasubject {
	size_t size;         /* CB_DATASUBJECT_SIZE */
	const char *section; /* [a-z0-9_]{1,32}, unique: the archive's folder */
	/* Writes the owner's rows as files under "SECTION/". CB_OK or an error
	 * (the export fails as a whole). */
	int (*export_owner)(cb_req *req, const char *user_id, cb_export *out);
	/* Deletes (or anonymises, for what analytics keeps) the owner's rows;
	 * adds the number of rows touched to *rows. CB_OK or an error. */
	int (*erase_owner)(cb_req *req, const char *user_id, long long *rows);
	/* Switches off what the owner has (sessions, keys, pages) while the
	 * erasure is pending; restore switches it back on. Either may be NULL. */
	int (*suspend)(cb_req *req, const char *user_id);
	int (*restore)(cb_req *req, const char *user_id);
	/* One visitor of the owner: export as JSON members into *into (an
	 * object; set member SECTION) and erase. Either may be NULL. */
	int (*export_visitor)(cb_req *req, const char *user_id, const cb_visitor *v, cb_json *into);
	int (*erase_visitor)(cb_req *req, const char *user_id, const cb_visitor *v,
	                     long long *rows);
	/* Checks the owner's re-entered password before an erasure: CB_OK,
	 * CB_EINVAL (wrong), or another error. Only the plugin holding passwords
	 * (auth) sets it. */
	int (*confirm)(cb_req *req, const char *user_id, const char *password);
	/* Retention: deletes conversations (and what hangs on them) older than
	 * days of owner user_id, or, user_id NULL, of every owner except those
	 * in exempt (a PostgreSQL uuid[] literal, "{}" for none); keeps only
	 * anonymous aggregates. Adds the rows touched to *rows. May be NULL. */
	int (*purge)(cb_req *req, const char *user_id, long long days, const char *exempt,
	             long long *rows);
} cb_datasubject;
#define CB_DATASUBJECT_SIZE sizeof(cb_datasubject)

/* Registers the plugin's entry (copied; section copied). Only inside init,
 * once per plugin. CB_OK, CB_ESTATE (outside init), CB_EINVAL (bad section,
 * no exporter or eraser), CB_EEXIST (section taken or second entry; the
 * reason names the other plugin). */
int cb_datasubject_register(cb_plugin *p, const cb_datasubject *ds);

/* The i-th entry in load (dependency) order, NULL past the last. The
 * pointer lives as long as carbotd. */
const cb_datasubject *cb_datasubject_at(size_t i);

#endif
