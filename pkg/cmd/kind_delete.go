package cmd

import (
	"cmp"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kubectl-stack/kubectl-stack/pkg/apply"
	"github.com/kubectl-stack/kubectl-stack/pkg/kindcluster"
)

// clusterRisks is what deleting a kind cluster would break or lose.
type clusterRisks struct {
	// Others are the other deployments with namespaces in the cluster.
	Others []string
	// NodeLocal are PVs whose data lives only inside the node container.
	NodeLocal []apply.Volume
}

// risks reads the cluster's deployments and volumes, and the node's live
// mounts to tell which volumes are bound in from the host.
func (k *kindCluster) risks(c *cobra.Command, a *apply.Applier, dir string) (*clusterRisks, error) {
	others, err := a.OtherDeployments(c.Context(), dir)
	if err != nil {
		return nil, err
	}
	_, live, err := k.liveMounts(c)
	if err != nil {
		return nil, fmt.Errorf("cannot tell which volumes live only inside kind cluster %s: %w", k.name, err)
	}
	nodeLocal, err := nodeLocalVolumes(c, a, live)
	if err != nil {
		return nil, err
	}
	return &clusterRisks{Others: others, NodeLocal: nodeLocal}, nil
}

// liveMounts reads the bind mounts of the cluster's control-plane node and
// returns the node's container name with them.
func (k *kindCluster) liveMounts(c *cobra.Command) (string, map[string]string, error) {
	node, err := k.p.ControlPlane(k.name)
	if err != nil {
		return "", nil, err
	}
	live, err := kindcluster.LiveMounts(c.Context(), node)
	return node, live, err
}

// nodeLocalVolumes are the cluster's PVs whose data no live bind mount
// brings in from the host: it goes with the node container.
func nodeLocalVolumes(c *cobra.Command, a *apply.Applier, live map[string]string) ([]apply.Volume, error) {
	vols, err := a.Volumes(c.Context())
	if err != nil {
		return nil, err
	}
	var out []apply.Volume
	for _, v := range vols {
		if _, onHost := kindcluster.HostPathOf(v.NodePath, live); !onHost {
			out = append(out, v)
		}
	}
	return out, nil
}

// refusal explains why deleting the cluster needs confirmation: other
// deployments (unless allowOthers) or node-local data (unless allowLoss).
func (r *clusterRisks) refusal(cluster string, allowOthers, allowLoss bool, fix string) error {
	var parts []string
	if len(r.Others) > 0 && !allowOthers {
		parts = append(parts, "other deployments live in it and would break:\n  "+strings.Join(r.Others, "\n  "))
	}
	if len(r.NodeLocal) > 0 && !allowLoss {
		parts = append(parts, "these volumes keep their data only inside the node container and would lose it (back them up first; kubectl stack kind migrate-plan shows how):\n  "+volumeList(r.NodeLocal))
	}
	if len(parts) == 0 {
		return nil
	}
	return fmt.Errorf("not deleting kind cluster %s: %s\n%s", cluster, strings.Join(parts, "\n"), fix)
}

func volumeList(vols []apply.Volume) string {
	lines := make([]string, len(vols))
	for i, v := range vols {
		lines[i] = fmt.Sprintf("%s (claim %s, node path %s)", v.Name, cmp.Or(v.Claim, "-"), cmp.Or(v.NodePath, "-"))
	}
	return strings.Join(lines, "\n  ")
}

// KindDeleteOptions are the inputs of "kubectl stack kind delete".
type KindDeleteOptions struct {
	*GlobalOptions
	DeploymentDir string
	Force         bool

	k *kindCluster
}

// NewKindDeleteOptions returns KindDeleteOptions with its defaults (the options of "kubectl stack kind delete").
func NewKindDeleteOptions(g *GlobalOptions) *KindDeleteOptions {
	return &KindDeleteOptions{GlobalOptions: g}
}

func newCmdKindDelete(g *GlobalOptions) *cobra.Command {
	o := NewKindDeleteOptions(g)
	cmd := &cobra.Command{
		Use:   "delete [-d DIR] [--force]",
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
	addDeploymentDirFlag(cmd, &o.DeploymentDir)
	cmd.Flags().BoolVar(&o.Force, "force", o.Force, "If true, delete the cluster although other deployments or node-local data live in it.")
	return cmd
}

// Complete loads the deployment.
func (o *KindDeleteOptions) Complete(c *cobra.Command, args []string) error {
	var err error
	o.k, err = loadKindCluster(c, o.GlobalOptions, o.DeploymentDir)
	return err
}

// Validate has nothing to check.
func (o *KindDeleteOptions) Validate() error { return nil }

// Run checks the risks and deletes.
func (o *KindDeleteOptions) Run(c *cobra.Command) error {
	exists, err := o.k.p.Exists(o.k.name)
	if err != nil {
		return err
	}
	if !exists {
		o.Logger().Infof("kind cluster %s does not exist; nothing to delete", o.k.name)
		return nil
	}
	a, err := connect(o.GlobalOptions)
	if err != nil {
		return err
	}
	return o.k.delete(c, a, o.Force, o.Force, "pass --force to delete it anyway")
}

// delete deletes the cluster once its risks, read again now, are accepted.
func (k *kindCluster) delete(c *cobra.Command, a *apply.Applier, allowOthers, allowLoss bool, fix string) error {
	dir, _ := filepath.Abs(k.d.Dir)
	r, err := k.risks(c, a, dir)
	if err != nil {
		return err
	}
	if err := r.refusal(k.name, allowOthers, allowLoss, fix); err != nil {
		return err
	}
	log := k.g.Logger()
	for _, v := range r.NodeLocal {
		log.Warnf("deleting the data of volume %s (claim %s), which lived only inside the node", v.Name, cmp.Or(v.Claim, "-"))
	}
	if err := k.p.Delete(k.name, *k.g.ConfigFlags.KubeConfig); err != nil {
		return err
	}
	log.Infof("deleted kind cluster %s; host directories bound into it are kept", k.name)
	return nil
}
