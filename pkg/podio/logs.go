package podio

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
)

// LogOptions select which log lines to print.
type LogOptions struct {
	// Service restricts the logs to containers of that name.
	Service string
	Follow  bool
	// Tail is the number of last lines per container; negative means all.
	Tail int64
	// Since limits the logs to lines newer than this; 0 means all.
	Since time.Duration
}

// Logs writes the logs of every container of pods to w, each line prefixed
// with "[pod/container] ". Streams are read concurrently, so with Follow
// the lines of all containers interleave as they are written; a line is
// never split. Containers that have not started yet are skipped with a
// note to errOut.
func Logs(ctx context.Context, cs corev1client.CoreV1Interface, pods []corev1.Pod, o LogOptions, w, errOut io.Writer) error {
	out := &lineWriter{w: w}
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		failed []error
	)
	for _, p := range pods {
		for _, c := range containerNames(p) {
			if o.Service != "" && c != o.Service {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				err := streamLogs(ctx, cs, p, c, o, out)
				var notStarted *notStartedError
				mu.Lock()
				defer mu.Unlock()
				switch {
				case errors.As(err, &notStarted):
					fmt.Fprintf(errOut, "%v\n", err)
				case err != nil:
					failed = append(failed, err)
				}
			}()
		}
	}
	wg.Wait()
	return errors.Join(failed...)
}

type notStartedError struct{ pod, container, reason string }

func (e *notStartedError) Error() string {
	return fmt.Sprintf("[%s/%s] no logs: %s", e.pod, e.container, e.reason)
}

func streamLogs(ctx context.Context, cs corev1client.CoreV1Interface, p corev1.Pod, container string, o LogOptions, out *lineWriter) error {
	if reason := waitingReason(p, container); reason != "" {
		return &notStartedError{pod: p.Name, container: container, reason: reason}
	}
	opts := &corev1.PodLogOptions{Container: container, Follow: o.Follow}
	if o.Tail >= 0 {
		opts.TailLines = &o.Tail
	}
	if o.Since > 0 {
		secs := int64(o.Since.Round(time.Second) / time.Second)
		opts.SinceSeconds = &secs
	}
	stream, err := cs.Pods(p.Namespace).GetLogs(p.Name, opts).Stream(ctx)
	if err != nil {
		return fmt.Errorf("reading the logs of %s/%s: %w", p.Name, container, err)
	}
	defer stream.Close()
	prefix := fmt.Sprintf("[%s/%s] ", p.Name, container)
	sc := bufio.NewScanner(stream)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		out.line(prefix, sc.Bytes())
	}
	if err := sc.Err(); err != nil && ctx.Err() == nil {
		return fmt.Errorf("reading the logs of %s/%s: %w", p.Name, container, err)
	}
	return nil
}

// waitingReason says why a container has no logs yet ("" when it has).
func waitingReason(p corev1.Pod, container string) string {
	statuses := slices.Concat(p.Status.InitContainerStatuses, p.Status.ContainerStatuses)
	for _, s := range statuses {
		if s.Name != container {
			continue
		}
		if s.State.Waiting != nil && s.LastTerminationState.Terminated == nil {
			return "waiting: " + s.State.Waiting.Reason
		}
		return ""
	}
	return "not started (pod " + string(p.Status.Phase) + ")"
}

// lineWriter writes whole prefixed lines from many goroutines.
type lineWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lineWriter) line(prefix string, text []byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	buf := make([]byte, 0, len(prefix)+len(text)+1)
	buf = append(append(append(buf, prefix...), text...), '\n')
	_, _ = l.w.Write(buf)
}
