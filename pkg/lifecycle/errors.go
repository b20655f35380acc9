package lifecycle

import (
	"cmp"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/kubectl-stack/kubectl-stack/pkg/apply"
	"github.com/kubectl-stack/kubectl-stack/pkg/deployment"
)

// The errors below are the ones a CLI completes with the flag or verb
// that fixes them; their messages say what is wrong and what fixes it in
// terms of the deployment (its files and spec keys).

// NotKindError refuses a kind operation for a deployment not on kind.
type NotKindError struct {
	Dir      string
	DeployTo string
}

func (e *NotKindError) Error() string {
	return fmt.Sprintf("%s deploys to %s (deploy-to in its spec.yml); the kind verbs are for deploy-to: k8s-kind", e.Dir, e.DeployTo)
}

// KindNotRunningError is a kind cluster that must run and does not.
type KindNotRunningError struct {
	Cluster string
	Dir     string
}

func (e *KindNotRunningError) Error() string {
	return fmt.Sprintf("kind cluster %s is not running", e.Cluster)
}

// OtherClusterError refuses to create a second kind cluster on a host:
// deployments on a host share one (its ports 80 and 443 can be bound once).
type OtherClusterError struct {
	Running []string
	Cluster string
	Dir     string
	// SpecNamesCluster is true when the spec's kind-cluster-name chose
	// the cluster (the fix is there, not in deployment.yml).
	SpecNamesCluster bool
}

func (e *OtherClusterError) Error() string {
	where := fmt.Sprintf("set cluster-id: %s in %s", e.Running[0], filepath.Join(e.Dir, deployment.DeploymentFile))
	if e.SpecNamesCluster {
		where = fmt.Sprintf("set kind-cluster-name: %s in the spec (then re-sync the deployment)", e.Running[0])
	}
	return fmt.Sprintf("kind cluster %s is running, but this deployment joins kind cluster %q. Deployments on one host share one kind cluster (its ports 80 and 443 can be bound once). Fix: %s to join it, or delete the running cluster first",
		strings.Join(e.Running, ", "), e.Cluster, where)
}

// DeleteRefusedError refuses to delete a kind cluster that other
// deployments use or whose volumes keep data only inside the node.
type DeleteRefusedError struct {
	Cluster string
	// Others are the other deployments living in the cluster, when they
	// were not accepted.
	Others []string
	// NodeLocal are the volumes whose data would be lost, when that loss
	// was not accepted.
	NodeLocal []apply.Volume
}

func (e *DeleteRefusedError) Error() string {
	var parts []string
	if len(e.Others) > 0 {
		parts = append(parts, "other deployments live in it and would break:\n  "+strings.Join(e.Others, "\n  "))
	}
	if len(e.NodeLocal) > 0 {
		parts = append(parts, "these volumes keep their data only inside the node container and would lose it (back them up first; the migration plan shows how):\n  "+volumeList(e.NodeLocal))
	}
	return fmt.Sprintf("not deleting kind cluster %s: %s", e.Cluster, strings.Join(parts, "\n"))
}

func volumeList(vols []apply.Volume) string {
	lines := make([]string, len(vols))
	for i, v := range vols {
		lines[i] = fmt.Sprintf("%s (claim %s, node path %s)", v.Name, cmp.Or(v.Claim, "-"), cmp.Or(v.NodePath, "-"))
	}
	return strings.Join(lines, "\n  ")
}

// NotPushedError refuses, for deploy-to: k8s, an image the stack builds
// that its registry lacks: the nodes could never pull it.
type NotPushedError struct {
	Image   string
	Service string
	Dir     string
}

func (e *NotPushedError) Error() string {
	return fmt.Sprintf("image %s (built for service %s) is not in its registry, so the cluster could not pull it", e.Image, e.Service)
}

// BuildError is a failed image build.
type BuildError struct {
	Service string
	Dir     string
	Err     error
}

func (e *BuildError) Error() string { return e.Err.Error() }
func (e *BuildError) Unwrap() error { return e.Err }

// StackSourceMissingError is a restart whose stack checkout is gone.
type StackSourceMissingError struct {
	Path string
	// Asked is true when the path was given explicitly, false when it
	// came from the deployment record.
	Asked bool
	Dir   string
}

func (e *StackSourceMissingError) Error() string {
	if e.Asked {
		return fmt.Sprintf("the stack checkout %s does not exist", e.Path)
	}
	return fmt.Sprintf("the stack source %s (stack-source in %s) does not exist: restore the checkout there", e.Path, filepath.Join(e.Dir, deployment.DeploymentFile))
}

// StopInterruptedError is a stop cut short by its context (Ctrl-C) while
// deleting or waiting: some objects may be gone and others not yet; the
// kind cluster, if any, was not deleted.
type StopInterruptedError struct {
	Dir string
	Err error
}

func (e *StopInterruptedError) Error() string {
	return fmt.Sprintf("stopping %s: interrupted while deleting its objects: some may still be there, and the inventory still lists them", e.Dir)
}

func (e *StopInterruptedError) Unwrap() error { return e.Err }

// InterruptedError is a deploy stopped by its context (Ctrl-C) between two
// steps: the steps in Done finished, Next and those after it did not run.
// (An interrupt inside the apply or the wait is apply's InterruptedError.)
type InterruptedError struct {
	Dir  string
	Done []string
	Next string
}

func (e *InterruptedError) Error() string {
	done := "none"
	if len(e.Done) > 0 {
		done = strings.Join(e.Done, ", ")
	}
	return fmt.Sprintf("deploying %s: interrupted before the %s step (steps done: %s); nothing of the deployment was applied by this run", e.Dir, e.Next, done)
}
