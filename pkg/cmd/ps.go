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
		Use: "ps [-d DIR] [-o json|yaml|name|wide]",
		Example: `  kubectl stack ps -d ./my-deployment
  kubectl stack ps -d ./my-deployment -o wide   # also why a pending pod waits
  kubectl stack ps -d ./my-deployment -o name | xargs kubectl describe -n NAMESPACE`,
		Short: "List every pod of a deployment (all pod files and jobs)",
		Args:  cobra.NoArgs,
		RunE:  runE(o),
	}
	o.addFlags(cmd)
	o.outputFlag.add(cmd, "a table", "json", "yaml", "name", "wide")
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
	var names []string
	for _, p := range pods {
		names = append(names, "pod/"+p.Name)
	}
	if done, err := o.print(o.Out, pods, names...); done {
		return err
	}
	if len(pods) == 0 {
		o.Logger().Infof("no pods in namespace %s for %s", o.deployment().Namespace(), o.deployment().Record.DeploymentID)
		return nil
	}
	w := tabwriter.NewWriter(o.Out, 0, 4, 2, ' ', 0)
	wide := o.Output == "wide"
	header := "POD\tOWNER\tSERVICES\tPHASE\tREADY\tRESTARTS\tNODE\tIP\tPORTS"
	if wide {
		header += "\tREASON"
	}
	fmt.Fprintln(w, header)
	for _, p := range pods {
		row := fmt.Sprintf("%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s", p.Name, p.Owner, strings.Join(p.Services, ","), p.Phase, p.Ready, p.Restarts, p.Node, p.IP, strings.Join(p.Ports, ","))
		if wide {
			row += "\t" + p.Reason
		}
		fmt.Fprintln(w, row)
	}
	return w.Flush()
}

// Validate checks -o.
func (o *PsOptions) Validate() error { return o.outputFlag.Validate() }
