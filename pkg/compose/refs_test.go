package compose

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
)

// writeTree writes files (paths relative to a new directory, which may
// hold subdirectories) and returns the directory.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		testutil.WriteFile(t, dir, name, content)
	}
	return dir
}

// TestIncludeMergesAsDockerCompose: include: brings in the services of
// another file, whose relative paths resolve against its own directory
// and which interpolates with its own .env (compose 2.20+). A data
// directory of an included service becomes a data volume named after its
// path from the project directory.
func TestIncludeMergesAsDockerCompose(t *testing.T) {
	t.Parallel()
	dir := writeTree(t, map[string]string{
		"compose.yaml":       "include:\n  - ./db/compose.yaml\nservices:\n  web:\n    image: web\n    depends_on: [db]\n",
		"db/compose.yaml":    "services:\n  db:\n    image: postgres:${PG_VERSION}\n    env_file: ./db.env\n    volumes:\n      - ./data:/var/lib/postgresql/data\n      - ./init:/docker-entrypoint-initdb.d:ro\n",
		"db/.env":            "PG_VERSION=17\n",
		"db/db.env":          "POSTGRES_PASSWORD=x\n",
		"db/init/schema.sql": "create table t();\n",
	})
	f, err := Load(context.Background(), filepath.Join(dir, "compose.yaml"), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(f.ServiceNames(), ","); got != "db,web" {
		t.Fatalf("services = %s, want db,web", got)
	}
	db := f.Project.Services["db"]
	if db.Image != "postgres:17" || *db.Environment["POSTGRES_PASSWORD"] != "x" {
		t.Errorf("db: image %q, POSTGRES_PASSWORD %v; want postgres:17 from db/.env and x from db/db.env", db.Image, db.Environment["POSTGRES_PASSWORD"])
	}
	var vols []string
	for _, v := range f.NamedVolumes() {
		vols = append(vols, v.Name)
	}
	if diff := cmp.Diff([]string{"db-data"}, vols); diff != "" {
		t.Errorf("data volumes (-want +got):\n%s", diff)
	}
	var binds []string
	for _, b := range f.HostBinds(func(s string) string { return s }) {
		binds = append(binds, b.Source+":"+b.Target)
	}
	if diff := cmp.Diff([]string{"./db/init:/docker-entrypoint-initdb.d"}, binds); diff != "" {
		t.Errorf("binds (-want +got):\n%s", diff)
	}
	want := []string{filepath.Join(dir, "db/.env"), filepath.Join(dir, "db/compose.yaml")}
	if got := slices.Sorted(slices.Values(f.OtherFiles())); !slices.Equal(got, want) {
		t.Errorf("OtherFiles() = %v, want %v (to be copied into the deployment directory)", got, want)
	}
}

// TestIncludeAndEnvFilesAreCheckedBeforeTheyAreRead: an included file, an
// include's env_file and a service's env_file of an included file are
// refused before compose-go opens them when they lie outside the stack,
// also through a link or a variable that expands to nothing, or are not
// regular files.
func TestIncludeAndEnvFilesAreCheckedBeforeTheyAreRead(t *testing.T) {
	t.Parallel()
	outside := writeTree(t, map[string]string{"other.yaml": "services:\n  spy:\n    image: x\n    environment: [A=1]\n", "secret.env": "TOKEN=host\n"})
	cases := map[string]map[string]string{
		"include ..":                {"compose.yaml": "include:\n  - " + filepath.Join(outside, "other.yaml") + "\nservices:\n  web:\n    image: web\n"},
		"include through a link":    {"compose.yaml": "include:\n  - ./out/other.yaml\nservices:\n  web:\n    image: web\n"},
		"include via unset ${VAR}":  {"compose.yaml": "include:\n  - ${NOPE}" + filepath.Join(outside, "other.yaml") + "\nservices:\n  web:\n    image: web\n"},
		"include env_file":          {"compose.yaml": "include:\n  - path: ./sub/compose.yaml\n    env_file: ./out/secret.env\nservices:\n  web:\n    image: web\n", "sub/compose.yaml": "services:\n  db:\n    image: db\n"},
		"env_file of included file": {"compose.yaml": "include:\n  - ./sub/compose.yaml\nservices:\n  web:\n    image: web\n", "sub/compose.yaml": "services:\n  db:\n    image: db\n    env_file: ../out/secret.env\n"},
		"env_file via unset ${VAR}": {"compose.yaml": "services:\n  web:\n    image: web\n    env_file: ${NOPE}" + filepath.Join(outside, "secret.env") + "\n"},
	}
	for name, files := range cases {
		dir := writeTree(t, files)
		if err := os.Symlink(outside, filepath.Join(dir, "out")); err != nil {
			t.Fatal(err)
		}
		_, err := Load(context.Background(), filepath.Join(dir, "compose.yaml"), dir, nil)
		if err == nil || !strings.Contains(err.Error(), "lies outside the stack") {
			t.Errorf("%s: Load() = %v, want a refusal naming the file outside the stack", name, err)
		}
	}

	dir := writeTree(t, map[string]string{"compose.yaml": "include:\n  - ./fifo.yaml\nservices:\n  web:\n    image: web\n"})
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo.yaml"), 0o644); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := Load(context.Background(), filepath.Join(dir, "compose.yaml"), dir, nil)
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "is not a regular file") {
			t.Errorf("include of a FIFO: Load() = %v, want a refusal", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("include of a FIFO: Load() blocked")
	}

	dir = writeTree(t, map[string]string{"compose.yaml": "include:\n  - ./missing.yaml\nservices:\n  web:\n    image: web\n"})
	_, err := Load(context.Background(), filepath.Join(dir, "compose.yaml"), dir, nil)
	if err == nil || !strings.Contains(err.Error(), "line 2: include") || !strings.Contains(err.Error(), "missing.yaml does not exist") {
		t.Errorf("include of a missing file: Load() = %v, want an error naming the line and the file", err)
	}
}

// TestLoadFilesMergesInOrder: several files merge as docker compose -f a
// -f b merges them: later files override values and add services, and
// relative paths of every file resolve against the first file's directory.
func TestLoadFilesMergesInOrder(t *testing.T) {
	t.Parallel()
	dir := writeTree(t, map[string]string{
		"compose.yml":             "services:\n  web:\n    image: web:dev\n    ports: [\"8080:80\"]\n",
		"deploy/compose.prod.yml": "services:\n  web:\n    image: web:1.0\n    volumes: [./conf:/etc/web:ro]\n  worker:\n    image: worker\n",
		"conf/web.conf":           "x\n",
	})
	f, err := LoadFiles(context.Background(), []string{filepath.Join(dir, "compose.yml"), filepath.Join(dir, "deploy/compose.prod.yml")}, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(f.ServiceNames(), ","); got != "web,worker" {
		t.Errorf("services = %s, want web,worker", got)
	}
	if img := f.Project.Services["web"].Image; img != "web:1.0" {
		t.Errorf("web image = %s, want web:1.0 (the later file wins)", img)
	}
	binds := f.HostBinds(func(s string) string { return s })
	if len(binds) != 1 || binds[0].Resolved != filepath.Join(dir, "conf") || binds[0].Source != "./conf" {
		t.Errorf("binds = %+v, want ./conf resolved against the project directory", binds)
	}
	if diff := cmp.Diff([]string{filepath.Join(dir, "deploy/compose.prod.yml")}, f.OtherFiles()); diff != "" {
		t.Errorf("OtherFiles (-want +got):\n%s", diff)
	}
}
