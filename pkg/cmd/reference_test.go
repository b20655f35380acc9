package cmd

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra/doc"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
)

// TestCLIReferenceIsCurrent generates the command reference in docs/cli
// with cobra/doc and compares it with the checked-in one, so that CI fails
// when a flag or help text changed without `make update-golden`. HOME is
// fixed because kubectl's --cache-dir default is under it.
func TestCLIReferenceIsCurrent(t *testing.T) {
	t.Setenv("HOME", "/home/user")
	root := NewCmdStack(genericiooptions.NewTestIOStreamsDiscard())
	root.DisableAutoGenTag = true
	tmp := t.TempDir()
	if err := doc.GenMarkdownTree(root, tmp); err != nil {
		t.Fatal(err)
	}
	want := "../../docs/cli"
	generated := testutil.ReadTree(t, tmp)
	for name, content := range generated {
		testutil.AssertGolden(t, []byte(content), filepath.Join(want, name))
	}
	checkedIn, err := os.ReadDir(want)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range checkedIn {
		if _, ok := generated[e.Name()]; !ok {
			if *testutil.Update {
				_ = os.Remove(filepath.Join(want, e.Name()))
				continue
			}
			t.Errorf("docs/cli/%s documents a command that is gone: run make update-golden", e.Name())
		}
	}
	if !slices.ContainsFunc(checkedIn, func(e os.DirEntry) bool { return e.Name() == "kubectl_stack_deploy.md" }) && !*testutil.Update {
		t.Error("docs/cli lacks the deploy reference")
	}
}

// TestDocLinksResolve: every relative link of README.md and docs/*.md
// names a file that exists and, with #anchor, a heading of it (GitHub's
// anchors: lowercase, punctuation dropped, spaces as -). README stays an
// introduction: under 250 lines, the reference lives in docs/.
func TestDocLinksResolve(t *testing.T) {
	t.Parallel()
	docs, _ := filepath.Glob("../../docs/*.md")
	docs = append(docs, "../../README.md")
	link := regexp.MustCompile(`\]\(([^)#\s]*)(#[^)\s]*)?\)`)
	for _, doc := range docs {
		text := testutil.ReadFile(t, doc)
		for _, m := range link.FindAllStringSubmatch(text, -1) {
			target, anchor := m[1], strings.TrimPrefix(m[2], "#")
			if strings.Contains(target, "://") {
				continue
			}
			path := doc
			if target != "" {
				path = filepath.Join(filepath.Dir(doc), target)
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Errorf("%s links to %s, which does not exist", doc, target)
				continue
			}
			if anchor != "" && !slices.Contains(anchors(string(data)), anchor) {
				t.Errorf("%s links to %s#%s, which has no such heading", doc, target, anchor)
			}
		}
	}
	if n := strings.Count(testutil.ReadFile(t, "../../README.md"), "\n"); n > 250 {
		t.Errorf("README.md has %d lines: keep it an introduction (under 250) and move reference material to docs/", n)
	}
}

// anchors are the GitHub anchors of a markdown file's headings.
func anchors(markdown string) []string {
	var out []string
	drop := regexp.MustCompile(`[^\p{L}\p{N} _-]`)
	for _, line := range strings.Split(markdown, "\n") {
		if !strings.HasPrefix(line, "#") {
			continue
		}
		title := strings.TrimSpace(strings.TrimLeft(line, "#"))
		out = append(out, strings.ReplaceAll(drop.ReplaceAllString(strings.ToLower(title), ""), " ", "-"))
	}
	return out
}
