package e2e

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
)

// TestKindPodPerServiceResolvesNames deploys, on a real kind cluster, a
// compose project whose two services both listen on port 80 and declare
// no port, as compose projects often do: with pod-per-service (which init
// writes for such a project) each runs in its own pod, and one reaches the
// other by its compose name through the cluster's DNS, as in docker compose;
// a service one of them waits to complete runs once, as a Job; so does a
// service whose restart policy runs it once (restart: "no"), which deploy
// does not wait for (this one never ends) and which is reached by name
// while it runs.
func TestKindPodPerServiceResolvesNames(t *testing.T) {
	e := newEnv(t)
	project := filepath.Join(t.TempDir(), "twin_webs")
	testutil.WriteFile(t, project, "compose.yaml", `services:
  front:
    image: kubectl-stack/hello-web:local
    environment:
      GREETING: from front
    depends_on:
      seed:
        condition: service_completed_successfully
  seed:
    image: kubectl-stack/hello-web:local
    command: ["exit", "0"]
  back_end:
    image: kubectl-stack/hello-web:local
    environment:
      GREETING: from back
  oneshot:
    image: kubectl-stack/hello-web:local
    restart: "no"
    environment:
      GREETING: from oneshot
`)
	spec := filepath.Join(e.repo, "ops", "twins.yml")
	e.must("init", "--stack", project, "--deploy-to", "k8s-kind", "--output", spec)
	if s := readFile(t, spec); !strings.Contains(s, "\npod-per-service: true\n") {
		t.Fatalf("init did not turn pod-per-service on:\n%s", s)
	}
	testutil.WriteFile(t, e.repo, "ops/twins.yml", readFile(t, spec)+"kind-cluster-name: "+e.cluster+"\nkind-mount-root: "+e.mountRoot+"\n")
	dir := e.create(spec)
	e.deploy(dir)

	// back_end's Service is back-end (the name rule); a headless Service
	// without ports, so any port of the pod answers. The name resolves
	// once the cluster's DNS has the pod's address (CoreDNS may hold a
	// negative answer for up to 30 s), hence eventually.
	for _, c := range []struct{ from, url, want string }{
		{"front", "http://back-end/greeting", "from back\n"},
		{"back_end", "http://front/greeting", "from front\n"},
		{"front", "http://oneshot/greeting", "from oneshot\n"},
	} {
		var got, errOut string
		for deadline := time.Now().Add(time.Minute); got != c.want && time.Now().Before(deadline); time.Sleep(time.Second) {
			got, errOut, _ = e.run("exec", "-d", dir, c.from, "--", "/hello", "get", c.url)
		}
		if got != c.want {
			t.Errorf("%s GET %s = %q, want %q\n%s", c.from, c.url, got, c.want, errOut)
		}
	}
	// seed, which front waits to complete, ran once as a Job; oneshot's
	// Job still runs.
	if ps := e.must("ps", "-d", dir); strings.Count(ps, "Running") != 3 || !strings.Contains(ps, "Succeeded") {
		t.Errorf("ps shows other than three running pods (front, back_end, oneshot's Job) and seed's succeeded one:\n%s", ps)
	}
	deployCrashers(t, e)
	deployChain(t, e)
}

// deployCrashers goes on, on the cluster of TestKindPodPerServiceResolvesNames: deploy's wait must not call ready a container that exits two
// seconds after it started (no healthcheck: Ready at once), nor one that
// crashes just after its healthcheck first passed; it ends within its
// timeout with each one's exit code and the last lines of its log.
func deployCrashers(t *testing.T, e *env) {
	project := filepath.Join(t.TempDir(), "crashers")
	testutil.WriteFile(t, project, "compose.yaml", `services:
  sudden:
    image: kubectl-stack/hello-web:local
    environment:
      CRASH_AFTER: 2s
  checked:
    image: kubectl-stack/hello-web:local
    environment:
      CRASH_AFTER: 2s
    healthcheck:
      test: ["CMD", "/hello", "get", "http://localhost/greeting"]
      interval: 1s
`)
	spec := filepath.Join(e.repo, "ops", "crashers.yml")
	e.must("init", "--stack", project, "--deploy-to", "k8s-kind", "--output", spec)
	testutil.WriteFile(t, e.repo, "ops/crashers.yml", readFile(t, spec)+"kind-cluster-name: "+e.cluster+"\nkind-mount-root: "+e.mountRoot+"\n")
	dir := e.create(spec)
	start := time.Now()
	_, errOut, err := e.run("deploy", "-d", dir, "--timeout", "45s")
	if err == nil {
		t.Fatalf("deploy of crashing containers succeeded:\n%s", errOut)
	}
	if took := time.Since(start); took > 2*time.Minute {
		t.Errorf("deploy took %s to give up, past its timeout", took)
	}
	msg := err.Error()
	for _, want := range []string{"container sudden", "container checked", "exit code 1", "web: crashing after 2s"} {
		if !strings.Contains(msg, want) {
			t.Errorf("deploy's error:\n%s\nwant it to say %q", msg, want)
		}
	}
	if strings.Contains(errOut, "all objects ready") {
		t.Errorf("deploy said all objects were ready:\n%s", errOut)
	}
}

// deployChain goes on, on the same cluster: a database with a
// healthcheck, a migration that waits for it to be healthy, and a web
// service that waits for the migration to complete start in that order;
// with a database whose healthcheck never passes, deploy stops with the
// reason and applies nothing of the migration's and web's waves.
func deployChain(t *testing.T, e *env) {
	chain := func(dbCheck string) string {
		return `services:
  db:
    image: kubectl-stack/hello-web:local
    healthcheck:
      test: ` + dbCheck + `
      interval: 1s
  migrate:
    image: kubectl-stack/hello-web:local
    command: ["exit", "0"]
    depends_on:
      db: {condition: service_healthy}
  web:
    image: kubectl-stack/hello-web:local
    depends_on:
      db: {condition: service_healthy}
      migrate: {condition: service_completed_successfully}
`
	}
	for _, tc := range []struct {
		name, check string
		broken      bool
	}{{"chain", `["CMD", "/hello", "get", "http://localhost/greeting"]`, false}, {"brokenchain", `["CMD", "/hello", "exit", "1"]`, true}} {
		project := filepath.Join(t.TempDir(), tc.name)
		testutil.WriteFile(t, project, "compose.yaml", chain(tc.check))
		spec := filepath.Join(e.repo, "ops", tc.name+".yml")
		e.must("init", "--stack", project, "--deploy-to", "k8s-kind", "--output", spec)
		testutil.WriteFile(t, e.repo, "ops/"+tc.name+".yml", readFile(t, spec)+"kind-cluster-name: "+e.cluster+"\nkind-mount-root: "+e.mountRoot+"\n")
		dir := e.create(spec)
		_, errOut, err := e.run("deploy", "-d", dir, "--timeout", "40s")
		ps := e.must("ps", "-d", dir)
		if !tc.broken {
			if err != nil {
				t.Fatalf("deploy of the chain: %v\n%s", err, errOut)
			}
			migrate, web := strings.Index(errOut, "-db-deployment to be ready before applying Job/"), strings.Index(errOut, "-job-migrate to be completed before applying Deployment/")
			if migrate < 0 || web < migrate {
				t.Errorf("deploy did not apply db, then migrate, then web:\n%s", errOut)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), "-db-deployment to be ready (depends_on): not so after 40s") || !strings.Contains(err.Error(), "held back by it: Job/") {
			t.Errorf("deploy with a database that never becomes healthy = %v", err)
		}
		if strings.Contains(ps, "migrate") || strings.Contains(ps, "web") {
			t.Errorf("pods of the held-back waves run:\n%s", ps)
		}
	}
}
