package apply

import (
	"context"
	"fmt"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// portReleaseWait is how long an apply refused for a fixed nodePort is
// retried. The API server releases a deleted Service's nodePort after the
// Service is gone from storage (its after-delete hook writes the port
// allocation back, retrying while concurrent releases conflict), so a
// deploy right after a stop or a prune can find its own port still held
// for a moment. A port another Service really holds stays refused.
const portReleaseWait = 5 * time.Second

// portRetryInterval spaces the retries: a release takes milliseconds.
const portRetryInterval = 100 * time.Millisecond

// errPortHeld is the API server's refusal of a nodePort in use
// (portallocator.ErrAllocated, inside a field.Invalid).
const errPortHeld = "provided port is already allocated"

// applyRetryingHeldPort runs apply, again while the only refusal is a
// Service's fixed nodePort still being held, for at most portReleaseWait.
func applyRetryingHeldPort(ctx context.Context, o *unstructured.Unstructured, apply func(context.Context) error) error {
	err := apply(ctx)
	for deadline := time.Now().Add(portReleaseWait); portHeld(o, err) && time.Now().Before(deadline); {
		select {
		case <-ctx.Done():
			return err
		case <-time.After(portRetryInterval):
		}
		err = apply(ctx)
	}
	if portHeld(o, err) && ctx.Err() == nil {
		return fmt.Errorf("%w\nA nodePort of %s is held by another Service (still after %s). Find it with 'kubectl get services -A | grep <port>', then stop what holds it, or publish this service on another host port in the deployment's spec.yml (network: ports:)", err, subject(o), portReleaseWait)
	}
	return err
}

func portHeld(o *unstructured.Unstructured, err error) bool {
	return err != nil && o.GetKind() == "Service" && o.GroupVersionKind().Group == "" &&
		apierrors.IsInvalid(err) && strings.Contains(err.Error(), errPortHeld)
}
