# chat: HMAC-SHA-256, SHA-256 and random bytes via OpenSSL's libcrypto, gzip
# of widget.js via zlib (Debian: zlib1g-dev); Snowball stemming via
# libstemmer (Debian: libstemmer-dev); keys_api.h of the keys plugin.
LIBS_chat := -lcrypto -lz -lm -lstemmer
CFLAGS_chat := -Iplugins/keys
