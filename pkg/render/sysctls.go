package render

import (
	"maps"
	"slices"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/kubectl-stack/kubectl-stack/pkg/compose"
	"github.com/kubectl-stack/kubectl-stack/pkg/deployment"
)

// safeSysctls are the sysctls every kubelet allows (Kubernetes' "safe"
// set): a pod asking for another is refused unless the node's kubelet was
// started allowing it, so those are warned about and left out.
var safeSysctls = []string{
	"kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_syncookies",
	"net.ipv4.ping_group_range", "net.ipv4.ip_unprivileged_port_start", "net.ipv4.ip_local_reserved_ports",
	"net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
	"net.ipv4.tcp_keepalive_probes", "net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem",
}

// podSysctls are the pod's sysctls: those of its services that every
// kubelet allows (a pod's sysctls apply to all its containers, as they
// share its network namespace).
func (r *renderer) podSysctls(c deployment.Compose) []corev1.Sysctl {
	set := map[string]string{}
	for _, name := range c.File.ServiceNames() {
		svc := c.File.Project.Services[name]
		for _, k := range slices.Sorted(maps.Keys(svc.Sysctls)) {
			if !slices.Contains(safeSysctls, k) {
				r.warnf("%s: service %s: sysctl %s is not one every kubelet allows, so a pod asking for it would be refused; it is left out (allow it on the nodes' kubelets, then set it through your own patch)", c.File.Path, c.File.ServiceName(name), k)
				continue
			}
			set[k] = svc.Sysctls[k]
		}
	}
	var out []corev1.Sysctl
	for _, k := range slices.Sorted(maps.Keys(set)) {
		out = append(out, corev1.Sysctl{Name: k, Value: set[k]})
	}
	return out
}

// shmVolume gives a service with shm_size a memory-backed /dev/shm of
// that size, as docker does (Kubernetes' default is the runtime's 64 MB).
func shmVolume(svc compose.Service, volumes map[string]corev1.Volume) []corev1.VolumeMount {
	if svc.ShmSize <= 0 {
		return nil
	}
	size := resource.NewQuantity(int64(svc.ShmSize), resource.BinarySI)
	name := "shm-" + svc.Name
	volumes[name] = corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{Medium: corev1.StorageMediumMemory, SizeLimit: size}}}
	return []corev1.VolumeMount{{Name: name, MountPath: "/dev/shm"}}
}
