package deploy

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
	"github.com/kubectl-stack/kubectl-stack/pkg/apply"
	"github.com/kubectl-stack/kubectl-stack/pkg/ingress"
	"github.com/kubectl-stack/kubectl-stack/test/cluster"
)

// TestIngressControllerManifestsInstallAndUpdate: the embedded controller
// passes the API server's validation, becomes ready on the node labelled
// ingress-ready=true, and a second apply with another image updates it in
// place. (On kind, test/e2e serves real routes through it.)
func TestIngressControllerManifestsInstallAndUpdate(t *testing.T) {
	c := cluster.Shared(t)
	ctx := context.Background()
	nodes, err := c.Client.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil || len(nodes.Items) == 0 {
		t.Fatalf("no node to label (%v)", err)
	}
	label := []byte(`{"metadata":{"labels":{"ingress-ready":"true"}}}`)
	if _, err := c.Client.CoreV1().Nodes().Patch(ctx, nodes.Items[0].Name, types.MergePatchType, label, metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	a, err := apply.New(c.Config)
	if err != nil {
		t.Fatal(err)
	}
	if exists, _, err := a.DeploymentReady(ctx, ingress.Namespace, ingress.Deployment); err != nil || exists {
		t.Fatalf("controller before the install: exists %v, %v", exists, err)
	}
	for _, image := range []string{ingress.DefaultImage, "registry.local/traefik:v3.6.12"} {
		objects, err := ingress.Objects(image)
		if err != nil {
			t.Fatal(err)
		}
		if err := a.ApplyShared(ctx, objects, ingress.Namespace, time.Minute); err != nil {
			t.Fatalf("installing the controller with %s: %v", image, err)
		}
		exists, ready, err := a.DeploymentReady(ctx, ingress.Namespace, ingress.Deployment)
		if err != nil || !exists || !ready {
			t.Fatalf("controller with %s: exists %v, ready %v, %v", image, exists, ready, err)
		}
		dep, err := c.Client.AppsV1().Deployments(ingress.Namespace).Get(ctx, ingress.Deployment, metav1.GetOptions{})
		if err != nil || dep.Spec.Template.Spec.Containers[0].Image != image {
			t.Errorf("controller image = %v (%v), want %s", dep.Spec.Template.Spec.Containers[0].Image, err, image)
		}
	}
	class, err := c.Client.NetworkingV1().IngressClasses().Get(ctx, ingress.Class, metav1.GetOptions{})
	if err != nil || class.Spec.Controller != "traefik.io/ingress-controller" {
		t.Errorf("IngressClass %s: %+v, %v", ingress.Class, class, err)
	}
}

// TestDeployThroughAnotherContextChecksForTheController: a k8s-kind
// deployment with routes, deployed through a context that is not its kind
// cluster's, installs nothing cluster-wide and says when no controller
// serves its routes.
func TestDeployThroughAnotherContextChecksForTheController(t *testing.T) {
	root, specPath, _ := stack(t)
	// The example's spec has http-proxy routes already.
	// Its own cluster name: a running kind cluster must not be inherited.
	kindCluster := uniqueCluster()
	kindSpec := strings.Replace(testutil.ReadFile(t, specPath), "deploy-to: k8s\n", "deploy-to: k8s-kind\n", 1) + "kind-cluster-name: " + kindCluster + "\n"
	dir := create(t, testutil.WriteFile(t, root, "ops/kind-spec.yml", kindSpec))
	_, errOut := deploy(t, dir, "--context", "envtest", "--wait=false")
	c := cluster.Shared(t)
	_, err := c.Client.AppsV1().Deployments(ingress.Namespace).Get(context.Background(), ingress.Deployment, metav1.GetOptions{})
	// The other test of this file may have installed one in the shared
	// cluster: then there must be no warning, else there must be one.
	installed := err == nil
	if warned := strings.Contains(errOut, "no ingress controller in the cluster"); warned == installed {
		t.Errorf("controller installed: %v; deploy warned about a missing one: %v\n%s", installed, warned, errOut)
	}
	if strings.Contains(errOut, "ensuring the ingress controller") {
		t.Errorf("deploy through another context installed the controller:\n%s", errOut)
	}
	// The cluster's CA was made in the run's data directory, not the
	// user's home (cluster.Main).
	caDir := filepath.Join(os.Getenv("XDG_DATA_HOME"), "kubectl-stack", "kind", kindCluster, "ca")
	if _, err := os.Stat(caDir); err != nil || !strings.Contains(errOut, caDir) {
		t.Errorf("the local CA of %s is not in the tests' data directory %s (stat: %v):\n%s", kindCluster, caDir, err, errOut)
	}
	if home, _ := os.UserHomeDir(); strings.HasPrefix(caDir, home+"/") {
		t.Errorf("the tests' data directory %s is under the home directory %s", caDir, home)
	}
}
