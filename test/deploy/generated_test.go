package deploy

import (
	"context"
	"os"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
	"github.com/kubectl-stack/kubectl-stack/pkg/deployment"
	"github.com/kubectl-stack/kubectl-stack/test/cluster"
)

// TestGeneratedSecretsSurvive: a $generate value made at create reaches
// the containers from laconic-so's <stack>-generated-secrets Secret; it
// survives stop and deploy, never shows in diff, and a deployment
// directory made again from the spec (another machine) gets the cluster's
// value back on its first deploy.
func TestGeneratedSecretsSurvive(t *testing.T) {
	c := cluster.Shared(t)
	ctx := context.Background()
	root, specPath, ns := stack(t)
	spec := strings.Replace(testutil.ReadFile(t, specPath), "config:\n", "config:\n  API_KEY: $generate:hex:16$\n", 1)
	testutil.WriteFile(t, root, "ops/spec.yml", spec)
	dir := create(t, specPath)
	generated, err := deployment.ReadGenerated(dir)
	if err != nil || len(generated["API_KEY"]) != 32 {
		t.Fatalf("D's generated values = %v, %v", generated, err)
	}
	value := generated["API_KEY"]
	liveValue := func() string {
		s, err := c.Client.CoreV1().Secrets(ns).Get(ctx, "hello-generated-secrets", metav1.GetOptions{})
		if err != nil {
			t.Fatalf("the generated Secret: %v", err)
		}
		return string(s.Data["API_KEY"])
	}

	out, errOut := deploy(t, dir, "--wait=false")
	if got := liveValue(); got != value {
		t.Errorf("the cluster's generated value = %q, want D's %q", got, value)
	}
	if strings.Contains(out+errOut, value) {
		t.Errorf("deploy printed the generated value:\n%s%s", out, errOut)
	}
	deps, err := c.Client.AppsV1().Deployments(ns).List(ctx, metav1.ListOptions{})
	if err != nil || len(deps.Items) == 0 {
		t.Fatal(err)
	}
	if from := deps.Items[0].Spec.Template.Spec.Containers[0].EnvFrom; len(from) == 0 || from[len(from)-1].SecretRef.Name != "hello-generated-secrets" {
		t.Errorf("containers do not take env from the generated Secret: %+v", from)
	}
	if diff, _, err := run(t, "diff", "-d", dir); err != nil || strings.Contains(diff, value) {
		t.Errorf("diff after deploy = %v\n%s; want no differences and no value", err, diff)
	}

	if _, errOut, err := run(t, "stop", "-d", dir); err != nil {
		t.Fatalf("stop: %v\n%s", err, errOut)
	}
	if got := liveValue(); got != value {
		t.Errorf("after stop the generated value is %q, want it kept", got)
	}
	deploy(t, dir, "--wait=false")
	if got := liveValue(); got != value {
		t.Errorf("after stop and deploy the generated value is %q, want %q", got, value)
	}
	// restart re-syncs D from the spec (create --update) and deploys.
	if _, errOut, err := run(t, "restart", "-d", dir, "--wait=false"); err != nil {
		t.Fatalf("restart: %v\n%s", err, errOut)
	}
	if again, _ := deployment.ReadGenerated(dir); again["API_KEY"] != value || liveValue() != value {
		t.Errorf("after restart D has %q and the cluster %q, want %q", again["API_KEY"], liveValue(), value)
	}

	// Another machine: the deployment is stopped, its directory made again
	// from the spec, so it generates another value (and another
	// deployment-id); its first deploy takes the cluster's value.
	if _, errOut, err := run(t, "stop", "-d", dir); err != nil {
		t.Fatalf("stop: %v\n%s", err, errOut)
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if _, errOut, err := run(t, "create", "--spec-file", specPath, "-d", dir); err != nil {
		t.Fatalf("create again: %v\n%s", err, errOut)
	}
	if again, _ := deployment.ReadGenerated(dir); again["API_KEY"] == value {
		t.Fatal("the new directory generated the same value; the test proves nothing")
	}
	_, errOut = deploy(t, dir, "--wait=false")
	if got := liveValue(); got != value {
		t.Errorf("after a deploy from the new directory the cluster's value is %q, want the original %q", got, value)
	}
	if again, _ := deployment.ReadGenerated(dir); again["API_KEY"] != value || !strings.Contains(errOut, "took the generated config values from the cluster") {
		t.Errorf("the new directory has %q, want the cluster's value taken back (log:\n%s)", again["API_KEY"], errOut)
	}
}
