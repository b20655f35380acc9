package cmd

import (
	"context"
	"fmt"
	"io"
	"os"
)

// InterruptExitCode is the exit code after a second interrupt (128+SIGINT).
const InterruptExitCode = 130

// WithInterrupts returns a context cancelled by the first signal on sigs:
// every long step (kind create, image loads, applies, waits, deletes)
// honours it and the verb says what was left half-done and what resumes
// it. A second signal calls exit at once, for a step that does not stop.
// stop ends the watch.
func WithInterrupts(ctx context.Context, sigs <-chan os.Signal, errOut io.Writer, exit func(int)) (context.Context, func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		select {
		case <-sigs:
		case <-done:
			return
		}
		fmt.Fprintln(errOut, "interrupted: stopping (interrupt again to exit at once)")
		cancel()
		select {
		case <-sigs:
			fmt.Fprintln(errOut, "interrupted again: exiting")
			exit(InterruptExitCode)
		case <-done:
		}
	}()
	return ctx, func() { close(done); cancel() }
}
