package gitops

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
)

func TestPipelineGolden(t *testing.T) {
	t.Parallel()
	overlay := Pipeline{Name: "laconic-0fixture1", Path: "clusters/prod/overlays/laconic-0fixture1"}
	withRepo := overlay
	withRepo.RepoURL, withRepo.Revision = "https://git.example.com/ops.git", "release"
	waves := withRepo
	waves.Waves = []string{"clusters/prod/pipelines/laconic-0fixture1/waves/0", "clusters/prod/pipelines/laconic-0fixture1/waves/1", "clusters/prod/pipelines/laconic-0fixture1/waves/2"}
	for name, gen := range map[string]func() ([]byte, error){
		"flux-bootstrap-source": func() ([]byte, error) { return Flux(overlay) },
		"flux-own-source":       func() ([]byte, error) { return Flux(withRepo) },
		"argocd":                func() ([]byte, error) { return ArgoCD(withRepo) },
		"flux-waves":            func() ([]byte, error) { return Flux(waves) },
	} {
		t.Run(name, func(t *testing.T) {
			out, err := gen()
			if err != nil {
				t.Fatal(err)
			}
			testutil.AssertGolden(t, out, filepath.Join("testdata", name+".golden.yaml"))
		})
	}
}

func TestPipelineRefusals(t *testing.T) {
	t.Parallel()
	for _, p := range []Pipeline{{Name: "x", Path: ""}, {Name: "x", Path: "/abs/overlays/x"}, {Name: "x", Path: "../outside/overlays/x"}} {
		if _, err := Flux(p); err == nil || !strings.Contains(err.Error(), "relative to the repository root") {
			t.Errorf("Flux(%+v) = %v, want a refusal of the path", p, err)
		}
	}
	if _, err := ArgoCD(Pipeline{Name: "x", Path: "overlays/x"}); err != ErrNoRepoURL {
		t.Errorf("ArgoCD without a URL = %v, want ErrNoRepoURL", err)
	}
}
