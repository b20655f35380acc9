package lifecycle

import (
	"context"
	"fmt"
	"path/filepath"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-stack/kubectl-stack/pkg/apply"
	"github.com/kubectl-stack/kubectl-stack/pkg/deployment"
	"github.com/kubectl-stack/kubectl-stack/pkg/render"
	"github.com/kubectl-stack/kubectl-stack/pkg/spec"
)

// Target is a loaded deployment, the kubeconfig context it is deployed
// through and, once prepared, the objects it applies.
type Target struct {
	Deployment *deployment.Deployment
	// Context is the kubeconfig context: the one asked for, else
	// kind-<cluster> for k8s-kind, else "" (the current context).
	Context string
	// Objects are the rendered objects and the registry pull secret.
	Objects []*unstructured.Unstructured
}

// ContextFor is the context a deployment is reached through: the one asked
// for, else kind-<cluster> for a k8s-kind deployment, else "" (current).
func ContextFor(d *deployment.Deployment, asked string) string {
	if asked == "" && d.Spec.DeployTo == spec.DeployToKind {
		return d.KindContext()
	}
	return asked
}

// IsKind reports whether the deployment runs on kind.
func (t *Target) IsKind() bool { return t.Deployment.Spec.DeployTo == spec.DeployToKind }

// kindTargeted reports whether commands reach the deployment's kind
// cluster: k8s-kind through the context kind-<cluster>. With a context
// naming another cluster, the kind cluster is neither created, loaded
// nor deleted.
func (t *Target) kindTargeted() bool {
	return t.IsKind() && t.Context == t.Deployment.KindContext()
}

// Dir is the deployment directory.
func (t *Target) Dir() string { return t.Deployment.Dir }

// absDir is the deployment directory as namespaces record their owner.
func (t *Target) absDir() string {
	dir, _ := filepath.Abs(t.Deployment.Dir)
	return dir
}

// request is the apply request for the target's objects.
func (t *Target) request() apply.Request {
	d := t.Deployment
	return apply.Request{
		Namespace: d.Namespace(), DeploymentDir: t.absDir(), DeploymentID: d.Record.DeploymentID,
		Labels: render.Labels(d), Objects: t.Objects,
	}
}

// LoadRequest names a deployment directory and the context asked for.
type LoadRequest struct {
	Dir     string
	Context string
}

// Load loads a deployment without rendering it.
func Load(ctx context.Context, req LoadRequest) (*Target, error) {
	d, err := deployment.Load(ctx, req.Dir)
	if err != nil {
		return nil, fmt.Errorf("loading deployment %s: %w", req.Dir, err)
	}
	return &Target{Deployment: d, Context: ContextFor(d, req.Context)}, nil
}

// PrepareRequest is a deployment to load and render for applying.
type PrepareRequest struct {
	LoadRequest
	// Images replace containers' images (container → image).
	Images map[string]string
	// Getenv reads the registry token variable; nil leaves the pull
	// secret out (loading images into kind needs no token).
	Getenv func(string) string
}

// Prepare loads and renders a deployment and adds its pull secret, so that
// every input error surfaces before anything is written. Render warnings
// go to the log.
func (l *Lifecycle) Prepare(ctx context.Context, req PrepareRequest) (*Target, error) {
	t, err := Load(ctx, req.LoadRequest)
	if err != nil {
		return nil, err
	}
	d := t.Deployment
	res, err := render.Render(d, render.Options{ImageOverrides: req.Images})
	if err != nil {
		return nil, fmt.Errorf("rendering %s: %w", d.Dir, err)
	}
	for _, w := range res.Warnings {
		l.Log.Warnf("%s", w)
	}
	t.Objects = res.Objects()
	apply.MarkOwner(t.Objects, d.Namespace(), t.absDir())
	if cred := d.Spec.Credentials(); cred != nil && req.Getenv != nil {
		secret, err := apply.PullSecret(render.PullSecretName(d.Record.DeploymentID), d.Namespace(), render.Labels(d), cred, req.Getenv)
		if err != nil {
			return nil, err
		}
		t.Objects = append(t.Objects, secret)
	}
	return t, nil
}

// Images are the images the target's workloads run.
func (t *Target) Images() []string { return apply.Images(t.Objects) }

// DeployTimeSecrets names the Secrets the rendered objects reference but
// deploy makes (the tree holds no secret value): the registry pull secret,
// the generated config values, on kind the routes' certificate, and the
// compose secrets' (file: or environment:).
func DeployTimeSecrets(d *deployment.Deployment) []string {
	var names []string
	if d.Spec.Credentials() != nil {
		names = append(names, render.PullSecretName(d.Record.DeploymentID))
	}
	if len(deployment.GeneratedKeys(d.Spec.Config)) > 0 {
		names = append(names, d.GeneratedSecretName())
	}
	if d.Spec.DeployTo == spec.DeployToKind && len(d.Spec.Network.HTTPProxy) > 0 {
		names = append(names, render.IngressTLSSecretName(d.Record.DeploymentID))
	}
	return append(names, render.ComposeSecretNames(d)...)
}
