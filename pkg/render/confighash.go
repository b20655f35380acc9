package render

import (
	"crypto/sha256"
	"fmt"
	"maps"
	"slices"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

// AnnotationConfigHash on a pod template changes when the content of a
// ConfigMap the pods mount changes, so that they roll: Kubernetes does not
// restart pods for a changed ConfigMap (subPath mounts never even see it).
const AnnotationConfigHash = "kubectl-stack.io/config-hash"

// hashConfig annotates each Deployment's pod template with a hash of the
// ConfigMaps it mounts. Jobs are left alone: their template is immutable.
func (r *renderer) hashConfig() {
	configMaps := map[string]*corev1.ConfigMap{}
	for _, o := range r.base {
		if cm, ok := o.obj.(*corev1.ConfigMap); ok {
			configMaps[cm.Name] = cm
		}
	}
	for _, o := range r.base {
		d, ok := o.obj.(*appsv1.Deployment)
		if !ok {
			continue
		}
		h := sha256.New()
		for _, v := range d.Spec.Template.Spec.Volumes {
			if v.Name == caVolume {
				// The spec's CA certificates: a changed one rolls the pods.
				for _, c := range r.caCerts {
					fmt.Fprintf(h, "ca\x00%s\x00%s\x00", c.Key, c.PEM)
				}
			}
			if v.ConfigMap == nil || configMaps[v.ConfigMap.Name] == nil {
				continue
			}
			cm := configMaps[v.ConfigMap.Name]
			fmt.Fprintf(h, "%s\x00", cm.Name)
			for _, k := range slices.Sorted(maps.Keys(cm.Data)) {
				fmt.Fprintf(h, "%s\x00%s\x00", k, cm.Data[k])
			}
			for _, k := range slices.Sorted(maps.Keys(cm.BinaryData)) {
				fmt.Fprintf(h, "%s\x00%x\x00", k, cm.BinaryData[k])
			}
		}
		if d.Spec.Template.Annotations == nil {
			d.Spec.Template.Annotations = map[string]string{}
		}
		d.Spec.Template.Annotations[AnnotationConfigHash] = fmt.Sprintf("%x", h.Sum(nil))[:16]
	}
}
