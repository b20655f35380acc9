package deploy

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
	"github.com/kubectl-stack/kubectl-stack/test/cluster"
)

// TestComposeSecretsAreMadeAtDeploy: deploy makes a Secret of each
// compose secret the services mount, from its file (in the deployment
// directory) or its environment: variable (deploy's own environment), and
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
