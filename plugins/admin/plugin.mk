# admin: SHA-256 ETags via OpenSSL's libcrypto, gzip of the built files via zlib.
LIBS_admin := -lcrypto -lz
