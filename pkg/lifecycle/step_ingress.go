package lifecycle

import (
	"context"
	"fmt"
	"time"

	"github.com/kubectl-stack/kubectl-stack/pkg/ingress"
)

// ingressWait is how long deploy waits for the ingress controller.
const ingressWait = 3 * time.Minute

// installsIngress reports whether this deploy installs (or updates) the
// ingress controller: on kind, under cluster management, through the kind
// context, for a deployment with routes. It picks the image on first use.
func (r *deployRun) installsIngress() bool {
	t := r.req.Target
	if !t.IsKind() || !r.kindWritable || r.req.SkipClusterManagement || !ingress.Routes(t.Objects) {
		return false
	}
	if r.ingressImage == "" {
		var warning string
		r.ingressImage, warning = ingress.Image(t.Deployment.Spec)
		if warning != "" {
			r.l.Log.Warnf("%s", warning)
		}
	}
	return true
}

// ensureIngressController makes the kind cluster serve the deployment's
// http-proxy routes: under cluster management it applies the embedded
// controller (idempotent; a changed image rolls it) and waits for it;
// otherwise it only checks that one is ready and says what installs it.
func ensureIngressController(ctx context.Context, r *deployRun) error {
	t := r.req.Target
	if !t.IsKind() || r.req.ServerDryRun || !ingress.Routes(t.Objects) {
		return nil
	}
	if email := t.Deployment.Spec.Network.ACMEEmail; email != "" {
		r.l.Log.Warnf("network.acme-email %s is not used on kind: kind clusters are not reachable for ACME challenges; the routes are served over HTTP (and HTTPS with the controller's own certificate)", email)
	}
	c, err := r.connect()
	if err != nil {
		return err
	}
	if !r.installsIngress() {
		return checkIngressController(ctx, r, c, t.Dir())
	}
	objects, err := ingress.Objects(r.ingressImage)
	if err != nil {
		return err
	}
	r.l.Log.Infof("ensuring the ingress controller (%s) in namespace %s", r.ingressImage, ingress.Namespace)
	if err := c.ApplyShared(ctx, objects, ingress.Namespace, ingressWait); err != nil {
		return fmt.Errorf("installing the ingress controller (%s): %w", r.ingressImage, err)
	}
	return nil
}

func checkIngressController(ctx context.Context, r *deployRun, c Cluster, dir string) error {
	exists, ready, err := c.DeploymentReady(ctx, ingress.Namespace, ingress.Deployment)
	switch {
	case err != nil:
		return err
	case !exists:
		r.l.Log.Warnf("no ingress controller in the cluster (Deployment %s/%s), so the http-proxy routes of %s are not served; a deploy of it under cluster management through its kind context installs one", ingress.Namespace, ingress.Deployment, dir)
	case !ready:
		r.l.Log.Warnf("the ingress controller (Deployment %s/%s) is not ready, so the http-proxy routes of %s are not served yet", ingress.Namespace, ingress.Deployment, dir)
	}
	return nil
}
