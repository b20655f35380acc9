package deploy

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
	"github.com/kubectl-stack/kubectl-stack/test/cluster"
)

// TestComposeProjectDeploys takes a compose project as people write them
// for docker compose (pkg/render/testdata/compose-project: underscored
// volume and project names, a dotted service, a bind of ".", host system
// paths, variables from .env, a service that only builds) to deploy-to: k8s
// on the local control plane, through a real registry: deploy refuses
// while the built image is in no registry, build --push puts it there,
// then deploy applies and everything becomes ready.
func TestComposeProjectDeploys(t *testing.T) {
	testutil.RequireDocker(t)
	c := cluster.Shared(t)
	ctx := context.Background()
	root := t.TempDir()
	src, _ := filepath.Abs("../../pkg/render/testdata/compose-project")
	testutil.CopyTree(t, src, filepath.Join(root, "shop"))
	reg := testutil.StartRegistry(t)
	ns := fmt.Sprintf("shop-%d", nameSeq.Add(1))
	specPath := testutil.WriteFile(t, root, "ops/spec.yml", `stack: ../shop
deploy-to: k8s
namespace: `+ns+`
config:
  # The spec's config wins over .env's; a fixed NodePort of its own.
  WEB_NODEPORT: "`+fmt.Sprint(staticNodePort(t, seq.Add(1)))+`"
image-registry: `+reg+`/shop
registry-credentials:
  server: `+reg+`
  username: demo
  token-env: SHOP_REGISTRY_TOKEN
volumes:
  db_data:
  Redis.Data:
  uploads_data:
  redis_append_only_file_storage_for_the_shopping_cart_sessions:
`)
	t.Setenv("SHOP_REGISTRY_TOKEN", token)
	dir := create(t, specPath)

	_, _, err := run(t, "deploy", "-d", dir, "--timeout", "2m")
	if err == nil || !strings.Contains(err.Error(), "is not in its registry") || !strings.Contains(err.Error(), "build -d "+dir+" --push") {
		t.Fatalf("deploy before build --push = %v, want a refusal naming build --push", err)
	}
	if _, err := c.Client.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{}); !errors.IsNotFound(err) {
		t.Fatalf("namespace %s exists after the refused deploy (get: %v)", ns, err)
	}

	out, errOut, err := run(t, "build", "-d", dir, "--push")
	if err != nil {
		t.Fatalf("build --push: %v\n%s", err, errOut)
	}
	image := strings.TrimSpace(out)
	t.Cleanup(func() { _ = exec.Command("docker", "image", "rm", "-f", image).Run() })
	if !strings.HasPrefix(image, reg+"/shop/shop_demo-web.frontend:ctx-") || strings.Contains(errOut, token) {
		t.Fatalf("build --push printed %q (stderr shows the token: %v)", image, strings.Contains(errOut, token))
	}

	deploy(t, dir)
	deps, err := c.Client.AppsV1().Deployments(ns).List(ctx, metav1.ListOptions{})
	if err != nil || len(deps.Items) != 1 || deps.Items[0].Status.AvailableReplicas != 2 {
		t.Fatalf("Deployments in %s: %+v, %v; want one with 2 available replicas (deploy.replicas)", ns, deps, err)
	}
	images := map[string]string{}
	for _, ctr := range deps.Items[0].Spec.Template.Spec.Containers {
		images[ctr.Name] = ctr.Image
	}
	if images["web-frontend"] != image || images["api-server"] != "example/shop-api:1.4" {
		t.Errorf("container images = %v", images)
	}
	pvc, err := c.Client.CoreV1().PersistentVolumeClaims(ns).Get(ctx, deps.Items[0].Labels["app"]+"-db-data", metav1.GetOptions{})
	if err != nil || pvc.Annotations["kubectl-stack.io/compose-name"] != "db_data" {
		t.Errorf("PVC for db_data: %v, annotations %v", err, pvc.Annotations)
	}
	svc, err := c.Client.CoreV1().Services(ns).Get(ctx, "web-frontend", metav1.GetOptions{})
	if err != nil || svc.Annotations["kubectl-stack.io/compose-name"] != "web.frontend" {
		t.Errorf("Service web-frontend: %v", err)
	}
	ps, _, err := run(t, "ps", "-d", dir)
	if err != nil || !strings.Contains(ps, "api_server,backup,cache_redis,db,grafana,node-exporter,web.frontend") {
		t.Errorf("ps does not show the compose names (%v):\n%s", err, ps)
	}
}
