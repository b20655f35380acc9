package cmd

import (
	"github.com/spf13/pflag"

	"context"
	"fmt"

	"github.com/spf13/cobra"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/rest"

	"github.com/kubectl-stack/kubectl-stack/pkg/apply"
	"github.com/kubectl-stack/kubectl-stack/pkg/deployment"
	"github.com/kubectl-stack/kubectl-stack/pkg/engine"
	"github.com/kubectl-stack/kubectl-stack/pkg/gitrepo"
	"github.com/kubectl-stack/kubectl-stack/pkg/kindcluster"
	"github.com/kubectl-stack/kubectl-stack/pkg/lifecycle"
	"github.com/kubectl-stack/kubectl-stack/pkg/podio"
)

// lifecycle is the lifecycle layer with the real collaborators: the
// cluster the kubeconfig flags select, kind, the local Docker engine, git.
// Executable is the plugin's own executable, which its main sets: deploy
// makes the copy-up image from it on kind. Tests that run the commands in
// their own process leave it "" (the image must exist) or point it at a
// built plugin.
var Executable string

func (g *GlobalOptions) lifecycle() *lifecycle.Lifecycle {
	return &lifecycle.Lifecycle{
		Executable: Executable,
		Log:        g.Logger(),
		Progress:   g.ErrOut,
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
		AllowHooks: g.AllowHooks,
		Kubeconfig: *g.ConfigFlags.KubeConfig,
		DataDir:    lifecycle.DefaultDataDir(),
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

// deploymentVerb is what every deployment verb has: the global flags,
// -d and the deployment it names, loaded by Complete (verbs with
// arguments or a render override it).
type deploymentVerb struct {
	*GlobalOptions
	DeploymentDir string

	target *lifecycle.Target
}

func (v *deploymentVerb) addFlags(cmd *cobra.Command) { addDeploymentDirFlag(cmd, &v.DeploymentDir) }

// Complete loads the deployment and selects its context.
func (v *deploymentVerb) Complete(c *cobra.Command, args []string) error {
	var err error
	v.target, err = loadTarget(c, v.GlobalOptions, v.DeploymentDir)
	return err
}

// Validate has nothing to check unless the verb says otherwise.
func (v *deploymentVerb) Validate() error { return nil }

// clientset connects a typed client to the deployment's cluster.
func (v *deploymentVerb) clientset() (*rest.Config, corev1client.CoreV1Interface, error) {
	cfg, err := v.ConfigFlags.ToRESTConfig()
	if err != nil {
		return nil, nil, fmt.Errorf("reading the kubeconfig: %w", err)
	}
	cs, err := podio.Connect(cfg)
	return cfg, cs, err
}

// deployment is the loaded deployment.
func (v *deploymentVerb) deployment() *deployment.Deployment { return v.target.Deployment }

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

// addAllowHooksFlag adds --allow-hooks to a verb that runs stack hooks.
func addAllowHooksFlag(f *pflag.FlagSet, g *GlobalOptions) {
	f.BoolVar(&g.AllowHooks, "allow-hooks", false, "If true, run the stack's hooks (deploy/hooks) even when spec.yml does not record their digests (hooks:); without it a hook runs only when its digest is recorded there.")
}
