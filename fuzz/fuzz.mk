# ---- fuzz ----
# libFuzzer harnesses (fuzz/*.c) built with clang-14 under ASan + UBSan into
# build-fuzz/, each run for FUZZ_SECONDS (default 45) from its corpus in
# fuzz/corpus/NAME by fuzz/run.sh, which prints executions and crashes.
# Needs clang-14 and libclang-rt-14-dev (scripts/deps.sh). `make fuzz`
# builds and runs them all; `make fuzz-build` only builds.
FUZZ_CC      ?= clang-14
FB           := build-fuzz
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_FLAGS   := -std=c11 -D_GNU_SOURCE -g -O1 $(WARN) -Wno-unused-function -Wno-format-nonliteral -Wno-float-conversion $(FUZZ_SAN) -pthread
FUZZ_CORE_CF := $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -DCB_CORE_BUILD -Isdk -Icore \
                $(shell pkg-config --cflags $(PKGS)) -DCB_PLUGIN_DIR='"/nonexistent"'
FUZZ_PLUG_CF := $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -Isdk
FUZZ_CORE_OBJ := $(patsubst core/%.c,$(FB)/core/%.o,$(filter-out core/main.c,$(CORE_SRC))) \
                 $(FB)/gen/core_sql.o
FUZZERS      := json conf router hbs domain host chat

# Which plugin files (and libraries, include dirs) a harness links.
FUZZ_SRC_hbs    := $(wildcard plugins/templates/hbs_*.c)
FUZZ_INC_hbs    := -Iplugins/templates
FUZZ_LIBS_hbs   := -lm
FUZZ_SRC_domain := plugins/keys/domain.c
FUZZ_INC_domain := -Iplugins/keys
FUZZ_LIBS_domain := -lidn2
FUZZ_SRC_host   := $(filter-out plugins/landing/plugin.c,$(wildcard plugins/landing/*.c))
FUZZ_INC_host   := -Iplugins/landing -Iplugins/templates
FUZZ_LIBS_host  := -lz -lcares -lcrypto
FUZZ_SRC_chat   := plugins/chat/normalise.c plugins/chat/intents.c
FUZZ_INC_chat   := -Iplugins/chat -Iplugins/keys
FUZZ_LIBS_chat  := -lm

.PHONY: fuzz fuzz-build
fuzz-build: $(foreach f,$(FUZZERS),$(FB)/fuzz-$(f))
fuzz: fuzz-build
	FUZZ_BUILD=$(FB) fuzz/run.sh $(FUZZERS)

$(FB)/core/%.o: core/%.c $(wildcard core/*.h) $(wildcard sdk/carbot/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CORE_CF) -c $< -o $@

$(FB)/gen/core_sql.o: $(B)/gen/core_sql.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CORE_CF) -Wno-missing-prototypes -c $< -o $@

$(FB)/plugins/%.o: plugins/%.c $(wildcard plugins/*/*.h) $(wildcard sdk/carbot/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_PLUG_CF) -Iplugins/keys -Iplugins/templates -I$(dir $<) -c $< -o $@

define fuzz_rules
$(FB)/fuzz-$(1): fuzz/$(1).c fuzz/fuzz.h $(FUZZ_CORE_OBJ) $(patsubst %.c,$(FB)/%.o,$(FUZZ_SRC_$(1)))
	$(FUZZ_CC) $(FUZZ_CORE_CF) -fsanitize=fuzzer $(FUZZ_INC_$(1)) -Wno-missing-prototypes \
	    fuzz/$(1).c $(FUZZ_CORE_OBJ) $(patsubst %.c,$(FB)/%.o,$(FUZZ_SRC_$(1))) -o $$@ \
	    $(CORE_LIBS) $(FUZZ_LIBS_$(1))
endef
$(foreach f,$(FUZZERS),$(eval $(call fuzz_rules,$(f))))
# ---- end fuzz ----
