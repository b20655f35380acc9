package lifecycle

import (
	"context"
	"io"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-stack/kubectl-stack/pkg/apply"
	"github.com/kubectl-stack/kubectl-stack/pkg/engine"
	"github.com/kubectl-stack/kubectl-stack/pkg/gitrepo"
	"github.com/kubectl-stack/kubectl-stack/pkg/kindcluster"
)

// Cluster is the Kubernetes API of the cluster a deployment lives in;
// *apply.Applier is the real one.
type Cluster interface {
	// Preflight refuses a deploy before it writes anything (see
	// apply.Preflight).
	Preflight(ctx context.Context, req apply.Request) error
	// Lock takes the deployment's lock until release is called.
	Lock(ctx context.Context, req apply.LockRequest) (release func(), err error)
	Apply(ctx context.Context, req apply.Request) (*apply.Applied, error)
	Prune(ctx context.Context, ap *apply.Applied) error
	Wait(ctx context.Context, ap *apply.Applied, namespace string, o apply.WaitOptions) error
	Diff(ctx context.Context, req apply.Request) ([]apply.Change, error)
	Stop(ctx context.Context, req apply.StopRequest) (*apply.Result, error)
	Status(ctx context.Context, namespace, id string) (*apply.Status, error)
	Published(ctx context.Context, namespace, id string) (*apply.Published, error)
	// SecretData reads a Secret's data.
	SecretData(ctx context.Context, namespace, name string) (data map[string][]byte, exists bool, err error)
	// PodIPs are the running pods' IPs matching selector in namespace.
	PodIPs(ctx context.Context, namespace string, selector map[string]string) (ips []string, namespaceExists bool, err error)
	EnsureRuntimeClass(ctx context.Context, name, handler string) error
	// ApplyShared applies objects that belong to the cluster, not to a
	// deployment (the ingress controller), and waits for them.
	ApplyShared(ctx context.Context, objects []*unstructured.Unstructured, namespace string, timeout time.Duration) error
	DeploymentReady(ctx context.Context, namespace, name string) (exists, ready bool, err error)
	// Deployments are the namespaces owned by deployment directories;
	// OtherDeployments those not owned by dir.
	Deployments(ctx context.Context) ([]apply.OwnedNamespace, error)
	OtherDeployments(ctx context.Context, dir string) ([]string, error)
	Volumes(ctx context.Context) ([]apply.Volume, error)
	// List finds every deployment on the cluster.
	List(ctx context.Context) ([]apply.DeploymentSummary, error)
}

// KindProvider manages kind clusters; *kindcluster.Provider is the real
// one.
type KindProvider interface {
	List() ([]string, error)
	Exists(name string) (bool, error)
	Create(name string, cfg *kindcluster.ClusterConfig, o kindcluster.CreateOptions) error
	Delete(name, kubeconfig string) error
	ControlPlane(cluster string) (string, error)
	LiveMounts(ctx context.Context, node string) (map[string]string, error)
	LoadImages(ctx context.Context, cluster string, images []string) (*kindcluster.LoadResult, error)
}

// Engine is the local container engine that builds and pushes the stack's
// images; *engine.Engine is the real one.
type Engine interface {
	Has(ctx context.Context, image string) (bool, error)
	Build(ctx context.Context, req engine.Request, progress io.Writer) error
	Push(ctx context.Context, image string, auth *engine.Auth, progress io.Writer) error
	InRegistry(ctx context.Context, image string, auth *engine.Auth) (bool, error)
	MakeImage(ctx context.Context, im engine.ExecutableImage) error
	Close() error
}

// Git updates the stack's checkout on restart; gitrepo.CLI is the real one.
type Git interface {
	Describe(ctx context.Context, dir string) (gitrepo.Info, bool)
	Uncommitted(ctx context.Context, dir string) ([]string, error)
	Pull(ctx context.Context, dir string) (before, after string, err error)
}
