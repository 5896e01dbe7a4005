/* carbot/errors.h — return codes shared by every SDK function.
 *
 * Functions that return int return CB_OK (0) on success and one of the negative
 * codes below on failure. Functions that return a pointer return NULL on failure
 * and say in their header which code applies.
 */
#ifndef CARBOT_ERRORS_H
#define CARBOT_ERRORS_H

/* An array of strings built in place, for the variadic query and command
 * macros: a compound literal in C, an initializer_list (alive until the end
 * of the full expression) in C++. */
#ifdef __cplusplus
#define CB__STRV(...) (std::initializer_list<const char *>{__VA_ARGS__}.begin())
#else
#define CB__STRV(...) ((const char *const[]){__VA_ARGS__})
#endif

enum cb_status {
	CB_OK = 0,
	CB_ERR = -1,          /* unspecified failure */
	CB_ENOMEM = -2,       /* out of memory */
	CB_EINVAL = -3,       /* bad argument or bad input */
	CB_EDB = -4,          /* the database refused or could not be reached */
	CB_EREDIS = -5,       /* Redis could not be reached or refused the command */
	CB_ENOTFOUND = -6,    /* no such thing */
	CB_ETIMEOUT = -7,     /* gave up waiting */
	CB_EVETO = -8,        /* a hook subscriber vetoed the event */
	CB_EEXIST = -9,       /* already exists (duplicate name, route, key) */
	CB_ETOOBIG = -10,     /* over a size limit */
	CB_EFETCH = -11,      /* outbound HTTP failed before a response arrived */
	CB_ESTATE = -12,      /* called at the wrong time (e.g. registering after init) */
};

/* Static English name of a status code ("CB_EDB"); never NULL. */
const char *cb_strerror(int code);

#endif
