# The mobile facade (mobile/): its Go tests against the emulator, a build
# for android/arm64 and ios/arm64, then the bindings gomobile would build.
# gobind (golang.org/x/mobile, at the version
# go.mod pins with its `tool` line) generates the Java and Objective-C
# bindings of ./mobile into build/mobile/; the check fails when gobind had
# to skip anything (a type gomobile cannot bind), and the generated Java is
# compiled with javac against a one-line stub of android.content.Context
# (the only Android class the support code names), so no Android SDK or
# Xcode is needed. Needs Go and a JDK (javac); fetches Go modules only.

MOBILE_OUT := $(BUILD)/mobile
GOBIND     := $(BUILD)/tools/gobind
JAVAC      ?= javac

.PHONY: test-mobile test-mobile-go check-mobile-targets check-mobile-bindings

# gobind built from go.mod's pinned version (rebuilt when go.mod changes).
$(GOBIND): go.mod go.sum
	@mkdir -p $(dir $(GOBIND))
	$(GO) build -o $@ golang.org/x/mobile/cmd/gobind

test-mobile-go:
	$(GO) test -race -count=1 ./mobile/...

check-mobile-bindings: $(GOBIND)
	@command -v $(JAVAC) >/dev/null || { echo "test-mobile: $(JAVAC) not found: install a JDK (17 or later)"; exit 1; }
	rm -rf $(MOBILE_OUT)
	@mkdir -p $(MOBILE_OUT)/stub/android/content $(MOBILE_OUT)/classes
	$(GOBIND) -lang=java,objc -outdir=$(MOBILE_OUT)/bind ./mobile
	@skipped=$$(grep -rhE '^[[:space:]]*// skipped (const|constructor|field|function|method|unsupported|variable) ' $(MOBILE_OUT)/bind | sort -u); \
	if [ -n "$$skipped" ]; then echo "gobind cannot bind part of ./mobile:"; echo "$$skipped"; exit 1; fi
	@for f in java/mobile/Mobile.java java/mobile/Client.java java/mobile/Listener.java java/mobile/Emulator.java \
	  src/gobind/Mobile.objc.h src/gobind/Mobile_darwin.m; do \
	  [ -f $(MOBILE_OUT)/bind/$$f ] || { echo "gobind did not generate $$f"; exit 1; }; \
	done
	echo 'package android.content; public class Context {}' > $(MOBILE_OUT)/stub/android/content/Context.java
	$(JAVAC) -nowarn -d $(MOBILE_OUT)/classes \
	  $(MOBILE_OUT)/stub/android/content/Context.java $$(find $(MOBILE_OUT)/bind/java -name '*.java')
	@echo "mobile bindings: Java and Objective-C generated, Java compiled ($$(find $(MOBILE_OUT)/classes -name '*.class' | wc -l) classes)"

# The facade and everything it imports compile for the phones (pure Go:
# gomobile adds the cgo glue itself).
check-mobile-targets:
	GOOS=android GOARCH=arm64 CGO_ENABLED=0 $(GO) build -o /dev/null ./mobile
	GOOS=ios GOARCH=arm64 CGO_ENABLED=0 $(GO) build -o /dev/null ./mobile

test-mobile: test-mobile-go check-mobile-targets check-mobile-bindings

EXTRA_TESTS += test-mobile
