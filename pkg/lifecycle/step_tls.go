package lifecycle

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-stack/kubectl-stack/pkg/apply"
	"github.com/kubectl-stack/kubectl-stack/pkg/localca"
	"github.com/kubectl-stack/kubectl-stack/pkg/render"
)

// issueTLS adds the Secret a kind deployment's routes are served with over
// HTTPS: a certificate for its hosts from the kind cluster's local CA,
// made once and reused while its hosts stay the same (so a redeploy
// changes nothing).
func issueTLS(ctx context.Context, r *deployRun) error {
	if r.req.ServerDryRun {
		return nil
	}
	secret, err := r.l.routesCertificate(r.req.Target)
	if secret != nil {
		r.extra = append(r.extra, secret)
	}
	return err
}

// routesCertificate is the TLS Secret of a kind target with routes (nil
// for other targets), creating the cluster's CA on first use.
func (l *Lifecycle) routesCertificate(t *Target) (*unstructured.Unstructured, error) {
	hosts := ingressHosts(t.Objects)
	if !t.IsKind() || len(hosts) == 0 {
		return nil, nil
	}
	d := t.Deployment
	ca, err := l.clusterCA(d.KindCluster())
	if err != nil {
		return nil, err
	}
	crt, key, err := ca.Leaf(d.Record.DeploymentID, hosts, time.Now())
	if err != nil {
		return nil, err
	}
	return apply.TLSSecret(render.IngressTLSSecretName(d.Record.DeploymentID), d.Namespace(), render.Labels(d), crt, key), nil
}

// CADir is where the local CA of a kind cluster lives: on the host,
// outside the cluster and outside kind-mount-root (which pods can mount),
// so that it survives the cluster and no stack can read its key.
func (l *Lifecycle) CADir(cluster string) string {
	return filepath.Join(l.DataDir, "kind", cluster, "ca")
}

// ingressHosts are the hosts of the objects' Ingress rules, in order.
func ingressHosts(objects []*unstructured.Unstructured) []string {
	var hosts []string
	for _, o := range objects {
		if o.GetKind() != "Ingress" {
			continue
		}
		rules, _, _ := unstructured.NestedSlice(o.Object, "spec", "rules")
		for _, rule := range rules {
			if h, _ := rule.(map[string]any)["host"].(string); h != "" && !slices.Contains(hosts, h) {
				hosts = append(hosts, h)
			}
		}
	}
	return hosts
}

// KindCA returns the path of the target's kind cluster's CA certificate,
// creating the CA if it does not exist yet.
func (l *Lifecycle) KindCA(t *Target) (string, error) {
	if !t.IsKind() {
		return "", &NotKindError{Dir: t.Dir(), DeployTo: t.Deployment.Spec.DeployTo}
	}
	ca, err := l.clusterCA(t.Deployment.KindCluster())
	if err != nil {
		return "", err
	}
	return ca.CertPath(), nil
}

// clusterCA loads the kind cluster's local CA, creating (and announcing)
// it on first use.
func (l *Lifecycle) clusterCA(cluster string) (*localca.CA, error) {
	ca, created, err := localca.Ensure(l.CADir(cluster), cluster, time.Now())
	if err == nil && created {
		l.Log.Infof("created the local CA of kind cluster %s: trust %s to open its routes over HTTPS", cluster, ca.CertPath())
	}
	return ca, err
}

// DefaultDataDir is $XDG_DATA_HOME/kubectl-stack, else
// ~/.local/share/kubectl-stack.
func DefaultDataDir() string {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "kubectl-stack")
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".local", "share", "kubectl-stack")
}
