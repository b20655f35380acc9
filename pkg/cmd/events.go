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
	outputFlag
	Watch bool
}

func newCmdEvents(g *GlobalOptions) *cobra.Command {
	o := &EventsOptions{deploymentVerb: deploymentVerb{GlobalOptions: g}}
	cmd := &cobra.Command{
		Use:   "events [-d DIR] [--watch] [-o json|yaml]",
		Short: "Show the events of a deployment's namespace, newest last",
		Long: `Show the events of the deployment's namespace, newest last, ordered as
kubectl orders them (by the newest of eventTime, lastTimestamp,
firstTimestamp and creation: the scheduler's events carry only eventTime).
With --watch, keep printing new ones until interrupted. -o json|yaml prints
a v1 EventList (with --watch, then each new Event as a document).`,
		Example: `  kubectl stack events -d ./my-deployment
  kubectl stack events -d ./my-deployment --watch
  kubectl stack events -d ./my-deployment -o json | jq '.items[] | select(.type == "Warning")'`,
		Args: cobra.NoArgs,
		RunE: runE(o),
	}
	o.addFlags(cmd)
	cmd.Flags().BoolVarP(&o.Watch, "watch", "w", o.Watch, "If true, keep printing new events until interrupted.")
	o.outputFlag.add(cmd, "a table", "json", "yaml")
	return cmd
}

// Validate checks -o.
func (o *EventsOptions) Validate() error { return o.outputFlag.Validate() }

// Run lists, then watches.
func (o *EventsOptions) Run(c *cobra.Command) error {
	_, cs, err := o.clientset()
	if err != nil {
		return err
	}
	ns := o.deployment().Namespace()
	list, err := cs.Events(ns).List(c.Context(), metav1.ListOptions{})
	if err != nil {
		return fmt.Errorf("listing the events of %s: %w", ns, err)
	}
	if err := o.printList(list); err != nil || !o.Watch {
		return err
	}
	w, err := cs.Events(ns).Watch(c.Context(), metav1.ListOptions{ResourceVersion: list.ResourceVersion})
	if err != nil {
		return fmt.Errorf("watching the events of %s: %w", ns, err)
	}
	defer w.Stop()
	for ev := range w.ResultChan() {
		if e, ok := ev.Object.(*corev1.Event); ok && (ev.Type == watch.Added || ev.Type == watch.Modified) {
			if err := o.printWatched(e); err != nil {
				return err
			}
		}
	}
	return nil
}

// printList prints the events newest last: a table, or a v1 EventList.
func (o *EventsOptions) printList(list *corev1.EventList) error {
	slices.SortStableFunc(list.Items, func(a, b corev1.Event) int { return apply.EventTime(a).Compare(apply.EventTime(b)) })
	list.APIVersion, list.Kind = "v1", "EventList"
	if done, err := o.print(o.Out, list); done {
		return err
	}
	tw := tabwriter.NewWriter(o.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LAST SEEN\tTYPE\tREASON\tOBJECT\tMESSAGE")
	for _, e := range list.Items {
		printEvent(tw, e)
	}
	return tw.Flush()
}

// printWatched prints one watched event: a table row, or a document (YAML
// documents separated by ---, as kubectl get -w -o yaml).
func (o *EventsOptions) printWatched(e *corev1.Event) error {
	e.APIVersion, e.Kind = "v1", "Event"
	if o.Output == "yaml" {
		fmt.Fprintln(o.Out, "---")
	}
	if done, err := o.print(o.Out, e); done {
		return err
	}
	tw := tabwriter.NewWriter(o.Out, 0, 4, 2, ' ', 0)
	printEvent(tw, *e)
	return tw.Flush()
}

func printEvent(w io.Writer, e corev1.Event) {
	seen := "-"
	if t := apply.EventTime(e); !t.IsZero() {
		seen = time.Since(t).Round(time.Second).String()
	}
	obj := strings.ToLower(e.InvolvedObject.Kind) + "/" + e.InvolvedObject.Name
	fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", seen, e.Type, e.Reason, obj, strings.TrimSpace(e.Message))
}
