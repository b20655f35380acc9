package cmd

import (
	"fmt"
	"os"
	"slices"

	"github.com/spf13/cobra"

	"github.com/kubectl-stack/kubectl-stack/pkg/deployment"
	"github.com/kubectl-stack/kubectl-stack/pkg/k8sname"
	"github.com/kubectl-stack/kubectl-stack/pkg/lifecycle"
)

// BuildOptions are the inputs of "kubectl stack build".
type BuildOptions struct {
	*GlobalOptions
	DeploymentDir string
	// Services limits the build to these compose services (as written or
	// as Kubernetes names); all when empty.
	Services []string
	// Push sends each built image to its registry with the spec's
	// registry credentials.
	Push bool
	// Getenv reads the registry token variable; tests replace it.
	Getenv func(string) string

	d      *deployment.Deployment
	builds []deployment.Build
}

// NewBuildOptions returns BuildOptions with their defaults.
func NewBuildOptions(g *GlobalOptions) *BuildOptions {
	return &BuildOptions{GlobalOptions: g, Getenv: os.Getenv}
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
	addDeploymentDirFlag(cmd, &o.DeploymentDir)
	cmd.Flags().BoolVar(&o.Push, "push", o.Push, "Push each built image to its registry with the spec's registry credentials.")
	return cmd
}

// Complete loads the deployment and selects the builds.
func (o *BuildOptions) Complete(c *cobra.Command, args []string) error {
	o.Services = args
	d, err := loadDeployment(c, o.GlobalOptions, o.DeploymentDir)
	if err != nil {
		return err
	}
	o.d = d
	for _, b := range d.Builds {
		if len(o.Services) == 0 || slices.ContainsFunc(o.Services, func(s string) bool { return sameService(s, b.Service) }) {
			o.builds = append(o.builds, b)
		}
	}
	return nil
}

// Validate checks that every named service builds an image.
func (o *BuildOptions) Validate() error {
	var all []string
	for _, b := range o.d.Builds {
		all = append(all, b.Service)
	}
	for _, s := range o.Services {
		if !slices.ContainsFunc(all, func(b string) bool { return sameService(s, b) }) {
			return fmt.Errorf("service %q builds no image in %s; the services with build: are %v (after changing the stack, run kubectl stack create --update)", s, o.d.Dir, all)
		}
	}
	if o.Push && o.d.Spec.Credentials() == nil {
		o.Logger().Warnf("%s has no registry-credentials: pushing without logging in", o.d.Dir)
	}
	return nil
}

// Run builds (and pushes) the selected images, printing each.
func (o *BuildOptions) Run(c *cobra.Command) error {
	return o.lifecycle().Build(c.Context(), lifecycle.BuildRequest{
		Deployment: o.d, Builds: o.builds, Push: o.Push, Getenv: o.Getenv,
		Built: func(image string) { fmt.Fprintln(o.Out, image) },
	})
}

// sameService compares a service named on the command line (as written or
// as its Kubernetes name) with a compose service name.
func sameService(arg, service string) bool {
	return arg == service || k8sname.Label(arg) == k8sname.Label(service)
}
