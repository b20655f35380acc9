package apply

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/fluxcd/cli-utils/pkg/object"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// reportProgress says, every few seconds while the wait goes on and
// whenever it changes, what the wait is still waiting for.
func (a *Applier) reportProgress(ctx context.Context, set object.ObjMetadataSet, done <-chan struct{}) {
	tick := time.NewTicker(2 * time.Second)
	defer tick.Stop()
	last := ""
	for {
		select {
		case <-done:
			return
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		if line := a.waitingFor(ctx, set); line != "" && line != last {
			a.progressf("%s", line)
			last = line
		}
	}
}

// waitingFor reads the set's namespace with one LIST per kind and names
// what is not ready yet ("" when it cannot tell).
func (a *Applier) waitingFor(ctx context.Context, set object.ObjMetadataSet) string {
	ns := ""
	for _, m := range set {
		if m.GroupKind.Kind == "Deployment" || m.GroupKind.Kind == "Job" {
			ns = m.Namespace
			break
		}
	}
	if ns == "" {
		return ""
	}
	var (
		deps appsv1.DeploymentList
		jobs batchv1.JobList
		pods corev1.PodList
	)
	for _, l := range []client.ObjectList{&deps, &jobs, &pods} {
		if a.client.List(ctx, l, client.InNamespace(ns)) != nil {
			return ""
		}
	}
	names := make(map[string]bool, len(set))
	for _, m := range set {
		names[m.GroupKind.Kind+"/"+m.Name] = true
	}
	inSet := func(kind, name string) bool { return names[kind+"/"+name] }
	return describeWaiting(deps.Items, jobs.Items, pods.Items, inSet)
}

// maxPendingPods is how many pending pods a progress line names.
const maxPendingPods = 3

// describeWaiting is the progress line of a wait: the Deployments short of
// their ready replicas and the Jobs not complete (those inSet accepts),
// then why pods are Pending.
func describeWaiting(deps []appsv1.Deployment, jobs []batchv1.Job, pods []corev1.Pod, inSet func(kind, name string) bool) string {
	var objects []string
	for _, d := range deps {
		want := wantReplicas(d)
		if inSet("Deployment", d.Name) && (d.Status.ReadyReplicas < want || d.Status.UpdatedReplicas < want) {
			objects = append(objects, fmt.Sprintf("deployment/%s (%d/%d ready)", d.Name, d.Status.ReadyReplicas, want))
		}
	}
	for _, j := range jobs {
		if inSet("Job", j.Name) && finishedCondition(j) == nil {
			objects = append(objects, fmt.Sprintf("job/%s (%d active, %d failed)", j.Name, j.Status.Active, j.Status.Failed))
		}
	}
	if len(objects) == 0 {
		return ""
	}
	slices.Sort(objects)
	line := "waiting for " + strings.Join(objects, ", ")
	var pending []string
	for _, p := range pods {
		if why := PendingReason(p); why != "" {
			pending = append(pending, "pod "+p.Name+": "+why)
		}
	}
	slices.Sort(pending)
	if len(pending) > maxPendingPods {
		pending = append(pending[:maxPendingPods], fmt.Sprintf("%d more pending pods", len(pending)-maxPendingPods))
	}
	if len(pending) > 0 {
		line += "; " + strings.Join(pending, "; ")
	}
	return line
}

// finishedCondition is a Job's true Complete or Failed condition, nil
// while it runs.
func finishedCondition(j batchv1.Job) *batchv1.JobCondition {
	for i, c := range j.Status.Conditions {
		if (c.Type == batchv1.JobComplete || c.Type == batchv1.JobFailed) && c.Status == corev1.ConditionTrue {
			return &j.Status.Conditions[i]
		}
	}
	return nil
}
