package podio

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/httpstream"
	"k8s.io/client-go/kubernetes/scheme"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/remotecommand"
	utilexec "k8s.io/client-go/util/exec"
)

// ExecOptions describe one command in a container.
type ExecOptions struct {
	Command []string
	// Stdin is nil unless the caller asked for it (-i).
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	TTY            bool
	// Resize delivers terminal sizes when TTY is set; may be nil.
	Resize remotecommand.TerminalSizeQueue
}

// ExitError is a command that ran and exited non-zero.
type ExitError struct{ Code int }

func (e *ExitError) Error() string { return fmt.Sprintf("command exited with status %d", e.Code) }

// PickPod chooses the pod to exec in: the first Running pod (by name) that
// has the service's container running.
func PickPod(pods []corev1.Pod, service string) (*corev1.Pod, error) {
	for i := range pods {
		p := &pods[i]
		if p.Status.Phase != corev1.PodRunning || p.DeletionTimestamp != nil {
			continue
		}
		for _, s := range p.Status.ContainerStatuses {
			if s.Name == service && s.State.Running != nil {
				return p, nil
			}
		}
	}
	return nil, fmt.Errorf("no pod of the deployment has a running %s container (kubectl stack ps shows the pods)", service)
}

// Exec runs a command in a container through the API server, over
// WebSockets with a fallback to SPDY for older servers, as kubectl does.
// A command that exits non-zero returns an *ExitError with its code.
func Exec(ctx context.Context, cfg *rest.Config, cs corev1client.CoreV1Interface, pod *corev1.Pod, container string, o ExecOptions) error {
	req := cs.RESTClient().Post().Resource("pods").Namespace(pod.Namespace).Name(pod.Name).SubResource("exec").
		VersionedParams(&corev1.PodExecOptions{
			Container: container, Command: o.Command,
			Stdin: o.Stdin != nil, Stdout: o.Stdout != nil, Stderr: o.Stderr != nil && !o.TTY, TTY: o.TTY,
		}, scheme.ParameterCodec)
	exec, err := executor(cfg, req.URL().String())
	if err != nil {
		return fmt.Errorf("exec in %s/%s: %w", pod.Name, container, err)
	}
	streams := remotecommand.StreamOptions{Stdin: o.Stdin, Stdout: o.Stdout, Tty: o.TTY, TerminalSizeQueue: o.Resize}
	if !o.TTY {
		streams.Stderr = o.Stderr
	}
	err = exec.StreamWithContext(ctx, streams)
	var code utilexec.CodeExitError
	if errors.As(err, &code) {
		return &ExitError{Code: code.Code}
	}
	if err != nil {
		return fmt.Errorf("exec in %s/%s: %w", pod.Name, container, err)
	}
	return nil
}

func executor(cfg *rest.Config, rawURL string) (remotecommand.Executor, error) {
	u, err := http.NewRequest(http.MethodPost, rawURL, nil)
	if err != nil {
		return nil, err
	}
	spdy, err := remotecommand.NewSPDYExecutor(cfg, http.MethodPost, u.URL)
	if err != nil {
		return nil, err
	}
	ws, err := remotecommand.NewWebSocketExecutor(cfg, http.MethodGet, rawURL)
	if err != nil {
		return nil, err
	}
	return remotecommand.NewFallbackExecutor(ws, spdy, func(err error) bool {
		return httpstream.IsUpgradeFailure(err) || httpstream.IsHTTPSProxyError(err)
	})
}
