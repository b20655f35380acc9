package cmd

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/kubectl-stack/kubectl-stack/pkg/lifecycle"
)

func newCmdKind(g *GlobalOptions) *cobra.Command {
	cmd := groupCommand(&cobra.Command{
		Use:   "kind",
		Short: "Work with the kind cluster of a k8s-kind deployment",
	})
	cmd.AddCommand(newCmdKindCreate(g), newCmdCheckMounts(g), newCmdKindLoad(g), newCmdKindDelete(g), newCmdMigratePlan(g), newCmdKindCA(g))
	return cmd
}

// kindVerb is a deployment verb for k8s-kind deployments only.
type kindVerb struct{ deploymentVerb }

// Complete loads the deployment, which must deploy to k8s-kind.
func (k *kindVerb) Complete(c *cobra.Command, args []string) error {
	if err := k.deploymentVerb.Complete(c, args); err != nil {
		return err
	}
	if !k.target.IsKind() {
		return &lifecycle.NotKindError{Dir: k.target.Dir(), DeployTo: k.deployment().Spec.DeployTo}
	}
	return nil
}

// KindCreateOptions are the inputs of "kubectl stack kind create".
type KindCreateOptions struct {
	kindVerb
	Image string
}

// NewKindCreateOptions returns KindCreateOptions with its defaults (the options of "kubectl stack kind create").
func NewKindCreateOptions(g *GlobalOptions) *KindCreateOptions {
	return &KindCreateOptions{kindVerb: kindVerb{deploymentVerb{GlobalOptions: g}}}
}

func newCmdKindCreate(g *GlobalOptions) *cobra.Command {
	o := NewKindCreateOptions(g)
	cmd := &cobra.Command{
		Use:   "create [-d DIR] [--image IMAGE]",
		Short: "Create the deployment's kind cluster, or check the running one",
		Long: `Create the kind cluster named by the deployment's cluster-id from its
kind-config.yml (the umbrella mount kind-mount-root -> /mnt, or one mount per
host-path volume), or, when it is running, check that it has the mounts the
deployment needs. deploy does the same unless --skip-cluster-management.

The node image is --image, else the spec's kind-node-image, else kind's
default. Creating a cluster without an umbrella mount is allowed with a
warning: mounts can only be added by recreating the cluster.`,
		Example: `  kubectl stack kind create -d ./my-deployment
  kubectl stack kind create -d ./my-deployment --image local/kind-node:v1.37.2`,
		Args: cobra.NoArgs,
		RunE: runE(o),
	}
	o.addFlags(cmd)
	cmd.Flags().StringVar(&o.Image, "image", o.Image, "Node image (default: the spec's kind-node-image, else kind's default).")
	return cmd
}

// Run creates or checks the cluster and prints its name.
func (o *KindCreateOptions) Run(c *cobra.Command) error {
	name, err := o.lifecycle().CreateKind(c.Context(), lifecycle.CreateKindRequest{Target: o.target, NodeImage: o.Image})
	if err != nil {
		return err
	}
	fmt.Fprintln(o.Out, name)
	return nil
}

// KindDeleteOptions are the inputs of "kubectl stack kind delete".
type KindDeleteOptions struct {
	kindVerb
	Force bool
}

// NewKindDeleteOptions returns KindDeleteOptions with its defaults (the options of "kubectl stack kind delete").
func NewKindDeleteOptions(g *GlobalOptions) *KindDeleteOptions {
	return &KindDeleteOptions{kindVerb: kindVerb{deploymentVerb{GlobalOptions: g}}}
}

func newCmdKindDelete(g *GlobalOptions) *cobra.Command {
	o := NewKindDeleteOptions(g)
	cmd := &cobra.Command{
		Use: "delete [-d DIR] [--force]",
		Example: `  kubectl stack kind delete -d ./my-deployment
  kubectl stack kind delete -d ./my-deployment --force   # although other deployments live in it`,
		Short: "Delete the deployment's kind cluster, after checking who else uses it",
		Long: `Delete the kind cluster the deployment joins. The cluster is shared, so this
first lists the other deployments whose namespaces live in it, and the
volumes whose data lives only inside the node container (PVCs without a
host path), and refuses while there are any, unless --force.

Host directories bound into the node (kind-mount-root and volume host paths)
are never deleted: the next deploy recreates the cluster and finds the data.`,
		Args: cobra.NoArgs,
		RunE: runE(o),
	}
	o.addFlags(cmd)
	cmd.Flags().BoolVar(&o.Force, "force", o.Force, "If true, delete the cluster although other deployments or node-local data live in it.")
	return cmd
}

// Run checks the risks and deletes.
func (o *KindDeleteOptions) Run(c *cobra.Command) error {
	_, err := o.lifecycle().DeleteKind(c.Context(), lifecycle.DeleteKindRequest{Target: o.target, Force: o.Force})
	return refusalHint(err, "pass --force to delete it anyway")
}

// KindCAOptions are the inputs of "kubectl stack kind ca".
type KindCAOptions struct{ kindVerb }

// NewKindCAOptions returns KindCAOptions with its defaults (the options of "kubectl stack kind ca").
func NewKindCAOptions(g *GlobalOptions) *KindCAOptions {
	return &KindCAOptions{kindVerb: kindVerb{deploymentVerb{GlobalOptions: g}}}
}

func newCmdKindCA(g *GlobalOptions) *cobra.Command {
	o := NewKindCAOptions(g)
	cmd := &cobra.Command{
		Use:   "ca [-d DIR]",
		Short: "Print the path of the kind cluster's local CA certificate, to trust for HTTPS",
		Long: `Print the path of the certificate of the CA that signs the HTTPS certificates
of the http-proxy routes on the deployment's kind cluster. The CA is created
on first use (by deploy, or by this command) and kept on this host, outside
the cluster and outside kind-mount-root, so it survives the cluster's
recreation and no pod can read its key.`,
		Example: `  curl --cacert "$(kubectl stack kind ca -d ./my-deployment)" https://hello.localhost/
  sudo cp "$(kubectl stack kind ca -d ./my-deployment)" /usr/local/share/ca-certificates/kubectl-stack.crt && sudo update-ca-certificates`,
		Args: cobra.NoArgs,
		RunE: runE(o),
	}
	o.addFlags(cmd)
	return cmd
}

// Run prints the CA certificate's path.
func (o *KindCAOptions) Run(c *cobra.Command) error {
	path, err := o.lifecycle().KindCA(o.target)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(o.Out, path)
	return err
}
