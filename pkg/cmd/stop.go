package cmd

import (
	"fmt"
	"path/filepath"
	"strings"
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
		Short: "Delete a deployment's objects; volumes and data stay unless --delete-volumes",
		Long: `Delete the objects this deployment applied (its inventory), never those of
another deployment, and wait until they are gone. PersistentVolumes, claims
and host data stay, so a later deploy finds the data again, unless
--delete-volumes (which deletes this deployment's PVs and PVCs, never host
directories). --delete-namespace removes the namespace afterwards.

For deploy-to: k8s-kind, stopping without --skip-cluster-management is also
about the kind cluster: it refuses while other deployments live in the
cluster, unless --force.`,
		Args: cobra.NoArgs,
		RunE: runE(o),
	}
	f := cmd.Flags()
	addDeploymentDirFlag(cmd, &o.DeploymentDir)
	f.BoolVar(&o.DeleteVolumes, "delete-volumes", o.DeleteVolumes, "If true, also delete this deployment's PersistentVolumes and claims (host directories are never deleted).")
	f.BoolVar(&o.DeleteNamespace, "delete-namespace", o.DeleteNamespace, "If true, delete the namespace after the objects.")
	f.BoolVar(&o.SkipClusterManagement, "skip-cluster-management", o.SkipClusterManagement, "If true, leave the kind cluster alone (k8s-kind only).")
	f.BoolVar(&o.Force, "force", o.Force, "If true, go on although other deployments live in the kind cluster.")
	f.DurationVar(&o.Timeout, "timeout", o.Timeout, "How long to wait for the objects to go.")
	return cmd
}

// Complete loads the deployment and picks the kind context.
func (o *StopOptions) Complete(c *cobra.Command) error {
	var err error
	o.d, err = loadDeployment(c, o.GlobalOptions, o.DeploymentDir)
	return err
}

// Validate checks the flags.
func (o *StopOptions) Validate() error { return nil }

// Run stops the deployment.
func (o *StopOptions) Run(c *cobra.Command) error {
	a, err := connect(o.GlobalOptions)
	if err != nil {
		return err
	}
	dir, _ := filepath.Abs(o.d.Dir)
	kind := o.d.Spec.DeployTo == spec.DeployToKind && !o.SkipClusterManagement
	if kind {
		// Guard before anything is deleted: the cluster is shared.
		others, err := a.OtherDeployments(c.Context(), dir)
		if err != nil {
			return err
		}
		if len(others) > 0 && !o.Force {
			return fmt.Errorf("other deployments live in this kind cluster and deleting it would break them:\n  %s\nstop only this deployment with --skip-cluster-management, or pass --force", strings.Join(others, "\n  "))
		}
	}
	_, err = a.Stop(c.Context(), apply.StopRequest{
		Namespace: o.d.Namespace(), DeploymentID: o.d.Record.DeploymentID,
		DeleteVolumes: o.DeleteVolumes, DeleteNamespace: o.DeleteNamespace, Timeout: o.Timeout,
	})
	if err != nil {
		return fmt.Errorf("stopping %s: %w", o.d.Dir, err)
	}
	if kind {
		o.Logger().Warnf("the kind cluster is kept: deleting it comes with kubectl stack kind delete; pass --skip-cluster-management to say you mean to keep it")
	}
	if !o.DeleteVolumes {
		o.Logger().Infof("stopped; volumes and their data are kept (deploy again to use them)")
	}
	return nil
}
