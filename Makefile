# Every target runs over every module listed in go.work: a plain `go test ./...` at the root
# does not cross module boundaries.
GO       ?= go
MODULES  := $(shell $(GO) list -m -f '{{.Dir}}')
BENCHTIME ?= 1s

.PHONY: test vet bench tidy modules

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

bench:
	@set -e; for m in $(MODULES); do \
		echo "== $${m#$(CURDIR)/}"; \
		(cd $$m && $(GO) test -run '^$$' -bench . -benchmem -benchtime=$(BENCHTIME) ./...); \
	done

tidy:
	@set -e; for m in $(MODULES); do (cd $$m && GOWORK=off $(GO) mod tidy); done
