package podio

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"

	"github.com/kubectl-stack/kubectl-stack/pkg/labels"
)

// Follow streams the logs of a deployment's pods as Logs does with Follow,
// and keeps going when a rollout replaces them: a container that starts
// after Follow began (a new pod, a restarted container, an init container's
// successor) is streamed from its first line. Until ctx is cancelled it
// watches the pods (re-listing when the watch ends, as watches do), so it
// returns only on cancellation or when the pods cannot be listed at all.
func Follow(ctx context.Context, cs corev1client.CoreV1Interface, namespace, id string, o LogOptions, w, errOut io.Writer) error {
	f := &follower{cs: cs, opts: o, out: &lineWriter{w: w}, errOut: errOut, started: map[string]bool{}}
	defer f.wg.Wait()
	selector := labels.App + " in (" + strings.Join(labels.PodApps(id), ",") + ")"
	first := true
	for ctx.Err() == nil {
		list, err := cs.Pods(namespace).List(ctx, metav1.ListOptions{LabelSelector: selector})
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("listing the pods of %s in namespace %s to follow their logs: %w", id, namespace, err)
		}
		for i := range list.Items {
			f.streamStarted(ctx, &list.Items[i], first)
		}
		first = false
		watcher, err := cs.Pods(namespace).Watch(ctx, metav1.ListOptions{LabelSelector: selector, ResourceVersion: list.ResourceVersion})
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("watching the pods of %s in namespace %s: %w", id, namespace, err)
		}
		f.follow(ctx, watcher)
		select { // a watch the server closed: list again after a pause
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
	return nil
}

// follower remembers which container instances it streams, so that every
// instance is streamed once however often its pod is seen.
type follower struct {
	cs     corev1client.CoreV1Interface
	opts   LogOptions
	out    *lineWriter
	errOut io.Writer

	mu      sync.Mutex
	started map[string]bool
	wg      sync.WaitGroup
}

func (f *follower) follow(ctx context.Context, watcher watch.Interface) {
	defer watcher.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-watcher.ResultChan():
			if !ok {
				return
			}
			if p, isPod := ev.Object.(*corev1.Pod); isPod && (ev.Type == watch.Added || ev.Type == watch.Modified) {
				f.streamStarted(ctx, p, false)
			}
		}
	}
}

// streamStarted starts a stream for each container of p that has started
// and is not streamed yet. The pods present at the start are read with the
// user's --tail and --since; later instances from their first line.
func (f *follower) streamStarted(ctx context.Context, p *corev1.Pod, initial bool) {
	for _, c := range containerNames(*p) {
		if f.opts.Service != "" && c != f.opts.Service {
			continue
		}
		restarts, ok := startedInstance(*p, c)
		if !ok || !f.claim(fmt.Sprintf("%s/%s/%s/%d", p.Name, p.UID, c, restarts)) {
			continue
		}
		o := f.opts
		o.Follow = true
		if !initial {
			o.Tail, o.Since = -1, 0
			fmt.Fprintf(f.errOut, "[%s/%s] following (started after logs began)\n", p.Name, c)
		}
		pod := *p
		f.wg.Go(func() {
			if err := streamLogs(ctx, f.cs, pod, c, o, f.out); err != nil && ctx.Err() == nil {
				fmt.Fprintf(f.errOut, "%v\n", err)
			}
		})
	}
}

func (f *follower) claim(key string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.started[key] {
		return false
	}
	f.started[key] = true
	return true
}

// startedInstance reports whether container c of p runs or has run, and
// its restart count, which tells one instance of it from the next.
func startedInstance(p corev1.Pod, c string) (int32, bool) {
	for _, s := range slices.Concat(p.Status.InitContainerStatuses, p.Status.ContainerStatuses) {
		if s.Name == c {
			return s.RestartCount, s.State.Running != nil || s.State.Terminated != nil
		}
	}
	return 0, false
}
