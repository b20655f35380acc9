package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkVersionProcess runs the built binary's version command: the
// start-up cost every invocation pays (package initialisation included).
// Run: go test -run '^$' -bench VersionProcess ./cmd/kubectl-stack/
func BenchmarkVersionProcess(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "kubectl-stack")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	for b.Loop() {
		out, err := exec.Command(bin, "version").Output()
		if err != nil || len(strings.TrimSpace(string(out))) == 0 {
			b.Fatalf("version: %v\n%s", err, out)
		}
	}
}
