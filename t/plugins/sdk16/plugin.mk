# sdk16: routes over the SDK 1.6 helpers (query checks, pagination, text in
# characters, row JSON, the db-error reply, the cache, subscriber isolation,
# users.v1), for t/sdk-helpers.t. Not for production.
