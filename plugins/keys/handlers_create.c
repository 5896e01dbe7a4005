/* handlers_create.c — POST /api/v1/client-keys: a new key, shown once. */
#include <stddef.h>
#include <string.h>

#include <carbot/services/users_api.h>

#include "keys.h"

struct new_key {
	const char *env, *domain, *description;
	long long usage_limit;
};

static int read_input(cb_req *req, const cb_json *body, struct new_key *nk)
{
	static const char *const known[] = {"domain", "description", "usage_limit", "environment"};
	cb_check *c = cb_check_new(req, body);
	const char *domain_in, *why = NULL;
	int set;

	reject_unknown(c, body, known, sizeof(known) / sizeof(known[0]));
	nk->env = "prod";
	if (cb_json_type(cb_json_get(body, "environment")) > CB_JSON_NULL) {
		nk->env = cb_check_str(c, "environment", CB_OPTIONAL, 1, 16);
		if (nk->env && strcmp(nk->env, "prod") != 0 && strcmp(nk->env, "test") != 0) {
			cb_check_fail(c, "environment", "invalid",
			              "environment is \"prod\" or \"test\"");
			nk->env = NULL;
		}
	}
	domain_in = cb_check_str(c, "domain", CB_REQUIRED, 1, 255);
	if (domain_in && nk->env) {
		nk->domain = domain_normalize(req, domain_in, nk->env, &why);
		if (!nk->domain)
			cb_check_fail(c, "domain", "invalid", "%s", why);
	}
	nk->description = read_description(c, body, &set);
	nk->usage_limit = usage_limit_max(cb_req_get(req, "user.tier"));
	cb_check_int(c, "usage_limit", CB_OPTIONAL, USAGE_LIMIT_MIN, nk->usage_limit,
	             &nk->usage_limit);
	if (!cb_check_ok(c)) {
		cb_check_reply(c);
		return CB_EINVAL;
	}
	return CB_OK;
}

/* Serialises key creation per user (the user's row lock, through users.v1)
 * so that the plan's key limit and max_keys_per_user hold under
 * concurrency. 1 when under both, 0 when at one (403 or 409 set), -1 on a
 * database failure (reply set). */
static int under_key_limit(cb_req *req, const char *user_id)
{
	const struct cb_users_v1 *users = cb_service(CB_USERS_V1);
	cb_user u = CB_USER_INIT;
	const char *tier = cb_req_get(req, "user.tier");
	long long plan, have;
	cb_res *n;
	int rc;

	if (users && users->size > offsetof(struct cb_users_v1, lock)) {
		rc = users->lock(req, user_id, &u);
		if (rc == CB_OK)
			tier = u.tier; /* the tier as of now, under the lock */
	} else {
		rc = cb_db_q(req, "SELECT 1 FROM users WHERE id = $1 FOR UPDATE", user_id) ? CB_OK
		                                                                           : CB_EDB;
	}
	if (rc != CB_OK && rc != CB_ENOTFOUND) {
		cb_reply_db_error(req, "create key: lock user");
		return -1;
	}
	n = cb_db_q(req,
	            "SELECT count(*) AS n FROM client_keys WHERE user_id = $1 "
	            "AND revoked_at IS NULL",
	            user_id);
	if (!n) {
		cb_reply_db_error(req, "create key: count");
		return -1;
	}
	have = cb_res_int(n, 0, "n");
	plan = tier_max_keys(tier);
	if (plan >= 0 && have >= plan && plan < keys_cf.max_keys_per_user) {
		cb_db_rollback(req);
		cb_reply_error(req, 403, "plan_key_limit_reached",
		               "Your plan (%s) allows %lld client keys; revoke one or upgrade",
		               tier_index(tier) < 0 ? "basic" : tier, plan);
		return 0;
	}
	if (have >= keys_cf.max_keys_per_user) {
		cb_db_rollback(req);
		cb_reply_error(req, 409, "key_limit_reached",
		               "You have %lld keys already; revoke one to create another",
		               keys_cf.max_keys_per_user);
		return 0;
	}
	return 1;
}

static int insert_failed(cb_req *req)
{
	if (strcmp(cb_db_sqlstate(req), "23505") == 0 &&
	    strstr(cb_db_errmsg(req), "client_keys_user_env_domain_key")) {
		cb_db_rollback(req);
		return cb_reply_error(req, 409, "domain_taken",
		                      "You already have a key of this environment for this domain");
	}
	return cb_reply_db_error(req, "create key: insert");
}

int h_create(cb_req *req)
{
	cb_json *body = cb_req_json(req), *out;
	const char *user_id = cb_req_get(req, "user.id");
	struct new_key nk = {0};
	char *key, *hash, *token;
	cb_res *res;
	int ok;

	if (!body || read_input(req, body, &nk) != CB_OK)
		return CB_OK;
	key = key_generate(req, nk.env);
	hash = key ? key_hash_hex(req, key) : NULL;
	token = cb_random_hex(req, 16);
	if (!hash || !token) {
		cb_log(req, CB_LOG_ERROR, "create key: CSPRNG or HMAC failed");
		return cb_reply_error(req, 500, "internal_error", "Something went wrong");
	}
	if (cb_db_begin(req) != CB_OK)
		return cb_reply_db_error(req, "create key: begin");
	ok = under_key_limit(req, user_id);
	if (ok <= 0)
		return CB_OK;
	res = cb_db_q(req,
	              "WITH k AS (INSERT INTO client_keys (user_id, environment, key_hash, "
	              "  key_last4, domain, verification_token, description, usage_limit, "
	              "  expires_at) VALUES ($1, $2, decode($3, 'hex'), $4, $5, $6, $7, $8::int, "
	              "  CASE WHEN $9::int > 0 THEN now() + make_interval(days => $9::int) END) "
	              "  RETURNING *) "
	              "SELECT " KEY_COLS " FROM " KEY_FROM("k"),
	              user_id, nk.env, hash, key + KEY_LEN - 4, nk.domain,
	              cb_sprintf(req, "cbv_%s", token), nk.description,
	              cb_sprintf(req, "%lld", nk.usage_limit),
	              cb_sprintf(req, "%lld", keys_cf.key_ttl_days));
	if (!res)
		return insert_failed(req);
	if (cb_db_commit(req) != CB_OK)
		return cb_reply_db_error(req, "create key: commit");

	out = key_json(req, res, 0, 0, 0, 0);
	cb_json_set_str(out, "key", key); /* the only time it is ever shown */
	cb_set_header(req, "Cache-Control", "no-store");
	cb_log(req, CB_LOG_INFO, "client key %s created (%s, %s)", cb_res_val(res, 0, "id"), nk.env,
	       nk.domain);
	return cb_reply_json(req, 201, out);
}
