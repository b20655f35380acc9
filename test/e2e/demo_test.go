package e2e

import (
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-stack/kubectl-stack/pkg/kindcluster"
	"github.com/kubectl-stack/kubectl-stack/pkg/log"
)

// demo runs a make target of the README the way a new user does, from the
// repository root, with the demo's state (and, for kind, HOME, where the
// kind demo keeps its data) in temp dirs. Go's and the node image's caches
// stay where they are, so that nothing is rebuilt from scratch.
func demo(t *testing.T, home string, target string) string {
	t.Helper()
	c := exec.Command("make", "-s", target)
	c.Dir = repoRoot()
	c.Env = append(os.Environ(),
		"KUBECTL_STACK_DEMO="+filepath.Join(home, "demo"),
		"KUBECTL_STACK_LOCAL_CLUSTER="+filepath.Join(home, "local-cluster"),
		"HOME="+home,
		"KIND_OFFLINE_CACHE="+cacheDir("KIND_OFFLINE_CACHE", ".cache/kind-offline"),
		"KUBECTL_STACK_TESTBIN="+os.Getenv("KUBECTL_STACK_TESTBIN"),
	)
	for _, v := range []string{"GOPATH", "GOCACHE", "GOMODCACHE"} {
		out, err := exec.Command("go", "env", v).Output()
		if err != nil {
			t.Fatal(err)
		}
		c.Env = append(c.Env, v+"="+strings.TrimSpace(string(out)))
	}
	out, err := c.CombinedOutput()
	if err != nil {
		t.Fatalf("make %s: %v\n%s", target, err, out)
	}
	return string(out)
}

// deleteNewClusters deletes, when the test ends, the kind clusters it
// created (also when it failed half-way), through kubectl-stack's code.
func deleteNewClusters(t *testing.T) {
	p, err := kindcluster.NewProvider(log.Discard())
	if err != nil {
		t.Fatal(err)
	}
	before, err := p.List()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		after, _ := p.List()
		for _, name := range after {
			if !slices.Contains(before, name) {
				if err := p.Delete(name, ""); err != nil {
					t.Errorf("deleting kind cluster %s: %v", name, err)
				}
			}
		}
	})
}

func cacheDir(env, underHome string) string {
	if v := os.Getenv(env); v != "" {
		return v
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, underHome)
}

// TestReadmeDemo runs make demo twice (the second run reuses the cluster and
// the deployment and changes nothing) and make demo-down.
func TestReadmeDemo(t *testing.T) {
	if os.Getenv("KUBECTL_STACK_TESTBIN") == "" && !required() {
		t.Skip("the demo builds the local control plane's binaries; run it through make test (hack/test.sh)")
	}
	home := t.TempDir()
	t.Cleanup(func() { demo(t, home, "demo-down") })
	first := demo(t, home, "demo")
	for _, want := range []string{"== creating the demo deployment", "Deployment", "Current", "Next (the token variable"} {
		if !strings.Contains(first, want) {
			t.Errorf("make demo output lacks %q:\n%s", want, first)
		}
	}
	second := demo(t, home, "demo")
	if !strings.Contains(second, "local cluster already running") || !strings.Contains(second, "nothing changed") {
		t.Errorf("the second make demo did not reuse the cluster and the deployment:\n%s", second)
	}
}

// TestReadmeKindDemo runs make demo-kind: a real kind cluster, the example
// images built from the repository, and logs that show what the containers
// printed; then make demo-kind-down deletes the cluster and keeps the data.
func TestReadmeKindDemo(t *testing.T) {
	requireKind(t)
	home := t.TempDir()
	t.Setenv("KUBECTL_STACK_KIND_NODE_IMAGE", nodeImage)
	deleteNewClusters(t)
	out := demo(t, home, "demo-kind")
	for _, want := range []string{"creating kind cluster", "web: GREETING=\"Hello from kind\"", "counter: /data/marker created", "seed: start=1"} {
		if !strings.Contains(out, want) {
			t.Errorf("make demo-kind output lacks %q:\n%s", want, out)
		}
	}
	// The example's images and the copy-up image the plugin made itself.
	if !regexp.MustCompile(`loaded [^\n]*kubectl-stack/copy-up:1[^\n]*kubectl-stack/hello-web:local`).MatchString(out) {
		t.Errorf("make demo-kind did not load the example's and the copy-up images:\n%s", out)
	}
	// The demo's http-proxy route, as the demo's closing hint curls it
	// (the controller may take a moment to read the new Ingress).
	var code int
	var body string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(time.Second) {
		req, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1/greeting", nil)
		req.Host = "hello.localhost"
		resp, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
		if err != nil {
			code, body = 0, err.Error()
			continue
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if code, body = resp.StatusCode, string(data); code == http.StatusOK {
			break
		}
	}
	if code != http.StatusOK || body != "Hello from kind\n" {
		t.Errorf("GET http://hello.localhost/greeting through port 80 = %d %q, want the greeting", code, body)
	}
	down := demo(t, home, "demo-kind-down")
	if !strings.Contains(down, "deleted kind cluster") {
		t.Errorf("make demo-kind-down did not delete the cluster:\n%s", down)
	}
	marker := filepath.Join(home, ".local/share/kubectl-stack-demo/kind/hello/counter/marker")
	if _, err := os.Stat(marker); err != nil {
		t.Errorf("the counter's data is gone after demo-kind-down: %v", err)
	}
}
