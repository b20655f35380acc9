package cmd

import (
	"cmp"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kubectl-stack/kubectl-stack/pkg/apply"
	"github.com/kubectl-stack/kubectl-stack/pkg/deployment"
	"github.com/kubectl-stack/kubectl-stack/pkg/kindcluster"
)

// kindCreateWait is how long kind create waits for a Ready control plane.
const kindCreateWait = 5 * time.Minute

// kindCluster is the kind cluster of one k8s-kind deployment.
type kindCluster struct {
	g    *GlobalOptions
	d    *deployment.Deployment
	p    *kindcluster.Provider
	name string
}

func newKindCluster(g *GlobalOptions, d *deployment.Deployment) (*kindCluster, error) {
	p, err := kindcluster.NewProvider(g.ErrOut, g.Verbosity)
	if err != nil {
		return nil, err
	}
	return &kindCluster{g: g, d: d, p: p, name: d.KindCluster()}, nil
}

// loadKindCluster loads a k8s-kind deployment and its cluster: the
// Complete step of the kind verbs.
func loadKindCluster(c *cobra.Command, g *GlobalOptions, dirFlag string) (*kindCluster, error) {
	d, err := loadDeployment(c, g, dirFlag)
	if err != nil {
		return nil, err
	}
	if err := requireKind(d); err != nil {
		return nil, err
	}
	return newKindCluster(g, d)
}

// ensure makes the deployment's cluster exist with the mounts it needs:
// reuse it after the mount check, or create it from D's kind config. A
// running cluster with another name is an error: deployments on a host
// share one cluster (and its ports 80/443).
func (k *kindCluster) ensure(c *cobra.Command, nodeImage string) error {
	log := k.g.Logger()
	clusters, err := k.p.List()
	if err != nil {
		return err
	}
	if slices.Contains(clusters, k.name) {
		log.Infof("using the running kind cluster %s", k.name)
		return k.checkMounts(c)
	}
	if len(clusters) > 0 {
		return k.otherClusterError(clusters)
	}
	cfg, err := kindcluster.LoadConfig(filepath.Join(k.d.Dir, deployment.KindConfigFile))
	if err != nil {
		return err
	}
	if err := kindcluster.PrepareMountSources(cfg); err != nil {
		return err
	}
	if err := kindcluster.CheckPropagation(cfg); err != nil {
		return fmt.Errorf("creating kind cluster %s: %w", k.name, err)
	}
	if _, ok := kindcluster.Required(cfg)[kindcluster.NodeMountRoot]; !ok {
		log.Warnf("creating kind cluster %s without an umbrella mount (kind-mount-root is not set): kind adds mounts only at creation, so a later stack that needs other host paths will need a full cluster recreate. See kind-mount-root in the README.", k.name)
	}
	image := nodeImage
	if len(cfg.Nodes) > 0 {
		image = cmp.Or(nodeImage, cfg.Nodes[0].Image)
	}
	log.Infof("creating kind cluster %s (node image %s)", k.name, cmp.Or(image, "kind's default"))
	start := time.Now()
	if err := k.p.Create(k.name, cfg, kindcluster.CreateOptions{NodeImage: nodeImage, Kubeconfig: *k.g.ConfigFlags.KubeConfig, Wait: kindCreateWait}); err != nil {
		return err
	}
	log.Infof("created kind cluster %s in %s (kubeconfig context kind-%s)", k.name, time.Since(start).Round(time.Second), k.name)
	return nil
}

// targeted reports whether the command talks to this kind cluster: the
// context is kind-<name> (the default for k8s-kind). With --context naming
// another cluster, the kind cluster is neither created, loaded nor deleted.
func (k *kindCluster) targeted() bool {
	return *k.g.ConfigFlags.Context == k.d.KindContext()
}

// require is ensure without creating: the cluster must be running, and it
// reports whether it is. With an explicit --context that is not the kind
// one, a missing cluster only costs the mount check, with a warning.
func (k *kindCluster) require(c *cobra.Command) (bool, error) {
	exists, err := k.p.Exists(k.name)
	if err != nil {
		return false, err
	}
	if exists {
		return true, k.checkMounts(c)
	}
	if !k.targeted() {
		k.g.Logger().Warnf("kind cluster %s is not running; deploying to context %s without a kind mount check", k.name, *k.g.ConfigFlags.Context)
		return false, nil
	}
	return false, fmt.Errorf("kind cluster %s is not running: deploy without --skip-cluster-management, or run kubectl stack kind create -d %s, to create it", k.name, k.d.Dir)
}

// checkMounts refuses a cluster that lacks a mount the deployment needs;
// mounts that cannot be read are a warning (the check did not run).
func (k *kindCluster) checkMounts(c *cobra.Command) error {
	checks, err := checkMounts(c, k.d)
	switch {
	case checks == nil:
		k.g.Logger().Warnf("kind mounts NOT checked: %v", err)
		return nil
	case err != nil:
		return err
	}
	return nil
}

func (k *kindCluster) otherClusterError(running []string) error {
	where := fmt.Sprintf("set cluster-id: %s in %s", running[0], filepath.Join(k.d.Dir, deployment.DeploymentFile))
	if k.d.Spec.KindClusterName != "" {
		where = fmt.Sprintf("set kind-cluster-name: %s in the spec (then kubectl stack create --update)", running[0])
	}
	return fmt.Errorf("kind cluster %s is running, but this deployment joins kind cluster %q. Deployments on one host share one kind cluster (its ports 80 and 443 can be bound once). Fix: %s to join it, or delete the running cluster first (kubectl stack kind delete -d <its deployment>)",
		strings.Join(running, ", "), k.name, where)
}

// loadImages side-loads the workloads' images that the local Docker has.
func (k *kindCluster) loadImages(c *cobra.Command, images []string) (*kindcluster.LoadResult, error) {
	log := k.g.Logger()
	start := time.Now()
	res, err := k.p.LoadImages(c.Context(), k.name, images)
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

// ensureRuntimeClass creates the high-memlock RuntimeClass for a spec that
// asks for unlimited memlock; its containerd handler comes from the kind
// config.
func ensureRuntimeClass(c *cobra.Command, a *apply.Applier, d *deployment.Deployment) error {
	if !d.Spec.Security.UnlimitedMemlock || d.Spec.Security.RuntimeClass != "" {
		return nil
	}
	return a.EnsureRuntimeClass(c.Context(), kindcluster.MemlockRuntime, kindcluster.MemlockRuntime)
}
