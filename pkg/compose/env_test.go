package compose

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func writeProject(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "compose.yaml")
}

func TestDotEnvInterpolatesAndTheSpecWins(t *testing.T) {
	t.Parallel()
	file := writeProject(t, map[string]string{
		"compose.yaml": "services:\n  web:\n    image: web:${TAG}\n    environment:\n      A: ${FROM_DOTENV}\n      B: ${OVERRIDDEN}\n",
		".env":         "TAG=1.2\nFROM_DOTENV=dotenv\nOVERRIDDEN=dotenv\n",
	})
	f, err := Load(context.Background(), file, "/", map[string]string{"OVERRIDDEN": "spec"})
	if err != nil {
		t.Fatal(err)
	}
	web := f.Project.Services["web"]
	got := []string{web.Image, *web.Environment["A"], *web.Environment["B"]}
	if diff := cmp.Diff([]string{"web:1.2", "dotenv", "spec"}, got); diff != "" {
		t.Errorf("image, A, B (-want +got):\n%s", diff)
	}
	if f.DotEnv != filepath.Join(filepath.Dir(file), ".env") || len(f.UnsetVariables) != 0 {
		t.Errorf("DotEnv = %q, UnsetVariables = %v", f.DotEnv, f.UnsetVariables)
	}
	if _, ok := web.Environment["TAG"]; ok {
		t.Error(".env variables went into the container's environment; docker compose uses them for interpolation only")
	}
}

func TestDefaultsAreNotUnset(t *testing.T) {
	t.Parallel()
	file := writeProject(t, map[string]string{
		"compose.yaml": "services:\n  web:\n    image: web:${TAG:-latest}\n    environment:\n      A: ${ALT-x}\n      B: ${MISSING}\n      C: $$LITERAL\n",
	})
	f, err := Load(context.Background(), file, "/", nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"MISSING"}, f.UnsetVariables); diff != "" {
		t.Errorf("UnsetVariables (-want +got):\n%s", diff)
	}
	notes := strings.Join(f.Notes("web"), "\n")
	if !strings.Contains(notes, "pod web (compose.yaml): ${MISSING} is not set") || strings.Contains(notes, "TAG") {
		t.Errorf("Notes:\n%s", notes)
	}
}

func TestComposeGoWarningsAndProfilesAreNotes(t *testing.T) {
	t.Parallel()
	file := writeProject(t, map[string]string{
		"compose.yaml": "version: \"3.8\"\nservices:\n  web:\n    image: web\n  debug:\n    image: busybox\n    profiles: [debug]\n",
	})
	f, err := Load(context.Background(), file, "/", nil)
	if err != nil {
		t.Fatal(err)
	}
	notes := strings.Join(f.Notes("app"), "\n")
	for _, want := range []string{"pod app (compose.yaml): the attribute `version` is obsolete", "service debug is in profile debug, which is not active, so it is not deployed"} {
		if !strings.Contains(notes, want) {
			t.Errorf("Notes:\n%s\nwant %q", notes, want)
		}
	}
	if strings.Contains(notes, filepath.Dir(file)) {
		t.Errorf("notes name the file's path, so the stack and D's copy would say different lines:\n%s", notes)
	}
	if cmp.Equal(f.ServiceNames(), []string{"web"}) == false {
		t.Errorf("ServiceNames() = %v, want [web]", f.ServiceNames())
	}
}

func TestOptionalEnvFileMayBeMissing(t *testing.T) {
	t.Parallel()
	file := writeProject(t, map[string]string{
		"compose.yaml": "services:\n  web:\n    image: web\n    env_file:\n      - path: ./missing.env\n        required: false\n      - ./present.env\n",
		"present.env":  "P=1\n",
	})
	f, err := Load(context.Background(), file, "/", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(filepath.Dir(file), "present.env")}
	if diff := cmp.Diff(want, f.EnvFiles()); diff != "" {
		t.Errorf("EnvFiles() (-want +got):\n%s", diff)
	}
}

// TestSpecialEnvFilesAreRefusedNotRead: a FIFO as env_file or .env would
// block compose-go's read forever.
func TestSpecialEnvFilesAreRefusedNotRead(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"fifo.env", ".env"} {
		file := writeProject(t, map[string]string{"compose.yaml": "services:\n  web:\n    image: web\n    env_file: [./fifo.env]\n"})
		if err := syscall.Mkfifo(filepath.Join(filepath.Dir(file), name), 0o644); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { _, err := Load(context.Background(), file, "/", nil); done <- err }()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), "is not a regular file") {
				t.Errorf("%s: Load() = %v, want a refusal", name, err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: Load() blocked on a FIFO", name)
		}
	}
}

func TestNamesAreMapped(t *testing.T) {
	t.Parallel()
	file := writeProject(t, map[string]string{
		"compose.yaml": "services:\n  web.frontend:\n    image: w\n    depends_on: [cache_redis]\n    volumes: [\"db_data:/d\", \"App.Data:/a\"]\n  cache_redis:\n    image: r\nvolumes:\n  db_data:\n  App.Data:\n",
	})
	f, err := Load(context.Background(), file, "/", nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"cache-redis", "web-frontend"}, f.ServiceNames()); diff != "" {
		t.Errorf("ServiceNames (-want +got):\n%s", diff)
	}
	var vols []string
	for _, v := range f.NamedVolumes() {
		vols = append(vols, v.Name+"="+f.VolumeName(v.Name))
	}
	if diff := cmp.Diff([]string{"app-data=App.Data", "db-data=db_data"}, vols); diff != "" {
		t.Errorf("volumes (-want +got):\n%s", diff)
	}
	if _, ok := f.Project.Services["web-frontend"].DependsOn["cache-redis"]; !ok || f.ServiceName("web-frontend") != "web.frontend" {
		t.Errorf("depends_on or ServiceName not mapped: %v", f.Project.Services["web-frontend"].DependsOn)
	}
	_, err = Load(context.Background(), writeProject(t, map[string]string{"compose.yaml": "services:\n  a_b:\n    image: x\n  a.b:\n    image: y\n"}), "/", nil)
	if err == nil || !strings.Contains(err.Error(), `service names "a.b" and "a_b" both become "a-b"`) {
		t.Errorf("Load(colliding services) = %v", err)
	}
}

// TestRenamedNetworkPeersAreNamed: a service others reach whose compose
// name Kubernetes cannot carry (plausible_db) gets one note naming its new
// name and that references outside the compose file must change; a
// renamed service nobody can reach (no port) gets none.
func TestRenamedNetworkPeersAreNamed(t *testing.T) {
	t.Parallel()
	file := writeProject(t, map[string]string{
		"compose.yaml": "services:\n  plausible_db:\n    image: postgres\n    expose: [\"5432\"]\n  plausible_worker:\n    image: w\n  web:\n    image: w\n    environment:\n      DATABASE_URL: postgres://plausible_db:5432/p\n",
	})
	f, err := Load(context.Background(), file, "/", nil)
	if err != nil {
		t.Fatal(err)
	}
	notes := strings.Join(f.Notes("app"), "\n")
	if strings.Count(notes, "is reached as") != 1 || !strings.Contains(notes, "service plausible_db is reached as plausible-db") || !strings.Contains(notes, "must name plausible-db") {
		t.Errorf("notes = %s\nwant one note for plausible_db", notes)
	}
}

// TestComposeProfilesSelectsProfiles: COMPOSE_PROFILES in .env, or in the
// spec's config (which wins, as the shell does over .env), activates
// profiles as docker compose does; services of other profiles stay out.
func TestComposeProfilesSelectsProfiles(t *testing.T) {
	t.Parallel()
	project := map[string]string{
		"compose.yaml": "services:\n  web:\n    image: web\n  worker:\n    image: w\n    profiles: [workers]\n  debug:\n    image: busybox\n    profiles: [debug]\n",
		".env":         "COMPOSE_PROFILES=workers\n",
	}
	f, err := Load(context.Background(), writeProject(t, project), "/", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(f.ServiceNames(), ","); got != "web,worker" {
		t.Errorf("with COMPOSE_PROFILES=workers in .env: services %s, want web,worker", got)
	}
	f, err = Load(context.Background(), writeProject(t, project), "/", map[string]string{"COMPOSE_PROFILES": "debug, workers"})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(f.ServiceNames(), ","); got != "debug,web,worker" {
		t.Errorf("with COMPOSE_PROFILES=debug,workers in the config: services %s, want debug,web,worker", got)
	}
}
