package lifecycle

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-stack/kubectl-stack/pkg/apply"
	"github.com/kubectl-stack/kubectl-stack/pkg/k8sname"
)

// Diff compares the live objects with what a deploy of the prepared
// target would apply, pruning included (server-side dry runs; nothing is
// written). Secret values are masked.
func (l *Lifecycle) Diff(ctx context.Context, t *Target) ([]apply.Change, error) {
	c, err := l.Connect(t.Context)
	if err != nil {
		return nil, err
	}
	// The objects deploy makes at deploy time, so that diff compares
	// them too instead of showing them as pruned.
	extra, err := externalEndpoints(ctx, l, c, t)
	if err != nil {
		return nil, err
	}
	tls, err := l.routesCertificate(t)
	if err != nil {
		return nil, err
	}
	generated, err := generatedSecret(ctx, l, c, t, false)
	if err != nil {
		return nil, err
	}
	for _, o := range []*unstructured.Unstructured{tls, generated} {
		if o != nil {
			extra = append(extra, o)
		}
	}
	req := t.request()
	req.Objects = append(slices.Clone(req.Objects), extra...)
	changes, err := c.Diff(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("comparing %s with the cluster: %w", t.Dir(), err)
	}
	return changes, nil
}

// StatusResult is every object of a deployment with its status, its pods,
// and where it is reached from outside the cluster.
type StatusResult struct {
	*apply.Status
	Published *apply.Published `json:"published"`
}

// Status reads every object of the deployment with its status, its pods
// and its routes and published ports.
func (l *Lifecycle) Status(ctx context.Context, t *Target) (*StatusResult, error) {
	c, err := l.Connect(t.Context)
	if err != nil {
		return nil, err
	}
	d := t.Deployment
	st, err := c.Status(ctx, d.Namespace(), d.Record.DeploymentID)
	if err != nil {
		return nil, fmt.Errorf("reading the status of %s: %w", d.Dir, err)
	}
	pub, err := c.Published(ctx, d.Namespace(), d.Record.DeploymentID)
	if err != nil {
		return nil, fmt.Errorf("reading where %s is reached: %w", d.Dir, err)
	}
	return &StatusResult{Status: st, Published: pub}, nil
}

// Port is the address (host:port) at which a compose service's published
// port is reached from outside the cluster: laconic-so's deployment port.
func (l *Lifecycle) Port(ctx context.Context, t *Target, service string, port int32) (string, error) {
	c, err := l.Connect(t.Context)
	if err != nil {
		return "", err
	}
	d := t.Deployment
	pub, err := c.Published(ctx, d.Namespace(), d.Record.DeploymentID)
	if err != nil {
		return "", err
	}
	var all []string
	for _, p := range pub.NodePorts {
		if (p.Service == service || k8sname.Label(p.Service) == k8sname.Label(service)) && p.Port == port {
			if pub.NodeAddress == "" {
				return "", fmt.Errorf("the cluster's nodes report no address; %s %d is published on node port %d", service, port, p.NodePort)
			}
			return net.JoinHostPort(pub.NodeAddress, strconv.Itoa(int(p.NodePort))), nil
		}
		all = append(all, fmt.Sprintf("%s %d/%s", p.Service, p.Port, p.Protocol))
	}
	if len(all) == 0 {
		return "", fmt.Errorf("%s publishes no ports (is it deployed? ports come from compose ports: or the spec's network.ports)", d.Dir)
	}
	return "", fmt.Errorf("%s does not publish port %d of service %s; it publishes: %s", d.Dir, port, service, strings.Join(all, ", "))
}

// List finds every deployment on the cluster of a kubeconfig context ("" is
// the current one).
func (l *Lifecycle) List(ctx context.Context, kubeContext string) ([]apply.DeploymentSummary, error) {
	c, err := l.Connect(kubeContext)
	if err != nil {
		return nil, err
	}
	return c.List(ctx)
}
