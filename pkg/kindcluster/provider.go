package kindcluster

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"sigs.k8s.io/kind/pkg/apis/config/v1alpha4"
	kindcluster "sigs.k8s.io/kind/pkg/cluster"
	"sigs.k8s.io/kind/pkg/cluster/nodes"
	kindexec "sigs.k8s.io/kind/pkg/exec"

	"github.com/kubectl-stack/kubectl-stack/pkg/engine"
	"github.com/kubectl-stack/kubectl-stack/pkg/log"
)

// ClusterConfig is a kind cluster configuration (kind's v1alpha4 Cluster), named
// here so that other packages need not import kind.
type ClusterConfig = v1alpha4.Cluster

// Provider manages kind clusters with the node provider kind itself would
// pick (docker, podman or nerdctl). kind's own messages go to the logger
// given to NewProvider (stderr), never to stdout.
type Provider struct {
	p *kindcluster.Provider
}

// NewProvider returns a provider whose kind messages go to l.
func NewProvider(l *log.Logger) (*Provider, error) {
	opt, err := kindcluster.DetectNodeProvider()
	if err != nil {
		return nil, fmt.Errorf("finding a container engine for kind: %w (start Docker, or set KIND_EXPERIMENTAL_PROVIDER)", err)
	}
	return &Provider{p: kindcluster.NewProvider(opt, kindcluster.ProviderWithLogger(newLogger(l)))}, nil
}

// ListClusters returns the names of the kind clusters on this host, from
// one Docker Engine API call. kind's provider would first run the docker
// CLI to detect an engine (docker -v, docker ps), then again to list: that
// was 40 % of create. Without a Docker engine (podman, nerdctl, or
// KIND_EXPERIMENTAL_PROVIDER set), kind's provider answers.
func ListClusters() ([]string, error) {
	if os.Getenv("KIND_EXPERIMENTAL_PROVIDER") == "" {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if e, err := engine.Connect(ctx); err == nil {
			defer e.Close()
			return e.KindClusters(ctx)
		}
	}
	p, err := NewProvider(log.Discard())
	if err != nil {
		return nil, err
	}
	return p.List()
}

// List returns the names of the kind clusters on this host.
func (p *Provider) List() ([]string, error) {
	names, err := p.p.List()
	if err != nil {
		return nil, fmt.Errorf("listing kind clusters: %w", err)
	}
	slices.Sort(names)
	return names, nil
}

// Exists reports whether a kind cluster of that name has nodes.
func (p *Provider) Exists(name string) (bool, error) {
	names, err := p.List()
	return slices.Contains(names, name), err
}

// CreateOptions adjust a cluster creation.
type CreateOptions struct {
	// NodeImage overrides the node image of the config; "" keeps the
	// config's, or kind's default.
	NodeImage string
	// Kubeconfig is the file kind adds the cluster's context to; "" is
	// kind's default ($KUBECONFIG or ~/.kube/config).
	Kubeconfig string
	// Wait is how long to wait for the control plane to be Ready.
	Wait time.Duration
}

// Create creates a cluster from a kind config, after creating the host
// directories its mounts bind and checking that Docker can bind them with
// kind's propagation. On failure kind removes the half-created nodes again.
func (p *Provider) Create(name string, cfg *ClusterConfig, o CreateOptions) error {
	if err := PrepareMountSources(cfg); err != nil {
		return err
	}
	if err := CheckPropagation(cfg); err != nil {
		return fmt.Errorf("creating kind cluster %s: %w", name, err)
	}
	opts := []kindcluster.CreateOption{
		kindcluster.CreateWithV1Alpha4Config(cfg),
		kindcluster.CreateWithWaitForReady(o.Wait),
		kindcluster.CreateWithKubeconfigPath(o.Kubeconfig),
		kindcluster.CreateWithDisplayUsage(false),
		kindcluster.CreateWithDisplaySalutation(false),
	}
	if o.NodeImage != "" {
		opts = append(opts, kindcluster.CreateWithNodeImage(o.NodeImage))
	}
	if err := p.p.Create(name, opts...); err != nil {
		return fmt.Errorf("creating kind cluster %q: %w", name, withCommandOutput(err))
	}
	return nil
}

// Delete deletes a cluster and its kubeconfig context. Host directories
// bound into the nodes are not touched.
func (p *Provider) Delete(name, kubeconfig string) error {
	if err := p.p.Delete(name, kubeconfig); err != nil {
		return fmt.Errorf("deleting kind cluster %q: %w", name, withCommandOutput(err))
	}
	return nil
}

// Nodes returns a cluster's node containers.
func (p *Provider) Nodes(cluster string) ([]nodes.Node, error) {
	list, err := p.p.ListNodes(cluster)
	if err != nil {
		return nil, fmt.Errorf("listing the nodes of kind cluster %q: %w", cluster, err)
	}
	if len(list) == 0 {
		return nil, fmt.Errorf("kind cluster %q has no nodes (is it running? kubectl stack kind create -d DIR creates it)", cluster)
	}
	return list, nil
}

// ControlPlane returns the container name of a cluster's control-plane node.
func ControlPlane(cluster string) (string, error) {
	p, err := NewProvider(log.Discard())
	if err != nil {
		return "", err
	}
	return p.ControlPlane(cluster)
}

// ControlPlane returns the container name of a cluster's control-plane node.
func (p *Provider) ControlPlane(cluster string) (string, error) {
	list, err := p.Nodes(cluster)
	if err != nil {
		return "", err
	}
	for _, n := range list {
		if role, err := n.Role(); err == nil && role == "control-plane" {
			return n.String(), nil
		}
	}
	return "", fmt.Errorf("kind cluster %q has no control-plane node (is it running? kubectl stack kind create -d DIR creates it)", cluster)
}

// CommandError is a kind error caused by a command that failed (docker
// run, kubeadm init in the node, ...), with that command's output, which
// says why: kind's own CLI prints it, and so does kubectl stack.
type CommandError struct {
	Err    error
	Output string
}

func (e *CommandError) Error() string {
	return fmt.Sprintf("%v\ncommand output:\n%s", e.Err, strings.TrimRight(e.Output, "\n"))
}

func (e *CommandError) Unwrap() error { return e.Err }

// withCommandOutput attaches the output of the failed command inside a
// kind error, if there is one.
func withCommandOutput(err error) error {
	if run := kindexec.RunErrorForError(err); run != nil && len(run.Output) > 0 {
		return &CommandError{Err: err, Output: string(run.Output)}
	}
	return err
}
