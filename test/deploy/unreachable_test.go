package deploy

import (
	"bufio"
	"encoding/pem"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"k8s.io/client-go/tools/clientcmd"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
	"github.com/kubectl-stack/kubectl-stack/test/cluster"
)

// proxy forwards TCP connections to target until closed; closing it also
// cuts the connections it carries, as a dead API server would.
type proxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	conns  []net.Conn
}

func startProxy(t *testing.T, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target}
	go p.serve(ln)
	return p
}

func (p *proxy) serve(ln net.Listener) {
	for {
		in, err := ln.Accept()
		if err != nil {
			return
		}
		out, err := net.Dial("tcp", p.target)
		if err != nil {
			in.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, in, out)
		p.mu.Unlock()
		go func() { _, _ = io.Copy(out, in) }()
		go func() { _, _ = io.Copy(in, out) }()
	}
}

// restart listens again on the address close gave up: the API server is
// back.
func (p *proxy) restart(t *testing.T) {
	t.Helper()
	ln, err := net.Listen("tcp", p.ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go p.serve(ln)
}

func (p *proxy) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ln.Close()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// apiServerAddress is host:port of the shared cluster's API server.
func apiServerAddress(t *testing.T) string {
	t.Helper()
	cfg, err := clientcmd.LoadFromFile(cluster.Shared(t).Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cfg.Clusters {
		u, err := url.Parse(c.Server)
		if err != nil {
			t.Fatal(err)
		}
		return u.Host
	}
	t.Fatal("the kubeconfig has no cluster")
	return ""
}

// kubeconfigFor writes the shared cluster's kubeconfig with its server
// (and, when given, the CA it is verified with) replaced.
func kubeconfigFor(t *testing.T, server string, caPEM []byte) string {
	t.Helper()
	cfg, err := clientcmd.LoadFromFile(cluster.Shared(t).Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cfg.Clusters {
		c.Server = server
		if caPEM != nil {
			c.CertificateAuthorityData = caPEM
		}
	}
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestDeadAPIServerDuringWait: the API server goes away while deploy
// waits for pods that never schedule; deploy gives up after about 30 s of
// failures, saying the server is unreachable, instead of retrying for its
// 5-minute timeout.
func TestDeadAPIServerDuringWait(t *testing.T) {
	root, specPath, _ := stack(t)
	spec := testutil.ReadFile(t, specPath) + "node-affinities:\n  - {label: kubectl-stack-test/never, value: \"true\"}\n"
	testutil.WriteFile(t, root, "ops/spec.yml", spec)
	dir := create(t, specPath)
	p := startProxy(t, apiServerAddress(t))
	kubeconfig := kubeconfigFor(t, "https://"+p.ln.Addr().String(), nil)
	cmd := testutil.PluginCommand(t, "--kubeconfig", kubeconfig, "deploy", "-d", dir, "--timeout", "5m")
	cmd.Env = append(os.Environ(), "DEMO_REGISTRY_TOKEN="+token)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The server goes away once the deploy waits.
	var out strings.Builder
	var gone time.Time
	scanner := bufio.NewScanner(stderr)
	for scanner.Scan() {
		out.WriteString(scanner.Text() + "\n")
		if gone.IsZero() && strings.Contains(scanner.Text(), "objects to become ready") {
			p.close()
			gone = time.Now()
		}
	}
	err = cmd.Wait()
	took := time.Since(gone)
	if gone.IsZero() || err == nil || !strings.Contains(out.String(), "unreachable for") {
		t.Fatalf("deploy with the API server gone = %v, want it to say the server is unreachable:\n%s", err, out.String())
	}
	if took > 90*time.Second {
		t.Errorf("deploy gave up %s after the server went away; want about 30 s", took)
	}
	t.Logf("deploy gave up %s after the server went away", took.Round(time.Second))
}

// TestNotAnAPIServer: a kubeconfig pointing at a server that answers 404
// to everything gets "not a Kubernetes API server", not "nothing
// deployed".
func TestNotAnAPIServer(t *testing.T) {
	_, specPath, _ := stack(t)
	dir := create(t, specPath)
	srv := httptest.NewTLSServer(http.NotFoundHandler())
	defer srv.Close()
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	kubeconfig := kubeconfigFor(t, srv.URL, ca)
	for _, verb := range [][]string{{"stop", "-d", dir}, {"status", "-d", dir}} {
		cmd := testutil.PluginCommand(t, append([]string{"--kubeconfig", kubeconfig}, verb...)...)
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), "is not a Kubernetes API server") {
			t.Errorf("%s against a 404 server = %v:\n%s\nwant it to say it is not a Kubernetes API server", verb[0], err, out)
		}
	}
}

// TestAPIServerRestartMidDeploy: the API server goes away while deploy
// applies (after its first object) and comes back; the deploy fails, and
// the rerun converges: every object is there and listed in the inventory.
func TestAPIServerRestartMidDeploy(t *testing.T) {
	_, specPath, ns := stack(t)
	dir := create(t, specPath)
	p := startProxy(t, apiServerAddress(t))
	kubeconfig := kubeconfigFor(t, "https://"+p.ln.Addr().String(), nil)
	cmd := testutil.PluginCommand(t, "--kubeconfig", kubeconfig, "deploy", "-d", dir, "--wait=false")
	cmd.Env = append(os.Environ(), "DEMO_REGISTRY_TOKEN="+token)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	cut := false
	scanner := bufio.NewScanner(stderr)
	for scanner.Scan() {
		out.WriteString(scanner.Text() + "\n")
		if !cut && strings.Contains(scanner.Text(), " created") {
			p.close()
			cut = true
			time.AfterFunc(3*time.Second, func() { p.restart(t) })
		}
	}
	err = cmd.Wait()
	if !cut {
		t.Fatalf("the deploy created nothing before it ended (%v):\n%s", err, out.String())
	}
	time.Sleep(4 * time.Second)
	rerun := testutil.PluginCommand(t, "--kubeconfig", kubeconfig, "deploy", "-d", dir, "--wait=false")
	rerun.Env = cmd.Env
	if b, err := rerun.CombinedOutput(); err != nil {
		t.Fatalf("the rerun after the API server came back: %v\n%s", err, b)
	}
	if n := len(liveDeployments(t, ns)); n != 2 {
		t.Errorf("after the rerun %d Deployments, want 2", n)
	}
	lines := inventoryLines(t, ns, deploymentID(t, dir))
	for _, want := range []string{"Deployment", "Service", "ConfigMap", "Job"} {
		if !slices.ContainsFunc(lines, func(l string) bool { return strings.Contains(l, "_"+want) }) {
			t.Errorf("the inventory after the rerun lacks every %s:\n%s", want, strings.Join(lines, "\n"))
		}
	}
	t.Logf("first deploy, cut mid-apply: %v", err)
}
