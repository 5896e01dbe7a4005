# auth: JWT via libjwt, bcrypt via the system's libcrypt, SHA-256 and random
# bytes via OpenSSL's libcrypto.
LIBS_auth := -ljwt -lcrypt -lcrypto
