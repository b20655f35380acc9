package apply

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/fluxcd/pkg/ssa"
	ssaerrors "github.com/fluxcd/pkg/ssa/errors"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// ReplacedAction is a change that touched an immutable field (a Job's pod
// template, a Service's clusterIP): the object is deleted and created
// again.
const ReplacedAction ssa.Action = "replaced"

// replaceable kinds lose nothing when deleted and created again; a volume
// would lose its data, so an immutable change to one is refused. Only
// these kinds get the extra dry run: render changes no other kind's
// immutable fields.
var (
	replaceable = map[string]bool{"Job": true, "Service": true}
	volumeKinds = map[string]bool{"PersistentVolumeClaim": true, "PersistentVolume": true}
)

// immutableMessage narrows ssa's immutability test (any Conflict or
// Invalid error) to the API server's immutable-field messages, so that an
// invalid object is reported, never deleted.
var immutableMessage = regexp.MustCompile(`(?i)immutable|may not change once set|cannot be changed`)

// ImmutableError refuses an immutable change to an object whose
// replacement would lose data.
type ImmutableError struct {
	Subject string
	Err     error
}

func (e *ImmutableError) Error() string {
	return fmt.Sprintf("%s: the change touches a field the API server keeps immutable, and replacing the object would lose its data; revert that change (or delete the volume's data deliberately and deploy again): %v", e.Subject, e.Err)
}

func (e *ImmutableError) Unwrap() error { return e.Err }

// immutableChange dry-runs obj and reports whether its change touches an
// immutable field: true for a replaceable object, an *ImmutableError for
// any other; false when it applies as is (or does not exist yet).
func (a *Applier) immutableChange(ctx context.Context, obj *unstructured.Unstructured) (bool, error) {
	if !replaceable[obj.GetKind()] && !volumeKinds[obj.GetKind()] {
		return false, nil // no dry run needed
	}
	_, _, _, err := a.manager.Diff(ctx, obj.DeepCopy(), ssa.DefaultDiffOptions())
	return immutable(obj, err)
}

// immutable reads a dry run's error: whether it refused an immutable
// change to a replaceable object (true), or to another (*ImmutableError).
// Any other error is not about immutability: false, nil.
func immutable(obj *unstructured.Unstructured, err error) (bool, error) {
	if !replaceable[obj.GetKind()] && !volumeKinds[obj.GetKind()] {
		return false, nil
	}
	if err == nil || !ssaerrors.IsImmutableError(err) || !immutableMessage.MatchString(err.Error()) {
		return false, nil
	}
	if !replaceable[obj.GetKind()] {
		return false, &ImmutableError{Subject: subject(obj), Err: errors.Unwrap(err)}
	}
	return true, nil
}

// replaceImmutable dry-runs, concurrently, the objects that may change
// and deletes those whose change touches an immutable field, waiting until
// they (and a Job's pods) are gone, so that the apply creates them again.
// It returns them.
func (a *Applier) replaceImmutable(ctx context.Context, objects []*unstructured.Unstructured) ([]*unstructured.Unstructured, error) {
	replace, err := concurrently(ctx, objects, a.immutableChange)
	if err != nil {
		return nil, err
	}
	var replaced []*unstructured.Unstructured
	for i, obj := range objects {
		if !replace[i] {
			continue
		}
		err := uncut(ctx, func(ctx context.Context) error {
			return a.client.Delete(ctx, obj.DeepCopy(), client.PropagationPolicy("Foreground"))
		})
		if err != nil && !apierrors.IsNotFound(err) {
			return nil, fmt.Errorf("replacing %s: %w", subject(obj), err)
		}
		if err := a.waitGone(ctx, []*unstructured.Unstructured{obj}, 2*time.Minute); err != nil {
			return nil, fmt.Errorf("replacing %s: %w", subject(obj), err)
		}
		a.progressf("%s deleted to be replaced (a field it changes is immutable)", subject(obj))
		replaced = append(replaced, obj)
	}
	return replaced, nil
}

func subject(obj *unstructured.Unstructured) string {
	if obj.GetNamespace() == "" {
		return obj.GetKind() + "/" + obj.GetName()
	}
	return obj.GetKind() + "/" + obj.GetNamespace() + "/" + obj.GetName()
}
