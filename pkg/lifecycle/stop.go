package lifecycle

import (
	"context"
	"fmt"
	"time"

	"github.com/kubectl-stack/kubectl-stack/pkg/apply"
)

// StopRequest is one stop of a loaded target.
type StopRequest struct {
	Target *Target
	// DeleteVolumes also deletes this deployment's PVs and PVCs (never
	// host directories); it accepts losing node-local data with the
	// kind cluster.
	DeleteVolumes   bool
	DeleteNamespace bool
	// SkipClusterManagement leaves the kind cluster running.
	SkipClusterManagement bool
	// Force deletes the kind cluster although other deployments or
	// node-local data live in it.
	Force   bool
	Timeout time.Duration
	// BreakLock takes the deployment's lock from another command.
	BreakLock bool
}

// StopResult is what a stop deleted.
type StopResult struct {
	Deleted *apply.Result
	// KindDeleted is true when the kind cluster was deleted too.
	KindDeleted bool
}

// Stop deletes the deployment's objects, then, on kind under cluster
// management, its kind cluster. The cluster is shared, so its guards (other
// deployments, node-local data) run before anything is deleted.
func (l *Lifecycle) Stop(ctx context.Context, req StopRequest) (*StopResult, error) {
	t := req.Target
	k, err := l.managedKindCluster(req)
	if err != nil {
		return nil, err
	}
	c, err := l.Connect(t.Context)
	if err != nil {
		return nil, err
	}
	allowOthers, allowLoss := req.Force, req.Force || req.DeleteVolumes
	if k != nil {
		r, err := k.risks(ctx, c)
		if err != nil {
			return nil, err
		}
		if err := r.refusal(k.name, allowOthers, allowLoss); err != nil {
			return nil, err
		}
	}
	d := t.Deployment
	release, err := c.Lock(ctx, apply.LockRequest{Namespace: d.Namespace(), DeploymentID: d.Record.DeploymentID, Verb: "stop", Break: req.BreakLock})
	if err != nil {
		return nil, err
	}
	defer release()
	deleted, err := c.Stop(ctx, apply.StopRequest{
		Namespace: d.Namespace(), DeploymentID: d.Record.DeploymentID,
		DeleteVolumes: req.DeleteVolumes, DeleteNamespace: req.DeleteNamespace, Timeout: req.Timeout,
	})
	res := &StopResult{Deleted: deleted}
	if err != nil && ctx.Err() != nil {
		return res, &StopInterruptedError{Dir: d.Dir, Err: err}
	}
	if err != nil {
		return res, fmt.Errorf("stopping %s: %w", d.Dir, err)
	}
	if !req.DeleteVolumes {
		l.Log.Infof("stopped; volumes and their data are kept (deploy again to use them)")
	}
	if k == nil {
		return res, nil
	}
	if ctx.Err() != nil {
		return res, &StopInterruptedError{Dir: d.Dir, Err: ctx.Err()}
	}
	if err := k.delete(ctx, c, allowOthers, allowLoss); err != nil {
		return res, err
	}
	res.KindDeleted = true
	return res, nil
}

// managedKindCluster is the kind cluster stop deletes, or nil: none off
// kind, under SkipClusterManagement, through a context naming another
// cluster, or when it is not running.
func (l *Lifecycle) managedKindCluster(req StopRequest) (*kindCluster, error) {
	t := req.Target
	if !t.IsKind() || req.SkipClusterManagement {
		return nil, nil
	}
	k, err := l.kindCluster(t)
	if err != nil {
		return nil, err
	}
	if !t.kindTargeted() {
		l.Log.Warnf("not deleting kind cluster %s: the context %s names another cluster", k.name, t.Context)
		return nil, nil
	}
	exists, err := k.p.Exists(k.name)
	if err != nil || exists {
		return k, err
	}
	l.Log.Warnf("kind cluster %s is not running; stopping the deployment's objects only", k.name)
	return nil, nil
}
