package render

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/yaml"
)

// SourceFile, in an overlay, records the deployment the overlay was
// rendered from. It is not a resource of the kustomization, so no builder
// reads it; render --prune does.
const SourceFile = "kubectl-stack-source.yaml"

// Source is the content of an overlay's SourceFile. Every path in it is
// relative to the tree, so that two machines rendering the same checkout
// write the same bytes.
type Source struct {
	Stack        string `json:"stack"`
	DeploymentID string `json:"deploymentID"`
	// DeploymentDir is the deployment directory, relative to the tree's
	// root, slash-separated.
	DeploymentDir string `json:"deploymentDir"`
	// Base is the overlay's base, relative to the tree's root.
	Base string `json:"base"`
}

// stagingPrefix names the directories a render builds its part of the tree
// in before swapping it into place.
const stagingPrefix = ".kubectl-stack-render-"

// WriteTree writes one deployment's part of the tree under dir: its base
// (base/<stack>/<deployment-id>) and its overlay (overlays/<deployment-id>),
// replacing what an earlier render of the same deployment wrote there and
// leaving every other deployment's files alone. Both directories are built
// beside the tree first and then renamed into place, so that a failed write
// leaves the previous render as it was.
func WriteTree(dir string, res *Result) error {
	src, err := treeSource(dir, res)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := checkTreeDirs(dir, append(writtenDirs(res), "base/"+res.Stack)...); err != nil {
		return fmt.Errorf("writing the tree: %w", err)
	}
	removeStaleStaging(dir)
	staging, err := os.MkdirTemp(dir, stagingPrefix)
	if err != nil {
		return fmt.Errorf("making a staging directory in %s: %w", dir, err)
	}
	defer os.RemoveAll(staging)
	files := maps.Clone(res.Files)
	files[path.Join(res.Overlay, SourceFile)] = src
	if err := writeFiles(staging, files); err != nil {
		return err
	}
	if err := removeFlatBase(dir, res.Stack, res.DeploymentID); err != nil {
		return err
	}
	for _, sub := range writtenDirs(res) {
		if err := swapIn(filepath.Join(staging, filepath.FromSlash(sub)), filepath.Join(dir, filepath.FromSlash(sub))); err != nil {
			return err
		}
	}
	return nil
}

// writtenDirs are the directories of the tree that a render of res
// replaces: its base and overlay, and its pipeline objects when it has
// them (a render without them keeps the ones an earlier render wrote).
func writtenDirs(res *Result) []string {
	dirs := []string{res.Base, res.Overlay}
	pipelines := PipelineDir(res.DeploymentID)
	for name := range res.Files {
		if strings.HasPrefix(name, pipelines+"/") {
			return append(dirs, pipelines)
		}
	}
	return dirs
}

// treeSource is the overlay's SourceFile for a tree at dir.
func treeSource(dir string, res *Result) ([]byte, error) {
	absTree, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	absDep, err := filepath.Abs(res.Dir)
	if err != nil {
		return nil, err
	}
	rel, err := filepath.Rel(absTree, absDep)
	if err != nil {
		return nil, fmt.Errorf("locating %s from the tree %s: %w", res.Dir, dir, err)
	}
	return yaml.Marshal(Source{Stack: res.Stack, DeploymentID: res.DeploymentID, DeploymentDir: filepath.ToSlash(rel), Base: res.Base})
}

func writeFiles(root string, files map[string][]byte) error {
	for _, name := range slices.Sorted(maps.Keys(files)) {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, files[name], 0o644); err != nil {
			return err
		}
	}
	return nil
}

// swapIn replaces dst by the staged directory src.
func swapIn(src, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	old := dst + ".old"
	if err := os.RemoveAll(old); err != nil {
		return err
	}
	if err := os.Rename(dst, old); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("moving %s aside: %w", dst, err)
	}
	if err := os.Rename(src, dst); err != nil {
		return fmt.Errorf("moving the new %s into place: %w", dst, err)
	}
	return os.RemoveAll(old)
}

// removeFlatBase removes the base an earlier version wrote straight into
// base/<stack>/ (one deployment per tree): its files, not the per-deployment
// directories beside them, and only once no other overlay builds on it.
func removeFlatBase(dir, stack, id string) error {
	flat := filepath.Join(dir, "base", stack)
	if _, err := os.Stat(filepath.Join(flat, "kustomization.yaml")); err != nil {
		return nil
	}
	if users := overlaysUsing(dir, "../../base/"+stack, id); len(users) > 0 {
		return nil
	}
	entries, err := os.ReadDir(flat)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !e.IsDir() {
			if err := os.Remove(filepath.Join(flat, e.Name())); err != nil {
				return fmt.Errorf("removing the single-deployment base %s: %w", flat, err)
			}
		}
	}
	return nil
}

// overlaysUsing lists the overlays, other than the one of deployment id,
// whose kustomization has base as a resource.
func overlaysUsing(dir, base, id string) []string {
	var out []string
	entries, _ := os.ReadDir(filepath.Join(dir, "overlays"))
	for _, e := range entries {
		if !e.IsDir() || e.Name() == id {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, "overlays", e.Name(), "kustomization.yaml"))
		if err != nil {
			continue
		}
		var k types.Kustomization
		if yaml.Unmarshal(data, &k) == nil && slices.Contains(k.Resources, base) {
			out = append(out, e.Name())
		}
	}
	return out
}

// removeStaleStaging removes what renders killed while writing left behind.
// Recent ones may belong to a render running now.
func removeStaleStaging(dir string) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), stagingPrefix) {
			continue
		}
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > 10*time.Minute {
			_ = os.RemoveAll(filepath.Join(dir, e.Name()))
		}
	}
}
