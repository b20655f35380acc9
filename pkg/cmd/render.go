package cmd

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/kubectl-stack/kubectl-stack/pkg/lifecycle"
	"github.com/kubectl-stack/kubectl-stack/pkg/render"
)

// RenderOptions are the inputs of "kubectl stack render".
type RenderOptions struct {
	deploymentVerb
	Output string
	Stdout bool
	Images map[string]string
	// Prune removes the overlays of deployments that are gone.
	Prune bool
	pipelineFlags
}

// NewRenderOptions returns RenderOptions with their defaults.
func NewRenderOptions(g *GlobalOptions) *RenderOptions {
	return &RenderOptions{deploymentVerb: deploymentVerb{GlobalOptions: g}}
}

func newCmdRender(g *GlobalOptions) *cobra.Command {
	o := NewRenderOptions(g)
	cmd := &cobra.Command{
		Use:   "render [-d DIR] [--output-dir TREE | --stdout]",
		Short: "Render a deployment into a kustomize tree (a base and an overlay per deployment)",
		Long: `Render a deployment directory into Kubernetes objects laid out as a kustomize
tree: base/<stack>/<deployment-id>/ and overlays/<deployment-id>/. kustomize
build, kubectl apply -k, Flux and Argo CD consume the overlay unchanged.

Several deployments share one tree: a render replaces only its own base and
overlay, and --prune removes those of deployments whose directories are
gone. The tree is the same on every machine rendering the same checkout (it
holds no local path) and holds no secret values: the registry pull secret
and the generated config values are referenced by name; create them once
with "kubectl stack deploy --secrets-only".

--flux-kustomization and --argocd-application also write, under
pipelines/<deployment-id>/, the object that points Flux or Argo CD at the
overlay. With --stdout, the overlay is built in process (as kubectl
kustomize would) and the objects are printed instead.`,
		Example: `  kubectl stack render -d ./my-deployment              # writes ./my-deployment/kustomize
  kubectl stack render -d ./my-deployment --output-dir ./gitops --prune
  kubectl stack render -d ./my-deployment --output-dir ./gitops --flux-kustomization
  kubectl stack render -d ./my-deployment --output-dir ./gitops --argocd-application --repo-url https://git.example.com/ops.git
  kubectl stack render -d ./my-deployment --stdout | kubectl apply --server-side -f -`,
		Args: cobra.NoArgs,
		RunE: runE(o),
	}
	f := cmd.Flags()
	o.addFlags(cmd)
	f.StringVarP(&o.Output, "output-dir", "o", o.Output, "Directory of the tree to write into (default: <deployment-dir>/kustomize).")
	// kubectl users read -o as the output format: the short spelling
	// still works, with a warning, until it can take that meaning.
	_ = f.MarkShorthandDeprecated("output-dir", "use --output-dir; -o will mean the output format, as in kubectl")
	f.BoolVar(&o.Stdout, "stdout", o.Stdout, "If true, print the built objects instead of writing the tree.")
	f.StringToStringVar(&o.Images, "image", o.Images, "Replace a container's image: container=image (repeatable); wins over image-overrides in spec.yml.")
	f.BoolVar(&o.Prune, "prune", o.Prune, "If true, also remove the overlays (and bases) of deployments whose directories no longer exist.")
	o.pipelineFlags.add(cmd)
	return cmd
}

// Validate checks the flags.
func (o *RenderOptions) Validate() error {
	if o.Stdout && (o.Output != "" || o.Prune || o.pipelineFlags.any()) {
		return errors.New("--stdout prints objects and writes no tree: it excludes --output-dir, --prune, --flux-kustomization and --argocd-application")
	}
	return o.pipelineFlags.validate()
}

// Run renders and writes or prints.
func (o *RenderOptions) Run(c *cobra.Command) error {
	log := o.Logger()
	d := o.deployment()
	res, err := render.Render(d, render.Options{ImageOverrides: o.Images})
	if err != nil {
		return fmt.Errorf("rendering %s: %w", d.Dir, err)
	}
	for _, w := range res.Warnings {
		log.Warnf("%s", w)
	}
	if o.Stdout {
		_, err = o.Out.Write(res.YAML())
		return err
	}
	tree := o.Output
	if tree == "" {
		tree = filepath.Join(d.Dir, "kustomize")
	}
	// Everything that can fail is worked out before the tree is touched.
	if err := o.pipelineFlags.addTo(c.Context(), res, tree); err != nil {
		return err
	}
	if err := render.WriteTree(tree, res); err != nil {
		return fmt.Errorf("writing the tree to %s: %w", tree, err)
	}
	if o.Prune {
		if err := o.prune(tree); err != nil {
			return err
		}
	}
	overlay := filepath.Join(tree, filepath.FromSlash(res.Overlay))
	log.Infof("wrote the kustomize tree; apply it with: kubectl apply --server-side -k %s", overlay)
	o.logSecrets()
	_, err = fmt.Fprintln(o.Out, overlay)
	return err
}

func (o *RenderOptions) prune(tree string) error {
	log := o.Logger()
	pr, err := render.PruneTree(tree)
	if err != nil {
		return fmt.Errorf("pruning the tree %s: %w", tree, err)
	}
	for _, p := range pr.Pruned {
		log.Infof("pruned %s and %s: %s (%s)", p.Overlay, p.Base, p.Reason, p.DeploymentDir)
	}
	for _, u := range pr.Unknown {
		log.Warnf("kept %s: it has no readable %s saying which deployment directory it came from", u, render.SourceFile)
	}
	return nil
}

// logSecrets says which Secrets the tree references without holding them,
// and how a pipeline gets them.
func (o *RenderOptions) logSecrets() {
	names := lifecycle.DeployTimeSecrets(o.deployment())
	if len(names) == 0 {
		return
	}
	o.Logger().Infof("the tree references Secrets it does not hold (%v) in namespace %s; create them once with: kubectl stack deploy --secrets-only -d %s",
		names, o.deployment().Namespace(), o.deployment().Dir)
}
