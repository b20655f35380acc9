package engine

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
)

// scratchContext is a build context for a FROM scratch image (nothing can
// be pulled here), with a file the .dockerignore keeps out.
func scratchContext(t *testing.T, dockerfile string) string {
	t.Helper()
	dir := t.TempDir()
	testutil.WriteFile(t, dir, "Dockerfile", dockerfile)
	testutil.WriteFile(t, dir, "app/hello.txt", "hello\n")
	testutil.WriteFile(t, dir, "secret.txt", "do not ship\n")
	testutil.WriteFile(t, dir, ".dockerignore", "secret.txt\n")
	return dir
}

func connect(t *testing.T) *Engine {
	t.Helper()
	testutil.RequireDocker(t)
	e, err := Connect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func removeImage(t *testing.T, image string) {
	t.Cleanup(func() { _ = exec.Command("docker", "image", "rm", "-f", image).Run() })
}

func TestBuildOnTheRealEngine(t *testing.T) {
	t.Parallel()
	e := connect(t)
	ctx := context.Background()
	image := fmt.Sprintf("kubectl-stack-test/build:%d", time.Now().UnixNano())
	removeImage(t, image)
	if has, err := e.Has(ctx, image); err != nil || has {
		t.Fatalf("Has(%s) before the build = %v, %v; want false", image, has, err)
	}
	dir := scratchContext(t, "FROM scratch\nARG GREETING=none\nLABEL greeting=$GREETING\nCOPY app /app\n")
	var progress bytes.Buffer
	req := Request{Context: dir, Image: image, Args: map[string]string{"GREETING": "hi"}}
	if err := e.Build(ctx, req, &progress); err != nil {
		t.Fatalf("Build() = %v\n%s", err, progress.String())
	}
	if !strings.Contains(progress.String(), "COPY app /app") {
		t.Errorf("progress does not show the build steps:\n%s", progress.String())
	}
	if has, err := e.Has(ctx, image); err != nil || !has {
		t.Fatalf("Has(%s) after the build = %v, %v; want true", image, has, err)
	}
	out, err := exec.Command("docker", "image", "inspect", "-f", "{{.Config.Labels.greeting}}", image).Output()
	if err != nil || strings.TrimSpace(string(out)) != "hi" {
		t.Errorf("label from the build argument = %q, %v; want hi", out, err)
	}
}

func TestBuildHonoursDockerignoreAndReportsFailures(t *testing.T) {
	t.Parallel()
	e := connect(t)
	image := fmt.Sprintf("kubectl-stack-test/ignored:%d", time.Now().UnixNano())
	removeImage(t, image)
	dir := scratchContext(t, "FROM scratch\nCOPY secret.txt /secret.txt\n")
	var progress bytes.Buffer
	err := e.Build(context.Background(), Request{Context: dir, Image: image}, &progress)
	if err == nil || !strings.Contains(err.Error(), "secret.txt") {
		t.Fatalf("Build() = %v, want a failure naming secret.txt (excluded by .dockerignore)\n%s", err, progress.String())
	}
}

// TestPushToARegistry pushes a built image to a real registry (the
// go-containerregistry registry, in the test process) and finds it there.
func TestPushToARegistry(t *testing.T) {
	t.Parallel()
	e := connect(t)
	ctx := context.Background()
	reg := testutil.StartRegistry(t)
	image := fmt.Sprintf("%s/stack/web:%d", reg, time.Now().UnixNano())
	removeImage(t, image)
	auth := &Auth{Server: reg, Username: "demo", Password: "s3cret-token"}
	if found, err := e.InRegistry(ctx, image, auth); err != nil || found {
		t.Fatalf("InRegistry before the push = %v, %v; want false", found, err)
	}
	var progress bytes.Buffer
	if err := e.Build(ctx, Request{Context: scratchContext(t, "FROM scratch\nCOPY app /app\n"), Image: image}, &progress); err != nil {
		t.Fatalf("Build() = %v\n%s", err, progress.String())
	}
	progress.Reset()
	if err := e.Push(ctx, image, auth, &progress); err != nil {
		t.Fatalf("Push() = %v\n%s", err, progress.String())
	}
	if strings.Contains(progress.String(), "s3cret-token") {
		t.Error("the push output shows the registry password")
	}
	if found, err := e.InRegistry(ctx, image, auth); err != nil || !found {
		t.Fatalf("InRegistry after the push = %v, %v; want true", found, err)
	}
}
