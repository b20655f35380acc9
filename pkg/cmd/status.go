package cmd

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/kubectl-stack/kubectl-stack/pkg/apply"
	"github.com/kubectl-stack/kubectl-stack/pkg/lifecycle"
)

// StatusOptions are the inputs of "kubectl stack status".
type StatusOptions struct {
	deploymentVerb
	outputFlag
	// Watch refreshes until everything is ready or the user interrupts.
	Watch bool
}

// NewStatusOptions returns StatusOptions with its defaults (the options of "kubectl stack status").
func NewStatusOptions(g *GlobalOptions) *StatusOptions {
	return &StatusOptions{deploymentVerb: deploymentVerb{GlobalOptions: g}}
}

func newCmdStatus(g *GlobalOptions) *cobra.Command {
	o := NewStatusOptions(g)
	cmd := &cobra.Command{
		Use: "status [-d DIR] [-o json|yaml|name]",
		Example: `  kubectl stack status -d ./my-deployment
  kubectl stack status -d ./my-deployment -o json`,
		Short: "Show every object of a deployment with its status, and its pods",
		Args:  cobra.NoArgs,
		RunE:  runE(o),
	}
	o.addFlags(cmd)
	o.outputFlag.add(cmd, "tables", "json", "yaml", "name")
	cmd.Flags().BoolVarP(&o.Watch, "watch", "w", o.Watch, "If true, print the status again whenever it changes, until everything is ready or interrupted.")
	return cmd
}

// Run prints the status; with --watch, again whenever it changes.
func (o *StatusOptions) Run(c *cobra.Command) error {
	last := ""
	for {
		st, err := o.lifecycle().Status(c.Context(), o.target)
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		if done, err := o.print(&buf, st, statusNames(st)...); !done {
			err = printStatus(&buf, st)
		} else if err != nil {
			return err
		}
		if buf.String() != last {
			if last != "" {
				fmt.Fprintf(o.Out, "\n--- %s\n", time.Now().Format(time.TimeOnly))
			}
			if _, err := o.Out.Write(buf.Bytes()); err != nil {
				return err
			}
			last = buf.String()
		}
		if !o.Watch || allReady(st) {
			return nil
		}
		select {
		case <-c.Context().Done():
			return nil
		case <-time.After(2 * time.Second):
		}
	}
}

// statusNames are the objects and pods of a status as kind/name.
func statusNames(st *lifecycle.StatusResult) []string {
	var out []string
	for _, o := range st.Objects {
		out = append(out, strings.ToLower(o.Kind)+"/"+o.Name)
	}
	for _, p := range st.Pods {
		out = append(out, "pod/"+p.Name)
	}
	return out
}

// allReady reports whether every object is Current and every pod of a
// Deployment is ready (a watch ends there).
func allReady(st *lifecycle.StatusResult) bool {
	for _, o := range st.Objects {
		if o.Status != "Current" {
			return false
		}
	}
	for _, p := range st.Pods {
		ready, total, _ := strings.Cut(p.Ready, "/")
		if p.Phase != "Succeeded" && (p.Phase != "Running" || ready != total) {
			return false
		}
	}
	return true
}

func printStatus(out io.Writer, st *lifecycle.StatusResult) error {
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
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
