package cmd

import (
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
)

// ListOptions are the inputs of "kubectl stack list".
type ListOptions struct {
	*GlobalOptions
	outputFlag
}

func newCmdList(g *GlobalOptions) *cobra.Command {
	o := &ListOptions{GlobalOptions: g}
	cmd := &cobra.Command{
		Use:     "list [-o json|yaml|name]",
		Aliases: []string{"ls"},
		Short:   "List every deployment on the cluster (stack, namespace, deployment-id, directory, objects, ready pods, last deploy)",
		Long: `List the deployments on the current cluster (or --context), found from their
inventories and their namespaces' owner annotations: what was deployed
where, from which directory, and whether its pods are ready.`,
		Example: `  kubectl stack list
  kubectl stack ls --context kind-laconic-0f8a1b2c3 -o json`,
		Args: cobra.NoArgs,
		RunE: runE(o),
	}
	o.outputFlag.add(cmd, "a table", "json", "yaml", "name")
	return cmd
}

// Complete has nothing to read.
func (o *ListOptions) Complete(*cobra.Command, []string) error { return nil }

// Run lists.
func (o *ListOptions) Run(c *cobra.Command) error {
	list, err := o.lifecycle().List(c.Context(), *o.ConfigFlags.Context)
	if err != nil {
		return err
	}
	var names []string
	for _, d := range list {
		names = append(names, d.Namespace+"/"+d.DeploymentID)
	}
	if done, err := o.print(o.Out, list, names...); done {
		return err
	}
	if len(list) == 0 {
		o.Logger().Infof("no deployments on this cluster")
		return nil
	}
	w := tabwriter.NewWriter(o.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "STACK\tNAMESPACE\tDEPLOYMENT-ID\tOBJECTS\tREADY\tLAST DEPLOY\tDIRECTORY")
	for _, d := range list {
		last := "-"
		if d.LastDeploy != nil {
			last = time.Since(*d.LastDeploy).Round(time.Second).String() + " ago"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%d\t%d/%d\t%s\t%s\n", d.Stack, d.Namespace, d.DeploymentID, d.Objects, d.PodsReady, d.Pods, last, d.DeploymentDir)
	}
	return w.Flush()
}
