package lifecycle

import (
	"context"
	"fmt"
	"slices"

	"github.com/kubectl-stack/kubectl-stack/pkg/apply"
)

// Diff compares the live objects with what a deploy of the prepared
// target would apply, pruning included (server-side dry runs; nothing is
// written). Secret values are masked.
func (l *Lifecycle) Diff(ctx context.Context, t *Target) ([]apply.Change, error) {
	c, err := l.Connect(t.Context)
	if err != nil {
		return nil, err
	}
	req := t.request()
	tls, err := l.routesCertificate(t)
	if err != nil {
		return nil, err
	}
	if tls != nil {
		req.Objects = append(slices.Clone(req.Objects), tls)
	}
	changes, err := c.Diff(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("comparing %s with the cluster: %w", t.Dir(), err)
	}
	return changes, nil
}

// Status reads every object of the deployment with its status, and its
// pods.
func (l *Lifecycle) Status(ctx context.Context, t *Target) (*apply.Status, error) {
	c, err := l.Connect(t.Context)
	if err != nil {
		return nil, err
	}
	d := t.Deployment
	st, err := c.Status(ctx, d.Namespace(), d.Record.DeploymentID)
	if err != nil {
		return nil, fmt.Errorf("reading the status of %s: %w", d.Dir, err)
	}
	return st, nil
}
