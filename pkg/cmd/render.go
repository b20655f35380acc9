package cmd

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/kubectl-stack/kubectl-stack/pkg/render"
)

// RenderOptions are the inputs of "kubectl stack render".
type RenderOptions struct {
	deploymentVerb
	Output string
	Stdout bool
	Images map[string]string
}

// NewRenderOptions returns RenderOptions with their defaults.
func NewRenderOptions(g *GlobalOptions) *RenderOptions {
	return &RenderOptions{deploymentVerb: deploymentVerb{GlobalOptions: g}}
}

func newCmdRender(g *GlobalOptions) *cobra.Command {
	o := NewRenderOptions(g)
	cmd := &cobra.Command{
		Use:   "render [-d DIR] [-o OUT | --stdout]",
		Short: "Render a deployment into a kustomize tree (a base per stack, an overlay per deployment-id)",
		Long: `Render a deployment directory into Kubernetes objects laid out as a kustomize
tree: base/<stack>/ and overlays/<deployment-id>/. kustomize build,
kubectl apply -k, Flux and Argo CD consume the overlay unchanged. The tree
holds no secret values: the registry pull secret is referenced by name and
created at deploy time.

With --stdout, the overlay is built in process (as kubectl kustomize would)
and the objects are printed instead.`,
		Example: `  kubectl stack render -d ./my-deployment              # writes ./my-deployment/kustomize
  kubectl stack render -d ./my-deployment -o ./gitops/my-deployment
  kubectl stack render -d ./my-deployment --stdout | kubectl apply --server-side -f -`,
		Args: cobra.NoArgs,
		RunE: runE(o),
	}
	f := cmd.Flags()
	o.addFlags(cmd)
	f.StringVarP(&o.Output, "output-dir", "o", o.Output, "Directory to write the tree to (default: <deployment-dir>/kustomize).")
	f.BoolVar(&o.Stdout, "stdout", o.Stdout, "If true, print the built objects instead of writing the tree.")
	f.StringToStringVar(&o.Images, "image", o.Images, "Replace a container's image: container=image (repeatable); wins over image-overrides in spec.yml.")
	return cmd
}

// Validate checks the flags.
func (o *RenderOptions) Validate() error {
	if o.Stdout && o.Output != "" {
		return errors.New("--stdout and --output-dir exclude each other; pick one")
	}
	return nil
}

// Run renders and writes or prints.
func (o *RenderOptions) Run(c *cobra.Command) error {
	log := o.Logger()
	res, err := render.Render(o.deployment(), render.Options{ImageOverrides: o.Images})
	if err != nil {
		return fmt.Errorf("rendering %s: %w", o.deployment().Dir, err)
	}
	for _, w := range res.Warnings {
		log.Warnf("%s", w)
	}
	if o.Stdout {
		out, err := render.Build(res)
		if err != nil {
			return err
		}
		_, err = o.Out.Write(out)
		return err
	}
	out := o.Output
	if out == "" {
		out = filepath.Join(o.deployment().Dir, "kustomize")
	}
	if err := render.WriteTree(out, res); err != nil {
		return fmt.Errorf("writing the tree to %s: %w", out, err)
	}
	overlay := filepath.Join(out, filepath.FromSlash(res.Overlay))
	log.Infof("wrote the kustomize tree; apply it with: kubectl apply --server-side -k %s", overlay)
	_, err = fmt.Fprintln(o.Out, overlay)
	return err
}
