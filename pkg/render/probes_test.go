package render

import (
	"fmt"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// TestHealthchecksAreProbes: a healthcheck is a readiness probe with
// compose's defaults (timeout 30 s, 3 retries); CMD runs as it is and
// CMD-SHELL through /bin/sh -c; a start_period adds a startup probe that
// gives the container that long, checked every start_interval (5 s by
// default, or the interval when that is shorter), before failures count; NONE and disable give none; a liveness
// probe only with x-kubectl-stack: {liveness: true}.
func TestHealthchecksAreProbes(t *testing.T) {
	t.Parallel()
	_, _, objects := renderProject(t, `services:
  plain:
    image: x
    healthcheck:
      test: ["CMD", "/bin/check", "--fast"]
  shell:
    image: x
    healthcheck:
      test: ["CMD-SHELL", "curl -f localhost || exit 1"]
      interval: 10s
      timeout: 2s
      retries: 5
      start_period: 60s
      start_interval: 2s
  quick:
    image: x
    healthcheck:
      test: ["CMD", "/bin/check"]
      interval: 1s
      start_period: 30s
  slow:
    image: x
    healthcheck:
      test: ["CMD", "/bin/check"]
      start_period: 30s
  none:
    image: x
    healthcheck:
      test: ["NONE"]
  disabled:
    image: x
    healthcheck:
      disable: true
  live:
    image: x
    healthcheck:
      test: ["CMD", "/bin/check"]
    x-kubectl-stack:
      liveness: true
`, "pod-per-service: true\n")
	got := map[string]string{}
	for _, o := range objects {
		if o.GetKind() != "Deployment" {
			continue
		}
		ctrs, _, _ := unstructured.NestedSlice(o.Object, "spec", "template", "spec", "containers")
		c := ctrs[0].(map[string]any)
		var parts []string
		for _, kind := range []string{"readinessProbe", "startupProbe", "livenessProbe"} {
			p, ok := c[kind].(map[string]any)
			if !ok {
				continue
			}
			cmd, _, _ := unstructured.NestedStringSlice(p, "exec", "command")
			parts = append(parts, fmt.Sprintf("%s[%s period=%v timeout=%v failures=%v]", kind, strings.Join(cmd, " "), p["periodSeconds"], p["timeoutSeconds"], p["failureThreshold"]))
		}
		got[c["name"].(string)] = strings.Join(parts, " ")
	}
	want := map[string]string{
		"plain":    "readinessProbe[/bin/check --fast period=<nil> timeout=30 failures=3]",
		"shell":    "readinessProbe[/bin/sh -c curl -f localhost || exit 1 period=10 timeout=2 failures=5] startupProbe[/bin/sh -c curl -f localhost || exit 1 period=2 timeout=2 failures=35]",
		"quick":    "readinessProbe[/bin/check period=1 timeout=30 failures=3] startupProbe[/bin/check period=1 timeout=30 failures=33]",
		"slow":     "readinessProbe[/bin/check period=<nil> timeout=30 failures=3] startupProbe[/bin/check period=5 timeout=30 failures=9]",
		"none":     "",
		"disabled": "",
		"live":     "readinessProbe[/bin/check period=<nil> timeout=30 failures=3] livenessProbe[/bin/check period=<nil> timeout=30 failures=3]",
	}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("%s: %s\nwant %s", name, got[name], w)
		}
	}
}
