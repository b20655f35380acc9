package render

import (
	"maps"
	"net"
	"slices"

	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-stack/kubectl-stack/pkg/deployment"
)

// composeReplicas is the replica count the services of a pod ask for with
// deploy.replicas: the largest, since one pod runs them all (a difference
// is reported). nil when none asks.
func (r *renderer) composeReplicas(c deployment.Compose) *int32 {
	var out *int32
	for _, name := range c.File.ServiceNames() {
		d := c.File.Project.Services[name].Deploy
		if d == nil || d.Replicas == nil {
			continue
		}
		n := int32(*d.Replicas)
		if out != nil && *out != n {
			r.warnf("%s: the services of pod %s ask for different deploy.replicas; they share one pod, which gets the largest", c.File.Path, c.Written)
		}
		if out == nil || n > *out {
			out = &n
		}
	}
	return out
}

// hostAliases turns the services' extra_hosts into the pod's /etc/hosts
// entries. Entries that are not IP addresses (docker's host-gateway) have
// no equivalent and are reported.
func (r *renderer) hostAliases(c deployment.Compose) []corev1.HostAlias {
	byIP := map[string][]string{}
	for _, name := range c.File.ServiceNames() {
		for host, ips := range c.File.Project.Services[name].ExtraHosts {
			for _, ip := range ips {
				if net.ParseIP(ip) == nil {
					r.warnf("%s: service %s: extra_hosts %s:%s is not an IP address and is left out (host-gateway has no Kubernetes equivalent)", c.File.Path, c.File.ServiceName(name), host, ip)
					continue
				}
				if !slices.Contains(byIP[ip], host) {
					byIP[ip] = append(byIP[ip], host)
				}
			}
		}
	}
	var out []corev1.HostAlias
	for _, ip := range slices.Sorted(maps.Keys(byIP)) {
		slices.Sort(byIP[ip])
		out = append(out, corev1.HostAlias{IP: ip, Hostnames: byIP[ip]})
	}
	return out
}
