package deployment

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
	"github.com/kubectl-stack/kubectl-stack/pkg/spec"
)

// TestComposeFileInDotEnvMakesOneProject: a project run with several files
// (COMPOSE_FILE in its .env) is one pod of those files merged in order;
// create copies them, and the deployment directory reads them again to the
// same services. A sibling file COMPOSE_FILE leaves out is named.
func TestComposeFileInDotEnvMakesOneProject(t *testing.T) {
	t.Parallel()
	_, specPath := composeProject(t, "services:\n  web:\n    image: web:dev\n", "deploy-to: k8s\n", map[string]string{
		".env":                     "COMPOSE_FILE=compose.yaml:deploy/compose.prod.yaml\n",
		"deploy/compose.prod.yaml": "services:\n  web:\n    image: web:1.0\n    volumes: [./conf:/etc/web:ro]\n  worker:\n    image: worker\n",
		"conf/web.conf":            "x = 1\n",
		"compose.debug.yaml":       "services:\n  debugger:\n    image: dbg\n",
	})
	// The spec names the directory: COMPOSE_FILE applies when no file is named.
	specPath = testutil.WriteFile(t, filepath.Dir(specPath), "spec.yml", "stack: "+filepath.Join(filepath.Dir(filepath.Dir(specPath)), "shop_app")+"\ndeploy-to: k8s\n")
	dir := filepath.Join(t.TempDir(), "d")
	res := create(t, specPath, dir)
	if w := strings.Join(res.Warnings, "\n"); !strings.Contains(w, "compose.debug.yaml is not read") || strings.Contains(w, "compose.prod.yaml is not read") {
		t.Errorf("warnings should name compose.debug.yaml alone as not read:\n%s", w)
	}
	d, err := Load(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	f := d.Pods[0].File
	if got := strings.Join(f.ServiceNames(), ","); got != "web,worker" || f.Project.Services["web"].Image != "web:1.0" {
		t.Errorf("deployment directory: services %s, web image %s; want web,worker and web:1.0", got, f.Project.Services["web"].Image)
	}
	files := tree(t, dir, func(string) bool { return false })
	if files["compose/deploy/compose.prod.yaml"] == "" || files["compose/conf/web.conf"] != "x = 1\n" || !strings.Contains(files[StackFile], "merge-files") {
		t.Errorf("merged file, its bind or stack.yml's merge-files missing from the deployment directory: %v\n%s", keys(files), files[StackFile])
	}
}

// TestComposeFileNamingAMissingFileIsRefused names the variable, where it
// was set and the file.
func TestComposeFileNamingAMissingFileIsRefused(t *testing.T) {
	t.Parallel()
	project, _ := composeProject(t, "services:\n  web:\n    image: web\n", "", map[string]string{".env": "COMPOSE_FILE=compose.yaml:compose.gone.yaml\n"})
	specPath := testutil.WriteFile(t, t.TempDir(), "spec.yml", "stack: "+project+"\ndeploy-to: k8s\n")
	_, err := Create(context.Background(), CreateOptions{SpecPath: specPath, Dir: filepath.Join(t.TempDir(), "d"), ListClusters: func() ([]string, error) { return nil, nil }})
	if err == nil || !strings.Contains(err.Error(), ".env (COMPOSE_FILE) names "+filepath.Join(project, "compose.gone.yaml")+", which does not exist") {
		t.Errorf("Create() = %v", err)
	}
}

// TestIncludedFilesAreCopiedAndReadAgain: include: files, the included
// project's .env and its binds are copied into the deployment directory,
// which loads to the same services; the included data directory is a data
// volume, not a copy.
func TestIncludedFilesAreCopiedAndReadAgain(t *testing.T) {
	t.Parallel()
	_, specPath := composeProject(t, "include:\n  - ./db/compose.yaml\nservices:\n  web:\n    image: web\n    depends_on: [db]\n", "deploy-to: k8s\n", map[string]string{
		"db/compose.yaml":    "services:\n  db:\n    image: postgres:${PG}\n    volumes:\n      - ./data:/var/lib/postgresql/data\n      - ./init:/docker-entrypoint-initdb.d:ro\n",
		"db/.env":            "PG=17\n",
		"db/init/schema.sql": "create table t();\n",
	})
	dir := filepath.Join(t.TempDir(), "d")
	create(t, specPath, dir)
	files := tree(t, dir, func(string) bool { return false })
	for _, want := range []string{"compose/db/compose.yaml", "compose/db/.env", "compose/db/init/schema.sql"} {
		if files[want] == "" {
			t.Errorf("%s missing from the deployment directory: %v", want, keys(files))
		}
	}
	if _, ok := files["compose/db/data/"]; ok {
		t.Errorf("the data directory was copied: %v", keys(files))
	}
	d, err := Load(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	f := d.Pods[0].File
	if f.Project.Services["db"].Image != "postgres:17" || len(f.NamedVolumes()) != 1 || f.NamedVolumes()[0].Name != "db-data" {
		t.Errorf("deployment directory: db image %q, volumes %+v; want postgres:17 and the data volume db-data", f.Project.Services["db"].Image, f.NamedVolumes())
	}
}

// TestComposeProjectNameNamesTheStack: a compose file's name: (then
// COMPOSE_PROJECT_NAME) is the stack's name, as docker compose names the
// project: labels, the default namespace and built image names follow
// it. The name is recorded at create, so that a later change never moves
// the deployment to another namespace.
func TestComposeProjectNameNamesTheStack(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, compose string
		files         map[string]string
		want          string
	}{
		{"name:", "name: shop-prod\nservices:\n  web:\n    build: .\n", map[string]string{"Dockerfile": "FROM scratch\n"}, "shop-prod"},
		{"COMPOSE_PROJECT_NAME", "services:\n  web:\n    build: .\n", map[string]string{"Dockerfile": "FROM scratch\n", ".env": "COMPOSE_PROJECT_NAME=shopfront\n"}, "shopfront"},
		{"the directory", "services:\n  web:\n    build: .\n", map[string]string{"Dockerfile": "FROM scratch\n"}, "shop_app"},
	} {
		project, specPath := composeProject(t, tc.compose, "deploy-to: k8s\n", tc.files)
		dir := filepath.Join(t.TempDir(), "d")
		create(t, specPath, dir)
		d, err := Load(context.Background(), dir)
		if err != nil {
			t.Fatal(err)
		}
		if d.StackName() != tc.want || d.Namespace() != spec.DefaultNamespace(tc.want) {
			t.Errorf("%s: stack %q, namespace %q; want %q and its namespace", tc.name, d.StackName(), d.Namespace(), tc.want)
		}
		if img := d.Builds[0].Image; !strings.HasPrefix(img, tc.want+"-web:ctx-") {
			t.Errorf("%s: built image %s, want it named after the project", tc.name, img)
		}
		// A later name: leaves the recorded name alone.
		testutil.WriteFile(t, project, "compose.yaml", "name: renamed\n"+strings.TrimPrefix(tc.compose, "name: shop-prod\n"))
		if _, err := Create(context.Background(), CreateOptions{SpecPath: specPath, Dir: dir, Update: true}); err != nil {
			t.Fatal(err)
		}
		if d, err = Load(context.Background(), dir); err != nil || d.StackName() != tc.want {
			t.Errorf("%s: after the compose file renamed its project, the stack is %q (%v), want %q still", tc.name, d.StackName(), err, tc.want)
		}
	}
}
