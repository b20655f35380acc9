package deployment_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kubectl-stack/kubectl-stack/pkg/deployment"
	"github.com/kubectl-stack/kubectl-stack/pkg/render"
)

// sentinel is the content of files outside the fuzzed stack; it must never
// appear in a deployment directory or a rendered tree.
const sentinel = "OUTSIDE-THE-STACK-7f3a"

// FuzzComposeIngestion (here, not in pkg/render, whose TestMain starts a
// cluster in every fuzz worker) drives the whole ingestion path with arbitrary
// compose files (and .env files): stack location, compose-go, the name
// mapping, bind classification and scanning, create's plan and write, and
// render. It must not crash, must not hang (a FIFO and a link out of the
// stack sit beside it), and must never read a file outside the stack into
// the deployment directory or the rendered objects.
func FuzzComposeIngestion(f *testing.F) {
	seeds, _ := filepath.Glob("../render/testdata/*/compose.yaml")
	seeds2, _ := filepath.Glob("../render/testdata/*/compose/*.yml")
	for _, s := range append(seeds, seeds2...) {
		data, err := os.ReadFile(s)
		if err == nil {
			f.Add(data, []byte("POSTGRES_PASSWORD=x\nWEB_NODEPORT=30088\n"))
		}
	}
	f.Add([]byte("services:\n  a_b.c:\n    image: x\n    volumes: [\"../outside/secret:/s\", \"./link:/l\", \"./fifo:/f\", \".:/all\", \"v_1:/v\"]\nvolumes:\n  v_1:\n"), []byte(""))
	f.Add([]byte("services:\n  a:\n    build: .\n    env_file: [./fifo]\n"), []byte("A=${B:-c}\n"))
	f.Fuzz(func(t *testing.T, compose, dotEnv []byte) {
		root := t.TempDir()
		outside := filepath.Join(root, "outside")
		project := filepath.Join(root, "stack")
		for _, d := range []string{outside, filepath.Join(project, "conf/sub")} {
			if err := os.MkdirAll(d, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		write := func(path string, data []byte) {
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		write(filepath.Join(outside, "secret"), []byte(sentinel))
		write(filepath.Join(project, "compose.yaml"), compose)
		write(filepath.Join(project, ".env"), dotEnv)
		write(filepath.Join(project, "conf/sub/a.txt"), []byte("a"))
		write(filepath.Join(project, "Dockerfile"), []byte("FROM scratch\n"))
		_ = os.Symlink(filepath.Join(outside, "secret"), filepath.Join(project, "link"))
		_ = os.Symlink("../../outside", filepath.Join(project, "conf/out"))
		_ = mkfifo(filepath.Join(project, "fifo"))
		spec := filepath.Join(root, "spec.yml")
		write(spec, []byte("stack: "+project+"\ndeploy-to: k8s-kind\n"))

		done := make(chan struct{})
		go func() {
			defer close(done)
			ingest(t, spec, filepath.Join(root, "d"))
		}()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Fatalf("ingestion hung on:\n%s", compose)
		}
	})
}

func ingest(t *testing.T, spec, dir string) {
	ctx := context.Background()
	plan, err := deployment.BuildPlan(ctx, deployment.Inputs{SpecPath: spec, Dir: dir, DeploymentID: "laconic-0fuzz0001"})
	if err != nil {
		return
	}
	for name, f := range plan.Files {
		if bytes.Contains(f.Data, []byte(sentinel)) {
			t.Fatalf("the plan's %s holds a file from outside the stack", name)
		}
	}
	if err := deployment.WriteNew(plan, &deployment.Record{ClusterID: "c", DeploymentID: "laconic-0fuzz0001"}); err != nil {
		return
	}
	d, err := deployment.Load(ctx, dir)
	if err != nil {
		return
	}
	res, err := render.Render(d, render.Options{})
	if err != nil {
		return
	}
	for name, data := range res.Files {
		if bytes.Contains(data, []byte(sentinel)) {
			t.Fatalf("the rendered %s holds a file from outside the stack", name)
		}
	}
}
