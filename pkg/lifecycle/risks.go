package lifecycle

import (
	"cmp"
	"context"
	"fmt"

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
func (k *kindCluster) risks(ctx context.Context, c Cluster) (*clusterRisks, error) {
	others, err := c.OtherDeployments(ctx, k.t.absDir())
	if err != nil {
		return nil, err
	}
	_, live, err := k.liveMounts(ctx)
	if err != nil {
		return nil, fmt.Errorf("cannot tell which volumes live only inside kind cluster %s: %w", k.name, err)
	}
	nodeLocal, err := nodeLocalVolumes(ctx, c, live)
	if err != nil {
		return nil, err
	}
	return &clusterRisks{Others: others, NodeLocal: nodeLocal}, nil
}

// nodeLocalVolumes are the cluster's PVs whose data no live bind mount
// brings in from the host: it goes with the node container.
func nodeLocalVolumes(ctx context.Context, c Cluster, live map[string]string) ([]apply.Volume, error) {
	vols, err := c.Volumes(ctx)
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

// refusal is the error that stops a delete: other deployments (unless
// allowOthers) or node-local data (unless allowLoss); nil when the risks
// are accepted.
func (r *clusterRisks) refusal(cluster string, allowOthers, allowLoss bool) error {
	e := &DeleteRefusedError{Cluster: cluster}
	if !allowOthers {
		e.Others = r.Others
	}
	if !allowLoss {
		e.NodeLocal = r.NodeLocal
	}
	if len(e.Others) == 0 && len(e.NodeLocal) == 0 {
		return nil
	}
	return e
}

// delete deletes the cluster once its risks, read again now, are accepted.
func (k *kindCluster) delete(ctx context.Context, c Cluster, allowOthers, allowLoss bool) error {
	r, err := k.risks(ctx, c)
	if err != nil {
		return err
	}
	if err := r.refusal(k.name, allowOthers, allowLoss); err != nil {
		return err
	}
	for _, v := range r.NodeLocal {
		k.l.Log.Warnf("deleting the data of volume %s (claim %s), which lived only inside the node", v.Name, cmp.Or(v.Claim, "-"))
	}
	if err := k.p.Delete(k.name, k.l.Kubeconfig); err != nil {
		return err
	}
	k.l.Log.Infof("deleted kind cluster %s; host directories bound into it are kept", k.name)
	return nil
}

// DeleteKindRequest asks to delete a target's kind cluster.
type DeleteKindRequest struct {
	Target *Target
	// Force deletes although other deployments or node-local data live
	// in the cluster.
	Force bool
}

// DeleteKind deletes the target's kind cluster after checking who else
// uses it and what data only it holds. It reports whether there was a
// cluster to delete.
func (l *Lifecycle) DeleteKind(ctx context.Context, req DeleteKindRequest) (bool, error) {
	k, err := l.kindCluster(req.Target)
	if err != nil {
		return false, err
	}
	exists, err := k.p.Exists(k.name)
	if err != nil {
		return false, err
	}
	if !exists {
		l.Log.Infof("kind cluster %s does not exist; nothing to delete", k.name)
		return false, nil
	}
	c, err := l.Connect(req.Target.Context)
	if err != nil {
		return false, err
	}
	return true, k.delete(ctx, c, req.Force, req.Force)
}
