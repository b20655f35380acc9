package k8sname

import (
	"errors"
	"strings"
	"testing"
)

func TestLabel(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", 70)
	cases := []struct{ in, want string }{
		{"web", "web"},                       // valid: identity (laconic-so names kept)
		{"laconic-test", "laconic-test"},     // valid: identity
		{"db_data", "db-data"},               // underscore
		{"geth_1_data", "geth-1-data"},       // underscores and digits
		{"App.Data", "app-data"},             // dot and uppercase
		{"web.frontend", "web-frontend"},     // dotted service
		{"_private_", "private"},             // leading and trailing separators dropped
		{"___", "x-" + hash("___")},          // nothing left
		{long, long[:54] + "-" + hash(long)}, // truncated with a stable hash
	}
	for _, c := range cases {
		if got := Label(c.in); got != c.want {
			t.Errorf("Label(%q) = %q, want %q", c.in, got, c.want)
		}
		if got := Label(c.in); !IsLabel(got) {
			t.Errorf("Label(%q) = %q is not a DNS-1123 label", c.in, got)
		}
	}
}

func TestLabelIsIdempotent(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"db_data", "App.Data", strings.Repeat("x_", 40)} {
		once := Label(in)
		if twice := Label(once); twice != once {
			t.Errorf("Label(Label(%q)) = %q, want %q", in, twice, once)
		}
	}
}

func TestFit(t *testing.T) {
	t.Parallel()
	name := "laconic-0abcdef12-" + strings.Repeat("v", 60)
	got := Fit(name, MaxLabel)
	if len(got) != MaxLabel || !IsLabel(got) || !strings.HasPrefix(got, "laconic-0abcdef12-vvv") {
		t.Errorf("Fit(%q) = %q (%d chars), want a 63-character label with the prefix kept", name, got, len(got))
	}
	if Fit("short", MaxLabel) != "short" {
		t.Error("Fit changed a short name")
	}
	if Fit(name+"x", MaxLabel) == got {
		t.Error("two long names with one prefix got one shortened name")
	}
}

func TestTableCollisions(t *testing.T) {
	t.Parallel()
	tab, errs := NewTable("volume", []string{"db_data", "db.data", "cache", "Redis.Data"})
	if len(errs) != 1 {
		t.Fatalf("NewTable errors = %v, want one collision", errs)
	}
	var ce *CollisionError
	if !errors.As(errs[0], &ce) || ce.Names != [2]string{"db.data", "db_data"} || ce.Mapped != "db-data" {
		t.Errorf("collision = %+v, want db.data and db_data → db-data", ce)
	}
	if !strings.Contains(errs[0].Error(), `"db.data"`) || !strings.Contains(errs[0].Error(), `"db_data"`) {
		t.Errorf("error %q does not name both originals", errs[0])
	}
	if got := tab.K8s("Redis.Data"); got != "redis-data" {
		t.Errorf("K8s(Redis.Data) = %q", got)
	}
	if got := tab.Original("redis-data"); got != "Redis.Data" {
		t.Errorf("Original(redis-data) = %q", got)
	}
	want := map[string]string{"Redis.Data": "redis-data", "db.data": "db-data"}
	if got := tab.Renamed(); len(got) != len(want) || got["Redis.Data"] != "redis-data" || got["db.data"] != "db-data" {
		t.Errorf("Renamed() = %v, want %v", got, want)
	}
}

func TestServicesAnnotationRoundTrip(t *testing.T) {
	t.Parallel()
	a := FormatServices(map[string]string{"web.frontend": "web-frontend", "cache_redis": "cache-redis"})
	if a != "cache_redis=cache-redis,web.frontend=web-frontend" {
		t.Errorf("FormatServices = %q", a)
	}
	for k8s, want := range map[string]string{"web-frontend": "web.frontend", "cache-redis": "cache_redis", "db": "db"} {
		if got := ServiceName(a, k8s); got != want {
			t.Errorf("ServiceName(%q) = %q, want %q", k8s, got, want)
		}
	}
}
