package apply

import (
	"context"
	"fmt"
	"os"
	"os/user"
	"strconv"
	"strings"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// A deployment's commands that write (deploy, restart, stop) hold a Lease,
// <deployment-id>-lock in its namespace, so that two of them never
// interleave. The holder renews it while it runs; a lease not renewed for
// LockDuration is stale and taken over, and so is one whose holder ran on
// this host and is gone (a killed process).
const (
	LockSuffix    = "-lock"
	LockDuration  = 30 * time.Second
	lockRenewEach = 10 * time.Second
	// releaseTimeout bounds giving the lock back.
	releaseTimeout = 5 * time.Second
)

// LockRequest names the lock and who takes it.
type LockRequest struct {
	Namespace, DeploymentID string
	// Verb is what the holder does (deploy, stop), shown to others.
	Verb string
	// Break takes the lock even from a live holder.
	Break bool
	// Claim, when set, is the deployment's Namespace object: it is claimed
	// for Dir (created if missing) before the lock is taken in it.
	Claim *unstructured.Unstructured
	Dir   string
}

// LockedError: another command holds the deployment's lock.
type LockedError struct {
	Holder string
	Since  time.Time
	Renew  time.Time
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("another command is working on this deployment: the lock is held by %s since %s (renewed %s ago)",
		e.Holder, e.Since.Local().Format(time.DateTime), time.Since(e.Renew).Round(time.Second))
}

// holderIdentity says who holds a lock: user@host, process and verb.
func holderIdentity(verb string) string {
	name := "unknown"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	host, _ := os.Hostname()
	return fmt.Sprintf("%s@%s pid %d (%s)", name, host, os.Getpid(), verb)
}

// holderGone reports whether a holder ran on this host and its process is
// no longer there.
func holderGone(holder string) bool {
	host, _ := os.Hostname()
	at := strings.Index(holder, "@"+host+" pid ")
	if at < 0 {
		return false
	}
	rest := holder[at+len("@"+host+" pid "):]
	pid, err := strconv.Atoi(strings.Fields(rest)[0])
	if err != nil || pid <= 0 {
		return false
	}
	return processGone(pid)
}

// Lock takes the deployment's lock (claiming its namespace first when
// asked: a lease lives in one) and keeps it renewed until release is
// called. Without the namespace there is nothing to lock: release is a
// no-op.
func (a *Applier) Lock(ctx context.Context, req LockRequest) (release func(), err error) {
	if req.Claim != nil {
		if _, err := a.ClaimNamespace(ctx, req.Claim, req.Dir, req.DeploymentID); err != nil {
			return nil, err
		}
	}
	identity := holderIdentity(req.Verb)
	lease, err := a.acquire(ctx, req, identity)
	if apierrors.IsNotFound(err) {
		return func() {}, nil
	}
	if apierrors.IsForbidden(err) {
		a.progressf("warning: no lock taken (these credentials may not use leases in %s: %v); another deploy, restart or stop of this deployment could interleave with this one. docs/rbac.yaml's Role grants it", req.Namespace, err)
		return func() {}, nil
	}
	if err != nil {
		return nil, err
	}
	held := &heldLease{key: client.ObjectKeyFromObject(lease), identity: identity}
	a.held = held
	renewCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go a.renew(renewCtx, lease, held, done)
	return func() {
		stop()
		<-done
		a.held = nil
		if held.lostErr() != nil {
			return // the lease is someone else's now
		}
		// Released by deleting it, on the condition that it is still the
		// object this command last wrote: a taker (--break-lock) updates
		// it, changing its resourceVersion, and keeps its lease.
		// Bounded: after an unreachable API server the release must not
		// hold the command's exit (the lease expires by itself).
		releaseCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
		defer cancel()
		_ = a.client.Delete(releaseCtx, lease, client.Preconditions{UID: &lease.UID, ResourceVersion: &lease.ResourceVersion})
	}, nil
}

func (a *Applier) acquire(ctx context.Context, req LockRequest, identity string) (*coordinationv1.Lease, error) {
	key := client.ObjectKey{Namespace: req.Namespace, Name: req.DeploymentID + LockSuffix}
	for attempt := 0; attempt < 5; attempt++ {
		now := metav1.NewMicroTime(time.Now())
		var lease coordinationv1.Lease
		err := a.client.Get(ctx, key, &lease)
		if apierrors.IsNotFound(err) {
			lease = coordinationv1.Lease{ObjectMeta: metav1.ObjectMeta{Namespace: key.Namespace, Name: key.Name}}
			setHolder(&lease, identity, now)
			err = a.client.Create(ctx, &lease, client.FieldOwner(FieldManager))
			if apierrors.IsAlreadyExists(err) {
				continue
			}
			return &lease, err
		}
		if err != nil {
			return nil, fmt.Errorf("reading the deployment's lock %s/%s: %w", key.Namespace, key.Name, err)
		}
		if held := heldBy(&lease); held != nil && !req.Break && !holderGone(held.Holder) {
			return nil, held
		} else if held != nil {
			a.progressf("taking over the lock held by %s", held.Holder)
		}
		setHolder(&lease, identity, now)
		err = a.client.Update(ctx, &lease, client.FieldOwner(FieldManager))
		if apierrors.IsConflict(err) {
			continue
		}
		return &lease, err
	}
	return nil, fmt.Errorf("taking the deployment's lock %s/%s: it kept changing; try again", key.Namespace, key.Name)
}

// heldBy is the lease's live holder, or nil when it is free or stale.
func heldBy(l *coordinationv1.Lease) *LockedError {
	if l.Spec.HolderIdentity == nil || *l.Spec.HolderIdentity == "" || l.Spec.RenewTime == nil {
		return nil
	}
	duration := LockDuration
	if l.Spec.LeaseDurationSeconds != nil {
		duration = time.Duration(*l.Spec.LeaseDurationSeconds) * time.Second
	}
	if time.Since(l.Spec.RenewTime.Time) > duration {
		return nil
	}
	e := &LockedError{Holder: *l.Spec.HolderIdentity, Renew: l.Spec.RenewTime.Time}
	if l.Spec.AcquireTime != nil {
		e.Since = l.Spec.AcquireTime.Time
	}
	return e
}

func setHolder(l *coordinationv1.Lease, identity string, now metav1.MicroTime) {
	l.Spec.HolderIdentity = ptr.To(identity)
	l.Spec.AcquireTime = &now
	l.Spec.RenewTime = &now
	l.Spec.LeaseDurationSeconds = ptr.To(int32(LockDuration / time.Second))
}

// renew keeps the lease fresh until ctx ends, or until it finds the lease
// taken by another command (its update conflicts with the taker's write).
func (a *Applier) renew(ctx context.Context, lease *coordinationv1.Lease, held *heldLease, done chan<- struct{}) {
	defer close(done)
	tick := time.NewTicker(lockRenewEach)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		now := metav1.NewMicroTime(time.Now())
		lease.Spec.RenewTime = &now
		err := a.client.Update(ctx, lease, client.FieldOwner(FieldManager))
		if ctx.Err() != nil {
			return
		}
		if apierrors.IsConflict(err) || apierrors.IsNotFound(err) {
			if a.checkHeld(ctx) != nil {
				a.Log.Warnf("%v", held.lostErr())
				return
			}
		}
		if err != nil {
			a.progressf("could not renew the deployment's lock: %v", err)
		}
	}
}
