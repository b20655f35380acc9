package faults

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
	"github.com/kubectl-stack/kubectl-stack/pkg/apply"
	"github.com/kubectl-stack/kubectl-stack/test/cluster"
)

// TestHungAPIServerIsReportedInTime: deploy waits for a deployment that
// cannot become ready; its API server is then stopped (SIGSTOP: the kernel
// still accepts connections, nothing answers). deploy reports the server
// unreachable once it has been so for apply.UnreachableAfter, as its
// message says, and not after a probe that hangs for minutes. It runs on
// a control plane of its own: the shared one must keep answering.
func TestHungAPIServerIsReportedInTime(t *testing.T) {
	cluster.Shared(t) // skips, as every test of the package, without the binaries
	bin, err := cluster.BinDir()
	if err != nil {
		t.Fatal(err)
	}
	c, err := cluster.Start(context.Background(), cluster.Options{BinDir: bin})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	apiserver := 0
	for _, pid := range c.Pids() {
		if comm, _ := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "comm")); strings.TrimSpace(string(comm)) == "kube-apiserver" {
			apiserver = pid
		}
	}
	if apiserver == 0 {
		t.Fatalf("no kube-apiserver among the cluster's processes %v", c.Pids())
	}

	root := t.TempDir()
	src, _ := filepath.Abs("../../examples/hello")
	testutil.CopyTree(t, src, root)
	spec := strings.Replace(testutil.ReadFile(t, filepath.Join(root, "ops/spec.yml")), "namespace: hello-demo", "namespace: hung", 1)
	spec = strings.Replace(spec, "/var/lib/kubectl-stack-demo/counter", "/var/lib/kubectl-stack-faults/hung", 1)
	// No node has this label: the pods stay Pending and deploy waits.
	spec += "node-affinities:\n  - label: kubectl-stack.io/never\n    value: \"true\"\n"
	testutil.WriteFile(t, root, "ops/spec.yml", spec)
	run := func(args ...string) *exec.Cmd {
		cmd := exec.Command(testutil.PluginBinary(t), append([]string{"--kubeconfig", c.Kubeconfig}, args...)...)
		cmd.Env = append(os.Environ(), "DEMO_REGISTRY_TOKEN=faults-token")
		return cmd
	}
	dir := filepath.Join(root, "dep")
	if out, err := run("create", "--spec-file", filepath.Join(root, "ops/spec.yml"), "-d", dir).CombinedOutput(); err != nil {
		t.Fatalf("create: %v\n%s", err, out)
	}
	deploy := run("deploy", "-d", dir, "--timeout", "10m")
	var out bytes.Buffer
	deploy.Stdout, deploy.Stderr = &out, &out
	if err := deploy.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- deploy.Wait() }()
	waiting := time.Now().Add(2 * time.Minute)
	for !strings.Contains(out.String(), "waiting for") {
		if time.Now().After(waiting) {
			t.Fatalf("deploy never started waiting:\n%s", out.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err := syscall.Kill(apiserver, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	stopped := time.Now()
	defer syscall.Kill(apiserver, syscall.SIGCONT)
	// The bound: the outage the message names, plus a probe interval, a
	// probe's own time limit and the bounded release of the lock.
	limit := apply.UnreachableAfter + 10*time.Second
	select {
	case err := <-done:
		took := time.Since(stopped)
		if err == nil || !strings.Contains(out.String(), "has been unreachable for") {
			t.Fatalf("deploy against a stopped API server = %v after %s, want it reported unreachable:\n%s", err, took, out.String())
		}
		t.Logf("reported unreachable %s after the API server stopped:\n%s", took.Round(100*time.Millisecond), out.String())
	case <-time.After(limit):
		_ = deploy.Process.Kill()
		t.Fatalf("deploy had not reported the stopped API server after %s (its message says %s):\n%s", limit, apply.UnreachableAfter, out.String())
	}
}
