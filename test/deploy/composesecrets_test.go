package deploy

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
	"github.com/kubectl-stack/kubectl-stack/pkg/labels"
	"github.com/kubectl-stack/kubectl-stack/test/cluster"
)

// TestComposeSecretsAreMadeAtDeploy: deploy makes a Secret of each
// compose secret the services mount, from its file (in the deployment
// directory) or its environment: variable (deploy's own environment); a
// changed one rolls the pods that use it, and only them, once; and
// refuses, naming it, an unset variable or a missing external Secret.
func TestComposeSecretsAreMadeAtDeploy(t *testing.T) {
	c := cluster.Shared(t)
	root := t.TempDir()
	project := filepath.Join(root, "vault_app")
	testutil.WriteFile(t, project, "db_password.txt", "from-the-file\n")
	testutil.WriteFile(t, project, "compose.yaml", `services:
  app:
    image: nginx
    secrets: [db_password, api_key]
  other:
    image: nginx
secrets:
  db_password:
    file: ./db_password.txt
  api_key:
    environment: VAULT_API_KEY
`)
	ns := fmt.Sprintf("compose-secrets-%d", nameSeq.Add(1))
	dir, errOut, err := initAndCreate(t, project, ns)
	if err != nil {
		t.Fatalf("create: %v\n%s", err, errOut)
	}
	_, _, err = run(t, "deploy", "-d", dir, "--timeout", "1m")
	if err == nil || !strings.Contains(err.Error(), "secrets.api_key: its environment variable VAULT_API_KEY is not set") {
		t.Fatalf("deploy without VAULT_API_KEY = %v, want a refusal naming it", err)
	}
	t.Setenv("VAULT_API_KEY", "from-the-environment")
	deploy(t, dir)
	id := deploymentID(t, dir)
	for name, want := range map[string]string{id + "-secret-db-password": "from-the-file\n", id + "-secret-api-key": "from-the-environment"} {
		s, err := c.Client.CoreV1().Secrets(ns).Get(context.Background(), name, metav1.GetOptions{})
		if err != nil || string(s.Data["content"]) != want {
			t.Errorf("Secret %s: %v, content %q; want %q", name, err, s.Data["content"], want)
		}
	}
	if files := testutil.ReadFile(t, filepath.Join(dir, "compose", "db_password.txt")); files != "from-the-file\n" {
		t.Errorf("the secret's file in the deployment directory holds %q", files)
	}
	rolledSecretsOf(t, c, ns, id)

	// A changed secret rolls exactly the pods that use it, once.
	deploy(t, dir)
	if rolled := rolledSecretsOf(t, c, ns, id); rolled["app"] != "" {
		t.Errorf("a deploy that changed no secret rolled app (%s)", rolled["app"])
	}
	t.Setenv("VAULT_API_KEY", "rotated")
	out, errOut, err := run(t, "deploy", "-d", dir, "--timeout", "1m")
	if err != nil {
		t.Fatalf("deploy with a rotated secret: %v\n%s", err, errOut)
	}
	rolled := rolledSecretsOf(t, c, ns, id)
	if rolled["app"] == "" || rolled["other"] != "" {
		t.Errorf("after the secret changed, rolled = %v; want app only", rolled)
	}
	if !strings.Contains(errOut, "rolled: it uses the changed Secret "+id+"-secret-api-key") {
		t.Errorf("deploy did not say that it rolled app:\n%s\n%s", out, errOut)
	}
	generation := deploymentGeneration(t, c, ns, id+"-app-deployment")
	deploy(t, dir)
	if again := rolledSecretsOf(t, c, ns, id); again["app"] != rolled["app"] || deploymentGeneration(t, c, ns, id+"-app-deployment") != generation {
		t.Errorf("a deploy after the roll rolled again: %v, generation %d -> %d", again, generation, deploymentGeneration(t, c, ns, id+"-app-deployment"))
	}

	// An external secret must exist, with its content key.
	testutil.WriteFile(t, project, "compose.yaml", "services:\n  app:\n    image: nginx\n    secrets: [shared_cert]\nsecrets:\n  shared_cert:\n    external: true\n")
	if _, errOut, err := run(t, "create", "--spec-file", filepath.Join(root, "ops", "spec.yml"), "-d", dir, "--update"); err != nil {
		t.Fatalf("create --update: %v\n%s", err, errOut)
	}
	_, _, err = run(t, "deploy", "-d", dir, "--timeout", "1m")
	if err == nil || !strings.Contains(err.Error(), "the Secret shared_cert must exist in namespace "+ns) {
		t.Errorf("deploy with a missing external secret = %v, want a refusal naming it", err)
	}
}

// rolledSecretsOf maps each service's Deployment to its pod template's
// secrets-changed annotation ("" when none).
func rolledSecretsOf(t *testing.T, c *cluster.Cluster, ns, id string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, svc := range []string{"app", "other"} {
		d, err := c.Client.AppsV1().Deployments(ns).Get(context.Background(), id+"-"+svc+"-deployment", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		out[svc] = d.Spec.Template.Annotations[labels.SecretsChangedAnnotation]
	}
	return out
}

func deploymentGeneration(t *testing.T, c *cluster.Cluster, ns, name string) int64 {
	t.Helper()
	d, err := c.Client.AppsV1().Deployments(ns).Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return d.Generation
}
