package lifecycle

import (
	"cmp"
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/kubectl-stack/kubectl-stack/pkg/deployment"
	"github.com/kubectl-stack/kubectl-stack/pkg/kindcluster"
)

// kindCreateWait is how long kind create waits for a Ready control plane.
const kindCreateWait = 5 * time.Minute

// kindCluster is the kind cluster of one k8s-kind target.
type kindCluster struct {
	l    *Lifecycle
	t    *Target
	p    KindProvider
	name string
}

// kindCluster opens the target's kind cluster; a target not on kind is
// refused.
func (l *Lifecycle) kindCluster(t *Target) (*kindCluster, error) {
	if !t.IsKind() {
		return nil, &NotKindError{Dir: t.Dir(), DeployTo: t.Deployment.Spec.DeployTo}
	}
	p, err := l.Kind()
	if err != nil {
		return nil, err
	}
	return &kindCluster{l: l, t: t, p: p, name: t.Deployment.KindCluster()}, nil
}

// ensure makes the deployment's cluster exist: reuse it (created is false;
// its mounts are the caller's to check), or create it from D's kind
// config. A running cluster with another name is an error: deployments on
// a host share one cluster (and its ports 80/443).
func (k *kindCluster) ensure(ctx context.Context, nodeImage string) (created bool, err error) {
	log := k.l.Log
	clusters, err := k.p.List()
	if err != nil {
		return false, err
	}
	if slices.Contains(clusters, k.name) {
		log.Infof("using the running kind cluster %s", k.name)
		return false, nil
	}
	if len(clusters) > 0 {
		return false, &OtherClusterError{Running: clusters, Cluster: k.name, Dir: k.t.Dir(), SpecNamesCluster: k.t.Deployment.Spec.KindClusterName != ""}
	}
	cfg, err := kindcluster.LoadConfig(filepath.Join(k.t.Dir(), deployment.KindConfigFile))
	if err != nil {
		return false, err
	}
	if _, ok := kindcluster.Required(cfg)[kindcluster.NodeMountRoot]; !ok {
		log.Warnf("creating kind cluster %s without an umbrella mount (kind-mount-root is not set): kind adds mounts only at creation, so a later stack that needs other host paths will need a full cluster recreate. See kind-mount-root in docs/user-guide.md.", k.name)
	}
	image := nodeImage
	if len(cfg.Nodes) > 0 {
		image = cmp.Or(nodeImage, cfg.Nodes[0].Image)
	}
	log.Infof("creating kind cluster %s (node image %s)", k.name, cmp.Or(image, "kind's default"))
	start := time.Now()
	if err := k.create(ctx, cfg, nodeImage); err != nil {
		return false, err
	}
	log.Infof("created kind cluster %s in %s (kubeconfig context kind-%s)", k.name, time.Since(start).Round(time.Second), k.name)
	return true, nil
}

// create runs kind's create, which cannot be cancelled: on an interrupt it
// says so and lets it finish (a second interrupt exits at once), so that
// no half-created node is left behind; the caller then stops.
func (k *kindCluster) create(ctx context.Context, cfg *kindcluster.ClusterConfig, nodeImage string) error {
	done := make(chan error, 1)
	go func() {
		done <- k.p.Create(k.name, cfg, kindcluster.CreateOptions{NodeImage: nodeImage, Kubeconfig: k.l.Kubeconfig, Wait: kindCreateWait})
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		k.l.Log.Warnf("kind cannot stop creating cluster %s halfway: letting it finish, then stopping (interrupt again to exit at once; a half-created cluster is removed by kind delete)", k.name)
		return <-done
	}
}

// require is ensure without creating: the cluster must be running, and it
// reports whether it is. Through a context that is not the kind one, a
// missing cluster only costs the mount check, with a warning.
func (k *kindCluster) require() (bool, error) {
	exists, err := k.p.Exists(k.name)
	if err != nil || exists {
		return exists, err
	}
	if !k.t.kindTargeted() {
		k.l.Log.Warnf("kind cluster %s is not running; deploying to context %s without a kind mount check", k.name, k.t.Context)
		return false, nil
	}
	return false, &KindNotRunningError{Cluster: k.name, Dir: k.t.Dir()}
}

// checkMounts refuses a cluster that lacks a mount the deployment needs;
// mounts that cannot be read are a warning (the check did not run).
func (k *kindCluster) checkMounts(ctx context.Context) error {
	checks, err := k.mountChecks(ctx)
	if checks == nil {
		k.l.Log.Warnf("kind mounts NOT checked: %v", err)
		return nil
	}
	return err
}

// mountChecks compares the deployment's kind config with its cluster's
// control-plane node. It returns the rows (nil when the node's mounts could
// not be read) and an error that explains any problem.
func (k *kindCluster) mountChecks(ctx context.Context) ([]kindcluster.MountCheck, error) {
	cfg, err := kindcluster.LoadConfig(filepath.Join(k.t.Dir(), deployment.KindConfigFile))
	if err != nil {
		return nil, err
	}
	node, live, err := k.liveMounts(ctx)
	if err != nil {
		return nil, fmt.Errorf("could not read the mounts of kind cluster %s's node %s, so they were NOT checked: %w", k.name, cmp.Or(node, "(not found)"), err)
	}
	checks := kindcluster.CompareMounts(kindcluster.Required(cfg), live)
	if checks == nil {
		checks = []kindcluster.MountCheck{}
	}
	return checks, kindcluster.MountProblems(k.name, checks, live)
}

// liveMounts reads the bind mounts of the cluster's control-plane node and
// returns the node's container name with them.
func (k *kindCluster) liveMounts(ctx context.Context) (string, map[string]string, error) {
	node, err := k.p.ControlPlane(k.name)
	if err != nil {
		return "", nil, err
	}
	live, err := k.p.LiveMounts(ctx, node)
	return node, live, err
}

// loadImages side-loads the workloads' images that the local Docker has.
func (k *kindCluster) loadImages(ctx context.Context, images []string) (*kindcluster.LoadResult, error) {
	log := k.l.Log
	start := time.Now()
	res, err := k.p.LoadImages(ctx, k.name, images)
	if err != nil {
		return nil, fmt.Errorf("loading images into kind cluster %s: %w", k.name, err)
	}
	if len(res.Loaded) > 0 {
		log.Infof("loaded %s into kind cluster %s in %s", strings.Join(res.Loaded, ", "), k.name, time.Since(start).Round(100*time.Millisecond))
	}
	for _, im := range res.NotLocal {
		log.V(1).Infof("image %s is not in the local Docker; the nodes pull it", im)
	}
	return res, nil
}

// CreateKindRequest asks for a target's kind cluster.
type CreateKindRequest struct {
	Target *Target
	// NodeImage overrides the kind config's node image.
	NodeImage string
}

// CreateKind creates the target's kind cluster, or checks the mounts of
// the running one; it returns the cluster's name.
func (l *Lifecycle) CreateKind(ctx context.Context, req CreateKindRequest) (string, error) {
	k, err := l.kindCluster(req.Target)
	if err != nil {
		return "", err
	}
	created, err := k.ensure(ctx, req.NodeImage)
	if err == nil && !created {
		err = k.checkMounts(ctx)
	}
	return k.name, err
}

// CheckMounts compares the mounts the target needs with its live kind
// node's: the rows (nil when the node's mounts could not be read) and an
// error naming every problem.
func (l *Lifecycle) CheckMounts(ctx context.Context, t *Target) ([]kindcluster.MountCheck, error) {
	k, err := l.kindCluster(t)
	if err != nil {
		return nil, err
	}
	return k.mountChecks(ctx)
}

// LoadKind copies the target's images that the local Docker has into its
// kind cluster's nodes.
func (l *Lifecycle) LoadKind(ctx context.Context, t *Target) (*kindcluster.LoadResult, error) {
	k, err := l.kindCluster(t)
	if err != nil {
		return nil, err
	}
	return k.loadImages(ctx, t.Images())
}
