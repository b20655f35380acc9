package spec

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTestdata loads every testdata spec: valid-* must load and validate,
// invalid-* must fail with each message named in its "# want:" lines.
func TestTestdata(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("testdata/*.yml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			err := loadAndValidate(file)
			if strings.HasPrefix(filepath.Base(file), "valid-") {
				if err != nil {
					t.Fatalf("load %s = %v, want nil", file, err)
				}
				return
			}
			wants := wantedMessages(t, file)
			if err == nil {
				t.Fatalf("load %s = nil, want errors %q", file, wants)
			}
			for _, w := range wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("load %s error:\n%v\nwant it to contain %q", file, err, w)
				}
			}
		})
	}
}

func loadAndValidate(file string) error {
	s, err := Load(file)
	if err != nil {
		return err
	}
	return errors.Join(Validate(file, s)...)
}

func wantedMessages(t *testing.T, file string) []string {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var wants []string
	for _, line := range strings.Split(string(data), "\n") {
		if w, ok := strings.CutPrefix(line, "# want: "); ok {
			wants = append(wants, w)
		}
	}
	if len(wants) == 0 {
		t.Fatalf("%s has no '# want:' line", file)
	}
	return wants
}

func TestAllKeysDecode(t *testing.T) {
	t.Parallel()
	s, err := Load("testdata/valid-all-keys.yml")
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"config bool kept as written", s.Config["ENABLED"], "true"},
		{"config null is empty", s.Config["EMPTY"], ""},
		{"integer port", s.Network.Ports["db"][0], "5432"},
		{"empty volume path", s.Volumes["db-data"], ""},
		{"per-container limit", s.Resources.Containers.PerContainer["web"].Limits.Memory.String(), "1Gi"},
		{"per-volume storage", s.Resources.Volumes.PerVolume["db-data"].Reservations.Storage.Value(), int64(50) << 30},
		{"default cpus", s.Resources.Containers.Reservations.CPUs.MilliValue(), int64(500)},
		{"GiB spelling is binary", s.Resources.Containers.Limits.Memory.Value(), int64(2) << 30},
		{"privileged as string", bool(s.Security.Privileged), true},
		{"replicas", *s.Replicas, int32(2)},
		{"credentials under image-pull-secret", s.Credentials().TokenEnv, "REGISTRY_TOKEN"},
		{"external service selector", s.ExternalServices["s3"].Selector["app"], "s3"},
		{"kind node image", s.KindNodeImage, "kindest/node:v1.37.2"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestRegistryCredentialsNamesMeanTheSame(t *testing.T) {
	t.Parallel()
	a, err := Parse("a.yml", []byte("registry-credentials: {server: s, username: u, token-env: T}\n"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := Parse("b.yml", []byte("image-pull-secret: {server: s, username: u, token-env: T}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if *a.Credentials() != *b.Credentials() {
		t.Errorf("registry-credentials %+v != image-pull-secret %+v", *a.Credentials(), *b.Credentials())
	}
}

func TestQuantityIsKubernetes(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int64{
		"2Gi": 1 << 31, "2G": 2_000_000_000, "2GB": 2_000_000_000, "2GiB": 1 << 31, "512Mi": 512 << 20, "1000": 1000,
	} {
		q, err := ParseQuantity(in)
		if err != nil || q.Value() != want {
			t.Errorf("ParseQuantity(%q) = %v, %v; want %d", in, q.Value(), err, want)
		}
	}
	if _, err := ParseQuantity("2KB"); err == nil {
		t.Error("ParseQuantity(2KB) = nil error, want one (K is not a unit; Ki or k are)")
	}
}

func TestWithin(t *testing.T) {
	t.Parallel()
	cases := []struct {
		root, path string
		want       bool
	}{
		{"/srv/kind", "/srv/kind/a/b", true},
		{"/srv/kind", "/srv/kind", true},
		{"/srv/kind/", "/srv/kind/x/../y", true},
		{"/srv/kind", "/srv/kind2/a", false},
		{"/srv/kind", "/srv/kind/../other", false},
		{"/srv/kind", "/srv", false},
	}
	for _, c := range cases {
		if _, got := Within(c.root, c.path); got != c.want {
			t.Errorf("Within(%q, %q) = %v, want %v", c.root, c.path, got, c.want)
		}
	}
}

func TestDefaultNamespaceIsSanitised(t *testing.T) {
	t.Parallel()
	if got := DefaultNamespace("My_Stack.v2"); got != "laconic-my-stack-v2" {
		t.Errorf("DefaultNamespace = %q, want laconic-my-stack-v2", got)
	}
}

func TestComposeSpellingIsNormalized(t *testing.T) {
	t.Parallel()
	s, err := Load("testdata/valid-compose-spelling.yml")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Volumes["db-data"]; !ok || s.Volumes["redis-data"] != "./data/redis" {
		t.Errorf("Volumes = %v, want db-data and redis-data", s.Volumes)
	}
	if s.ImageOverrides["web-frontend"] != "example/web:1" || len(s.Network.Ports["web-frontend"]) != 1 {
		t.Errorf("service keys not normalized: %v %v", s.ImageOverrides, s.Network.Ports)
	}
	if _, ok := s.Resources.Volumes.PerVolume["db-data"]; !ok {
		t.Errorf("resources.volumes not normalized: %v", s.Resources.Volumes.PerVolume)
	}
	if got := s.Written("redis-data"); got != "Redis.Data" {
		t.Errorf("Written(redis-data) = %q, want Redis.Data", got)
	}
}

// TestExternalServicesAreValidated: each entry becomes a Service named by
// its key, so the key, the host, the IP, the port and the selector are
// checked at create, each error naming its field.
func TestExternalServicesAreValidated(t *testing.T) {
	t.Parallel()
	for entry, want := range map[string]string{
		"Bad_Name: {host: api.example.org}":                "external-services.Bad_Name: \"Bad_Name\" is not a valid Service name",
		"api: {host: \"not a host\"}":                      "external-services.api.host",
		"rpc: {ip: 300.1.1.1, port: 8899}":                 "external-services.rpc.ip: \"300.1.1.1\" is not an IP address",
		"rpc: {ip: 10.0.0.1, port: 70000}":                 "external-services.rpc.port: 70000 is not a port",
		"s3: {selector: {app: s3-mock}}":                   "external-services.s3.namespace: is required with selector",
		"s3: {selector: {app: s3-mock}, namespace: Mocks}": "external-services.s3.namespace: \"Mocks\" is not a namespace name",
		"both: {host: a.example, ip: 10.0.0.1}":            "external-services.both: set exactly one of host, ip or selector",
	} {
		s, err := Parse("spec.yml", []byte("stack: ./s\ndeploy-to: k8s\nexternal-services:\n  "+entry+"\n"))
		if err == nil {
			err = errors.Join(Validate("spec.yml", s)...)
		}
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", entry, err, want)
		}
	}
	s, err := Parse("spec.yml", []byte("stack: ./s\ndeploy-to: k8s\nexternal-services:\n  api: {host: api.example.org}\n  rpc: {ip: 172.18.0.1, port: 8899}\n  s3: {selector: {app: s3-mock}, namespace: mocks}\n"))
	if err == nil {
		err = errors.Join(Validate("spec.yml", s)...)
	}
	if err != nil || s.ExternalServices["api"].ExternalPort() != 443 || s.ExternalServices["rpc"].ExternalPort() != 8899 {
		t.Errorf("valid external services = %v, %v", s, err)
	}
}
