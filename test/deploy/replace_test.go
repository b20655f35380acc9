package deploy

import (
	"context"
	"errors"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
	"github.com/kubectl-stack/kubectl-stack/pkg/apply"
	"github.com/kubectl-stack/kubectl-stack/pkg/cmd"
	"github.com/kubectl-stack/kubectl-stack/pkg/deployment"
	"github.com/kubectl-stack/kubectl-stack/test/cluster"
)

// TestChangedJobIsReplaced: a Job's pod template is immutable, so a job
// whose command changed cannot be patched. diff shows it as replaced (its
// output is a golden file) and deploy replaces it: deletes it, waits for
// it and its pods to go, creates it again. An unchanged completed job is
// left alone by a redeploy.
func TestChangedJobIsReplaced(t *testing.T) {
	c := cluster.Shared(t)
	root, specPath, ns := stack(t)
	dir := create(t, specPath)
	deploy(t, dir)
	if _, errOut := deploy(t, dir); !strings.Contains(errOut, "nothing changed") {
		t.Errorf("a redeploy of an unchanged stack with a completed job changed something:\n%s", errOut)
	}
	rec, err := deployment.ReadRecord(dir)
	if err != nil {
		t.Fatal(err)
	}
	jobName := rec.DeploymentID + "-job-seed"
	before, err := c.Client.BatchV1().Jobs(ns).Get(context.Background(), jobName, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}

	seed := filepath.Join(root, "compose-jobs/docker-compose-seed.yml")
	testutil.WriteFile(t, filepath.Dir(seed), filepath.Base(seed), strings.Replace(testutil.ReadFile(t, seed), `"--start", "1"`, `"--start", "5"`, 1))
	if _, errOut, err := run(t, "create", "--spec-file", specPath, "-d", dir, "--update"); err != nil {
		t.Fatalf("create --update: %v\n%s", err, errOut)
	}
	out, errOut, err := run(t, "diff", "-d", dir)
	var exit *cmd.ExitError
	if !errors.As(err, &exit) || exit.Code != 1 {
		t.Fatalf("diff of a changed job = %v (want exit 1)\n%s", err, errOut)
	}
	uid := regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	golden := uid.ReplaceAllString(strings.NewReplacer(rec.DeploymentID, "<deployment-id>", ns, "<namespace>").Replace(out), "<uid>")
	testutil.AssertGolden(t, []byte(golden), "testdata/changed-job.diff")

	_, errOut = deploy(t, dir)
	if !strings.Contains(errOut, "Job/"+ns+"/"+jobName+" replaced") {
		t.Errorf("deploy did not report the job replaced:\n%s", errOut)
	}
	after, err := c.Client.BatchV1().Jobs(ns).Get(context.Background(), jobName, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if after.UID == before.UID || !strings.Contains(strings.Join(after.Spec.Template.Spec.Containers[0].Args, " ")+strings.Join(after.Spec.Template.Spec.Containers[0].Command, " "), "5") {
		t.Errorf("the job was not replaced with the new command: uid %s -> %s, %v %v", before.UID, after.UID, after.Spec.Template.Spec.Containers[0].Command, after.Spec.Template.Spec.Containers[0].Args)
	}
}

// TestImmutableVolumeChangeIsRefused: moving a volume's host path changes
// its PersistentVolume's source, which the API server keeps immutable;
// replacing the PV would cut its data off, so deploy and diff refuse with
// the reason and the PV keeps its path.
func TestImmutableVolumeChangeIsRefused(t *testing.T) {
	c := cluster.Shared(t)
	_, specPath, ns := stack(t)
	dir := create(t, specPath)
	deploy(t, dir, "--wait=false")
	spec := testutil.ReadFile(t, specPath)
	moved := strings.Replace(spec, "/var/lib/kubectl-stack-test/"+ns, "/var/lib/kubectl-stack-test/"+ns+"-moved", 1)
	if moved == spec {
		t.Fatal("the test spec has no counter host path to move")
	}
	testutil.WriteFile(t, filepath.Dir(specPath), filepath.Base(specPath), moved)
	if _, errOut, err := run(t, "create", "--spec-file", specPath, "-d", dir, "--update"); err != nil {
		t.Fatalf("create --update: %v\n%s", err, errOut)
	}
	t.Setenv("DEMO_REGISTRY_TOKEN", token)
	for _, verb := range []string{"diff", "deploy"} {
		_, _, err := run(t, verb, "-d", dir)
		var immutable *apply.ImmutableError
		if !errors.As(err, &immutable) || !strings.Contains(err.Error(), "would lose its data") || !strings.HasPrefix(immutable.Subject, "PersistentVolume/") {
			t.Errorf("%s after moving a volume's host path = %v, want the immutable-volume refusal", verb, err)
		}
	}
	pvs, err := c.Client.CoreV1().PersistentVolumes().List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, pv := range pvs.Items {
		if hp := pv.Spec.HostPath; hp != nil && strings.HasSuffix(hp.Path, ns+"-moved") {
			t.Errorf("PV %s was replaced with the moved path %s", pv.Name, hp.Path)
		}
	}
}
