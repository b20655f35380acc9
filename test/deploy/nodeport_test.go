package deploy

import (
	"context"
	"fmt"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
	"github.com/kubectl-stack/kubectl-stack/test/cluster"
)

// holdNodePort creates, in a namespace of its own, a Service that holds
// the deployment's fixed nodePort.
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

// TestDeployNamesANodePortHeldByAnotherService: a fixed nodePort another
// Service holds fails the deploy, naming that Service and what to do.
func TestDeployNamesANodePortHeldByAnotherService(t *testing.T) {
	_, specPath, ns := stack(t)
	dir := create(t, specPath)
	port := fixedNodePort(t, testutil.ReadFile(t, specPath))
	holder := holdNodePort(t, ns, port)
	t.Setenv("DEMO_REGISTRY_TOKEN", token)
	_, errOut, err := run(t, "deploy", "-d", dir, "--wait=false")
	if err == nil {
		t.Fatalf("deploy succeeded with its nodePort %d held by another Service\n%s", port, errOut)
	}
	held := fmt.Sprintf("nodePort %d is held by Service %s/%s", port, holder.Namespace, holder.Name)
	for _, want := range []string{errPortHeldText, held, "spec.yml (network: ports:)"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("deploy error lacks %q:\n%v", want, err)
		}
	}
}

const errPortHeldText = "provided port is already allocated"
