package deployment

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
)

// TestCreateRejectsInvalidInput runs create on broken stacks and specs: each
// must fail with its message, and leave nothing behind.
func TestCreateRejectsInvalidInput(t *testing.T) {
	t.Parallel()
	webWith := func(volume string) func(t *testing.T, root string) {
		return func(t *testing.T, root string) {
			testutil.WriteFile(t, root, "compose/docker-compose-web.yml",
				"services:\n  web:\n    image: web\n    volumes:\n      - "+volume+"\n")
		}
	}
	cases := []struct {
		name  string
		spec  string
		setup func(t *testing.T, root string)
		want  []string
	}{
		{
			name: "rw host bind", spec: "deploy-to: k8s-kind\n", setup: webWith("../config/web:/etc/web:rw"),
			want: []string{`pod web, service web: bind "../config/web:/etc/web" is writable (rw)`, "use a named volume"},
		},
		{
			name: "tree with subdirectories over budget", spec: "deploy-to: k8s-kind\n",
			setup: func(t *testing.T, root string) {
				webWith("../config/web:/etc/web")(t, root)
				testutil.WriteFile(t, root, "config/web/sub/deeper/file", strings.Repeat("x", ConfigMapBudget))
			},
			want: []string{"holds 716835 bytes, over the ConfigMap budget", "bake the files into the image"},
		},
		{
			name: "link out of the stack", spec: "deploy-to: k8s-kind\n",
			setup: func(t *testing.T, root string) {
				webWith("../config/web:/etc/web")(t, root)
				if err := os.Symlink("/etc/hostname", filepath.Join(root, "config/web/hostname")); err != nil {
					t.Fatal(err)
				}
			},
			want: []string{"config/web/hostname is a link to /etc/hostname, outside the stack", "never followed"},
		},
		{
			name: "FIFO in the stack", spec: "deploy-to: k8s-kind\n",
			setup: func(t *testing.T, root string) {
				webWith("../config/web:/etc/web")(t, root)
				if err := syscall.Mkfifo(filepath.Join(root, "config/web/pipe"), 0o644); err != nil {
					t.Fatal(err)
				}
			},
			want: []string{"config/web/pipe is a named pipe (FIFO), not a regular file"},
		},
		{
			name: "link in a directory component", spec: "deploy-to: k8s-kind\n",
			setup: func(t *testing.T, root string) {
				webWith("../config/etc-link/hostname:/etc/h")(t, root)
				testutil.Symlink(t, "/etc", filepath.Join(root, "config/etc-link"))
			},
			want: []string{"config/etc-link/hostname is a link to /etc/hostname, outside the stack"},
		},
		{
			name: "/proc through a link in a directory component", spec: "deploy-to: k8s-kind\n",
			setup: func(t *testing.T, root string) {
				webWith("../config/proc-link/self/environ:/e")(t, root)
				testutil.Symlink(t, "/proc", filepath.Join(root, "config/proc-link"))
			},
			want: []string{"outside the stack"},
		},
		{
			name: "bind of the stack root, which the deployment directory would be", spec: "deploy-to: k8s-kind\n",
			setup: webWith("..:/x:ro"),
			want:  []string{`refers to ".."`, "where kubectl-stack keeps deployment.yml, generated-secrets.env"},
		},
		{
			name: "host bind holding the deployment directory", spec: "deploy-to: k8s\n",
			setup: func(t *testing.T, root string) { webWith(filepath.Join(root, "deployments")+":/x")(t, root) },
			want:  []string{"of the deployment directory", "nothing kubectl-stack keeps for itself is ever bound"},
		},
		{
			name: "env_file outside the stack", spec: "deploy-to: k8s\n",
			setup: func(t *testing.T, root string) {
				testutil.WriteFile(t, filepath.Dir(root), "outside.env", "TOKEN=operator's\n")
				testutil.WriteFile(t, root, "compose/docker-compose-web.yml", "services:\n  web:\n    image: web\n    env_file: ../../outside.env\n")
			},
			want: []string{"services.web.env_file", "outside.env lies outside the stack"},
		},
		{
			name: "env_file through a link", spec: "deploy-to: k8s\n",
			setup: func(t *testing.T, root string) {
				testutil.Symlink(t, "/etc", filepath.Join(root, "config/etc-link"))
				testutil.WriteFile(t, root, "compose/docker-compose-web.yml", "services:\n  web:\n    image: web\n    env_file: ../config/etc-link/hostname\n")
			},
			want: []string{"services.web.env_file", "lies outside the stack"},
		},
		{
			name: "extends outside the stack", spec: "deploy-to: k8s\n",
			setup: func(t *testing.T, root string) {
				testutil.WriteFile(t, filepath.Dir(root), "x.yml", "services:\n  base:\n    image: web\n")
				testutil.WriteFile(t, root, "compose/docker-compose-web.yml", "services:\n  web:\n    extends: {file: ../../x.yml, service: base}\n")
			},
			want: []string{"services.web.extends.file", "x.yml lies outside the stack"},
		},
		{
			name: "build context holding the deployment directory", spec: "deploy-to: k8s-kind\n",
			setup: func(t *testing.T, root string) {
				testutil.WriteFile(t, root, "Dockerfile", "FROM scratch\n")
				testutil.WriteFile(t, root, "compose/docker-compose-web.yml", "services:\n  web:\n    build: ..\n")
			},
			want: []string{"holds the deployment directory", "create the deployment directory outside the build context"},
		},
		{
			name: "build context through a link out of the stack", spec: "deploy-to: k8s-kind\n",
			setup: func(t *testing.T, root string) {
				outside := t.TempDir()
				testutil.WriteFile(t, outside, "Dockerfile", "FROM scratch\n")
				testutil.Symlink(t, outside, filepath.Join(root, "config/ctx"))
				testutil.WriteFile(t, root, "compose/docker-compose-web.yml", "services:\n  web:\n    build: ../config/ctx\n")
			},
			want: []string{"a link in its path leads out of it"},
		},
		{
			name: "kube-system", spec: "deploy-to: k8s\nnamespace: kube-system\n",
			want: []string{"namespace: \"kube-system\" is the cluster's own namespace"},
		},
		{
			name: "default namespace not allowed", spec: "deploy-to: k8s\nnamespace: default\n",
			want: []string{"allow-default-namespace: true"},
		},
		{
			name: "two containers of a pod on one port", spec: demoSpec,
			setup: func(t *testing.T, root string) {
				testutil.WriteFile(t, root, "compose/docker-compose-worker.yml", "services:\n  api_v1:\n    image: w\n    expose: [\"8080\"]\n  api_v2:\n    image: w\n    ports: [\"8080\"]\n")
			},
			want: []string{"pod worker: services api_v1 and api_v2 both listen on container port 8080/tcp", "kubectl-stack.io/shared-port", "set pod-per-service: true in "},
		},
		{
			name: "image invalid once interpolated", spec: demoSpec,
			setup: func(t *testing.T, root string) {
				testutil.WriteFile(t, root, "compose/docker-compose-worker.yml", "services:\n  worker:\n    image: ${REGISTRY}/worker:${TAG}\n")
			},
			want: []string{`pod worker, service worker: image "/worker:" is not a valid image reference`, `${REGISTRY}, ${TAG} are unset and expand to "": set them under config: in `},
		},
		{
			name: "pod-per-service: a service joining another's network on its port", spec: demoSpec + "pod-per-service: true\n",
			setup: func(t *testing.T, root string) {
				testutil.WriteFile(t, root, "compose/docker-compose-worker.yml", "services:\n  vpn:\n    image: w\n    expose: [\"8080\"]\n  app:\n    image: w\n    network_mode: service:vpn\n    expose: [\"8080\"]\n  other:\n    image: w\n    expose: [\"8080\"]\n")
			},
			want: []string{"pod worker: services vpn and app both listen on container port 8080/tcp, but one joins the other's network (network_mode: service:...), so they share a pod; change one port"},
		},
		{
			name: "pod-per-service: an init container alone", spec: demoSpec + "pod-per-service: true\n",
			setup: func(t *testing.T, root string) {
				testutil.WriteFile(t, root, "compose/docker-compose-worker.yml", "services:\n  migrate:\n    image: w\n    labels:\n      laconic.init-container: \"true\"\n  worker:\n    image: w\n")
			},
			want: []string{`pod worker, service migrate: an init container (laconic.init-container) would be a pod of its own with pod-per-service; put it in the pod it prepares with network_mode: "service:<that service>"`},
		},
		{
			name: "pod-per-service: two pods get one name", spec: demoSpec + "pod-per-service: true\n",
			setup: func(t *testing.T, root string) {
				testutil.WriteFile(t, root, "stacks/demo/stack.yml", "name: demo\npods: [web, worker, worker-a]\n")
				testutil.WriteFile(t, root, "compose/docker-compose-worker.yml", "services:\n  a_b:\n    image: w\n  c:\n    image: w\n")
				testutil.WriteFile(t, root, "compose/docker-compose-worker-a.yml", "services:\n  b:\n    image: w\n  d:\n    image: w\n")
			},
			want: []string{"pod-per-service: a_b of worker and b of worker-a would both run as pod worker-a-b; rename one of them"},
		},
		{
			name: "one volume spelled two ways in two files", spec: demoSpec,
			setup: func(t *testing.T, root string) {
				testutil.WriteFile(t, root, "compose/docker-compose-worker.yml", "services:\n  worker:\n    image: w\n    volumes: [\"db_data:/d\"]\nvolumes:\n  db_data:\n")
			},
			want: []string{`volume names "db-data" and "db_data" both become "db-data"`},
		},
		{
			name: "file over budget", spec: "deploy-to: k8s-kind\n",
			setup: func(t *testing.T, root string) {
				webWith("../config/web/big.bin:/big.bin:ro")(t, root)
				testutil.WriteFile(t, root, "config/web/big.bin", strings.Repeat("x", ConfigMapBudget+1))
			},
			want: []string{"big.bin holds 716801 bytes, over the ConfigMap budget of 716800 bytes"},
		},
		{
			name: "flat directory over budget", spec: "deploy-to: k8s-kind\n",
			setup: func(t *testing.T, root string) {
				webWith("../config/web:/etc/web")(t, root)
				testutil.WriteFile(t, root, "config/web/a", strings.Repeat("x", ConfigMapBudget))
			},
			want: []string{"holds 716835 bytes, over the ConfigMap budget"},
		},
		{
			name: "missing bind source", spec: "deploy-to: k8s-kind\n", setup: webWith("../config/nope.conf:/etc/nope.conf"),
			want: []string{"nope.conf does not exist: it names a file the stack must ship (docker compose would create a directory there"},
		},
		{
			name: "relative volume path on k8s", spec: "deploy-to: k8s\nvolumes:\n  db-data: ./data/db\n  web-data:\nconfigmaps:\n  web-config: ./configmaps/web-config\n",
			want: []string{`volumes.db-data: relative path "./data/db" is not supported with deploy-to: k8s`},
		},
		{
			name: "volume outside kind-mount-root", spec: "deploy-to: k8s-kind\nkind-mount-root: /srv/kind\nvolumes:\n  db-data: /srv/kind2/db\n  web-data:\nconfigmaps:\n  web-config: ./configmaps/web-config\n",
			want: []string{"volumes.db-data: host path /srv/kind2/db is outside kind-mount-root /srv/kind"},
		},
		{
			name: "invalid namespace", spec: demoSpec + "namespace: Not_Valid\n",
			want: []string{`namespace: "Not_Valid" is not a valid namespace name`},
		},
		{
			name: "unconfigured named volume", spec: "deploy-to: k8s-kind\nconfigmaps:\n  web-config: ./configmaps/web-config\n",
			want: []string{`pod web mounts the named volume "db-data"`, `pod web mounts the named volume "web-data"`, "add it under volumes:"},
		},
		{
			name: "several problems reported together", spec: "deploy-to: k8s-kind\nnamespace: BAD\nvolume: {}\n",
			want: []string{`unknown key "volume"`, `did you mean "volumes"?`},
		},
		{
			name: "spec problems and stack problems together", spec: "deploy-to: k8s-kind\nnamespace: BAD\n",
			want: []string{`namespace: "BAD"`, `mounts the named volume "db-data"`},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			root, specPath := fixture(t, tc.spec)
			if tc.setup != nil {
				tc.setup(t, root)
			}
			parent := filepath.Join(root, "deployments")
			_, err := Create(context.Background(), CreateOptions{SpecPath: specPath, Dir: filepath.Join(parent, "d")})
			if err == nil {
				t.Fatalf("Create() = nil, want errors containing %q", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Create() error:\n%v\nwant it to contain %q", err, w)
				}
			}
			if entries, _ := os.ReadDir(parent); len(entries) > 0 {
				t.Errorf("a failed create left %d entries in %s", len(entries), parent)
			}
		})
	}
}

func TestFailedWriteLeavesNothing(t *testing.T) {
	t.Parallel()
	root, specPath := fixture(t, demoSpec)
	parent := filepath.Join(root, "deployments")
	plan, err := BuildPlan(context.Background(), Inputs{SpecPath: specPath, Dir: filepath.Join(parent, "d"), DeploymentID: "laconic-x"})
	if err != nil {
		t.Fatal(err)
	}
	// A file whose parent is a planned file cannot be written: the write
	// fails halfway and must be undone.
	plan.Files["spec.yml/impossible"] = File{Data: []byte("x"), Mode: 0o644}
	if err := WriteNew(plan, &Record{ClusterID: "c", DeploymentID: "laconic-x"}); err == nil {
		t.Fatal("WriteNew() = nil, want an error")
	}
	if entries, _ := os.ReadDir(parent); len(entries) > 0 {
		t.Errorf("a failed write left %v in %s", entries, parent)
	}
}

// TestRiskyHostPathsWarn: a volume on /, /etc (also spelled
// /var/lib/../../etc), inside /etc or on the home directory is created
// with a warning naming the volume; an ordinary data directory is not.
func TestRiskyHostPathsWarn(t *testing.T) {
	t.Parallel()
	home, _ := os.UserHomeDir()
	for path, want := range map[string]string{
		"/":                  "host path / is a system directory",
		"/etc":               "host path /etc is a system directory",
		"/var/lib/../../etc": "host path /etc is a system directory",
		"/etc/ssl/private":   "host path /etc/ssl/private is inside /etc",
		home:                 "is the home directory",
		"/srv/app/db":        "",
	} {
		root, specPath := fixture(t, "deploy-to: k8s\nvolumes:\n  db-data: "+path+"\n  web-data:\nconfigmaps:\n  web-config: ./configmaps/web-config\n")
		res := create(t, specPath, filepath.Join(root, "dep"))
		all := strings.Join(res.Warnings, "\n")
		switch {
		case want == "" && strings.Contains(all, "volumes.db-data: host path"):
			t.Errorf("%s: warned:\n%s", path, all)
		case want != "" && !strings.Contains(all, want):
			t.Errorf("%s: warnings:\n%s\nwant one saying %q", path, all, want)
		}
	}
}

// TestSymlinkedConfigDirectories: a config directory that is a link inside
// the stack is copied as what it points at (create and --update alike);
// one that links out of the stack is refused, and nothing is written.
func TestSymlinkedConfigDirectories(t *testing.T) {
	t.Parallel()
	root, specPath := fixture(t, demoSpec)
	web := filepath.Join(root, "config/web")
	if err := os.Rename(web, web+"-real"); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("web-real", web); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, "dep")
	create(t, specPath, dir)
	if _, err := Create(context.Background(), CreateOptions{SpecPath: specPath, Dir: dir, Update: true}); err != nil {
		t.Fatalf("--update through the link: %v", err)
	}
	for _, p := range []string{"config/web", "config/web/nginx.conf"} {
		info, err := os.Lstat(filepath.Join(dir, p))
		if err != nil || info.Mode()&os.ModeSymlink != 0 {
			t.Errorf("%s in the deployment: %v, %v; want it copied as what the link points at", p, info, err)
		}
	}

	outside := t.TempDir()
	testutil.WriteFile(t, outside, "nginx.conf", "from outside")
	if err := os.Remove(web); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, web); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(root, "dep2")
	_, err := Create(context.Background(), CreateOptions{SpecPath: specPath, Dir: other})
	if err == nil || !strings.Contains(err.Error(), "links out of the stack are never followed") {
		t.Fatalf("create with a link out of the stack = %v, want it refused", err)
	}
	if _, err := os.Stat(other); !os.IsNotExist(err) {
		t.Errorf("the refused create left %s (%v)", other, err)
	}
}
