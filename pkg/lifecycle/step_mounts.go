package lifecycle

import "context"

// checkMounts refuses a running kind cluster that lacks a mount the
// deployment needs: a volume's data would fall through to the node's own
// disk. A cluster this deploy created has them by construction.
func checkMounts(ctx context.Context, r *deployRun) error {
	if r.kind == nil || !r.kindLive || r.res.KindCreated {
		return nil
	}
	return r.kind.checkMounts(ctx)
}
