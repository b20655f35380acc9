package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/kubectl-stack/kubectl-stack/pkg/cmd"
	"github.com/kubectl-stack/kubectl-stack/pkg/render"
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
	code := m.Run()
	if cmd.Executable != "" {
		os.RemoveAll(filepath.Dir(cmd.Executable))
	}
	os.Exit(code)
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
	return buildPlugin()
}

// buildPlugin builds kubectl-stack for the deploys, which run in this
// process, to make the copy-up image from, as the plugin makes it from
// itself; the image is removed first so that every run makes it.
func buildPlugin() error {
	dir, err := os.MkdirTemp("", "kubectl-stack-e2e-")
	if err != nil {
		return err
	}
	exe := filepath.Join(dir, "kubectl-stack")
	build := exec.Command("go", "build", "-o", exe, "./cmd/kubectl-stack")
	build.Dir, build.Env = repoRoot(), append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("building kubectl-stack: %v\n%s", err, out)
	}
	_ = exec.Command("docker", "image", "rm", render.DefaultCopyUpImage).Run()
	cmd.Executable = exe
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
