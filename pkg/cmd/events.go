package cmd

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/kubectl-stack/kubectl-stack/pkg/apply"
)

// EventsOptions are the inputs of "kubectl stack events".
type EventsOptions struct {
	deploymentVerb
	Watch bool
}

func newCmdEvents(g *GlobalOptions) *cobra.Command {
	o := &EventsOptions{deploymentVerb: deploymentVerb{GlobalOptions: g}}
	cmd := &cobra.Command{
		Use:   "events [-d DIR] [--watch]",
		Short: "Show the events of a deployment's namespace, newest last",
		Long: `Show the events of the deployment's namespace, newest last, ordered as
kubectl orders them (by the newest of eventTime, lastTimestamp,
firstTimestamp and creation: the scheduler's events carry only eventTime).
With --watch, keep printing new ones until interrupted.`,
		Example: `  kubectl stack events -d ./my-deployment
  kubectl stack events -d ./my-deployment --watch`,
		Args: cobra.NoArgs,
		RunE: runE(o),
	}
	o.addFlags(cmd)
	cmd.Flags().BoolVarP(&o.Watch, "watch", "w", o.Watch, "If true, keep printing new events until interrupted.")
	return cmd
}

// Run lists, then watches.
func (o *EventsOptions) Run(c *cobra.Command) error {
	_, cs, err := o.clientset()
	if err != nil {
		return err
	}
	ns := o.deployment().Namespace()
	list, err := cs.CoreV1().Events(ns).List(c.Context(), metav1.ListOptions{})
	if err != nil {
		return fmt.Errorf("listing the events of %s: %w", ns, err)
	}
	items := slices.Clone(list.Items)
	slices.SortStableFunc(items, func(a, b corev1.Event) int { return apply.EventTime(a).Compare(apply.EventTime(b)) })
	tw := tabwriter.NewWriter(o.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LAST SEEN\tTYPE\tREASON\tOBJECT\tMESSAGE")
	for _, e := range items {
		printEvent(tw, e)
	}
	if err := tw.Flush(); err != nil || !o.Watch {
		return err
	}
	w, err := cs.CoreV1().Events(ns).Watch(c.Context(), metav1.ListOptions{ResourceVersion: list.ResourceVersion})
	if err != nil {
		return fmt.Errorf("watching the events of %s: %w", ns, err)
	}
	defer w.Stop()
	for ev := range w.ResultChan() {
		if e, ok := ev.Object.(*corev1.Event); ok && (ev.Type == watch.Added || ev.Type == watch.Modified) {
			printEvent(tw, *e)
			_ = tw.Flush()
		}
	}
	return nil
}

func printEvent(w io.Writer, e corev1.Event) {
	seen := "-"
	if t := apply.EventTime(e); !t.IsZero() {
		seen = time.Since(t).Round(time.Second).String()
	}
	obj := strings.ToLower(e.InvolvedObject.Kind) + "/" + e.InvolvedObject.Name
	fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", seen, e.Type, e.Reason, obj, strings.TrimSpace(e.Message))
}
