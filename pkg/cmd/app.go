// Package cmd holds kubectl-stack's commands; it is the only package that
// imports cobra, pflag and cli-runtime.
package cmd

import (
	"context"
	"errors"
	"fmt"

	"k8s.io/cli-runtime/pkg/genericiooptions"
)

// Run executes the command line args and prints an error once, at the top.
func Run(ctx context.Context, args []string, streams genericiooptions.IOStreams) error {
	return RunAs(ctx, DefaultName, args, streams)
}

// RunAs is Run for the plugin invoked under another name (krew installs it
// as "kubectl compose-stack"): help and examples use that name.
func RunAs(ctx context.Context, name string, args []string, streams genericiooptions.IOStreams) error {
	root := NewCmdStack(streams)
	rename(root, name)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	var exit *ExitError
	if err != nil && (!errors.As(err, &exit) || exit.Err != nil) {
		fmt.Fprintf(streams.ErrOut, "error: %v\n", err)
	}
	return err
}

// ExitError sets the process exit code. Without Err it is a result, not a
// failure, and prints nothing (diff's "there are differences").
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err != nil {
		return e.Err.Error()
	}
	return fmt.Sprintf("exit status %d", e.Code)
}

func (e *ExitError) Unwrap() error { return e.Err }

// ExitCode is the process exit code for an error from Run: 0 for nil, the
// code of an ExitError, 1 otherwise.
func ExitCode(err error) int {
	var exit *ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit):
		return exit.Code
	}
	return 1
}
