package apply

import (
	"context"
	"time"

	"github.com/fluxcd/cli-utils/pkg/object"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// A claim that names its volume (render binds each named volume's claim
// to the PersistentVolume it makes) is bound by the PV controller within
// moments, without a pod. Applying the pods in the same moment races it:
// the scheduler's volume binding updates the same claim, loses with a
// conflict, and puts the pod back with a backoff of seconds. So the
// workloads wait until those claims are bound, for at most claimBindWait:
// a claim that takes longer is left to the scheduler and deploy's wait.
const claimBindWait = 15 * time.Second

// preBound are the claims among written that name their volume.
func preBound(stage []*unstructured.Unstructured, written object.ObjMetadataSet) []client.ObjectKey {
	var out []client.ObjectKey
	for _, o := range stage {
		name, _, _ := unstructured.NestedString(o.Object, "spec", "volumeName")
		if o.GetKind() == "PersistentVolumeClaim" && name != "" && written.Contains(objMeta(o)) {
			out = append(out, client.ObjectKey{Namespace: o.GetNamespace(), Name: o.GetName()})
		}
	}
	return out
}

// waitClaimsBound polls the claims until each is Bound or claimBindWait
// has passed; it never fails the apply.
func (a *Applier) waitClaimsBound(ctx context.Context, claims []client.ObjectKey) {
	deadline := time.Now().Add(claimBindWait)
	for len(claims) > 0 && time.Now().Before(deadline) {
		var c corev1.PersistentVolumeClaim
		if err := a.client.Get(ctx, claims[0], &c); err == nil && c.Status.Phase == corev1.ClaimBound {
			claims = claims[1:]
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(100 * time.Millisecond):
		}
	}
	if len(claims) > 0 {
		a.progressf("claim %s is not bound yet; the pods that use it are applied anyway", claims[0].Name)
	}
}
