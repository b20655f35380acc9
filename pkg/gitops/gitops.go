// Package gitops writes the pipeline objects that point Flux or Argo CD at
// one deployment's overlay in a rendered tree: a Flux Kustomization (with
// its GitRepository) and an Argo CD Application. They are plain manifests;
// the controllers' API modules are not needed to write them (the tests
// decode them with Flux's own types).
package gitops

import (
	"errors"
	"fmt"
	"path"
	"strings"

	"sigs.k8s.io/yaml"
)

// Pipeline says where a deployment's overlay lives in git.
type Pipeline struct {
	// Name names the pipeline objects: the deployment-id.
	Name string
	// RepoURL is the repository's URL. For Flux it may be empty: the
	// Kustomization then uses the GitRepository flux bootstrap made
	// (flux-system/flux-system).
	RepoURL string
	// Revision is the branch Flux follows and Argo CD's targetRevision
	// ("" → main for Flux, HEAD for Argo CD).
	Revision string
	// Path is the overlay's directory relative to the repository root,
	// slash-separated.
	Path string
	// Waves, when the deployment's workloads start in depends_on's waves,
	// are the wave kustomizations' directories (render's WaveOverlays),
	// relative to the repository root, in order: Flux then gets one
	// Kustomization per wave, each depending on the one before.
	Waves []string
}

// Validate checks what both manifests need.
func (p Pipeline) Validate() error {
	if p.Path == "" || path.IsAbs(p.Path) || strings.HasPrefix(path.Clean(p.Path), "..") {
		return fmt.Errorf("the overlay's path in the repository, %q, must be relative to the repository root and inside it", p.Path)
	}
	return nil
}

// FluxNamespace is where Flux's objects live.
const FluxNamespace = "flux-system"

// Flux returns a Flux Kustomization for the overlay, with a GitRepository
// for RepoURL when one is given. The Kustomization prunes what leaves the
// overlay and waits for what it applies to become ready, as deploy does.
func Flux(p Pipeline) ([]byte, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	for _, w := range p.Waves {
		if err := (Pipeline{Path: w}).Validate(); err != nil {
			return nil, err
		}
	}
	source := FluxNamespace
	var docs []any
	if p.RepoURL != "" {
		source = p.Name
		branch := p.Revision
		if branch == "" {
			branch = "main"
		}
		docs = append(docs, map[string]any{
			"apiVersion": "source.toolkit.fluxcd.io/v1",
			"kind":       "GitRepository",
			"metadata":   map[string]any{"name": p.Name, "namespace": FluxNamespace},
			"spec": map[string]any{
				"interval": "1m",
				"url":      p.RepoURL,
				"ref":      map[string]any{"branch": branch},
			},
		})
	}
	if len(p.Waves) == 0 {
		return marshalAll(append(docs, kustomization(p.Name, source, p.Path, "")))
	}
	// One per wave: wait: true holds the next wave back until every
	// object of this one is ready (a Job complete), as deploy's waves do
	// for service_healthy and service_completed_successfully (and, more
	// strictly, service_started).
	previous := ""
	for i, w := range p.Waves {
		name := fmt.Sprintf("%s-wave-%d", p.Name, i)
		docs = append(docs, kustomization(name, source, w, previous))
		previous = name
	}
	return marshalAll(docs)
}

// kustomization is a Flux Kustomization of the directory at dir that
// prunes, waits, and depends on the Kustomization after, if any.
func kustomization(name, source, dir, after string) map[string]any {
	spec := map[string]any{
		"interval":  "10m",
		"sourceRef": map[string]any{"kind": "GitRepository", "name": source},
		"path":      "./" + path.Clean(dir),
		"prune":     true,
		"wait":      true,
		"timeout":   "10m",
	}
	if after != "" {
		spec["dependsOn"] = []any{map[string]any{"name": after}}
	}
	return map[string]any{
		"apiVersion": "kustomize.toolkit.fluxcd.io/v1",
		"kind":       "Kustomization",
		"metadata":   map[string]any{"name": name, "namespace": FluxNamespace},
		"spec":       spec,
	}
}

// ErrNoRepoURL is an Argo CD Application asked for without a repository.
var ErrNoRepoURL = errors.New("an Argo CD Application needs the repository's URL")

// ArgoNamespace is where Argo CD's Applications live.
const ArgoNamespace = "argocd"

// ArgoCD returns an Argo CD Application for the overlay, synced
// automatically with server-side apply (as deploy applies), pruning what
// leaves the overlay.
func ArgoCD(p Pipeline) ([]byte, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if p.RepoURL == "" {
		return nil, ErrNoRepoURL
	}
	rev := p.Revision
	if rev == "" {
		rev = "HEAD"
	}
	return marshalAll([]any{map[string]any{
		"apiVersion": "argoproj.io/v1alpha1",
		"kind":       "Application",
		"metadata":   map[string]any{"name": p.Name, "namespace": ArgoNamespace},
		"spec": map[string]any{
			"project": "default",
			"source": map[string]any{
				"repoURL":        p.RepoURL,
				"targetRevision": rev,
				"path":           path.Clean(p.Path),
			},
			// The overlay's objects carry their namespaces.
			"destination": map[string]any{"server": "https://kubernetes.default.svc"},
			"syncPolicy": map[string]any{
				"automated":   map[string]any{"prune": true, "selfHeal": true},
				"syncOptions": []any{"ServerSideApply=true"},
			},
		},
	}})
}

func marshalAll(docs []any) ([]byte, error) {
	var parts []string
	for _, d := range docs {
		b, err := yaml.Marshal(d)
		if err != nil {
			return nil, err
		}
		parts = append(parts, string(b))
	}
	return []byte(strings.Join(parts, "---\n")), nil
}
