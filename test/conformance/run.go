package conformance

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/kubectl-stack/kubectl-stack/test/conformance/report"
)

// Runner runs prepared projects on both sides.
type Runner struct {
	// Compose is the docker compose binary (hack/docker-compose.sh).
	Compose string
	// Stack runs kubectl stack with args and returns its stdout, stderr
	// and error: in process in tests, the binary in `make conformance`.
	Stack func(ctx context.Context, args ...string) (string, string, error)
	// KindCluster is the kind cluster kubectl stack deploys to (created
	// by the first deploy when missing), with its kind-mount-root and the
	// node image to create it from ("" for kind's default).
	KindCluster, MountRoot, NodeImage string
	// Settle is how long both sides run after they are ready before their
	// reports are read, so that every service has seen its peers.
	Settle time.Duration
	// Logf reports progress.
	Logf func(format string, args ...any)
}

// Run runs p under docker compose, then under kubectl stack, and compares.
func (r *Runner) Run(ctx context.Context, p *Project) ([]Row, error) {
	composed, err := r.runCompose(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("docker compose: %w", err)
	}
	stacked, err := r.runStack(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("kubectl stack: %w", err)
	}
	return p.Compare(composed, stacked), nil
}

func (r *Runner) runCompose(ctx context.Context, p *Project) (map[string]report.Report, error) {
	project := "conformance-" + strings.ToLower(strings.ReplaceAll(p.Name, "_", "-"))
	base := []string{"-p", project}
	for _, f := range p.Files {
		base = append(base, "-f", f)
	}
	compose := func(args ...string) (string, error) {
		cmd := exec.CommandContext(ctx, r.Compose, append(base, args...)...)
		cmd.Dir = p.Dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			return string(out), fmt.Errorf("%s %s: %w\n%s", filepath.Base(r.Compose), strings.Join(args, " "), err, out)
		}
		return string(out), nil
	}
	defer func() { _, _ = compose("down", "-v", "--remove-orphans", "--timeout", "2") }()
	r.Logf("docker compose up %s", p.Name)
	start := time.Now()
	if _, err := compose("up", "-d", "--wait", "--wait-timeout", "180"); err != nil {
		return nil, err
	}
	r.Logf("docker compose: %s ready in %s", p.Name, time.Since(start).Round(100*time.Millisecond))
	time.Sleep(r.Settle)
	logs, err := compose("logs", "--no-color")
	if err != nil {
		return nil, err
	}
	return report.Parse(logs), nil
}

func (r *Runner) runStack(ctx context.Context, p *Project) (map[string]report.Report, error) {
	work := filepath.Join(p.Dir + ".stack")
	if err := os.MkdirAll(work, 0o755); err != nil {
		return nil, err
	}
	spec, dir := filepath.Join(work, "spec.yml"), filepath.Join(work, "deployment")
	args := []string{"init", "--deploy-to", "k8s-kind", "--output", spec}
	for _, f := range p.Files {
		args = append(args, "--stack", filepath.Join(p.Dir, f))
	}
	if err := r.stack(ctx, args...); err != nil {
		return nil, err
	}
	data, err := os.ReadFile(spec)
	if err != nil {
		return nil, err
	}
	extra := fmt.Sprintf("kind-cluster-name: %s\nkind-mount-root: %s\n", r.KindCluster, r.MountRoot)
	if err := os.WriteFile(spec, append(data, extra...), 0o644); err != nil {
		return nil, err
	}
	if err := r.stack(ctx, "create", "--spec-file", spec, "-d", dir); err != nil {
		return nil, err
	}
	defer func() { _ = r.stack(context.WithoutCancel(ctx), "stop", "-d", dir, "--delete-volumes") }()
	deploy := []string{"deploy", "-d", dir, "--timeout", "3m"}
	if r.NodeImage != "" {
		deploy = append(deploy, "--kind-node-image", r.NodeImage)
	}
	r.Logf("kubectl stack deploy %s", p.Name)
	start := time.Now()
	if err := r.stack(ctx, deploy...); err != nil {
		return nil, err
	}
	r.Logf("kubectl stack: %s ready in %s", p.Name, time.Since(start).Round(100*time.Millisecond))
	time.Sleep(r.Settle)
	logs, _, err := r.Stack(ctx, "logs", "-d", dir)
	if err != nil {
		return nil, fmt.Errorf("kubectl stack logs: %w", err)
	}
	return report.Parse(logs), nil
}

// stack runs kubectl stack and makes its stderr part of a failure.
func (r *Runner) stack(ctx context.Context, args ...string) error {
	_, errOut, err := r.Stack(ctx, args...)
	if err != nil {
		return fmt.Errorf("kubectl stack %s: %w\n%s", strings.Join(args, " "), err, errOut)
	}
	return nil
}
