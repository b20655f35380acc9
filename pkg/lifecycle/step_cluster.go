package lifecycle

import "context"

// ensureCluster, on kind, creates the cluster or checks that it runs. It
// only checks (never creates) on a dry run, under SkipClusterManagement,
// for a SecretsOnly deploy, or through a context naming another cluster
// (where a missing cluster is allowed with a warning).
func ensureCluster(ctx context.Context, r *deployRun) error {
	t := r.req.Target
	if !t.IsKind() {
		return nil
	}
	k, err := r.l.kindCluster(t)
	if err != nil {
		return err
	}
	r.kind = k
	if r.req.ServerDryRun || r.req.SkipClusterManagement || r.req.SecretsOnly || !t.kindTargeted() {
		r.kindLive, err = k.require()
	} else {
		r.res.KindCreated, err = k.ensure(ctx, r.req.KindNodeImage)
		r.kindLive = err == nil
	}
	r.kindWritable = r.kindLive && t.kindTargeted() && !r.req.ServerDryRun
	return err
}
