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
		// created lists what create must say when deploying cannot be
		// checked here (its images are pulled from or pushed to a
		// registry this machine cannot reach).
		created []string
	}{
		{stack: "wordpress", pods: 2},
		// Its data binds (./postgres14, ./redis, ./public/system), which
		// docker compose creates, are data volumes, so create accepts it as
		// written (it was refused); deploy builds its images and asks
		// ghcr.io for them, which this machine cannot reach.
		{stack: "mastodon", created: []string{"the bind ./postgres14:/var/lib/postgresql/data is a data directory", "is the data volume postgres14,", "is the data volume public_system,"}},
		// Caddy listens on the ports of the services it fronts: init turns
		// pod-per-service on, so each runs in its own pod, as in compose.
		{stack: "monitoring", pods: 6},
		// A top-level file that include:s one file per service, whose
		// relative data binds (../appdata/...) resolve against services/:
		// it was refused (include: was not supported).
		{stack: "homelab", pods: 4},
		// Run as docker compose -f compose.yaml -f compose.prod.yaml, named
		// by COMPOSE_FILE in its .env: compose.prod.yaml was left out.
		{stack: "compose-merge", pods: 3},
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
			if len(tc.created) > 0 {
				for _, want := range tc.created {
					if !strings.Contains(errOut, want) {
						t.Errorf("create said:\n%s\nwant %q", errOut, want)
					}
				}
				return
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
