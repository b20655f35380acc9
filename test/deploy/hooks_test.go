package deploy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
	"github.com/kubectl-stack/kubectl-stack/pkg/cmd"
	"github.com/kubectl-stack/kubectl-stack/pkg/hooks"
)

// TestStackHooks: the stack's deploy/hooks/create runs after create (and
// create --update), deploy/hooks/start after deploy, from D with the
// documented environment, but only once the operator allowed them (their
// digests in spec.yml, or --allow-hooks): a hook not allowed, or changed
// since, is named in a warning and not run. A failing hook stops the verb
// with its exit code; a laconic-so deploy/commands.py is named in a
// warning, and create does not fail because of it.
func TestStackHooks(t *testing.T) {
	root, specPath, ns := stack(t)
	stackDir := filepath.Join(root, "stacks/hello")
	writeHook := func(event, script string) string {
		p := testutil.WriteFile(t, filepath.Join(stackDir, "deploy/hooks"), event, script)
		if err := os.Chmod(p, 0o755); err != nil {
			t.Fatal(err)
		}
		return hooks.Digest([]byte(script))
	}
	createDigest := writeHook("create", "#!/bin/sh\necho \"$KUBECTL_STACK_EVENT $KUBECTL_STACK_NAMESPACE\" >> \"$KUBECTL_STACK_DEPLOYMENT_DIR/hook.log\"\necho created\n")
	startDigest := writeHook("start", "#!/bin/sh\necho \"$KUBECTL_STACK_EVENT $KUBECTL_STACK_DEPLOYMENT_ID\" >> hook.log\n")
	testutil.WriteFile(t, filepath.Join(stackDir, "deploy"), "commands.py", "def create(deployment_context, extra_args):\n    pass\n")

	dir := filepath.Join(t.TempDir(), "dep")
	_, errOut, err := run(t, "create", "--spec-file", specPath, "-d", dir, "-q")
	if err != nil {
		t.Fatalf("create: %v\n%s", err, errOut)
	}
	if strings.Contains(errOut, "hook create: created") || !strings.Contains(errOut, "did not run the create hook") || !strings.Contains(errOut, createDigest) {
		t.Errorf("create ran a hook nobody allowed, or did not say so (even with -q):\n%s", errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "hook.log")); !os.IsNotExist(err) {
		t.Fatalf("the unallowed create hook ran: %v", err)
	}

	spec := testutil.ReadFile(t, specPath) + "hooks:\n  create: " + createDigest + "\n  start: " + startDigest + "\n"
	testutil.WriteFile(t, filepath.Dir(specPath), filepath.Base(specPath), spec)
	_, errOut, err = run(t, "create", "--spec-file", specPath, "-d", dir, "--update")
	if err != nil {
		t.Fatalf("create --update: %v\n%s", err, errOut)
	}
	if !strings.Contains(errOut, "hook create: created") || !strings.Contains(errOut, "deploy/commands.py: create() ran at the end of every `deploy create`") {
		t.Errorf("create's output lacks the allowed hook's line or the commands.py warning:\n%s", errOut)
	}
	deploy(t, dir, "--wait=false")
	rec := testutil.ReadFile(t, filepath.Join(dir, "deployment.yml"))
	id := rec[strings.Index(rec, "deployment-id: ")+len("deployment-id: "):]
	id = strings.TrimSpace(strings.SplitN(id, "\n", 2)[0])
	if got, want := testutil.ReadFile(t, filepath.Join(dir, "hook.log")), "create "+ns+"\nstart "+id+"\n"; got != want {
		t.Errorf("hook.log = %q, want %q", got, want)
	}

	// A pull changes the start hook: it no longer runs until allowed again.
	writeHook("start", "#!/bin/sh\necho failing on purpose\nexit 7\n")
	if _, errOut, err := run(t, "create", "--spec-file", specPath, "-d", dir, "--update"); err != nil {
		t.Fatalf("create --update: %v\n%s", err, errOut)
	}
	_, errOut, err = run(t, "deploy", "-d", dir, "--wait=false")
	if err != nil || strings.Contains(errOut, "failing on purpose") || !strings.Contains(errOut, "it changed since its digest "+startDigest) {
		t.Errorf("deploy with a changed start hook: %v\n%s; want it not run, and named", err, errOut)
	}
	_, errOut, err = run(t, "deploy", "-d", dir, "--wait=false", "--allow-hooks")
	if code := cmd.ExitCode(err); code != 7 || !strings.Contains(errOut, "hook start: failing on purpose") {
		t.Errorf("deploy --allow-hooks with a failing start hook: exit code %d (%v)\n%s; want 7 and the hook's output", code, err, errOut)
	}
}
