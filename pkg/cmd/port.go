package cmd

import (
	"fmt"
	"strconv"

	"github.com/spf13/cobra"
)

// PortOptions are the inputs of "kubectl stack port".
type PortOptions struct {
	deploymentVerb
	Service string
	Port    int32
}

// NewPortOptions returns PortOptions with its defaults (the options of "kubectl stack port").
func NewPortOptions(g *GlobalOptions) *PortOptions {
	return &PortOptions{deploymentVerb: deploymentVerb{GlobalOptions: g}}
}

func newCmdPort(g *GlobalOptions) *cobra.Command {
	o := NewPortOptions(g)
	cmd := &cobra.Command{
		Use:               "port [-d DIR] SERVICE PORT",
		ValidArgsFunction: completeService,
		Short:             "Print the address at which a service's published port is reached",
		Long: `Print host:port for a compose service's published port (compose ports: or
the spec's network.ports): a node's address and the NodePort that publishes
it. On kind the node address is the node container's, which this host
reaches. http-proxy routes are listed by status.`,
		Example: `  curl "http://$(kubectl stack port -d ./my-deployment web 80)/"`,
		Args:    cobra.ExactArgs(2),
		RunE:    runE(o),
	}
	o.addFlags(cmd)
	return cmd
}

// Complete reads SERVICE and PORT and loads the deployment.
func (o *PortOptions) Complete(c *cobra.Command, args []string) error {
	port, err := strconv.ParseInt(args[1], 10, 32)
	if err != nil || port < 1 || port > 65535 {
		return fmt.Errorf("PORT %q: give the container port as a number, e.g. 80", args[1])
	}
	o.Service, o.Port = args[0], int32(port)
	return o.deploymentVerb.Complete(c, args)
}

// Run prints the address.
func (o *PortOptions) Run(c *cobra.Command) error {
	addr, err := o.lifecycle().Port(c.Context(), o.target, o.Service, o.Port)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(o.Out, addr)
	return err
}
