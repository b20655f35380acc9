package cmd

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/kubectl-stack/kubectl-stack/pkg/apply"
	"github.com/kubectl-stack/kubectl-stack/pkg/deployment"
	"github.com/kubectl-stack/kubectl-stack/pkg/spec"
)

// StopOptions are the inputs of "kubectl stack stop".
type StopOptions struct {
	*GlobalOptions
	DeploymentDir         string
	DeleteVolumes         bool
	DeleteNamespace       bool
	SkipClusterManagement bool
	Force                 bool
	Timeout               time.Duration

	d *deployment.Deployment
}

// NewStopOptions returns StopOptions with their defaults.
func NewStopOptions(g *GlobalOptions) *StopOptions {
	return &StopOptions{GlobalOptions: g, Timeout: 2 * time.Minute}
}

func newCmdStop(g *GlobalOptions) *cobra.Command {
	o := NewStopOptions(g)
	cmd := &cobra.Command{
		Use:   "stop [-d DIR] [--delete-volumes] [--delete-namespace] [--skip-cluster-management]",
		Short: "Delete a deployment's objects (on kind, then its cluster); volumes and data stay unless --delete-volumes",
		Long: `Delete the objects this deployment applied (its inventory), never those of
another deployment, and wait until they are gone. PersistentVolumes, claims
and host data stay, so a later deploy finds the data again, unless
--delete-volumes (which deletes this deployment's PVs and PVCs, never host
directories). --delete-namespace removes the namespace afterwards.

For deploy-to: k8s-kind, stop then deletes the kind cluster (host
directories bound into it stay), unless --skip-cluster-management. It
refuses before deleting anything while other deployments live in the
cluster (unless --force), or while volumes keep data only inside the node,
which deleting the cluster would lose (unless --delete-volumes or --force).`,
		Args: cobra.NoArgs,
		RunE: runE(o),
	}
	f := cmd.Flags()
	addDeploymentDirFlag(cmd, &o.DeploymentDir)
	f.BoolVar(&o.DeleteVolumes, "delete-volumes", o.DeleteVolumes, "If true, also delete this deployment's PersistentVolumes and claims (host directories are never deleted).")
	f.BoolVar(&o.DeleteNamespace, "delete-namespace", o.DeleteNamespace, "If true, delete the namespace after the objects.")
	f.BoolVar(&o.SkipClusterManagement, "skip-cluster-management", o.SkipClusterManagement, "If true, leave the kind cluster alone (k8s-kind only).")
	f.BoolVar(&o.Force, "force", o.Force, "If true, delete the kind cluster although other deployments or node-local data live in it.")
	f.DurationVar(&o.Timeout, "timeout", o.Timeout, "How long to wait for the objects to go.")
	return cmd
}

// Complete loads the deployment and picks the kind context.
func (o *StopOptions) Complete(c *cobra.Command, args []string) error {
	var err error
	o.d, err = loadDeployment(c, o.GlobalOptions, o.DeploymentDir)
	return err
}

// Validate checks the flags.
func (o *StopOptions) Validate() error { return nil }

// Run stops the deployment, then, for k8s-kind without
// --skip-cluster-management, deletes its kind cluster: the guards run
// before anything is deleted, since the cluster is shared.
func (o *StopOptions) Run(c *cobra.Command) error {
	k, err := o.managedKindCluster(c)
	if err != nil {
		return err
	}
	a, err := connect(o.GlobalOptions)
	if err != nil {
		return err
	}
	if k != nil {
		if err := o.guard(c, a, k); err != nil {
			return err
		}
	}
	_, err = a.Stop(c.Context(), apply.StopRequest{
		Namespace: o.d.Namespace(), DeploymentID: o.d.Record.DeploymentID,
		DeleteVolumes: o.DeleteVolumes, DeleteNamespace: o.DeleteNamespace, Timeout: o.Timeout,
	})
	if err != nil {
		return fmt.Errorf("stopping %s: %w", o.d.Dir, err)
	}
	if !o.DeleteVolumes {
		o.Logger().Infof("stopped; volumes and their data are kept (deploy again to use them)")
	}
	if k == nil {
		return nil
	}
	return k.delete(c, a, o.Force, o.Force || o.DeleteVolumes, stopFix)
}

const stopFix = "stop only this deployment with --skip-cluster-management, or pass --force (and --delete-volumes to accept losing node-local data)"

// managedKindCluster is the kind cluster stop deletes, or nil: none for
// other targets, with --skip-cluster-management, with a --context naming
// another cluster, or when it is not running.
func (o *StopOptions) managedKindCluster(c *cobra.Command) (*kindCluster, error) {
	if o.d.Spec.DeployTo != spec.DeployToKind || o.SkipClusterManagement {
		return nil, nil
	}
	k, err := newKindCluster(o.GlobalOptions, o.d)
	if err != nil {
		return nil, err
	}
	if !k.targeted() {
		o.Logger().Warnf("not deleting kind cluster %s: --context %s names another cluster", k.name, *o.ConfigFlags.Context)
		return nil, nil
	}
	exists, err := k.p.Exists(k.name)
	if err != nil || exists {
		return k, err
	}
	o.Logger().Warnf("kind cluster %s is not running; stopping the deployment's objects only", k.name)
	return nil, nil
}

// guard refuses before anything is deleted when deleting the cluster
// would break other deployments or lose node-local data.
func (o *StopOptions) guard(c *cobra.Command, a *apply.Applier, k *kindCluster) error {
	dir, _ := filepath.Abs(o.d.Dir)
	r, err := k.risks(c, a, dir)
	if err != nil {
		return err
	}
	return r.refusal(k.name, o.Force, o.Force || o.DeleteVolumes, stopFix)
}
