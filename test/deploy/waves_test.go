package deploy

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
	"github.com/kubectl-stack/kubectl-stack/test/cluster"
)

// TestDependsOnDeploysInWaves: a database, a migration that waits for it
// to be healthy, and a web service that waits for the migration to
// complete are applied in that order (each wave once the one before meets
// its condition); a database that never becomes ready stops deploy with
// the reason, and nothing of the waves after it is applied.
func TestDependsOnDeploysInWaves(t *testing.T) {
	c := cluster.Shared(t)
	ctx := context.Background()
	compose := func(dbResources string) string {
		return `services:
  db:
    image: postgres
    healthcheck:
      test: ["CMD", "pg_isready"]` + dbResources + `
  migrate:
    image: app
    command: ["migrate"]
    depends_on:
      db:
        condition: service_healthy
  web:
    image: app
    expose: ["80"]
    depends_on:
      db:
        condition: service_healthy
      migrate:
        condition: service_completed_successfully
`
	}
	root := t.TempDir()
	project := filepath.Join(root, "waves_app")
	testutil.WriteFile(t, project, "compose.yaml", compose(""))
	ns := fmt.Sprintf("waves-%d", nameSeq.Add(1))
	dir, errOut, err := initAndCreate(t, project, ns)
	if err != nil {
		t.Fatalf("create: %v\n%s", err, errOut)
	}
	_, errOut = deploy(t, dir)
	id := deploymentID(t, dir)
	for _, want := range []string{
		"waiting for Deployment/" + id + "-db-deployment to be ready before applying Job/" + id + "-job-migrate",
		"waiting for Deployment/" + id + "-db-deployment to be ready, Job/" + id + "-job-migrate to be completed before applying Deployment/" + id + "-web-deployment",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("deploy said:\n%s\nwant %q", errOut, want)
		}
	}
	job, err := c.Client.BatchV1().Jobs(ns).Get(ctx, id+"-job-migrate", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	web, err := c.Client.AppsV1().Deployments(ns).Get(ctx, id+"-web-deployment", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if job.Status.CompletionTime == nil || web.CreationTimestamp.Before(job.Status.CompletionTime) {
		t.Errorf("web was created at %s, before the migration completed (%v)", web.CreationTimestamp, job.Status.CompletionTime)
	}

	// A database that never becomes ready (it cannot be scheduled) holds
	// back the migration and web: a fresh namespace, so nothing is left
	// from the first deploy.
	project2 := filepath.Join(t.TempDir(), "waves_app")
	testutil.WriteFile(t, project2, "compose.yaml", compose("\n    deploy:\n      resources:\n        reservations:\n          cpus: \"500\""))
	ns2 := fmt.Sprintf("waves-broken-%d", nameSeq.Add(1))
	dir2, errOut, err := initAndCreate(t, project2, ns2)
	if err != nil {
		t.Fatalf("create: %v\n%s", err, errOut)
	}
	_, _, err = run(t, "deploy", "-d", dir2, "--timeout", "10s")
	id2 := deploymentID(t, dir2)
	if err == nil || !strings.Contains(err.Error(), "waiting for Deployment/"+id2+"-db-deployment to be ready (depends_on): not so after 10s") ||
		!strings.Contains(err.Error(), "Unschedulable") || !strings.Contains(err.Error(), "held back by it: Job/"+id2+"-job-migrate") {
		t.Fatalf("deploy with a database that never becomes ready = %v", err)
	}
	if deps := c.DeploymentNames(t, ns2); len(deps) != 1 || deps[0] != id2+"-db-deployment" {
		t.Errorf("Deployments in %s: %v, want the database's alone", ns2, deps)
	}
	if jobs, _ := c.Client.BatchV1().Jobs(ns2).List(ctx, metav1.ListOptions{}); len(jobs.Items) != 0 {
		t.Errorf("the migration Job was applied past the failed wave")
	}
}
