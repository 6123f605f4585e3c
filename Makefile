# Tandem: two commands on a fresh machine.
#   make run   installs what is missing, builds (release), starts the daemons on loopback
#   make test  installs what is missing, builds, runs every test (unit, integration in netns, fuzz smoke)
SHELL := /bin/bash
SWIFT ?= swift
FUZZ_SECONDS ?= 600
FUZZ_SMOKE_SECONDS ?= 30
RELEASE_BIN := .build/release/tandem

.PHONY: deps build release run test unit fuzz fuzz-smoke bench clean

deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

run: release
	@scripts/run.sh $(RELEASE_BIN)

## Every test: Swift Testing/XCTest suites (unit + netns integration, as root), then a short run of each fuzzer.
test: deps
	$(SWIFT) build --build-tests
	FUZZ_SMOKE_SECONDS=$(FUZZ_SMOKE_SECONDS) scripts/test.sh

unit:
	$(SWIFT) test

## Long fuzz runs (default 10 minutes per parser); crashes land in fuzz-out/.
fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz.sh

## Parser throughput and other micro-benchmarks (release build only); see docs/PERFORMANCE.md.
bench: release
	$(RELEASE_BIN) perf codecs

clean:
	rm -rf .build .build-fuzz fuzz-out
