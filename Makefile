# CarBot — build, run, test, install.
#
#   make            build carbotd, the plugins and the tools into build/
#   make run        set up a private PostgreSQL + Redis under var/ and serve on :8080
#   make test       build with -Werror and run every TAP test (prove -r t/)
#   make test SAN=1 the same under AddressSanitizer + UndefinedBehaviorSanitizer
#   make bench      run the benchmarks under bench/
#   make install    PREFIX=/usr/local DESTDIR= : carbotd, plugins, SDK headers, carbot-sdk.pc

PREFIX  ?= /usr/local
DESTDIR ?=
SAN     ?=
CC      ?= cc

ifeq ($(SAN),1)
B       := build-san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
B       := build
SANFLAGS :=
endif

PKGS    := libevent libevent_pthreads libpq hiredis yajl libcurl libcrypto
WARN    := -Wall -Wextra -Werror -Wshadow -Wconversion -Wno-sign-conversion -Wstrict-prototypes \
           -Wmissing-prototypes -Wformat=2
CFLAGS  ?= -O2 -g
ALLCFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(SANFLAGS) -pthread
CORE_CFLAGS = $(ALLCFLAGS) -DCB_CORE_BUILD -Isdk -Icore $(shell pkg-config --cflags $(PKGS)) \
              -DCB_PLUGIN_DIR='"$(PREFIX)/lib/carbot/plugins"'
CORE_LIBS = $(shell pkg-config --libs $(PKGS)) -ldl -lpthread -lm
PLUGIN_CFLAGS = $(ALLCFLAGS) -fPIC -fvisibility=hidden -Isdk
PLUGIN_LDFLAGS = -shared $(SANFLAGS)

CORE_SRC  := $(wildcard core/*.c)
CORE_OBJ  := $(patsubst core/%.c,$(B)/core/%.o,$(CORE_SRC))
CORE_LIB_OBJ := $(filter-out $(B)/core/main.o,$(CORE_OBJ)) $(B)/gen/core_sql.o
PLUGINS   := $(notdir $(patsubst %/,%,$(dir $(wildcard plugins/*/plugin.mk))))
TPLUGINS  := $(notdir $(patsubst %/,%,$(dir $(wildcard t/plugins/*/plugin.mk))))
UNITS     := $(patsubst t/unit/%.c,%,$(wildcard t/unit/*.c))

.PHONY: all core plugins sdk tplugins units test run bench install clean fmt
all: core plugins sdk tplugins units widget

core: $(B)/carbotd
sdk: $(B)/cb-embed
plugins: $(foreach p,$(PLUGINS),$(B)/plugins/$(p).so)
tplugins: $(foreach p,$(TPLUGINS),$(B)/t/plugins/$(p).so)
units: $(foreach u,$(UNITS),$(B)/t/unit/$(u))

$(B)/core/%.o: core/%.c $(wildcard core/*.h) $(wildcard sdk/carbot/*.h) $(wildcard sdk/carbot/services/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CORE_CFLAGS) -c $< -o $@

$(B)/cb-embed: sdk/tools/cb-embed.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 $(WARN) -O2 $< -o $@

$(B)/gen/core_sql.c: $(B)/cb-embed $(wildcard sql/*.sql)
	@mkdir -p $(dir $@)
	$(B)/cb-embed $@ $(sort $(wildcard sql/*.sql))

# core/openapi.json: the core's part of the OpenAPI document (openapi.c)
CORE_LIB_OBJ += $(B)/gen/core_openapi.o
$(B)/gen/core_openapi.c: $(B)/cb-embed core/openapi.json
	@mkdir -p $(dir $@)
	$(B)/cb-embed -s cb_core_openapi_json $@ core/openapi.json

$(B)/gen/core_openapi.o: $(B)/gen/core_openapi.c
	$(CC) $(CORE_CFLAGS) -Wno-missing-prototypes -c $< -o $@

$(B)/carbotd: $(B)/gen/core_openapi.o

$(B)/gen/core_sql.o: $(B)/gen/core_sql.c
	$(CC) $(CORE_CFLAGS) -Wno-missing-prototypes -c $< -o $@

$(B)/carbotd: $(CORE_OBJ) $(B)/gen/core_sql.o
	$(CC) $(SANFLAGS) -pthread $^ -o $@ $(CORE_LIBS)

# A plugin is a folder with plugin.mk (which may set LIBS_<name> and
# CFLAGS_<name>), C files, and optionally sql/*.sql embedded as migrations.
define plugin_rules
-include $(2)/$(1)/plugin.mk
$(B)/$(3)/$(1).so: $(wildcard $(2)/$(1)/*.c) $(wildcard $(2)/$(1)/*.h) $(wildcard $(2)/$(1)/sql/*.sql) \
                   $(wildcard sdk/carbot/*.h) $(wildcard sdk/carbot/services/*.h) $(B)/cb-embed \
                   $(wildcard $(2)/$(1)/openapi.json)
	@mkdir -p $(B)/$(3) $(B)/gen/$(1)
	$(B)/cb-embed $(B)/gen/$(1)/sql.c $(sort $(wildcard $(2)/$(1)/sql/*.sql))
	$(if $(wildcard $(2)/$(1)/openapi.json),$(B)/cb-embed -s cb_openapi_json $(B)/gen/$(1)/openapi.c $(2)/$(1)/openapi.json)
	$(CC) $(PLUGIN_CFLAGS) $$(CFLAGS_$(1)) $(PLUGIN_LDFLAGS) -o $$@ \
	      $(wildcard $(2)/$(1)/*.c) $(B)/gen/$(1)/sql.c $$(LIBS_$(1)) \
	      $(if $(wildcard $(2)/$(1)/openapi.json),$(B)/gen/$(1)/openapi.c)
endef
$(foreach p,$(PLUGINS),$(eval $(call plugin_rules,$(p),plugins,plugins)))
$(foreach p,$(TPLUGINS),$(eval $(call plugin_rules,$(p),t/plugins,t/plugins)))

$(B)/t/unit/%: t/unit/%.c t/unit/tap.h $(CORE_LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CORE_CFLAGS) -Wno-missing-prototypes -It/unit $< $(CORE_LIB_OBJ) -o $@ $(CORE_LIBS)

# Both first install what a fresh Debian 12 machine lacks (as root; otherwise
# scripts/deps.sh prints the apt-get line to run and stops).
test:
	scripts/deps.sh
	$(MAKE) all
	CARBOT_BUILD=$(B) prove -r t/

run:
	scripts/deps.sh
	$(MAKE) all
	CARBOT_BUILD=$(B) PORT=$${PORT:-8080} scripts/run.sh

bench: all
	CARBOT_BUILD=$(B) bench/run.sh

install: core plugins sdk widget
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/carbot/plugins \
	           $(DESTDIR)$(PREFIX)/include/carbot $(DESTDIR)$(PREFIX)/lib/pkgconfig \
	           $(DESTDIR)$(PREFIX)/share/carbot
	install -m 755 $(B)/carbotd $(B)/cb-embed $(DESTDIR)$(PREFIX)/bin/
	$(if $(PLUGINS),install -m 644 $(foreach p,$(PLUGINS),$(B)/plugins/$(p).so) $(DESTDIR)$(PREFIX)/lib/carbot/plugins/)
	install -m 644 sdk/carbot/*.h $(DESTDIR)$(PREFIX)/include/carbot/
	install -d $(DESTDIR)$(PREFIX)/include/carbot/services
	install -m 644 sdk/carbot/services/*.h $(DESTDIR)$(PREFIX)/include/carbot/services/
	sed -e 's|^plugin_dir = .*|plugin_dir = $(PREFIX)/lib/carbot/plugins|' conf/carbot.conf \
	    > $(DESTDIR)$(PREFIX)/share/carbot/carbot.conf.example
	install -d $(DESTDIR)$(PREFIX)/lib/carbot/widget
	install -m 644 $(B)/widget/widget.js $(DESTDIR)$(PREFIX)/lib/carbot/widget/
	install -d $(DESTDIR)$(PREFIX)/lib/carbot/openapi/docs
	[ ! -f $(B)/openapi/docs/index.html ] || install -m 644 $(B)/openapi/docs/index.html $(B)/openapi/openapi.json $(DESTDIR)$(PREFIX)/lib/carbot/openapi/docs/
	[ ! -f $(B)/widget/widget.js.gz ] || install -m 644 $(B)/widget/widget.js.gz $(DESTDIR)$(PREFIX)/lib/carbot/widget/
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e "s|@VERSION@|$$(awk '/define CB_SDK_MAJOR/{M=$$3} /define CB_SDK_MINOR/{m=$$3} END{print M"."m}' sdk/carbot/version.h)|" \
	    sdk/carbot-sdk.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/carbot-sdk.pc

fmt:
	clang-format -i core/*.[ch] sdk/carbot/*.h sdk/tools/*.c $(wildcard plugins/*/*.[ch]) $(wildcard t/unit/*.[ch]) $(wildcard t/plugins/*/*.c)

clean:
	rm -rf build build-san

# ---- widget ----
# The visitor chat widget: widget/src/ bundled and minified by esbuild (pinned
# in widget/package-lock.json) into $(B)/widget/widget.js and widget.js.gz,
# which the chat plugin serves as /widget.js. Needs nodejs and npm; npm ci runs
# when widget/node_modules is missing or older than package.json / the lock file.
WIDGET_DEPS := $(wildcard widget/src/*) widget/build.mjs widget/node_modules/.package-lock.json
.PHONY: widget
widget: $(B)/widget/widget.js

# Under a lock, rechecked inside it: two makes (build and build-san) may get here at once.
widget/node_modules/.package-lock.json: widget/package.json widget/package-lock.json
	cd widget && flock package-lock.json sh -c '[ node_modules/.package-lock.json -nt package-lock.json ] && \
	  [ node_modules/.package-lock.json -nt package.json ] || npm ci --no-audit --no-fund'
	@touch $@

$(B)/widget/widget.js: $(WIDGET_DEPS)
	cd widget && node build.mjs ../$(B)/widget
# ---- end widget ----

# ---- stripe stand-in ----
# scripts/stripe-standin/: the local Stripe stand-in (make run without Stripe
# credentials, and the billing tests) and the npm stripe package (pinned in
# its package-lock.json) that signs its webhooks and the tests' headers.
STANDIN_MODULES := scripts/stripe-standin/node_modules/.package-lock.json
.PHONY: stripe-standin
all: stripe-standin
stripe-standin: $(STANDIN_MODULES)

$(STANDIN_MODULES): scripts/stripe-standin/package.json scripts/stripe-standin/package-lock.json
	cd scripts/stripe-standin && flock package-lock.json sh -c '[ node_modules/.package-lock.json -nt package-lock.json ] && \
	  [ node_modules/.package-lock.json -nt package.json ] || npm ci --no-audit --no-fund'
	@touch $@
# ---- end stripe stand-in ----
# ---- SDK ABI ----
# The function table is pinned: the build fails when a slot of
# sdk/abi.manifest moved or changed, or when a slot of SDK 1.0 (the headers
# under t/fixtures/sdk-1.0) did. abi10.so is a plugin built from those 1.0
# headers; t/sdk-abi.t loads it into today's core.
.PHONY: abi
all: abi $(B)/t/fixtures/abi10.so
abi:
	@CC=$(CC) perl sdk/tools/abi-manifest.pl --check sdk/abi.manifest t/fixtures/sdk-1.0

$(B)/t/fixtures/abi10.so: t/fixtures/abi10/abi10.c $(wildcard t/fixtures/sdk-1.0/carbot/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) -fPIC -fvisibility=hidden -It/fixtures/sdk-1.0 $(PLUGIN_LDFLAGS) -o $@ $<
# ---- end SDK ABI ----
# ---- mail catcher ----
# scripts/mailcatcher: a loopback SMTP server with a web page (make run, the
# notify tests). smtp-server and mailparser pinned in its package-lock.json.
.PHONY: mailcatcher
all: mailcatcher
mailcatcher: scripts/mailcatcher/node_modules/.package-lock.json
scripts/mailcatcher/node_modules/.package-lock.json: scripts/mailcatcher/package.json scripts/mailcatcher/package-lock.json
	cd scripts/mailcatcher && flock package-lock.json sh -c '[ node_modules/.package-lock.json -nt package-lock.json ] && \
	  [ node_modules/.package-lock.json -nt package.json ] || npm ci --no-audit --no-fund'
	@touch $@
# ---- end mail catcher ----
include fuzz/fuzz.mk
# ---- admin-ui ----
# The owner's dashboard: admin-ui/ (React + TypeScript + Vite, pinned in
# admin-ui/package-lock.json) type-checked and built into $(B)/admin-ui/,
# which the admin plugin serves at /admin/. Needs nodejs and npm; npm ci runs
# when admin-ui/node_modules is missing or older than package.json / the lock.
ADMIN_UI_DEPS := $(shell find admin-ui/src -type f 2>/dev/null) admin-ui/index.html admin-ui/preview.html \
                 admin-ui/preview.ts admin-ui/vite.config.ts admin-ui/tsconfig.json \
                 admin-ui/node_modules/.package-lock.json
.PHONY: admin-ui
all: admin-ui
admin-ui: $(B)/admin-ui/index.html

# Under a lock, rechecked inside it: two makes (build and build-san) may get here at once.
admin-ui/node_modules/.package-lock.json: admin-ui/package.json admin-ui/package-lock.json
	cd admin-ui && flock package-lock.json sh -c '[ node_modules/.package-lock.json -nt package-lock.json ] && \
	  [ node_modules/.package-lock.json -nt package.json ] || npm ci --no-audit --no-fund'
	@touch $@

$(B)/admin-ui/index.html: $(ADMIN_UI_DEPS)
	cd admin-ui && flock package-lock.json sh -c 'npx tsc --noEmit -p . && OUT_DIR=../$(B)/admin-ui npx vite build --logLevel warn'
# ---- end admin-ui ----
# ---- OpenAPI ----
# core/openapi.json + plugins/*/openapi.json merged (scripts/openapi/merge.mjs,
# as carbotd merges the enabled ones for GET /api/v1/openapi.json) into
# $(B)/openapi/openapi.json, linted by @redocly/cli (pinned in
# scripts/openapi/package-lock.json), rendered by it into
# $(B)/openapi/docs/index.html (carbotd serves it as /api/docs/), and typed by
# openapi-typescript into admin-ui/src/api/schema.d.ts (committed: the
# dashboard's type check breaks when a shape changes).
OPENAPI_FRAGS   := core/openapi.json $(sort $(wildcard plugins/*/openapi.json))
OPENAPI_MODULES := scripts/openapi/node_modules/.package-lock.json
OPENAPI_BIN     := scripts/openapi/node_modules/.bin
.PHONY: openapi
all: openapi
openapi: $(B)/openapi/openapi.json $(B)/openapi/docs/index.html admin-ui/src/api/schema.d.ts

$(OPENAPI_MODULES): scripts/openapi/package.json scripts/openapi/package-lock.json
	cd scripts/openapi && flock package-lock.json sh -c '[ node_modules/.package-lock.json -nt package-lock.json ] && \
	  [ node_modules/.package-lock.json -nt package.json ] || npm ci --no-audit --no-fund'
	@touch $@

$(B)/openapi/openapi.json: $(OPENAPI_FRAGS) scripts/openapi/merge.mjs scripts/openapi/redocly.yaml $(OPENAPI_MODULES)
	@mkdir -p $(dir $@)
	node scripts/openapi/merge.mjs $@.tmp $$(sed -n 's/^#define CB_VERSION "\(.*\)"/\1/p' core/core.h) $(OPENAPI_FRAGS)
	cd scripts/openapi && REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
	  ./node_modules/.bin/redocly lint --config redocly.yaml --format=summary $(abspath $@.tmp)
	mv $@.tmp $@

$(B)/openapi/docs/index.html: $(B)/openapi/openapi.json
	@mkdir -p $(dir $@)
	cd scripts/openapi && REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
	  ./node_modules/.bin/redocly build-docs $(abspath $<) -o $(abspath $@) \
	  --title "CarBot API reference"

admin-ui/src/api/schema.d.ts: $(B)/openapi/openapi.json
	@mkdir -p $(dir $@)
	$(OPENAPI_BIN)/openapi-typescript $< -o $@.$(B).tmp && \
	  { cmp -s $@.$(B).tmp $@ && rm $@.$(B).tmp && touch $@ || mv $@.$(B).tmp $@; }
# ---- end OpenAPI ----
