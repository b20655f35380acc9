package deploy

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
	"github.com/kubectl-stack/kubectl-stack/pkg/deployment"
	"github.com/kubectl-stack/kubectl-stack/test/cluster"
)

// TestPodPerServiceDeploys takes a compose project whose services listen
// on one port (two nginx on 80) through init, create and deploy: each
// service runs in its own pod, a service another waits to complete runs
// once as a Job, and a service that declares no port is reached by name
// through a headless Service, whose endpoints the cluster fills with that
// pod's address.
func TestPodPerServiceDeploys(t *testing.T) {
	c := cluster.Shared(t)
	ctx := context.Background()
	root := t.TempDir()
	project := filepath.Join(root, "shop_app")
	testutil.WriteFile(t, project, "compose.yaml", `services:
  web:
    image: nginx
    expose: ["80"]
    environment:
      CACHE: redis://cache_redis:6379
    depends_on:
      migrate:
        condition: service_completed_successfully
  migrate:
    image: nginx
    command: ["migrate"]
  admin.ui:
    image: nginx
    expose: ["80"]
  cache_redis:
    image: redis
    container_name: shop_cache
`)
	ns := fmt.Sprintf("per-service-%d", nameSeq.Add(1))
	dir, errOut, err := initAndCreate(t, project, ns)
	if err != nil {
		t.Fatalf("create: %v\n%s", err, errOut)
	}
	deploy(t, dir)

	rec, err := deployment.ReadRecord(dir)
	if err != nil {
		t.Fatal(err)
	}
	id := rec.DeploymentID
	if got, want := fmt.Sprint(c.DeploymentNames(t, ns)), fmt.Sprintf("[%s-admin-ui-deployment %s-cache-redis-deployment %s-web-deployment]", id, id, id); got != want {
		t.Errorf("Deployments = %s, want one per compose service: %s", got, want)
	}
	// migrate, which web waits to complete, ran once as a Job.
	jobs, err := c.Client.BatchV1().Jobs(ns).List(ctx, metav1.ListOptions{})
	if err != nil || len(jobs.Items) != 1 || !strings.HasSuffix(jobs.Items[0].Name, "-job-migrate") || jobs.Items[0].Status.Succeeded != 1 {
		t.Errorf("Jobs: %v (list: %v), want migrate's, succeeded", jobs, err)
	}
	pods, err := c.Client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app.kubernetes.io/component=cache-redis"})
	if err != nil || len(pods.Items) != 1 || pods.Items[0].Status.PodIP == "" {
		t.Fatalf("the cache-redis pod: %v (list: %v), want one with an address", pods, err)
	}
	ip := pods.Items[0].Status.PodIP
	// The EndpointSlice controller fills the slices shortly after the pod
	// has its address. container_name shop_cache is a name of it too.
	for _, service := range []string{"cache-redis", "shop-cache"} {
		var addresses []string
		for deadline := time.Now().Add(time.Minute); len(addresses) == 0 && time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
			list, err := c.Client.DiscoveryV1().EndpointSlices(ns).List(ctx, metav1.ListOptions{LabelSelector: discoveryv1.LabelServiceName + "=" + service})
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range list.Items {
				for _, e := range s.Endpoints {
					addresses = append(addresses, e.Addresses...)
				}
			}
		}
		if fmt.Sprint(addresses) != "["+ip+"]" {
			t.Errorf("the headless Service %s resolves to %v, want the pod's address %s", service, addresses, ip)
		}
	}
}

// TestTurningPodPerServiceOnKeepsTheVolumes: an existing deployment of a
// compose project (one pod) that turns pod-per-service on, through create
// --update and deploy, gets a Deployment per service, loses the old one
// (pruned), and keeps its PersistentVolumeClaims, the same objects.
func TestTurningPodPerServiceOnKeepsTheVolumes(t *testing.T) {
	c := cluster.Shared(t)
	ctx := context.Background()
	root := t.TempDir()
	src, _ := filepath.Abs("../testdata/untuned/wordpress")
	testutil.CopyTree(t, src, filepath.Join(root, "wordpress"))
	ns := fmt.Sprintf("per-service-on-%d", nameSeq.Add(1))
	specPath := filepath.Join(root, "ops", "spec.yml")
	dir, errOut, err := initAndCreate(t, filepath.Join(root, "wordpress"), ns)
	if err != nil {
		t.Fatalf("create: %v\n%s", err, errOut)
	}
	setPodPerService := func(on bool) {
		t.Helper()
		spec := regexp.MustCompile(`(?m)^pod-per-service: .*$`).ReplaceAllString(testutil.ReadFile(t, specPath), fmt.Sprintf("pod-per-service: %v", on))
		testutil.WriteFile(t, root, "ops/spec.yml", spec)
		if _, errOut, err := run(t, "create", "--spec-file", specPath, "-d", dir, "--update"); err != nil {
			t.Fatalf("create --update: %v\n%s", err, errOut)
		}
		deploy(t, dir)
	}
	state := func() (string, map[string]string) {
		t.Helper()
		names := c.DeploymentNames(t, ns)
		claims, err := c.Client.CoreV1().PersistentVolumeClaims(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		uids := map[string]string{}
		for _, pvc := range claims.Items {
			uids[pvc.Name] = string(pvc.UID)
		}
		return fmt.Sprint(names), uids
	}

	setPodPerService(false)
	before, claimsBefore := state()
	setPodPerService(true)
	after, claimsAfter := state()
	if strings.Count(before, "-deployment") != 1 || strings.Count(after, "-deployment") != 2 || strings.Contains(after, strings.Trim(before, "[]")) {
		t.Errorf("Deployments: %s, then %s; want one, then one per service and the old one pruned", before, after)
	}
	if len(claimsBefore) != 2 || fmt.Sprint(claimsAfter) != fmt.Sprint(claimsBefore) {
		t.Errorf("PersistentVolumeClaims (name: uid): %v, then %v; want the same two", claimsBefore, claimsAfter)
	}
}
