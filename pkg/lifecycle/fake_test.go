package lifecycle

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
	"github.com/kubectl-stack/kubectl-stack/pkg/apply"
	"github.com/kubectl-stack/kubectl-stack/pkg/deployment"
	"github.com/kubectl-stack/kubectl-stack/pkg/engine"
	"github.com/kubectl-stack/kubectl-stack/pkg/gitrepo"
	"github.com/kubectl-stack/kubectl-stack/pkg/kindcluster"
	"github.com/kubectl-stack/kubectl-stack/pkg/log"
	"github.com/kubectl-stack/kubectl-stack/pkg/spec"
)

// calls records what the fakes were asked to do, in order, as
// "component.Method arg".
type calls struct {
	mu   sync.Mutex
	list []string
}

func (c *calls) add(s string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.list = append(c.list, s)
}

func (c *calls) has(prefix string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.ContainsFunc(c.list, func(s string) bool { return strings.HasPrefix(s, prefix) })
}

// writes are the calls that change something.
var writes = []string{"kind.Create", "kind.Delete", "kind.LoadImages", "engine.Build", "engine.MakeImage", "engine.Push", "cluster.Apply", "cluster.Prune", "cluster.Stop", "cluster.EnsureRuntimeClass"}

// (cluster.ApplyShared is matched by the "cluster.Apply" prefix.)

func (c *calls) wrote() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, s := range c.list {
		if slices.ContainsFunc(writes, func(w string) bool { return strings.HasPrefix(s, w) }) {
			out = append(out, s)
		}
	}
	return out
}

type fakeCluster struct {
	*calls
	others    []string
	volumes   []apply.Volume
	owned     []apply.OwnedNamespace
	inContext string
	waitErr   error
	// stopHangs makes Stop wait for its context, as a slow deletion does.
	stopHangs bool
	// ingress says whether the ingress controller exists and is ready.
	ingressExists, ingressReady bool
	// sharedImage is the image of the last ApplyShared Deployment.
	sharedImage string
	// applied and diffed are the objects of the last Apply and Diff.
	applied, diffed []*unstructured.Unstructured
	// lockedBy holds the deployment's lock for another command.
	lockedBy string
	// secret is the live Secret of generated values (nil: none).
	secret map[string][]byte
	// history holds the objects of every Apply, in order.
	history [][]*unstructured.Unstructured
}

func (f *fakeCluster) Apply(_ context.Context, req apply.Request) (*apply.Applied, error) {
	f.add("cluster.Apply " + f.inContext)
	f.applied = req.Objects
	f.history = append(f.history, req.Objects)
	return &apply.Applied{Result: &apply.Result{}}, nil
}

func (f *fakeCluster) List(context.Context) ([]apply.DeploymentSummary, error) { return nil, nil }

// Lock is recorded as a call, not a write: it changes none of the
// deployment's objects.
func (f *fakeCluster) Preflight(context.Context, apply.Request) error { return nil }

func (f *fakeCluster) Lock(_ context.Context, req apply.LockRequest) (func(), error) {
	f.add("cluster.Lock " + req.Verb)
	if f.lockedBy != "" && !req.Break {
		return nil, &apply.LockedError{Holder: f.lockedBy}
	}
	return func() { f.add("cluster.Unlock " + req.Verb) }, nil
}
func (f *fakeCluster) Prune(context.Context, *apply.Applied) error {
	f.add("cluster.Prune")
	return nil
}
func (f *fakeCluster) Wait(context.Context, *apply.Applied, string, apply.WaitOptions) error {
	f.add("cluster.Wait")
	return f.waitErr
}
func (f *fakeCluster) Diff(_ context.Context, req apply.Request) ([]apply.Change, error) {
	f.add("cluster.Diff")
	f.diffed = req.Objects
	return []apply.Change{{Subject: "Deployment/ns/web", Action: "configured"}}, nil
}
func (f *fakeCluster) Stop(ctx context.Context, _ apply.StopRequest) (*apply.Result, error) {
	f.add("cluster.Stop")
	if f.stopHangs {
		<-ctx.Done()
		return &apply.Result{}, ctx.Err()
	}
	return &apply.Result{}, nil
}
func (f *fakeCluster) Status(context.Context, string, string) (*apply.Status, error) {
	f.add("cluster.Status")
	return &apply.Status{}, nil
}
func (f *fakeCluster) Published(context.Context, string, string) (*apply.Published, error) {
	return &apply.Published{NodeAddress: "172.18.0.2", NodePorts: []apply.NodePort{{Service: "web.frontend", Port: 80, Protocol: "TCP", NodePort: 30080}}}, nil
}
func (f *fakeCluster) SecretData(_ context.Context, _, _ string) (map[string][]byte, bool, error) {
	return f.secret, f.secret != nil, nil
}
func (f *fakeCluster) PodIPs(_ context.Context, namespace string, _ map[string]string) ([]string, bool, error) {
	if namespace == "missing" {
		return nil, false, nil
	}
	return []string{"10.244.0.7"}, true, nil
}
func (f *fakeCluster) EnsureRuntimeClass(context.Context, string, string) error {
	f.add("cluster.EnsureRuntimeClass")
	return nil
}
func (f *fakeCluster) ApplyShared(_ context.Context, objects []*unstructured.Unstructured, namespace string, _ time.Duration) error {
	f.add("cluster.ApplyShared " + namespace)
	for _, o := range objects {
		if o.GetKind() == "Deployment" {
			containers, _, _ := unstructured.NestedSlice(o.Object, "spec", "template", "spec", "containers")
			f.sharedImage, _ = containers[0].(map[string]any)["image"].(string)
		}
	}
	return nil
}
func (f *fakeCluster) DeploymentReady(context.Context, string, string) (bool, bool, error) {
	return f.ingressExists, f.ingressReady, nil
}
func (f *fakeCluster) Deployments(context.Context) ([]apply.OwnedNamespace, error) {
	return f.owned, nil
}
func (f *fakeCluster) OtherDeployments(context.Context, string) ([]string, error) {
	return f.others, nil
}
func (f *fakeCluster) Volumes(context.Context) ([]apply.Volume, error) { return f.volumes, nil }

type fakeKind struct {
	*calls
	running []string
	// live are the control-plane node's bind mounts; nil means they
	// cannot be read.
	live map[string]string
	// creating, when set, receives a value when Create starts and makes
	// Create wait until it is closed.
	creating chan struct{}
}

func (f *fakeKind) List() ([]string, error) { return f.running, nil }
func (f *fakeKind) Exists(name string) (bool, error) {
	return slices.Contains(f.running, name), nil
}
func (f *fakeKind) Create(name string, _ *kindcluster.ClusterConfig, _ kindcluster.CreateOptions) error {
	f.add("kind.Create " + name)
	if f.creating != nil {
		f.creating <- struct{}{}
		<-f.creating
	}
	f.running = append(f.running, name)
	return nil
}
func (f *fakeKind) Delete(name, _ string) error { f.add("kind.Delete " + name); return nil }
func (f *fakeKind) ControlPlane(cluster string) (string, error) {
	return cluster + "-control-plane", nil
}
func (f *fakeKind) LiveMounts(context.Context, string) (map[string]string, error) {
	if f.live == nil {
		return nil, errors.New("cannot reach the Docker engine")
	}
	return f.live, nil
}
func (f *fakeKind) LoadImages(_ context.Context, _ string, images []string) (*kindcluster.LoadResult, error) {
	f.add("kind.LoadImages " + strings.Join(images, ","))
	return &kindcluster.LoadResult{Loaded: images}, nil
}

type fakeEngine struct {
	*calls
	local      map[string]bool
	inRegistry map[string]bool
}

func (f *fakeEngine) Has(_ context.Context, image string) (bool, error) { return f.local[image], nil }
func (f *fakeEngine) Build(_ context.Context, req engine.Request, _ io.Writer) error {
	f.add("engine.Build " + req.Image)
	return nil
}
func (f *fakeEngine) Push(_ context.Context, image string, _ *engine.Auth, _ io.Writer) error {
	f.add("engine.Push " + image)
	return nil
}
func (f *fakeEngine) InRegistry(_ context.Context, image string, _ *engine.Auth) (bool, error) {
	return f.inRegistry[image], nil
}
func (f *fakeEngine) MakeImage(_ context.Context, im engine.ExecutableImage) error {
	f.add("engine.MakeImage " + im.Name + " from " + im.Executable)
	return nil
}
func (f *fakeEngine) Close() error { return nil }

type fakeGit struct {
	*calls
	checkout bool
}

func (f *fakeGit) Describe(_ context.Context, dir string) (gitrepo.Info, bool) {
	return gitrepo.Info{Root: dir}, f.checkout
}
func (f *fakeGit) Uncommitted(context.Context, string) ([]string, error) { return nil, nil }
func (f *fakeGit) Pull(context.Context, string) (string, string, error) {
	f.add("git.Pull")
	return "aaaa", "bbbb", nil
}

// world is a lifecycle wired to fakes, with its log.
type world struct {
	*calls
	l       *Lifecycle
	log     *testutil.SyncBuffer
	cluster *fakeCluster
	kind    *fakeKind
	engine  *fakeEngine
}

func newWorld(t *testing.T) *world {
	c := &calls{}
	w := &world{
		calls: c, log: &testutil.SyncBuffer{},
		cluster: &fakeCluster{calls: c},
		kind:    &fakeKind{calls: c},
		engine:  &fakeEngine{calls: c, local: map[string]bool{}, inRegistry: map[string]bool{}},
	}
	w.l = &Lifecycle{
		Log:      log.New(w.log, 0),
		Progress: io.Discard,
		Connect: func(kubeContext string) (Cluster, error) {
			c.add("connect " + kubeContext)
			w.cluster.inContext = kubeContext
			return w.cluster, nil
		},
		Kind:    func() (KindProvider, error) { c.add("kind.open"); return w.kind, nil },
		Engine:  func(context.Context) (Engine, error) { return w.engine, nil },
		Git:     &fakeGit{calls: c, checkout: true},
		DataDir: t.TempDir(),
	}
	return w
}

const (
	clusterName = "stack-cluster"
	builtImage  = "demo-web:ctx-0123456789ab"
)

// kindConfig needs the umbrella mount /mnt from mountRoot.
const kindConfig = `kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
nodes:
- role: control-plane
  extraMounts:
  - hostPath: %s
    containerPath: /mnt
`

// newTarget is a prepared deployment on deployTo whose web container runs
// an image the stack builds.
func newTarget(t *testing.T, deployTo string) *Target {
	t.Helper()
	dir := t.TempDir()
	root := filepath.Join(dir, "mount-root")
	if err := os.WriteFile(filepath.Join(dir, deployment.KindConfigFile), []byte(strings.Replace(kindConfig, "%s", root, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	d := &deployment.Deployment{
		Dir:    dir,
		Record: &deployment.Record{ClusterID: clusterName, DeploymentID: "demo-0001"},
		Spec:   &spec.Spec{DeployTo: deployTo, Namespace: "demo"},
		Builds: []deployment.Build{{Pod: "demo", Service: "web", Context: dir, Image: builtImage}},
	}
	web := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apps/v1", "kind": "Deployment",
		"metadata": map[string]any{"name": "demo-0001-demo", "namespace": "demo"},
		"spec": map[string]any{"template": map[string]any{"spec": map[string]any{
			"containers": []any{map[string]any{"name": "web", "image": builtImage}},
		}}},
	}}
	return &Target{Deployment: d, Context: ContextFor(d, ""), Objects: []*unstructured.Unstructured{web}}
}

// mountRoot is the host path newTarget's kind config binds to /mnt.
func mountRoot(t *Target) string { return filepath.Join(t.Dir(), "mount-root") }

func (w *world) logString() string { return w.log.String() }
