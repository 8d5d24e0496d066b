# Every target runs over every module listed in go.work: a plain `go test ./...` at the root
# does not cross module boundaries.
GO       ?= go
MODULES  := $(shell $(GO) list -m -f '{{.Dir}}')
BENCHTIME ?= 1s

FUZZTIME ?= 30s

.PHONY: test vet lint bench bench-compare fuzz tidy modules

modules:
	@printf '%s\n' $(MODULES)

# vet and test each module; vet runs with GOWORK=off so a module whose go.mod/go.sum is
# incomplete (it only builds inside the workspace) fails here rather than for a user.
test:
	@set -e; for m in $(MODULES); do \
		echo "== $${m#$(CURDIR)/}"; \
		(cd $$m && GOWORK=off $(GO) vet ./... && $(GO) test -race -count=1 ./...); \
	done

vet:
	@set -e; for m in $(MODULES); do (cd $$m && GOWORK=off $(GO) vet ./...); done

# golangci-lint (v2) with the repository's .golangci.yml, in every module.
lint:
	@set -e; for m in $(MODULES); do \
		echo "== $${m#$(CURDIR)/}"; \
		(cd $$m && golangci-lint run --config $(CURDIR)/.golangci.yml ./...); \
	done

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

tidy:
	@set -e; for m in $(MODULES); do (cd $$m && GOWORK=off $(GO) mod tidy); done
