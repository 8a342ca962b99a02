# Hall — make targets. `make` alone prints this help.
SHELL := /bin/bash
GO ?= go
# Debian packages the whole tree needs: cgo/GL for Fyne, Xvfb for real-window tests,
# Chromium for web page tests, socat for virtual serial ports, xdotool to press keys and tap in the counter's and kiosk's Xvfb runs;
# CUPS with the cups-pdf queue driver and poppler-utils for the licence printing tests (they start their own cupsd).
DEB_PACKAGES := build-essential pkg-config libgl1-mesa-dev xorg-dev libwayland-dev libxkbcommon-dev \
	xvfb xauth xdotool imagemagick chromium socat ca-certificates cups printer-driver-cups-pdf poppler-utils curl
FUZZTIME ?= 10s
DATA ?= ./data
ADDR ?= :8080
# Packages whose tests also run under the race detector in `make test` and `make check`.
RACE_PKGS := . ./queueserver/... ./counter/terminal/ ./kiosk/

.DEFAULT_GOAL := help
.PHONY: help deps run test test-unit test-race fuzz check fmt-check vet deps-rules bench build clean

help: ## print this help
	@echo "Hall — 政务服务大厅智能排队叫号系统"
	@echo
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-14s %s\n", $$1, $$2}'

deps: ## install the missing Debian packages needed to build and test everything
	@packaging/ensure-deb-packages.sh $(DEB_PACKAGES)

run: ## start a demo hall: server, virtual devices, and a kiosk window when DISPLAY is set
	@DATA=$(DATA) ADDR=$(ADDR) GO=$(GO) packaging/demo-hall.sh

test: deps test-unit test-race fuzz ## run every test: unit, integration, crash, race and bounded fuzzing

test-unit:
	$(GO) test -count=1 -timeout 20m ./...

test-race:
	$(GO) test -count=1 -race -timeout 20m $(RACE_PKGS)

fuzz: ## run every fuzz target for FUZZTIME each (default 10s)
	@packaging/fuzz-all.sh $(FUZZTIME)

check: fmt-check vet deps-rules test-race ## gofmt check, go vet, import rules, race tests

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

deps-rules: ## check the import-direction rules (deps_test.go)
	$(GO) test -count=1 -run TestImportRules .

bench: ## store and domain benchmarks: ops/s and p50/p99 latency
	$(GO) test -run '^$$' -bench . -benchtime 3s ./queueserver/bolt/

.PHONY: bench-server
bench-server: ## server load benchmark: 64 kiosks issuing, then 1,000 websocket subscribers timing calls
	mkdir -p bin
	CGO_ENABLED=0 $(GO) build -o bin/ ./queueserver ./queueserver/cmd/hallload
	bin/hallload -server bin/queueserver -kiosks 64 -issue-for 10s -counters 8 -subscribers 1000 -calls 1000 -call-rate 50
	@echo; echo "The same delivery from a bare publisher (no server), what this machine's kernel alone costs:"
	bin/hallload -floor -subscribers 1000 -calls 1000 -call-rate 50

build: ## build every binary into ./bin
	mkdir -p bin
	CGO_ENABLED=0 $(GO) build -o bin/ ./queueserver/...

clean: ## remove build output (not ./data)
	rm -rf bin

.PHONY: run-counter
run-counter: ## open a counter terminal on the running demo hall (clerk 1001 at w01, devicesim's ptys)
	packaging/demo-counter.sh http://127.0.0.1$(ADDR)
