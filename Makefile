# Each target is one line calling go or a hack/ script.
VERSION     ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS     := -X github.com/kubectl-stack/kubectl-stack/pkg/version.Version=$(VERSION)
INSTALL_DIR ?= $(shell go env GOPATH)/bin
FUZZTIME    ?= 5m

.PHONY: dist krew-manifest build install test test-unit fuzz fuzz-compose verify update-golden demo demo-down demo-kind demo-kind-down example-images conformance local-cluster-up local-cluster-down testbin clean

build: ## Build bin/kubectl-stack as releases are built: static, -trimpath, stripped.
	CGO_ENABLED=0 go build -trimpath -ldflags "-s -w $(LDFLAGS)" -o bin/kubectl-stack ./cmd/kubectl-stack

install: build ## Install kubectl-stack and its completion helper into INSTALL_DIR.
	install -D -m 0755 bin/kubectl-stack $(INSTALL_DIR)/kubectl-stack && install -m 0755 hack/kubectl_complete-stack $(INSTALL_DIR)/kubectl_complete-stack

dist: ## Release archives for every platform and checksums.txt in dist/ (RELEASE=vX.Y.Z stamps a release; default: the tag at HEAD, else a snapshot).
	go run ./hack/release dist $(if $(RELEASE),-version $(RELEASE))

krew-manifest: ## plugins/compose-stack.yaml from .krew.yaml and the archives in dist/.
	go run ./hack/release krew-manifest

testbin: ## Build (or reuse) the local control plane's binaries.
	hack/testbin.sh

test: ## Every test, with the local control plane (builds its binaries on first use).
	hack/test.sh

test-unit: ## Tests that need no cluster (integration tests skip with a message).
	go test ./pkg/...

fuzz: ## Fuzz the spec decoder for FUZZTIME.
	go test -run '^$$' -fuzz FuzzParse -fuzztime $(FUZZTIME) ./pkg/spec/

fuzz-compose: ## Fuzz compose ingestion (stack, compose-go, names, binds, create, render) for FUZZTIME.
	go test -run '^$$' -fuzz FuzzComposeIngestion -fuzztime $(FUZZTIME) ./pkg/deployment/

verify: ## gofmt, go vet, go mod tidy and import-rule checks.
	hack/verify.sh

update-golden: ## Rewrite golden files from the current output.
	go test ./pkg/... -update

demo: ## The main job: a demo deployment on the local control plane.
	hack/demo.sh up

demo-down: ## Remove the demo deployment and stop the local control plane.
	hack/demo.sh down

demo-kind: ## The demo on a real kind cluster, with images built from examples/ (root).
	hack/demo.sh kind-up

demo-kind-down: ## Stop the kind demo and delete its cluster (host data stays).
	hack/demo.sh kind-down

conformance: ## Compare a compose project under docker compose and kubectl stack on kind: make conformance PROJECT=DIR (root).
	hack/conformance.sh "$(PROJECT)"

example-images: ## Build the example stack's images from Go sources (Docker).
	hack/example-images.sh

local-cluster-up: ## Start the local control plane in the background.
	hack/local-cluster.sh up

local-cluster-down: ## Stop the local control plane.
	hack/local-cluster.sh down

clean: ## Remove build outputs.
	rm -rf bin
