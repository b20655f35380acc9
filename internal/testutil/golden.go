// Package testutil holds test helpers shared by kubectl-stack's packages.
package testutil

import (
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Update is -update: rewrite golden files with the current output.
var Update = flag.Bool("update", false, "rewrite golden files with the current output")

// AssertGolden compares got with the golden file at path (relative to the
// test's package), or rewrites the file when the test runs with -update.
func AssertGolden(t *testing.T, got []byte, path string) {
	t.Helper()
	got = []byte(strings.ReplaceAll(string(got), "\r\n", "\n"))
	if *Update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file: %v (run `make update-golden` to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs from the output (-want +got):\n%s\nrun `make update-golden` if the change is intended", path, diff)
	}
}

// CopyTree copies the directory src to dst for tests that modify fixtures.
func CopyTree(t testing.TB, src, dst string) {
	t.Helper()
	err := filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if info.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, info.Mode().Perm())
	})
	if err != nil {
		t.Fatal(err)
	}
}

// WriteFile writes content to dir/name, creating parents.
func WriteFile(t testing.TB, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// ReadTree reads every file under dir, by slash-separated path relative
// to dir.
func ReadTree(t testing.TB, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		data, err := os.ReadFile(p)
		out[filepath.ToSlash(rel)] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// AssertTreeLacks fails for every file under dir that holds one of the
// secrets.
func AssertTreeLacks(t testing.TB, dir string, secrets ...string) {
	t.Helper()
	for name, data := range ReadTree(t, dir) {
		for _, s := range secrets {
			if strings.Contains(data, s) {
				t.Errorf("%s holds a secret value", filepath.Join(dir, name))
			}
		}
	}
}
