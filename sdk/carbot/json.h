/* carbot/json.h — JSON values, parsed and built in a request's arena.
 *
 * A cb_json is a node of a JSON document (object, array, string, number,
 * boolean or null). Every node lives in the arena of the request that made it
 * and is released with it: never free one. Getters return borrowed pointers
 * valid until the request ends. Object keys keep their insertion order; setting
 * an existing key replaces its value in place.
 *
 * Every getter accepts NULL and answers "absent", so lookups chain safely:
 *   cb_json_str(cb_json_get(cb_json_get(body, "contact_info"), "phone"))
 */
#ifndef CARBOT_JSON_H
#define CARBOT_JSON_H

#include <stddef.h>

typedef struct cb_req cb_req;
typedef struct cb_json cb_json;

enum cb_json_type {
	CB_JSON_NONE = 0, /* the NULL pointer: absent */
	CB_JSON_NULL,
	CB_JSON_BOOL,
	CB_JSON_NUMBER,
	CB_JSON_STRING,
	CB_JSON_ARRAY,
	CB_JSON_OBJECT,
};

/* Deepest nesting cb_json_parse accepts; deeper input is refused. */
#define CB_JSON_MAX_DEPTH 64

/* Parses len bytes of JSON text (strict RFC 8259: no comments, no trailing
 * garbage, valid UTF-8, no \u0000 in strings, at most CB_JSON_MAX_DEPTH deep).
 * Returns the root node in req's arena, or NULL when the text is not valid;
 * then, if err is not NULL, a short English reason is written to err (at most
 * errlen bytes, NUL-terminated). */
cb_json *cb_json_parse(cb_req *req, const char *text, size_t len, char *err, size_t errlen);

/* Type of v; CB_JSON_NONE when v is NULL. */
int cb_json_type(const cb_json *v);

/* Member key of object obj, or NULL when obj is not an object or lacks key. */
cb_json *cb_json_get(const cb_json *obj, const char *key);

/* String value of v (NUL-terminated, borrowed), or NULL when v is not a
 * string. */
const char *cb_json_str(const cb_json *v);

/* Number of bytes of the string v (excluding the NUL); 0 when not a string. */
size_t cb_json_strlen(const cb_json *v);

/* Stores the number v in *out and returns CB_OK; CB_EINVAL when v is not a
 * number. */
int cb_json_num(const cb_json *v, double *out);

/* Stores v in *out when it is a number with no fraction within the range of
 * long long; otherwise returns CB_EINVAL and leaves *out alone. */
int cb_json_int(const cb_json *v, long long *out);

/* Stores 1 or 0 in *out when v is a boolean; otherwise CB_EINVAL. */
int cb_json_bool(const cb_json *v, int *out);

/* Number of elements of an array or members of an object; 0 otherwise. */
size_t cb_json_len(const cb_json *v);

/* Element i of an array, or value of member i of an object; NULL when out of
 * range or v is neither. */
cb_json *cb_json_at(const cb_json *v, size_t i);

/* Key of member i of object v; NULL when out of range or not an object. */
const char *cb_json_key_at(const cb_json *v, size_t i);

/* Convenience: cb_json_str(cb_json_get(obj, key)). */
const char *cb_json_get_str(const cb_json *obj, const char *key);

/* Constructors. Each returns a new node in req's arena (never NULL). Strings
 * are copied. cb_json_new_strn copies exactly n bytes. */
cb_json *cb_json_new_object(cb_req *req);
cb_json *cb_json_new_array(cb_req *req);
cb_json *cb_json_new_str(cb_req *req, const char *s); /* s NULL gives JSON null */
cb_json *cb_json_new_strn(cb_req *req, const char *s, size_t n);
cb_json *cb_json_new_int(cb_req *req, long long n);
cb_json *cb_json_new_num(cb_req *req, double n);
cb_json *cb_json_new_bool(cb_req *req, int b);
cb_json *cb_json_new_null(cb_req *req);

/* Sets member key of object obj to val (replacing an existing member of that
 * name, keeping its position). key is copied. Returns CB_OK, or CB_EINVAL when
 * obj is not an object or val is NULL. */
int cb_json_set(cb_json *obj, const char *key, cb_json *val);

/* Shorthands for cb_json_set with a new node made in obj's arena. A NULL s in
 * cb_json_set_str stores JSON null. */
int cb_json_set_str(cb_json *obj, const char *key, const char *s);
int cb_json_set_int(cb_json *obj, const char *key, long long n);
int cb_json_set_num(cb_json *obj, const char *key, double n);
int cb_json_set_bool(cb_json *obj, const char *key, int b);
int cb_json_set_null(cb_json *obj, const char *key);

/* Removes member key from obj; CB_OK, or CB_ENOTFOUND when absent. */
int cb_json_del(cb_json *obj, const char *key);

/* Appends val to array arr. CB_OK, or CB_EINVAL when arr is not an array or
 * val is NULL. */
int cb_json_push(cb_json *arr, cb_json *val);

/* Serialises v as compact JSON into req's arena (NUL-terminated). When len is
 * not NULL the length is stored there. Strings are escaped so the output is
 * safe inside an HTML <script> element ("<", ">", "&", U+2028 and U+2029 are
 * written as \u escapes). Returns NULL only when v is NULL. */
char *cb_json_dump(cb_req *req, const cb_json *v, size_t *len);

#endif
