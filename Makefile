# Every target runs over every module listed in go.work: a plain `go test ./...` at the root
# does not cross module boundaries. The go.mod files require their siblings at the release
# version with no replace; go.work points those versions at the folders for development.
GO       ?= go
MODULES  := $(shell $(GO) list -m -f '{{.Dir}}')
BENCHTIME ?= 1s

FUZZTIME ?= 30s

# tools/release (its own module, outside go.work so its requirements never change what the
# workspace builds with) runs the release check, vet, tidy and the release procedure.
RELEASE  := cd tools/release && GOWORK=off $(GO) run . -C $(CURDIR)

.PHONY: test vet lint bench bench-compare fuzz parity tidy modules release-check release test-tools

modules:
	@printf '%s\n' $(MODULES)

# The release check first (it also vets every module with GOWORK=off, its siblings from a
# local proxy of the tree, so a go.mod/go.sum that only builds inside the workspace fails
# here rather than for a user), then the race tests of each module.
test: release-check test-tools
	@set -e; for m in $(MODULES); do \
		echo "== $${m#$(CURDIR)/}"; \
		(cd $$m && $(GO) test -race -count=1 ./...); \
	done

# What a user meets once the modules are tagged: a module proxy built from the tree, GOWORK=off
# go vet of every module, a fresh consumer module per library module (go get, go mod tidy,
# build or run), and go install of the CLI (tools/release/README.md).
release-check:
	@$(RELEASE) check

test-tools:
	@echo "== tools/release"
	@cd tools/release && GOWORK=off $(GO) vet ./... && GOWORK=off $(GO) test -race -count=1 ./...

vet:
	@$(RELEASE) vet

# Bump every sibling requirement to VERSION, commit, compare APIs with the previous tags, run
# the release check and tag every published module (core/vX.Y.Z, ...). Nothing is pushed.
release:
	@test -n "$(VERSION)" || { echo "usage: make release VERSION=vX.Y.Z" >&2; exit 2; }
	@$(RELEASE) release $(VERSION)

# golangci-lint (v2) with the repository's .golangci.yml, in every module.
lint:
	@set -e; for m in $(MODULES); do \
		echo "== $${m#$(CURDIR)/}"; \
		(cd $$m && golangci-lint run --config $(CURDIR)/.golangci.yml ./...); \
	done
	@echo "== tools/release"
	@cd tools/release && GOWORK=off golangci-lint run --config $(CURDIR)/.golangci.yml ./...

bench:
	@set -e; for m in $(MODULES); do \
		echo "== $${m#$(CURDIR)/}"; \
		(cd $$m && $(GO) test -run '^$$' -bench . -benchmem -benchtime=$(BENCHTIME) ./...); \
	done

# jwtkit side by side with golang-jwt, each framework's JWT middleware and every store, run
# BENCHCOUNT times and summarised by benchstat (bench/compare.sh; bench/README.md explains it).
BENCHCOUNT ?= 6
bench-compare:
	@COUNT=$(BENCHCOUNT) BENCHTIME=$(BENCHTIME) GO=$(GO) ./bench/compare.sh

# The differential test against a real simplejwt server (examples/internal/parity), with many
# more generated requests than make test sends: PARITY_CASES per framework and setting, from
# PARITY_SEED. It needs Debian's python3-django, python3-djangorestframework and
# python3-djangorestframework-simplejwt.
PARITY_CASES ?= 5000
PARITY_SEED  ?= $(shell date +%s)
parity:
	@cd examples && PARITY_CASES=$(PARITY_CASES) PARITY_SEED=$(PARITY_SEED) \
		$(GO) test -count=1 -timeout 60m -v -run 'TestParity' ./internal/parity

# Run every fuzz target of every module for FUZZTIME each (make test already runs their seeds).
fuzz:
	@set -e; for m in $(MODULES); do \
		cd $$m; \
		for pkg in $$($(GO) list ./...); do \
			for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
				echo "== $$pkg $$f"; \
				$(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg; \
			done; \
		done; \
	done

# GOWORK=off go mod tidy in every module, siblings from the local proxy of the tree; go.sum
# files keep no hash of a sibling (tools/release/README.md says why).
tidy:
	@$(RELEASE) tidy
