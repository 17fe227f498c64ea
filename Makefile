# Kvik build. `make` builds kvik-server; `make test` installs what the tests need (as root,
# Debian packages only), builds and runs unit + integration tests; `make run` builds and
# starts the server. Options: SANITIZE=1 (ASan+UBSan, libc malloc), MALLOC=jemalloc|libc,
# CC=clang.

CC       ?= cc
MALLOC   ?= jemalloc
SANITIZE ?= 0
OPT      ?= -O2
LTO      ?= 1
PYTHON   := /usr/bin/python3

CFLAGS  := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers \
           $(OPT) -g -fno-omit-frame-pointer -MMD -MP -Isrc
LDFLAGS :=
LIBS    := -lm -pthread

ifeq ($(SANITIZE),1)
  MALLOC  := libc
  CFLAGS  += -fsanitize=address,undefined -fno-sanitize-recover=undefined
  LDFLAGS += -fsanitize=address,undefined
  BUILD   ?= build/sanitize
else
  BUILD   ?= build/$(MALLOC)
endif
# Link-time optimisation: the hot path crosses many small functions in separate files
# (kobj accessors, ht, reply, dispatch); LTO inlines them (about 10% fewer instructions per
# request). Sanitizer builds skip it to keep their stack traces readable.
ifeq ($(LTO)$(SANITIZE),10)
  ifneq ($(findstring clang,$(shell $(CC) --version 2>/dev/null)),)
    CFLAGS  += -flto=thin
    LDFLAGS += -flto=thin
  else
    CFLAGS  += -flto=auto
    LDFLAGS += -flto=auto $(OPT)
  endif
endif
ifeq ($(MALLOC),jemalloc)
  CFLAGS += -DKV_JEMALLOC
  LIBS   += -ljemalloc
endif
ifeq ($(MALLOC),mimalloc)
  CFLAGS += -DKV_MIMALLOC
  LIBS   += -lmimalloc
endif

SRCS   := $(shell find src -name '*.c' | sort)
MAIN   := src/core/main.c
OBJS   := $(SRCS:%.c=$(BUILD)/%.o)
LIBOBJ := $(filter-out $(BUILD)/$(MAIN:.c=.o),$(OBJS))

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all run test unit integration deps-build deps-test fuzz bench clean format
.PHONY: deps-example deps-clients test-example test-clients
all: kvik-server

# Always refreshed from the current BUILD: after `make SANITIZE=1 ...` a plain `make` must
# put the optimised binary back, though it is older than the sanitizer one.
.PHONY: kvik-server
kvik-server: $(BUILD)/kvik-server
	@cmp -s $< $@ || cp $< $@

$(BUILD)/kvik-server: $(OBJS)
	@echo "  LD $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC $<"
	@$(CC) $(CFLAGS) -c -o $@ $<

# A unit test links only what it tests: its first line names its sources,
# e.g. "// deps: src/ds/ht.c src/base/alloc.c".
.SECONDEXPANSION:
unit_deps = $(patsubst %.c,$(BUILD)/%.o,$(shell sed -n '1s|^// deps: ||p' tests/unit/$(1).c))
$(BUILD)/tests/%: tests/unit/%.c $$(call unit_deps,$$*)
	@mkdir -p $(dir $@)
	@echo "  LD $@"
	@$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

unit: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do echo "== $$t"; $$t; done

BUILD_PKGS := gcc make libc6-dev libjemalloc-dev
TEST_PKGS  := $(BUILD_PKGS) python3-redis python3-pytest python3-pytest-asyncio \
              redis-server redis-tools
deps-build:
	@sh scripts/deps.sh $(BUILD_PKGS)
deps-test:
	@sh scripts/deps.sh $(TEST_PKGS)

integration: kvik-server
	KVIK_SERVER=$(CURDIR)/$(BUILD)/kvik-server $(PYTHON) -m pytest -q tests/integration

test: deps-test
	$(MAKE) unit
	$(MAKE) integration
	$(MAKE) test-example
	$(MAKE) test-clients

# The incomes example (examples/incomes) and the client compatibility matrix (tests/clients)
# run against a private PostgreSQL and server on free ports (scripts/services.sh), stopped
# afterwards even on failure. TEST_SERVER=/usr/bin/redis-server runs them against the
# reference instead. npm packages are pinned by tests/clients/node/package-lock.json.
TEST_SERVER  ?= $(BUILD)/kvik-server
EXAMPLE_PKGS := postgresql python3-fastapi python3-uvicorn python3-sqlalchemy python3-asyncpg \
                python3-httpx python3-redis python3-pytest python3-pytest-asyncio redis-tools
CLIENT_PKGS  := python3-redis python3-hiredis python3-pytest python3-pytest-asyncio \
                redis-tools libhiredis-dev libevent-dev
NODE_DEPS    := tests/clients/node/node_modules/.package-lock.json
deps-example:
	@sh scripts/deps.sh $(EXAMPLE_PKGS)
deps-clients:
	@sh scripts/deps.sh $(CLIENT_PKGS)
	@command -v npm >/dev/null || sh scripts/deps.sh nodejs npm

$(NODE_DEPS): tests/clients/node/package-lock.json
	cd tests/clients/node && npm ci --no-audit --no-fund --loglevel=error

$(BUILD)/clients/test_hiredis: tests/clients/hiredis/test_hiredis.c
	@mkdir -p $(dir $@)
	@echo "  LD $@"
	@$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< -lhiredis -levent

test-example: deps-example $(BUILD)/kvik-server
	sh scripts/services.sh --pg --kvik $(TEST_SERVER) -- \
	    $(PYTHON) -m pytest -q -p no:cacheprovider examples/incomes/tests

test-clients: deps-clients $(BUILD)/kvik-server $(BUILD)/clients/test_hiredis
	$(MAKE) $(NODE_DEPS)
	sh scripts/services.sh --kvik $(TEST_SERVER) -- \
	    sh tests/clients/run.sh $(CURDIR)/$(BUILD)/clients/test_hiredis

run: deps-build
	$(MAKE) kvik-server
	./kvik-server

FUZZ_BIN := build/fuzz/fuzz_resp
fuzz: $(FUZZ_BIN)
	@mkdir -p build/fuzz/corpus
	$(FUZZ_BIN) -max_total_time=60 build/fuzz/corpus tests/fuzz/corpus
$(FUZZ_BIN): tests/fuzz/fuzz_resp.c src/proto/resp_parse.c src/base/splitargs.c
	@mkdir -p $(dir $@)
	clang -std=c11 -D_GNU_SOURCE -g -O1 -Isrc -fsanitize=fuzzer,address,undefined -o $@ $^

bench: kvik-server
	$(PYTHON) bench/bench.py

format:
	clang-format -i $(SRCS) $(shell find src -name '*.h')

clean:
	rm -rf build kvik-server

-include $(OBJS:.o=.d)
