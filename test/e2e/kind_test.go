package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
	"github.com/kubectl-stack/kubectl-stack/pkg/cmd"
)

// TestKindSharedClusterLifecycle walks the seed's promises on one real kind
// cluster, in order, since each step builds on the state the last one left:
// creation with an umbrella mount, a second deployment joining it, a
// deployment refused for a mount the cluster lacks, running containers
// (environment, ConfigMap files, job, logs, exec), data across stop and
// deploy, --delete-volumes, restart after a commit, the shared-cluster
// guard, and data across deleting and recreating the cluster.
func TestKindSharedClusterLifecycle(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := e.create(e.spec("a", "hello-a", true))

	// kind create through deploy: a new cluster with the umbrella mount.
	errOut := e.deploy(a)
	if !strings.Contains(errOut, "creating kind cluster "+e.cluster) || !strings.Contains(errOut, "loaded ") {
		t.Errorf("deploy did not say it created the cluster and loaded the images:\n%s", errOut)
	}
	if strings.Contains(errOut, "without an umbrella mount") {
		t.Errorf("umbrella cluster created with the no-umbrella warning:\n%s", errOut)
	}
	markerA := e.hostMarker("hello-a")

	t.Run("containers see the spec and the stack", func(t *testing.T) {
		env := e.must("exec", "-d", a, "web", "--", "/hello", "env")
		for _, want := range []string{"GREETING=Hello from hello-a", "COUNTER_URL=http://counter:8080"} {
			if !strings.Contains(env, want+"\n") {
				t.Errorf("web's environment lacks %s:\n%s", want, env)
			}
		}
		assertFile(t, e, a, "/srv/www/index.html", filepath.Join(repoRoot(), "examples/hello/config/web/index.html"))
		assertFile(t, e, a, "/etc/hello/motd.txt", filepath.Join(repoRoot(), "examples/hello/config/settings/motd.txt"))
	})

	t.Run("job, logs and exec", func(t *testing.T) {
		jobs, err := e.client().BatchV1().Jobs("hello-a").List(ctx, metav1.ListOptions{})
		if err != nil || len(jobs.Items) != 1 || jobs.Items[0].Status.Succeeded != 1 {
			t.Fatalf("seed job not completed: %+v, %v", jobs, err)
		}
		logs := e.must("logs", "-d", a)
		for _, want := range []string{`web\] web: GREETING="Hello from hello-a"`, `counter\] counter: /data/marker created`, `seed\] seed: start=1 written`} {
			if !regexp.MustCompile(want).MatchString(logs) {
				t.Errorf("logs lack %q:\n%s", want, logs)
			}
		}
		only := e.must("logs", "-d", a, "web", "--tail", "1")
		if strings.Contains(only, "/counter]") || !strings.Contains(only, "/web] web: listening on :80") {
			t.Errorf("logs web --tail 1:\n%s", only)
		}
		_, _, err = e.run("exec", "-d", a, "counter", "--", "/hello", "exit", "3")
		if cmd.ExitCode(err) != 3 {
			t.Errorf("exec exit 3: exit code %d (%v), want 3", cmd.ExitCode(err), err)
		}
		// -f follows: a line the counter prints after logs started arrives.
		followed := e.follow(a, "counter: visit 1", func() { e.must("exec", "-d", a, "web", "--", "/hello", "get", "http://counter:8080/") })
		if !strings.Contains(followed, "/counter] counter: visit 1") {
			t.Errorf("logs -f did not show the new line:\n%s", followed)
		}
		// -f follows a rollout: the new web pod's first lines arrive.
		before := e.podNames("hello-a")
		rolled := regexp.MustCompile(`(?m)^\[([^/\]]+)/web\] web: listening on :80$`)
		followed = e.followUntil(a, "the new web pod's first line", func() { e.rolloutRestart("hello-a", "web") }, func(out string) bool {
			for _, m := range rolled.FindAllStringSubmatch(out, -1) {
				if !before[m[1]] {
					return true
				}
			}
			return false
		})
		if !regexp.MustCompile(`\[[^\]]+/web\] web: GREETING=`).MatchString(followed) {
			t.Errorf("logs -f did not stream the new pod from its first line:\n%s", followed)
		}
		if out, errOut, err := e.runWithInput("piped in\n", "exec", "-d", a, "-i", "web", "--", "/hello", "cat", "-"); err != nil || out != "piped in\n" {
			t.Errorf("exec -i cat - = %q, %v\n%s; want stdin echoed", out, err, errOut)
		}
		if _, _, err := e.run("exec", "-d", a, "-t", "web", "--", "/hello", "exit", "4"); cmd.ExitCode(err) != 4 {
			t.Errorf("exec -t exit 4: exit code %d (%v), want 4", cmd.ExitCode(err), err)
		}
		if out := e.must("kind", "load", "-d", a); !strings.Contains(out, "kubectl-stack/hello-web:local\tpresent") {
			t.Errorf("kind load after deploy should find the images present:\n%s", out)
		}
		// A rebuilt image (new ID, same tag) is loaded again; laconic-so
		// did not reload rebuilt :local images.
		rebuild := exec.Command("docker", "build", "-q", "-t", "kubectl-stack/hello-web:local", "-")
		rebuild.Stdin = strings.NewReader("FROM kubectl-stack/hello-web:local\nLABEL kubectl-stack.e2e/rebuilt=" + e.cluster + "\n")
		rebuild.Env = append(os.Environ(), "DOCKER_BUILDKIT=0")
		if out, err := rebuild.CombinedOutput(); err != nil {
			t.Fatalf("docker build: %v\n%s", err, out)
		}
		out := e.must("kind", "load", "-d", a)
		if !strings.Contains(out, "kubectl-stack/hello-web:local\tloaded") || !strings.Contains(out, "kubectl-stack/hello-counter:local\tpresent") {
			t.Errorf("kind load after rebuilding hello-web:\n%s", out)
		}
	})

	// A second deployment joins the running cluster: create inherits its
	// name as cluster-id, and the umbrella covers its host path.
	bSpec := e.spec("b", "hello-b", true)
	testutil.WriteFile(t, e.repo, "ops/b.yml", strings.Replace(readFile(t, bSpec), "kind-cluster-name: "+e.cluster+"\n", "", 1))
	b := e.create(bSpec)
	if rec := readFile(t, filepath.Join(b, "deployment.yml")); !strings.Contains(rec, "cluster-id: "+e.cluster+"\n") {
		t.Fatalf("the second deployment did not inherit the running cluster's name:\n%s", rec)
	}
	if out := e.must("kind", "check-mounts", "-d", b); !strings.Contains(out, "OK") {
		t.Errorf("check-mounts of the joining deployment:\n%s", out)
	}
	if out, errOut, err := e.run("kind", "create", "-d", b); err != nil || out != e.cluster+"\n" || !strings.Contains(errOut, "using the running kind cluster") {
		t.Errorf("kind create of the joining deployment = %v\nstdout %q\n%s; want the running cluster reused and its name on stdout", err, out, errOut)
	}
	e.deploy(b, "--wait=false")

	t.Run("a deployment needing a mount the cluster lacks is refused", func(t *testing.T) {
		c := e.create(e.spec("c", "hello-c", false))
		_, _, err := e.run("deploy", "-d", c)
		if err == nil || !strings.Contains(err.Error(), "refusing to deploy") || !strings.Contains(err.Error(), "kind-mount-root: "+e.mountRoot) {
			t.Fatalf("deploy of a deployment outside the umbrella = %v, want a refusal with the kind-mount-root fix", err)
		}
		if _, err := e.client().CoreV1().Namespaces().Get(ctx, "hello-c", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			t.Errorf("namespace hello-c exists after the refused deploy (%v)", err)
		}
	})

	t.Run("both deployments' routes are served by host name", func(t *testing.T) {
		e.served("hello-a.localhost", "/greeting", "Hello from hello-a")
		e.served("hello-b.localhost", "/greeting", "Hello from hello-b")
		e.served("hello-b.localhost", "/count", "\n") // the counter answers its visit count
		// port: the published port, reached from this host.
		addr := strings.TrimSpace(e.must("port", "-d", b, "web", "80"))
		resp, err := (&http.Client{Timeout: 5 * time.Second}).Get("http://" + addr + "/greeting")
		if err != nil {
			t.Errorf("GET http://%s/greeting (kubectl stack port -d B web 80): %v", addr, err)
		} else {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if string(body) != "Hello from hello-b\n" {
				t.Errorf("GET http://%s/greeting = %d %q", addr, resp.StatusCode, body)
			}
		}
		// HTTPS with a certificate from the cluster's local CA, which
		// kind ca prints; nothing else is trusted.
		ca := strings.TrimSpace(e.must("kind", "ca", "-d", a))
		for _, ns := range []string{"hello-a", "hello-b"} {
			var code int
			var body string
			e.eventually("https://"+ns+".localhost/greeting", time.Minute, func() bool {
				code, body = e.getTLS(ca, ns+".localhost", "/greeting")
				return code == http.StatusOK
			})
			if body != "Hello from "+ns+"\n" {
				t.Errorf("https://%s.localhost/greeting = %d %q", ns, code, body)
			}
		}
		// laconic-so's Ingress form: the class annotation, no class name.
		ing, err := e.client().NetworkingV1().Ingresses("hello-a").List(ctx, metav1.ListOptions{})
		if err != nil || len(ing.Items) != 1 || ing.Items[0].Annotations["kubernetes.io/ingress.class"] != "caddy" || ing.Items[0].Spec.IngressClassName != nil {
			t.Errorf("hello-a's Ingress is not laconic-so's form (class annotation caddy, no class name): %+v, %v", ing, err)
		}
	})

	t.Run("stop of one deployment removes its route only; the controller stays", func(t *testing.T) {
		e.must("stop", "-d", a, "--skip-cluster-management")
		e.eventually("hello-a's route to go", time.Minute, func() bool {
			code, _ := e.get("hello-a.localhost", "/greeting")
			return code == http.StatusNotFound
		})
		e.served("hello-b.localhost", "/greeting", "Hello from hello-b")
		ctrl, err := e.client().AppsV1().Deployments("kubectl-stack-ingress").Get(ctx, "traefik", metav1.GetOptions{})
		if err != nil || ctrl.Status.ReadyReplicas != 1 {
			t.Errorf("the ingress controller after stopping one deployment: %v, ready %d", err, ctrl.Status.ReadyReplicas)
		}
		e.deploy(a)
		e.served("hello-a.localhost", "/greeting", "Hello from hello-a")
	})

	t.Run("the maintenance page answers during a restart", func(t *testing.T) {
		m := e.maintenanceDeployment()
		e.deploy(m)
		e.served("hello-m.localhost", "/greeting", "Hello\n")
		// The stack's start hook ran after the deploy, on this host, with
		// the kind cluster, its context and the namespace.
		if got, want := readFile(t, filepath.Join(m, "started.txt")), e.cluster+" kind-"+e.cluster+" hello-m\n"; got != want {
			t.Errorf("the start hook recorded %q, want %q", got, want)
		}

		// A commit that rolls web, whose new pod takes STARTUP_DELAY to
		// listen; meanwhile a user keeps asking for the page.
		testutil.WriteFile(t, e.upstream, "config/web/index.html", "<p>behind maintenance</p>\n")
		testutil.Git(t, e.upstream, "commit", "-qam", "a page that rolls web")
		stop := make(chan struct{})
		seen := make(chan map[string]int, 1)
		go func() {
			answers := map[string]int{}
			for {
				select {
				case <-stop:
					seen <- answers
					return
				case <-time.After(100 * time.Millisecond):
				}
				code, body := e.get("hello-m.localhost", "/greeting")
				answers[fmt.Sprintf("%d %s", code, strings.TrimSpace(body))]++
			}
		}()
		_, errOut, err := e.run("restart", "-d", m, "--timeout", "3m")
		close(stop)
		answers := <-seen
		if err != nil {
			t.Fatalf("restart: %v\n%s", err, errOut)
		}
		if answers["200 Down for maintenance"] == 0 {
			t.Errorf("the maintenance page never answered during the restart: %v\n%s", answers, errOut)
		}
		for answer, n := range answers {
			if answer != "200 Down for maintenance" && answer != "200 Hello" {
				t.Errorf("during the restart a user got %q (%d times); want only the page or the maintenance page", answer, n)
			}
		}
		e.served("hello-m.localhost", "/greeting", "Hello\n")
		if got := e.must("exec", "-d", m, "web", "--", "/hello", "cat", "/srv/www/index.html"); got != "<p>behind maintenance</p>\n" {
			t.Errorf("web serves %q after the restart", got)
		}
		e.must("stop", "-d", m, "--skip-cluster-management", "--delete-volumes")
	})

	t.Run("stop refuses to delete a shared cluster", func(t *testing.T) {
		_, _, err := e.run("stop", "-d", a)
		if err == nil || !strings.Contains(err.Error(), "other deployments live in it") || !strings.Contains(err.Error(), b) {
			t.Fatalf("stop of A while B lives in the cluster = %v, want the refusal naming B", err)
		}
		if deps, _ := e.client().AppsV1().Deployments("hello-a").List(ctx, metav1.ListOptions{}); len(deps.Items) != 2 {
			t.Errorf("the refused stop deleted objects: %d Deployments left, want 2", len(deps.Items))
		}
	})

	t.Run("host data survives stop and deploy", func(t *testing.T) {
		e.must("stop", "-d", a, "--skip-cluster-management")
		e.deploy(a)
		e.assertLog(a, "counter: /data/marker found "+markerA)
		e.assertLog(a, "counter: /cache/marker found")
	})

	t.Run("delete-volumes gives a fresh node-local volume", func(t *testing.T) {
		e.must("stop", "-d", a, "--skip-cluster-management", "--delete-volumes")
		if _, err := os.Stat(filepath.Join(e.mountRoot, "hello-a/counter/marker")); err != nil {
			t.Fatalf("stop --delete-volumes removed host data: %v", err)
		}
		e.deploy(a)
		e.assertLog(a, "counter: /cache/marker created")
		e.assertLog(a, "counter: /data/marker found "+markerA)
	})

	t.Run("restart after a commit rolls the changed pod file only", func(t *testing.T) {
		before := e.generations("hello-a")
		testutil.WriteFile(t, e.upstream, "config/web/index.html", "<p>new page</p>\n")
		testutil.Git(t, e.upstream, "commit", "-qam", "new page")
		out := e.must("restart", "-d", a, "--timeout", "3m")
		after := e.generations("hello-a")
		for name, gen := range after {
			if rolled := gen != before[name]; rolled != strings.HasSuffix(name, "-web-deployment") {
				t.Errorf("%s: generation %d -> %d; only the web Deployment should roll\n%s", name, before[name], gen, out)
			}
		}
		if got := e.must("exec", "-d", a, "web", "--", "/hello", "cat", "/srv/www/index.html"); got != "<p>new page</p>\n" {
			t.Errorf("web serves %q after restart", got)
		}
	})

	t.Run("stop --force deletes the shared cluster and keeps host data", func(t *testing.T) {
		e.must("stop", "-d", a, "--force")
		if e.clusterExists() {
			t.Fatal("the cluster still exists after stop --force")
		}
		if got := e.hostMarker("hello-a"); got != markerA {
			t.Fatalf("host marker %q after the cluster was deleted, want %q", got, markerA)
		}
	})

	t.Run("host data survives recreating the cluster", func(t *testing.T) {
		errOut := e.deploy(a)
		if !strings.Contains(errOut, "creating kind cluster") {
			t.Errorf("deploy did not recreate the cluster:\n%s", errOut)
		}
		e.assertLog(a, "counter: /data/marker found "+markerA)
		e.assertLog(a, "counter: /cache/marker created")
	})

	t.Run("kind delete", func(t *testing.T) {
		_, _, err := e.run("kind", "delete", "-d", a)
		if err == nil || !strings.Contains(err.Error(), "only inside the node") {
			t.Fatalf("kind delete with node-local data = %v, want a refusal", err)
		}
		e.must("kind", "delete", "-d", a, "--force")
		if e.clusterExists() {
			t.Fatal("the cluster still exists after kind delete --force")
		}
	})
}

// TestKindClusterWithoutUmbrella: a cluster created without kind-mount-root
// warns, and migrate-plan lists what its recreation would lose and the
// steps with the real names.
func TestKindClusterWithoutUmbrella(t *testing.T) {
	e := newEnv(t)
	spec := e.spec("c", "hello-c", false)
	if nodeImage != "" { // the git-tracked spec pins the node image here
		testutil.WriteFile(t, e.repo, "ops/c.yml", readFile(t, spec)+"kind-node-image: "+nodeImage+"\n")
	}
	c := e.create(spec)
	errOut := e.deploy(c)
	if !strings.Contains(errOut, "without an umbrella mount") {
		t.Errorf("no warning for a cluster without an umbrella:\n%s", errOut)
	}
	if nodeImage != "" && !strings.Contains(errOut, "(node image "+nodeImage+")") {
		t.Errorf("the cluster was not created from the spec's kind-node-image:\n%s", errOut)
	}
	if out := e.must("kind", "check-mounts", "-d", c); !strings.Contains(out, "OK") {
		t.Errorf("check-mounts of the creating deployment:\n%s", out)
	}
	plan := e.must("kind", "migrate-plan", "-d", c)
	for _, want := range []string{
		"(claim hello-c/", "-cache", // the node-local volume
		"kind-mount-root: /srv/kind",
		"docker exec " + e.cluster + "-control-plane tar -C /var/local-path-provisioner/",
		"kubectl stack kind delete -d " + c + " --force",
		"cp -a " + filepath.Join(c, "data/counter") + "/. /srv/kind/", // host data outside the new root moves
	} {
		if !strings.Contains(plan, want) {
			t.Errorf("migrate-plan lacks %q:\n%s", want, plan)
		}
	}
	if strings.Contains(plan, "-counter-data (claim") {
		t.Errorf("migrate-plan lists the host-path volume as node-local:\n%s", plan)
	}
}

// follow runs logs -f, does something once it streams, and returns what it
// printed until want appeared (or a minute passed).
func (e *env) follow(dir, want string, do func()) string {
	e.t.Helper()
	return e.followUntil(dir, want, do, func(out string) bool { return strings.Contains(out, want) })
}

// followUntil runs logs -f, does something once it streams, and returns
// what it printed until done accepts it (or a minute passed).
func (e *env) followUntil(dir, what string, do func(), done func(string) bool) string {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out := &testutil.SyncBuffer{}
	finished := make(chan error, 1)
	go func() { finished <- e.runTo(ctx, "", out, io.Discard, "logs", "-d", dir, "-f", "--tail", "1") }()
	e.eventually("logs -f to stream", 30*time.Second, func() bool { return out.String() != "" })
	do()
	e.eventually("logs -f to show "+what, 45*time.Second, func() bool { return done(out.String()) })
	cancel()
	<-finished
	return out.String()
}

// podNames are the names of the namespace's pods.
func (e *env) podNames(ns string) map[string]bool {
	e.t.Helper()
	pods, err := e.client().CoreV1().Pods(ns).List(context.Background(), metav1.ListOptions{})
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[string]bool{}
	for _, p := range pods.Items {
		out[p.Name] = true
	}
	return out
}

// rolloutRestart does what kubectl rollout restart does to the Deployment
// that runs the service: a new pod template annotation.
func (e *env) rolloutRestart(ns, service string) {
	e.t.Helper()
	deps, err := e.client().AppsV1().Deployments(ns).List(context.Background(), metav1.ListOptions{})
	if err != nil {
		e.t.Fatal(err)
	}
	patch := fmt.Sprintf(`{"spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":%q}}}}}`, time.Now().Format(time.RFC3339))
	for _, d := range deps.Items {
		if slices.ContainsFunc(d.Spec.Template.Spec.Containers, func(c corev1.Container) bool { return c.Name == service }) {
			if _, err := e.client().AppsV1().Deployments(ns).Patch(context.Background(), d.Name, types.StrategicMergePatchType, []byte(patch), metav1.PatchOptions{}); err != nil {
				e.t.Fatal(err)
			}
			return
		}
	}
	e.t.Fatalf("no Deployment of service %s in %s", service, ns)
}

// hostMarker reads the counter's marker on the host, under the mount root.
func (e *env) hostMarker(ns string) string {
	e.t.Helper()
	return strings.TrimSpace(readFile(e.t, filepath.Join(e.mountRoot, ns, "counter/marker")))
}

// assertLog waits for a line in the deployment's logs.
func (e *env) assertLog(dir, want string) {
	e.t.Helper()
	var logs string
	e.eventually("log line "+want, time.Minute, func() bool {
		logs, _, _ = e.run("logs", "-d", dir)
		return strings.Contains(logs, want)
	})
}

// generations maps each Deployment of the namespace to its generation.
func (e *env) generations(ns string) map[string]int64 {
	e.t.Helper()
	deps, err := e.client().AppsV1().Deployments(ns).List(context.Background(), metav1.ListOptions{})
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[string]int64{}
	for _, d := range deps.Items {
		out[d.Name] = d.Generation
	}
	return out
}

// assertFile compares a file in the web container with the source file.
func assertFile(t *testing.T, e *env, dir, inPod, source string) {
	t.Helper()
	if got, want := e.must("exec", "-d", dir, "web", "--", "/hello", "cat", inPod), readFile(t, source); got != want {
		t.Errorf("%s in the web container = %q, want %q (from %s)", inPod, got, want, source)
	}
}

func readFile(t *testing.T, path string) string { return testutil.ReadFile(t, path) }
