package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// nodeImage is the kind node image of the clusters the tests create:
// $KUBECTL_STACK_KIND_NODE_IMAGE, else kind's default (machines that can
// pull it). ../shared/tools/kind-node-image/build.sh builds one offline.
var nodeImage = os.Getenv("KUBECTL_STACK_KIND_NODE_IMAGE")

// skipReason is why the tests cannot run here; in CI it is a failure.
var skipReason string

func TestMain(m *testing.M) {
	if err := setup(); err != nil {
		if required() {
			fmt.Fprintf(os.Stderr, "e2e: required in CI but unavailable: %v\n", err)
			os.Exit(1)
		}
		skipReason = err.Error()
	}
	os.Exit(m.Run())
}

// required is true in CI (and wherever KUBECTL_STACK_REQUIRE_KIND is set):
// a missing Docker engine or node image must fail, never skip.
func required() bool {
	return os.Getenv("CI") != "" || os.Getenv("KUBECTL_STACK_REQUIRE_KIND") != ""
}

// setup checks Docker and the node image, and builds the example images.
func setup() error {
	if out, err := exec.Command("docker", "info").CombinedOutput(); err != nil {
		return fmt.Errorf("no Docker engine (start one with ../shared/tools/docker-setup.sh): %v\n%s", err, out)
	}
	if nodeImage != "" {
		if err := exec.Command("docker", "image", "inspect", nodeImage).Run(); err != nil {
			return fmt.Errorf("node image %s is not in the local Docker (build it with ../shared/tools/kind-node-image/build.sh)", nodeImage)
		}
	}
	script := filepath.Join(repoRoot(), "hack/example-images.sh")
	if out, err := exec.Command(script).CombinedOutput(); err != nil {
		return fmt.Errorf("building the example images: %v\n%s", err, out)
	}
	if out, err := exec.Command(filepath.Join(repoRoot(), "hack/probe-image.sh")).CombinedOutput(); err != nil {
		return fmt.Errorf("building the conformance probe's image: %v\n%s", err, out)
	}
	return nil
}

func requireKind(t *testing.T) {
	t.Helper()
	if skipReason != "" {
		t.Skip(skipReason)
	}
}

func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "../..")
}
