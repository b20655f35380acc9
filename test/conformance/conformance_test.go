package conformance

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-stack/kubectl-stack/pkg/compose"
	"github.com/kubectl-stack/kubectl-stack/test/conformance/report"
)

// TestPrepareRunsTheProbeEverywhere: the override file, merged as both
// sides merge it, gives every service the probe's image (a build: is
// reset), keeps its entrypoint after "--", and tells it what to observe.
func TestPrepareRunsTheProbeEverywhere(t *testing.T) {
	t.Parallel()
	p, err := Prepare(context.Background(), "scenarios/basics", filepath.Join(t.TempDir(), "basics"))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(p.Files, []string{"compose.yaml", OverrideFile}) || !slices.Equal(p.Services, []string{"cache_redis", "db", "web", "worker"}) {
		t.Fatalf("files %v, services %v", p.Files, p.Services)
	}
	var files []string
	for _, f := range p.Files {
		files = append(files, filepath.Join(p.Dir, f))
	}
	f, err := compose.LoadFiles(context.Background(), files, p.Dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	cache := f.Project.Services["cache-redis"]
	if cache.Image != ProbeImage || strings.Join(cache.Entrypoint, " ") != "/probe -- /usr/bin/cache-server" || strings.Join(cache.Command, " ") != "--port 6379" {
		t.Errorf("cache_redis: image %s, entrypoint %v, command %v", cache.Image, cache.Entrypoint, cache.Command)
	}
	web := f.Project.Services["web"].Environment
	for k, want := range map[string]string{
		"PROBE_LISTEN": "80/tcp",
		"PROBE_NAMES":  "cache_redis,database,db,jobs,shop-cache,web,worker",
		"PROBE_DIAL":   "cache_redis:6379/tcp,cache_redis:6379/udp,db:5432/tcp",
		"PROBE_ENV":    "CACHE_URL,DB_URL,DEFAULTED,FROM_ENV_FILE,GREETING,LOG_LEVEL",
	} {
		if web[k] == nil || *web[k] != want {
			t.Errorf("web %s = %v, want %q", k, web[k], want)
		}
	}
}

// TestCompareClassifies: equal observations are identical; a generated
// hostname and a renamed service's name rewritten in a value are
// equivalent, with the reason; anything else differs, a missing report
// too.
func TestCompareClassifies(t *testing.T) {
	t.Parallel()
	p := &Project{Services: []string{"web", "gone", "cache_redis"}, renamed: map[string]string{"cache_redis": "cache-redis"}, secretPaths: map[string]bool{"web /run/secrets/token": true}}
	composed := map[string]report.Report{
		"web":         {Service: "web", Paths: map[string]report.Path{"/run/secrets/token": {Kind: "file", Digest: "ab"}, "/data": {Kind: "dir"}}, Hostname: "0123456789ab", Env: map[string]string{"URL": "redis://cache_redis:6379", "A": "1"}, Names: map[string]int{"cache_redis": 1}, Cwd: "/srv"},
		"gone":        {Service: "gone"},
		"cache_redis": {Service: "cache_redis", Cwd: "/"},
	}
	stacked := map[string]report.Report{
		// PROBE_SERVICE=cache_redis is rewritten, as every value naming
		// a renamed service is.
		"cache-redis": {Service: "cache-redis", Cwd: "/"},
		"web":         {Service: "web", Paths: map[string]report.Path{"/run/secrets/token": {Kind: "file", Digest: "ab", Tmpfs: true}, "/data": {Kind: "dir", Tmpfs: true}}, Hostname: "laconic-1-web-deployment-5d9f-x", Env: map[string]string{"URL": "redis://cache-redis:6379", "A": "2"}, Names: map[string]int{"cache-redis": 1}, Cwd: "/srv"},
	}
	got := map[string]Class{}
	for _, r := range p.Compare(composed, stacked) {
		got[r.Service+" "+r.Behaviour] = r.Class
		if r.Class == Equivalent && r.Why == "" {
			t.Errorf("%s %s is equivalent without a reason", r.Service, r.Behaviour)
		}
	}
	for row, want := range map[string]Class{
		"web hostname": Equivalent, "web env URL": Equivalent, "web env A": Differs,
		"web resolves cache_redis": Identical, "web working_dir": Identical, "gone report": Differs,
		"cache_redis report": Identical, "cache_redis working_dir": Identical,
		"web path /run/secrets/token": Equivalent, "web path /data": Differs,
	} {
		if got[row] != want {
			t.Errorf("%s: %s, want %s", row, got[row], want)
		}
	}
}

// TestMarkdownClassesRoundTrip: the classes read back from the document
// are those written, so that the suite sees a class change.
func TestMarkdownClassesRoundTrip(t *testing.T) {
	t.Parallel()
	results := []Result{{Scenario: "basics", Rows: []Row{
		{Service: "web", Behaviour: "argv", Compose: "/probe -- serve", Stack: "/probe -- serve", Class: Identical},
		{Service: "web", Behaviour: "hostname", Compose: "0123456789ab", Stack: "laconic-x", Class: Equivalent, Why: "names"},
		{Service: "db", Behaviour: "env A|B", Compose: "x|y", Stack: "z", Class: Differs},
	}}}
	doc := Markdown(results)
	got, want := Classes(doc), ClassesOf(results)
	if len(got) != 3 || got["basics/db/env A|B"] != Differs || got["basics/web/hostname"] != Equivalent || got["basics/web/argv"] != Identical {
		t.Errorf("Classes() = %v, want %v\n%s", got, want, doc)
	}
	if strings.Contains(doc, "0123456789ab") || !strings.Contains(doc, "(container ID)") {
		t.Errorf("a generated hostname is in the document:\n%s", doc)
	}
}

// TestOrderRows: a service that waits for another to be healthy started
// after that one answered its healthcheck, or did not; one that waits for
// it to have started, after its start.
func TestOrderRows(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	p := &Project{Services: []string{"db", "web", "worker"}, deps: map[string][]compose.Dependency{
		"web":    {{Service: "db", Condition: compose.ConditionHealthy}},
		"worker": {{Service: "db", Condition: compose.ConditionStarted}},
	}}
	db := report.Report{Service: "db", Started: t0, HealthyAt: t0.Add(5 * time.Second)}
	composed := map[string]report.Report{"db": db, "web": {Service: "web", Started: t0.Add(6 * time.Second)}, "worker": {Service: "worker", Started: t0.Add(time.Second)}}
	stacked := map[string]report.Report{"db": db, "web": {Service: "web", Started: t0.Add(2 * time.Second)}, "worker": {Service: "worker", Started: t0.Add(time.Second)}}
	got := map[string]string{}
	for _, r := range p.Compare(composed, stacked) {
		got[r.Service+" "+r.Behaviour] = r.Compose + "/" + r.Stack + "/" + string(r.Class)
	}
	if got["web order after db healthy"] != "yes/no/differs" || got["worker order after db started"] != "yes/yes/identical" {
		t.Errorf("order rows: %v", got)
	}
}
