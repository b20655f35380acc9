package deploy

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
	"github.com/kubectl-stack/kubectl-stack/test/cluster"
)

// TestUntunedStacks takes stacks written by others (test/testdata/untuned)
// through init, create and deploy on the local control plane, as a user
// would, and holds what happens to each.
func TestUntunedStacks(t *testing.T) {
	cases := []struct {
		stack string
		// refused lists what create's error must say; empty: it deploys.
		refused []string
		// pods is how many Deployments it runs.
		pods int
	}{
		{stack: "wordpress", pods: 2},
		{stack: "mastodon", refused: []string{`service db: bind "./postgres14:/var/lib/postgresql/data"`, "use a named volume instead (in the compose file: - postgres14:/var/lib/postgresql/data"}},
		// Caddy listens on the ports of the services it fronts: init turns
		// pod-per-service on, so each runs in its own pod, as in compose.
		{stack: "monitoring", pods: 6},
	}
	for _, tc := range cases {
		t.Run(tc.stack, func(t *testing.T) {
			root := t.TempDir()
			src, _ := filepath.Abs(filepath.Join("../testdata/untuned", tc.stack))
			testutil.CopyTree(t, src, filepath.Join(root, tc.stack))
			ns := fmt.Sprintf("untuned-%s-%d", tc.stack, nameSeq.Add(1))
			dir, errOut, err := initAndCreate(t, filepath.Join(root, tc.stack), ns)
			if len(tc.refused) > 0 {
				for _, want := range tc.refused {
					if err == nil || !strings.Contains(err.Error(), want) {
						t.Errorf("create = %v\nwant a refusal saying %q", err, want)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("create: %v\n%s", err, errOut)
			}
			deploy(t, dir)
			if deps := cluster.Shared(t).DeploymentNames(t, ns); len(deps) != tc.pods {
				t.Errorf("namespace %s holds the Deployments %v, want %d, one per compose service", ns, deps, tc.pods)
			}
		})
	}
}

// initAndCreate does what a user does with a stack: init a spec for
// deploy-to: k8s (beside the stack, in ops/), give it the namespace, and
// create a deployment directory from it. It returns create's result.
func initAndCreate(t *testing.T, stackDir, ns string) (string, string, error) {
	t.Helper()
	root := filepath.Dir(stackDir)
	specPath := filepath.Join(root, "ops", "spec.yml")
	if _, errOut, err := run(t, "init", "--stack", stackDir, "--deploy-to", "k8s", "--output", specPath); err != nil {
		t.Fatalf("init: %v\n%s", err, errOut)
	}
	spec := regexp.MustCompile(`(?m)^namespace: .*$`).ReplaceAllString(testutil.ReadFile(t, specPath), "namespace: "+ns)
	testutil.WriteFile(t, root, "ops/spec.yml", spec)
	dir := filepath.Join(root, "dep")
	_, errOut, err := run(t, "create", "--spec-file", specPath, "-d", dir)
	return dir, errOut, err
}
