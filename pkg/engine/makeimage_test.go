package engine

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
)

// TestMakeImageRunsTheExecutable: an image made of one static executable,
// without a build, is in the engine afterwards and runs it as its
// entrypoint, with its labels.
func TestMakeImageRunsTheExecutable(t *testing.T) {
	t.Parallel()
	e := connect(t)
	dir := t.TempDir()
	testutil.WriteFile(t, dir, "main.go", "package main\n\nimport (\n\t\"fmt\"\n\t\"os\"\n)\n\nfunc main() { fmt.Println(\"made\", os.Args[1:]) }\n")
	testutil.WriteFile(t, dir, "go.mod", "module made\n\ngo 1.22\n")
	exe := filepath.Join(dir, "made")
	build := exec.Command("go", "build", "-o", exe, ".")
	build.Dir, build.Env = dir, append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOFLAGS=")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the executable: %v\n%s", err, out)
	}
	image := fmt.Sprintf("kubectl-stack-test/made:%d", time.Now().UnixNano())
	removeImage(t, image)
	err := e.MakeImage(context.Background(), ExecutableImage{Name: image, Executable: exe, Path: "/bin/made", Architecture: runtime.GOARCH, Labels: map[string]string{"made-by": "test"}})
	if err != nil {
		t.Fatal(err)
	}
	if has, err := e.Has(context.Background(), image); err != nil || !has {
		t.Fatalf("Has(%s) = %v, %v; want the made image", image, has, err)
	}
	out, err := exec.Command("docker", "run", "--rm", image, "copy-up", "a=b").CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "made [copy-up a=b]" {
		t.Errorf("docker run %s = %q, %v; want the executable's output", image, out, err)
	}
	label, err := exec.Command("docker", "image", "inspect", "-f", "{{index .Config.Labels \"made-by\"}} {{.Architecture}} {{.Os}}", image).Output()
	if err != nil || strings.TrimSpace(string(label)) != "test "+runtime.GOARCH+" linux" {
		t.Errorf("image config = %q, %v", label, err)
	}
}
