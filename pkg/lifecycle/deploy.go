package lifecycle

import (
	"context"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-stack/kubectl-stack/pkg/apply"
	"github.com/kubectl-stack/kubectl-stack/pkg/kindcluster"
)

// DefaultMinReady is how long deploy's wait wants each pod Ready, without
// a restart, unless the request says otherwise.
const DefaultMinReady = apply.DefaultMinReady

// DeployRequest is one deploy of a prepared target.
type DeployRequest struct {
	Target *Target
	// ServerDryRun asks the API server what each apply would do and
	// writes nothing (no cluster is created, no image built or loaded).
	ServerDryRun bool
	Wait         bool
	Timeout      time.Duration
	// MinReady is how long each Deployment's pods must stay Ready without
	// a restart before the wait counts them (apply.WaitOptions.MinReady).
	MinReady time.Duration
	// SkipClusterManagement leaves the kind cluster's lifecycle alone: it
	// must be running; its mounts are still checked and images loaded.
	SkipClusterManagement bool
	// KindNodeImage is the node image of a kind cluster deploy creates.
	KindNodeImage string
	// Getenv reads the registry token, to look built images up in their
	// registry (deploy-to: k8s).
	Getenv func(string) string
	// SecretsOnly applies only the namespace (claiming it for the
	// deployment directory) and the Secrets made at deploy time (registry
	// pull secret, generated config values, the routes' certificate on
	// kind): what a GitOps pipeline applying the rendered tree cannot
	// produce. Nothing is pruned or waited for; a kind cluster must run.
	SecretsOnly bool
	// Adopt takes over existing objects under the deployment's names that
	// are someone else's, instead of refusing to deploy.
	Adopt bool
	// BreakLock takes the deployment's lock from another command.
	BreakLock bool
	// RollAll rolls every Deployment even when nothing changed (restart
	// --force), as kubectl rollout restart does.
	RollAll bool
}

// DeployResult is what a deploy did.
type DeployResult struct {
	// Applied says what was created, configured and pruned; nil on a dry
	// run.
	Applied *apply.Result
	// DryRun is what a server dry run would change.
	DryRun []apply.Change
	// KindCreated is true when the deploy created the kind cluster.
	KindCreated bool
	// Loaded says which images went into the kind nodes.
	Loaded *kindcluster.LoadResult
}

// deployRun is the state one deploy's steps share.
type deployRun struct {
	l   *Lifecycle
	req DeployRequest
	res *DeployResult
	// kind is the target's kind cluster (nil off kind); kindLive is true
	// once it is known to run, kindWritable when this deploy may build
	// and load images into it (a real deploy through its own context).
	kind         *kindCluster
	kindLive     bool
	kindWritable bool
	cluster      Cluster
	applied      *apply.Applied
	// ingressImage is the ingress controller image this deploy installs
	// on kind ("" when it installs none).
	ingressImage string
	// extra are objects made at deploy time (the routes' certificate),
	// applied with the rendered ones.
	extra []*unstructured.Unstructured
	// release gives the deployment's lock back (nil while not held).
	release func()
}

// step is one stage of a deploy. A step decides for itself whether it
// applies (kind or not, dry run or not) and returns nil when it does not.
type step struct {
	name string
	// writes is false for the steps before anything is applied: their
	// errors are refusals.
	writes bool
	// secrets is true for the steps a SecretsOnly deploy runs.
	secrets bool
	run     func(context.Context, *deployRun) error
}

// deploySteps are the stages of a deploy, in order: adding a stage is a
// file and a line here.
var deploySteps = []step{
	{name: "cluster", secrets: true, run: ensureCluster},
	{name: "mounts", run: checkMounts},
	{name: "images", run: buildImages},
	{name: "copy-up-image", run: copyUpImageStep},
	{name: "load", run: loadImages},
	{name: "tls", secrets: true, run: issueTLS},
	{name: "external-endpoints", run: externalEndpointsStep},
	{name: "generated-secrets", secrets: true, run: generatedSecretsStep},
	{name: "compose-secrets", secrets: true, run: composeSecretsStep},
	{name: "lock", secrets: true, run: lockDeployment},
	{name: "runtime-classes", writes: true, run: ensureRuntimeClasses},
	{name: "ingress-controller", writes: true, run: ensureIngressController},
	{name: "apply", writes: true, secrets: true, run: applyObjects},
	{name: "prune", writes: true, run: pruneObjects},
	{name: "wait", writes: true, run: waitReady},
	{name: "start-hook", writes: true, run: startHook},
}

// Deploy runs the deploy steps. Errors of the steps before the apply are
// refusals: the deployment's objects are untouched.
func (l *Lifecycle) Deploy(ctx context.Context, req DeployRequest) (*DeployResult, error) {
	r := &deployRun{l: l, req: req, res: &DeployResult{}}
	defer func() {
		if r.release != nil {
			r.release()
		}
	}()
	dir := req.Target.Dir()
	var done []string
	for _, s := range deploySteps {
		if ctx.Err() != nil {
			return r.res, &InterruptedError{Dir: dir, Done: done, Next: s.name}
		}
		if req.SecretsOnly && !s.secrets {
			continue
		}
		l.Log.V(2).Infof("deploy step %s", s.name)
		if err := s.run(ctx, r); err != nil {
			err = rightsHint(s.name, err)
			if !s.writes {
				return r.res, fmt.Errorf("refusing to deploy %s: %w", dir, err)
			}
			return r.res, fmt.Errorf("deploying %s: %w", dir, err)
		}
		done = append(done, s.name)
	}
	return r.res, nil
}

// connect opens the target's cluster once.
func (r *deployRun) connect() (Cluster, error) {
	if r.cluster == nil {
		c, err := r.l.Connect(r.req.Target.Context)
		if err != nil {
			return nil, err
		}
		r.cluster = c
	}
	return r.cluster, nil
}

// RightsError: a step was forbidden by the cluster's RBAC; it says what
// the credentials lack (the server's own words) and where the minimal
// rights are written down.
type RightsError struct {
	Step string
	Err  error
}

func (e *RightsError) Error() string {
	return fmt.Sprintf("the %s step needs rights these credentials lack: %v; docs/rbac.yaml has the minimal Role (inside the namespace) and ClusterRole (namespaces, host-path PersistentVolumes, RuntimeClasses) a deployment needs", e.Step, e.Err)
}

func (e *RightsError) Unwrap() error { return e.Err }

func rightsHint(step string, err error) error {
	if apierrors.IsForbidden(err) {
		return &RightsError{Step: step, Err: err}
	}
	return err
}
