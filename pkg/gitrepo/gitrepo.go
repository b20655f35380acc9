// Package gitrepo answers which git checkout a path belongs to, using the git
// binary (the one place kubectl-stack runs git).
package gitrepo

import (
	"bytes"
	"context"
	"os/exec"
	"strings"
)

// Info describes the checkout holding a path.
type Info struct {
	Root   string
	Commit string
}

// Describe returns the repository root and HEAD commit of the checkout that
// holds dir. ok is false when dir is not in a git checkout or git is not
// installed; that is not an error, since stacks need not live in git.
func Describe(ctx context.Context, dir string) (Info, bool) {
	root, err := run(ctx, dir, "rev-parse", "--show-toplevel")
	if err != nil {
		return Info{}, false
	}
	commit, err := run(ctx, dir, "rev-parse", "HEAD")
	if err != nil {
		// A repository without commits has a root but no HEAD.
		return Info{Root: root}, true
	}
	return Info{Root: root, Commit: commit}, true
}

func run(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := cmd.Run(); err != nil {
		return "", err
	}
	return strings.TrimSpace(out.String()), nil
}
