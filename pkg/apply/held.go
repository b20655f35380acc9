package apply

import (
	"context"
	"fmt"
	"sync"

	coordinationv1 "k8s.io/api/coordination/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// heldLease is the lock this Applier holds, and whether it was lost: a
// holder whose lease another command took (--break-lock) must stop before
// its next write, and must not delete the new holder's lease on release.
type heldLease struct {
	mu       sync.Mutex
	key      client.ObjectKey
	identity string
	lost     error
}

// LostLockError: another command took the deployment's lock while this one
// held it; this one stopped before its next write.
type LostLockError struct {
	Holder string
}

func (e *LostLockError) Error() string {
	return fmt.Sprintf("the deployment's lock was taken over by %s (with --break-lock) while this command held it; it stopped before its next write so that the two do not interleave: let that command finish, then run this one again", e.Holder)
}

func (h *heldLease) markLost(holder string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.lost == nil {
		h.lost = &LostLockError{Holder: holder}
	}
	return h.lost
}

func (h *heldLease) lostErr() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.lost
}

// checkHeld confirms, before a write, that the lock this Applier took is
// still its own: it reads the lease (one GET) and stops when someone else
// holds it now. Without a lock (none taken, or leases forbidden) there is
// nothing to check.
func (a *Applier) checkHeld(ctx context.Context) error {
	h := a.held
	if h == nil {
		return nil
	}
	if err := h.lostErr(); err != nil {
		return err
	}
	var lease coordinationv1.Lease
	err := a.client.Get(ctx, h.key, &lease)
	switch {
	case apierrors.IsNotFound(err):
		return h.markLost("another command (the lease is gone)")
	case err != nil:
		return fmt.Errorf("checking the deployment's lock %s/%s before writing: %w", h.key.Namespace, h.key.Name, err)
	case lease.Spec.HolderIdentity == nil || *lease.Spec.HolderIdentity != h.identity:
		holder := "another command"
		if lease.Spec.HolderIdentity != nil {
			holder = *lease.Spec.HolderIdentity
		}
		return h.markLost(holder)
	}
	return nil
}
