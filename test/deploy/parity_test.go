package deploy

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
	"github.com/kubectl-stack/kubectl-stack/pkg/localca"
	"github.com/kubectl-stack/kubectl-stack/test/cluster"
)

// TestCACertificatesAndStackConfigDeploy: the spec's ca-certificates and a
// stack's config: shuttling, applied to the local control plane: the
// Secret exists, every container mounts it and has NODE_EXTRA_CA_CERTS,
// and the destination container has the shuttled value. (On kind,
// test/e2e checks that a container's TLS client trusts the CA.)
func TestCACertificatesAndStackConfigDeploy(t *testing.T) {
	c := cluster.Shared(t)
	ctx := context.Background()
	root, specPath, ns := stack(t)
	ca, _, err := localca.Ensure(filepath.Join(t.TempDir(), "ca"), "test", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	testutil.WriteFile(t, root, "ops/spec.yml", testutil.ReadFile(t, specPath)+"ca-certificates: ["+ca.CertPath()+"]\n")
	stackFile := filepath.Join(root, "stacks/hello/stack.yml")
	testutil.WriteFile(t, filepath.Dir(stackFile), "stack.yml", testutil.ReadFile(t, stackFile)+"config:\n  counter:\n    WEB_COUNTER_URL: web.COUNTER_URL\n")
	dir := create(t, specPath)
	deploy(t, dir, "--wait=false")

	secrets, err := c.Client.CoreV1().Secrets(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, s := range secrets.Items {
		if strings.HasSuffix(s.Name, "-ca-certificates") && len(s.Data["laconic-extra-ca-0.pem"]) > 0 {
			found = true
		}
	}
	if !found {
		t.Error("no <id>-ca-certificates Secret with the certificate")
	}
	deps, err := c.Client.AppsV1().Deployments(ns).List(ctx, metav1.ListOptions{})
	if err != nil || len(deps.Items) != 2 {
		t.Fatalf("Deployments: %d, %v", len(deps.Items), err)
	}
	shuttled := false
	for _, d := range deps.Items {
		for _, ctr := range d.Spec.Template.Spec.Containers {
			if !mounts(ctr, "/etc/ssl/certs/laconic-extra-ca-0.pem") || envValue(ctr, "NODE_EXTRA_CA_CERTS") == "" {
				t.Errorf("%s/%s does not trust the CA (mounts %v)", d.Name, ctr.Name, ctr.VolumeMounts)
			}
			if ctr.Name == "counter" && envValue(ctr, "WEB_COUNTER_URL") == "http://counter:8080" {
				shuttled = true
			}
		}
	}
	if !shuttled {
		t.Error("the counter container lacks WEB_COUNTER_URL shuttled from web's COUNTER_URL")
	}
}

func mounts(c corev1.Container, path string) bool {
	for _, m := range c.VolumeMounts {
		if m.MountPath == path {
			return true
		}
	}
	return false
}

func envValue(c corev1.Container, name string) string {
	for _, e := range c.Env {
		if e.Name == name {
			return e.Value
		}
	}
	return ""
}
