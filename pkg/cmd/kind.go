package cmd

import (
	"fmt"
	"path/filepath"
	"text/tabwriter"

	"github.com/spf13/cobra"

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
	cmd.AddCommand(newCmdCheckMounts(g))
	return cmd
}

// CheckMountsOptions are the inputs of "kubectl stack kind check-mounts".
type CheckMountsOptions struct {
	*GlobalOptions
	DeploymentDir string
	Output        string

	d *deployment.Deployment
}

func newCmdCheckMounts(g *GlobalOptions) *cobra.Command {
	o := &CheckMountsOptions{GlobalOptions: g}
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
func (o *CheckMountsOptions) Complete(c *cobra.Command) error {
	var err error
	o.d, err = loadDeployment(c, o.GlobalOptions, o.DeploymentDir)
	return err
}

// Validate checks the flags and the deployment's target.
func (o *CheckMountsOptions) Validate() error {
	if o.Output != "" && o.Output != "json" {
		return fmt.Errorf("--output %q: use json, or leave it out for a table", o.Output)
	}
	if o.d.Spec.DeployTo != spec.DeployToKind {
		return fmt.Errorf("%s deploys to %s; mount checks are for deploy-to: k8s-kind", o.d.Dir, o.d.Spec.DeployTo)
	}
	return nil
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
	cluster := kindClusterName(d)
	cfg, err := kindcluster.LoadConfig(filepath.Join(d.Dir, deployment.KindConfigFile))
	if err != nil {
		return nil, err
	}
	node, err := kindcluster.ControlPlane(cluster)
	if err != nil {
		return nil, err
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

// kindClusterName is the kind cluster a deployment joins.
func kindClusterName(d *deployment.Deployment) string {
	if d.Spec.KindClusterName != "" {
		return d.Spec.KindClusterName
	}
	return d.Record.ClusterID
}
