// Package gitrepo answers which git checkout a path belongs to, using the git
// binary (the one place kubectl-stack runs git).
package gitrepo

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Info describes the checkout holding a path.
type Info struct {
	Root   string
	Commit string
}

// Describe returns the repository root and HEAD commit of the checkout that
// holds path: a directory, a file, or a path not created yet (git runs in
// its nearest existing directory). ok is false when it is not in a git
// checkout or git is not installed; that is not an error, since stacks
// need not live in git.
func Describe(ctx context.Context, path string) (Info, bool) {
	dir := path
	if abs, err := filepath.Abs(path); err == nil {
		dir, _ = existingAncestor(abs)
	}
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

// Pull fast-forwards the checkout holding dir from its upstream and returns
// the commits before and after. A pull that is not a fast-forward is an
// error that says what to do.
func Pull(ctx context.Context, dir string) (before, after string, err error) {
	if before, err = run(ctx, dir, "rev-parse", "HEAD"); err != nil {
		return "", "", fmt.Errorf("%s is not in a git checkout with commits", dir)
	}
	if out, err := output(ctx, dir, "pull", "--ff-only"); err != nil {
		return before, before, fmt.Errorf("git pull --ff-only in %s failed: %s\nthe checkout has diverged from its upstream (or has none): merge or rebase there by hand, then run restart again", dir, strings.TrimSpace(out))
	}
	after, err = run(ctx, dir, "rev-parse", "HEAD")
	return before, after, err
}

// Uncommitted lists the files of the checkout holding dir that differ from
// its HEAD (git status --porcelain lines).
func Uncommitted(ctx context.Context, dir string) ([]string, error) {
	out, err := run(ctx, dir, "status", "--porcelain")
	if err != nil || out == "" {
		return nil, err
	}
	return strings.Split(out, "\n"), nil
}

// RemoteURL is the URL of the checkout's origin remote ("" when it has
// none or dir is not in a checkout).
func RemoteURL(ctx context.Context, dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	existing, _ := existingAncestor(abs)
	url, _ := run(ctx, existing, "remote", "get-url", "origin")
	return url
}

// existingAncestor splits an absolute path into its longest existing
// directory (git runs there) and the rest.
func existingAncestor(abs string) (existing, missing string) {
	existing = abs
	for {
		if info, err := os.Stat(existing); err == nil && info.IsDir() {
			return existing, missing
		}
		parent := filepath.Dir(existing)
		if parent == existing {
			return existing, missing
		}
		missing = filepath.Join(filepath.Base(existing), missing)
		existing = parent
	}
}

// PathInRepo is dir's path relative to the root of the checkout holding
// it, slash-separated; dir need not exist yet. ok is false when no
// checkout holds it.
func PathInRepo(ctx context.Context, dir string) (rel string, ok bool) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", false
	}
	existing, missing := existingAncestor(abs)
	info, ok := Describe(ctx, existing)
	if !ok {
		return "", false
	}
	// git's root has its symlinks resolved.
	real, err := filepath.EvalSymlinks(existing)
	if err != nil {
		return "", false
	}
	rel, err = filepath.Rel(info.Root, filepath.Join(real, missing))
	if err != nil || strings.HasPrefix(rel, "..") {
		return "", false
	}
	return filepath.ToSlash(rel), true
}

// output runs git and returns stdout and stderr together.
func output(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// CLI is the git binary, as a value for code that takes its git as an
// interface (the lifecycle's restart).
type CLI struct{}

// Describe is the package's Describe.
func (CLI) Describe(ctx context.Context, dir string) (Info, bool) { return Describe(ctx, dir) }

// Pull is the package's Pull.
func (CLI) Pull(ctx context.Context, dir string) (string, string, error) { return Pull(ctx, dir) }

// Uncommitted is the package's Uncommitted.
func (CLI) Uncommitted(ctx context.Context, dir string) ([]string, error) {
	return Uncommitted(ctx, dir)
}
