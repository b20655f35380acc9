package cmd

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

// PsOptions are the inputs of "kubectl stack ps".
type PsOptions struct {
	deploymentVerb
	outputFlag
}

// NewPsOptions returns PsOptions with its defaults (the options of "kubectl stack ps").
func NewPsOptions(g *GlobalOptions) *PsOptions {
	return &PsOptions{deploymentVerb: deploymentVerb{GlobalOptions: g}}
}

func newCmdPs(g *GlobalOptions) *cobra.Command {
	o := NewPsOptions(g)
	cmd := &cobra.Command{
		Use: "ps [-d DIR] [-o json]",
		Example: `  kubectl stack ps -d ./my-deployment
  kubectl stack ps -d ./my-deployment -o json`,
		Short: "List every pod of a deployment (all pod files and jobs)",
		Args:  cobra.NoArgs,
		RunE:  runE(o),
	}
	o.addFlags(cmd)
	o.outputFlag.add(cmd, "a table", "json")
	return cmd
}

// Run lists the pods.
func (o *PsOptions) Run(c *cobra.Command) error {
	a, err := o.applier("")
	if err != nil {
		return err
	}
	pods, err := a.Pods(c.Context(), o.deployment().Namespace(), o.deployment().Record.DeploymentID)
	if err != nil {
		return err
	}
	if done, err := o.print(o.Out, pods); done {
		return err
	}
	if len(pods) == 0 {
		o.Logger().Infof("no pods in namespace %s for %s", o.deployment().Namespace(), o.deployment().Record.DeploymentID)
		return nil
	}
	w := tabwriter.NewWriter(o.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "POD\tOWNER\tSERVICES\tPHASE\tREADY\tRESTARTS\tNODE\tIP\tPORTS")
	for _, p := range pods {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\n", p.Name, p.Owner, strings.Join(p.Services, ","), p.Phase, p.Ready, p.Restarts, p.Node, p.IP, strings.Join(p.Ports, ","))
	}
	return w.Flush()
}

// Validate checks -o.
func (o *PsOptions) Validate() error { return o.outputFlag.Validate() }
