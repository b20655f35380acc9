package cmd

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path"

	"github.com/spf13/cobra"

	"github.com/kubectl-stack/kubectl-stack/pkg/gitops"
	"github.com/kubectl-stack/kubectl-stack/pkg/gitrepo"
	"github.com/kubectl-stack/kubectl-stack/pkg/render"
)

// pipelineFlags ask render for the Flux or Argo CD object that points at
// the overlay.
type pipelineFlags struct {
	Flux, Argo bool
	RepoURL    string
	Revision   string
	// TreePath is the tree's directory in the repository.
	TreePath string
}

func (p *pipelineFlags) add(cmd *cobra.Command) {
	f := cmd.Flags()
	f.BoolVar(&p.Flux, "flux-kustomization", p.Flux, "If true, also write a Flux Kustomization for the overlay (pipelines/<deployment-id>/flux-kustomization.yaml), or, when services start in depends_on waves, one per wave (pipelines/<deployment-id>/waves/<n>), each depending on the one before; without --repo-url it uses the GitRepository flux bootstrap made.")
	f.BoolVar(&p.Argo, "argocd-application", p.Argo, "If true, also write an Argo CD Application for the overlay (pipelines/<deployment-id>/argocd-application.yaml).")
	f.StringVar(&p.RepoURL, "repo-url", p.RepoURL, "The git repository pipelines read the tree from (default for Argo CD: the tree checkout's origin).")
	f.StringVar(&p.Revision, "revision", p.Revision, "The branch (Flux) or revision (Argo CD) pipelines follow (default: main for Flux, HEAD for Argo CD).")
	f.StringVar(&p.TreePath, "repo-path", p.TreePath, "The tree's directory relative to the repository root (default: found from the tree's git checkout).")
}

func (p *pipelineFlags) any() bool { return p.Flux || p.Argo }

func (p *pipelineFlags) validate() error {
	if !p.any() && (p.RepoURL != "" || p.Revision != "" || p.TreePath != "") {
		return errors.New("--repo-url, --revision and --repo-path describe a pipeline: add --flux-kustomization or --argocd-application")
	}
	return nil
}

// addTo adds the asked-for pipeline objects to the tree's files.
func (p *pipelineFlags) addTo(ctx context.Context, res *render.Result, tree string) error {
	if !p.any() {
		return nil
	}
	treePath := p.TreePath
	if treePath == "" {
		var ok bool
		if treePath, ok = gitrepo.PathInRepo(ctx, tree); !ok {
			return fmt.Errorf("%s is not in a git checkout, so its path in the repository is unknown: pass --repo-path (the tree's directory relative to the repository root)", tree)
		}
	}
	pl := gitops.Pipeline{Name: res.DeploymentID, RepoURL: p.RepoURL, Revision: p.Revision, Path: path.Join(treePath, res.Overlay)}
	dir := render.PipelineDir(res.DeploymentID)
	if p.Flux {
		waves, files, err := res.WaveOverlays()
		if err != nil {
			return fmt.Errorf("laying out the Flux waves: %w", err)
		}
		for _, w := range waves {
			pl.Waves = append(pl.Waves, path.Join(treePath, w))
		}
		maps.Copy(res.Files, files)
		data, err := gitops.Flux(pl)
		if err != nil {
			return fmt.Errorf("writing the Flux Kustomization: %w", err)
		}
		res.Files[path.Join(dir, "flux-kustomization.yaml")] = data
	}
	if p.Argo {
		if pl.RepoURL == "" {
			pl.RepoURL = gitrepo.RemoteURL(ctx, tree)
		}
		data, err := gitops.ArgoCD(pl)
		if errors.Is(err, gitops.ErrNoRepoURL) {
			return fmt.Errorf("%w: pass --repo-url, or give the checkout holding %s an origin remote", err, tree)
		}
		if err != nil {
			return fmt.Errorf("writing the Argo CD Application: %w", err)
		}
		res.Files[path.Join(dir, "argocd-application.yaml")] = data
	}
	return nil
}
