package engine

import (
	"archive/tar"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
)

// TestContextNeverFollowsLinksOut: a link in a build context, to a file or
// a directory outside it, goes to the engine as a link; what it points at
// is never read into the context.
func TestContextNeverFollowsLinksOut(t *testing.T) {
	t.Parallel()
	outside := t.TempDir()
	testutil.WriteFile(t, outside, "shadow", "OUTSIDE-THE-CONTEXT")
	dir := scratchContext(t, "FROM scratch\n")
	for link, target := range map[string]string{"file-link": filepath.Join(outside, "shadow"), "dir-link": outside, "etc": "/etc"} {
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	rc, err := contextTar(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	tr := tar.NewReader(rc)
	links := 0
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(h.Name, "/") && (strings.HasPrefix(h.Name, "dir-link/") || strings.HasPrefix(h.Name, "etc/")) {
			t.Errorf("the context holds %s, from behind a link", h.Name)
		}
		if h.Typeflag == tar.TypeSymlink {
			links++
		}
		data, _ := io.ReadAll(tr)
		if strings.Contains(string(data), "OUTSIDE-THE-CONTEXT") {
			t.Errorf("%s carries a file from outside the context", h.Name)
		}
	}
	if links != 3 {
		t.Errorf("%d links in the context, want the 3 as links", links)
	}
}
