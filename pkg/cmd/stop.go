package cmd

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/kubectl-stack/kubectl-stack/pkg/lifecycle"
)

// StopOptions are the inputs of "kubectl stack stop".
type StopOptions struct {
	deploymentVerb
	DeleteVolumes         bool
	DeleteNamespace       bool
	SkipClusterManagement bool
	Force                 bool
	Timeout               time.Duration
	BreakLock             bool
	output                outputFlag
}

// NewStopOptions returns StopOptions with their defaults.
func NewStopOptions(g *GlobalOptions) *StopOptions {
	return &StopOptions{deploymentVerb: deploymentVerb{GlobalOptions: g}, Timeout: 2 * time.Minute}
}

func newCmdStop(g *GlobalOptions) *cobra.Command {
	o := NewStopOptions(g)
	cmd := &cobra.Command{
		Use: "stop [-d DIR] [--delete-volumes] [--delete-namespace] [--skip-cluster-management]",
		Example: `  kubectl stack stop -d ./my-deployment                   # volumes and their data stay
  kubectl stack stop -d ./my-deployment --delete-volumes  # also PVCs and PVs (never host directories)
  kubectl stack stop -d ./my-deployment --skip-cluster-management   # leave the kind cluster running`,
		Short: "Delete a deployment's objects (on kind, then its cluster); volumes and data stay unless --delete-volumes",
		Long: `Delete the objects this deployment applied (its inventory), never those of
another deployment, and wait until they are gone. PersistentVolumes, claims
and host data stay, so a later deploy finds the data again, unless
--delete-volumes (which deletes this deployment's PVs and PVCs, never host
directories). --delete-namespace removes the namespace afterwards, only one
this deployment created that holds nothing else (with claims, only together
with --delete-volumes); otherwise it refuses before deleting anything.

For deploy-to: k8s-kind, stop then deletes the kind cluster (host
directories bound into it stay), unless --skip-cluster-management. It
refuses before deleting anything while other deployments live in the
cluster (unless --force), or while volumes keep data only inside the node,
which deleting the cluster would lose (unless --delete-volumes or --force).`,
		Args: cobra.NoArgs,
		RunE: runE(o),
	}
	f := cmd.Flags()
	o.addFlags(cmd)
	f.BoolVar(&o.DeleteVolumes, "delete-volumes", o.DeleteVolumes, "If true, also delete this deployment's PersistentVolumes and claims (host directories are never deleted).")
	f.BoolVar(&o.DeleteNamespace, "delete-namespace", o.DeleteNamespace, "If true, delete the namespace after the objects (only one this deployment created and that holds nothing else).")
	f.BoolVar(&o.SkipClusterManagement, "skip-cluster-management", o.SkipClusterManagement, "If true, leave the kind cluster alone (k8s-kind only).")
	f.BoolVar(&o.Force, "force", o.Force, "If true, delete the kind cluster although other deployments or node-local data live in it.")
	f.BoolVar(&o.BreakLock, "break-lock", o.BreakLock, "If true, take the deployment's lock from another command that holds it (use when that command is gone).")
	f.DurationVar(&o.Timeout, "timeout", o.Timeout, "How long to wait for the objects to go.")
	o.output.add(cmd, "a tally table", "json", "yaml")
	return cmd
}

// Validate checks -o.
func (o *StopOptions) Validate() error { return o.output.Validate() }

// Run stops the deployment (and, on kind, deletes its cluster unless
// --skip-cluster-management).
func (o *StopOptions) Run(c *cobra.Command) error {
	res, err := o.lifecycle().Stop(c.Context(), lifecycle.StopRequest{
		Target: o.target, DeleteVolumes: o.DeleteVolumes, DeleteNamespace: o.DeleteNamespace,
		SkipClusterManagement: o.SkipClusterManagement, Force: o.Force, Timeout: o.Timeout, BreakLock: o.BreakLock,
	})
	if err == nil && res != nil && res.Deleted != nil {
		if done, perr := o.output.print(o.Out, newChangeReport(res.Deleted)); !done {
			_ = printTally(o.Out, res.Deleted.Tally(), "DELETED")
		} else if perr != nil {
			return perr
		}
	}
	return refusalHint(err, "stop only this deployment with --skip-cluster-management, or pass --force (and --delete-volumes to accept losing node-local data)")
}
