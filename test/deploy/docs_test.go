package deploy

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestDeletionsTableNamesRealTests: every row of docs/deletions.md names
// at least one test, and every test it names exists, so the table cannot
// promise what nothing checks.
func TestDeletionsTableNamesRealTests(t *testing.T) {
	doc, err := os.ReadFile("../../docs/deletions.md")
	if err != nil {
		t.Fatal(err)
	}
	var sources strings.Builder
	err = filepath.WalkDir("../..", func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() && (e.Name() == ".git" || e.Name() == "testdata") {
			return filepath.SkipDir
		}
		if strings.HasSuffix(p, "_test.go") {
			data, err := os.ReadFile(p)
			sources.Write(data)
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	name := regexp.MustCompile("`(Test[A-Za-z0-9]+)`")
	rows := 0
	for _, line := range strings.Split(string(doc), "\n") {
		if !strings.HasPrefix(line, "| `") {
			continue
		}
		rows++
		tests := name.FindAllStringSubmatch(line, -1)
		if len(tests) == 0 {
			t.Errorf("row without a test: %s", line)
		}
		for _, m := range tests {
			if !strings.Contains(sources.String(), "func "+m[1]+"(") {
				t.Errorf("docs/deletions.md names %s, which does not exist", m[1])
			}
		}
	}
	if rows < 10 {
		t.Errorf("docs/deletions.md has %d verb rows, want every verb", rows)
	}
}
