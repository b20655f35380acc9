// Command kubectl-stack is the kubectl plugin "kubectl stack" (installed by
// krew as "kubectl compose-stack").
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-stack/kubectl-stack/internal/startup"
	"github.com/kubectl-stack/kubectl-stack/pkg/cmd"
)

func main() {
	startup.Done()
	if exe, err := os.Executable(); err == nil {
		cmd.Executable = exe
	}
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	ctx, stop := cmd.WithInterrupts(context.Background(), sigs, os.Stderr, os.Exit)
	err := cmd.RunAs(ctx, cmd.DisplayName(os.Args[0]), os.Args[1:], genericiooptions.IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr})
	stop()
	os.Exit(cmd.ExitCode(err))
}
