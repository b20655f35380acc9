package lifecycle

import (
	"context"

	"github.com/kubectl-stack/kubectl-stack/pkg/apply"
)

// waitReady waits until every applied object is ready, if asked.
func waitReady(ctx context.Context, r *deployRun) error {
	if r.applied == nil || !r.req.Wait {
		return nil
	}
	return r.cluster.Wait(ctx, r.applied, r.req.Target.Deployment.Namespace(), apply.WaitOptions{Timeout: r.req.Timeout, MinReady: r.req.MinReady})
}
