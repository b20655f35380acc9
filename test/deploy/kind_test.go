package deploy

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
	"github.com/kubectl-stack/kubectl-stack/pkg/deployment"
	"github.com/kubectl-stack/kubectl-stack/test/cluster"
)

// TestDeployRefusesAClusterWithoutTheNeededMount plays a kind cluster with a
// container labelled as its control-plane node (bind mounts are real, the
// API server is the local one): the deployment needs a per-volume mount
// the node lacks, so deploy refuses before writing anything.
func TestDeployRefusesAClusterWithoutTheNeededMount(t *testing.T) {
	testutil.RequireDocker(t)
	c := cluster.Shared(t)
	root, _, _ := stack(t)
	ns := "kind-mounts"
	// kind-cluster-name pins the cluster: with Docker running, create
	// would otherwise join whatever kind cluster (or fake node) exists.
	spec := "stack: " + filepath.Join(root, "stacks/hello") + "\ndeploy-to: k8s-kind\nnamespace: " + ns +
		"\nkind-cluster-name: " + uniqueCluster() + "\nvolumes:\n  counter-data: ./data/counter\n" + settings
	specPath := testutil.WriteFile(t, root, "ops/kind-spec.yml", spec)
	dir := create(t, specPath)
	rec, err := deployment.ReadRecord(dir)
	if err != nil {
		t.Fatal(err)
	}
	other := t.TempDir()
	testutil.FakeKindNode(t, kindName(t, dir), other+":/mnt/somewhere-else")

	_, _, err = run(t, "kind", "check-mounts", "-d", dir)
	if err == nil || !strings.Contains(err.Error(), "/mnt/"+rec.DeploymentID+"-counter-data") || !strings.Contains(err.Error(), "NOT MOUNTED") {
		t.Fatalf("check-mounts = %v, want the missing per-volume mount", err)
	}
	_, _, err = run(t, "deploy", "-d", dir, "--context", "envtest")
	if err == nil || !strings.Contains(err.Error(), "refusing to deploy") {
		t.Fatalf("deploy = %v, want a refusal", err)
	}
	if _, err := c.Client.CoreV1().Namespaces().Get(context.Background(), ns, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("namespace %s exists after the refused deploy (get: %v)", ns, err)
	}
	_ = os.Remove(specPath)
}

// TestCheckMountsPassesWithTheUmbrella: a node whose umbrella mount holds
// the deployment's host paths passes, as a table with OK rows.
func TestCheckMountsPassesWithTheUmbrella(t *testing.T) {
	testutil.RequireDocker(t)
	root, _, _ := stack(t)
	mountRoot := filepath.Join(t.TempDir(), "kind")
	if err := os.MkdirAll(mountRoot, 0o755); err != nil {
		t.Fatal(err)
	}
	spec := "stack: " + filepath.Join(root, "stacks/hello") + "\ndeploy-to: k8s-kind\nnamespace: kind-umbrella\nkind-cluster-name: " + uniqueCluster() + "\nkind-mount-root: " + mountRoot +
		"\nvolumes:\n  counter-data: " + mountRoot + "/hello/counter\n" + settings
	dir := create(t, testutil.WriteFile(t, root, "ops/kind-spec.yml", spec))
	testutil.FakeKindNode(t, kindName(t, dir), mountRoot+":/mnt")
	out, errOut, err := run(t, "kind", "check-mounts", "-d", dir)
	if err != nil || !strings.Contains(out, "/mnt") || !strings.Contains(out, "OK") {
		t.Fatalf("check-mounts = %v\n%s%s", err, out, errOut)
	}
}

// settings is the example's spec-configured ConfigMap.
const settings = "configmaps:\n  settings: ./configmaps/settings\n"

func uniqueCluster() string {
	return fmt.Sprintf("ks-deploy-%d-%d", os.Getpid()%100000, nameSeq.Add(1))
}

// kindName is the deployment's kind cluster (its spec pins it).
func kindName(t *testing.T, dir string) string {
	t.Helper()
	d, err := deployment.Load(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	return d.Spec.KindClusterName
}

// TestCheckMountsOfAnUnreadableNode: when the Docker engine cannot be asked,
// check-mounts fails and says the mounts were not checked; it never prints
// a table that looks like a pass.
func TestCheckMountsOfAnUnreadableNode(t *testing.T) {
	testutil.RequireDocker(t)
	root, _, _ := stack(t)
	spec := "stack: " + filepath.Join(root, "stacks/hello") + "\ndeploy-to: k8s-kind\nnamespace: kind-unreadable\nkind-cluster-name: " + uniqueCluster() +
		"\nvolumes:\n  counter-data: ./data/counter\n" + settings
	dir := create(t, testutil.WriteFile(t, root, "ops/kind-spec.yml", spec))
	testutil.FakeKindNode(t, kindName(t, dir), t.TempDir()+":/mnt")
	t.Setenv("DOCKER_HOST", "unix://"+filepath.Join(t.TempDir(), "no-docker.sock"))
	out, _, err := run(t, "kind", "check-mounts", "-d", dir)
	if err == nil || !strings.Contains(err.Error(), "NOT checked") || strings.Contains(out, "OK") {
		t.Fatalf("check-mounts without a readable node = %v\n%s; want an error saying the mounts were not checked", err, out)
	}
}

// TestKindCreateRefusesAnotherRunningCluster: a deployment that names one
// cluster while another runs is told which field to change to join it.
func TestKindCreateRefusesAnotherRunningCluster(t *testing.T) {
	testutil.RequireDocker(t)
	root, _, _ := stack(t)
	spec := "stack: " + filepath.Join(root, "stacks/hello") + "\ndeploy-to: k8s-kind\nnamespace: kind-other\nkind-cluster-name: " + uniqueCluster() +
		"\nvolumes:\n  counter-data: ./data/counter\n" + settings
	dir := create(t, testutil.WriteFile(t, root, "ops/kind-spec.yml", spec))
	running := uniqueCluster()
	testutil.FakeKindNode(t, running, t.TempDir()+":/mnt")
	_, _, err := run(t, "kind", "create", "-d", dir)
	if err == nil || !strings.Contains(err.Error(), running) || !strings.Contains(err.Error(), "Fix: set kind-cluster-name: ") {
		t.Fatalf("kind create while %s runs = %v, want the error naming it and the field to fix", running, err)
	}
}
