package lifecycle

import (
	"context"

	"github.com/kubectl-stack/kubectl-stack/pkg/apply"
)

// lockDeployment checks what would refuse the deploy (Preflight), then
// claims the namespace and takes the deployment's lock, so
// that no other deploy, restart or stop of it interleaves with this one;
// Deploy gives it back when it ends. A dry run writes nothing and takes
// no lock.
func lockDeployment(ctx context.Context, r *deployRun) error {
	if r.req.ServerDryRun {
		return nil
	}
	c, err := r.connect()
	if err != nil {
		return err
	}
	t := r.req.Target
	req := t.request()
	// Refusals come before the namespace is claimed: a deploy refused for
	// someone else's objects must leave the namespace as it found it.
	if err := c.Preflight(ctx, r.applyRequest()); err != nil {
		return err
	}
	lock := apply.LockRequest{Namespace: req.Namespace, DeploymentID: req.DeploymentID, Verb: "deploy", Break: r.req.BreakLock,
		Dir: req.DeploymentDir, Claim: apply.NamespaceObject(t.Objects, req.Namespace)}
	r.release, err = c.Lock(ctx, lock)
	return err
}
