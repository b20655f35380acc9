package cmd

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/kubectl-stack/kubectl-stack/pkg/k8sname"
	"github.com/kubectl-stack/kubectl-stack/pkg/podio"
)

// LogsOptions are the inputs of "kubectl stack logs".
type LogsOptions struct {
	deploymentVerb
	Service string
	Follow  bool
	Tail    int64
	Since   time.Duration
}

// NewLogsOptions returns LogsOptions with its defaults (the options of "kubectl stack logs").
func NewLogsOptions(g *GlobalOptions) *LogsOptions {
	return &LogsOptions{deploymentVerb: deploymentVerb{GlobalOptions: g}, Tail: -1}
}

func newCmdLogs(g *GlobalOptions) *cobra.Command {
	o := NewLogsOptions(g)
	cmd := &cobra.Command{
		Use:               "logs [-d DIR] [SERVICE] [-f] [--tail N] [--since DURATION]",
		ValidArgsFunction: completeService,
		Short:             "Print the logs of every pod and container of a deployment",
		Long: `Print the logs of all pods (every pod file and job) and all their containers,
or of one compose service's containers. Each line is prefixed with
[pod/container]. With -f the streams are followed concurrently until
interrupted, and so are the containers that start later: the new pods of a
rollout (deploy, restart) and restarted containers, from their first line.`,
		Example: `  kubectl stack logs -d ./my-deployment
  kubectl stack logs -d ./my-deployment web -f --tail 20`,
		Args: cobra.MaximumNArgs(1),
		RunE: runE(o),
	}
	o.addFlags(cmd)
	f := cmd.Flags()
	f.BoolVarP(&o.Follow, "follow", "f", o.Follow, "If true, keep streaming new lines.")
	f.Int64Var(&o.Tail, "tail", o.Tail, "Lines of recent log to show per container; -1 shows all.")
	f.DurationVar(&o.Since, "since", o.Since, "Only lines newer than this duration (e.g. 5m); 0 shows all.")
	return cmd
}

// Complete loads the deployment.
func (o *LogsOptions) Complete(c *cobra.Command, args []string) error {
	if len(args) == 1 {
		o.Service = k8sname.Label(args[0]) // the compose spelling works too
	}
	return o.deploymentVerb.Complete(c, args)
}

// Validate checks the flags.
func (o *LogsOptions) Validate() error {
	if o.Tail < -1 {
		return fmt.Errorf("--tail %d: use -1 (all lines) or a count of lines", o.Tail)
	}
	if o.Since < 0 {
		return fmt.Errorf("--since %s: use a positive duration such as 10m", o.Since)
	}
	return nil
}

// Run streams the logs.
func (o *LogsOptions) Run(c *cobra.Command) error {
	_, cs, err := o.clientset()
	if err != nil {
		return err
	}
	d := o.deployment()
	pods, err := podio.Select(c.Context(), cs, d.Namespace(), d.Record.DeploymentID, o.Service)
	if err != nil {
		return podHint(err, d.Dir)
	}
	opts := podio.LogOptions{Service: o.Service, Follow: o.Follow, Tail: o.Tail, Since: o.Since}
	if o.Follow {
		return podio.Follow(c.Context(), cs, d.Namespace(), d.Record.DeploymentID, opts, o.Out, o.ErrOut)
	}
	return podio.Logs(c.Context(), cs, pods, opts, o.Out, o.ErrOut)
}
