package deployment

import (
	"context"
	"fmt"
	"testing"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
	"github.com/kubectl-stack/kubectl-stack/pkg/compose"
)

// TestPodPerServiceNames: pods are named after their service, prefixed
// with the file's pod when there are several files; a file that makes one
// pod anyway keeps its pod and name, as without pod-per-service.
func TestPodPerServiceNames(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	load := func(pod, body string) Compose {
		f, err := compose.Load(context.Background(), testutil.WriteFile(t, dir, "docker-compose-"+pod+".yml", body), nil)
		if err != nil {
			t.Fatal(err)
		}
		return Compose{Name: pod, Written: pod, Shown: pod, File: f}
	}
	shop := load("shop", "services:\n  web_ui:\n    image: w\n  db:\n    image: d\n")
	single := load("cache", "services:\n  redis:\n    image: r\n")
	names := func(pods []Compose) string {
		var out []string
		for _, p := range pods {
			out = append(out, fmt.Sprintf("%s(%s:%v)", p.Name, p.Shown, p.File.ServiceNames()))
		}
		return fmt.Sprint(out)
	}
	if got, want := names(PodPerService([]Compose{shop})), "[db(db:[db]) web-ui(web_ui:[web-ui])]"; got != want {
		t.Errorf("one file: %s, want %s", got, want)
	}
	if got, want := names(PodPerService([]Compose{shop, single})), "[shop-db(db:[db]) shop-web-ui(web_ui:[web-ui]) cache(cache:[redis])]"; got != want {
		t.Errorf("two files: %s, want %s", got, want)
	}
}
