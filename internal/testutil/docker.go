package testutil

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// RequireDocker skips without a Docker engine, except in CI (CI or
// KUBECTL_STACK_REQUIRE_DOCKER set), where that is a failure.
func RequireDocker(t testing.TB) {
	t.Helper()
	if exec.Command("docker", "info").Run() == nil {
		return
	}
	if os.Getenv("CI") != "" || os.Getenv("KUBECTL_STACK_REQUIRE_DOCKER") != "" {
		t.Fatal("a Docker engine is required in CI: .ci/run starts one with ../shared/tools/docker-setup.sh")
	}
	t.Skip("no Docker engine; start one with ../shared/tools/docker-setup.sh")
}

// FakeKindNode creates (without starting) a container labelled like the
// control-plane node of a kind cluster, with the given bind mounts
// ("host:container"), and removes it when the test ends. It returns the
// container's name.
func FakeKindNode(t testing.TB, cluster string, binds ...string) string {
	t.Helper()
	image := "kubectl-stack-test/empty:1"
	if exec.Command("docker", "image", "inspect", image).Run() != nil {
		cmd := exec.Command("docker", "import", "-", image)
		cmd.Stdin = strings.NewReader(strings.Repeat("\x00", 1024)) // an empty tar archive
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("docker import: %v\n%s", err, out)
		}
	}
	name := cluster + "-control-plane"
	args := []string{"create", "--name", name, "--label", "io.x-k8s.kind.cluster=" + cluster, "--label", "io.x-k8s.kind.role=control-plane"}
	for _, b := range binds {
		args = append(args, "-v", b)
	}
	if out, err := exec.Command("docker", append(args, image, "/none")...).CombinedOutput(); err != nil {
		t.Fatalf("docker create: %v\n%s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("docker", "rm", "-f", name).Run() })
	return name
}
