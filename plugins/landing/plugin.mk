# landing: gzip of cached pages via zlib, DNS TXT look-ups via c-ares, SHA-256
# via OpenSSL's libcrypto.
LIBS_landing := -lz -lcares -lcrypto -lm
