package deploy

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/fluxcd/pkg/ssa"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
	"github.com/kubectl-stack/kubectl-stack/pkg/apply"
	"github.com/kubectl-stack/kubectl-stack/pkg/deployment"
	"github.com/kubectl-stack/kubectl-stack/pkg/render"
	"github.com/kubectl-stack/kubectl-stack/test/cluster"
)

// requestLog records the API requests of a client: "VERB resource".
type requestLog struct {
	mu   sync.Mutex
	reqs []string
}

func (l *requestLog) wrap(rt http.RoundTripper) http.RoundTripper {
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		l.mu.Lock()
		l.reqs = append(l.reqs, r.Method+" "+resourceOf(r.URL.Path))
		l.mu.Unlock()
		return rt.RoundTrip(r)
	})
}

// resourceOf is the resource a request path names: /api/v1/namespaces/x/
// configmaps/y -> configmaps.
func resourceOf(path string) string {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	for i := len(parts) - 1; i > 0; i-- {
		if parts[i-1] == "namespaces" && i < len(parts)-1 {
			return parts[i+1]
		}
	}
	if len(parts) >= 3 {
		// /api/v1/persistentvolumes[/name], /apis/g/v/kind
		if parts[0] == "api" {
			return parts[2]
		}
		if len(parts) >= 4 {
			return parts[3]
		}
	}
	return path
}

func (l *requestLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.reqs
	l.reqs = nil
	return out
}

// redeploy applies and prunes the deployment's rendered objects through a
// client that records its requests.
func redeploy(t *testing.T, cfg *rest.Config, dir string) (*apply.Result, []string) {
	t.Helper()
	return applyRendered(t, cfg, dir, true)
}

// applyRendered applies the deployment's rendered objects, and prunes
// them when prune is set (without, it is a deploy cut short after its
// applies: the inventory stays widened).
func applyRendered(t *testing.T, cfg *rest.Config, dir string, prune bool) (*apply.Result, []string) {
	t.Helper()
	a, req, log := renderedRequest(t, cfg, dir)
	ctx := context.Background()
	applied, err := a.Apply(ctx, req)
	if err == nil && prune {
		err = a.Prune(ctx, applied)
	}
	if err != nil {
		t.Fatal(err)
	}
	return applied.Result, log.take()
}

// diffRendered diffs the deployment's rendered objects against the cluster.
func diffRendered(t *testing.T, cfg *rest.Config, dir string) ([]apply.Change, []string) {
	t.Helper()
	a, req, log := renderedRequest(t, cfg, dir)
	changes, err := a.Diff(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	return changes, log.take()
}

// renderedRequest is an applier that records its requests and the request
// to apply the deployment's rendered objects.
func renderedRequest(t *testing.T, cfg *rest.Config, dir string) (*apply.Applier, apply.Request, *requestLog) {
	t.Helper()
	d, err := deployment.Load(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	res, err := render.Render(d, render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	objects := res.Objects()
	abs, _ := filepath.Abs(dir)
	apply.MarkOwner(objects, d.Namespace(), abs)
	log := &requestLog{}
	counted := rest.CopyConfig(cfg)
	counted.Wrap(log.wrap)
	a, err := apply.New(counted)
	if err != nil {
		t.Fatal(err)
	}
	log.take() // discovery
	return a, apply.Request{Namespace: d.Namespace(), DeploymentDir: abs, DeploymentID: d.Record.DeploymentID, Labels: render.Labels(d), Objects: objects}, log
}

// TestRedeployFromListsRestoresHandEdits: a redeploy with nothing to do
// reads with a few LISTs and writes nothing; objects edited by hand since
// (a field kubectl-stack set, changed or removed) are applied again and
// restored, the rest left alone; a field only someone else set is kept.
func TestRedeployFromListsRestoresHandEdits(t *testing.T) {
	c := cluster.Shared(t)
	_, specPath, ns := stackAnyNodePort(t)
	dir := create(t, specPath)
	deploy(t, dir)
	d, err := deployment.Load(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	id := d.Record.DeploymentID

	// The CLI applied a pull secret the direct path does not render: one
	// redeploy first settles the fingerprints of the rendered objects.
	redeploy(t, c.Config, dir)
	result, reqs := redeploy(t, c.Config, dir)
	if result.Changed() {
		t.Errorf("a redeploy with nothing to do changed: %v", changed(result))
	}
	assertReadOnly(t, reqs)

	ctx := context.Background()
	cms := c.Client.CoreV1().ConfigMaps(ns)
	settings, err := cms.Get(ctx, id+"-settings", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := maps.Clone(settings.Data)
	for k := range settings.Data {
		settings.Data[k] = "edited by hand"
	}
	if _, err := cms.Update(ctx, settings, metav1.UpdateOptions{FieldManager: "kubectl-edit"}); err != nil {
		t.Fatal(err)
	}
	deps := c.Client.AppsV1().Deployments(ns)
	wantImage := setImageByHand(t, ns, id+"-web-deployment", "example/edited:2")
	svcs := c.Client.CoreV1().Services(ns)
	svc, err := svcs.Get(ctx, "web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	svc.Labels["team"] = "someone-else"
	if _, err := svcs.Update(ctx, svc, metav1.UpdateOptions{FieldManager: "kubectl-label"}); err != nil {
		t.Fatal(err)
	}

	result, _ = redeploy(t, c.Config, dir)
	got := changed(result)
	wantChanged := []string{"ConfigMap/" + id + "-settings configured", "Deployment/" + id + "-web-deployment configured"}
	if !slices.Equal(got, wantChanged) {
		t.Errorf("after hand edits, the redeploy changed %v, want %v", got, wantChanged)
	}
	if settings, _ = cms.Get(ctx, id+"-settings", metav1.GetOptions{}); !maps.Equal(settings.Data, want) {
		t.Errorf("ConfigMap not restored: %v, want %v", settings.Data, want)
	}
	if web, _ := deps.Get(ctx, id+"-web-deployment", metav1.GetOptions{}); web.Spec.Template.Spec.Containers[0].Image != wantImage {
		t.Errorf("Deployment image not restored: %s, want %s", web.Spec.Template.Spec.Containers[0].Image, wantImage)
	}
	if svc, _ = svcs.Get(ctx, "web", metav1.GetOptions{}); svc.Labels["team"] != "someone-else" {
		t.Errorf("a label only someone else set was removed: %v", svc.Labels)
	}
	result, reqs = redeploy(t, c.Config, dir)
	if result.Changed() {
		t.Errorf("the redeploy after the restore changed: %v", changed(result))
	}
	assertReadOnly(t, reqs)
}

// assertReadOnly fails on any write and on more than 5 requests for one
// resource.
func assertReadOnly(t *testing.T, reqs []string) {
	t.Helper()
	perResource := map[string]int{}
	for _, r := range reqs {
		verb, resource, _ := strings.Cut(r, " ")
		if verb != http.MethodGet {
			t.Errorf("a run with nothing to do wrote: %s", r)
		}
		perResource[resource]++
	}
	for resource, n := range perResource {
		if n > 5 {
			t.Errorf("%d requests for %s, want at most 5 per kind: %v", n, resource, reqs)
		}
	}
	t.Logf("nothing to do: %d requests: %v", len(reqs), reqs)
}

func changed(r *apply.Result) []string {
	var out []string
	for _, e := range r.Changes {
		if e.Action != ssa.UnchangedAction {
			out = append(out, fmt.Sprintf("%s/%s %s", e.ObjMetadata.GroupKind.Kind, e.ObjMetadata.Name, e.Action))
		}
	}
	for _, e := range r.Pruned {
		out = append(out, fmt.Sprintf("%s/%s pruned", e.ObjMetadata.GroupKind.Kind, e.ObjMetadata.Name))
	}
	slices.Sort(out)
	return out
}

// TestRevertAfterAnInterruptedDeployIsApplied: a deploy of a new version
// cut short after its applies (the inventory not yet narrowed), then a
// deploy of the previous version: the objects the cut deploy changed are
// applied back, not taken as unchanged from the fingerprints the previous
// version left.
func TestRevertAfterAnInterruptedDeployIsApplied(t *testing.T) {
	c := cluster.Shared(t)
	_, specPath, ns := stackAnyNodePort(t)
	dir := create(t, specPath)
	deploy(t, dir)
	redeploy(t, c.Config, dir)
	before := c.PodTemplates(t, ns)

	specFile := filepath.Join(dir, "spec.yml")
	v1 := testutil.ReadFile(t, specFile)
	v2 := strings.Replace(v1, "GREETING: Hello from the demo", "GREETING: Hello from version two", 1)
	if v2 == v1 {
		t.Fatal("the spec has no GREETING to change")
	}
	testutil.WriteFile(t, dir, "spec.yml", v2)
	applyRendered(t, c.Config, dir, false)
	if slices.Equal(c.PodTemplates(t, ns), before) {
		t.Fatal("version two changed no pod template: the test proves nothing")
	}

	testutil.WriteFile(t, dir, "spec.yml", v1)
	result, _ := redeploy(t, c.Config, dir)
	if after := c.PodTemplates(t, ns); !slices.Equal(after, before) {
		t.Errorf("after going back to version one the pod templates are still version two's; the redeploy changed only %v", changed(result))
	}
}

// TestDiffFromListsSeesHandEdits: diff decides as deploy does. With
// nothing to do it reads a few LISTs and sends no dry run; after a hand
// edit it shows that object, and only that one, with the edit undone.
func TestDiffFromListsSeesHandEdits(t *testing.T) {
	c := cluster.Shared(t)
	_, specPath, ns := stackAnyNodePort(t)
	dir := create(t, specPath)
	deploy(t, dir, "--wait=false")
	redeploy(t, c.Config, dir) // settles the rendered objects' fingerprints (see above)

	changes, reqs := diffRendered(t, c.Config, dir)
	if d := differing(changes); len(d) > 0 {
		t.Errorf("diff right after a deploy shows %v", d)
	}
	assertReadOnly(t, reqs)

	d, err := deployment.Load(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	name := d.Record.DeploymentID + "-web-deployment"
	image := setImageByHand(t, ns, name, "example/edited:2")
	changes, _ = diffRendered(t, c.Config, dir)
	got := differing(changes)
	if want := []string{"Deployment/" + ns + "/" + name}; !slices.Equal(got, want) {
		t.Fatalf("diff after a hand edit shows %v, want %v", got, want)
	}
	for _, ch := range changes {
		if ch.Differs() && (!strings.Contains(ch.Diff, "-        image: example/edited:2") || !strings.Contains(ch.Diff, "+        image: "+image)) {
			t.Errorf("the diff does not undo the edited image:\n%s", ch.Diff)
		}
	}
}

// setImageByHand sets the first container's image of Deployment ns/name
// as kubectl set image would, and returns the image it had.
func setImageByHand(t *testing.T, ns, name, image string) string {
	t.Helper()
	ctx := context.Background()
	deps := cluster.Shared(t).Client.AppsV1().Deployments(ns)
	d, err := deps.Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	was := d.Spec.Template.Spec.Containers[0].Image
	d.Spec.Template.Spec.Containers[0].Image = image
	if _, err := deps.Update(ctx, d, metav1.UpdateOptions{FieldManager: "kubectl-set"}); err != nil {
		t.Fatal(err)
	}
	return was
}

func differing(changes []apply.Change) []string {
	var out []string
	for _, ch := range changes {
		if ch.Differs() {
			out = append(out, ch.Subject)
		}
	}
	return out
}
