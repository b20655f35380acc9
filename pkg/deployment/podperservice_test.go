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
// pod anyway keeps its pod and name, as without pod-per-service; a service
// that others wait to complete is a job.
func TestPodPerServiceNames(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	load := func(pod, body string) Compose {
		f, err := compose.Load(context.Background(), testutil.WriteFile(t, dir, "docker-compose-"+pod+".yml", body), "/", nil)
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
	if got, _ := PodPerService([]Compose{shop}); names(got) != "[db(db:[db]) web-ui(web_ui:[web-ui])]" {
		t.Errorf("one file: %s", names(got))
	}
	if got, _ := PodPerService([]Compose{shop, single}); names(got) != "[shop-db(db:[db]) shop-web-ui(web_ui:[web-ui]) cache(cache:[redis])]" {
		t.Errorf("two files: %s", names(got))
	}
	// A service others wait to complete is a job.
	migrating := load("app", "services:\n  migrate:\n    image: m\n  web:\n    image: w\n    depends_on:\n      migrate:\n        condition: service_completed_successfully\n")
	if pods, jobs := PodPerService([]Compose{migrating}); names(pods) != "[web(web:[web])]" || names(jobs) != "[migrate(migrate:[migrate])]" {
		t.Errorf("pods %s, jobs %s; want web a pod and migrate a job", names(pods), names(jobs))
	}
}
