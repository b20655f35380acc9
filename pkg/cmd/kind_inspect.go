package cmd

import (
	"cmp"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/kubectl-stack/kubectl-stack/pkg/lifecycle"
)

// KindLoadOptions are the inputs of "kubectl stack kind load".
type KindLoadOptions struct {
	deploymentVerb
	Images map[string]string
	outputFlag
}

// NewKindLoadOptions returns KindLoadOptions with its defaults (the options of "kubectl stack kind load").
func NewKindLoadOptions(g *GlobalOptions) *KindLoadOptions {
	return &KindLoadOptions{deploymentVerb: deploymentVerb{GlobalOptions: g}}
}

func newCmdKindLoad(g *GlobalOptions) *cobra.Command {
	o := NewKindLoadOptions(g)
	cmd := &cobra.Command{
		Use: "load [-d DIR] [--image container=image]...",
		Example: `  kubectl stack kind load -d ./my-deployment
  kubectl stack kind load -d ./my-deployment --image web=example/web:dev`,
		Short: "Load the deployment's locally built images into its kind cluster",
		Long: `Copy every image the deployment's workloads use (with image-overrides and
--image applied) that the local Docker has into every node of the kind
cluster, as kind load docker-image does. An image a node already has under
the same ID is not copied again; a rebuilt one is. Images the local Docker
does not have are left for the nodes to pull. deploy does this too.`,
		Args: cobra.NoArgs,
		RunE: runE(o),
	}
	o.addFlags(cmd)
	cmd.Flags().StringToStringVar(&o.Images, "image", o.Images, "Replace a container's image: container=image (repeatable).")
	o.outputFlag.add(cmd, "one line per image", "json", "yaml")
	return cmd
}

// Complete renders the deployment to find its images.
func (o *KindLoadOptions) Complete(c *cobra.Command, args []string) error {
	var err error
	o.target, err = prepareTarget(c, o.GlobalOptions, o.DeploymentDir, o.Images, nil)
	return err
}

// Run loads and reports per image.
func (o *KindLoadOptions) Run(c *cobra.Command) error {
	res, err := o.lifecycle().LoadKind(c.Context(), o.target)
	if err != nil {
		return err
	}
	if done, err := o.print(o.Out, res); done {
		return err
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
	kindVerb
	outputFlag
}

// NewCheckMountsOptions returns CheckMountsOptions with its defaults (the options of "kubectl stack kind check-mounts").
func NewCheckMountsOptions(g *GlobalOptions) *CheckMountsOptions {
	return &CheckMountsOptions{kindVerb: kindVerb{deploymentVerb{GlobalOptions: g}}}
}

func newCmdCheckMounts(g *GlobalOptions) *cobra.Command {
	o := NewCheckMountsOptions(g)
	cmd := &cobra.Command{
		Use: "check-mounts [-d DIR] [-o json|yaml]",
		Example: `  kubectl stack kind check-mounts -d ./my-deployment
  kubectl stack kind check-mounts -d ./my-deployment -o json`,
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
	o.addFlags(cmd)
	o.outputFlag.add(cmd, "a table", "json", "yaml")
	return cmd
}

// Run checks and prints; problems are the error after the rows.
func (o *CheckMountsOptions) Run(c *cobra.Command) error {
	checks, err := o.lifecycle().CheckMounts(c.Context(), o.target)
	if checks == nil {
		return err
	}
	if done, perr := o.print(o.Out, checks); done {
		return cmp.Or(perr, err)
	}
	w := tabwriter.NewWriter(o.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "CONTAINER PATH\tEXPECTED HOST PATH\tLIVE HOST PATH\tSTATE")
	for _, ch := range checks {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", ch.ContainerPath, ch.Expected, ch.Live, ch.State)
	}
	if ferr := w.Flush(); ferr != nil {
		return ferr
	}
	return err
}

// MigratePlanOptions are the inputs of "kubectl stack kind migrate-plan".
type MigratePlanOptions struct {
	kindVerb
	outputFlag
}

// NewMigratePlanOptions returns MigratePlanOptions with its defaults (the options of "kubectl stack kind migrate-plan").
func NewMigratePlanOptions(g *GlobalOptions) *MigratePlanOptions {
	return &MigratePlanOptions{kindVerb: kindVerb{deploymentVerb{GlobalOptions: g}}}
}

func newCmdMigratePlan(g *GlobalOptions) *cobra.Command {
	o := NewMigratePlanOptions(g)
	cmd := &cobra.Command{
		Use:     "migrate-plan [-d DIR] [-o json|yaml]",
		Example: `  kubectl stack kind migrate-plan -d ./my-deployment`,
		Short:   "Plan moving a kind cluster without an umbrella mount to kind-mount-root",
		Long: `For a kind cluster created without an umbrella mount, list the volumes whose
data lives only inside the node (lost when the cluster is recreated), the
deployments on the cluster, and the steps of the migration to a shared
kind-mount-root, with the real names and paths filled in. It changes
nothing: read it, then run the steps.`,
		Args: cobra.NoArgs,
		RunE: runE(o),
	}
	o.addFlags(cmd)
	o.outputFlag.add(cmd, "text", "json", "yaml")
	return cmd
}

// Run reads the cluster and prints the plan.
func (o *MigratePlanOptions) Run(c *cobra.Command) error {
	plan, err := o.lifecycle().MigratePlan(c.Context(), o.target)
	if err != nil {
		return err
	}
	if done, err := o.print(o.Out, plan); done {
		return err
	}
	return printMigratePlan(o.Out, plan)
}

func printMigratePlan(w io.Writer, p *lifecycle.MigratePlan) error {
	var b strings.Builder
	fmt.Fprintf(&b, "kind cluster: %s\n", p.Cluster)
	fmt.Fprintf(&b, "\nDeployments on the cluster:\n")
	for _, d := range p.Deployments {
		fmt.Fprintf(&b, "  %s (namespace %s)\n", d.Dir, d.Namespace)
	}
	fmt.Fprintf(&b, "\nVolumes whose data lives only inside the node:\n")
	if len(p.NodeLocal) == 0 {
		b.WriteString("  none\n")
	}
	for _, v := range p.NodeLocal {
		fmt.Fprintf(&b, "  %s (claim %s, node path %s)\n", v.Name, cmp.Or(v.Claim, "-"), cmp.Or(v.NodePath, "-"))
	}
	if p.Umbrella != "" {
		fmt.Fprintf(&b, "\nThe cluster already has an umbrella mount %s -> /mnt: no recreate is needed. Set kind-mount-root: %s in every spec and keep host paths under it.\n", p.Umbrella, p.Umbrella)
	} else {
		fmt.Fprintf(&b, "\nThe cluster has no umbrella mount; kind adds mounts only at creation. To move to kind-mount-root %s:\n", p.MountRoot)
		for i, s := range p.Steps {
			fmt.Fprintf(&b, "  %d. %s\n", i+1, s)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Validate checks -o.
func (o *KindLoadOptions) Validate() error { return o.outputFlag.Validate() }
