package render

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/kubectl-stack/kubectl-stack/pkg/deployment"
)

// Stale is an overlay of a tree whose deployment directory no longer holds
// its deployment.
type Stale struct {
	Overlay string `json:"overlay"`
	Base    string `json:"base"`
	// DeploymentDir is where the overlay's source said the deployment
	// was, relative to the tree.
	DeploymentDir string `json:"deploymentDir"`
	Reason        string `json:"reason"`
}

// PruneResult is what PruneTree removed and what it could not judge.
type PruneResult struct {
	Pruned []Stale
	// Unknown are overlays without a readable SourceFile (written by
	// hand, or by a version that did not record one): kept.
	Unknown []string
}

// PruneTree removes the overlays (and their bases) of deployments whose
// directories are gone or hold another deployment now. Paths in source
// files are resolved against the tree, as render wrote them.
func PruneTree(dir string) (*PruneResult, error) {
	entries, err := os.ReadDir(filepath.Join(dir, "overlays"))
	if errors.Is(err, os.ErrNotExist) {
		return &PruneResult{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the tree's overlays: %w", err)
	}
	if err := checkTreeDirs(dir, "overlays", "base", "pipelines"); err != nil {
		return nil, fmt.Errorf("pruning the tree: %w", err)
	}
	res := &PruneResult{}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		overlay := OverlayDir(e.Name())
		if !isDeploymentID(e.Name()) {
			res.Unknown = append(res.Unknown, overlay)
			continue
		}
		src, err := readSource(dir, overlay)
		if err != nil {
			res.Unknown = append(res.Unknown, overlay)
			continue
		}
		reason := staleReason(dir, src)
		if reason == "" {
			continue
		}
		if err := removeDeployment(dir, e.Name(), src.Base); err != nil {
			return res, err
		}
		res.Pruned = append(res.Pruned, Stale{Overlay: overlay, Base: src.Base, DeploymentDir: src.DeploymentDir, Reason: reason})
	}
	return res, nil
}

func readSource(dir, overlay string) (*Source, error) {
	data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(overlay), SourceFile))
	if err != nil {
		return nil, err
	}
	src := &Source{}
	if err := yaml.UnmarshalStrict(data, src); err != nil {
		return nil, err
	}
	// The base is removed with the overlay: it must be a deployment's base
	// inside the tree, whatever the file says.
	if path.Clean(src.Base) != src.Base || !strings.HasPrefix(src.Base, "base/") || strings.Count(src.Base, "/") != 2 ||
		path.Base(src.Base) != path.Base(overlay) {
		return nil, fmt.Errorf("%s: base %q is not this overlay's base/<stack>/<deployment-id>", SourceFile, src.Base)
	}
	return src, nil
}

// staleReason says why the source's deployment directory no longer holds
// the overlay's deployment ("" when it does).
func staleReason(dir string, src *Source) string {
	dep := filepath.Join(dir, filepath.FromSlash(src.DeploymentDir))
	if _, err := os.Stat(dep); errors.Is(err, os.ErrNotExist) {
		return "the deployment directory no longer exists"
	}
	rec, err := deployment.ReadRecord(dep)
	if err != nil {
		return ""
	}
	if rec.DeploymentID != src.DeploymentID {
		return fmt.Sprintf("the deployment directory now holds deployment %s", rec.DeploymentID)
	}
	return ""
}

func removeDeployment(dir, id, base string) error {
	subs := []string{OverlayDir(id), base, PipelineDir(id)}
	if err := checkTreeDirs(dir, subs...); err != nil {
		return fmt.Errorf("pruning deployment %s: %w", id, err)
	}
	for _, sub := range subs {
		if err := removeInTree(dir, sub); err != nil {
			return fmt.Errorf("pruning %s: %w", sub, err)
		}
	}
	// The stack's directory goes with its last deployment.
	_ = os.Remove(filepath.Join(dir, filepath.FromSlash(path.Dir(base))))
	return nil
}
