package cmd

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/client-go/kubernetes"

	"github.com/kubectl-stack/kubectl-stack/pkg/deployment"
	"github.com/kubectl-stack/kubectl-stack/pkg/k8sname"
	"github.com/kubectl-stack/kubectl-stack/pkg/podio"
)

// LogsOptions are the inputs of "kubectl stack logs".
type LogsOptions struct {
	*GlobalOptions
	DeploymentDir string
	Service       string
	Follow        bool
	Tail          int64
	Since         time.Duration

	d *deployment.Deployment
}

// NewLogsOptions returns LogsOptions with its defaults (the options of "kubectl stack logs").
func NewLogsOptions(g *GlobalOptions) *LogsOptions {
	return &LogsOptions{GlobalOptions: g, Tail: -1}
}

func newCmdLogs(g *GlobalOptions) *cobra.Command {
	o := NewLogsOptions(g)
	cmd := &cobra.Command{
		Use:   "logs [-d DIR] [SERVICE] [-f] [--tail N] [--since DURATION]",
		Short: "Print the logs of every pod and container of a deployment",
		Long: `Print the logs of all pods (every pod file and job) and all their containers,
or of one compose service's containers. Each line is prefixed with
[pod/container]. With -f the streams are followed concurrently until
interrupted.`,
		Example: `  kubectl stack logs -d ./my-deployment
  kubectl stack logs -d ./my-deployment web -f --tail 20`,
		Args: cobra.MaximumNArgs(1),
		RunE: runE(o),
	}
	addDeploymentDirFlag(cmd, &o.DeploymentDir)
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
	var err error
	o.d, err = loadDeployment(c, o.GlobalOptions, o.DeploymentDir)
	return err
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
	cs, err := clientset(o.GlobalOptions)
	if err != nil {
		return err
	}
	pods, err := podio.Pods(c.Context(), cs, o.d.Namespace(), o.d.Record.DeploymentID, "")
	if err != nil {
		return err
	}
	if len(pods) == 0 {
		return fmt.Errorf("no pods of %s in namespace %s: is it deployed? (kubectl stack deploy -d %s)", o.d.Record.DeploymentID, o.d.Namespace(), o.d.Dir)
	}
	if o.Service != "" {
		if services := podio.Services(pods); !slices.Contains(services, o.Service) {
			return fmt.Errorf("no container of service %q in %s; its services are: %s", o.Service, o.d.Dir, strings.Join(services, ", "))
		}
	}
	return podio.Logs(c.Context(), cs, pods, podio.LogOptions{Service: o.Service, Follow: o.Follow, Tail: o.Tail, Since: o.Since}, o.Out, o.ErrOut)
}

// clientset connects a typed client to the cluster the flags select.
func clientset(g *GlobalOptions) (kubernetes.Interface, error) {
	cfg, err := g.ConfigFlags.ToRESTConfig()
	if err != nil {
		return nil, fmt.Errorf("reading the kubeconfig: %w", err)
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("connecting to the cluster: %w", err)
	}
	return cs, nil
}
