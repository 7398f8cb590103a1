# Rust binding (bindings/rust, docs/rust.md): format and lint checks, then the
# crates' tests against the emulator through build/libpolygram.so, and the
# examples (echo bot, files, raw API), which assert what they print. Cargo's output goes to build/cargo-target.
CARGO ?= cargo
RUST_ENV = POLYGRAM_LIB_DIR=$(abspath $(BUILD)) CARGO_TARGET_DIR=$(abspath $(BUILD))/cargo-target

.PHONY: test-rust bench-rust

test-rust: lib bench-tools
	cd bindings/rust && $(RUST_ENV) $(CARGO) fmt --check
	cd bindings/rust && $(RUST_ENV) $(CARGO) clippy --locked --all-targets -- -D warnings
	cd bindings/rust && $(RUST_ENV) $(CARGO) test --locked
	cd bindings/rust && $(RUST_ENV) $(CARGO) run --locked --quiet --example echo_bot
	cd bindings/rust && $(RUST_ENV) $(CARGO) run --locked --quiet --example files
	cd bindings/rust && $(RUST_ENV) $(CARGO) run --locked --quiet --example raw_api
	cd bindings/rust && $(RUST_ENV) $(CARGO) run --locked --quiet --example bench -- --remote $(abspath $(BUILD)) --smoke

# Per-request overhead of the binding (median, p99) against the emulator,
# then against polygram-emulator in another process, alternating with Go.
bench-rust: lib bench-tools
	cd bindings/rust && $(RUST_ENV) $(CARGO) run --locked --release --example bench
	cd bindings/rust && $(RUST_ENV) $(CARGO) run --locked --release --example bench -- --remote $(abspath $(BUILD))

EXTRA_TESTS += test-rust
