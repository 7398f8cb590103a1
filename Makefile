# Polygram — build, test, generate, benchmark.
#
#   make            build build/libpolygram.so and build/polygram.h
#   make demo       build the library and run the C example end to end (examples/c)
#   make demo-go    run the Go demo (examples/demo)
#   make test       every test suite (Go with -race, C, generated-code and format checks)
#   make generate   regenerate tl/api, tl/mt and tl/rpcerr from schema/
#   make bench      every benchmark
#   make bench-tools build/polygram-emulator and build/gobench, for the
#                   bindings' overhead-over-Go benchmarks (--remote, docs/bindings-latency.md)

GO      ?= go
CC      ?= gcc
CXX     ?= g++
BUILD   := build
LIB     := $(BUILD)/libpolygram.so
SHARED_SCHEMA ?= ../shared/schema
export GOFLAGS := -buildvcs=false

.PHONY: check-size all lib demo demo-go test test-go test-c check-generated check-schema fmt-check vet generate bench bench-tools clean

all: lib

PREFIX  ?= /usr/local
CFLAGS_C := -Wall -Wextra -Werror -pedantic -Iinclude -Iexamples/c
LDLIBS_C := -L$(BUILD) -lpolygram -Wl,-rpath,'$$ORIGIN' -lpthread

lib: $(LIB) $(BUILD)/polygram.h $(BUILD)/polygram.pc

# tl/api is compiled without inlining in the shared library: 2.5 MB less
# machine code, decoding within noise (docs/tl.md, "Lean generated code").
LIB_GCFLAGS := -gcflags=github.com/polygram/polygram/tl/api=-l
# -tags polygram_nohttp leaves out the emulator's JSON control server, which
# only cmd/polygram-emulator serves (no net/http in the library).
# The stripped library must stay under this many bytes (issue 2's target).
LIB_MAX_BYTES := 20000000

check-size: lib
	@size=$$(stat -c %s $(LIB)); \
	if [ $$size -ge $(LIB_MAX_BYTES) ]; then echo "$(LIB) is $$size bytes, over $(LIB_MAX_BYTES)"; exit 1; fi; \
	echo "$(LIB): $$size bytes (limit $(LIB_MAX_BYTES))"

$(LIB): $(shell find capi core mtproto tl session emulator \( -name '*.go' -not -name '*_test.go' -o -name '*.c' -o -name '*.h' \) 2>/dev/null) include/polygram.h go.mod go.sum
	@mkdir -p $(BUILD)
	$(GO) build -trimpath -ldflags='-s -w' $(LIB_GCFLAGS) -tags polygram_nohttp -buildmode=c-shared -o $(LIB) ./capi
	@rm -f $(BUILD)/libpolygram.h

$(BUILD)/polygram.h: include/polygram.h
	@mkdir -p $(BUILD)
	cp include/polygram.h $@

# pkg-config file for an installation under $(PREFIX) (lib/libpolygram.so,
# include/polygram.h).
$(BUILD)/polygram.pc: polygram.pc.in capi/main.go
	@mkdir -p $(BUILD)
	sed -e 's|@PREFIX@|$(PREFIX)|' -e "s|@VERSION@|$$(sed -n 's/^const Version = "\(.*\)"/\1/p' capi/main.go)|" polygram.pc.in > $@

# The C example end to end: it starts the emulator through the ABI, logs in a
# bot and a user, and has them talk.
demo: lib
	$(CC) -std=c99 $(CFLAGS_C) examples/c/echo.c $(LDLIBS_C) -o $(BUILD)/echo
	$(CC) -std=c99 $(CFLAGS_C) examples/c/event_loop.c $(LDLIBS_C) -o $(BUILD)/event_loop
	$(BUILD)/event_loop
	$(BUILD)/echo

demo-go:
	$(GO) run ./examples/demo

generate:
	$(GO) run ./tl/gen -schema schema/api.tl -pkg api -out tl/api
	$(GO) run ./tl/gen -schema schema/mtproto.tl -pkg mt -out tl/mt
	$(GO) run ./tl/gen -errors schema/errors.csv -pkg rpcerr -out tl/rpcerr

# Regenerates into a scratch directory and fails if the committed code differs.
check-generated:
	@tmp=$$(mktemp -d) && trap 'rm -rf $$tmp' EXIT && \
	$(GO) run ./tl/gen -schema schema/api.tl -pkg api -out $$tmp/api && \
	$(GO) run ./tl/gen -schema schema/mtproto.tl -pkg mt -out $$tmp/mt && \
	$(GO) run ./tl/gen -errors schema/errors.csv -pkg rpcerr -out $$tmp/rpcerr && \
	for d in api mt rpcerr; do \
	  for f in $$tmp/$$d/*_gen.go; do \
	    cmp -s $$f tl/$$d/$$(basename $$f) || { echo "tl/$$d/$$(basename $$f) is stale: run 'make generate'"; exit 1; }; \
	  done; \
	  for f in tl/$$d/*_gen.go; do \
	    [ -f $$tmp/$$d/$$(basename $$f) ] || { echo "$$f is no longer generated"; exit 1; }; \
	  done; \
	done && echo "generated code is up to date"

# The schema copies in schema/ must equal the project's shared schema when present.
check-schema:
	@if [ -d $(SHARED_SCHEMA) ]; then \
	  for f in api.tl mtproto.tl errors.csv methods.csv; do \
	    cmp -s schema/$$f $(SHARED_SCHEMA)/$$f || { echo "schema/$$f differs from $(SHARED_SCHEMA)/$$f"; exit 1; }; \
	  done; echo "schema copies match $(SHARED_SCHEMA)"; \
	else echo "no $(SHARED_SCHEMA): schema copy check skipped"; fi

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

test-go:
	$(GO) test -race -count=1 ./...

# The C API through the shared library (every entry point, against the
# emulator started through the ABI), the header in C89, C11 and C++, the
# pkg-config file, and the example and benchmark compiled.
test-c: lib
	$(CC) -std=c89 -Wall -Wextra -Werror -pedantic -fsyntax-only -x c include/polygram.h
	$(CC) -std=c11 -Wall -Wextra -Werror -pedantic -fsyntax-only -x c include/polygram.h
	$(CXX) -std=c++11 -Wall -Wextra -Werror -pedantic -fsyntax-only -x c++ include/polygram.h
	@PKG_CONFIG_PATH=$(BUILD) pkg-config --exists --print-errors polygram
	$(CC) -std=c89 $(CFLAGS_C) tests/c/test_capi.c tests/c/test_bridge.c $(LDLIBS_C) -o $(BUILD)/test_capi
	$(CC) -std=c99 $(CFLAGS_C) examples/c/echo.c $(LDLIBS_C) -o $(BUILD)/echo
	$(CC) -std=c99 $(CFLAGS_C) examples/c/event_loop.c $(LDLIBS_C) -o $(BUILD)/event_loop
	$(BUILD)/event_loop
	$(CC) -std=c99 -O2 $(CFLAGS_C) tests/c/bench_capi.c $(LDLIBS_C) -o $(BUILD)/bench_capi
	$(BUILD)/bench_capi --quick
	$(BUILD)/test_capi
	$(CC) -std=c99 $(CFLAGS_C) tests/c/test_foreign_stack.c $(LDLIBS_C) -o $(BUILD)/test_foreign_stack
	$(BUILD)/test_foreign_stack
	@# capi/stackbound.c must replace pthread_getattr_np for the library's own code only
	@! nm -D --defined-only $(BUILD)/libpolygram.so | grep -qw pthread_getattr_np || { echo 'libpolygram.so exports pthread_getattr_np'; exit 1; }

# The Python binding (bindings/python) against the emulator, in its own venv
# (build/pyenv, made once per change of pyproject.toml; msgpack and pytest
# from PyPI).
PYTHON ?= python3
PYENV  := $(BUILD)/pyenv
.PHONY: test-python test-node

$(PYENV)/.installed: bindings/python/pyproject.toml
	rm -rf $(PYENV)
	$(PYTHON) -m venv $(PYENV)
	$(PYENV)/bin/python -m pip install -q -e 'bindings/python[test]'
	touch $@

test-python: lib $(PYENV)/.installed bench-tools
	cd bindings/python && ../../$(PYENV)/bin/python -m pytest -q -p no:cacheprovider tests
	cd bindings/python && POLYGRAM_PYTHON_READER=thread ../../$(PYENV)/bin/python -m pytest -q -p no:cacheprovider tests
	@# the overhead-over-Go benchmark, one short round, so that it keeps working
	$(PYENV)/bin/python bindings/python/bench/bench.py --remote $(BUILD) --smoke

# The Node binding: npm ci from the lock file, then node's test runner.
test-node: lib bench-tools
	cd bindings/node && npm ci --no-audit --no-fund && npm test
	cd bindings/node && POLYGRAM_NODE_DELIVERY=callback npm test
	cd bindings/node && node bench/bench.mjs --remote ../../$(BUILD) --smoke

# Suites added by mk/*.mk fragments (one per binding or platform), each
# appending its target to EXTRA_TESTS.
EXTRA_TESTS :=
include $(sort $(wildcard mk/*.mk))

test: fmt-check vet check-generated check-schema check-size test-go test-c test-python test-node $(EXTRA_TESTS)

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# The emulator as a process of its own and the Go side of the bindings'
# overhead-over-Go benchmarks (bench.py/bench.mjs/bench.rs --remote $(BUILD)).
bench-tools:
	@mkdir -p $(BUILD)
	$(GO) build -o $(BUILD)/polygram-emulator ./cmd/polygram-emulator
	$(GO) build -o $(BUILD)/gobench ./internal/cmd/gobench

clean:
	rm -rf $(BUILD)
