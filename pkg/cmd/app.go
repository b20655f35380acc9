// Package cmd holds kubectl-stack's commands; it is the only package that
// imports cobra, pflag and cli-runtime.
package cmd

import (
	"context"
	"fmt"

	"k8s.io/cli-runtime/pkg/genericiooptions"
)

// Run executes the command line args and prints an error once, at the top.
func Run(ctx context.Context, args []string, streams genericiooptions.IOStreams) error {
	root := NewCmdStack(streams)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err != nil {
		fmt.Fprintf(streams.ErrOut, "error: %v\n", err)
	}
	return err
}
