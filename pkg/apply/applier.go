package apply

import (
	"bytes"
	"errors"
	"fmt"
	"sync"

	"github.com/fluxcd/cli-utils/pkg/kstatus/polling"
	"github.com/fluxcd/pkg/ssa"
	ssautil "github.com/fluxcd/pkg/ssa/utils"
	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/discovery"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/util/flowcontrol"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/kubectl-stack/kubectl-stack/pkg/log"
)

// FieldManager is the server-side apply field manager of every write.
const FieldManager = "kubectl-stack"

// Applier writes deployments to one cluster.
type Applier struct {
	client  client.Client
	manager *ssa.ResourceManager
	// Log receives one line per change and the wait's progress.
	Log *log.Logger
	// probe asks the API server whether it is there; host is its URL.
	probe func() error
	host  string
	// held is the deployment lock this Applier holds, if any.
	held *heldLease
	// discovery lists the server's kinds (stop --delete-namespace's check).
	discovery discovery.DiscoveryInterface
	// pods reads container logs, for the reason a wait gives.
	core corev1client.PodsGetter
}

// quietControllerRuntime gives controller-runtime a logger that discards:
// without one it prints a stack trace on first use, and kubectl-stack
// reports progress and errors itself.
var quietControllerRuntime = sync.OnceFunc(func() { ctrllog.SetLogger(logr.Discard()) })

// New connects to the cluster of cfg.
func New(cfg *rest.Config) (*Applier, error) {
	quietControllerRuntime()
	cfg = rest.CopyConfig(cfg)
	// One limiter for every kind (controller-runtime would give each kind
	// its own), sized so that the workers, not the client, set the pace:
	// client-go's default of 5 requests/s made a 50-pod deploy take
	// minutes, and even 50/s throttled a 200-pod one for most of its time
	// while the server answered in milliseconds. The API server's priority
	// and fairness remains the real guard.
	if cfg.RateLimiter == nil && cfg.QPS == 0 {
		cfg.RateLimiter = flowcontrol.NewTokenBucketRateLimiter(500, 1000)
	}
	httpClient, err := rest.HTTPClientFor(cfg)
	if err != nil {
		return nil, err
	}
	dc, err := discovery.NewDiscoveryClientForConfigAndClient(cfg, httpClient)
	if err != nil {
		return nil, err
	}
	probe := serverProbe(cfg, dc)
	var notAPI *NotAPIServerError
	if err := probe(); errors.As(err, &notAPI) {
		return nil, err
	}
	mapper, err := apiutil.NewDynamicRESTMapper(cfg, httpClient)
	if err != nil {
		return nil, fmt.Errorf("reading the cluster's API resources: %w", err)
	}
	c, err := client.New(cfg, client.Options{HTTPClient: httpClient, Mapper: mapper})
	if err != nil {
		return nil, err
	}
	poller := polling.NewStatusPoller(c, mapper, polling.Options{})
	m := ssa.NewResourceManager(c, poller, ssa.Owner{Field: FieldManager, Group: "kubectl-stack.io"})
	m.SetConcurrency(workers)
	core, err := corev1client.NewForConfigAndClient(cfg, httpClient)
	if err != nil {
		return nil, err
	}
	return &Applier{client: c, manager: m, Log: log.Discard(), probe: probe, host: cfg.Host, discovery: dc, core: core}, nil
}

func (a *Applier) progressf(format string, args ...any) { a.Log.Infof(format, args...) }

// ReadObjects parses a multi-document YAML stream into objects.
func ReadObjects(data []byte) ([]*unstructured.Unstructured, error) {
	return ssautil.ReadObjects(bytes.NewReader(data))
}
