package cmd

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/kubectl-stack/kubectl-stack/pkg/deployment"
	"github.com/kubectl-stack/kubectl-stack/pkg/lifecycle"
)

// BuildOptions are the inputs of "kubectl stack build".
type BuildOptions struct {
	deploymentVerb
	// Services limits the build to these compose services (as written or
	// as Kubernetes names); all when empty.
	Services []string
	// Push sends each built image to its registry with the spec's
	// registry credentials.
	Push bool
	// Getenv reads the registry token variable; tests replace it.
	Getenv func(string) string

	builds []deployment.Build
}

// NewBuildOptions returns BuildOptions with their defaults.
func NewBuildOptions(g *GlobalOptions) *BuildOptions {
	return &BuildOptions{deploymentVerb: deploymentVerb{GlobalOptions: g}, Getenv: os.Getenv}
}

func newCmdBuild(g *GlobalOptions) *cobra.Command {
	o := NewBuildOptions(g)
	cmd := &cobra.Command{
		Use:   "build [-d DIR] [SERVICE...] [--push]",
		Short: "Build the images of services with build: through the Docker Engine API",
		Long: `Build the images of the compose services that have build: (and no
image-overrides) with the local Docker engine, as docker compose build does:
the context with its .dockerignore, dockerfile, args and target. The image
names are those create recorded in D/builds.yml (docker compose's
<project>-<service>, tagged from the context's content). deploy builds
missing images itself on k8s-kind; for deploy-to: k8s, build --push sends them
to the spec's registry with its registry credentials. Prints the images.`,
		Example: `  kubectl stack build -d ./my-deployment
  kubectl stack build -d ./my-deployment web --push`,
		RunE: runE(o),
	}
	o.addFlags(cmd)
	cmd.Flags().BoolVar(&o.Push, "push", o.Push, "Push each built image to its registry with the spec's registry credentials.")
	return cmd
}

// Complete loads the deployment and selects the builds of the services
// named.
func (o *BuildOptions) Complete(c *cobra.Command, args []string) error {
	o.Services = args
	if err := o.deploymentVerb.Complete(c, args); err != nil {
		return err
	}
	var err error
	o.builds, err = o.deployment().SelectBuilds(o.Services)
	return err
}

// Validate warns about a push without registry credentials.
func (o *BuildOptions) Validate() error {
	if o.Push && o.deployment().Spec.Credentials() == nil {
		o.Logger().Warnf("%s has no registry-credentials: pushing without logging in", o.deployment().Dir)
	}
	return nil
}

// Run builds (and pushes) the selected images, printing each.
func (o *BuildOptions) Run(c *cobra.Command) error {
	return o.lifecycle().Build(c.Context(), lifecycle.BuildRequest{
		Deployment: o.deployment(), Builds: o.builds, Push: o.Push, Getenv: o.Getenv,
		Built: func(image string) { fmt.Fprintln(o.Out, image) },
	})
}
