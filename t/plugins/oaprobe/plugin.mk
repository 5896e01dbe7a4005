# oaprobe: a plugin whose routes and OpenAPI fragment disagree, for
# t/openapi.t. Not for production.
