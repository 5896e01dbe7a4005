# keysprobe: routes behind the keys plugin's client-key authenticator and a
# window on its keys.v1 service, for t/keys-*.t. Not for production.

