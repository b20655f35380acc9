package render

import (
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/kubectl-stack/kubectl-stack/pkg/deployment"
)

// A service's hostname: is the name its container sees as its own, as in
// docker compose; on Kubernetes the containers of a pod share one, so the
// pod's hostname is the one its services give (a pod whose services give
// different ones takes the first and warns). domainname: becomes the pod's
// subdomain with a headless Service of that name, so that
// <hostname>.<domainname> resolves to the pod as in compose's network.

// podIdentity is the hostname and subdomain of a pod, from its services.
type podIdentity struct {
	hostname, subdomain string
}

// podIdentity reads hostname: and domainname: of c's services, warning
// about what a pod cannot carry.
func (r *renderer) podIdentity(c deployment.Compose) podIdentity {
	var id podIdentity
	var from string
	for _, name := range c.File.ServiceNames() {
		svc := c.File.Project.Services[name]
		written := c.File.ServiceName(name)
		host, domain := svc.Hostname, svc.DomainName
		if host == "" && domain == "" {
			continue
		}
		// hostname: a.example.org is the host a in the domain example.org.
		if first, rest, ok := strings.Cut(host, "."); ok && domain == "" {
			host, domain = first, rest
		}
		if id.hostname != "" && (host != id.hostname || domain != id.subdomain) {
			r.warnf("%s: service %s: hostname %q is not given: the services of pod %s share one hostname, and service %s gives %q (set pod-per-service: true to give each its own)", c.File.Path, written, svc.Hostname, c.Shown, from, id.hostname)
			continue
		}
		if errs := validation.IsDNS1123Label(host); host != "" && len(errs) > 0 {
			r.warnf("%s: service %s: hostname %q cannot be a pod's hostname (%s), so the container sees the pod's name", c.File.Path, written, host, errs[0])
			continue
		}
		if errs := validation.IsDNS1123Label(domain); domain != "" && len(errs) > 0 {
			r.warnf("%s: service %s: domainname %q cannot be a pod's subdomain (%s; Kubernetes names it <hostname>.<subdomain>.<namespace>.svc), so it is left out", c.File.Path, written, domain, errs[0])
			domain = ""
		}
		id, from = podIdentity{hostname: host, subdomain: domain}, written
	}
	return id
}

// applyIdentity sets the pod's hostname and subdomain; the headless
// Service that makes the subdomain resolve is rendered once every pod is
// (renderSubdomains).
func (r *renderer) applyIdentity(ps *corev1.PodSpec, id podIdentity, selector map[string]string) {
	ps.Hostname, ps.Subdomain = id.hostname, id.subdomain
	if id.subdomain != "" {
		r.subdomains = append(r.subdomains, subdomainService{name: id.subdomain, selector: selector})
	}
}

// subdomainService is the headless Service of a pod's subdomain.
type subdomainService struct {
	name     string
	selector map[string]string
}

// renderSubdomains renders a headless Service per subdomain, unless a
// Service of that name exists already (a compose service of that name),
// which is warned about: the name would not resolve to the pod.
func (r *renderer) renderSubdomains() {
	taken := map[string]bool{}
	for _, o := range r.base {
		if svc, ok := o.obj.(*corev1.Service); ok {
			taken[svc.Name] = true
		}
	}
	for _, sd := range r.subdomains {
		if taken[sd.name] {
			r.warnf("domainname %s: a Service of that name exists already (a compose service or alias of that name), so <hostname>.%s does not resolve to the pod that sets it; rename one of them", sd.name, sd.name)
			continue
		}
		taken[sd.name] = true
		svc := r.service(sd.name, nil, sd.selector, corev1.ServiceTypeClusterIP)
		svc.Spec.ClusterIP = corev1.ClusterIPNone
		svc.Spec.PublishNotReadyAddresses = true
		r.base = append(r.base, object{file: "service-" + sd.name + ".yaml", obj: svc})
	}
}
