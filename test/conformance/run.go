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
	// when missing and kept: its owner deletes it), with its
	// kind-mount-root and the node image to create it from ("" for kind's
	// default).
	KindCluster, MountRoot, NodeImage string
	// DeployFlags are added to kubectl stack deploy (the benchmark runs
	// with --min-ready=0 too).
	DeployFlags []string
	// Settle is how long both sides run after they are ready before their
	// reports are read, so that every service has seen its peers.
	Settle time.Duration
	// Logf reports progress.
	Logf func(format string, args ...any)
}

// Timings are how long each side took to bring a project up: the first
// run from nothing (docker compose up -d --wait; kubectl stack deploy onto
// the running kind cluster), then a second run with nothing changed.
type Timings struct {
	ComposeFirst, ComposeSecond, StackFirst, StackSecond time.Duration
}

// Ratios are kubectl stack's times over docker compose's, first and second.
func (t Timings) Ratios() (first, second float64) {
	return t.StackFirst.Seconds() / t.ComposeFirst.Seconds(), t.StackSecond.Seconds() / t.ComposeSecond.Seconds()
}

// String is one line for logs and the benchmark.
func (t Timings) String() string {
	first, second := t.Ratios()
	r := func(d time.Duration) time.Duration { return d.Round(100 * time.Millisecond) }
	return fmt.Sprintf("first: docker compose %s, kubectl stack %s (%.1f×); second: docker compose %s, kubectl stack %s (%.1f×)",
		r(t.ComposeFirst), r(t.StackFirst), first, r(t.ComposeSecond), r(t.StackSecond), second)
}

// Run runs p under docker compose, then under kubectl stack, and compares.
func (r *Runner) Run(ctx context.Context, p *Project) ([]Row, Timings, error) {
	var times Timings
	composed, err := r.runCompose(ctx, p, &times)
	if err != nil {
		return nil, times, fmt.Errorf("docker compose: %w", err)
	}
	stacked, err := r.runStack(ctx, p, &times)
	if err != nil {
		return nil, times, fmt.Errorf("kubectl stack: %w", err)
	}
	return p.Compare(composed, stacked), times, nil
}

// upTwice brings a side up from nothing, reads the reports of its
// containers once they settled, then brings it up again with nothing
// changed, as a user who reruns it: what the first run's containers saw
// is compared (a second docker compose up starts a one-shot service
// again), and both runs are timed.
func (r *Runner) upTwice(side, name string, first, second *time.Duration, up func() error, logs func() (string, error)) (map[string]report.Report, error) {
	if err := r.timedUp(side, name, 1, first, up); err != nil {
		return nil, err
	}
	time.Sleep(r.Settle)
	text, err := logs()
	if err != nil {
		return nil, err
	}
	if err := r.timedUp(side, name, 2, second, up); err != nil {
		return nil, err
	}
	return report.Parse(text), nil
}

func (r *Runner) timedUp(side, name string, run int, d *time.Duration, up func() error) error {
	start := time.Now()
	if err := up(); err != nil {
		return err
	}
	*d = time.Since(start)
	r.Logf("%s: %s ready in %s (run %d)", side, name, d.Round(100*time.Millisecond), run)
	return nil
}

func (r *Runner) runCompose(ctx context.Context, p *Project, times *Timings) (map[string]report.Report, error) {
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
	return r.upTwice("docker compose", p.Name, &times.ComposeFirst, &times.ComposeSecond, func() error {
		_, err := compose("up", "-d", "--wait", "--wait-timeout", "180")
		return err
	}, func() (string, error) { return compose("logs", "--no-color") })
}

func (r *Runner) runStack(ctx context.Context, p *Project, times *Timings) (map[string]report.Report, error) {
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
	// The cluster is made (or its mounts checked) apart from the timed
	// deploys and kept by stop, as a developer's cluster is: docker
	// compose's engine is running too.
	kind := []string{"kind", "create", "-d", dir}
	if r.NodeImage != "" {
		kind = append(kind, "--image", r.NodeImage)
	}
	if err := r.stack(ctx, kind...); err != nil {
		return nil, err
	}
	defer func() {
		if err := r.stack(context.WithoutCancel(ctx), "stop", "-d", dir, "--delete-volumes", "--delete-namespace", "--skip-cluster-management"); err != nil {
			r.Logf("%v", err)
		}
	}()
	r.Logf("kubectl stack deploy %s", p.Name)
	return r.upTwice("kubectl stack", p.Name, &times.StackFirst, &times.StackSecond, func() error {
		return r.stack(ctx, append([]string{"deploy", "-d", dir, "--timeout", "3m", "--skip-cluster-management"}, r.DeployFlags...)...)
	}, func() (string, error) {
		logs, _, err := r.Stack(ctx, "logs", "-d", dir)
		if err != nil {
			return "", fmt.Errorf("kubectl stack logs: %w", err)
		}
		return logs, nil
	})
}

// stack runs kubectl stack and makes its stderr part of a failure.
func (r *Runner) stack(ctx context.Context, args ...string) error {
	_, errOut, err := r.Stack(ctx, args...)
	if err != nil {
		return fmt.Errorf("kubectl stack %s: %w\n%s", strings.Join(args, " "), err, errOut)
	}
	return nil
}
