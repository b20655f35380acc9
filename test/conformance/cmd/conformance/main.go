// Command conformance compares a compose project under the real docker
// compose and under kubectl stack on a kind cluster, every service's image
// replaced by the conformance probe, and prints one line per behaviour,
// "<class> <service> <behaviour>", then the tally. Run it through
// `make conformance PROJECT=DIR` (hack/conformance.sh), which builds what
// it needs.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"time"

	"github.com/kubectl-stack/kubectl-stack/test/conformance"
)

func main() {
	project := flag.String("project", "", "the compose project's directory")
	compose := flag.String("compose", "", "the docker compose binary (hack/docker-compose.sh)")
	stack := flag.String("kubectl-stack", "kubectl-stack", "the kubectl-stack binary")
	cluster := flag.String("cluster", "conformance", "the kind cluster to deploy to (created when missing, kept afterwards)")
	nodeImage := flag.String("node-image", "", "the kind node image to create the cluster from")
	var deployFlags []string
	flag.Func("deploy-flag", "a flag to add to kubectl stack deploy (repeatable), such as --min-ready=0", func(s string) error {
		deployFlags = append(deployFlags, s)
		return nil
	})
	settle := flag.Duration("settle", 12*time.Second, "how long both sides run once ready before their reports are read")
	flag.Parse()
	if *project == "" || *compose == "" {
		fmt.Fprintln(os.Stderr, "usage: conformance -project DIR -compose BINARY [-kubectl-stack BINARY] [-cluster NAME] [-node-image IMAGE]")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, *project, *compose, *stack, *cluster, *nodeImage, *settle, deployFlags); err != nil {
		fmt.Fprintln(os.Stderr, "conformance:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, project, compose, stack, cluster, nodeImage string, settle time.Duration, deployFlags []string) error {
	work, err := os.MkdirTemp("", "conformance-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	p, err := conformance.Prepare(ctx, project, filepath.Join(work, filepath.Base(filepath.Clean(project))))
	if err != nil {
		return err
	}
	mountRoot := filepath.Join(os.TempDir(), "kubectl-stack-conformance-"+cluster)
	r := &conformance.Runner{
		Compose: compose, KindCluster: cluster, MountRoot: mountRoot, NodeImage: nodeImage, Settle: settle, DeployFlags: deployFlags,
		Stack: func(ctx context.Context, args ...string) (string, string, error) {
			var out, errOut bytes.Buffer
			cmd := exec.CommandContext(ctx, stack, args...)
			cmd.Stdout, cmd.Stderr = &out, &errOut
			err := cmd.Run()
			return out.String(), errOut.String(), err
		},
		Logf: func(format string, args ...any) { fmt.Fprintf(os.Stderr, "conformance: "+format+"\n", args...) },
	}
	rows, times, err := r.Run(ctx, p)
	if err != nil {
		return err
	}
	r.Logf("time to ready: %s", times)
	for _, line := range conformance.Lines(rows) {
		fmt.Println(line)
	}
	return nil
}
