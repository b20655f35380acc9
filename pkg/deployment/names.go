package deployment

import (
	"github.com/kubectl-stack/kubectl-stack/pkg/compose"
	"github.com/kubectl-stack/kubectl-stack/pkg/k8sname"
)

// checkNameCollisions finds compose names of different files that map to
// one Kubernetes name: two pods (a_b and a.b), or one volume spelled two
// ways (db_data in one file, db.data in another), which would silently
// share one object. Within one file compose.Load already refuses them.
func (b *builder) checkNameCollisions() {
	var pods []string
	volumes := map[string]string{} // k8s name → first written name
	where := map[string]string{}   // k8s name → compose file of it
	for _, lp := range b.composes {
		pods = append(pods, lp.pod.Name)
		for _, v := range lp.file.NamedVolumes() {
			written := lp.file.VolumeName(v.Name)
			if prev, seen := volumes[v.Name]; seen && prev != written {
				b.fail("%s and %s: %v", where[v.Name], lp.pod.ComposeFile,
					&k8sname.CollisionError{Kind: "volume", Names: [2]string{prev, written}, Mapped: v.Name})
				continue
			}
			volumes[v.Name], where[v.Name] = written, lp.pod.ComposeFile
		}
	}
	if _, errs := k8sname.NewTable("pod", pods); len(errs) > 0 {
		for _, err := range errs {
			b.fail("%s: pods: %v", b.plan.Stack.Dir, err)
		}
	}
}

// AnnotationSharedPort is the compose service label that says two
// containers of one pod publishing one port is intended (for example, only
// one of them listens at a time).
const AnnotationSharedPort = "kubectl-stack.io/shared-port"

// checkPortClashes refuses two containers of one pod that listen on the
// same container port: they share one network namespace, so the second
// cannot bind it (docker compose gave each its own). Init containers run
// before the others and do not clash.
func (b *builder) checkPortClashes(lp loadedPod) {
	owner := map[compose.ContainerPort]string{}
	for _, name := range lp.file.ServiceNames() {
		svc := lp.file.Project.Services[name]
		if compose.IsInitContainer(svc) || svc.Labels[AnnotationSharedPort] == "true" {
			continue
		}
		for _, port := range compose.ContainerPorts(svc) {
			if prev, taken := owner[port]; taken && prev != name {
				b.fail("%s: pod %s: services %s and %s both listen on container port %s, but the services of one compose file share a pod and its network; change one port, move one service to its own compose file (pod), or label one of them %s: \"true\" if that is intended",
					lp.pod.ComposeFile, lp.pod.Name, lp.file.ServiceName(prev), lp.file.ServiceName(name), port, AnnotationSharedPort)
				continue
			}
			owner[port] = name
		}
	}
}
