package cmd

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/kubectl-stack/kubectl-stack/pkg/apply"
	"github.com/kubectl-stack/kubectl-stack/pkg/deployment"
	"github.com/kubectl-stack/kubectl-stack/pkg/engine"
	"github.com/kubectl-stack/kubectl-stack/pkg/gitrepo"
	"github.com/kubectl-stack/kubectl-stack/pkg/kindcluster"
	"github.com/kubectl-stack/kubectl-stack/pkg/lifecycle"
)

// lifecycle is the lifecycle layer with the real collaborators: the
// cluster the kubeconfig flags select, kind, the local Docker engine, git.
func (g *GlobalOptions) lifecycle() *lifecycle.Lifecycle {
	return &lifecycle.Lifecycle{
		Log:      g.Logger(),
		Progress: g.ErrOut,
		Connect: func(kubeContext string) (lifecycle.Cluster, error) {
			a, err := g.applier(kubeContext)
			if err != nil {
				return nil, err
			}
			return a, nil
		},
		Kind: func() (lifecycle.KindProvider, error) {
			p, err := kindcluster.NewProvider(g.Logger())
			if err != nil {
				return nil, err
			}
			return p, nil
		},
		Engine: func(ctx context.Context) (lifecycle.Engine, error) {
			e, err := engine.Connect(ctx)
			if err != nil {
				return nil, err
			}
			return e, nil
		},
		Git:        gitrepo.CLI{},
		Kubeconfig: *g.ConfigFlags.KubeConfig,
	}
}

// applier connects to the cluster of a kubeconfig context ("" keeps the
// --context flag, or the current context).
func (g *GlobalOptions) applier(kubeContext string) (*apply.Applier, error) {
	if kubeContext != "" {
		*g.ConfigFlags.Context = kubeContext
	}
	cfg, err := g.ConfigFlags.ToRESTConfig()
	if err != nil {
		return nil, fmt.Errorf("reading the kubeconfig: %w", err)
	}
	a, err := apply.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("connecting to the cluster: %w", err)
	}
	a.Log = g.Logger()
	return a, nil
}

// loadTarget resolves -d (default: the current directory), loads the
// deployment and selects its context (kind-<cluster> for k8s-kind unless
// --context is given) for every later kubeconfig use.
func loadTarget(c *cobra.Command, g *GlobalOptions, dirFlag string) (*lifecycle.Target, error) {
	dir, err := deployment.ResolveDir(dirFlag)
	if err != nil {
		return nil, err
	}
	t, err := lifecycle.Load(c.Context(), lifecycle.LoadRequest{Dir: dir, Context: *g.ConfigFlags.Context})
	if err != nil {
		return nil, err
	}
	*g.ConfigFlags.Context = t.Context
	return t, nil
}

// loadDeployment is loadTarget for the verbs that need only the
// deployment.
func loadDeployment(c *cobra.Command, g *GlobalOptions, dirFlag string) (*deployment.Deployment, error) {
	t, err := loadTarget(c, g, dirFlag)
	if err != nil {
		return nil, err
	}
	return t.Deployment, nil
}

// prepareTarget loads and renders a deployment for deploy, diff and kind
// load; getenv reads the registry token (nil: no pull secret).
func prepareTarget(c *cobra.Command, g *GlobalOptions, dirFlag string, images map[string]string, getenv func(string) string) (*lifecycle.Target, error) {
	dir, err := deployment.ResolveDir(dirFlag)
	if err != nil {
		return nil, err
	}
	t, err := g.lifecycle().Prepare(c.Context(), lifecycle.PrepareRequest{
		LoadRequest: lifecycle.LoadRequest{Dir: dir, Context: *g.ConfigFlags.Context},
		Images:      images, Getenv: getenv,
	})
	if err != nil {
		return nil, err
	}
	*g.ConfigFlags.Context = t.Context
	return t, nil
}

// addDeploymentDirFlag adds -d/--deployment-dir, the flag of every
// deployment verb.
func addDeploymentDirFlag(cmd *cobra.Command, dir *string) {
	cmd.Flags().StringVarP(dir, "deployment-dir", "d", *dir, "The deployment directory (default: the current directory if it holds deployment.yml).")
}
