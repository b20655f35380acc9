package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
	"github.com/kubectl-stack/kubectl-stack/pkg/localca"
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
      # docker compose's live-code pattern: left out, the image has them.
      - ./app:/code
      - /code/cache
  # Two HTTPS servers in the pod: one with a certificate from the CA the
  # spec's ca-certificates names, one from a CA nobody trusts.
  tls-trusted:
    image: kubectl-stack/hello-web:local
    command: ["serve-tls", ":8443", "/tls/trusted.crt", "/tls/trusted.key"]
    volumes: ["./tls:/tls:ro"]
  tls-other:
    image: kubectl-stack/hello-web:local
    command: ["serve-tls", ":9443", "/tls/other.crt", "/tls/other.key"]
    volumes: ["./tls:/tls:ro"]
`)
	trustedCA := writeServerCert(t, filepath.Join(project, "tls"), "trusted")
	writeServerCert(t, filepath.Join(project, "tls"), "other")
	testutil.WriteFile(t, project, ".env", "GREETING=hello from dotenv\n")
	testutil.WriteFile(t, project, "conf/nested/settings.txt", "nested setting\n")
	// The image holds the context at /code (the live-code bind's target),
	// less what .dockerignore keeps out: a file the bind would show.
	testutil.WriteFile(t, project, "app/Dockerfile", "FROM scratch\nCOPY hello /hello\nCOPY . /code\nENTRYPOINT [\"/hello\"]\nCMD [\"web\"]\n")
	testutil.WriteFile(t, project, "app/.dockerignore", "notes.txt\n")
	testutil.WriteFile(t, project, "app/notes.txt", "only in the project directory\n")
	build := exec.Command("go", "build", "-trimpath", "-o", filepath.Join(project, "app/hello"), "./examples/hello/images/hello")
	build.Dir, build.Env = repoRoot(), append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the hello binary: %v\n%s", err, out)
	}
	testutil.WriteFile(t, data, "marker", "on the host\n")
	spec := testutil.WriteFile(t, e.repo, "ops/shop.yml", "stack: "+project+"\ndeploy-to: k8s-kind\nnamespace: shop\nkind-mount-root: "+e.mountRoot+"\nkind-cluster-name: "+e.cluster+"\nca-certificates: ["+trustedCA+"]\n")
	dir := e.create(spec)

	errOut := e.deploy(dir)
	if !strings.Contains(errOut, "building shop_app-web.frontend:ctx-") || !regexp.MustCompile(`loaded [^\n]*shop_app-web\.frontend:ctx-`).MatchString(errOut) {
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
	if got, _, err := e.run("exec", "-d", dir, "web.frontend", "--", "/hello", "cat", "/code/notes.txt"); err == nil {
		t.Errorf("the live-code bind of the build context reached the container: /code/notes.txt = %q", got)
	}
	if got := e.must("exec", "-d", dir, "web.frontend", "--", "/hello", "cat", "/code/Dockerfile"); !strings.Contains(got, "COPY . /code") {
		t.Errorf("/code/Dockerfile = %q, want the image's copy of the context", got)
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

	// ca-certificates: the container's TLS client (Go's, which reads
	// /etc/ssl/certs) trusts the server whose CA the spec names, and
	// still refuses the other one.
	if got, errOut, err := e.run("exec", "-d", dir, "web.frontend", "--", "/hello", "get", "https://localhost:8443/"); err != nil || got != "tls ok\n" {
		t.Errorf("GET the server of the trusted CA = %q, %v\n%s", got, err, errOut)
	}
	if _, errOut, err := e.run("exec", "-d", dir, "web.frontend", "--", "/hello", "get", "https://localhost:9443/"); err == nil || !strings.Contains(errOut, "unknown authority") {
		t.Errorf("GET the server of the untrusted CA = %v\n%s; want a certificate error", err, errOut)
	}
	if env := e.must("exec", "-d", dir, "web.frontend", "--", "/hello", "env"); !strings.Contains(env, "NODE_EXTRA_CA_CERTS=/etc/ssl/certs/kubectl-stack-extra-ca-bundle.pem") {
		t.Errorf("NODE_EXTRA_CA_CERTS is not set:\n%s", env)
	}
}

// writeServerCert makes a CA and a certificate for localhost signed by it,
// writes <name>.crt and <name>.key into dir and returns the CA's path.
func writeServerCert(t *testing.T, dir, name string) string {
	t.Helper()
	ca, _, err := localca.Ensure(filepath.Join(t.TempDir(), name+"-ca"), name, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	crt, key, err := ca.Leaf(name, []string{"localhost"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	testutil.WriteFile(t, dir, name+".crt", string(crt))
	testutil.WriteFile(t, dir, name+".key", string(key))
	return ca.CertPath()
}
