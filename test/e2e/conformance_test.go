package e2e

import (
	"bytes"
	"context"

	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
	"github.com/kubectl-stack/kubectl-stack/test/conformance"
)

// conformanceDoc is the table the suite generates.
const conformanceDoc = "docs/conformance.md"

// TestConformance runs every scenario of test/conformance/scenarios under
// the real docker compose and under kubectl stack on a real kind cluster,
// compares what the probe saw in each container, and holds
// docs/conformance.md to the classes found: a row that changes class
// without the document fails.
func TestConformance(t *testing.T) {
	e := newEnv(t)
	r := e.conformanceRunner(t)
	scenarios, err := os.ReadDir(filepath.Join(repoRoot(), "test/conformance/scenarios"))
	if err != nil {
		t.Fatal(err)
	}
	var results []conformance.Result
	for _, s := range scenarios {
		p, err := conformance.Prepare(context.Background(), filepath.Join(repoRoot(), "test/conformance/scenarios", s.Name()), filepath.Join(t.TempDir(), s.Name()))
		if err != nil {
			t.Fatal(err)
		}
		rows, times, err := r.Run(context.Background(), p)
		if err != nil {
			t.Fatalf("scenario %s: %v", s.Name(), err)
		}
		t.Logf("scenario %s: time to ready: %s", s.Name(), times)
		results = append(results, conformance.Result{Scenario: s.Name(), Rows: rows})
		t.Logf("scenario %s:\n%s", s.Name(), strings.Join(conformance.Lines(rows), "\n"))
	}
	doc := filepath.Join(repoRoot(), conformanceDoc)
	if *testutil.Update {
		if err := os.WriteFile(doc, []byte(conformance.Markdown(results)), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	data, err := os.ReadFile(doc)
	if err != nil {
		t.Fatalf("%v (write it with go test ./test/e2e -run TestConformance -update)", err)
	}
	want, got := conformance.Classes(string(data)), conformance.ClassesOf(results)
	var changed []string
	for _, k := range conformance.Union(want, got) {
		if want[k] != got[k] {
			changed = append(changed, fmt.Sprintf("%s: %s in %s, %s now", k, orNone(want[k]), conformanceDoc, orNone(got[k])))
		}
	}
	if len(changed) > 0 {
		t.Errorf("rows changed class without %s changing (run go test ./test/e2e -run TestConformance -update and commit the document):\n%s", conformanceDoc, strings.Join(changed, "\n"))
	}
}

func orNone(c conformance.Class) string {
	if c == "" {
		return "(no row)"
	}
	return string(c)
}

// conformanceRunner runs kubectl stack in process against e's cluster and
// the real docker compose (hack/docker-compose.sh builds it, cached).
func (e *env) conformanceRunner(t *testing.T) *conformance.Runner {
	t.Helper()
	out, err := exec.Command(filepath.Join(repoRoot(), "hack/docker-compose.sh")).Output()
	if err != nil {
		t.Fatalf("building docker compose: %v", err)
	}
	return &conformance.Runner{
		Compose: strings.TrimSpace(string(out)),
		Stack: func(ctx context.Context, args ...string) (string, string, error) {
			var stdout, stderr bytes.Buffer
			err := e.runTo(ctx, "", &stdout, &stderr, args...)
			return stdout.String(), stderr.String(), err
		},
		KindCluster: e.cluster, MountRoot: e.mountRoot, NodeImage: nodeImage,
		Settle: 12 * time.Second,
		Logf:   t.Logf,
	}
}
