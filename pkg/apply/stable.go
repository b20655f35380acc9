package apply

import (
	"bufio"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/fluxcd/cli-utils/pkg/object"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// DefaultMinReady is how long a Deployment's pods must have been Ready,
// without a container restarting, before deploy calls them ready, unless
// the request says otherwise (WaitOptions.MinReady, as a Deployment's
// minReadySeconds). kstatus calls a Deployment Current as soon as its pods
// are Ready once, so a container that exits after two seconds, or crashes
// just after its first good readiness probe, was reported "ready" while
// it crash-looped. Five seconds leave the kubelet time to report a crash
// two seconds after a start (its status reaches the API server a second
// or two late).
const DefaultMinReady = 5 * time.Second

// pollEvery is how often the waits read what they wait for: often enough
// that a pod's start is seen within a fraction of the second or two it
// takes, as docker compose sees a container's, and a few small GETs and
// LISTs of one namespace a second at most.
const pollEvery = 250 * time.Millisecond

// logTail is how many log lines of a failing container a wait's error
// quotes.
const logTail = 5

// waitStable waits, until deadline, for the pods of the set's Deployments
// to have been Ready for minReady (since their last restart). When the
// deadline passes it names each pod that is not, with its containers'
// last states, exit codes and the tail of their logs.
func (a *Applier) waitStable(ctx context.Context, set object.ObjMetadataSet, deadline time.Time, minReady time.Duration) error {
	ns, names := deploymentsOf(set)
	if len(names) == 0 {
		return nil
	}
	for {
		unstable, err := a.unstablePods(ctx, ns, names, time.Now().Add(-minReady))
		if err != nil {
			return err
		}
		if len(unstable) == 0 {
			return nil
		}
		if !time.Now().Before(deadline) {
			return fmt.Errorf("pods are not stably ready (Ready for %s without a restart): %s", minReady, a.describePods(ctx, unstable))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(pollEvery):
		}
	}
}

// deploymentsOf returns the namespace and names of the set's Deployments.
func deploymentsOf(set object.ObjMetadataSet) (string, []string) {
	var ns string
	var names []string
	for _, m := range set {
		if m.GroupKind.Kind == "Deployment" && m.GroupKind.Group == "apps" {
			ns, names = m.Namespace, append(names, m.Name)
		}
	}
	return ns, names
}

// unstablePods lists the pods of the named Deployments that have not been
// Ready since before readyBy, and every pod when a Deployment has fewer
// such pods than replicas.
func (a *Applier) unstablePods(ctx context.Context, ns string, names []string, readyBy time.Time) ([]corev1.Pod, error) {
	var deps appsv1.DeploymentList
	var pods corev1.PodList
	for _, l := range []client.ObjectList{&deps, &pods} {
		if err := a.client.List(ctx, l, client.InNamespace(ns)); err != nil {
			return nil, fmt.Errorf("checking that the pods stay ready: %w", err)
		}
	}
	var out []corev1.Pod
	for _, d := range deps.Items {
		if !slices.Contains(names, d.Name) {
			continue
		}
		sel, err := metav1.LabelSelectorAsSelector(d.Spec.Selector)
		if err != nil {
			continue
		}
		out = append(out, unstableOf(d, pods.Items, sel, readyBy)...)
	}
	return out, nil
}

// unstableOf returns d's pods that have not been Ready since readyBy, when
// d has fewer such pods than its replicas.
func unstableOf(d appsv1.Deployment, pods []corev1.Pod, sel labels.Selector, readyBy time.Time) []corev1.Pod {
	want := wantReplicas(d)
	var stable int32
	var unstable []corev1.Pod
	for _, p := range pods {
		if p.DeletionTimestamp != nil || !sel.Matches(labels.Set(p.Labels)) {
			continue
		}
		if readyAt, ok := readySince(p); ok && !readyAt.After(readyBy) {
			stable++
		} else {
			unstable = append(unstable, p)
		}
	}
	if stable >= want {
		return nil
	}
	return unstable
}

// readySince is when the pod last turned Ready (false when it is not):
// the Ready condition turns false when a container stops, so its time is
// also the last restart's.
func readySince(p corev1.Pod) (time.Time, bool) {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.LastTransitionTime.Time, c.Status == corev1.ConditionTrue
		}
	}
	return time.Time{}, false
}

// describePods says, for each pod, why it is not stably ready: each
// container's state, its last termination and the tail of its log.
func (a *Applier) describePods(ctx context.Context, pods []corev1.Pod) string {
	var out []string
	for _, p := range pods {
		for _, s := range p.Status.ContainerStatuses {
			if line := a.describeContainer(ctx, p, s); line != "" {
				out = append(out, line)
			}
		}
		if len(p.Status.ContainerStatuses) == 0 {
			out = append(out, fmt.Sprintf("pod %s: %s", p.Name, p.Status.Phase))
		}
	}
	return strings.Join(out, "; ")
}

// describeContainer is one container's account ("" when it has run
// without trouble): its state, the last exit, restarts, and its log.
func (a *Applier) describeContainer(ctx context.Context, p corev1.Pod, s corev1.ContainerStatus) string {
	var parts []string
	switch st := s.State; {
	case st.Waiting != nil:
		parts = append(parts, "waiting: "+strings.TrimSpace(st.Waiting.Reason+" "+firstLine(st.Waiting.Message)))
	case st.Terminated != nil:
		parts = append(parts, fmt.Sprintf("exited with code %d (%s)", st.Terminated.ExitCode, st.Terminated.Reason))
	case st.Running != nil && !s.Ready:
		parts = append(parts, "running, not ready")
	}
	if last := s.LastTerminationState.Terminated; last != nil {
		parts = append(parts, fmt.Sprintf("last exit code %d (%s) at %s", last.ExitCode, last.Reason, last.FinishedAt.UTC().Format(time.TimeOnly)))
	}
	if s.RestartCount > 0 {
		parts = append(parts, fmt.Sprintf("restarted %d times", s.RestartCount))
	}
	if len(parts) == 0 {
		parts = append(parts, "ready only since a moment")
	}
	line := fmt.Sprintf("pod %s container %s: %s", p.Name, s.Name, strings.Join(parts, ", "))
	if tail := a.logTail(ctx, p, s); tail != "" {
		line += "; its last log lines: " + tail
	}
	return line
}

// logTail is the end of a container's log, of the instance that stopped
// when it has restarted; "" when there is none to read.
func (a *Applier) logTail(ctx context.Context, p corev1.Pod, s corev1.ContainerStatus) string {
	if a.core == nil || (s.State.Running == nil && s.LastTerminationState.Terminated == nil && s.State.Terminated == nil) {
		return ""
	}
	lines := int64(logTail)
	opts := &corev1.PodLogOptions{Container: s.Name, TailLines: &lines, Previous: s.State.Running != nil && s.LastTerminationState.Terminated != nil}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	stream, err := a.core.Pods(p.Namespace).GetLogs(p.Name, opts).Stream(ctx)
	if err != nil {
		return ""
	}
	defer stream.Close()
	var out []string
	sc := bufio.NewScanner(stream)
	for sc.Scan() {
		out = append(out, strings.TrimSpace(sc.Text()))
	}
	return strings.Join(out, " | ")
}

func firstLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}

// withPodReasons adds to a failed wait's error why the set's Deployments'
// pods are not ready: their containers' states, exits and logs.
func (a *Applier) withPodReasons(ctx context.Context, set object.ObjMetadataSet, err error) error {
	ns, names := deploymentsOf(set)
	if len(names) == 0 {
		return err
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	pods, listErr := a.unstablePods(ctx, ns, names, time.Now())
	if listErr != nil || len(pods) == 0 {
		return err
	}
	return fmt.Errorf("%w; %s", err, a.describePods(ctx, pods))
}
