package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
)

// TestKindBuildsAndRunsAComposeProject deploys a compose project as people
// write it for docker compose to a real kind cluster: a dotted service that
// only builds (deploy builds it with the Docker engine and loads it into
// the node), a variable from .env, a provisioning tree with a subdirectory
// (a ConfigMap with items), a read-write bind of a host directory under
// kind-mount-root (through the umbrella mount), and a read-only bind of a
// host directory outside it (its own kind mount, which check-mounts sees).
func TestKindBuildsAndRunsAComposeProject(t *testing.T) {
	e := newEnv(t)
	project := filepath.Join(t.TempDir(), "shop_app")
	data := filepath.Join(e.mountRoot, "shop", "data")
	outside := t.TempDir()
	testutil.WriteFile(t, outside, "reference.txt", "outside the mount root\n")
	testutil.WriteFile(t, project, "compose.yaml", `services:
  web.frontend:
    build: ./app
    environment:
      GREETING: ${GREETING}
    expose: ["80"]
    volumes:
      - ./conf:/conf:ro
      - `+data+`:/data
      - `+outside+`:/reference:ro
`)
	testutil.WriteFile(t, project, ".env", "GREETING=hello from dotenv\n")
	testutil.WriteFile(t, project, "conf/nested/settings.txt", "nested setting\n")
	testutil.WriteFile(t, project, "app/Dockerfile", "FROM scratch\nCOPY hello /hello\nENTRYPOINT [\"/hello\"]\nCMD [\"web\"]\n")
	build := exec.Command("go", "build", "-trimpath", "-o", filepath.Join(project, "app/hello"), "./examples/hello/images/hello")
	build.Dir, build.Env = repoRoot(), append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the hello binary: %v\n%s", err, out)
	}
	testutil.WriteFile(t, data, "marker", "on the host\n")
	spec := testutil.WriteFile(t, e.repo, "ops/shop.yml", "stack: "+project+"\ndeploy-to: k8s-kind\nnamespace: shop\nkind-mount-root: "+e.mountRoot+"\nkind-cluster-name: "+e.cluster+"\n")
	dir := e.create(spec)

	errOut := e.deploy(dir)
	if !strings.Contains(errOut, "building shop_app-web.frontend:ctx-") || !strings.Contains(errOut, "loaded shop_app-web.frontend:ctx-") {
		t.Errorf("deploy did not build and load the image:\n%s", errOut)
	}
	image := strings.TrimSpace(e.must("build", "-d", dir))
	t.Cleanup(func() { _ = exec.Command("docker", "image", "rm", "-f", image).Run() })

	if env := e.must("exec", "-d", dir, "web.frontend", "--", "/hello", "env"); !strings.Contains(env, "GREETING=hello from dotenv") {
		t.Errorf("the container's environment lacks the .env value:\n%s", env)
	}
	if got := e.must("exec", "-d", dir, "web-frontend", "--", "/hello", "cat", "/conf/nested/settings.txt"); got != "nested setting\n" {
		t.Errorf("/conf/nested/settings.txt = %q", got)
	}
	if got := e.must("exec", "-d", dir, "web.frontend", "--", "/hello", "cat", "/data/marker"); got != "on the host\n" {
		t.Errorf("/data/marker = %q", got)
	}
	if got := e.must("exec", "-d", dir, "web.frontend", "--", "/hello", "cat", "/reference/reference.txt"); got != "outside the mount root\n" {
		t.Errorf("/reference/reference.txt = %q", got)
	}
	if out := e.must("kind", "check-mounts", "-d", dir); !strings.Contains(out, outside) || strings.Contains(out, "MISSING") {
		t.Errorf("check-mounts does not show the outside bind's mount as present:\n%s", out)
	}
	e.must("exec", "-d", dir, "web.frontend", "--", "/hello", "write", "/data/from-pod", "written in the pod")
	if got := readFile(t, filepath.Join(data, "from-pod")); got != "written in the pod" {
		t.Errorf("the host directory got %q from the pod", got)
	}
	if ps := e.must("ps", "-d", dir); !strings.Contains(ps, "web.frontend") {
		t.Errorf("ps does not name the compose service:\n%s", ps)
	}
}
