package cmd

import (
	"fmt"
	"strconv"

	"github.com/spf13/cobra"
)

// PortOptions are the inputs of "kubectl stack port".
type PortOptions struct {
	deploymentVerb
	outputFlag
	Service string
	Port    int32
}

// portAddress is port's -o json|yaml.
type portAddress struct {
	Service string `json:"service"`
	Port    int32  `json:"port"`
	// Address is host:port, a node's address and the NodePort.
	Address string `json:"address"`
}

// NewPortOptions returns PortOptions with its defaults (the options of "kubectl stack port").
func NewPortOptions(g *GlobalOptions) *PortOptions {
	return &PortOptions{deploymentVerb: deploymentVerb{GlobalOptions: g}}
}

func newCmdPort(g *GlobalOptions) *cobra.Command {
	o := NewPortOptions(g)
	cmd := &cobra.Command{
		Use:               "port [-d DIR] SERVICE PORT [-o json|yaml]",
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
	o.outputFlag.add(cmd, "host:port", "json", "yaml")
	return cmd
}

// Validate checks -o.
func (o *PortOptions) Validate() error { return o.outputFlag.Validate() }

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
	if done, err := o.print(o.Out, portAddress{Service: o.Service, Port: o.Port, Address: addr}); done {
		return err
	}
	_, err = fmt.Fprintln(o.Out, addr)
	return err
}
