package render

import (
	"math"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/kubectl-stack/kubectl-stack/pkg/compose"
	"github.com/kubectl-stack/kubectl-stack/pkg/spec"
)

// resources picks one block, without merging, in laconic-so's order: the
// spec's block for this container, the compose deploy.resources, the spec's
// default block. NOTE: laconic-so adds a default of 1 CPU / 2000M requested
// per container, which leaves multi-container pods unschedulable on small
// kind clusters; without any block we set none.
func (r *renderer) resources(svc compose.Service) corev1.ResourceRequirements {
	cr := r.d.Spec.Resources.Containers
	if b, ok := cr.PerContainer[svc.Name]; ok {
		return requirements(b.Reservations, b.Limits)
	}
	if d := svc.Deploy; d != nil && (d.Resources.Limits != nil || d.Resources.Reservations != nil) {
		return composeRequirements(d.Resources)
	}
	// The compose v2 keys mem_limit, cpus and mem_reservation mean the same.
	if svc.MemLimit != 0 || svc.CPUS != 0 || svc.MemReservation != 0 {
		res := compose.Resources{Limits: &compose.Resource{NanoCPUs: compose.NanoCPUs(svc.CPUS), MemoryBytes: svc.MemLimit}}
		if svc.MemReservation != 0 {
			res.Reservations = &compose.Resource{MemoryBytes: svc.MemReservation}
		}
		return composeRequirements(res)
	}
	return requirements(cr.Reservations, cr.Limits)
}

func requirements(reservations, limits *spec.Quantities) corev1.ResourceRequirements {
	return corev1.ResourceRequirements{Requests: resourceList(reservations), Limits: resourceList(limits)}
}

func resourceList(q *spec.Quantities) corev1.ResourceList {
	if q == nil || (q.CPUs == nil && q.Memory == nil) {
		return nil
	}
	out := corev1.ResourceList{}
	if q.CPUs != nil {
		out[corev1.ResourceCPU] = q.CPUs.Quantity
	}
	if q.Memory != nil {
		out[corev1.ResourceMemory] = q.Memory.Quantity
	}
	return out
}

func composeRequirements(res compose.Resources) corev1.ResourceRequirements {
	conv := func(u *compose.Resource) corev1.ResourceList {
		if u == nil {
			return nil
		}
		out := corev1.ResourceList{}
		if u.NanoCPUs != 0 {
			out[corev1.ResourceCPU] = *resource.NewMilliQuantity(int64(math.Round(float64(u.NanoCPUs)*1000)), resource.DecimalSI)
		}
		if u.MemoryBytes != 0 {
			out[corev1.ResourceMemory] = *resource.NewQuantity(int64(u.MemoryBytes), resource.BinarySI)
		}
		if len(out) == 0 {
			return nil
		}
		return out
	}
	return corev1.ResourceRequirements{Requests: conv(res.Reservations), Limits: conv(res.Limits)}
}

// volumeSize is the spec's size for a volume: its own, the default, 2Gi.
func (r *renderer) volumeSize(vol string) resource.Quantity {
	vr := r.d.Spec.Resources.Volumes
	if v, ok := vr.PerVolume[vol]; ok && v.Reservations != nil && v.Reservations.Storage != nil {
		return v.Reservations.Storage.Quantity
	}
	if vr.Reservations != nil && vr.Reservations.Storage != nil {
		return vr.Reservations.Storage.Quantity
	}
	return resource.MustParse("2Gi")
}
