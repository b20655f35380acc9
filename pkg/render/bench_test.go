package render

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
	"github.com/kubectl-stack/kubectl-stack/pkg/deployment"
)

// BenchmarkRenderLargeStack renders a generated stack of pod files with 4
// services each (a port, a named volume on a host path, a static config
// file and environment per service) and produces the objects deploy
// applies, at 50 and 200 pods to show the cost is linear.
// Run: go test -run '^$' -bench RenderLargeStack -benchmem ./pkg/render/
func BenchmarkRenderLargeStack(b *testing.B) {
	for _, pods := range []int{50, 200} {
		b.Run(fmt.Sprintf("pods=%d", pods), func(b *testing.B) {
			d := largeDeployment(b, pods, 4)
			for b.Loop() {
				res, err := Render(d, Options{})
				if err != nil {
					b.Fatal(err)
				}
				_ = res.YAML()
			}
		})
	}
}

// BenchmarkKustomizeBuildLargeStack is the same 50-pod stack built by
// kustomize itself, as deploy did before Result.YAML: the comparison.
func BenchmarkKustomizeBuildLargeStack(b *testing.B) {
	d := largeDeployment(b, 50, 4)
	for b.Loop() {
		res, err := Render(d, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := kustomizeBuild(res); err != nil {
			b.Fatal(err)
		}
	}
}

func largeDeployment(b testing.TB, pods, services int) *deployment.Deployment {
	b.Helper()
	root := b.TempDir()
	var stack, vols strings.Builder
	stack.WriteString("name: big\npods:\n")
	for p := range pods {
		fmt.Fprintf(&stack, "  - pod%d\n", p)
		var compose strings.Builder
		compose.WriteString("services:\n")
		for s := range services {
			name := fmt.Sprintf("svc%d-%d", p, s)
			fmt.Fprintf(&compose, "  %s:\n    image: example/%s:1\n    environment:\n      PEER: http://svc%d-0:%d\n    ports: [\"%d\"]\n    volumes:\n      - data%d-%d:/data\n      - ../config/pod%d/app.conf:/etc/app.conf:ro\n",
				name, name, p, 8000, 8000+s, p, s, p)
			fmt.Fprintf(&vols, "  data%d-%d: /srv/big/data%d-%d\n", p, s, p, s)
		}
		compose.WriteString("volumes:\n")
		for s := range services {
			fmt.Fprintf(&compose, "  data%d-%d:\n", p, s)
		}
		testutil.WriteFile(b, root, fmt.Sprintf("compose/docker-compose-pod%d.yml", p), compose.String())
		testutil.WriteFile(b, root, fmt.Sprintf("config/pod%d/app.conf", p), "setting = 1\n")
	}
	testutil.WriteFile(b, root, "stacks/big/stack.yml", stack.String())
	specPath := testutil.WriteFile(b, root, "spec.yml", "stack: "+filepath.Join(root, "stacks/big")+"\ndeploy-to: k8s\nvolumes:\n"+vols.String())
	dir := filepath.Join(root, "dep")
	if _, err := deployment.Create(context.Background(), deployment.CreateOptions{SpecPath: specPath, Dir: dir}); err != nil {
		b.Fatal(err)
	}
	d, err := deployment.Load(context.Background(), dir)
	if err != nil {
		b.Fatal(err)
	}
	return d
}

// BenchmarkRenderLargeStackNoBuild measures Render alone, without the
// kustomize build, to split the cost.
func BenchmarkRenderLargeStackNoBuild(b *testing.B) {
	d := largeDeployment(b, 50, 4)
	for b.Loop() {
		if _, err := Render(d, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
