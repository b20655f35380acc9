package lifecycle

import "context"

// pruneObjects deletes what the previous deploy applied and this one no
// longer has, volumes excepted.
func pruneObjects(ctx context.Context, r *deployRun) error {
	if r.applied == nil {
		return nil
	}
	return r.cluster.Prune(ctx, r.applied)
}
