package hooks

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
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
	ran, err := Run(context.Background(), Request{AllowAll: true, Event: Create, Dir: dir, Env: map[string]string{"KUBECTL_STACK_DEPLOYMENT_ID": "dep-1"}, Log: l})
	if !ran || err != nil || !strings.Contains(out.String(), "hook create: made dep-1 in "+dir) || !strings.Contains(out.String(), "hook create: to-stderr") {
		t.Fatalf("create hook: ran %v, %v\n%s", ran, err, out.String())
	}
	hook(t, dir, Start, "#!/bin/sh\nexit 7\n", 0o755)
	_, err = Run(context.Background(), Request{AllowAll: true, Event: Start, Dir: dir, Log: l})
	var hookErr *Error
	if !errors.As(err, &hookErr) || hookErr.Code != 7 || hookErr.Event != Start {
		t.Errorf("failing hook = %v, want an Error with code 7", err)
	}
	hook(t, dir, Start, "#!/bin/sh\nexit 0\n", 0o644)
	if _, err := Run(context.Background(), Request{AllowAll: true, Event: Start, Dir: dir, Log: l}); !errors.As(err, &hookErr) || !strings.Contains(err.Error(), "not executable") {
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

// A hook runs only when allowed: by --allow-hooks, or by its digest in the
// spec; one changed since its digest was recorded does not run. Either
// way the operator is told which hook was not run and how to allow it.
func TestRunAsksFirst(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	marker := filepath.Join(dir, "ran")
	script := "#!/bin/sh\ntouch " + marker + "\n"
	hook(t, dir, Create, script, 0o755)
	digest := Digest([]byte(script))
	var out bytes.Buffer
	l := log.New(&out, -1) // -q: the refusal is a warning, shown even so
	ran, err := Run(context.Background(), Request{Event: Create, Dir: dir, Log: l})
	if ran || err != nil || !strings.Contains(out.String(), "did not run the create hook") || !strings.Contains(out.String(), "hooks: {create: "+digest+"}") {
		t.Fatalf("unallowed hook: ran %v, %v\n%s", ran, err, out.String())
	}
	if _, err := os.Stat(marker); !os.IsNotExist(err) {
		t.Fatalf("the unallowed hook ran (%v)", err)
	}
	ran, err = Run(context.Background(), Request{Event: Create, Dir: dir, Log: l, Allowed: map[string]string{Create: digest}})
	if _, statErr := os.Stat(marker); !ran || err != nil || statErr != nil {
		t.Fatalf("allowed by digest: ran %v, %v, marker %v", ran, err, statErr)
	}
	os.Remove(marker)
	hook(t, dir, Create, script+"echo changed by a pull\n", 0o755)
	out.Reset()
	ran, err = Run(context.Background(), Request{Event: Create, Dir: dir, Log: l, Allowed: map[string]string{Create: digest}})
	if _, statErr := os.Stat(marker); ran || err != nil || statErr == nil || !strings.Contains(out.String(), "it changed since its digest "+digest) {
		t.Fatalf("changed hook: ran %v, %v, marker %v\n%s", ran, err, statErr, out.String())
	}
}

// A stack's hooks must be its own regular files: a linked hooks directory
// (to /bin, /etc or /proc/self), a link in a component above it, a linked
// hook, a FIFO and a file over MaxSize are refused, never read.
func TestStackHooksRefusesWhatIsNotTheStacks(t *testing.T) {
	t.Parallel()
	cases := map[string]func(t *testing.T, stack string){
		"hooks dir linked to /etc": func(t *testing.T, stack string) { testutil.Symlink(t, "/etc", filepath.Join(stack, StackDir)) },
		"hooks dir linked to /proc/self": func(t *testing.T, stack string) {
			testutil.Symlink(t, "/proc/self", filepath.Join(stack, StackDir))
		},
		"deploy linked": func(t *testing.T, stack string) {
			other := t.TempDir()
			testutil.WriteFile(t, filepath.Join(other, "hooks"), Create, "#!/bin/sh\n")
			testutil.Symlink(t, other, filepath.Join(stack, "deploy"))
		},
		"linked hook": func(t *testing.T, stack string) {
			testutil.WriteFile(t, filepath.Join(stack, StackDir), "README", "x")
			testutil.Symlink(t, "/etc/passwd", filepath.Join(stack, StackDir, Create))
		},
		"fifo": func(t *testing.T, stack string) {
			testutil.WriteFile(t, filepath.Join(stack, StackDir), "README", "x")
			if err := syscall.Mkfifo(filepath.Join(stack, StackDir, Create), 0o755); err != nil {
				t.Fatal(err)
			}
		},
		"too big": func(t *testing.T, stack string) {
			testutil.WriteFile(t, filepath.Join(stack, StackDir), Create, strings.Repeat("#", MaxSize+1))
		},
	}
	for name, setup := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			stack := t.TempDir()
			setup(t, stack)
			if list, err := StackHooks(stack); err == nil {
				t.Errorf("StackHooks = %d hooks, no error; want a refusal", len(list))
			}
		})
	}
	stack := t.TempDir()
	testutil.WriteFile(t, filepath.Join(stack, StackDir), Create, "#!/bin/sh\n")
	if list, err := StackHooks(stack); err != nil || len(list) != 1 || list[0].Digest != Digest([]byte("#!/bin/sh\n")) {
		t.Errorf("a plain hook: %v, %v", list, err)
	}
}
