package deploy

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/discovery"
	memory "k8s.io/client-go/discovery/cached"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
	"github.com/kubectl-stack/kubectl-stack/pkg/apply"
	"github.com/kubectl-stack/kubectl-stack/pkg/deployment"
	"github.com/kubectl-stack/kubectl-stack/pkg/render"
	"github.com/kubectl-stack/kubectl-stack/test/cluster"
)

// BenchmarkDeploy measures deploy against its baselines on generated
// stacks (2 services per pod, a port each, a host-path volume per pod),
// all sizes in one run on one cluster, each baseline from a clean state:
//
//   - kubectl-s: kubectl apply --server-side --validate=false -k of the
//     rendered overlay; kubectl-validate-s: the same with kubectl's
//     default validation (up to 200 pods: it re-reads its OpenAPI
//     document for every object);
//   - floor-s: hack/rawapply applying the same objects, 16 workers;
//   - deploy-s: kubectl stack deploy --wait=false, the whole process
//     (load, render, checks, apply, inventory), deploy-MiB its peak RSS,
//     deploy/floor the ratio (floor and deploy alternate twice, the faster
//     run of each counts);
//   - noop-s: the same command again, nothing to do, whole process;
//     noop-apply-s and noop-requests: such a redeploy in process from
//     connecting to the end of the prune, and its API requests;
//     noop-apply/list its ratio to list-floor-s, one LIST per kind the
//     deployment has;
//   - at 200 pods: diff-s, status-s and stop-s, whole processes.
//
// KUBECTL_STACK_BENCH_PODS picks the sizes (default 10,50,200,500).
// Run: hack/bench-deploy.sh
func BenchmarkDeploy(b *testing.B) {
	c := cluster.Shared(b)
	kubectl, err := exec.LookPath("kubectl")
	if err != nil {
		b.Fatal("kubectl is needed for the baseline")
	}
	bin := buildTools(b)
	sizes := os.Getenv("KUBECTL_STACK_BENCH_PODS")
	if sizes == "" {
		sizes = "10,50,200,500"
	}
	for _, size := range strings.Split(sizes, ",") {
		pods, err := strconv.Atoi(size)
		if err != nil {
			b.Fatalf("KUBECTL_STACK_BENCH_PODS: %v", err)
		}
		b.Run(fmt.Sprintf("pods=%d", pods), func(b *testing.B) {
			for b.Loop() {
				benchDeploy(b, c, kubectl, bin, pods)
			}
		})
	}
}

// tools are the binaries the benchmark runs as processes.
type tools struct{ stack, rawapply string }

func buildTools(b *testing.B) tools {
	dir := b.TempDir()
	t := tools{stack: filepath.Join(dir, "kubectl-stack"), rawapply: filepath.Join(dir, "rawapply")}
	for out, pkg := range map[string]string{t.stack: "../../cmd/kubectl-stack", t.rawapply: "../../hack/rawapply"} {
		if msg, err := exec.Command("go", "build", "-o", out, pkg).CombinedOutput(); err != nil {
			b.Fatalf("go build %s: %v\n%s", pkg, err, msg)
		}
	}
	return t
}

func benchDeploy(b *testing.B, c *cluster.Cluster, kubectl string, bin tools, pods int) {
	dir, ns := bigDeployment(b, pods)
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
	id := d.Record.DeploymentID
	overlay := filepath.Join(tree, res.Overlay)
	kc := "--kubeconfig=" + c.Kubeconfig

	kubectlTime, _ := timeProcess(b, "", kubectl, kc, "apply", "--server-side", "--validate=false", "-k", overlay)
	clean(b, c, ns, id)
	if pods <= 200 {
		validating, _ := timeProcess(b, "", kubectl, kc, "apply", "--server-side", "-k", overlay)
		clean(b, c, ns, id)
		b.ReportMetric(validating.Seconds(), "kubectl-validate-s")
	}
	// The floor and deploy alternate, twice, and the faster of each
	// counts: the server's pace drifts between runs on two shared cores.
	floor, deployTime := time.Duration(math.MaxInt64), time.Duration(math.MaxInt64)
	var rss int64
	for round := range 2 {
		f, _ := timeProcess(b, string(res.YAML()), bin.rawapply, kc)
		clean(b, c, ns, id)
		d, r := timeProcess(b, "", bin.stack, kc, "deploy", "-d", dir, "--wait=false")
		floor, deployTime, rss = min(floor, f), min(deployTime, d), max(rss, r)
		if round == 0 {
			if _, errOut, err := run(b, "stop", "-d", dir, "--delete-volumes"); err != nil {
				b.Fatalf("stop: %v\n%s", err, errOut)
			}
			clean(b, c, ns, id)
		}
	}
	noop, _ := timeProcess(b, "", bin.stack, kc, "deploy", "-d", dir, "--wait=false")
	noopApply, requests := noopRedeploy(b, c.Config, d, res)
	lists := listFloor(b, c, res)
	if pods == 200 {
		settle(b, c, ns)
		diffTime, _ := timeProcess(b, "", bin.stack, kc, "diff", "-d", dir)
		statusTime, _ := timeProcess(b, "", bin.stack, kc, "status", "-d", dir)
		b.ReportMetric(diffTime.Seconds(), "diff-s")
		b.ReportMetric(statusTime.Seconds(), "status-s")
	}
	stopTime, _ := timeProcess(b, "", bin.stack, kc, "stop", "-d", dir)
	if pods == 200 {
		b.ReportMetric(stopTime.Seconds(), "stop-s")
	}
	clean(b, c, ns, id)

	b.ReportMetric(kubectlTime.Seconds(), "kubectl-s")
	b.ReportMetric(floor.Seconds(), "floor-s")
	b.ReportMetric(deployTime.Seconds(), "deploy-s")
	b.ReportMetric(deployTime.Seconds()/floor.Seconds(), "deploy/floor")
	b.ReportMetric(float64(rss)/1024, "deploy-MiB")
	b.ReportMetric(noop.Seconds(), "noop-s")
	b.ReportMetric(float64(requests), "noop-requests")
	b.ReportMetric(lists.Seconds(), "list-floor-s")
	b.ReportMetric(noopApply.Seconds(), "noop-apply-s")
	b.ReportMetric(noopApply.Seconds()/lists.Seconds(), "noop-apply/list")
}

// timeProcess runs a command (stdin from input) and returns its wall time
// and peak RSS in KiB; a failure ends the benchmark.
func timeProcess(b *testing.B, input, name string, args ...string) (time.Duration, int64) {
	cmd := exec.Command(name, args...)
	cmd.Stdin = strings.NewReader(input)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	if err := cmd.Run(); err != nil {
		b.Fatalf("%s %s: %v\n%s", filepath.Base(name), strings.Join(args[1:], " "), err, out.String())
	}
	elapsed := time.Since(start)
	return elapsed, cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss
}

// listFloor is the fastest of 3 rounds of one LIST per kind the rendered
// objects have (in their namespace; cluster-wide for PVs): the least a
// redeploy can read.
func listFloor(b *testing.B, c *cluster.Cluster, res *render.Result) time.Duration {
	objects := res.Objects()
	cfg := rest.CopyConfig(c.Config)
	cfg.QPS, cfg.Burst = 1000, 1000 // the floor, not client-go's throttle
	dyn := dynamic.NewForConfigOrDie(cfg)
	mapper := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(discovery.NewDiscoveryClientForConfigOrDie(cfg)))
	kinds := map[string]*unstructured.Unstructured{}
	for _, o := range objects {
		kinds[o.GetKind()+"/"+o.GetNamespace()] = o
	}
	best := time.Duration(math.MaxInt64)
	for range 3 {
		start := time.Now()
		for _, o := range kinds {
			gvk := o.GroupVersionKind()
			m, err := mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := dyn.Resource(m.Resource).Namespace(o.GetNamespace()).List(context.Background(), metav1.ListOptions{}); err != nil {
				b.Fatal(err)
			}
		}
		best = min(best, time.Since(start))
	}
	return best
}

// settle waits until the deployment controller has seen every Deployment
// (it annotates them after deploy returns): a diff meanwhile is a race.
func settle(b *testing.B, c *cluster.Cluster, ns string) {
	err := wait.PollUntilContextTimeout(context.Background(), time.Second, 5*time.Minute, true, func(ctx context.Context) (bool, error) {
		deps, err := c.Client.AppsV1().Deployments(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return false, err
		}
		for _, d := range deps.Items {
			if d.Status.ObservedGeneration != d.Generation || d.Annotations["deployment.kubernetes.io/revision"] == "" {
				return false, nil
			}
		}
		return true, nil
	})
	if err != nil {
		b.Fatalf("Deployments in %s not observed: %v", ns, err)
	}
}

// clean removes what an apply made: the namespace and the PVs.
func clean(b *testing.B, c *cluster.Cluster, ns, id string) {
	ctx := context.Background()
	_ = c.Client.CoreV1().Namespaces().Delete(ctx, ns, metav1.DeleteOptions{})
	_ = c.Client.CoreV1().PersistentVolumes().DeleteCollection(ctx, metav1.DeleteOptions{}, metav1.ListOptions{LabelSelector: "app=" + id})
	for range 3000 {
		_, err := c.Client.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
		pvs, _ := c.Client.CoreV1().PersistentVolumes().List(ctx, metav1.ListOptions{LabelSelector: "app=" + id})
		if err != nil && len(pvs.Items) == 0 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.Fatalf("namespace %s did not go", ns)
}

// noopRedeploy redeploys a rendered stack through the apply package with a
// counting transport: the time from connecting (discovery included) to the
// end of Apply and Prune when they have nothing to do, and its API
// requests. Loading and rendering are not in it (noop-s has them).
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
	objects := res.Objects()
	dir, _ := filepath.Abs(d.Dir)
	apply.MarkOwner(objects, d.Namespace(), dir)
	applied, err := a.Apply(context.Background(), apply.Request{Namespace: d.Namespace(), DeploymentDir: dir, DeploymentID: d.Record.DeploymentID, Labels: render.Labels(d), Objects: objects})
	if err == nil {
		err = a.Prune(context.Background(), applied)
	}
	if err != nil {
		b.Fatal(err)
	}
	elapsed := time.Since(start)
	if applied.Result.Changed() {
		b.Fatalf("the redeploy changed something; it should be a no-op: %v", changed(applied.Result))
	}
	return elapsed, n.Load()
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func bigDeployment(b *testing.B, pods int) (string, string) {
	root := b.TempDir()
	n := nameSeq.Add(1)
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
