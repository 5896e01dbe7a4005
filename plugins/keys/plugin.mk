# keys: HMAC-SHA-256 and random bytes via OpenSSL's libcrypto, IDN domains
# via libidn2 (Debian: libidn2-dev).
LIBS_keys := -lidn2 -lcrypto
