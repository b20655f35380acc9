package apply

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-stack/kubectl-stack/pkg/labels"
)

// warnSharedHostPaths warns when a host-path PV of this deployment points
// at the same host directory as a PV of another deployment: both write the
// same files. Only a warning (two deployments may mean to share).
func (a *Applier) warnSharedHostPaths(req Request, volumes []corev1.PersistentVolume) {
	ours := map[string]string{} // host path -> our PV
	for _, o := range req.Objects {
		if o.GetKind() != "PersistentVolume" {
			continue
		}
		if path, ok, _ := unstructured.NestedString(o.Object, "spec", "hostPath", "path"); ok {
			ours[path] = o.GetName()
		}
	}
	if len(ours) == 0 {
		return
	}
	for _, pv := range volumes {
		other := pv.Labels[labels.DeploymentID]
		if pv.Spec.HostPath == nil || other == req.DeploymentID {
			continue
		}
		if mine, ok := ours[pv.Spec.HostPath.Path]; ok {
			owner := "another deployment"
			if other != "" {
				owner = "deployment " + other
			}
			a.progressf("warning: PersistentVolume %s (deployment %s) and PersistentVolume %s (%s) share the host path %s: both write the same files",
				mine, req.DeploymentID, pv.Name, owner, pv.Spec.HostPath.Path)
		}
	}
}
