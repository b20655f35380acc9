package testutil

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

var (
	buildOnce sync.Once
	binary    string
	buildErr  error
)

// PluginBinary builds kubectl-stack once per test process, for tests that
// need it as a separate process (racing operators, kills).
func PluginBinary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		_, here, _, _ := runtime.Caller(0)
		root := filepath.Join(filepath.Dir(here), "..", "..")
		dir, err := os.MkdirTemp("", "kubectl-stack-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binary = filepath.Join(dir, "kubectl-stack")
		cmd := exec.Command("go", "build", "-o", binary, "./cmd/kubectl-stack")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binary
}

// PluginCommand is kubectl-stack, built by PluginBinary, with args.
func PluginCommand(t testing.TB, args ...string) *exec.Cmd {
	t.Helper()
	return exec.Command(PluginBinary(t), args...)
}
