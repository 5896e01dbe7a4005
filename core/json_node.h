/* json_node.h — the layout of a JSON node, shared by the files of the JSON
 * module (json.c: the DOM, json_parse.c, json_dump.c). Nothing else in the
 * core looks inside a cb_json. */
#ifndef CB_CORE_JSON_NODE_H
#define CB_CORE_JSON_NODE_H

#include <stddef.h>

#include "req.h"

struct member {
	const char *key;
	size_t klen;
	cb_json *val;
};

struct cb_json {
	cb_req *req; /* so setters can allocate without being handed the request */
	unsigned char type;
	unsigned char is_int; /* a number whose exact value is i */
	size_t len, cap;      /* bytes of a string; elements or members, and room */
	union {
		int b;
		double d;
		char *s;
		void *items;
		cb_json **elems;
		struct member *members;
	};
	long long i;
};

/* A new node of type in req's arena; NULL when req is NULL. */
cb_json *node_new(cb_req *req, int type);

/* 1 for arrays and objects. */
int is_container(const cb_json *v);

/* Appends v to container c (key ignored for arrays), growing it by doubling. */
void append(cb_json *c, const char *key, size_t klen, cb_json *v);

/* The member of object o named key (klen bytes), or NULL. */
struct member *obj_find(const cb_json *o, const char *key, size_t klen);

/* Length of the well-formed UTF-8 sequence at s (n bytes left), or 0. */
size_t utf8_len(const unsigned char *s, size_t n);

#endif
