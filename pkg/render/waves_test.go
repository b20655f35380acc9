package render

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// TestDependsOnAnnotatesWaves: each workload that depends on another pod
// carries its wave (for deploy and as Argo CD's sync wave) and what it
// waits for, with the strongest condition any of its services asks; an
// entry naming a service of the same pod cannot order anything and is
// warned about unless it asks only that the service started.
func TestDependsOnAnnotatesWaves(t *testing.T) {
	t.Parallel()
	project := `services:
  db:
    image: postgres
  cache:
    image: redis
  migrate:
    image: app
    depends_on:
      db: {condition: service_healthy}
  web:
    image: app
    depends_on:
      db: {condition: service_started}
      cache: {condition: service_started}
      migrate: {condition: service_completed_successfully}
`
	_, _, objects := renderProject(t, project, "pod-per-service: true\n")
	got := map[string]string{}
	for _, o := range objects {
		if k := o.GetKind(); k == "Deployment" || k == "Job" {
			a := o.GetAnnotations()
			got[o.GetName()] = a["kubectl-stack.io/wave"] + "|" + a["argocd.argoproj.io/sync-wave"] + "|" + a["kubectl-stack.io/depends-on"]
		}
	}
	want := map[string]string{
		"laconic-0fixture1-db-deployment":    "||",
		"laconic-0fixture1-cache-deployment": "||",
		"laconic-0fixture1-job-migrate":      "1|1|Deployment/laconic-0fixture1-db-deployment=ready",
		"laconic-0fixture1-web-deployment":   "2|2|Deployment/laconic-0fixture1-cache-deployment=started,Deployment/laconic-0fixture1-db-deployment=started,Job/laconic-0fixture1-job-migrate=completed",
	}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("%s: %q, want %q", name, got[name], w)
		}
	}
	plan, _, _ := renderProject(t, project, "")
	if w := strings.Join(plan.Warnings, "\n"); strings.Count(w, "service migrate: depends_on db (service_healthy) cannot order them: both run in pod shop_app") != 1 || strings.Contains(w, "depends_on cache") {
		t.Errorf("warnings:\n%s\nwant migrate's entry named once, and no word of web's started ones", w)
	}
}

// TestDependsOnRestartRollsDependents: with depends_on restart: true, a
// change of the dependency's pod changes the dependent's pod template too,
// so that it rolls, as docker compose restarts it; without it the
// dependent stays.
func TestDependsOnRestartRollsDependents(t *testing.T) {
	t.Parallel()
	project := func(image string) string {
		return "services:\n  db:\n    image: " + image + "\n  web:\n    image: app\n    depends_on:\n      db: {condition: service_started, restart: true}\n  worker:\n    image: app\n    depends_on:\n      db: {condition: service_started}\n"
	}
	templates := func(image string) map[string]string {
		_, _, objects := renderProject(t, project(image), "pod-per-service: true\n")
		out := map[string]string{}
		for _, o := range objects {
			if o.GetKind() == "Deployment" {
				a, _, _ := unstructured.NestedStringMap(o.Object, "spec", "template", "metadata", "annotations")
				out[strings.TrimSuffix(strings.TrimPrefix(o.GetName(), "laconic-0fixture1-"), "-deployment")] = a[AnnotationRestartWith]
			}
		}
		return out
	}
	before, after := templates("postgres:16"), templates("postgres:17")
	if before["web"] == "" || before["web"] == after["web"] {
		t.Errorf("web's restart-with %q before, %q after db changed: want set, and changed", before["web"], after["web"])
	}
	if before["worker"] != "" || after["worker"] != "" {
		t.Errorf("worker (no restart: true) got restart-with %q/%q", before["worker"], after["worker"])
	}
}
