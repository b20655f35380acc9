// Command local-cluster runs the local control plane in the foreground until
// it gets SIGINT or SIGTERM; hack/local-cluster.sh starts it in the
// background for people and for the demo.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/kubectl-stack/kubectl-stack/test/cluster"
)

func main() {
	dir := flag.String("dir", "", "Directory for the kubeconfig, logs and the ready marker (required).")
	nodes := flag.Int("nodes", 1, "Number of kwok nodes.")
	flag.Parse()
	if err := serve(*dir, *nodes); err != nil {
		fmt.Fprintf(os.Stderr, "error: %v\n", err)
		os.Exit(1)
	}
}

func serve(dir string, nodes int) error {
	if dir == "" {
		return fmt.Errorf("--dir is required")
	}
	binDir, err := cluster.BinDir()
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	c, err := cluster.Start(ctx, cluster.Options{BinDir: binDir, Nodes: nodes, WorkDir: dir, Log: os.Stderr})
	if err != nil {
		return err
	}
	ready := filepath.Join(dir, "ready")
	if err := os.WriteFile(ready, []byte(c.Kubeconfig+"\n"), 0o644); err != nil {
		_ = c.Stop()
		return err
	}
	<-ctx.Done()
	fmt.Fprintln(os.Stderr, "local cluster: stopping")
	_ = os.Remove(ready)
	return c.Stop()
}
