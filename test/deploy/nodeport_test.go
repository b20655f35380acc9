package deploy

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/kubectl-stack/kubectl-stack/test/cluster"
)

// holdNodePort creates, in a namespace of its own, a Service that holds
// the deployment's fixed nodePort, as one being deleted still does for a
// moment after a stop.
func holdNodePort(t *testing.T, ns string, port int32) *corev1.Service {
	t.Helper()
	c := cluster.Shared(t).Client
	ctx := context.Background()
	holderNS := ns + "-holder"
	if _, err := c.CoreV1().Namespaces().Create(ctx, namespace(holderNS), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.CoreV1().Namespaces().Delete(context.Background(), holderNS, metav1.DeleteOptions{}) })
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "holder", Namespace: holderNS},
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeNodePort, Ports: []corev1.ServicePort{
			{Port: 80, TargetPort: intstr.FromInt32(80), NodePort: port},
		}},
	}
	svc, err := c.CoreV1().Services(holderNS).Create(ctx, svc, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("creating a Service holding nodePort %d: %v", port, err)
	}
	return svc
}

func specText(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// fixedNodePort is the nodePort stack gave the spec.
func fixedNodePort(t *testing.T, spec string) int32 {
	t.Helper()
	var port int32
	for _, line := range strings.Split(spec, "\n") {
		if _, err := fmt.Sscanf(strings.TrimSpace(line), `- "%d:80"`, &port); err == nil {
			return port
		}
	}
	t.Fatalf("no fixed nodePort in the spec:\n%s", spec)
	return 0
}

// TestDeployWaitsForANodePortBeingReleased: the API server releases a
// deleted Service's nodePort only after the Service is gone, so a deploy
// right after a stop may find its port held for a moment. The deploy
// retries that Service instead of failing.
func TestDeployWaitsForANodePortBeingReleased(t *testing.T) {
	c := cluster.Shared(t).Client
	_, specPath, ns := stack(t)
	dir := create(t, specPath)
	holder := holdNodePort(t, ns, fixedNodePort(t, specText(t, specPath)))

	done := make(chan error, 1)
	var errOut string
	t.Setenv("DEMO_REGISTRY_TOKEN", token)
	go func() {
		var err error
		_, errOut, err = run(t, "deploy", "-d", dir, "--wait=false")
		done <- err
	}()
	// The Deployments are applied in the same stage as the Service, so
	// once one exists the Service's apply has met the held port.
	ctx := context.Background()
	err := wait.PollUntilContextTimeout(ctx, 20*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		select {
		case err := <-done:
			return false, fmt.Errorf("deploy ended while the port was held: %v\n%s", err, errOut)
		default:
		}
		deps, err := c.AppsV1().Deployments(ns).List(ctx, metav1.ListOptions{})
		return err == nil && len(deps.Items) > 0, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	if err := c.CoreV1().Services(holder.Namespace).Delete(ctx, holder.Name, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("deploy with its nodePort released during the apply: %v\n%s", err, errOut)
	}
	svcs, err := c.CoreV1().Services(ns).List(ctx, metav1.ListOptions{})
	if err != nil || len(svcs.Items) == 0 {
		t.Fatalf("Services in %s after the deploy: %v, %v", ns, svcs, err)
	}
}

// TestDeployNamesANodePortHeldByAnotherService: a port that stays held
// fails the deploy, with the Service and what to do.
func TestDeployNamesANodePortHeldByAnotherService(t *testing.T) {
	_, specPath, ns := stack(t)
	dir := create(t, specPath)
	port := fixedNodePort(t, specText(t, specPath))
	holdNodePort(t, ns, port)
	t.Setenv("DEMO_REGISTRY_TOKEN", token)
	_, errOut, err := run(t, "deploy", "-d", dir, "--wait=false")
	if err == nil {
		t.Fatalf("deploy succeeded with its nodePort %d held by another Service\n%s", port, errOut)
	}
	for _, want := range []string{fmt.Sprint(port), errPortHeldText, "held by another Service", "spec.yml"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("deploy error lacks %q:\n%v", want, err)
		}
	}
}

const errPortHeldText = "provided port is already allocated"
