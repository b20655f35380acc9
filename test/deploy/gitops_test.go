package deploy

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fluxcd/cli-utils/pkg/kstatus/polling"
	fluxkustomize "github.com/fluxcd/pkg/kustomize"
	"github.com/fluxcd/pkg/ssa"
	"github.com/google/go-cmp/cmp"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
	"github.com/kubectl-stack/kubectl-stack/pkg/apply"
	"github.com/kubectl-stack/kubectl-stack/pkg/deployment"
	"github.com/kubectl-stack/kubectl-stack/pkg/labels"
	"github.com/kubectl-stack/kubectl-stack/test/cluster"
)

// kubectlCmd runs the installed kubectl against the local cluster.
func kubectlCmd(t *testing.T, args ...string) (string, error) {
	t.Helper()
	kubectl, err := exec.LookPath("kubectl")
	if err != nil {
		t.Fatal("kubectl is needed: the GitOps tests check the tree with kubectl's own kustomize and apply")
	}
	out, err := exec.Command(kubectl, append([]string{"--kubeconfig", cluster.Shared(t).Kubeconfig}, args...)...).CombinedOutput()
	return string(out), err
}

func mustKubectl(t *testing.T, args ...string) string {
	t.Helper()
	out, err := kubectlCmd(t, args...)
	if err != nil {
		t.Fatalf("kubectl %v: %v\n%s", args, err, out)
	}
	return out
}

// renderTo renders a deployment into the tree and returns its overlay.
func renderTo(t *testing.T, dir, tree string, extra ...string) string {
	t.Helper()
	out, errOut, err := run(t, append([]string{"render", "-d", dir, "--output-dir", tree}, extra...)...)
	if err != nil {
		t.Fatalf("render: %v\n%s", err, errOut)
	}
	return strings.TrimSpace(out)
}

// pluginObjects are the objects the plugin builds for a deployment.
func pluginObjects(t *testing.T, dir string) []*unstructured.Unstructured {
	t.Helper()
	out, errOut, err := run(t, "render", "-d", dir, "--stdout")
	if err != nil {
		t.Fatalf("render --stdout: %v\n%s", err, errOut)
	}
	return readObjects(t, []byte(out))
}

func readObjects(t *testing.T, data []byte) []*unstructured.Unstructured {
	t.Helper()
	objs, err := apply.ReadObjects(data)
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

// byID indexes objects by kind/namespace/name.
func byID(objs []*unstructured.Unstructured) map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, o := range objs {
		out[objectID(o)] = o.Object
	}
	return out
}

func objectID(o *unstructured.Unstructured) string {
	return o.GetKind() + "/" + o.GetNamespace() + "/" + o.GetName()
}

// fluxBuild builds an overlay as Flux's kustomize-controller does: on its
// own copy of the checkout, with the Kustomization's generator, through a
// file system that refuses anything outside the checkout's root.
func fluxBuild(t *testing.T, tree, overlay string) []*unstructured.Unstructured {
	t.Helper()
	root := t.TempDir()
	testutil.CopyTree(t, tree, root)
	rel, err := filepath.Rel(tree, overlay)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, rel)
	ks := unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
		"metadata": map[string]any{"name": "app", "namespace": "flux-system"},
		"spec":     map[string]any{"path": "./" + filepath.ToSlash(rel), "prune": true},
	}}
	if _, err := fluxkustomize.NewGenerator(root, ks).WriteFile(dir); err != nil {
		t.Fatalf("Flux's generator on %s: %v", rel, err)
	}
	rm, err := fluxkustomize.SecureBuild(root, dir, false)
	if err != nil {
		t.Fatalf("Flux's secure build of %s: %v", rel, err)
	}
	out, err := rm.AsYaml()
	if err != nil {
		t.Fatal(err)
	}
	return readObjects(t, out)
}

// TestGitOpsTreeOfThreeDeployments: two deployments of one stack and one
// of another render into one tree; each overlay builds to the plugin's
// objects with Flux's builder and with kubectl kustomize; applying the
// overlays with kubectl apply --server-side -k gives the same live objects
// as deploying them with the plugin, minus the deploy-time additions.
func TestGitOpsTreeOfThreeDeployments(t *testing.T) {
	var dirs, namespaces []string
	for range 2 {
		_, specPath, ns := stack(t)
		dirs, namespaces = append(dirs, create(t, specPath)), append(namespaces, ns)
	}
	wp, wpNS := createUntuned(t, "wordpress")
	dirs, namespaces = append(dirs, wp), append(namespaces, wpNS)
	tree := filepath.Join(t.TempDir(), "gitops")
	var overlays []string
	for _, d := range dirs {
		overlays = append(overlays, renderTo(t, d, tree))
	}
	want := make([][]*unstructured.Unstructured, len(dirs))
	for i, ov := range overlays {
		want[i] = pluginObjects(t, dirs[i])
		for builder, got := range map[string][]*unstructured.Unstructured{
			"Flux's kustomize builder": fluxBuild(t, tree, ov),
			"kubectl kustomize":        readObjects(t, []byte(mustKubectl(t, "kustomize", ov))),
		} {
			if d := cmp.Diff(byID(want[i]), byID(got)); d != "" {
				t.Errorf("%s of %s differs from the plugin's objects (-plugin +builder):\n%s", builder, ov, d)
			}
		}
	}

	for _, ov := range overlays {
		mustKubectl(t, "apply", "--server-side", "-k", ov)
	}
	viaKubectl := liveObjects(t, want)
	for _, ov := range overlays {
		mustKubectl(t, "delete", "-k", ov, "--wait", "--timeout=3m")
	}
	waitNamespacesGone(t, namespaces)

	t.Setenv("DEMO_REGISTRY_TOKEN", token)
	for _, d := range dirs {
		deploy(t, d, "--wait=false")
	}
	viaPlugin := liveObjects(t, want)
	if d := cmp.Diff(viaKubectl, viaPlugin); d != "" {
		t.Errorf("live objects differ between kubectl apply -k of the tree and deploy (-kubectl +deploy):\n%s", d)
	}
	checkDeployTimeAdditions(t, dirs, namespaces, want)
}

// createUntuned creates a deployment of a stack of test/testdata/untuned
// in its own namespace and returns its directory and namespace.
func createUntuned(t *testing.T, name string) (string, string) {
	t.Helper()
	root := t.TempDir()
	src, _ := filepath.Abs(filepath.Join("../testdata/untuned", name))
	testutil.CopyTree(t, src, filepath.Join(root, name))
	specPath := filepath.Join(root, "ops", "spec.yml")
	if _, errOut, err := run(t, "init", "--stack", filepath.Join(root, name), "--deploy-to", "k8s", "--output", specPath); err != nil {
		t.Fatalf("init: %v\n%s", err, errOut)
	}
	ns := fmt.Sprintf("untuned-%s-%d", name, nameSeq.Add(1))
	testutil.WriteFile(t, root, "ops/spec.yml", strings.Replace(testutil.ReadFile(t, specPath), "namespace: laconic-"+name, "namespace: "+ns, 1))
	return create(t, specPath), ns
}

// serverSet are the fields the API server or controllers set differently
// for two applies of the same object, and the deploy-time addition to the
// namespace (the deployment directory that owns it, and the deployment
// that created it).
var serverSet = [][]string{
	{"metadata", "managedFields"}, {"metadata", "resourceVersion"}, {"metadata", "uid"},
	{"metadata", "creationTimestamp"}, {"metadata", "generation"}, {"status"},
	{"metadata", "annotations", "deployment.kubernetes.io/revision"},
	{"metadata", "annotations", "pv.kubernetes.io/bind-completed"},
	{"metadata", "annotations", "pv.kubernetes.io/bound-by-controller"},
	{"spec", "clusterIP"}, {"spec", "clusterIPs"}, {"spec", "claimRef"},
	{"metadata", "annotations", apply.OwnerAnnotation},
	{"metadata", "annotations", labels.CreatedNamespaceAnnotation},
	// A Job's selector and pod labels carry its uid.
	{"spec", "selector", "matchLabels", "batch.kubernetes.io/controller-uid"},
	{"spec", "template", "metadata", "labels", "batch.kubernetes.io/controller-uid"},
	{"spec", "template", "metadata", "labels", "controller-uid"},
}

// liveObjects reads the live state of every object the plugin renders.
func liveObjects(t *testing.T, want [][]*unstructured.Unstructured) map[string]map[string]any {
	t.Helper()
	cl := controllerClient(t)
	out := map[string]map[string]any{}
	for _, objs := range want {
		for _, o := range objs {
			live := &unstructured.Unstructured{}
			live.SetGroupVersionKind(o.GroupVersionKind())
			if err := cl.Get(context.Background(), client.ObjectKeyFromObject(o), live); err != nil {
				t.Fatalf("reading %s: %v", objectID(o), err)
			}
			for _, f := range serverSet {
				unstructured.RemoveNestedField(live.Object, f...)
			}
			dropAssignedNodePorts(live, o)
			if _, set, _ := unstructured.NestedString(o.Object, "spec", "volumeName"); !set && o.GetKind() == "PersistentVolumeClaim" {
				// The provisioner's volume, named after the claim's uid.
				unstructured.RemoveNestedField(live.Object, "spec", "volumeName")
			}
			if len(live.GetAnnotations()) == 0 {
				unstructured.RemoveNestedField(live.Object, "metadata", "annotations")
			}
			out[objectID(o)] = live.Object
		}
	}
	return out
}

// dropAssignedNodePorts removes the NodePorts the API server picked (the
// rendered Service left them open), which differ between two creations.
func dropAssignedNodePorts(live, rendered *unstructured.Unstructured) {
	if live.GetKind() != "Service" {
		return
	}
	want, _, _ := unstructured.NestedSlice(rendered.Object, "spec", "ports")
	ports, _, _ := unstructured.NestedSlice(live.Object, "spec", "ports")
	for i, p := range ports {
		if i < len(want) {
			if _, fixed := want[i].(map[string]any)["nodePort"]; !fixed {
				delete(p.(map[string]any), "nodePort")
			}
		}
	}
	_ = unstructured.SetNestedSlice(live.Object, ports, "spec", "ports")
}

func controllerClient(t *testing.T) client.Client {
	t.Helper()
	cl, err := client.New(cluster.Shared(t).Config, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return cl
}

func waitNamespacesGone(t *testing.T, namespaces []string) {
	t.Helper()
	c := cluster.Shared(t).Client
	err := wait.PollUntilContextTimeout(context.Background(), 500*time.Millisecond, 3*time.Minute, true, func(ctx context.Context) (bool, error) {
		for _, ns := range namespaces {
			if _, err := c.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
				return false, nil
			}
		}
		return true, nil
	})
	if err != nil {
		t.Fatalf("namespaces %v are not gone: %v", namespaces, err)
	}
}

// checkDeployTimeAdditions: what deploy applies beyond the tree is the
// listed set: the namespace's owner annotation (checked by liveObjects'
// exception), the inventory and the registry pull secret.
func checkDeployTimeAdditions(t *testing.T, dirs, namespaces []string, want [][]*unstructured.Unstructured) {
	t.Helper()
	c := cluster.Shared(t).Client
	ctx := context.Background()
	for i, ns := range namespaces {
		rendered := byID(want[i])
		var extra []string
		cms, _ := c.CoreV1().ConfigMaps(ns).List(ctx, metav1.ListOptions{LabelSelector: "app.kubernetes.io/managed-by=kubectl-stack"})
		for _, cm := range cms.Items {
			if _, ok := rendered["ConfigMap/"+ns+"/"+cm.Name]; !ok {
				extra = append(extra, "ConfigMap/"+cm.Name)
			}
		}
		secrets, _ := c.CoreV1().Secrets(ns).List(ctx, metav1.ListOptions{LabelSelector: "app.kubernetes.io/managed-by=kubectl-stack"})
		for _, s := range secrets.Items {
			if _, ok := rendered["Secret/"+ns+"/"+s.Name]; !ok {
				extra = append(extra, "Secret/"+s.Name)
			}
		}
		slices.Sort(extra)
		id := deploymentID(t, dirs[i])
		wantExtra := []string{"ConfigMap/" + id + "-inventory"}
		if strings.HasPrefix(ns, "hello-") {
			wantExtra = append(wantExtra, "Secret/"+id+"-registry")
		}
		if !slices.Equal(extra, wantExtra) {
			t.Errorf("%s: deploy added %v beyond the tree, want %v", ns, extra, wantExtra)
		}
		got, err := c.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
		if err != nil || got.Annotations[apply.OwnerAnnotation] == "" {
			t.Errorf("namespace %s: deploy did not record its owner (%v)", ns, err)
		}
	}
}

func deploymentID(t *testing.T, dir string) string {
	t.Helper()
	for _, line := range strings.Split(testutil.ReadFile(t, filepath.Join(dir, "deployment.yml")), "\n") {
		if v, ok := strings.CutPrefix(line, "deployment-id: "); ok {
			return strings.TrimSpace(v)
		}
	}
	t.Fatalf("%s/deployment.yml has no deployment-id", dir)
	return ""
}

// fluxApply applies objects as Flux's kustomize-controller does: its field
// manager, staged, forcing (delete and recreate) only what carries its
// force annotation.
func fluxApply(t *testing.T, objs []*unstructured.Unstructured) error {
	t.Helper()
	cl := controllerClient(t)
	poller := polling.NewStatusPoller(cl, cl.RESTMapper(), polling.Options{})
	rm := ssa.NewResourceManager(cl, poller, ssa.Owner{Field: "kustomize-controller", Group: "kustomize.toolkit.fluxcd.io"})
	_, err := rm.ApplyAllStaged(context.Background(), objs, ssa.ApplyOptions{
		ForceSelector: map[string]string{"kustomize.toolkit.fluxcd.io/force": "enabled"},
		WaitInterval:  time.Second, WaitTimeout: time.Minute,
	})
	return err
}

// TestChangedJobAppliesInFlux: a Job whose template changed is recreated
// by Flux's apply because of the annotation the tree gives it; without the
// annotation the same change is refused as immutable.
func TestChangedJobAppliesInFlux(t *testing.T) {
	_, specPath, ns := stack(t)
	dir := create(t, specPath)
	id := deploymentID(t, dir)
	job := "Job/" + ns + "/" + id + "-job-seed"
	build := func(image string, annotated bool) []*unstructured.Unstructured {
		out, errOut, err := run(t, "render", "-d", dir, "--stdout", "--image", "seed="+image)
		if err != nil {
			t.Fatalf("render: %v\n%s", err, errOut)
		}
		objs := readObjects(t, []byte(out))
		for _, o := range objs {
			if objectID(o) == job && !annotated {
				o.SetAnnotations(nil)
			}
		}
		return objs
	}
	if err := fluxApply(t, build("example/seed:1", false)); err != nil {
		t.Fatalf("first apply: %v", err)
	}
	if err := fluxApply(t, build("example/seed:2", false)); err == nil || !strings.Contains(err.Error(), "immutable") {
		t.Fatalf("changed Job without the annotation: %v, want it refused as immutable (else this test proves nothing)", err)
	}
	if err := fluxApply(t, build("example/seed:2", true)); err != nil {
		t.Fatalf("changed Job with the tree's annotations: %v", err)
	}
	got := &unstructured.Unstructured{}
	got.SetAPIVersion("batch/v1")
	got.SetKind("Job")
	if err := controllerClient(t).Get(context.Background(), client.ObjectKey{Namespace: ns, Name: id + "-job-seed"}, got); err != nil {
		t.Fatal(err)
	}
	containers, _, _ := unstructured.NestedSlice(got.Object, "spec", "template", "spec", "containers")
	if data, _ := json.Marshal(containers); !strings.Contains(string(data), "example/seed:2") {
		t.Errorf("the Job was not recreated with the new image: %s", data)
	}
}

// pipelineCRDs are the CRD files of the controllers whose objects render
// writes, from the modules of released versions (the Go module proxy
// serves them; the module cache keeps them).
var pipelineCRDs = []struct{ module, file string }{
	{"github.com/fluxcd/source-controller@v1.7.0", "config/crd/bases/source.toolkit.fluxcd.io_gitrepositories.yaml"},
	{"github.com/fluxcd/kustomize-controller@v1.7.3", "config/crd/bases/kustomize.toolkit.fluxcd.io_kustomizations.yaml"},
	{"github.com/argoproj/argo-cd/v3@v3.1.0", "manifests/crds/application-crd.yaml"},
}

func installPipelineCRDs(t *testing.T) {
	t.Helper()
	for _, c := range pipelineCRDs {
		out, err := exec.Command("go", "mod", "download", "-json", c.module).Output()
		if err != nil {
			t.Fatalf("go mod download %s: %v\n%s", c.module, err, out)
		}
		var mod struct{ Dir string }
		if err := json.Unmarshal(out, &mod); err != nil || mod.Dir == "" {
			t.Fatalf("go mod download %s: %v\n%s", c.module, err, out)
		}
		mustKubectl(t, "apply", "--server-side", "-f", filepath.Join(mod.Dir, c.file))
	}
	mustKubectl(t, "wait", "--for=condition=established", "--timeout=60s",
		"crd/gitrepositories.source.toolkit.fluxcd.io", "crd/kustomizations.kustomize.toolkit.fluxcd.io", "crd/applications.argoproj.io")
	for _, ns := range []string{"flux-system", "argocd"} {
		if out, err := kubectlCmd(t, "create", "namespace", ns); err != nil && !strings.Contains(out, "AlreadyExists") {
			t.Fatalf("creating namespace %s: %v\n%s", ns, err, out)
		}
	}
}

// TestPipelineObjectsAreValid: the Flux Kustomization, its GitRepository
// and the Argo CD Application that render writes pass the API server's
// strict validation against the controllers' own CRDs, and point at the
// overlay's path in the repository (found from the tree's checkout).
func TestPipelineObjectsAreValid(t *testing.T) {
	installPipelineCRDs(t)
	_, specPath, _ := stack(t)
	dir := create(t, specPath)
	repo := t.TempDir()
	testutil.Git(t, repo, "init", "-q", "-b", "main")
	testutil.Git(t, repo, "remote", "add", "origin", "https://git.example.com/ops.git")
	tree := filepath.Join(repo, "clusters", "prod")
	overlay := renderTo(t, dir, tree, "--flux-kustomization", "--argocd-application")
	id := filepath.Base(overlay)
	for _, file := range []string{"flux-kustomization.yaml", "argocd-application.yaml"} {
		path := filepath.Join(tree, "pipelines", id, file)
		data := testutil.ReadFile(t, path)
		if !strings.Contains(data, "clusters/prod/overlays/"+id) {
			t.Errorf("%s does not point at the overlay's path in the repository:\n%s", file, data)
		}
		mustKubectl(t, "apply", "--server-side", "--validate=strict", "-f", path)
	}
	if data := testutil.ReadFile(t, filepath.Join(tree, "pipelines", id, "argocd-application.yaml")); !strings.Contains(data, "repoURL: https://git.example.com/ops.git") {
		t.Errorf("the Application does not use the checkout's origin:\n%s", data)
	}
	// A render without the pipeline flags keeps them.
	renderTo(t, dir, tree)
	if _, err := os.Stat(filepath.Join(tree, "pipelines", id, "flux-kustomization.yaml")); err != nil {
		t.Errorf("a plain render removed the pipeline objects: %v", err)
	}
}

// TestSecretsOnlyForAPipeline: a pipeline applied the tree first (the
// namespace has the deployment's labels and no owner); deploy
// --secrets-only claims the namespace and adds the pull secret without
// touching the workloads; the pipeline's next apply keeps the claim; a
// directory of another deployment is refused that namespace.
func TestSecretsOnlyForAPipeline(t *testing.T) {
	c := cluster.Shared(t).Client
	ctx := context.Background()
	root, specPath, ns := stack(t)
	testutil.WriteFile(t, root, "ops/spec.yml", strings.Replace(testutil.ReadFile(t, specPath), "config:\n", "config:\n  API_KEY: $generate:hex:16$\n", 1))
	dir := create(t, specPath)
	id := deploymentID(t, dir)
	generated, err := deployment.ReadGenerated(dir)
	if err != nil || generated["API_KEY"] == "" {
		t.Fatalf("generated values: %v %v", generated, err)
	}
	tree := filepath.Join(t.TempDir(), "tree")
	overlay := renderTo(t, dir, tree)
	testutil.AssertTreeLacks(t, tree, generated["API_KEY"], token)
	mustKubectl(t, "apply", "--server-side", "-k", overlay)

	_, errOut := deploy(t, dir, "--secrets-only")
	if _, err := c.CoreV1().Secrets(ns).Get(ctx, id+"-registry", metav1.GetOptions{}); err != nil {
		t.Errorf("the pull secret was not made: %v\n%s", err, errOut)
	}
	if s, err := c.CoreV1().Secrets(ns).Get(ctx, "hello-generated-secrets", metav1.GetOptions{}); err != nil || string(s.Data["API_KEY"]) != generated["API_KEY"] {
		t.Errorf("the generated values' Secret was not made with D's value: %v", err)
	}
	deps, err := c.AppsV1().Deployments(ns).List(ctx, metav1.ListOptions{})
	if err != nil || len(deps.Items) == 0 {
		t.Fatalf("the pipeline's Deployments: %v", err)
	}
	for _, d := range deps.Items {
		for _, m := range d.ManagedFields {
			if m.Manager == apply.FieldManager {
				t.Errorf("--secrets-only applied %s", d.Name)
			}
		}
	}
	owner := func() string {
		got, err := c.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return got.Annotations[apply.OwnerAnnotation]
	}
	if owner() != dir {
		t.Errorf("namespace owner = %q, want %s", owner(), dir)
	}
	mustKubectl(t, "apply", "--server-side", "-k", overlay)
	if owner() != dir {
		t.Errorf("the pipeline's apply removed the namespace's owner: %q", owner())
	}

	// The full deploy after it takes over without pruning anything.
	deploy(t, dir, "--wait=false")
	inv, err := c.CoreV1().ConfigMaps(ns).Get(ctx, id+"-inventory", metav1.GetOptions{})
	if err != nil || !strings.Contains(inv.Data["objects"], "Deployment") {
		t.Errorf("inventory after the full deploy: %v %v", inv.Data, err)
	}
	// A secrets-only deploy after a full one keeps the inventory whole.
	deploy(t, dir, "--secrets-only")
	inv, err = c.CoreV1().ConfigMaps(ns).Get(ctx, id+"-inventory", metav1.GetOptions{})
	if err != nil || !strings.Contains(inv.Data["objects"], "Deployment") {
		t.Errorf("--secrets-only narrowed the inventory: %v %v", inv.Data, err)
	}

	// Another deployment's directory is refused the namespace that the
	// pipeline labelled as this deployment's, even without an owner.
	_, otherSpec, _ := stack(t)
	first := create(t, otherSpec)
	mustKubectl(t, "apply", "--server-side", "-k", renderTo(t, first, filepath.Join(t.TempDir(), "tree")))
	second := create(t, otherSpec)
	t.Setenv("DEMO_REGISTRY_TOKEN", token)
	_, _, err = run(t, "deploy", "-d", second, "--secrets-only")
	if err == nil || !strings.Contains(err.Error(), "applied without a deployment directory") {
		t.Errorf("deploy of another deployment into the pipeline's namespace = %v, want it refused", err)
	}
}

// TestFluxKustomizationPerWave: for a stack whose services start in
// depends_on's waves, render --flux-kustomization writes one Flux
// Kustomization per wave, each depending on the one before and waiting,
// that pass strict validation against Flux's CRD; Flux's own builder
// makes of the wave directories exactly the overlay's objects, each in
// one wave only, and every workload in its own wave.
func TestFluxKustomizationPerWave(t *testing.T) {
	installPipelineCRDs(t)
	project := filepath.Join(t.TempDir(), "chain")
	testutil.WriteFile(t, project, "compose.yaml", `services:
  db:
    image: postgres:16
    healthcheck:
      test: ["CMD", "pg_isready"]
  migrate:
    image: registry.example/app:1
    restart: "no"
    depends_on:
      db: {condition: service_healthy}
  web:
    image: registry.example/app:1
    depends_on:
      migrate: {condition: service_completed_successfully}
`)
	dir, errOut, err := initAndCreate(t, project, fmt.Sprintf("flux-waves-%d", nameSeq.Add(1)))
	if err != nil {
		t.Fatalf("create: %v\n%s", err, errOut)
	}
	tree := filepath.Join(t.TempDir(), "gitops")
	overlay := renderTo(t, dir, tree, "--flux-kustomization", "--repo-path", "clusters/dev")
	id := filepath.Base(overlay)
	pipeline := filepath.Join(tree, "pipelines", id, "flux-kustomization.yaml")
	mustKubectl(t, "apply", "--server-side", "--validate=strict", "-f", pipeline)

	var waves []string
	previous := ""
	for i, k := range readObjects(t, []byte(testutil.ReadFile(t, pipeline))) {
		path, _, _ := unstructured.NestedString(k.Object, "spec", "path")
		deps, _, _ := unstructured.NestedSlice(k.Object, "spec", "dependsOn")
		wait, _, _ := unstructured.NestedBool(k.Object, "spec", "wait")
		want := fmt.Sprintf("./clusters/dev/pipelines/%s/waves/%d", id, i)
		if k.GetName() != fmt.Sprintf("%s-wave-%d", id, i) || path != want || !wait || (previous == "") != (len(deps) == 0) ||
			(previous != "" && deps[0].(map[string]any)["name"] != previous) {
			t.Errorf("Kustomization %d: %s path %s wait %v dependsOn %v; want %s-wave-%d at %s after %q, waiting", i, k.GetName(), path, wait, deps, id, i, want, previous)
		}
		previous = k.GetName()
		waves = append(waves, filepath.Join(tree, "pipelines", id, "waves", fmt.Sprint(i)))
	}
	if len(waves) != 3 {
		t.Fatalf("%d Kustomizations, want one per wave (db, migrate, web): 3", len(waves))
	}

	union := map[string]map[string]any{}
	for i, w := range waves {
		for _, o := range fluxBuild(t, tree, w) {
			if _, twice := union[objectID(o)]; twice {
				t.Errorf("%s is in two waves", objectID(o))
			}
			union[objectID(o)] = o.Object
			wave := o.GetAnnotations()["kubectl-stack.io/wave"]
			if (o.GetKind() == "Deployment" || o.GetKind() == "Job") && wave != fmt.Sprint(i) && !(i == 0 && wave == "") {
				t.Errorf("%s (wave %q) is built in wave %d", objectID(o), wave, i)
			}
		}
	}
	if d := cmp.Diff(byID(pluginObjects(t, dir)), union); d != "" {
		t.Errorf("the waves together differ from the plugin's objects (-plugin +waves):\n%s", d)
	}
}
