package hooks

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
	"github.com/kubectl-stack/kubectl-stack/pkg/log"
)

func hook(t *testing.T, dir, event, script string, mode os.FileMode) {
	t.Helper()
	p := testutil.WriteFile(t, filepath.Join(dir, DeploymentDir), event, script)
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
}

func TestRun(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var out bytes.Buffer
	l := log.New(&out, 0)
	if ran, err := Run(context.Background(), Request{Event: Start, Dir: dir, Log: l}); ran || err != nil {
		t.Fatalf("without a hook: ran %v, %v", ran, err)
	}
	hook(t, dir, Create, "#!/bin/sh\necho \"made $KUBECTL_STACK_DEPLOYMENT_ID in $PWD\"\necho to-stderr >&2\n", 0o755)
	ran, err := Run(context.Background(), Request{Event: Create, Dir: dir, Env: map[string]string{"KUBECTL_STACK_DEPLOYMENT_ID": "dep-1"}, Log: l})
	if !ran || err != nil || !strings.Contains(out.String(), "hook create: made dep-1 in "+dir) || !strings.Contains(out.String(), "hook create: to-stderr") {
		t.Fatalf("create hook: ran %v, %v\n%s", ran, err, out.String())
	}
	hook(t, dir, Start, "#!/bin/sh\nexit 7\n", 0o755)
	_, err = Run(context.Background(), Request{Event: Start, Dir: dir, Log: l})
	var hookErr *Error
	if !errors.As(err, &hookErr) || hookErr.Code != 7 || hookErr.Event != Start {
		t.Errorf("failing hook = %v, want an Error with code 7", err)
	}
	hook(t, dir, Start, "#!/bin/sh\nexit 0\n", 0o644)
	if _, err := Run(context.Background(), Request{Event: Start, Dir: dir, Log: l}); !errors.As(err, &hookErr) || !strings.Contains(err.Error(), "not executable") {
		t.Errorf("non-executable hook = %v, want the chmod hint", err)
	}
}

func TestPythonHooks(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if got := PythonHooks(dir); got != nil {
		t.Errorf("without commands.py = %v", got)
	}
	testutil.WriteFile(t, filepath.Join(dir, "deploy"), "commands.py", "import os\n\ndef init(ctx):\n    return {}\n\ndef helper():\n    pass\n\ndef start(ctx):\n    pass\n")
	got := strings.Join(PythonHooks(dir), "\n")
	if !strings.Contains(got, "init() merged") || !strings.Contains(got, "start() ran after") || strings.Contains(got, "helper") {
		t.Errorf("PythonHooks = %q, want init and start described, helper not", got)
	}
}
