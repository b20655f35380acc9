package deployment

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
)

// composeProject writes a plain compose project and a spec for it; it
// returns the project directory and the spec path.
func composeProject(t *testing.T, compose, spec string, files map[string]string) (string, string) {
	t.Helper()
	root := t.TempDir()
	project := filepath.Join(root, "shop_app")
	testutil.WriteFile(t, project, "compose.yaml", compose)
	for name, content := range files {
		testutil.WriteFile(t, project, name, content)
	}
	return project, testutil.WriteFile(t, root, "ops/spec.yml", "stack: "+project+"\n"+spec)
}

func TestHostBindsAreRecordedNotCopied(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	outside := t.TempDir()
	testutil.WriteFile(t, outside, "secret", "never in the cluster")
	project, specPath := composeProject(t, `services:
  agent:
    image: agent
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock
      - /dev/zero:/zero
      - ~/.kube/config:/kube/config:ro
      - `+outside+`/secret:/secret:ro
      - ../escape:/escape
      - ./conf:/conf:ro
`, "deploy-to: k8s-kind\n", map[string]string{"conf/a.yaml": "a: 1\n", "conf/sub/b.yaml": "b: 2\n"})
	dir := filepath.Join(t.TempDir(), "d")
	res := create(t, specPath, dir)
	files := tree(t, dir, func(string) bool { return false })
	for name, content := range files {
		if strings.Contains(content, "never in the cluster") {
			t.Errorf("%s holds the content of a file outside the stack", name)
		}
	}
	if files["compose/conf/sub/b.yaml"] != "b: 2\n" {
		t.Errorf("the stack's own tree was not copied: %v", files)
	}
	paths, err := ReadHostPaths(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"/var/run/docker.sock": "/var/run/docker.sock",
		"/dev/zero":            "/dev/zero", // a host path: never read
		"~/.kube/config":       filepath.Join(home, ".kube/config"),
		outside + "/secret":    outside + "/secret",
		"../escape":            filepath.Join(filepath.Dir(project), "escape"),
	}
	for src, path := range want {
		if got, ok := LookupHostPath(paths, "shop_app", src); !ok || got != path {
			t.Errorf("host path of %s = %q (%v), want %s", src, got, ok, path)
		}
	}
	warnings := strings.Join(res.Warnings, "\n")
	for _, w := range []string{
		`service agent: bind "/var/run/docker.sock:/var/run/docker.sock" binds /var/run/docker.sock: the container gets the kind node container's own /var/run/docker.sock (not the host's), which gives it the node's container runtime`,
		`bind "~/.kube/config:/kube/config" is a host path outside kind-mount-root: it gets its own kind extraMount`,
	} {
		if !strings.Contains(warnings, w) {
			t.Errorf("warnings:\n%s\nwant %q", warnings, w)
		}
	}
	kind, _ := os.ReadFile(filepath.Join(dir, KindConfigFile))
	for _, m := range []string{"hostPath: " + filepath.Join(home, ".kube/config"), "hostPath: " + outside + "/secret"} {
		if !strings.Contains(string(kind), m) {
			t.Errorf("kind-config.yml has no mount %q:\n%s", m, kind)
		}
	}
	if strings.Contains(string(kind), "docker.sock") {
		t.Errorf("a system path got a kind mount (it is the node's own):\n%s", kind)
	}

	// An update by another user expands ~ elsewhere, and says so.
	t.Setenv("HOME", t.TempDir())
	up, err := Create(context.Background(), CreateOptions{SpecPath: specPath, Dir: dir, Update: true})
	if err != nil {
		t.Fatal(err)
	}
	if w := strings.Join(up.Warnings, "\n"); !strings.Contains(w, `bind source "~/.kube/config" was `+filepath.Join(home, ".kube/config")+" when") {
		t.Errorf("update warnings:\n%s\nwant the changed ~ expansion", w)
	}
}

func TestBuildsAreRecorded(t *testing.T) {
	t.Parallel()
	compose := "name: shop_demo\nservices:\n  web.frontend:\n    build:\n      context: ./app\n      args: {V: \"1\"}\n  api:\n    build: ./api\n    image: example/api:dev\n"
	files := map[string]string{"app/Dockerfile": "FROM scratch\n", "app/x": "1", "api/Dockerfile": "FROM scratch\n"}
	project, specPath := composeProject(t, compose, "deploy-to: k8s\nimage-registry: registry.example.com/shop\n", files)
	dir := filepath.Join(t.TempDir(), "d")
	create(t, specPath, dir)
	builds, err := ReadBuilds(dir)
	if err != nil || len(builds) != 2 {
		t.Fatalf("ReadBuilds = %v, %v", builds, err)
	}
	web, _ := BuildImage(builds, "shop_app", "web.frontend")
	if !strings.HasPrefix(web, "registry.example.com/shop/shop_demo-web.frontend:ctx-") {
		t.Errorf("web image = %q, want the registry, docker compose's <project>-<service> and a context tag", web)
	}
	if api, _ := BuildImage(builds, "shop_app", "api"); api != "example/api:dev" {
		t.Errorf("api image = %q, want its image: as written", api)
	}
	// A changed context gives a new tag, so that the pods roll.
	testutil.WriteFile(t, project, "app/x", "2")
	if _, err := Create(context.Background(), CreateOptions{SpecPath: specPath, Dir: dir, Update: true}); err != nil {
		t.Fatal(err)
	}
	stale := builds[0]
	for _, b := range builds {
		if b.Service == "web.frontend" {
			stale = b
		}
	}
	if s, err := stale.Stale(); err != nil || !s {
		t.Errorf("Stale() after the context changed = %v, %v; want true", s, err)
	}
	builds, _ = ReadBuilds(dir)
	if again, _ := BuildImage(builds, "shop_app", "web.frontend"); again == web {
		t.Errorf("the image tag did not change with the context: %s", again)
	}
	for _, b := range builds {
		if s, err := b.Stale(); err != nil || s {
			t.Errorf("%s: Stale() right after the update = %v, %v; want false (image: builds never)", b.Service, s, err)
		}
	}
}

func TestBuildsThatCannotBeBuiltAreRefused(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"build: https://github.com/example/app.git":                "the context https://github.com/example/app.git is remote",
		"build: ./nowhere":                                         "nowhere is not a directory",
		"build: {context: ., dockerfile_inline: \"FROM scratch\"}": "dockerfile_inline is not supported",
	}
	for build, want := range cases {
		_, specPath := composeProject(t, "services:\n  web:\n    "+build+"\n", "deploy-to: k8s-kind\n", nil)
		_, err := Create(context.Background(), CreateOptions{SpecPath: specPath, Dir: filepath.Join(t.TempDir(), "d")})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: Create() = %v, want %q", build, err, want)
		}
	}
}

func TestMissingRepositoryNamesWhatToClone(t *testing.T) {
	t.Setenv("CERC_REPO_BASE_DIR", t.TempDir())
	root, specPath := fixture(t, demoSpec)
	testutil.WriteFile(t, root, "stacks/demo/stack.yml", "name: demo\npods:\n  - name: explorer\n    repository: github.com/example/explorer\n    path: deploy\n")
	_, err := Create(context.Background(), CreateOptions{SpecPath: specPath, Dir: filepath.Join(t.TempDir(), "d")})
	if err == nil || !strings.Contains(err.Error(), "lives in the repository github.com/example/explorer, which is not checked out there; clone it into") || !strings.Contains(err.Error(), "CERC_REPO_BASE_DIR") {
		t.Errorf("Create() = %v", err)
	}
}

// TestLiveCodeBindOfABigContextIsCreated: ".:/app" on a service built from
// "." (docker compose's live-code pattern) is left out, so a project whose
// source is over the ConfigMap budget is created, its files are not copied
// into the deployment, and create says what it left out.
func TestLiveCodeBindOfABigContextIsCreated(t *testing.T) {
	t.Parallel()
	_, specPath := composeProject(t, `services:
  web:
    build: .
    volumes:
      - .:/app
      - /app/node_modules
`, "deploy-to: k8s-kind\n", map[string]string{"Dockerfile": "FROM node:20\nWORKDIR /app\nCOPY . .\n", "src/bundle.js": strings.Repeat("x", ConfigMapBudget+1)})
	dir := filepath.Join(t.TempDir(), "d")
	res := create(t, specPath, dir)
	if w := strings.Join(res.Warnings, "\n"); !strings.Contains(w, "service web: the bind of its build context . onto /app is left out") {
		t.Errorf("warnings:\n%s\nwant the live-code bind named", w)
	}
	if _, err := os.Stat(filepath.Join(dir, "compose", "src", "bundle.js")); !os.IsNotExist(err) {
		t.Errorf("the build context was copied into the deployment (stat: %v)", err)
	}
	// The deployment directory, which holds the Dockerfile but not the
	// context, decides as create did: no mount at /app (not the bind, nor
	// a data volume in its place).
	d, err := Load(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if vols := d.Pods[0].File.Project.Services["web"].Volumes; len(vols) != 0 || len(d.Pods[0].File.NamedVolumes()) != 0 {
		t.Errorf("the deployment directory mounts %+v at web, want nothing", vols)
	}
}

// TestExtendedFilesAndTheirBindsAreStackContent: a service extending one
// in another file of the stack gets that file copied into the deployment,
// and a bind it inherits (written relative there, made absolute by
// compose-go) is the stack's own content, not a host path.
func TestExtendedFilesAndTheirBindsAreStackContent(t *testing.T) {
	t.Parallel()
	_, specPath := composeProject(t, `services:
  web:
    extends:
      file: common.yml
      service: base
  worker:
    extends:
      service: web
`, "deploy-to: k8s\n", map[string]string{
		"common.yml":  "services:\n  base:\n    image: nginx\n    volumes:\n      - ./conf:/etc/app:ro\n",
		"conf/a.conf": "a = 1\n",
	})
	dir := filepath.Join(t.TempDir(), "d")
	res := create(t, specPath, dir)
	files := tree(t, dir, func(string) bool { return false })
	if files["compose/common.yml"] == "" || files["compose/conf/a.conf"] != "a = 1\n" {
		t.Errorf("the extended file or the inherited bind's files were not copied: %v", slices.Sorted(maps.Keys(files)))
	}
	if w := strings.Join(res.Warnings, "\n"); strings.Contains(w, "host path") {
		t.Errorf("the inherited bind was taken for a host path:\n%s", w)
	}
}
