package deploy

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
	"github.com/kubectl-stack/kubectl-stack/test/cluster"
)

// TestExternalServices: laconic-so's three kinds of external service, named
// by their keys: a host becomes an ExternalName Service, an IP a headless
// Service with an EndpointSlice holding it, a selector a headless Service
// whose EndpointSlice holds the IPs of the matching pods of another
// namespace at deploy time.
func TestExternalServices(t *testing.T) {
	c := cluster.Shared(t)
	ctx := context.Background()
	root, specPath, ns := stack(t)
	mocks := ns + "-mocks"
	if _, err := c.Client.CoreV1().Namespaces().Create(ctx, namespace(mocks), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "s3", Namespace: mocks, Labels: map[string]string{"app": "s3-mock"}},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "s3", Image: "example/s3-mock:1"}}},
	}
	if _, err := c.Client.CoreV1().Pods(mocks).Create(ctx, pod, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	var podIP string
	for deadline := time.Now().Add(time.Minute); podIP == "" && time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		p, err := c.Client.CoreV1().Pods(mocks).Get(ctx, "s3", metav1.GetOptions{})
		if err == nil && p.Status.Phase == corev1.PodRunning {
			podIP = p.Status.PodIP
		}
	}
	if podIP == "" {
		t.Fatal("the mock pod never ran with an IP")
	}
	spec := testutil.ReadFile(t, specPath) + "external-services:\n  upstream-api: {host: api.example.org}\n  host-rpc: {ip: 172.18.0.1, port: 8899}\n  mock-s3: {selector: {app: s3-mock}, namespace: " + mocks + "}\n"
	dir := create(t, testutil.WriteFile(t, root, "ops/spec.yml", spec))
	deploy(t, dir, "--wait=false")

	api, err := c.Client.CoreV1().Services(ns).Get(ctx, "upstream-api", metav1.GetOptions{})
	if err != nil || api.Spec.Type != corev1.ServiceTypeExternalName || api.Spec.ExternalName != "api.example.org" || api.Spec.Ports[0].Port != 443 {
		t.Errorf("upstream-api = %+v, %v; want ExternalName api.example.org on 443", api.Spec, err)
	}
	for name, want := range map[string]struct {
		ip   string
		port int32
	}{"host-rpc": {"172.18.0.1", 8899}, "mock-s3": {podIP, 443}} {
		svc, err := c.Client.CoreV1().Services(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil || svc.Spec.ClusterIP != corev1.ClusterIPNone {
			t.Errorf("%s = %+v, %v; want a headless Service", name, svc, err)
			continue
		}
		slices, err := c.Client.DiscoveryV1().EndpointSlices(ns).List(ctx, metav1.ListOptions{LabelSelector: discoveryv1.LabelServiceName + "=" + name})
		if err != nil || len(slices.Items) != 1 {
			t.Errorf("%s: %d EndpointSlices (%v), want 1", name, len(slices.Items), err)
			continue
		}
		s := slices.Items[0]
		if len(s.Endpoints) != 1 || s.Endpoints[0].Addresses[0] != want.ip || *s.Ports[0].Port != want.port {
			t.Errorf("%s's EndpointSlice = %+v, want %s:%d", name, s, want.ip, want.port)
		}
	}
	if _, errOut, err := run(t, "diff", "-d", dir); err != nil {
		t.Errorf("diff right after the deploy = %v\n%s; want no differences (the deploy-time EndpointSlice included)", err, errOut)
	}
	if out, _, _ := run(t, "status", "-d", dir); !strings.Contains(out, "mock-s3") {
		t.Errorf("status does not list the external services:\n%s", out)
	}
}
