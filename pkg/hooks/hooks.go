// Package hooks runs a stack's executable hooks: the Go-world equivalent of
// laconic-so's deploy/commands.py. A stack ships executables in
// deploy/hooks/<event>; create copies them into the deployment directory
// (D/hooks), and they run from there with a documented environment:
//
//	create  after create, create --update and restart's re-sync
//	start   after deploy has applied (and, with --wait, readied) everything
//
// Their output goes to stderr, each line prefixed "hook <event>: "; a hook
// that fails stops the verb with its exit code.
package hooks

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"

	"github.com/kubectl-stack/kubectl-stack/pkg/bindsrc"
	"github.com/kubectl-stack/kubectl-stack/pkg/log"
)

const (
	// Create and Start are the events.
	Create = "create"
	Start  = "start"
	// StackDir is where a stack keeps its hooks, DeploymentDir where
	// create copies them in D.
	StackDir      = "deploy/hooks"
	DeploymentDir = "hooks"
)

// Request is one hook run.
type Request struct {
	Event string
	// Dir is the deployment directory; the hook is Dir/hooks/<Event> and
	// runs in Dir.
	Dir string
	// Env is added to the hook's environment (KUBECTL_STACK_*, KUBECONFIG).
	Env map[string]string
	Log *log.Logger
	// Allowed are the digests of the hooks the operator allowed, by event
	// (spec.yml's hooks:); AllowAll (--allow-hooks) allows whatever the
	// deployment holds.
	Allowed  map[string]string
	AllowAll bool
}

// Error is a hook that failed.
type Error struct {
	Event string
	Path  string
	Code  int
	Err   error
}

func (e *Error) Error() string {
	return fmt.Sprintf("the %s hook %s failed (exit code %d): %v", e.Event, e.Path, e.Code, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// Run runs the event's hook if the deployment has one and the operator
// allowed it; ran says whether it did. A hook not allowed, or changed
// since it was allowed, is not run: a warning (shown even with -q) names
// it, its digest and how to allow it, and the verb goes on.
func Run(ctx context.Context, req Request) (ran bool, err error) {
	path := filepath.Join(req.Dir, DeploymentDir, req.Event)
	info, err := os.Lstat(path)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if !info.Mode().IsRegular() {
		return false, &Error{Event: req.Event, Path: path, Code: 126, Err: errors.New("not a regular file; re-sync the deployment (kubectl stack create --update)")}
	}
	data, err := bindsrc.ReadFile(path, req.Dir, MaxSize)
	if err != nil {
		return false, &Error{Event: req.Event, Path: path, Code: 126, Err: err}
	}
	digest := Digest(data)
	if reason := req.refusal(digest); reason != "" {
		req.Log.Warnf("did not run the %s hook %s (%s): %s; read it, then allow it with --allow-hooks or by recording its digest in spec.yml (hooks: {%s: %s}) and re-syncing the deployment", req.Event, path, digest, reason, req.Event, digest)
		return false, nil
	}
	if info.Mode()&0o111 == 0 {
		return false, &Error{Event: req.Event, Path: path, Code: 126, Err: errors.New("not executable: chmod +x it in the stack, then re-sync the deployment")}
	}
	cmd := exec.CommandContext(ctx, path)
	cmd.Dir = req.Dir
	cmd.Env = os.Environ()
	for _, k := range slices.Sorted(maps.Keys(req.Env)) {
		cmd.Env = append(cmd.Env, k+"="+req.Env[k])
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return false, err
	}
	cmd.Stderr = cmd.Stdout
	req.Log.Infof("running the %s hook %s", req.Event, path)
	if err := cmd.Start(); err != nil {
		return false, &Error{Event: req.Event, Path: path, Code: 126, Err: err}
	}
	// All output is read before Wait, which closes the pipe.
	prefix(out, req.Log, req.Event)
	if err := cmd.Wait(); err != nil {
		code := 1
		var exit *exec.ExitError
		if errors.As(err, &exit) && exit.ExitCode() > 0 {
			code = exit.ExitCode()
		}
		return true, &Error{Event: req.Event, Path: path, Code: code, Err: err}
	}
	return true, nil
}

// refusal says why a hook with this digest may not run, or "".
func (req Request) refusal(digest string) string {
	want, recorded := req.Allowed[req.Event]
	switch {
	case req.AllowAll || want == digest:
		return ""
	case recorded:
		return "it changed since its digest " + want + " was recorded in spec.yml"
	}
	return "hooks run only when the operator allowed them"
}

func prefix(r io.Reader, l *log.Logger, event string) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		l.Infof("hook %s: %s", event, sc.Text())
	}
}

var pythonHook = regexp.MustCompile(`(?m)^def (init|setup|create|start)\s*\(`)

// pythonHookEffects says what laconic-so did with each Python hook.
var pythonHookEffects = map[string]string{
	"init":   "merged its return value into the spec `deploy init` wrote",
	"setup":  "ran for `deploy setup` (stack-specific network setup)",
	"create": "ran at the end of every `deploy create`, --update and restart (e.g. writing files into the deployment directory)",
	"start":  "ran after `deployment start` applied everything",
}

// PythonHooks reads a stack's laconic-so deploy/commands.py and says, per
// hook function it defines, what laconic-so did with it; none without the
// file.
func PythonHooks(stackDir string) []string {
	data, err := os.ReadFile(filepath.Join(stackDir, "deploy", "commands.py"))
	if err != nil {
		return nil
	}
	var out []string
	for _, m := range pythonHook.FindAllStringSubmatch(string(data), -1) {
		out = append(out, fmt.Sprintf("%s() %s", m[1], pythonHookEffects[m[1]]))
	}
	return out
}
