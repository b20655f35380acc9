package stack

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
)

const laconic = "../deployment/testdata/laconic"

func TestLocateLaconicLayout(t *testing.T) {
	t.Parallel()
	root, _ := filepath.Abs(laconic)
	for _, path := range []string{laconic + "/stacks/demo", laconic + "/stacks/demo/stack.yml"} {
		s, err := Locate(path, nil)
		if err != nil {
			t.Fatalf("Locate(%s, nil) = %v", path, err)
		}
		if s.Name != "demo" || len(s.Pods) != 2 || len(s.Jobs) != 1 {
			t.Fatalf("Locate(%s, nil) = name %q, %d pods, %d jobs; want demo, 2, 1", path, s.Name, len(s.Pods), len(s.Jobs))
		}
		if want := filepath.Join(root, "compose", "docker-compose-worker.yml"); s.Pods[1].ComposeFile != want {
			t.Errorf("worker compose file = %s, want %s", s.Pods[1].ComposeFile, want)
		}
		if want := filepath.Join(root, "compose-jobs", "docker-compose-migrate.yml"); s.Jobs[0].ComposeFile != want {
			t.Errorf("job compose file = %s, want %s", s.Jobs[0].ComposeFile, want)
		}
		if s.ConfigRoot != filepath.Join(root, "config") {
			t.Errorf("ConfigRoot = %s", s.ConfigRoot)
		}
	}
}

func TestLocatePlainCompose(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "my-app")
	file := testutil.WriteFile(t, dir, "compose.yaml", "services:\n  web:\n    image: nginx\n")
	for _, path := range []string{dir, file} {
		s, err := Locate(path, nil)
		if err != nil {
			t.Fatalf("Locate(%s, nil) = %v", path, err)
		}
		if s.Name != "my-app" || len(s.Pods) != 1 || s.Pods[0].ComposeFile != file || s.Pods[0].Name != "my-app" {
			t.Errorf("Locate(%s, nil) = %+v; want the one-pod stack my-app from %s", path, s, file)
		}
	}
}

func TestLocateMultiRepoPod(t *testing.T) {
	base := t.TempDir()
	t.Setenv("CERC_REPO_BASE_DIR", base)
	compose := testutil.WriteFile(t, base, "api-repo/deploy/docker-compose.yml", "services:\n  api:\n    image: api\n")
	root := t.TempDir()
	testutil.WriteFile(t, root, "stacks/s/stack.yml", "name: s\npods:\n  - name: api\n    repository: github.com/example-org/api-repo\n    path: deploy\n")
	s, err := Locate(filepath.Join(root, "stacks/s"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.Pods[0].ComposeFile != compose || s.Pods[0].Ref.Repository == "" {
		t.Errorf("dict pod = %+v, want compose file %s", s.Pods[0], compose)
	}
}

func TestLocateErrors(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	testutil.WriteFile(t, root, "stacks/bad/stack.yml", "name: bad\npods: [missing]\npod: []\n")
	testutil.WriteFile(t, root, "stacks/empty/stack.yml", "name: empty\n")
	cases := map[string]string{
		filepath.Join(root, "nowhere"):      "not found",
		filepath.Join(root, "stacks"):       "holds neither stack.yml nor a compose file",
		filepath.Join(root, "stacks/bad"):   `compose "missing": compose file ` + filepath.Join(root, "compose/docker-compose-missing.yml") + " does not exist",
		filepath.Join(root, "stacks/empty"): "the stack lists no pods",
	}
	for path, want := range cases {
		_, err := Locate(path, nil)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Locate(%s, nil) = %v, want an error containing %q", path, err, want)
		}
	}
}

func TestUnknownStackKeysWarn(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	testutil.WriteFile(t, root, "compose/docker-compose-a.yml", "services:\n  a:\n    image: a\n")
	testutil.WriteFile(t, root, "stacks/s/stack.yml", "name: s\npods: [a]\npod: []\n")
	s, err := Locate(filepath.Join(root, "stacks/s"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Warnings) != 1 || !strings.Contains(s.Warnings[0], `unknown key "pod"`) || !strings.Contains(s.Warnings[0], `did you mean "pods"`) {
		t.Errorf("Warnings = %q, want one about pod/pods", s.Warnings)
	}
}

// TestComposeOverrideIsNamedNotMerged: docker compose merges
// docker-compose.override.yml when no -f is given; kubectl stack deploys
// the compose file alone and says so.
func TestComposeOverrideIsNamedNotMerged(t *testing.T) {
	dir := t.TempDir()
	testutil.WriteFile(t, dir, "docker-compose.yml", "services:\n  api:\n    image: api\n")
	s, err := Locate(dir, nil)
	if err != nil || len(s.Warnings) != 0 {
		t.Fatalf("Locate without an override = %v, warnings %q", err, s.Warnings)
	}
	override := testutil.WriteFile(t, dir, "docker-compose.override.yml", "services:\n  api:\n    ports: [\"9229:9229\"]\n")
	s, err = Locate(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Warnings) != 1 || !strings.Contains(s.Warnings[0], override+" is not merged into docker-compose.yml") {
		t.Errorf("Warnings = %q, want one naming the override file", s.Warnings)
	}
}

// TestStackDefinitionMustBeTheStacks: a stack.yml that is a link out of
// its stack (to a host file, to /dev/zero) is refused, never read.
func TestStackDefinitionMustBeTheStacks(t *testing.T) {
	t.Parallel()
	for _, target := range []string{"/etc/hostname", "/dev/zero"} {
		dir := filepath.Join(t.TempDir(), "stacks", "demo")
		testutil.Symlink(t, target, filepath.Join(dir, "stack.yml"))
		if _, err := Locate(dir, nil); err == nil || !strings.Contains(err.Error(), "outside") {
			t.Errorf("Locate with stack.yml -> %s = %v, want a refusal", target, err)
		}
	}
}

// TestSiblingComposeFilesAreNamed: a project split into files run together
// (compose.yaml with compose.prod.yaml, docker-compose.db.yml) gets a note
// naming each file that is not read; override files keep their own.
func TestSiblingComposeFilesAreNamed(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	testutil.WriteFile(t, dir, "compose.yaml", "services:\n  api:\n    image: api\n")
	prod := testutil.WriteFile(t, dir, "compose.prod.yaml", "services:\n  api:\n    restart: always\n")
	db := testutil.WriteFile(t, dir, "docker-compose.db.yml", "services:\n  db:\n    image: postgres\n")
	testutil.WriteFile(t, dir, "compose.override.yaml", "services:\n  api:\n    ports: [\"9229:9229\"]\n")
	testutil.WriteFile(t, dir, "compose.yaml.orig", "x")
	s, err := Locate(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Join(s.Warnings, "\n")
	for _, want := range []string{prod + " is not read", db + " is not read", "compose.override.yaml is not merged"} {
		if !strings.Contains(all, want) {
			t.Errorf("warnings:\n%s\nwant %q", all, want)
		}
	}
	if len(s.Warnings) != 3 {
		t.Errorf("%d warnings, want 3:\n%s", len(s.Warnings), all)
	}
}

// TestComposeFileStaysInTheProject: COMPOSE_FILE naming a file outside
// the project directory (directly, by .., or through a link) is refused,
// since its directory would become the stack (COMPOSE_FILE=/etc/passwd
// would read /etc); a compose file named alone while COMPOSE_FILE names
// more is read alone, as docker compose -f reads it, with a warning.
func TestComposeFileStaysInTheProject(t *testing.T) {
	t.Parallel()
	outside := t.TempDir()
	testutil.WriteFile(t, outside, "compose.yaml", "services:\n  spy:\n    image: x\n")
	for _, value := range []string{"/etc/passwd", "../" + filepath.Base(outside) + "/compose.yaml", "link/compose.yaml", "compose.yaml:/etc/hostname"} {
		dir := t.TempDir()
		testutil.WriteFile(t, dir, "compose.yaml", "services:\n  api:\n    image: api\n")
		if err := os.Symlink(outside, filepath.Join(dir, "link")); err != nil {
			t.Fatal(err)
		}
		if value[0] == '.' {
			dir = filepath.Join(filepath.Dir(outside), "p"+filepath.Base(dir))
			testutil.WriteFile(t, dir, "compose.yaml", "services:\n  api:\n    image: api\n")
		}
		testutil.WriteFile(t, dir, ".env", "COMPOSE_FILE="+value+"\n")
		if _, err := Locate(dir, nil); err == nil || !strings.Contains(err.Error(), "lies outside the project directory") {
			t.Errorf("COMPOSE_FILE=%s: Locate() = %v, want a refusal", value, err)
		}
	}
	dir := t.TempDir()
	file := testutil.WriteFile(t, dir, "compose.yaml", "services:\n  api:\n    image: api\n")
	testutil.WriteFile(t, dir, "compose.prod.yaml", "services:\n  api:\n    image: api:1\n")
	s, err := Locate(file, map[string]string{"COMPOSE_FILE": "compose.yaml:compose.prod.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Pods[0].MergeFiles) != 0 || !strings.Contains(strings.Join(s.Warnings, "\n"), "config: in spec.yml (COMPOSE_FILE) names") {
		t.Errorf("a file named alone: merge files %v, warnings %v; want none merged and a warning", s.Pods[0].MergeFiles, s.Warnings)
	}
}
