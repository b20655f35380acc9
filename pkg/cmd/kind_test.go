package cmd

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
)

// k8sDeployment creates a deploy-to: k8s deployment directory.
func k8sDeployment(t *testing.T) string {
	t.Helper()
	root := stackDir(t)
	spec := testutil.WriteFile(t, root, "spec.yml", "stack: "+filepath.Join(root, "stacks/demo")+"\ndeploy-to: k8s\nvolumes:\n  db-data: /srv/db\n  web-data:\nconfigmaps:\n  web-config: ./configmaps/web-config\n")
	dir := filepath.Join(t.TempDir(), "dep")
	if _, errOut, err := run(t, "", "create", "--spec-file", spec, "-d", dir); err != nil {
		t.Fatalf("create: %v\n%s", err, errOut)
	}
	return dir
}

func TestKindVerbsRefuseOtherTargets(t *testing.T) {
	dir := k8sDeployment(t)
	for _, verb := range []string{"create", "delete", "load", "migrate-plan", "check-mounts", "ca"} {
		_, _, err := run(t, "", "kind", verb, "-d", dir)
		if err == nil || !strings.Contains(err.Error(), "deploys to k8s (deploy-to in its spec.yml)") {
			t.Errorf("kind %s on a k8s deployment = %v, want the deploy-to error", verb, err)
		}
	}
}

func TestExecNeedsServiceAndCommand(t *testing.T) {
	for _, args := range [][]string{{"exec", "web"}, {"exec", "web", "ls"}, {"exec", "--", "ls"}} {
		_, _, err := run(t, "", args...)
		if err == nil || !strings.Contains(err.Error(), "SERVICE -- COMMAND") {
			t.Errorf("%v = %v, want the usage error", args, err)
		}
	}
}

func TestLogsRejectsBadFlags(t *testing.T) {
	dir := k8sDeployment(t)
	for flag, want := range map[string]string{"--tail=-2": "--tail -2", "--since=-5m": "--since -5m0s"} {
		_, _, err := run(t, "", "logs", "-d", dir, flag)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("logs %s = %v, want an error naming %s", flag, err, want)
		}
	}
}
