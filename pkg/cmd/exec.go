package cmd

import (
	"context"
	"errors"

	"github.com/spf13/cobra"

	"github.com/kubectl-stack/kubectl-stack/pkg/k8sname"
	"github.com/kubectl-stack/kubectl-stack/pkg/podio"
)

// ExecOptions are the inputs of "kubectl stack exec".
type ExecOptions struct {
	deploymentVerb
	Service string
	Command []string
	Stdin   bool
	TTY     bool
}

// NewExecOptions returns ExecOptions with its defaults (the options of "kubectl stack exec").
func NewExecOptions(g *GlobalOptions) *ExecOptions {
	return &ExecOptions{deploymentVerb: deploymentVerb{GlobalOptions: g}}
}

func newCmdExec(g *GlobalOptions) *cobra.Command {
	o := NewExecOptions(g)
	cmd := &cobra.Command{
		Use:               "exec [-d DIR] [-i] [-t] SERVICE -- COMMAND [ARG...]",
		ValidArgsFunction: completeService,
		Short:             "Run a command in a container of a compose service",
		Long: `Run a command in the SERVICE container of a running pod of the deployment,
through the API server. The command's exit code is the exit code of
kubectl stack exec. -i passes stdin, -t allocates a terminal.`,
		Example: `  kubectl stack exec -d ./my-deployment web -- cat /etc/hostname
  kubectl stack exec -d ./my-deployment -it web -- sh`,
		Args: func(c *cobra.Command, args []string) error {
			if c.ArgsLenAtDash() != 1 || len(args) < 2 {
				return errors.New("usage: kubectl stack exec [-d DIR] SERVICE -- COMMAND [ARG...] (the service name, then -- and the command)")
			}
			return nil
		},
		RunE: runE(o),
	}
	o.addFlags(cmd)
	cmd.Flags().BoolVarP(&o.Stdin, "stdin", "i", o.Stdin, "If true, pass stdin to the command.")
	cmd.Flags().BoolVarP(&o.TTY, "tty", "t", o.TTY, "If true, allocate a terminal (with -i, stdin must be a terminal).")
	return cmd
}

// Complete loads the deployment.
func (o *ExecOptions) Complete(c *cobra.Command, args []string) error {
	o.Service, o.Command = k8sname.Label(args[0]), args[1:] // the compose spelling works too
	return o.deploymentVerb.Complete(c, args)
}

// Run picks a pod and runs the command; a non-zero exit is passed through.
func (o *ExecOptions) Run(c *cobra.Command) error {
	cfg, cs, err := o.clientset()
	if err != nil {
		return err
	}
	d := o.deployment()
	pods, err := podio.Select(c.Context(), cs, d.Namespace(), d.Record.DeploymentID, o.Service)
	if err != nil {
		return podHint(err, d.Dir)
	}
	pod, err := podio.PickPod(pods, o.Service)
	if err != nil {
		return err
	}
	opts := podio.ExecOptions{Command: o.Command, Stdout: o.Out, Stderr: o.ErrOut, TTY: o.TTY}
	if o.Stdin {
		opts.Stdin = o.In
	}
	if o.TTY {
		ctx, cancel := context.WithCancel(c.Context())
		defer cancel()
		restore, sizes := podio.RawTerminal(ctx, o.In, o.Out)
		defer restore()
		opts.Resize = sizes
	}
	err = podio.Exec(c.Context(), cfg, cs, pod, o.Service, opts)
	var exit *podio.ExitError
	if errors.As(err, &exit) {
		return &ExitError{Code: exit.Code}
	}
	return err
}
