package render

import (
	"github.com/kubectl-stack/kubectl-stack/pkg/k8sname"

	"crypto/sha256"
	"fmt"
	"slices"
	"strings"

	"github.com/kubectl-stack/kubectl-stack/pkg/labels"
	"github.com/kubectl-stack/kubectl-stack/pkg/spec"
)

// Label keys on every object. app and app.kubernetes.io/stack are
// laconic-so's, so that its deployments can be taken over.
const (
	LabelApp          = labels.App
	LabelStack        = labels.Stack
	LabelComponent    = "app.kubernetes.io/component"
	LabelManagedBy    = labels.ManagedBy
	LabelDeploymentID = labels.DeploymentID
	ManagedBy         = labels.ManagedByValue
	// AnnotationComposeName holds the compose name (as written) of an
	// object whose Kubernetes name had to differ (db_data → db-data).
	AnnotationComposeName = "kubectl-stack.io/compose-name"
	// MaintenanceAnnotation on the Ingress names the Service and port of
	// the spec's maintenance-service, which restart points every route at
	// while the other workloads roll.
	MaintenanceAnnotation = "kubectl-stack.io/maintenance-backend"
)

// names computes laconic-so's object names for one deployment.
type names struct {
	id    string
	multi bool // more than one pod file: names carry the pod name
}

func (n names) deployment(pod string) string {
	if n.multi {
		return n.id + "-" + pod + "-deployment"
	}
	return n.id + "-deployment"
}

func (n names) prefixed(name string) string { return n.id + "-" + name }

// job is a Job's name, fitted to a label (by the hash rule): the Job
// controller labels its pods with it (job-name), and a longer one is
// refused by the API server.
func (n names) job(job string) string { return k8sname.Fit(n.id+"-job-"+job, k8sname.MaxLabel) }
func (n names) pullSecret() string    { return n.id + "-registry" }
func (n names) nodePort(port int32, proto string) string {
	return fmt.Sprintf("%s-nodeport-%d-%s", n.id, port, strings.ToLower(proto))
}

// composeName is the annotation recording a compose name that differs
// from the Kubernetes name, or nil.
func composeName(written, k8s string) map[string]string {
	if written == k8s {
		return nil
	}
	return map[string]string{AnnotationComposeName: written}
}

// laconicHostPathName is laconic-so's volume name for a host-path bind:
// "../config/test/script.sh" → "host-path-config-test-script-sh".
func laconicHostPathName(source string) string {
	trimmed := strings.TrimLeft(source, "./~")
	name := spec.SanitizeName(strings.NewReplacer("/", "-", ".", "-").Replace(trimmed))
	if name == "" {
		name = "dot" // a bind of "." (the compose file's directory); laconic-so gave "host-path-", invalid
	}
	return "host-path-" + name
}

// hostPathNames gives every distinct bind source its volume name: laconic-so's
// name where it is unique and short enough, otherwise (laconic-so lets
// "./a.b" and "./a/b" collide, and lets names pass 63 characters) a shortened
// name with a hash of the source appended.
func hostPathNames(sources []string, id string) map[string]string {
	owners := map[string][]string{}
	for _, src := range sources {
		name := laconicHostPathName(src)
		if !slices.Contains(owners[name], src) {
			owners[name] = append(owners[name], src)
		}
	}
	out := map[string]string{}
	for name, srcs := range owners {
		for _, src := range srcs {
			if len(srcs) == 1 && len(id)+1+len(name) <= 63 {
				out[src] = name
				continue
			}
			sum := fmt.Sprintf("%x", sha256.Sum256([]byte(src)))[:8]
			limit := 63 - len(id) - 1 - len(sum) - 1
			short := name
			if len(short) > limit {
				short = strings.TrimRight(short[:limit], "-")
			}
			out[src] = short + "-" + sum
		}
	}
	return out
}

// PullSecretName is the registry pull secret of a deployment (the seed's
// {deployment}-registry); deploy creates it from token-env/token-file.
func PullSecretName(id string) string { return names{id: id}.pullSecret() }

// IngressTLSSecretName is the Secret holding the certificate a kind
// deployment's routes are served with over HTTPS; deploy makes it from the
// cluster's local CA (the tree references it, holds no key).
func IngressTLSSecretName(id string) string { return names{id: id}.prefixed("ingress-tls") }
