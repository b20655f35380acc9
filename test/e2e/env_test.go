package e2e

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
	"github.com/kubectl-stack/kubectl-stack/pkg/cmd"
	"github.com/kubectl-stack/kubectl-stack/pkg/hooks"
	"github.com/kubectl-stack/kubectl-stack/pkg/kindcluster"
	"github.com/kubectl-stack/kubectl-stack/pkg/log"
)

const token = "e2e-token-not-stored"

// env is one kind cluster's worth of test state: a kubeconfig of its own,
// an operator repository (a git checkout of the example stack and its
// specs) and the kind-mount-root on the host.
type env struct {
	t          *testing.T
	kubeconfig string
	cluster    string
	// upstream is where the stack's authors commit; repo is the
	// operator's checkout of it, which restart pulls.
	upstream  string
	repo      string
	mountRoot string
}

// newEnv prepares an env; the cluster, if a test creates one, is deleted
// when the test ends, also on failure, through kubectl-stack's own kind
// code. Registered after the temp dirs, it runs before they are removed.
func newEnv(t *testing.T) *env {
	t.Helper()
	requireKind(t)
	e := &env{
		t:          t,
		kubeconfig: filepath.Join(t.TempDir(), "kubeconfig"),
		cluster:    fmt.Sprintf("ks-e2e-%d", os.Getpid()%100000),
		upstream:   t.TempDir(),
		repo:       filepath.Join(t.TempDir(), "checkout"),
		mountRoot:  filepath.Join(t.TempDir(), "kind-root"),
	}
	t.Setenv("E2E_REGISTRY_TOKEN", token)
	// The kind clusters' local CAs go here, not into the real home.
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	testutil.CopyTree(t, filepath.Join(repoRoot(), "examples/hello"), e.upstream)
	e.addCacheVolume()
	testutil.Git(t, e.upstream, "init", "-q", "-b", "main")
	testutil.Git(t, e.upstream, "add", ".")
	testutil.Git(t, e.upstream, "commit", "-q", "-m", "the hello stack")
	testutil.Git(t, filepath.Dir(e.repo), "clone", "-q", e.upstream, e.repo)
	t.Cleanup(e.deleteCluster)
	return e
}

// addCacheVolume gives the counter a node-local volume (/cache, no host
// path), to see what stop --delete-volumes and cluster deletion do to it.
func (e *env) addCacheVolume() {
	path := filepath.Join(e.upstream, "compose/docker-compose-counter.yml")
	data, err := os.ReadFile(path)
	if err != nil {
		e.t.Fatal(err)
	}
	s := strings.Replace(string(data), "      - counter-data:/data\n", "      - counter-data:/data\n      - cache:/cache\n", 1)
	s = strings.Replace(s, "volumes:\n  counter-data:\n", "volumes:\n  counter-data:\n  cache:\n", 1)
	if s == string(data) {
		e.t.Fatal("could not add the cache volume to the counter's compose file")
	}
	testutil.WriteFile(e.t, e.upstream, "compose/docker-compose-counter.yml", s)
}

// spec writes an operator spec for a deployment in namespace ns, based on
// the shipped examples/hello/ops/kind-spec.yml, with its data under the
// test's mount root (umbrella) or, without one, under dataDir.
func (e *env) spec(name, ns string, umbrella bool) string {
	e.t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot(), "examples/hello/ops/kind-spec.yml"))
	if err != nil {
		e.t.Fatal(err)
	}
	s := string(data)
	demoRoot := "~/.local/share/kubectl-stack-demo/kind"
	if umbrella {
		s = strings.ReplaceAll(s, demoRoot, e.mountRoot)
		s = strings.Replace(s, e.mountRoot+"/hello/counter", e.mountRoot+"/"+ns+"/counter", 1)
	} else {
		s = strings.Replace(s, "kind-mount-root: "+demoRoot+"\n", "", 1)
		s = strings.Replace(s, demoRoot+"/hello/counter", "./data/counter", 1)
	}
	s = strings.Replace(s, "namespace: hello-kind", "namespace: "+ns, 1)
	// Each deployment is served under its own host name and greets with
	// its namespace, so a response tells which deployment answered.
	s = strings.Replace(s, "host-name: hello.localhost", "host-name: "+ns+".localhost", 1)
	s = strings.Replace(s, "GREETING: Hello from kind", "GREETING: Hello from "+ns, 1)
	s = strings.Replace(s, "token-env: DEMO_REGISTRY_TOKEN", "token-env: E2E_REGISTRY_TOKEN", 1)
	// A fixed NodePort belongs to one Service in the whole cluster.
	s = strings.Replace(s, "    web:\n      - \"30080:80\"\n", "    web:\n      - \"80\"\n", 1)
	s = strings.Replace(s, "volumes:\n", "volumes:\n  cache:\n", 1)
	s += "kind-cluster-name: " + e.cluster + "\n"
	return testutil.WriteFile(e.t, e.repo, "ops/"+name+".yml", s)
}

// run runs kubectl stack with the env's kubeconfig.
func (e *env) run(args ...string) (string, string, error) {
	e.t.Helper()
	return e.runWithInput("", args...)
}

// runWithInput runs kubectl stack with stdin.
func (e *env) runWithInput(stdin string, args ...string) (string, string, error) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	var out, errOut bytes.Buffer
	err := e.runTo(ctx, stdin, &out, &errOut, args...)
	return out.String(), errOut.String(), err
}

// runTo runs kubectl stack until it ends or ctx is done, writing to out
// and errOut as it goes.
func (e *env) runTo(ctx context.Context, stdin string, out, errOut io.Writer, args ...string) error {
	args = append([]string{"--kubeconfig", e.kubeconfig}, args...)
	return cmd.Run(ctx, args, genericiooptions.IOStreams{In: strings.NewReader(stdin), Out: out, ErrOut: errOut})
}

// must runs kubectl stack and fails the test on an error.
func (e *env) must(args ...string) string {
	e.t.Helper()
	out, errOut, err := e.run(args...)
	if err != nil {
		e.t.Fatalf("kubectl stack %s: %v\n%s%s", strings.Join(args, " "), err, out, errOut)
	}
	return out
}

// create makes a deployment directory from a spec.
func (e *env) create(specPath string) string {
	e.t.Helper()
	dir := filepath.Join(e.t.TempDir(), "dep")
	e.must("create", "--spec-file", specPath, "-d", dir)
	return dir
}

// deploy deploys, creating the cluster from the node image if needed: the
// spec's kind-node-image, else --kind-node-image with the tests' image.
func (e *env) deploy(dir string, extra ...string) string {
	e.t.Helper()
	args := append([]string{"deploy", "-d", dir, "--timeout", "3m"}, extra...)
	if nodeImage != "" && !strings.Contains(readFile(e.t, filepath.Join(dir, "spec.yml")), "kind-node-image:") {
		args = append(args, "--kind-node-image", nodeImage)
	}
	_, errOut, err := e.run(args...)
	if err != nil {
		e.t.Fatalf("deploy -d %s: %v\n%s", dir, err, errOut)
	}
	return errOut
}

// client is a typed client for the cluster.
func (e *env) client() kubernetes.Interface {
	e.t.Helper()
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(
		&clientcmd.ClientConfigLoadingRules{ExplicitPath: e.kubeconfig},
		&clientcmd.ConfigOverrides{CurrentContext: "kind-" + e.cluster}).ClientConfig()
	if err != nil {
		e.t.Fatal(err)
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	return cs
}

func (e *env) clusterExists() bool {
	e.t.Helper()
	p, err := kindcluster.NewProvider(log.Discard())
	if err != nil {
		e.t.Fatal(err)
	}
	ok, err := p.Exists(e.cluster)
	if err != nil {
		e.t.Fatal(err)
	}
	return ok
}

func (e *env) deleteCluster() {
	p, err := kindcluster.NewProvider(log.Discard())
	if err == nil {
		err = p.Delete(e.cluster, e.kubeconfig)
	}
	if err != nil {
		e.t.Errorf("deleting kind cluster %s: %v", e.cluster, err)
	}
}

// eventually polls cond until it is true or the timeout passes.
func (e *env) eventually(what string, timeout time.Duration, cond func() bool) {
	e.t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			e.t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(time.Second)
	}
}

// get requests path from the kind node's port 80 (the ingress controller)
// with a Host header, as a browser resolving host to this machine does.
func (e *env) get(host, path string) (int, string) {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodGet, "http://127.0.0.1"+path, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Host = host
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// served waits until host/path answers 200 with want in its body.
func (e *env) served(host, path, want string) {
	e.t.Helper()
	var code int
	var body string
	e.eventually(fmt.Sprintf("http://%s%s to answer %q", host, path, want), time.Minute, func() bool {
		code, body = e.get(host, path)
		return code == http.StatusOK && strings.Contains(body, want)
	})
}

// getTLS requests path over HTTPS from the kind node's port 443 for host
// (SNI and Host), trusting only the CA certificate at caPath.
func (e *env) getTLS(caPath, host, path string) (int, string) {
	e.t.Helper()
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM([]byte(readFile(e.t, caPath))) {
		e.t.Fatalf("%s holds no certificate", caPath)
	}
	transport := &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: roots, ServerName: host},
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, "127.0.0.1:443")
		},
	}
	resp, err := (&http.Client{Timeout: 5 * time.Second, Transport: transport}).Get("https://" + host + path)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// maintenanceDeployment adds a stack to the operator's checkout, hello-m:
// the hello pods and a maintenance pod (the hello web image greeting
// "Down for maintenance"), and creates a deployment of it in namespace
// hello-m with maintenance-service set and a web that starts slowly.
func (e *env) maintenanceDeployment() string {
	e.t.Helper()
	testutil.WriteFile(e.t, e.upstream, "compose/docker-compose-maint.yml", `services:
  maint:
    image: kubectl-stack/hello-web:local
    environment:
      GREETING: Down for maintenance
    expose: ["80"]
`)
	testutil.WriteFile(e.t, e.upstream, "stacks/hello-m/stack.yml", "version: \"1.1\"\nname: hello-m\npods:\n  - web\n  - counter\n  - maint\n")
	// A start hook that records where it ran; it needs the kubeconfig.
	script := "#!/bin/sh\n[ -f \"$KUBECONFIG\" ] || exit 9\necho \"$KUBECTL_STACK_KIND_CLUSTER $KUBECTL_STACK_CONTEXT $KUBECTL_STACK_NAMESPACE\" >> started.txt\n"
	hook := testutil.WriteFile(e.t, e.upstream, "stacks/hello-m/deploy/hooks/start", script)
	if err := os.Chmod(hook, 0o755); err != nil {
		e.t.Fatal(err)
	}
	testutil.Git(e.t, e.upstream, "add", ".")
	testutil.Git(e.t, e.upstream, "commit", "-qm", "a stack with a maintenance page")
	testutil.Git(e.t, e.repo, "pull", "-q")
	s := readFile(e.t, e.spec("m", "hello-m", true))
	for old, repl := range map[string]string{
		"stack: ../stacks/hello\n":         "stack: ../stacks/hello-m\n",
		"  GREETING: Hello from hello-m\n": "  STARTUP_DELAY: 4s\n",
	} {
		if !strings.Contains(s, old) {
			e.t.Fatalf("the kind spec has no %q to replace", old)
		}
		s = strings.Replace(s, old, repl, 1)
	}
	// The operator read the hook and allowed it.
	s += "hooks:\n  start: " + hooks.Digest([]byte(script)) + "\n"
	return e.create(testutil.WriteFile(e.t, e.repo, "ops/m.yml", s+"maintenance-service: maint:80\n"))
}
