package lifecycle

import (
	"context"

	"github.com/kubectl-stack/kubectl-stack/pkg/kindcluster"
)

// ensureRuntimeClasses creates the high-memlock RuntimeClass on kind for a
// spec that asks for unlimited memlock and names no runtime class of its
// own; its containerd handler comes from the kind config.
func ensureRuntimeClasses(ctx context.Context, r *deployRun) error {
	s := r.req.Target.Deployment.Spec
	if !r.req.Target.IsKind() || r.req.ServerDryRun || !bool(s.Security.UnlimitedMemlock) || s.Security.RuntimeClass != "" {
		return nil
	}
	c, err := r.connect()
	if err != nil {
		return err
	}
	return c.EnsureRuntimeClass(ctx, kindcluster.MemlockRuntime, kindcluster.MemlockRuntime)
}
