package cmd

import (
	"cmp"
	"fmt"
	"net"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/kubectl-stack/kubectl-stack/pkg/apply"
	"github.com/kubectl-stack/kubectl-stack/pkg/lifecycle"
)

// StatusOptions are the inputs of "kubectl stack status".
type StatusOptions struct {
	deploymentVerb
	outputFlag
}

// NewStatusOptions returns StatusOptions with its defaults (the options of "kubectl stack status").
func NewStatusOptions(g *GlobalOptions) *StatusOptions {
	return &StatusOptions{deploymentVerb: deploymentVerb{GlobalOptions: g}}
}

func newCmdStatus(g *GlobalOptions) *cobra.Command {
	o := NewStatusOptions(g)
	cmd := &cobra.Command{
		Use: "status [-d DIR] [-o json|yaml]",
		Example: `  kubectl stack status -d ./my-deployment
  kubectl stack status -d ./my-deployment -o json`,
		Short: "Show every object of a deployment with its status, and its pods",
		Args:  cobra.NoArgs,
		RunE:  runE(o),
	}
	o.addFlags(cmd)
	o.outputFlag.add(cmd, "tables", "json", "yaml")
	return cmd
}

// Run prints the status.
func (o *StatusOptions) Run(c *cobra.Command) error {
	st, err := o.lifecycle().Status(c.Context(), o.target)
	if err != nil {
		return err
	}
	if done, err := o.print(o.Out, st); done {
		return err
	}
	return printStatus(o, st)
}

func printStatus(o *StatusOptions, st *lifecycle.StatusResult) error {
	w := tabwriter.NewWriter(o.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "KIND\tNAME\tSTATUS\tDETAIL\tMESSAGE")
	for _, s := range st.Objects {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", s.Kind, s.Name, s.Status, s.Detail, s.Message)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "POD\tSERVICES\tPHASE\tREADY\tRESTARTS\tNODE\tIP\tREASON")
	for _, p := range st.Pods {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\n", p.Name, strings.Join(p.Services, ","), p.Phase, p.Ready, p.Restarts, p.Node, p.IP, p.Reason)
	}
	if pub := st.Published; pub != nil && len(pub.Routes)+len(pub.NodePorts) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "URL\tTO")
		for _, r := range pub.Routes {
			for _, scheme := range routeSchemes(r) {
				fmt.Fprintf(w, "%s://%s%s\t%s\n", scheme, r.Host, r.Path, r.Backend)
			}
		}
		for _, p := range pub.NodePorts {
			fmt.Fprintf(w, "%s\t%s %d/%s\n", net.JoinHostPort(cmp.Or(pub.NodeAddress, "<node>"), strconv.Itoa(int(p.NodePort))), p.Service, p.Port, p.Protocol)
		}
	}
	return w.Flush()
}

// routeSchemes are the schemes a route is served with.
func routeSchemes(r apply.Route) []string {
	if r.TLS {
		return []string{"http", "https"}
	}
	return []string{"http"}
}

// Validate checks -o.
func (o *StatusOptions) Validate() error { return o.outputFlag.Validate() }
