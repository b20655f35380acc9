package kindcluster

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	kinderrors "sigs.k8s.io/kind/pkg/errors"
	kindexec "sigs.k8s.io/kind/pkg/exec"
)

// TestCommandOutputIsKept: kind wraps a failed command (here as its
// docker run would fail) in its own errors; the output that says why
// reaches the user.
func TestCommandOutputIsKept(t *testing.T) {
	t.Parallel()
	run := &kindexec.RunError{Command: []string{"docker", "run"}, Output: []byte("docker: Error response from daemon: port is already allocated.\n"), Inner: errors.New("exit status 125")}
	err := fmt.Errorf("creating kind cluster %q: %w", "x", withCommandOutput(kinderrors.Wrap(run, "failed to create cluster")))
	if !strings.Contains(err.Error(), "command output:\ndocker: Error response from daemon: port is already allocated.") {
		t.Errorf("error = %v", err)
	}
	var ce *CommandError
	if !errors.As(err, &ce) {
		t.Error("not a *CommandError")
	}
	plain := errors.New("no command")
	if withCommandOutput(plain) != plain {
		t.Error("an error without a command was changed")
	}
}
