# gdpr: the export archive is a ZIP written by streaming through libarchive
# (Debian: libarchive-dev); SHA-256 of each file via OpenSSL's libcrypto.
LIBS_gdpr := -larchive -lcrypto
