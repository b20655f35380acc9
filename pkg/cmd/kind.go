package cmd

import (
	"fmt"
	"path/filepath"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/kubectl-stack/kubectl-stack/pkg/apply"
	"github.com/kubectl-stack/kubectl-stack/pkg/deployment"
	"github.com/kubectl-stack/kubectl-stack/pkg/kindcluster"
	"github.com/kubectl-stack/kubectl-stack/pkg/spec"
)

func newCmdKind(g *GlobalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "kind",
		Short: "Work with the kind cluster of a k8s-kind deployment",
		Args:  cobra.NoArgs,
		RunE:  func(c *cobra.Command, _ []string) error { return c.Help() },
	}
	cmd.AddCommand(newCmdKindCreate(g), newCmdCheckMounts(g), newCmdKindLoad(g), newCmdKindDelete(g), newCmdMigratePlan(g))
	return cmd
}

// requireKind refuses the kind verbs for deployments that are not on kind.
func requireKind(d *deployment.Deployment) error {
	if d.Spec.DeployTo != spec.DeployToKind {
		return fmt.Errorf("%s deploys to %s (deploy-to in its spec.yml); the kind verbs are for deploy-to: k8s-kind", d.Dir, d.Spec.DeployTo)
	}
	return nil
}

// KindCreateOptions are the inputs of "kubectl stack kind create".
type KindCreateOptions struct {
	*GlobalOptions
	DeploymentDir string
	Image         string

	k *kindCluster
}

// NewKindCreateOptions returns KindCreateOptions with its defaults (the options of "kubectl stack kind create").
func NewKindCreateOptions(g *GlobalOptions) *KindCreateOptions {
	return &KindCreateOptions{GlobalOptions: g}
}

func newCmdKindCreate(g *GlobalOptions) *cobra.Command {
	o := NewKindCreateOptions(g)
	cmd := &cobra.Command{
		Use:   "create [-d DIR] [--image IMAGE]",
		Short: "Create the deployment's kind cluster, or check the running one",
		Long: `Create the kind cluster named by the deployment's cluster-id from its
kind-config.yml (the umbrella mount kind-mount-root -> /mnt, or one mount per
host-path volume), or, when it is running, check that it has the mounts the
deployment needs. deploy does the same unless --skip-cluster-management.

The node image is --image, else the spec's kind-node-image, else kind's
default. Creating a cluster without an umbrella mount is allowed with a
warning: mounts can only be added by recreating the cluster.`,
		Example: `  kubectl stack kind create -d ./my-deployment
  kubectl stack kind create -d ./my-deployment --image local/kind-node:v1.37.2`,
		Args: cobra.NoArgs,
		RunE: runE(o),
	}
	addDeploymentDirFlag(cmd, &o.DeploymentDir)
	cmd.Flags().StringVar(&o.Image, "image", o.Image, "Node image (default: the spec's kind-node-image, else kind's default).")
	return cmd
}

// Complete loads the deployment.
func (o *KindCreateOptions) Complete(c *cobra.Command, args []string) error {
	var err error
	o.k, err = loadKindCluster(c, o.GlobalOptions, o.DeploymentDir)
	return err
}

// Validate has nothing to check.
func (o *KindCreateOptions) Validate() error { return nil }

// Run creates or checks the cluster and prints its name.
func (o *KindCreateOptions) Run(c *cobra.Command) error {
	if err := o.k.ensure(c, o.Image); err != nil {
		return err
	}
	fmt.Fprintln(o.Out, o.k.name)
	return nil
}

// KindLoadOptions are the inputs of "kubectl stack kind load".
type KindLoadOptions struct {
	*GlobalOptions
	DeploymentDir string
	Images        map[string]string
	Output        string

	k      *kindCluster
	images []string
}

// NewKindLoadOptions returns KindLoadOptions with its defaults (the options of "kubectl stack kind load").
func NewKindLoadOptions(g *GlobalOptions) *KindLoadOptions {
	return &KindLoadOptions{GlobalOptions: g}
}

func newCmdKindLoad(g *GlobalOptions) *cobra.Command {
	o := NewKindLoadOptions(g)
	cmd := &cobra.Command{
		Use:   "load [-d DIR] [--image container=image]...",
		Short: "Load the deployment's locally built images into its kind cluster",
		Long: `Copy every image the deployment's workloads use (with image-overrides and
--image applied) that the local Docker has into every node of the kind
cluster, as kind load docker-image does. An image a node already has under
the same ID is not copied again; a rebuilt one is. Images the local Docker
does not have are left for the nodes to pull. deploy does this too.`,
		Args: cobra.NoArgs,
		RunE: runE(o),
	}
	addDeploymentDirFlag(cmd, &o.DeploymentDir)
	cmd.Flags().StringToStringVar(&o.Images, "image", o.Images, "Replace a container's image: container=image (repeatable).")
	cmd.Flags().StringVarP(&o.Output, "output", "o", o.Output, "Output format: json (default: one line per image).")
	return cmd
}

// Complete renders the deployment to find its images.
func (o *KindLoadOptions) Complete(c *cobra.Command, args []string) error {
	d, objects, err := prepare(c, o.GlobalOptions, o.DeploymentDir, o.Images, nil)
	if err != nil {
		return err
	}
	if err := requireKind(d); err != nil {
		return err
	}
	o.images = apply.Images(objects)
	o.k, err = newKindCluster(o.GlobalOptions, d)
	return err
}

// Validate checks the flags.
func (o *KindLoadOptions) Validate() error {
	if o.Output != "" && o.Output != "json" {
		return fmt.Errorf("--output %q: use json, or leave it out for one line per image", o.Output)
	}
	return nil
}

// Run loads and reports per image.
func (o *KindLoadOptions) Run(c *cobra.Command) error {
	res, err := o.k.loadImages(c, o.images)
	if err != nil {
		return err
	}
	if o.Output == "json" {
		return printJSON(o.Out, res)
	}
	for _, group := range []struct {
		state  string
		images []string
	}{{"loaded", res.Loaded}, {"present", res.Present}, {"not-local", res.NotLocal}} {
		for _, im := range group.images {
			fmt.Fprintf(o.Out, "%s\t%s\n", im, group.state)
		}
	}
	return nil
}

// CheckMountsOptions are the inputs of "kubectl stack kind check-mounts".
type CheckMountsOptions struct {
	*GlobalOptions
	DeploymentDir string
	Output        string

	d *deployment.Deployment
}

// NewCheckMountsOptions returns CheckMountsOptions with its defaults (the options of "kubectl stack kind check-mounts").
func NewCheckMountsOptions(g *GlobalOptions) *CheckMountsOptions {
	return &CheckMountsOptions{GlobalOptions: g}
}

func newCmdCheckMounts(g *GlobalOptions) *cobra.Command {
	o := NewCheckMountsOptions(g)
	cmd := &cobra.Command{
		Use:   "check-mounts [-d DIR] [-o json]",
		Short: "Compare the mounts a deployment needs with the live kind node's",
		Long: `Read the bind mounts of the cluster's control-plane node container through the
Docker Engine API and compare them with the mounts in the deployment's
kind-config.yml: host paths are compared resolved and cleaned, and a path
under a live umbrella mount counts as covered. Prints one row per mount
(OK, MISSING or MISMATCH) and exits non-zero on any problem, with the fix.
Mounts that cannot be read are an error too: the check did not run.`,
		Args: cobra.NoArgs,
		RunE: runE(o),
	}
	addDeploymentDirFlag(cmd, &o.DeploymentDir)
	cmd.Flags().StringVarP(&o.Output, "output", "o", o.Output, "Output format: json (default: a table).")
	return cmd
}

// Complete loads the deployment.
func (o *CheckMountsOptions) Complete(c *cobra.Command, args []string) error {
	var err error
	o.d, err = loadDeployment(c, o.GlobalOptions, o.DeploymentDir)
	return err
}

// Validate checks the flags and the deployment's target.
func (o *CheckMountsOptions) Validate() error {
	if o.Output != "" && o.Output != "json" {
		return fmt.Errorf("--output %q: use json, or leave it out for a table", o.Output)
	}
	return requireKind(o.d)
}

// Run checks and prints.
func (o *CheckMountsOptions) Run(c *cobra.Command) error {
	checks, err := checkMounts(c, o.d)
	if checks == nil {
		return err
	}
	if o.Output == "json" {
		if jerr := printJSON(o.Out, checks); jerr != nil {
			return jerr
		}
	} else {
		w := tabwriter.NewWriter(o.Out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "CONTAINER PATH\tEXPECTED HOST PATH\tLIVE HOST PATH\tSTATE")
		for _, ch := range checks {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", ch.ContainerPath, ch.Expected, ch.Live, ch.State)
		}
		if ferr := w.Flush(); ferr != nil {
			return ferr
		}
	}
	return err
}

// checkMounts compares the deployment's kind config with its cluster's
// control-plane node. It returns the rows (nil when the node's mounts could
// not be read) and an error that explains any problem.
func checkMounts(c *cobra.Command, d *deployment.Deployment) ([]kindcluster.MountCheck, error) {
	cluster := d.KindCluster()
	cfg, err := kindcluster.LoadConfig(filepath.Join(d.Dir, deployment.KindConfigFile))
	if err != nil {
		return nil, err
	}
	node, err := kindcluster.ControlPlane(cluster)
	if err != nil {
		return nil, fmt.Errorf("could not find the node of kind cluster %s, so its mounts were NOT checked: %w", cluster, err)
	}
	live, err := kindcluster.LiveMounts(c.Context(), node)
	if err != nil {
		return nil, fmt.Errorf("could not read the mounts of %s, so they were NOT checked: %w", node, err)
	}
	checks := kindcluster.CompareMounts(kindcluster.Required(cfg), live)
	if checks == nil {
		checks = []kindcluster.MountCheck{}
	}
	return checks, kindcluster.MountProblems(cluster, checks, live)
}
