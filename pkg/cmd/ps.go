package cmd

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/kubectl-stack/kubectl-stack/pkg/deployment"
)

// PsOptions are the inputs of "kubectl stack ps".
type PsOptions struct {
	*GlobalOptions
	DeploymentDir string
	Output        string

	d *deployment.Deployment
}

// NewPsOptions returns PsOptions with its defaults (the options of "kubectl stack ps").
func NewPsOptions(g *GlobalOptions) *PsOptions {
	return &PsOptions{GlobalOptions: g}
}

func newCmdPs(g *GlobalOptions) *cobra.Command {
	o := NewPsOptions(g)
	cmd := &cobra.Command{
		Use:   "ps [-d DIR] [-o json]",
		Short: "List every pod of a deployment (all pod files and jobs)",
		Args:  cobra.NoArgs,
		RunE:  runE(o),
	}
	addDeploymentDirFlag(cmd, &o.DeploymentDir)
	cmd.Flags().StringVarP(&o.Output, "output", "o", o.Output, "Output format: json (default: a table).")
	return cmd
}

// Complete loads the deployment.
func (o *PsOptions) Complete(c *cobra.Command, args []string) error {
	var err error
	o.d, err = loadDeployment(c, o.GlobalOptions, o.DeploymentDir)
	return err
}

// Validate checks the flags.
func (o *PsOptions) Validate() error {
	if o.Output != "" && o.Output != "json" {
		return fmt.Errorf("--output %q: use json, or leave it out for a table", o.Output)
	}
	return nil
}

// Run lists the pods.
func (o *PsOptions) Run(c *cobra.Command) error {
	a, err := o.applier("")
	if err != nil {
		return err
	}
	pods, err := a.Pods(c.Context(), o.d.Namespace(), o.d.Record.DeploymentID)
	if err != nil {
		return err
	}
	if o.Output == "json" {
		return printJSON(o.Out, pods)
	}
	if len(pods) == 0 {
		o.Logger().Infof("no pods in namespace %s for %s", o.d.Namespace(), o.d.Record.DeploymentID)
		return nil
	}
	w := tabwriter.NewWriter(o.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "POD\tOWNER\tSERVICES\tPHASE\tREADY\tRESTARTS\tNODE\tIP\tPORTS")
	for _, p := range pods {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\n", p.Name, p.Owner, strings.Join(p.Services, ","), p.Phase, p.Ready, p.Restarts, p.Node, p.IP, strings.Join(p.Ports, ","))
	}
	return w.Flush()
}
