package deploy

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
	"github.com/kubectl-stack/kubectl-stack/pkg/apply"
	"github.com/kubectl-stack/kubectl-stack/test/cluster"
)

// TestDeleteNamespaceOnlyWhenWhollyOurs: stop --delete-namespace deletes a
// namespace only when this deployment created it and it holds nothing
// else; an adopted namespace (it existed before, with another
// application's objects and claim) and one another application has moved
// into are refused before anything is deleted.
func TestDeleteNamespaceOnlyWhenWhollyOurs(t *testing.T) {
	c := cluster.Shared(t).Client
	ctx := context.Background()

	// Adopted: the namespace, another application's ConfigMap and claim
	// were there first.
	_, specPath, ns := stack(t)
	if _, err := c.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	other := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "billing-settings", Namespace: ns}, Data: map[string]string{"a": "b"}}
	if _, err := c.CoreV1().ConfigMaps(ns).Create(ctx, other, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	dir := create(t, specPath)
	deploy(t, dir, "--wait=false")
	full := len(liveDeployments(t, ns))
	_, errOut, err := run(t, "stop", "-d", dir, "--delete-namespace", "--delete-volumes")
	if err == nil || !strings.Contains(err.Error(), "this deployment did not create it") || !strings.Contains(err.Error(), "nothing was deleted") {
		t.Fatalf("stop --delete-namespace of an adopted namespace = %v\n%s; want a refusal", err, errOut)
	}
	if n := len(liveDeployments(t, ns)); n != full {
		t.Errorf("the refused stop deleted %d Deployments", full-n)
	}
	if _, err := c.CoreV1().ConfigMaps(ns).Get(ctx, "billing-settings", metav1.GetOptions{}); err != nil {
		t.Errorf("the other application's ConfigMap: %v", err)
	}

	// Created by the deployment, then another application moved in.
	_, specPath2, ns2 := stack(t)
	dir2 := create(t, specPath2)
	deploy(t, dir2, "--wait=false")
	nsObj, err := c.CoreV1().Namespaces().Get(ctx, ns2, metav1.GetOptions{})
	if err != nil || nsObj.Annotations["kubectl-stack.io/namespace-created-by"] != deploymentID(t, dir2) {
		t.Fatalf("the namespace the deploy created is not marked as created by it: %v, %v", nsObj.Annotations, err)
	}
	intruder := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "reports", Namespace: ns2}, Spec: appsv1.DeploymentSpec{
		Replicas: ptr.To(int32(0)),
		Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "reports"}},
		Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "reports"}},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "r", Image: "reports"}}}},
	}}
	if _, err := c.AppsV1().Deployments(ns2).Create(ctx, intruder, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	_, errOut, err = run(t, "stop", "-d", dir2, "--delete-namespace", "--delete-volumes")
	if err == nil || !strings.Contains(err.Error(), "Deployment/reports") {
		t.Fatalf("stop --delete-namespace with another application inside = %v\n%s; want a refusal naming it", err, errOut)
	}
	if err := c.AppsV1().Deployments(ns2).Delete(ctx, "reports", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	// Wholly the deployment's: it goes (with --delete-volumes, as it holds
	// a claim).
	stop(t, dir2, "--delete-namespace", "--delete-volumes")
	if got, err := c.CoreV1().Namespaces().Get(ctx, ns2, metav1.GetOptions{}); err == nil && got.DeletionTimestamp == nil {
		t.Errorf("namespace %s is still there after a stop --delete-namespace that was allowed", ns2)
	}
}

// TestRefusedDeployLeavesTheNamespaceAlone: a deploy refused for someone
// else's object under one of its names does not claim the namespace first.
func TestRefusedDeployLeavesTheNamespaceAlone(t *testing.T) {
	c := cluster.Shared(t).Client
	ctx := context.Background()
	_, specPath, ns := stack(t)
	dir := create(t, specPath)
	if _, err := c.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	// Someone else's Service under a name the deployment renders.
	if _, errOut, err := run(t, "render", "-d", dir); err != nil {
		t.Fatalf("render: %v\n%s", err, errOut)
	}
	svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: serviceName(t, dir), Namespace: ns},
		Spec: corev1.ServiceSpec{Ports: []corev1.ServicePort{{Port: 80}}}}
	if _, err := c.CoreV1().Services(ns).Create(ctx, svc, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DEMO_REGISTRY_TOKEN", token)
	_, errOut, err := run(t, "deploy", "-d", dir, "--wait=false")
	if err == nil || !strings.Contains(err.Error(), svc.Name) {
		t.Fatalf("deploy over someone else's Service = %v\n%s; want it refused naming Service %s", err, errOut, svc.Name)
	}
	got, err := c.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, claimed := got.Annotations[apply.OwnerAnnotation]; claimed {
		t.Errorf("the refused deploy claimed namespace %s: %v", ns, got.Annotations)
	}
	if _, err := c.CoordinationV1().Leases(ns).Get(ctx, deploymentID(t, dir)+apply.LockSuffix, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("the refused deploy left a lease (%v)", err)
	}
}

// serviceName is the name of the web Service the render wrote into D's
// tree.
func serviceName(t *testing.T, dir string) string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "kustomize/base/*/*/service-web.yaml"))
	if len(files) != 1 {
		t.Fatalf("the render wrote %d service-web.yaml, want 1", len(files))
	}
	for _, line := range strings.Split(testutil.ReadFile(t, files[0]), "\n") {
		if n, ok := strings.CutPrefix(line, "  name: "); ok {
			return n
		}
	}
	t.Fatalf("%s has no name", files[0])
	return ""
}

// TestRecreatedDirectoryDoesNotTakeOverSilently: a deployment directory
// made again at the same path (same stack and namespace, a new
// deployment-id) is refused at deploy, naming the older deployment and
// the ways to take it over or stop it; taking it over keeps its claim.
func TestRecreatedDirectoryDoesNotTakeOverSilently(t *testing.T) {
	c := cluster.Shared(t).Client
	ctx := context.Background()
	_, specPath, ns := stack(t)
	dir := create(t, specPath)
	deploy(t, dir, "--wait=false")
	older := deploymentID(t, dir)
	claims, err := c.CoreV1().PersistentVolumeClaims(ns).List(ctx, metav1.ListOptions{})
	if err != nil || len(claims.Items) == 0 {
		t.Fatalf("claims of the first deployment: %v, %v", claims, err)
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if _, errOut, err := run(t, "create", "--spec-file", specPath, "-d", dir); err != nil {
		t.Fatalf("create again: %v\n%s", err, errOut)
	}
	if deploymentID(t, dir) == older {
		t.Fatal("the new directory has the old deployment-id")
	}
	_, errOut, err := run(t, "deploy", "-d", dir, "--wait=false")
	if err == nil || !strings.Contains(err.Error(), "holds deployment "+older) || !strings.Contains(err.Error(), "deployment-id: "+older) {
		t.Fatalf("deploy of the re-created directory = %v\n%s; want a refusal naming %s", err, errOut, older)
	}
	// Taking it over: the old id back in deployment.yml.
	rec := testutil.ReadFile(t, dir+"/deployment.yml")
	testutil.WriteFile(t, dir, "deployment.yml", strings.Replace(rec, "deployment-id: "+deploymentID(t, dir), "deployment-id: "+older, 1))
	deploy(t, dir, "--wait=false")
	after, err := c.CoreV1().PersistentVolumeClaims(ns).List(ctx, metav1.ListOptions{})
	if err != nil || len(after.Items) != len(claims.Items) || after.Items[0].UID != claims.Items[0].UID {
		t.Errorf("taking the older deployment over changed its claims: %v, %v", after, err)
	}
}
