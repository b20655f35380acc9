package lifecycle

import (
	"context"
	"path/filepath"

	"github.com/kubectl-stack/kubectl-stack/pkg/hooks"
)

// RunHook runs the deployment's hook for event, if it has one, with the
// documented environment: KUBECTL_STACK_EVENT, _DEPLOYMENT_DIR,
// _DEPLOYMENT_ID, _NAMESPACE, _KIND_CLUSTER (k8s-kind), _CONTEXT (the
// kubeconfig context, "" for the current one), and KUBECONFIG when one
// was named.
func (l *Lifecycle) RunHook(ctx context.Context, t *Target, event string) error {
	d := t.Deployment
	dir, _ := filepath.Abs(d.Dir)
	env := map[string]string{
		"KUBECTL_STACK_EVENT":          event,
		"KUBECTL_STACK_DEPLOYMENT_DIR": dir,
		"KUBECTL_STACK_DEPLOYMENT_ID":  d.Record.DeploymentID,
		"KUBECTL_STACK_NAMESPACE":      d.Namespace(),
		"KUBECTL_STACK_CONTEXT":        t.Context,
	}
	if t.IsKind() {
		env["KUBECTL_STACK_KIND_CLUSTER"] = d.KindCluster()
	}
	if l.Kubeconfig != "" {
		env["KUBECONFIG"], _ = filepath.Abs(l.Kubeconfig)
	}
	_, err := hooks.Run(ctx, hooks.Request{Event: event, Dir: dir, Env: env, Log: l.Log,
		Allowed: d.Spec.Hooks, AllowAll: l.AllowHooks})
	return err
}

// startHook runs the deployment's start hook once everything is applied
// (and ready, with Wait).
func startHook(ctx context.Context, r *deployRun) error {
	if r.req.ServerDryRun {
		return nil
	}
	return r.l.RunHook(ctx, r.req.Target, hooks.Start)
}
