package cluster

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// shared is the cluster started by Main for a package's tests.
var (
	shared     *Cluster
	skipReason string
)

// Main runs a package's tests with one shared cluster, started before the
// first test and stopped after the last, also on SIGINT/SIGTERM. Without
// the binaries, tests that call Shared are skipped with instructions, except
// in CI (CI or KUBECTL_STACK_REQUIRE_CLUSTER set), where that is a failure.
func Main(m *testing.M, nodes int) int {
	dataHome, err := privateDataHome()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dataHome)
	binDir, err := BinDir()
	if err == nil {
		err = CheckBinaries(binDir)
	}
	if err != nil {
		if Required() {
			fmt.Fprintf(os.Stderr, "local cluster required in CI but unavailable: %v\n", err)
			return 1
		}
		skipReason = err.Error()
		return m.Run()
	}
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	shared, err = Start(ctx, Options{BinDir: binDir, Nodes: nodes, Log: os.Stderr})
	if err != nil {
		fmt.Fprintf(os.Stderr, "starting the local cluster: %v\n", err)
		return 1
	}
	stopped := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			fmt.Fprintln(os.Stderr, "interrupted: stopping the local cluster")
			_ = shared.Stop()
			os.Exit(130)
		case <-stopped:
		}
	}()
	code := m.Run()
	close(stopped)
	if err := shared.Stop(); err != nil {
		fmt.Fprintf(os.Stderr, "stopping the local cluster: %v\n", err)
	}
	return code
}

// Shared returns the package's cluster, or skips the test when the
// binaries are not built (outside CI).
func Shared(t testing.TB) *Cluster {
	t.Helper()
	if shared == nil {
		t.Skipf("integration test skipped: %s", skipReason)
	}
	return shared
}

// Required reports whether a missing cluster is a failure (CI).
func Required() bool {
	return os.Getenv("CI") != "" || os.Getenv("KUBECTL_STACK_REQUIRE_CLUSTER") != ""
}

// BinDir is where hack/testbin.sh puts the binaries:
// $KUBECTL_STACK_TESTBIN, else what the script reports.
func BinDir() (string, error) {
	if d := os.Getenv("KUBECTL_STACK_TESTBIN"); d != "" {
		return d, nil
	}
	root, err := repoRoot()
	if err != nil {
		return "", err
	}
	out, err := exec.Command(filepath.Join(root, "hack", "testbin.sh"), "--dir").Output()
	if err != nil {
		return "", fmt.Errorf("asking hack/testbin.sh for the binary directory: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

// repoRoot walks up from the working directory to the directory holding
// hack/testbin.sh.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "hack", "testbin.sh")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("hack/testbin.sh not found above the working directory; set KUBECTL_STACK_TESTBIN")
		}
		dir = parent
	}
}

// privateDataHome points XDG_DATA_HOME at a new directory for the run. The
// tests run the plugin in process, and its state on the host (the local CA
// of every kind cluster a test names) would otherwise pile up in the
// user's ~/.local/share/kubectl-stack, where the plugin keeps it on purpose.
func privateDataHome() (string, error) {
	dir, err := os.MkdirTemp("", "kubectl-stack-data-")
	if err != nil {
		return "", fmt.Errorf("making the tests' data directory: %w", err)
	}
	return dir, os.Setenv("XDG_DATA_HOME", dir)
}
