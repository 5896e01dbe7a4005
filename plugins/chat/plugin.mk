# chat: HMAC-SHA-256, SHA-256 and random bytes via OpenSSL's libcrypto, gzip
# of widget.js via zlib (Debian: zlib1g-dev); Snowball stemming via
# libstemmer (Debian: libstemmer-dev); keys_api.h of the keys plugin.
LIBS_chat := -lcrypto -lz -lm -lstemmer
CFLAGS_chat := -Iplugins/keys -I$(B)/gen/chat

# The intent classifier is trained at build time: train/train.c learns the
# weights from train/utterances.tsv and writes them as a C header.
$(B)/plugins/chat.so: $(B)/gen/chat/intent_model.h
$(B)/gen/chat/intent_model.h: plugins/chat/train/train.c plugins/chat/train/features.h \
                              plugins/chat/train/utterances.tsv
	@mkdir -p $(B)/gen/chat
	$(CC) -std=c11 -D_GNU_SOURCE $(WARN) -O2 plugins/chat/train/train.c -o $(B)/gen/chat/train -lm
	$(B)/gen/chat/train plugins/chat/train/utterances.tsv > $@.tmp
	mv $@.tmp $@
