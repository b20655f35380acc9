package render

import (
	"fmt"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// TestServicesThatRunOnceAreJobs: a service whose restart policy runs it
// once (restart: "no", on-failure[:N], deploy.restart_policy.condition
// none|on-failure) is a Job, not a Deployment that restarts it forever,
// with the retries the policy asks for; deploy waits only for one another
// service waits to complete; one with ports is reached by name while it
// runs. A service without a policy, or restart: always, stays up.
func TestServicesThatRunOnceAreJobs(t *testing.T) {
	t.Parallel()
	_, _, objects := renderProject(t, `services:
  web:
    image: nginx
    ports: ["8080:80"]
    depends_on:
      migrate:
        condition: service_completed_successfully
  migrate:
    image: app
    restart: "no"
  seed:
    image: app
    restart: "no"
    expose: ["5000"]
  worker:
    image: app
    restart: on-failure:3
  sync:
    image: app
    deploy:
      restart_policy:
        condition: on-failure
  cache:
    image: redis
    restart: always
  queue:
    image: rabbitmq
    restart: "no"
    deploy:
      restart_policy:
        condition: any
`, "pod-per-service: true\n")
	var deployments []string
	jobs := map[string]string{} // Job → restartPolicy/backoffLimit/no-wait
	selects := map[string]string{}
	for _, o := range objects {
		switch o.GetKind() {
		case "Deployment":
			deployments = append(deployments, o.GetName())
		case "Job":
			policy, _, _ := unstructured.NestedString(o.Object, "spec", "template", "spec", "restartPolicy")
			backoff, found, _ := unstructured.NestedInt64(o.Object, "spec", "backoffLimit")
			limit := "default"
			if found {
				limit = fmt.Sprint(backoff)
			}
			_, failFast, _ := unstructured.NestedMap(o.Object, "spec", "podFailurePolicy")
			jobs[o.GetName()] = fmt.Sprintf("%s/%s/failfast=%v/nowait=%s", policy, limit, failFast, o.GetAnnotations()["kubectl-stack.io/no-wait"])
		case "Service":
			sel, _, _ := unstructured.NestedStringMap(o.Object, "spec", "selector")
			selects[o.GetName()] = sel["app"] + "," + sel[LabelComponent]
		}
	}
	if got := strings.Join(deployments, ","); got != "laconic-0fixture1-cache-deployment,laconic-0fixture1-queue-deployment,laconic-0fixture1-web-deployment" {
		t.Errorf("Deployments %s; want cache, queue (deploy's condition any wins over restart) and web", got)
	}
	want := map[string]string{
		"laconic-0fixture1-job-migrate": "Never/2/failfast=true/nowait=",
		"laconic-0fixture1-job-seed":    "Never/2/failfast=true/nowait=true",
		"laconic-0fixture1-job-worker":  "OnFailure/3/failfast=false/nowait=true",
		"laconic-0fixture1-job-sync":    "OnFailure/default/failfast=false/nowait=true",
	}
	if fmt.Sprint(jobs) != fmt.Sprint(want) {
		t.Errorf("Jobs (restartPolicy/backoffLimit/podFailurePolicy/no-wait):\n%v\nwant\n%v", jobs, want)
	}
	if selects["seed"] != "laconic-0fixture1-job,seed" {
		t.Errorf("Service seed selects %q, want the seed Job's pod (Services: %v)", selects["seed"], selects)
	}
}

// TestAPodWhoseServicesAllRunOnceIsAJob: without pod-per-service (one pod
// per compose file, laconic-so's layout) a file whose every service runs
// once is a Job; one that mixes them stays a Deployment, with a warning
// naming the service it restarts.
func TestAPodWhoseServicesAllRunOnceIsAJob(t *testing.T) {
	t.Parallel()
	_, _, objects := renderProject(t, "services:\n  import:\n    image: app\n    restart: \"no\"\n  index:\n    image: app\n    restart: on-failure\n", "")
	var kinds []string
	for _, o := range objects {
		if o.GetKind() == "Job" || o.GetKind() == "Deployment" {
			kinds = append(kinds, o.GetKind()+"/"+o.GetName())
		}
	}
	if got := strings.Join(kinds, ","); got != "Job/laconic-0fixture1-job-shop-app" {
		t.Errorf("workloads %s, want the Job of the pod shop_app", got)
	}
	plan, _, _ := renderProject(t, "services:\n  import:\n    image: app\n    restart: \"no\"\n  web:\n    image: nginx\n", "")
	if w := strings.Join(plan.Warnings, "\n"); !strings.Contains(w, `service import: restart: "no" runs it once, but it shares pod shop_app with services that stay up`) {
		t.Errorf("warnings:\n%s\nwant one naming import", w)
	}
}
