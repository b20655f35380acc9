package cmd

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"sigs.k8s.io/yaml"

	"github.com/kubectl-stack/kubectl-stack/pkg/apply"
	"github.com/kubectl-stack/kubectl-stack/pkg/lifecycle"
)

// StatusOptions are the inputs of "kubectl stack status".
type StatusOptions struct {
	*GlobalOptions
	DeploymentDir string
	Output        string

	target *lifecycle.Target
}

// NewStatusOptions returns StatusOptions with its defaults (the options of "kubectl stack status").
func NewStatusOptions(g *GlobalOptions) *StatusOptions {
	return &StatusOptions{GlobalOptions: g}
}

func newCmdStatus(g *GlobalOptions) *cobra.Command {
	o := NewStatusOptions(g)
	cmd := &cobra.Command{
		Use:   "status [-d DIR] [-o json|yaml]",
		Short: "Show every object of a deployment with its status, and its pods",
		Args:  cobra.NoArgs,
		RunE:  runE(o),
	}
	addDeploymentDirFlag(cmd, &o.DeploymentDir)
	cmd.Flags().StringVarP(&o.Output, "output", "o", o.Output, "Output format: json or yaml (default: tables).")
	return cmd
}

// Complete loads the deployment.
func (o *StatusOptions) Complete(c *cobra.Command, args []string) error {
	var err error
	o.target, err = loadTarget(c, o.GlobalOptions, o.DeploymentDir)
	return err
}

// Validate checks the flags.
func (o *StatusOptions) Validate() error {
	switch o.Output {
	case "", "json", "yaml":
		return nil
	}
	return fmt.Errorf("--output %q: use json or yaml, or leave it out for tables", o.Output)
}

// Run prints the status.
func (o *StatusOptions) Run(c *cobra.Command) error {
	st, err := o.lifecycle().Status(c.Context(), o.target)
	if err != nil {
		return err
	}
	switch o.Output {
	case "json":
		return printJSON(o.Out, st)
	case "yaml":
		data, err := yaml.Marshal(st)
		if err != nil {
			return err
		}
		_, err = o.Out.Write(data)
		return err
	}
	return printStatus(o, st)
}

func printStatus(o *StatusOptions, st *apply.Status) error {
	w := tabwriter.NewWriter(o.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "KIND\tNAME\tSTATUS\tDETAIL\tMESSAGE")
	for _, s := range st.Objects {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", s.Kind, s.Name, s.Status, s.Detail, s.Message)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "POD\tSERVICES\tPHASE\tREADY\tRESTARTS\tNODE\tIP")
	for _, p := range st.Pods {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%d\t%s\t%s\n", p.Name, strings.Join(p.Services, ","), p.Phase, p.Ready, p.Restarts, p.Node, p.IP)
	}
	return w.Flush()
}
