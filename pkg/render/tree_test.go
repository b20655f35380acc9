package render

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
)

func renderInto(t *testing.T, tree, dep string) *Result {
	t.Helper()
	res, err := Render(load(t, dep), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteTree(tree, res); err != nil {
		t.Fatal(err)
	}
	return res
}

// TestTreeHoldsSeveralDeployments: two deployments of one stack and one of
// another render into one tree; each render replaces only its own base
// and overlay, byte for byte leaving the others' files alone.
func TestTreeHoldsSeveralDeployments(t *testing.T) {
	t.Parallel()
	tree := t.TempDir()
	deps := []string{
		fixtureWithID(t, "hello", "laconic-0hello001"),
		fixtureWithID(t, "hello", "laconic-0hello002"),
		fixtureWithID(t, "compose-project", "laconic-0compose1"),
	}
	var results []*Result
	for _, d := range deps {
		results = append(results, renderInto(t, tree, d))
	}
	before := testutil.ReadTree(t, tree)
	for _, res := range results {
		if _, ok := before[res.Overlay+"/kustomization.yaml"]; !ok {
			t.Errorf("%s is missing after rendering all three", res.Overlay)
		}
		if _, ok := before[res.Base+"/kustomization.yaml"]; !ok {
			t.Errorf("%s is missing after rendering all three", res.Base)
		}
	}
	if results[0].Base == results[1].Base || !strings.HasPrefix(results[0].Base, "base/hello/") {
		t.Errorf("bases %s and %s: want one per deployment under base/hello/", results[0].Base, results[1].Base)
	}
	// Re-rendering the first after its spec changed touches only its files.
	spec := filepath.Join(deps[0], "spec.yml")
	testutil.WriteFile(t, deps[0], "spec.yml", strings.Replace(testutil.ReadFile(t, spec), "GREETING: Hello from the demo", "GREETING: changed", 1))
	renderInto(t, tree, deps[0])
	after := testutil.ReadTree(t, tree)
	changed := 0
	for name, data := range after {
		own := strings.HasPrefix(name, results[0].Base+"/") || strings.HasPrefix(name, results[0].Overlay+"/")
		if before[name] != data {
			if !own {
				t.Errorf("%s changed when another deployment was rendered", name)
			}
			changed++
		}
	}
	if changed == 0 {
		t.Error("re-rendering a changed spec changed no file")
	}
	if len(after) != len(before) {
		t.Errorf("the tree has %d files, had %d", len(after), len(before))
	}
}

// TestTreeIsMachineIndependent renders copies of one deployment directory,
// in different places, into trees beside them: the trees are identical.
func TestTreeIsMachineIndependent(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"hello", "features", "laconic-so-test"} {
		t.Run(name, func(t *testing.T) {
			src := fixtureDir(t, name)
			var trees []map[string]string
			roots := []string{filepath.Join(t.TempDir(), "alice", "ops"), filepath.Join(t.TempDir(), "ci-runner", "build", "42")}
			for _, root := range roots {
				dep := filepath.Join(root, "deployments", name)
				testutil.CopyTree(t, src, dep)
				renderInto(t, filepath.Join(root, "gitops"), dep)
				trees = append(trees, testutil.ReadTree(t, filepath.Join(root, "gitops")))
			}
			if len(trees[0]) == 0 || len(trees[0]) != len(trees[1]) {
				t.Fatalf("trees have %d and %d files", len(trees[0]), len(trees[1]))
			}
			for file, data := range trees[0] {
				if data != trees[1][file] {
					t.Errorf("%s differs between the two renders:\n%s\n---\n%s", file, data, trees[1][file])
				}
				for _, local := range append(roots, src) {
					if strings.Contains(data, local) {
						t.Errorf("%s holds the local path %s:\n%s", file, local, data)
					}
				}
			}
		})
	}
}

// TestPruneRemovesGoneDeployments: --prune removes the overlay, base and
// pipelines of a deployment whose directory is gone or holds another
// deployment now, and keeps the rest, including an overlay it cannot
// attribute.
func TestPruneRemovesGoneDeployments(t *testing.T) {
	t.Parallel()
	tree := t.TempDir()
	keep := fixtureWithID(t, "hello", "laconic-0keep0001")
	gone := fixtureWithID(t, "hello", "laconic-0gone0001")
	replaced := fixtureWithID(t, "compose-project", "laconic-0old00001")
	kept := renderInto(t, tree, keep)
	goneRes := renderInto(t, tree, gone)
	replacedRes := renderInto(t, tree, replaced)
	testutil.WriteFile(t, tree, PipelineDir(goneRes.DeploymentID)+"/flux-kustomization.yaml", "kind: Kustomization\n")
	testutil.WriteFile(t, tree, "overlays/hand-written/kustomization.yaml", "resources: []\n")
	if err := os.RemoveAll(gone); err != nil {
		t.Fatal(err)
	}
	record := filepath.Join(replaced, "deployment.yml")
	testutil.WriteFile(t, replaced, "deployment.yml", strings.ReplaceAll(testutil.ReadFile(t, record), "laconic-0old00001", "laconic-0new00001"))

	pr, err := PruneTree(tree)
	if err != nil {
		t.Fatal(err)
	}
	var pruned []string
	for _, p := range pr.Pruned {
		pruned = append(pruned, p.Overlay+": "+p.Reason)
	}
	want := []string{
		"overlays/laconic-0gone0001: the deployment directory no longer exists",
		"overlays/laconic-0old00001: the deployment directory now holds deployment laconic-0new00001",
	}
	if !slices.Equal(pruned, want) {
		t.Errorf("pruned:\n%s\nwant:\n%s", strings.Join(pruned, "\n"), strings.Join(want, "\n"))
	}
	if !slices.Equal(pr.Unknown, []string{"overlays/hand-written"}) {
		t.Errorf("unknown = %v, want the hand-written overlay", pr.Unknown)
	}
	for _, p := range []string{goneRes.Overlay, goneRes.Base, PipelineDir(goneRes.DeploymentID), replacedRes.Overlay, "base/" + replacedRes.Stack} {
		if _, err := os.Stat(filepath.Join(tree, p)); !os.IsNotExist(err) {
			t.Errorf("%s is still there (%v)", p, err)
		}
	}
	for _, p := range []string{kept.Overlay + "/kustomization.yaml", kept.Base + "/kustomization.yaml", "overlays/hand-written/kustomization.yaml"} {
		if _, err := os.Stat(filepath.Join(tree, p)); err != nil {
			t.Errorf("%s was removed: %v", p, err)
		}
	}
}

// TestSourceFileCannotPointOutsideTheTree: a source file naming a base
// outside base/<stack>/<its deployment-id> is not trusted (prune would
// delete what it names).
func TestSourceFileCannotPointOutsideTheTree(t *testing.T) {
	t.Parallel()
	tree := t.TempDir()
	victim := testutil.WriteFile(t, tree, "base/other/laconic-0other001/kustomization.yaml", "resources: []\n")
	for _, base := range []string{"../../etc", "base/other/laconic-0other001", "base/x/../../y/laconic-0evil0001", "/base/x/laconic-0evil0001"} {
		testutil.WriteFile(t, tree, "overlays/laconic-0evil0001/"+SourceFile, "stack: x\ndeploymentID: laconic-0evil0001\ndeploymentDir: ../gone\nbase: "+base+"\n")
		pr, err := PruneTree(tree)
		if err != nil {
			t.Fatal(err)
		}
		if len(pr.Pruned) != 0 || !slices.Equal(pr.Unknown, []string{"overlays/laconic-0evil0001"}) {
			t.Errorf("base %q: pruned %v, unknown %v; want it kept as unknown", base, pr.Pruned, pr.Unknown)
		}
	}
	if _, err := os.Stat(victim); err != nil {
		t.Errorf("another deployment's base was removed: %v", err)
	}
}

// TestRenderReplacesTheSingleDeploymentLayout: a tree written by the
// earlier layout (base/<stack>/ holding the base itself) is converted:
// the flat base goes once no other overlay uses it.
func TestRenderReplacesTheSingleDeploymentLayout(t *testing.T) {
	t.Parallel()
	tree := t.TempDir()
	dep := fixtureDir(t, "hello")
	testutil.WriteFile(t, tree, "base/hello/kustomization.yaml", "resources: [deployment.yaml]\n")
	testutil.WriteFile(t, tree, "base/hello/deployment.yaml", "kind: Deployment\n")
	testutil.WriteFile(t, tree, "overlays/laconic-0fixture1/kustomization.yaml", "resources: [../../base/hello]\n")
	res := renderInto(t, tree, dep)
	files := testutil.ReadTree(t, tree)
	for name := range files {
		if !strings.HasPrefix(name, res.Base+"/") && !strings.HasPrefix(name, res.Overlay+"/") {
			t.Errorf("%s is left from the old layout", name)
		}
	}
	if src := files[res.Overlay+"/"+SourceFile]; !strings.Contains(src, "deploymentDir: "+relPath(t, tree, dep)) {
		t.Errorf("source file:\n%s\nwant the deployment directory relative to the tree", src)
	}
}

func relPath(t *testing.T, from, to string) string {
	t.Helper()
	rel, err := filepath.Rel(from, to)
	if err != nil {
		t.Fatal(err)
	}
	return filepath.ToSlash(rel)
}

// TestTreeLinksAreNeverFollowed: a tree from a pull request with a
// committed link in a managed directory (pipelines -> outside,
// base/<stack> -> outside, overlays/<id> -> outside) and a crafted source
// file must not make prune delete, or render write, outside the tree.
func TestTreeLinksAreNeverFollowed(t *testing.T) {
	t.Parallel()
	gone := fixtureWithID(t, "hello", "laconic-0gone0001")
	probe := renderInto(t, t.TempDir(), gone)
	for _, link := range []string{"pipelines", "base/" + probe.Stack, "base", probe.Overlay, PipelineDir(probe.DeploymentID)} {
		t.Run(link, func(t *testing.T) {
			t.Parallel()
			tree, outside := t.TempDir(), t.TempDir()
			// What the link reaches: a victim for every path prune and
			// render touch under it.
			victims := []string{probe.DeploymentID + "/keep", "laconic-0evil0001/keep", "keep"}
			for _, p := range victims {
				testutil.WriteFile(t, outside, p, "victim")
			}
			if err := os.MkdirAll(filepath.Dir(filepath.Join(tree, link)), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(outside, filepath.Join(tree, link)); err != nil {
				t.Fatal(err)
			}
			res, err := Render(load(t, gone), Options{})
			if err != nil {
				t.Fatal(err)
			}
			// render writes base/<stack>/<id> and overlays/<id> (pipelines
			// only with pipeline objects, which this render has none of).
			if err := WriteTree(tree, res); !strings.HasPrefix(link, "pipelines") && (err == nil || !strings.Contains(err.Error(), "is a link")) {
				t.Errorf("WriteTree through %s = %v, want a refusal", link, err)
			}
			testutil.WriteFile(t, tree, "overlays/laconic-0evil0001/"+SourceFile, "stack: "+probe.Stack+"\ndeploymentID: laconic-0evil0001\ndeploymentDir: ../gone\nbase: base/"+probe.Stack+"/laconic-0evil0001\n")
			// The crafted overlay's deployment is gone: prune would remove
			// base/<stack>/laconic-0evil0001 and pipelines/laconic-0evil0001.
			_, err = PruneTree(tree)
			if refused := slices.Contains([]string{"pipelines", "base", "base/" + probe.Stack}, link); refused && err == nil {
				t.Errorf("PruneTree with %s a link = nil, want a refusal", link)
			}
			for _, p := range victims {
				if _, err := os.Stat(filepath.Join(outside, p)); err != nil {
					t.Errorf("%s outside the tree: %v", p, err)
				}
			}
		})
	}
}

// TestPruneJudgesOnlyDeploymentIDOverlays: an overlay whose name is not of
// the deployment-id form is not ours to judge.
func TestPruneJudgesOnlyDeploymentIDOverlays(t *testing.T) {
	t.Parallel()
	tree := t.TempDir()
	for _, name := range []string{"Prod_Overlay", "..x", "a.b"} {
		testutil.WriteFile(t, tree, "overlays/"+name+"/"+SourceFile, "stack: x\ndeploymentID: "+name+"\ndeploymentDir: ../gone\nbase: base/x/"+name+"\n")
		testutil.WriteFile(t, tree, "base/x/"+name+"/kustomization.yaml", "resources: []\n")
	}
	pr, err := PruneTree(tree)
	if err != nil {
		t.Fatal(err)
	}
	if len(pr.Pruned) != 0 || len(pr.Unknown) != 3 {
		t.Errorf("pruned %v, unknown %v; want none pruned, 3 unknown", pr.Pruned, pr.Unknown)
	}
}
