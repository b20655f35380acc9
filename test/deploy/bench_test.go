package deploy

import (
	"context"
	"fmt"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
	"github.com/kubectl-stack/kubectl-stack/pkg/apply"
	"github.com/kubectl-stack/kubectl-stack/pkg/deployment"
	"github.com/kubectl-stack/kubectl-stack/pkg/render"
	"github.com/kubectl-stack/kubectl-stack/test/cluster"
)

// BenchmarkDeploy50Pods deploys a generated 50-pod stack (2 services per
// pod, a port each, a host-path volume per pod) on the local cluster, and
// in the same run applies the same rendered overlay with
// kubectl apply --server-side -k into a clean cluster state, then times a
// no-op redeploy and counts its API requests.
// Run: go test -run '^$' -bench Deploy50Pods -benchtime 1x ./test/deploy/
func BenchmarkDeploy50Pods(b *testing.B) {
	c := cluster.Shared(b)
	kubectl, err := exec.LookPath("kubectl")
	if err != nil {
		b.Skip("kubectl is needed for the baseline")
	}
	dir, ns := bigDeployment(b, 50)
	d, err := deployment.Load(context.Background(), dir)
	if err != nil {
		b.Fatal(err)
	}
	res, err := render.Render(d, render.Options{})
	if err != nil {
		b.Fatal(err)
	}
	tree := b.TempDir()
	if err := render.WriteTree(tree, res); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		start := time.Now()
		out, err := exec.Command(kubectl, "--kubeconfig", c.Kubeconfig, "apply", "--server-side", "-k", filepath.Join(tree, res.Overlay)).CombinedOutput()
		if err != nil {
			b.Fatalf("kubectl apply: %v\n%s", err, out)
		}
		kubectlTime := time.Since(start)
		clean(b, c, ns, d.Record.DeploymentID)

		start = time.Now()
		if _, errOut, err := run(b, "deploy", "-d", dir, "--wait=false"); err != nil {
			b.Fatalf("deploy: %v\n%s", err, errOut)
		}
		deployTime := time.Since(start)

		noop, requests := noopRedeploy(b, c.Config, d, res)
		b.ReportMetric(deployTime.Seconds(), "deploy-s")
		b.ReportMetric(kubectlTime.Seconds(), "kubectl-apply-s")
		b.ReportMetric(deployTime.Seconds()/kubectlTime.Seconds(), "ratio")
		b.ReportMetric(noop.Seconds(), "noop-s")
		b.ReportMetric(float64(requests), "noop-requests")
	}
}

// clean removes what kubectl applied: the namespace and the PVs.
func clean(b *testing.B, c *cluster.Cluster, ns, id string) {
	ctx := context.Background()
	_ = c.Client.CoreV1().Namespaces().Delete(ctx, ns, metav1.DeleteOptions{})
	_ = c.Client.CoreV1().PersistentVolumes().DeleteCollection(ctx, metav1.DeleteOptions{}, metav1.ListOptions{LabelSelector: "app=" + id})
	for i := 0; i < 600; i++ {
		_, err := c.Client.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
		pvs, _ := c.Client.CoreV1().PersistentVolumes().List(ctx, metav1.ListOptions{LabelSelector: "app=" + id})
		if err != nil && len(pvs.Items) == 0 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.Fatalf("namespace %s did not go", ns)
}

// noopRedeploy redeploys through the apply package with a counting
// transport: the time and API requests of a deploy that changes nothing.
func noopRedeploy(b *testing.B, cfg *rest.Config, d *deployment.Deployment, res *render.Result) (time.Duration, int64) {
	var n atomic.Int64
	counted := rest.CopyConfig(cfg)
	counted.Wrap(func(rt http.RoundTripper) http.RoundTripper {
		return roundTripFunc(func(r *http.Request) (*http.Response, error) { n.Add(1); return rt.RoundTrip(r) })
	})
	start := time.Now()
	a, err := apply.New(counted)
	if err != nil {
		b.Fatal(err)
	}
	objects, err := apply.ReadObjects(res.YAML())
	if err != nil {
		b.Fatal(err)
	}
	dir, _ := filepath.Abs(d.Dir)
	applied, err := a.Apply(context.Background(), apply.Request{Namespace: d.Namespace(), DeploymentDir: dir, DeploymentID: d.Record.DeploymentID, Labels: render.Labels(d), Objects: objects})
	if err == nil {
		err = a.Prune(context.Background(), applied)
	}
	if err != nil {
		b.Fatal(err)
	}
	if applied.Result.Changed() {
		b.Fatal("the redeploy changed something; it should be a no-op")
	}
	return time.Since(start), n.Load()
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func bigDeployment(b *testing.B, pods int) (string, string) {
	root := b.TempDir()
	n := seq.Add(1)
	ns := fmt.Sprintf("big-%d", n)
	var stack, vols strings.Builder
	stack.WriteString("name: big\npods:\n")
	for p := range pods {
		fmt.Fprintf(&stack, "  - pod%d\n", p)
		testutil.WriteFile(b, root, fmt.Sprintf("compose/docker-compose-pod%d.yml", p), fmt.Sprintf(
			"services:\n  api%d:\n    image: example/api:1\n    ports: [\"8080\"]\n    volumes: [\"data%d:/data\"]\n  side%d:\n    image: example/side:1\n    environment:\n      API: http://api%d:8080\n    ports: [\"9090\"]\nvolumes:\n  data%d:\n", p, p, p, p, p))
		fmt.Fprintf(&vols, "  data%d: /srv/%s/data%d\n", p, ns, p)
	}
	testutil.WriteFile(b, root, "stacks/big/stack.yml", stack.String())
	specPath := testutil.WriteFile(b, root, "spec.yml", fmt.Sprintf("stack: %s\ndeploy-to: k8s\nnamespace: %s\nvolumes:\n%s", filepath.Join(root, "stacks/big"), ns, vols.String()))
	dir := filepath.Join(root, "dep")
	if _, errOut, err := run(b, "create", "--spec-file", specPath, "-d", dir); err != nil {
		b.Fatalf("create: %v\n%s", err, errOut)
	}
	return dir, ns
}
