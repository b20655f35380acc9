package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/kubectl-stack/kubectl-stack/pkg/deployment"
	"github.com/kubectl-stack/kubectl-stack/pkg/hooks"
)

// RestartRequest is the GitOps update of one deployment directory.
type RestartRequest struct {
	Dir    string
	Record *deployment.Record
	// StackPath is the stack checkout to pull; "" is the record's
	// stack-source.
	StackPath string
	// SpecFile is the spec to use, relative to the checkout's repository
	// root; "" is the spec the deployment was created from, else D/spec.yml.
	SpecFile string
	// ForceRoll rolls every Deployment even when nothing changed.
	ForceRoll bool
	// Prepare names the images and token of the redeploy (its directory
	// is Dir); Deploy its options (its target is the re-synced one).
	Prepare PrepareRequest
	Deploy  DeployRequest
}

// RestartResult is what a restart did.
type RestartResult struct {
	// Pulled is "before..after" of the checkout, "" when it is not a git
	// checkout.
	Pulled string
	Update *deployment.UpdateResult
	Deploy *DeployResult
}

// Restart fast-forwards the stack's checkout, re-syncs the deployment
// directory from the chosen spec as create --update does, and deploys it.
func (l *Lifecycle) Restart(ctx context.Context, req RestartRequest) (*RestartResult, error) {
	source, err := stackSource(req)
	if err != nil {
		return nil, err
	}
	if err := l.preflight(ctx, req); err != nil {
		return nil, err
	}
	res := &RestartResult{}
	var repo string
	if res.Pulled, repo, err = l.pull(ctx, source); err != nil {
		return res, err
	}
	specPath, err := l.chooseSpec(req, repo)
	if err != nil {
		return res, err
	}
	l.Log.Infof("re-syncing %s from %s", req.Dir, specPath)
	created, err := deployment.Create(ctx, deployment.CreateOptions{SpecPath: specPath, Dir: req.Dir, Update: true})
	if err != nil {
		return res, fmt.Errorf("re-syncing %s: %w", req.Dir, err)
	}
	res.Update = created.Update
	prep := req.Prepare
	prep.Dir = req.Dir
	t, err := l.Prepare(ctx, prep)
	if err != nil {
		return res, err
	}
	if err := l.RunHook(ctx, t, hooks.Create); err != nil {
		return res, err
	}
	dep := req.Deploy
	dep.Target = t
	dep.RollAll = req.ForceRoll
	if view, backend := maintenanceView(t.Objects); view != nil {
		res.Deploy, err = l.deployBehindMaintenance(ctx, dep, view, backend)
		return res, err
	}
	res.Deploy, err = l.Deploy(ctx, dep)
	return res, err
}

// preflight checks, before restart pulls the checkout or rewrites the
// directory, what the redeploy needs and the current directory already
// tells: that it renders and that its registry token is there. A restart
// refused for a missing token then changes nothing.
func (l *Lifecycle) preflight(ctx context.Context, req RestartRequest) error {
	prep := req.Prepare
	prep.Dir = req.Dir
	if _, err := l.Prepare(ctx, prep); err != nil {
		return fmt.Errorf("checking %s before restarting it (nothing was pulled or re-synced): %w", req.Dir, err)
	}
	return nil
}

// stackSource is the checkout to pull: a plain compose stack's directory
// for a compose file.
func stackSource(req RestartRequest) (string, error) {
	source := req.StackPath
	if source == "" {
		source = req.Record.StackSource
	}
	info, err := os.Stat(source)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return "", &StackSourceMissingError{Path: source, Asked: req.StackPath != "", Dir: req.Dir}
	case err != nil:
		return "", fmt.Errorf("reading the stack source: %w", err)
	case !info.IsDir():
		return filepath.Dir(source), nil
	}
	return source, nil
}

// pull fast-forwards the stack's checkout, warning about uncommitted files
// (they are deployed as they are on disk). It returns "old..new" and the
// repository root ("" when the stack is not in git).
func (l *Lifecycle) pull(ctx context.Context, source string) (string, string, error) {
	info, ok := l.Git.Describe(ctx, source)
	if !ok {
		l.Log.Warnf("the stack at %s is not a git checkout: deploying it as it is on disk", source)
		return "", "", nil
	}
	if dirty, err := l.Git.Uncommitted(ctx, source); err == nil && len(dirty) > 0 {
		l.Log.Warnf("uncommitted changes in %s will be deployed as they are on disk:\n  %s", info.Root, strings.Join(dirty, "\n  "))
	}
	before, after, err := l.Git.Pull(ctx, source)
	if err != nil {
		return "", "", err
	}
	if before == after {
		l.Log.Infof("%s is up to date at %s", info.Root, short(after))
	} else {
		l.Log.Infof("pulled %s: %s..%s", info.Root, short(before), short(after))
	}
	return short(before) + ".." + short(after), info.Root, nil
}

// chooseSpec picks the requested spec (relative to the repository root),
// else the spec the deployment was created from, else D/spec.yml.
func (l *Lifecycle) chooseSpec(req RestartRequest, repo string) (string, error) {
	if req.SpecFile != "" {
		p := req.SpecFile
		if !filepath.IsAbs(p) && repo != "" {
			p = filepath.Join(repo, p)
		}
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("the spec file %s: %w", req.SpecFile, err)
		}
		return p, nil
	}
	fallback := filepath.Join(req.Dir, deployment.SpecFile)
	if s := req.Record.SpecSource; s != "" {
		if _, err := os.Stat(s); err == nil {
			return s, nil
		}
		l.Log.Warnf("the spec the deployment was created from, %s, is gone; using %s", s, fallback)
	}
	return fallback, nil
}

func short(commit string) string {
	if len(commit) > 12 {
		return commit[:12]
	}
	return commit
}
