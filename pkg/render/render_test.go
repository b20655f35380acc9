package render

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
	"github.com/kubectl-stack/kubectl-stack/pkg/apply"
	"github.com/kubectl-stack/kubectl-stack/pkg/deployment"
	"github.com/kubectl-stack/kubectl-stack/pkg/k8sname"
	"github.com/kubectl-stack/kubectl-stack/pkg/localca"
	"github.com/kubectl-stack/kubectl-stack/test/cluster"
)

func load(t *testing.T, dir string) *deployment.Deployment {
	t.Helper()
	d, err := deployment.Load(context.Background(), dir)
	if err != nil {
		t.Fatalf("Load(%s) = %v", dir, err)
	}
	return d
}

// fixtures are deployment directories, rendered and built into golden
// files: laconic-so-test is a directory laconic-so wrote (one pod, a job,
// host-path binds, a spec configmap, deploy-to k8s-kind); hello is created
// from the example stack (two pods, a job, http-proxy, registry
// credentials, a host-path volume, deploy-to k8s) with fixed IDs.
// features is made from testdata/features-stack with kind-mount-root
// and most compose keys and spec settings. compose-project is a compose
// project as people write them for docker compose (see its compose.yaml),
// with the spec in compose spelling.
var fixtures = []string{"laconic-so-test", "hello", "features", "compose-project"}

// fixtureDir returns the deployment directory of a fixture.
func fixtureDir(t *testing.T, name string) string {
	t.Helper()
	return fixtureWithID(t, name, "laconic-0fixture1")
}

// fixtureWithID creates a fixture's deployment directory with the given
// deployment-id (laconic-so-test, written by laconic-so, has its own).
func fixtureWithID(t *testing.T, name, id string) string {
	t.Helper()
	var specPath string
	switch name {
	case "hello":
		specPath, _ = filepath.Abs("../../examples/hello/ops/spec.yml")
	case "features":
		specPath = featuresSpec(t)
	case "compose-project":
		specPath = composeProjectSpec(t, "deploy-to: k8s-kind\n")
	default:
		dir, _ := filepath.Abs(filepath.Join("testdata", name))
		return dir
	}
	dir := filepath.Join(t.TempDir(), name)
	plan, err := deployment.BuildPlan(context.Background(), deployment.Inputs{SpecPath: specPath, Dir: dir, DeploymentID: id})
	if err != nil {
		t.Fatal(err)
	}
	if err := deployment.WriteNew(plan, &deployment.Record{ClusterID: "laconic-0cluster1", DeploymentID: id}); err != nil {
		t.Fatal(err)
	}
	return dir
}

// featuresSpec writes the features spec with its kind-mount-root in a
// temporary directory.
func featuresSpec(t *testing.T) string {
	t.Helper()
	stackDir, _ := filepath.Abs("testdata/features-stack/stacks/features")
	root := filepath.Join(t.TempDir(), "kind-root")
	return testutil.WriteFile(t, t.TempDir(), "spec.yml", `stack: `+stackDir+`
deploy-to: k8s-kind
namespace: features
kind-mount-root: `+root+`
config:
  LOG_LEVEL: debug
volumes:
  data: `+root+`/features/data
replicas: 2
image-pull-policy: IfNotPresent
image-overrides:
  cache: example/cache:7.2
resources:
  containers:
    cache:
      limits: {memory: 64Mi}
security:
  capabilities: [IPC_LOCK]
  runtime-class: gvisor
annotations:
  example.com/service-{name}: "yes"
labels:
  tier: backend
node-affinities:
  - {label: disk, value: ssd}
node-tolerations:
  - {key: dedicated, value: features}
`)
}

// composeProjectSpec writes a spec for testdata/compose-project whose
// volume keys are spelled as the compose file spells them.
func composeProjectSpec(t *testing.T, extra string) string {
	t.Helper()
	stackDir, _ := filepath.Abs("testdata/compose-project")
	return testutil.WriteFile(t, t.TempDir(), "spec.yml", "stack: "+stackDir+"\n"+extra+`volumes:
  db_data:
  Redis.Data: ./data/redis
  uploads_data:
  redis_append_only_file_storage_for_the_shopping_cart_sessions: ./data/aof
`)
}

func build(t *testing.T, name string) (string, *Result, []byte) {
	t.Helper()
	dir := fixtureDir(t, name)
	res, err := Render(load(t, dir), Options{})
	if err != nil {
		t.Fatal(err)
	}
	out, err := checkedYAML(res)
	if err != nil {
		t.Fatal(err)
	}
	return dir, res, out
}

func TestRenderGolden(t *testing.T) {
	t.Parallel()
	for _, name := range fixtures {
		t.Run(name, func(t *testing.T) {
			// No path is replaced: the objects hold no local path.
			_, _, out := build(t, name)
			testutil.AssertGolden(t, out, filepath.Join("testdata", name+".golden.yaml"))
		})
	}
}

// TestKubectlKustomizeBuildsTheSameObjects writes the tree and builds it
// with the installed kubectl, an independent consumer.
func TestKubectlKustomizeBuildsTheSameObjects(t *testing.T) {
	t.Parallel()
	kubectl, err := exec.LookPath("kubectl")
	if err != nil {
		t.Skip("kubectl is not installed")
	}
	for _, name := range fixtures {
		_, res, want := build(t, name)
		out := t.TempDir()
		if err := WriteTree(out, res); err != nil {
			t.Fatal(err)
		}
		got, err := exec.Command(kubectl, "kustomize", filepath.Join(out, res.Overlay)).CombinedOutput()
		if err != nil {
			t.Fatalf("kubectl kustomize: %v\n%s", err, got)
		}
		if string(got) != string(want) {
			t.Errorf("%s: kubectl kustomize differs from the in-process build:\n--- kubectl\n%s\n--- krusty\n%s", name, got, want)
		}
	}
}

func TestImageOverrideForUnknownContainer(t *testing.T) {
	t.Parallel()
	_, err := Render(load(t, fixtureDir(t, "laconic-so-test")), Options{ImageOverrides: map[string]string{"tset": "x:1"}})
	if err == nil || !strings.Contains(err.Error(), `"tset" is not a container of this deployment; containers are: [test test-job]`) {
		t.Fatalf("Render() = %v", err)
	}
}

func TestMain(m *testing.M) { os.Exit(cluster.Main(m, 1)) }

// TestServerDryRun applies every rendered object of every fixture with a
// server-side dry run on the local control plane: the API server's own
// validation and defaulting accept them.
func TestServerDryRun(t *testing.T) {
	t.Parallel()
	c := cluster.Shared(t)
	kubectl, err := exec.LookPath("kubectl")
	if err != nil {
		t.Fatal("kubectl is needed to drive the dry run")
	}
	for _, name := range fixtures {
		t.Run(name, func(t *testing.T) {
			_, res, out := build(t, name)
			file := filepath.Join(t.TempDir(), "objects.yaml")
			if err := os.WriteFile(file, out, 0o644); err != nil {
				t.Fatal(err)
			}
			ns := filepath.Join(res.Overlay, "namespace.yaml")
			nsFile := filepath.Join(t.TempDir(), "ns.yaml")
			if err := os.WriteFile(nsFile, res.Files[ns], 0o644); err != nil {
				t.Fatal(err)
			}
			// A dry run does not create the namespace, and namespaced
			// objects need it to exist.
			run := func(args ...string) {
				cmd := exec.Command(kubectl, append([]string{"--kubeconfig", c.Kubeconfig}, args...)...)
				if b, err := cmd.CombinedOutput(); err != nil {
					t.Fatalf("kubectl %v: %v\n%s", args, err, b)
				}
			}
			run("apply", "--server-side", "-f", nsFile)
			run("apply", "--server-side", "--dry-run=server", "--field-manager=kubectl-stack", "-f", file)
		})
	}
}

func TestUnrepresentableComposeKeysAreReported(t *testing.T) {
	t.Parallel()
	res, err := Render(load(t, fixtureDir(t, "features")), Options{})
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Join(res.Warnings, "\n")
	for _, want := range []string{
		`service app: restart: "on-failure" runs it once, but it shares pod app with services that stay up`,
		`service cache: sysctl net.core.somaxconn is not one every kubelet allows`,
	} {
		if !strings.Contains(all, want) {
			t.Errorf("warnings:\n%s\nwant one containing %q", all, want)
		}
	}
}

func TestTreeHoldsNoToken(t *testing.T) {
	t.Setenv("DEMO_REGISTRY_TOKEN", "s3cr3t-token-value")
	_, res, out := build(t, "hello")
	for name, data := range res.Files {
		if strings.Contains(string(data), "s3cr3t") {
			t.Errorf("%s contains the registry token", name)
		}
	}
	if strings.Contains(string(out), "s3cr3t") || !strings.Contains(string(out), "name: laconic-0fixture1-registry") {
		t.Error("built objects contain the token, or do not reference the pull secret by name")
	}
}

// TestComposeProjectReportsWhatItLeavesOut: every compose key of the
// compose-project fixture that has no equivalent is named, once, with its
// service; nothing is dropped silently.
func TestComposeProjectReportsWhatItLeavesOut(t *testing.T) {
	t.Parallel()
	plan, res := createAndRender(t, composeProjectSpec(t, "deploy-to: k8s-kind\n"))
	all := strings.Join(append(plan.Warnings, res.Warnings...), "\n")
	for _, want := range []string{
		`service web.frontend: build: build secrets [npm_token] are not passed`,
		`service web.frontend: extra_hosts host.docker.internal:host-gateway is not an IP address`,
		`service debug_shell is in profile debug, which is not active, so it is not deployed`,
		`bind "/proc:/host/proc" binds /proc: the container gets the kind node container's own /proc (not the host's)`,
		`bind "/srv/shop-backups:/backups" is a host path outside kind-mount-root`,
		`service api_server: port "127.0.0.1:9000:9000" is bound to 127.0.0.1 (local only in docker compose), so it is not published`,
		`service grafana: port "3000:3000": host port 3000 is outside the NodePort range 30000-32767, so the cluster assigns the node port`,
	} {
		if !strings.Contains(all, want) {
			t.Errorf("warnings:\n%s\nwant one containing %q", all, want)
		}
	}
}

// TestEnvironmentReachesRenamedServicesOfOtherPods: a value naming a
// service of another pod by its compose name (cache_redis) is rewritten to
// its Service name (cache-redis); one naming a service of the same pod
// becomes localhost; longer names that merely contain it are left alone.
func TestEnvironmentReachesRenamedServicesOfOtherPods(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	testutil.WriteFile(t, root, "stacks/shop/stack.yml", "name: shop\npods: [api_pod, cache]\n")
	testutil.WriteFile(t, root, "compose/docker-compose-api_pod.yml", `services:
  api.v1:
    image: api
    environment:
      CACHE: redis://cache_redis:6379/0
      SELF: http://worker_1:8080
      OTHER: cache_redis_replica.example.com
  worker_1:
    image: worker
    expose: ["8080"]
`)
	testutil.WriteFile(t, root, "compose/docker-compose-cache.yml", "services:\n  cache_redis:\n    image: redis\n    expose: [\"6379\"]\n")
	spec := testutil.WriteFile(t, root, "spec.yml", "stack: "+filepath.Join(root, "stacks/shop")+"\ndeploy-to: k8s\n")
	_, res := createAndRender(t, spec)
	out, err := checkedYAML(res)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"value: redis://cache-redis:6379/0",
		"value: http://localhost:8080",
		"value: cache_redis_replica.example.com",
		"name: laconic-0fixture1-api-pod-deployment",
		"kubectl-stack.io/compose-name: api_pod",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("rendered objects lack %q", want)
		}
	}
}

// TestDataDirectoriesBecomeDataVolumes: a relative bind whose directory
// does not exist (docker compose creates it; the container writes it), or
// an existing empty one that is not read-only (linuxserver's
// "./config:/config"), is a data volume: a claim on k8s, a host path under
// kind-mount-root on kind, noted once. An empty read-only one stays an
// empty ConfigMap, warned about.
func TestDataDirectoriesBecomeDataVolumes(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	project := filepath.Join(root, "media_stack")
	testutil.WriteFile(t, project, "compose.yaml", `services:
  torrent:
    image: torrent
    volumes:
      - ./config:/config
      - ./volumes/db:/var/lib/postgresql/data
      - ./static:/srv:ro
`)
	for _, d := range []string{"config", "static"} {
		if err := os.MkdirAll(filepath.Join(project, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	plan, res := createAndRender(t, testutil.WriteFile(t, root, "spec.yml", "stack: "+project+"\ndeploy-to: k8s\n"))
	notes := strings.Join(append(plan.Warnings, res.Warnings...), "\n")
	for _, want := range []string{
		"the bind ./config:/config is a data directory", "so it is the data volume config,",
		"the bind ./volumes/db:/var/lib/postgresql/data is a data directory",
		`bind "./static:/srv": ` + filepath.Join(project, "static") + " is empty",
	} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes:\n%s\nwant %q", notes, want)
		}
	}
	out, err := checkedYAML(res)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"claimName: laconic-0fixture1-config\n", "claimName: laconic-0fixture1-volumes-db\n", "name: laconic-0fixture1-host-path-static\n"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the render lacks %q:\n%s", want, out)
		}
	}

	// On kind with a kind-mount-root, the data lives under it.
	mount := filepath.Join(root, "kind-data")
	_, res = createAndRender(t, testutil.WriteFile(t, root, "kind.yml", "stack: "+project+"\ndeploy-to: k8s-kind\nnamespace: media\nkind-mount-root: "+mount+"\n"))
	out, err = checkedYAML(res)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "path: /mnt/media/volumes-db\n") {
		t.Errorf("on kind the data volume is not under the umbrella mount:\n%s", out)
	}
}

// createAndRender creates a deployment directory from a spec, with the
// fixtures' IDs, and renders it.
func createAndRender(t *testing.T, specPath string) (*deployment.Plan, *Result) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "d")
	plan := writeDeployment(t, specPath, dir)
	res, err := Render(load(t, dir), Options{})
	if err != nil {
		t.Fatal(err)
	}
	return plan, res
}

// TestHostBindWithoutAKindMountIsRefused: a deployment directory whose
// kind-config.yml lacks the mount a host bind needs (written before host
// binds were mounted) must not render a pod that would see an empty node
// directory.
func TestHostBindWithoutAKindMountIsRefused(t *testing.T) {
	t.Parallel()
	dir := fixtureDir(t, "compose-project")
	cfg := filepath.Join(dir, deployment.KindConfigFile)
	data, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Render(load(t, dir), Options{}); err != nil {
		t.Fatalf("Render with the mount = %v", err)
	}
	stripped := regexp.MustCompile(`(?m)^ *- containerPath: /mnt/laconic-0fixture1-host-srv-shop-backups\n *hostPath: /srv/shop-backups\n *propagation: HostToContainer\n`).ReplaceAll(data, nil)
	if string(stripped) == string(data) {
		t.Fatalf("the fixture's kind config has no mount for /srv/shop-backups:\n%s", data)
	}
	if err := os.WriteFile(cfg, stripped, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Render(load(t, dir), Options{})
	if err == nil || !strings.Contains(err.Error(), "the host path /srv/shop-backups is bound into a service, but kind-config.yml brings nothing there") || !strings.Contains(err.Error(), "create --update") {
		t.Errorf("Render without the mount = %v", err)
	}
}

// TestKindIngressTLS: on kind every host is served over HTTPS with the
// Secret deploy issues from the cluster's local CA, and no cert-manager
// annotation (deploy-to: k8s gets cert-manager's; see hello.golden.yaml).
func TestKindIngressTLS(t *testing.T) {
	t.Parallel()
	proxy := "network:\n  http-proxy:\n    - host-name: shop.localhost\n      routes:\n        - {path: /, proxy-to: web.frontend:8080}\n    - host-name: admin.localhost\n      routes:\n        - {path: /, proxy-to: web.frontend:8080}\n"
	_, res := createAndRender(t, composeProjectSpec(t, "deploy-to: k8s-kind\n"+proxy))
	out, err := checkedYAML(res)
	if err != nil {
		t.Fatal(err)
	}
	var ingress string
	for _, doc := range strings.Split(string(out), "\n---\n") {
		if strings.Contains(doc, "kind: Ingress\n") {
			ingress = doc
		}
	}
	want := "  tls:\n  - hosts:\n    - shop.localhost\n    - admin.localhost\n    secretName: laconic-0fixture1-ingress-tls\n"
	if !strings.Contains(ingress+"\n", want) || strings.Contains(ingress, "cert-manager.io") {
		t.Errorf("kind Ingress:\n%s\nwant it to contain\n%s\nand no cert-manager annotation", ingress, want)
	}
}

// TestCACertificatesAreTrustedByEveryContainer: the spec's CA certificates
// become laconic-so's <id>-ca-certificates Secret, mounted into every
// container at /etc/ssl/certs/<key>, with NODE_EXTRA_CA_CERTS at their
// bundle.
func TestCACertificatesAreTrustedByEveryContainer(t *testing.T) {
	t.Parallel()
	ca, _, err := localca.Ensure(filepath.Join(t.TempDir(), "ca"), "test", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	_, res := createAndRender(t, composeProjectSpec(t, "deploy-to: k8s-kind\nca-certificates: ["+ca.CertPath()+"]\n"))
	out, err := checkedYAML(res)
	if err != nil {
		t.Fatal(err)
	}
	built := string(out)
	for _, want := range []string{
		"kind: Secret\nmetadata:\n  labels:", "name: laconic-0fixture1-ca-certificates",
		"laconic-extra-ca-0.pem: ", "kubectl-stack-extra-ca-bundle.pem: ",
		"mountPath: /etc/ssl/certs/laconic-extra-ca-0.pem\n          name: laconic-ca-certs\n          readOnly: true\n          subPath: laconic-extra-ca-0.pem",
		"name: NODE_EXTRA_CA_CERTS\n          value: /etc/ssl/certs/kubectl-stack-extra-ca-bundle.pem",
	} {
		if !strings.Contains(built, want) {
			t.Errorf("the built objects lack %q", want)
		}
	}
	objects, err := apply.ReadObjects(out)
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, o := range objects {
		for _, field := range []string{"initContainers", "containers"} {
			list, _, _ := unstructured.NestedSlice(o.Object, "spec", "template", "spec", field)
			for _, c := range list {
				checked++
				mounts, _ := c.(map[string]any)["volumeMounts"].([]any)
				trusted := slices.ContainsFunc(mounts, func(m any) bool { return m.(map[string]any)["subPath"] == "laconic-extra-ca-0.pem" })
				if !trusted {
					t.Errorf("%s/%s container %v does not mount the CA", o.GetKind(), o.GetName(), c.(map[string]any)["name"])
				}
			}
		}
	}
	if checked < 7 {
		t.Errorf("checked %d containers, want the fixture's 7 and more", checked)
	}
}

// TestAnotherCACertificateRollsThePods: the CA certificates are part of the
// pod templates' config hash, so replacing one rolls the pods.
func TestAnotherCACertificateRollsThePods(t *testing.T) {
	t.Parallel()
	hashWith := func(name string) string {
		ca, _, err := localca.Ensure(filepath.Join(t.TempDir(), "ca"), name, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		_, res := createAndRender(t, composeProjectSpec(t, "deploy-to: k8s-kind\nca-certificates: ["+ca.CertPath()+"]\n"))
		out, err := checkedYAML(res)
		if err != nil {
			t.Fatal(err)
		}
		m := regexp.MustCompile(AnnotationConfigHash + `: "?(\w+)`).FindStringSubmatch(string(out))
		if m == nil {
			t.Fatal("no config hash on the pod template")
		}
		return m[1]
	}
	if a, b := hashWith("one"), hashWith("two"); a == b {
		t.Errorf("the config hash %s did not change with the CA certificate", a)
	}
}

// TestStackConfigShuttlesStaticValues: a stack's config: (laconic-so's
// value shuttling) sets the destination container's variable from the
// source container's compose environment; a value only the running
// container would know is refused with what to do instead.
func TestStackConfigShuttlesStaticValues(t *testing.T) {
	t.Parallel()
	d := load(t, fixtureDir(t, "laconic-so-test"))
	d.Definition.Config = map[string]map[string]string{"test-job": {"FROM_TEST": "test.CERC_TEST_PARAM_2"}}
	res, err := Render(d, Options{})
	if err != nil {
		t.Fatal(err)
	}
	out, err := checkedYAML(res)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "- name: FROM_TEST\n          value: CERC_TEST_PARAM_2_VALUE") {
		t.Errorf("the job lacks FROM_TEST shuttled from test's CERC_TEST_PARAM_2:\n%s", out)
	}
	d.Definition.Config = map[string]map[string]string{"test-job": {"TOKEN": "test.GENERATED_AT_START"}}
	if _, err := Render(d, Options{}); err == nil || !strings.Contains(err.Error(), "stack.yml: config.test-job.TOKEN: GENERATED_AT_START is not set in the compose environment of test") {
		t.Errorf("shuttling a runtime-only value = %v, want the refusal", err)
	}
}

// TestPodPerService: with pod-per-service each compose service is a
// Deployment of its own, selected by its own Service, so that two services
// may listen on one port (both nginx on 80) as they do in docker compose; a
// service that joins another's network shares that pod; a service that
// declares no port gets a headless Service, which still resolves its name.
func TestPodPerService(t *testing.T) {
	t.Parallel()
	plan, out, objects := renderProject(t, `services:
  api.v2:
    image: nginx
    ports: ["8081:80"]
  frontend:
    image: nginx
    expose: ["80"]
  cache_redis:
    image: redis
  vpn:
    image: vpn
    expose: ["8888"]
  vpn_setup:
    image: vpn
    network_mode: "service:vpn"
    labels:
      laconic.init-container: "true"
  torrent:
    image: torrent
    network_mode: "service:vpn"
    environment:
      PROXY: http://vpn:8888
      FRONT: http://frontend:80
`, "pod-per-service: true\n")
	containers := map[string][]string{} // Deployment → containers
	selectors := map[string]string{}    // Service → component it selects
	headless := map[string]bool{}
	for _, o := range objects {
		switch o.GetKind() {
		case "Deployment":
			list, _, _ := unstructured.NestedSlice(o.Object, "spec", "template", "spec", "containers")
			for _, c := range list {
				containers[o.GetName()] = append(containers[o.GetName()], c.(map[string]any)["name"].(string))
			}
		case "Service":
			selectors[o.GetName()], _, _ = unstructured.NestedString(o.Object, "spec", "selector", LabelComponent)
			ip, _, _ := unstructured.NestedString(o.Object, "spec", "clusterIP")
			headless[o.GetName()] = ip == "None"
		}
	}
	wantPods := "map[laconic-0fixture1-api-v2-deployment:[api-v2] laconic-0fixture1-cache-redis-deployment:[cache-redis] laconic-0fixture1-frontend-deployment:[frontend] laconic-0fixture1-vpn-deployment:[torrent vpn]]"
	if got := fmt.Sprint(containers); got != wantPods {
		t.Errorf("Deployments and their containers:\n%s\nwant\n%s", got, wantPods)
	}
	for svc, pod := range map[string]string{"api-v2": "api-v2", "frontend": "frontend", "cache-redis": "cache-redis", "vpn": "vpn"} {
		if selectors[svc] != pod {
			t.Errorf("Service %s selects component %q, want %q", svc, selectors[svc], pod)
		}
	}
	if !headless["cache-redis"] || headless["frontend"] {
		t.Errorf("headless Services: %v; want only cache-redis (it declares no port)", headless)
	}
	if _, ok := selectors["vpn-setup"]; ok || !strings.Contains(string(out), "initContainers:\n      - image: vpn\n        imagePullPolicy: Always\n        name: vpn-setup") {
		t.Errorf("the init container vpn-setup is not in vpn's pod only (Services: %v)", selectors)
	}
	for _, want := range []string{"value: http://localhost:8888", "value: http://frontend:80", "kubectl-stack.io/compose-name: api.v2"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("rendered objects lack %q", want)
		}
	}
	if w := strings.Join(plan.Warnings, "\n"); strings.Contains(w, "both listen") {
		t.Errorf("create warned about a port clash:\n%s", w)
	}
}

// TestNetworkAliasesAreServices: a network alias or container_name reaches
// its service as in docker compose, through a Service of that name (by the
// name rule) selecting its pod, and environment values naming it are
// rewritten to it; an alias that is another service's name, that several
// services give themselves, or that is no valid Service name is warned
// about instead.
func TestNetworkAliasesAreServices(t *testing.T) {
	t.Parallel()
	plan, out, objects := renderProject(t, `services:
  proxy:
    image: nginx
    expose: ["80"]
    networks:
      front:
        aliases: [www, web, 1-bad, shared]
  web:
    image: nginx
    expose: ["80"]
    container_name: shop_web
    environment:
      UPSTREAM: http://edge_proxy:80
    networks:
      front:
        aliases: [shared, edge_proxy]
networks:
  front:
`, "pod-per-service: true\n")
	selects := map[string]string{}
	for _, o := range objects {
		if o.GetKind() == "Service" {
			selects[o.GetName()], _, _ = unstructured.NestedString(o.Object, "spec", "selector", LabelComponent)
		}
	}
	if got := fmt.Sprint(selects); got != "map[edge-proxy:web proxy:proxy shop-web:web web:web www:proxy]" {
		t.Errorf("Services and the pods they select: %s, want www selecting proxy's pod, and edge-proxy and shop-web web's", got)
	}
	if !strings.Contains(string(out), "value: http://edge-proxy:80") {
		t.Errorf("the environment naming the alias edge_proxy was not rewritten to its Service name:\n%s", out)
	}
	warnings := strings.Join(plan.Warnings, "\n")
	for _, want := range []string{
		"service proxy: the alias web is another service's name; that service keeps it",
		"service proxy: the alias shared is given by 2 services, so none gets it",
		"service proxy: the name 1-bad is not a valid Service name",
	} {
		if !strings.Contains(warnings, want) {
			t.Errorf("warnings:\n%s\nwant %q", warnings, want)
		}
	}
}

// renderProject creates a compose project (shop_app) with a spec of
// deploy-to: k8s and the extra lines, renders it, and returns the warnings
// of both, the objects as YAML (checked against kustomize build) and the
// objects.
func renderProject(t *testing.T, composeFile, specExtra string) (*deployment.Plan, []byte, []unstructured.Unstructured) {
	t.Helper()
	return renderProjectIn(t, t.TempDir(), composeFile, specExtra)
}

// renderProjectIn is renderProject with the project in root/shop_app,
// where the test may have written files first.
func renderProjectIn(t *testing.T, root, composeFile, specExtra string) (*deployment.Plan, []byte, []unstructured.Unstructured) {
	t.Helper()
	project := filepath.Join(root, "shop_app")
	testutil.WriteFile(t, project, "compose.yaml", composeFile)
	plan, res := createAndRender(t, testutil.WriteFile(t, root, "spec.yml", "stack: "+project+"\ndeploy-to: k8s\n"+specExtra))
	plan.Warnings = append(plan.Warnings, res.Warnings...)
	out, err := checkedYAML(res)
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := parseObjects(out)
	if err != nil {
		t.Fatal(err)
	}
	objects := make([]unstructured.Unstructured, len(parsed))
	for i, m := range parsed {
		objects[i] = unstructured.Unstructured{Object: m}
	}
	return plan, out, objects
}

// An absolute bind written with a trailing slash (/etc/pihole/:/etc/pihole/)
// is the same host path as without it: it rendered a volume with an empty
// name, which the API server rejects. Every bind form renders volumes with
// valid names that its mounts find.
func TestBindSourcesAreNormalised(t *testing.T) {
	t.Parallel()
	for _, src := range []string{"/etc/pihole/", "/etc/pihole//", "/etc//pihole/.", "/srv/data/../pihole/", "./conf/", "./conf//", "./conf/."} {
		t.Run(src, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			project := filepath.Join(root, "app")
			testutil.WriteFile(t, filepath.Join(project, "conf"), "a.conf", "a")
			testutil.WriteFile(t, project, "compose.yaml", "services:\n  web:\n    image: nginx\n    volumes: [\""+src+":/etc/pihole/:ro\"]\n")
			_, res := createAndRender(t, testutil.WriteFile(t, root, "spec.yml", "stack: "+project+"\ndeploy-to: k8s\n"))
			out, err := checkedYAML(res)
			if err != nil {
				t.Fatal(err)
			}
			objs, err := parseObjects(out)
			if err != nil {
				t.Fatal(err)
			}
			assertVolumesResolve(t, objs)
		})
	}
}

// assertVolumesResolve checks every pod template: each volume has a valid
// name and each mount names one of its volumes.
func assertVolumesResolve(t *testing.T, objs []map[string]any) {
	t.Helper()
	found := false
	for _, o := range objs {
		u := unstructured.Unstructured{Object: o}
		vols, _, _ := unstructured.NestedSlice(o, "spec", "template", "spec", "volumes")
		ctrs, _, _ := unstructured.NestedSlice(o, "spec", "template", "spec", "containers")
		names := map[string]bool{}
		for _, v := range vols {
			name, _ := v.(map[string]any)["name"].(string)
			if !k8sname.IsLabel(name) {
				t.Errorf("%s/%s: volume name %q is not valid", u.GetKind(), u.GetName(), name)
			}
			names[name] = true
		}
		for _, c := range ctrs {
			mounts, _ := c.(map[string]any)["volumeMounts"].([]any)
			for _, m := range mounts {
				found = true
				if name, _ := m.(map[string]any)["name"].(string); !names[name] {
					t.Errorf("%s/%s: mount of volume %q, which the pod does not have", u.GetKind(), u.GetName(), name)
				}
			}
		}
	}
	if !found {
		t.Error("no mount rendered")
	}
}

// A deployment directory edited by hand (or written before create refused
// it) whose compose file binds ".." or "../data" would ship what
// kubectl-stack keeps for itself (generated-secrets.env, deployment.yml,
// the volumes' data) into a ConfigMap and the tree: render refuses it, as
// it refuses a spec configmap pointed at the directory itself.
func TestRenderRefusesBindsOfTheDeploymentsOwnFiles(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ bind, spec, want string }{
		{bind: "..:/x:ro", want: "generated-secrets.env"},
		{bind: "../data:/x:ro", want: "data (the volumes' data)"},
		{bind: "../deployment.yml:/x:ro", want: "deployment.yml (the deployment's ids)"},
		{spec: "configmaps:\n  all: ./\n", want: "ConfigMap"},
	} {
		t.Run(tc.bind+tc.spec, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			project := filepath.Join(root, "app")
			testutil.WriteFile(t, project, "compose.yaml", "services:\n  web:\n    image: nginx\n")
			specPath := testutil.WriteFile(t, root, "spec.yml", "stack: "+project+"\ndeploy-to: k8s\nconfig:\n  TOKEN: $generate:hex:16$\n"+tc.spec)
			dir := filepath.Join(root, "d")
			writeDeployment(t, specPath, dir)
			testutil.WriteFile(t, dir, "generated-secrets.env", "TOKEN=0123456789abcdef\n")
			testutil.WriteFile(t, filepath.Join(dir, "data", "db"), "PG_VERSION", "16\n")
			if tc.bind != "" {
				f := filepath.Join(dir, "compose", "docker-compose-app.yml")
				testutil.WriteFile(t, filepath.Dir(f), filepath.Base(f), "services:\n  web:\n    image: nginx\n    volumes: [\""+tc.bind+"\"]\n")
			}
			d, err := deployment.Load(context.Background(), dir)
			if err != nil {
				t.Fatal(err)
			}
			res, err := Render(d, Options{})
			if err == nil {
				if strings.Contains(string(res.YAML()), "0123456789abcdef") || strings.Contains(string(res.YAML()), "MDEyMzQ1") {
					t.Fatal("the generated secret is in the rendered objects")
				}
				t.Fatalf("Render = nil, want a refusal naming %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Render = %v, want it to name %q", err, tc.want)
			}
		})
	}
}

// A compose service, network alias or container_name named kubernetes or
// kube-dns would become a Service that redirects every pod of the
// namespace (KUBERNETES_SERVICE_HOST, DNS): refused.
func TestReservedServiceNamesAreRefused(t *testing.T) {
	t.Parallel()
	for _, compose := range []string{
		"services:\n  kubernetes:\n    image: x\n    expose: [\"443\"]\n",
		"services:\n  web:\n    image: x\n    container_name: kube-dns\n    expose: [\"53\"]\n",
		"services:\n  web:\n    image: x\n    expose: [\"80\"]\n    networks:\n      default:\n        aliases: [kubernetes]\n",
	} {
		root := t.TempDir()
		project := filepath.Join(root, "app")
		testutil.WriteFile(t, project, "compose.yaml", compose)
		specPath := testutil.WriteFile(t, root, "spec.yml", "stack: "+project+"\ndeploy-to: k8s\npod-per-service: true\n")
		dir := filepath.Join(root, "d")
		writeDeployment(t, specPath, dir)
		if _, err := Render(load(t, dir), Options{}); err == nil || !strings.Contains(err.Error(), "would make a Service named") {
			t.Errorf("%s: Render = %v, want the reserved name refused", compose, err)
		}
	}
}

// TestGeneratedBindsRenderValidVolumes: a property over generated bind
// sources (absolute and relative, with repeated and trailing slashes, "."
// and ".." components, as people write them): whatever create accepts,
// render emits only volumes with valid names that every mount finds, and
// kustomize builds the tree (checkedYAML).
func TestGeneratedBindsRenderValidVolumes(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(28, 7))
	parts := []string{"conf", "etc", "pihole", ".", "..", "", "srv", "data"}
	var rendered atomic.Int32
	t.Cleanup(func() {
		if rendered.Load() < 10 {
			t.Errorf("only %d of the generated binds rendered: the property says little", rendered.Load())
		}
	})
	for i := range 40 {
		var b strings.Builder
		if rng.IntN(2) == 0 {
			b.WriteString("/")
		} else {
			b.WriteString("./")
		}
		for range 1 + rng.IntN(4) {
			b.WriteString(parts[rng.IntN(len(parts))])
			b.WriteString(strings.Repeat("/", rng.IntN(3)))
		}
		src := b.String()
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			project := filepath.Join(root, "app")
			testutil.WriteFile(t, filepath.Join(project, "conf"), "a.conf", "a")
			testutil.WriteFile(t, project, "compose.yaml", "services:\n  web:\n    image: nginx\n    volumes: [\""+src+":/mnt/x/:ro\"]\n")
			specPath := testutil.WriteFile(t, root, "spec.yml", "stack: "+project+"\ndeploy-to: k8s\n")
			dir := filepath.Join(root, "d")
			plan, err := deployment.BuildPlan(context.Background(), deployment.Inputs{SpecPath: specPath, Dir: dir, DeploymentID: "laconic-0fixture1"})
			if err != nil {
				return // refused at create, with its reason: nothing to render
			}
			writePlan(t, plan)
			res, err := Render(load(t, dir), Options{})
			if err != nil {
				return // refused at render, with its reason
			}
			out, err := checkedYAML(res)
			if err != nil {
				t.Fatalf("%s: %v", src, err)
			}
			objs, err := parseObjects(out)
			if err != nil {
				t.Fatal(err)
			}
			assertVolumesResolve(t, objs)
			rendered.Add(1)
		})
	}
}

// writeDeployment creates the deployment directory dir from a spec, as
// create does (with a fixed deployment-id), and returns its plan.
func writeDeployment(t *testing.T, specPath, dir string) *deployment.Plan {
	t.Helper()
	plan, err := deployment.BuildPlan(context.Background(), deployment.Inputs{SpecPath: specPath, Dir: dir, DeploymentID: "laconic-0fixture1"})
	if err != nil {
		t.Fatal(err)
	}
	writePlan(t, plan)
	return plan
}

func writePlan(t *testing.T, plan *deployment.Plan) {
	t.Helper()
	if err := deployment.WriteNew(plan, &deployment.Record{ClusterID: "c", DeploymentID: "laconic-0fixture1"}); err != nil {
		t.Fatal(err)
	}
}

// TestLongNamesFitTheirLimits: a compose service with a long name (as
// upstream projects name them) gives a one-shot Job and a discovery
// Service whose names stay within a DNS label (63 characters, by the hash
// rule): a longer Job name is refused by the API server (its pods carry it
// as the job-name label).
func TestLongNamesFitTheirLimits(t *testing.T) {
	t.Parallel()
	job := "database_migrations_and_initial_seed_data_loader_service"
	web := "customer_facing_storefront_web_application_frontend"
	_, _, objects := renderProject(t, `services:
  `+web+`:
    image: nginx
    ports: ["80"]
    depends_on:
      `+job+`: {condition: service_completed_successfully}
  api:
    image: api
    ports: ["8080"]
  `+job+`:
    image: migrate
`, "pod-per-service: true\nnetwork:\n  http-proxy:\n    - host-name: shop.example\n      routes:\n        - path: /\n          proxy-to: "+strings.ReplaceAll(web, "_", "-")+":80\n")
	jobs, services := 0, 0
	for _, o := range objects {
		if n := o.GetName(); len(n) > k8sname.MaxLabel && (o.GetKind() == "Job" || o.GetKind() == "Service") {
			t.Errorf("%s/%s is %d characters, over %d", o.GetKind(), n, len(n), k8sname.MaxLabel)
		}
		switch o.GetKind() {
		case "Job":
			jobs++
		case "Service":
			services++
		}
	}
	if jobs != 1 || services < 2 {
		t.Errorf("%d Jobs and %d Services rendered, want the one-shot service's Job and the Services", jobs, services)
	}
}
