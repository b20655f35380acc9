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
// the deployment directory or the rendered objects. layout's bits add the
// hostile stack layouts of others' stacks: a linked hooks directory, a
// hook that is a link, a link to /proc in a directory component, and a
// hooks directory under a linked deploy/.
func FuzzComposeIngestion(f *testing.F) {
	seeds, _ := filepath.Glob("../render/testdata/*/compose.yaml")
	seeds2, _ := filepath.Glob("../render/testdata/*/compose/*.yml")
	for _, s := range append(seeds, seeds2...) {
		data, err := os.ReadFile(s)
		if err == nil {
			f.Add(data, []byte("POSTGRES_PASSWORD=x\nWEB_NODEPORT=30088\n"), byte(0))
		}
	}
	f.Add([]byte("services:\n  a_b.c:\n    image: x\n    volumes: [\"../outside/secret:/s\", \"./link:/l\", \"./fifo:/f\", \".:/all\", \"v_1:/v\"]\nvolumes:\n  v_1:\n"), []byte(""), byte(0))
	f.Add([]byte("services:\n  a:\n    build: .\n    env_file: [./fifo]\n"), []byte("A=${B:-c}\n"), byte(0))
	// Links in directory components, .. binds, /proc-like files, hooks.
	f.Add([]byte("services:\n  a:\n    image: x\n    volumes: [\"./conf/out/secret:/s:ro\", \"./proc/self/environ:/e:ro\", \"./proc/self/pagemap:/p:ro\", \"..:/up:ro\", \"./conf/..:/c:ro\"]\n"), []byte(""), byte(0b0100))
	f.Add([]byte("services:\n  a:\n    image: x\n    env_file: [./conf/out/secret, ../outside/secret]\n    extends: {file: ./conf/out/x.yml, service: b}\n"), []byte(""), byte(0b1111))
	f.Add([]byte("services:\n  a:\n    build: ./conf/out\n    volumes: [\"./conf:/c:ro\"]\n"), []byte(""), byte(0b0011))
	f.Fuzz(func(t *testing.T, compose, dotEnv []byte, layout byte) {
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
		write(filepath.Join(outside, "create"), []byte("#!/bin/sh\necho "+sentinel+"\n"))
		hostile(project, outside, layout)
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

// hostile lays out what layout's bits ask for (see FuzzComposeIngestion).
func hostile(project, outside string, layout byte) {
	hooks := filepath.Join(project, "deploy", "hooks")
	if layout&0b0001 != 0 {
		_ = os.MkdirAll(filepath.Dir(hooks), 0o755)
		_ = os.Symlink(outside, hooks)
	}
	if layout&0b0010 != 0 {
		_ = os.MkdirAll(hooks, 0o755)
		_ = os.Symlink(filepath.Join(outside, "create"), filepath.Join(hooks, "start"))
	}
	if layout&0b0100 != 0 {
		_ = os.Symlink("/proc", filepath.Join(project, "proc"))
	}
	if layout&0b1000 != 0 {
		_ = os.MkdirAll(filepath.Join(outside, "hooks"), 0o755)
		_ = os.Symlink(outside, filepath.Join(project, "deploy"))
	}
}
