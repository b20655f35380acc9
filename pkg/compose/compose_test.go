package compose

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
)

func load(t *testing.T) *File {
	t.Helper()
	f, err := Load(context.Background(), "testdata/docker-compose-all.yml", "/", map[string]string{"TAG": "v2", "HOST": "db"})
	if err != nil {
		t.Fatalf("Load() = %v", err)
	}
	return f
}

func TestLoadParsesComposeSyntax(t *testing.T) {
	t.Parallel()
	f := load(t)
	web := f.Project.Services["web"]
	checks := []struct {
		name      string
		got, want any
	}{
		{"interpolation with default", web.Image, "example/web:v2"},
		{"interpolation inside a value", *web.Environment["URL"], "http://db:80"},
		{"map environment", *web.Environment["MAP_FORM"], "a"},
		{"env_file", *web.Environment["FROM_ENV_FILE"], "1"},
		{"extends", *web.Environment["FROM_BASE"], "yes"},
		{"list environment", *f.Project.Services["worker"].Environment["LIST_FORM"], "b"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
	if got := f.HostNetworkServices(); !cmp.Equal(got, []string{"worker"}) {
		t.Errorf("HostNetworkServices() = %v", got)
	}
}

func TestPortsShortAndLong(t *testing.T) {
	t.Parallel()
	want := map[string][]string{"web": {"80", "30080:8080", "9000/udp", "30443:8443"}}
	if diff := cmp.Diff(want, load(t).Ports()); diff != "" {
		t.Errorf("Ports() (-want +got):\n%s", diff)
	}
}

func TestHostBindsKeepWrittenSourceAndRW(t *testing.T) {
	t.Parallel()
	dir, _ := filepath.Abs("testdata")
	got := load(t).HostBinds(func(s string) string { return s })
	want := []Bind{
		{Service: "web", Source: "./static", Resolved: filepath.Join(dir, "static"), Target: "/srv/static", ReadOnly: true},
		{Service: "web", Source: "./settings.env", Resolved: filepath.Join(dir, "settings.env"), Target: "/etc/settings.env"},
		{Service: "web", Source: "./writable", Resolved: filepath.Join(dir, "writable"), Target: "/data", ExplicitRW: true},
		{Service: "web", Source: "./long-rw", Resolved: filepath.Join(dir, "long-rw"), Target: "/long", ExplicitRW: true},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("HostBinds() (-want +got):\n%s", diff)
	}
}

func TestNamedVolumes(t *testing.T) {
	t.Parallel()
	want := []NamedVolume{{Name: "named"}, {Name: "other", ReadOnly: true}}
	if diff := cmp.Diff(want, load(t).NamedVolumes()); diff != "" {
		t.Errorf("NamedVolumes() (-want +got):\n%s", diff)
	}
}

func TestLoadReportsBadCompose(t *testing.T) {
	t.Parallel()
	_, err := Load(context.Background(), "testdata/missing.yml", "/", nil)
	if err == nil {
		t.Fatal("Load(missing) = nil, want an error")
	}
}

func TestUnsetVariablesAreCollected(t *testing.T) {
	t.Parallel()
	f, err := Load(context.Background(), "testdata/docker-compose-all.yml", "/", map[string]string{"TAG": "v2"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"HOST"}, f.UnsetVariables); diff != "" {
		t.Errorf("UnsetVariables (-want +got):\n%s", diff)
	}
}

func TestErrorsNameFileAndLine(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"services:\n  web:\n    image: x\n    ports:\n      - \"80\"\n      - \"abc:def:ghi:80\"\n": ".yml:6: ",
		"services:\n  web:\n    image: x\n    replicas: many\n":                                     ".yml:4: ",
		"services:\n  web:\n    image: x\n    healthcheck:\n      interval: soon\n":                 ".yml:5: ",
		"services:\n  web:\n    image: x\n   bad: indent\n":                                         "line 4, column 4", // 1-based, as editors count
		"services:\n  web:\n    image: x\n    image: y\n":                                           `line 4: mapping key "image" already defined at line 3`,
	}
	for content, want := range cases {
		dir := t.TempDir()
		file := filepath.Join(dir, "docker-compose-web.yml")
		if err := os.WriteFile(file, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Load(context.Background(), file, "/", nil)
		if err == nil || !strings.Contains(err.Error(), file) || !strings.Contains(err.Error(), want) {
			t.Errorf("Load(%q) = %v, want the file and %q", content, err, want)
		}
	}
}

// TestRequiredVariableSaysWhereToSetIt: ${VAR:?message} with VAR unset
// stops the load; the error says where to set it.
func TestRequiredVariableSaysWhereToSetIt(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	_, err := Load(context.Background(), testutil.WriteFile(t, dir, "compose.yaml", "services:\n  app:\n    image: nginx\n    environment:\n      API_KEY: ${API_KEY:?API_KEY is required}\n"), "/", nil)
	if err == nil || !strings.Contains(err.Error(), "API_KEY is required; set API_KEY under config: in spec.yml (kubectl stack init takes --config API_KEY=VALUE) or in .env beside the compose file") {
		t.Errorf("Load = %v, want the fix named", err)
	}
	if _, err := Load(context.Background(), filepath.Join(dir, "compose.yaml"), "/", map[string]string{"API_KEY": "k"}); err != nil {
		t.Errorf("Load with API_KEY set = %v", err)
	}
}

// TestEveryRequiredVariableIsNamedAtOnce: a compose file that requires
// several variables (${A:?msg}, ${B?}) names every one that is unset in
// one error, not the first alone, so that one edit of the spec fixes them.
func TestEveryRequiredVariableIsNamedAtOnce(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := testutil.WriteFile(t, dir, "compose.yaml", "services:\n  app:\n    image: app:${TAG:?set the release tag}\n    environment:\n      DB_PASSWORD: ${DB_PASSWORD:?the database password}\n      SECRET_KEY: ${SECRET_KEY?}\n      SET: ${SET:?x}\n")
	_, err := Load(context.Background(), file, "/", map[string]string{"SET": "yes"})
	for _, want := range []string{"DB_PASSWORD (the database password)", "SECRET_KEY (", "TAG (set the release tag)", "--config DB_PASSWORD=VALUE --config SECRET_KEY=VALUE --config TAG=VALUE"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Load = %v, want it to contain %q", err, want)
		}
	}
	if err != nil && strings.Contains(err.Error(), "SET (") {
		t.Errorf("Load names a variable that is set: %v", err)
	}
}

// TestInvalidImageNamesTheOffendingPart: an image that is no reference
// names the part that makes it so, such as a literal placeholder an
// upstream project left for the user to fill in.
func TestInvalidImageNamesTheOffendingPart(t *testing.T) {
	t.Parallel()
	for image, want := range map[string]string{
		"ghcr.io/acme/app:|version|":  `the tag "|version|"`,
		"acme/App:1.0":                `the name part "App"`,
		"/app:":                       `the name part ""`,
		"acme/app:<TAG>":              `the tag "<TAG>"`,
		"registry.local:5000/a b:1":   `the name part "a b"`,
		"acme/app@md5:0123456789abcd": `the digest "md5:0123456789abcd"`,
	} {
		if err := CheckImage(image); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("CheckImage(%q) = %v, want it to name %s", image, err, want)
		}
	}
	for _, image := range []string{"nginx", "ghcr.io/acme/app:1.2.3", "localhost:5000/a/b:latest", "acme/app@sha256:" + strings.Repeat("a", 64)} {
		if err := CheckImage(image); err != nil {
			t.Errorf("CheckImage(%q) = %v, want it accepted", image, err)
		}
	}
}

// TestDependencyCyclesAreRefused: depends_on entries that wait for each
// other are refused, naming the cycle, as docker compose refuses them.
func TestDependencyCyclesAreRefused(t *testing.T) {
	t.Parallel()
	file := writeProject(t, map[string]string{"compose.yaml": "services:\n  a:\n    image: x\n    depends_on: [b]\n  b:\n    image: x\n    depends_on: [c]\n  c:\n    image: x\n    depends_on: [a]\n"})
	_, err := Load(context.Background(), file, "/", nil)
	if err == nil || !strings.Contains(err.Error(), "depends_on: dependency cycle detected: a -> b -> c -> a") {
		t.Errorf("Load() = %v, want the cycle named", err)
	}
}

// TestFreshVolumeMounts: the volumes docker compose would fill from the
// image (named and anonymous ones) are listed, since they start empty on
// Kubernetes; data directories (binds in docker too) and nocopy volumes
// are not.
func TestFreshVolumeMounts(t *testing.T) {
	t.Parallel()
	file := writeProject(t, map[string]string{"compose.yaml": "services:\n  app:\n    image: app\n    volumes:\n      - shipped:/srv/shipped\n      - /var/cache/app\n      - ./data:/data\n      - type: volume\n        source: plain\n        target: /plain\n        volume:\n          nocopy: true\nvolumes:\n  shipped:\n  plain:\n"})
	f, err := Load(context.Background(), file, "/", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []FreshVolumeMount{{Volume: "shipped", Service: "app", Target: "/srv/shipped"}, {Service: "app", Target: "/var/cache/app"}}
	if got := f.FreshVolumeMounts(); !slices.Equal(got, want) {
		t.Errorf("FreshVolumeMounts() = %v, want %v", got, want)
	}
}
