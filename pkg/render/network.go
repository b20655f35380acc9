package render

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/kubectl-stack/kubectl-stack/pkg/compose"
	"github.com/kubectl-stack/kubectl-stack/pkg/deployment"
	"github.com/kubectl-stack/kubectl-stack/pkg/k8sname"
	"github.com/kubectl-stack/kubectl-stack/pkg/labels"
	"github.com/kubectl-stack/kubectl-stack/pkg/spec"
)

// renderDiscoveryServices gives each compose service with ports a ClusterIP
// Service named after it, so that services of other pod files reach it by
// its compose name and port, as in docker compose; its network aliases and
// container_name get the same Service under their names. With
// pod-per-service a service without ports gets a headless one. selector
// selects the pod (a Deployment's, or a Job's).
func (r *renderer) renderDiscoveryServices(c deployment.Compose, selector map[string]string) {
	for _, name := range c.File.ServiceNames() {
		ports := containerPorts(c.File.Project.Services[name])
		if len(ports) == 0 && compose.IsInitContainer(c.File.Project.Services[name]) {
			continue // it has ended before anything could reach it
		}
		if len(ports) == 0 && !r.d.Spec.PodPerService {
			if cn := c.File.Project.Services[name].ContainerName; cn != "" {
				r.warnf("%s: service %s: container_name %s: other pods cannot reach it by that name, as it declares no port (expose: one, or set pod-per-service: true)", c.File.Path, c.File.ServiceName(name), cn)
			}
			continue
		}
		written := c.File.ServiceName(name)
		for _, host := range r.hostNames(c, name) {
			if errs := validation.IsDNS1035Label(host); len(errs) > 0 {
				r.warnf("%s: service %s: the name %s is not a valid Service name (%s), so other pods cannot reach it by that name", c.File.Path, written, host, errs[0])
				continue
			}
			svc := r.service(host, nil, selector, corev1.ServiceTypeClusterIP)
			svc.Annotations = composeName(written, host)
			if len(ports) == 0 {
				// A service in its own pod that declares no port is still
				// reached by name in docker compose, on any port: a
				// headless Service without ports resolves its name to the
				// pod's address. As in compose, from the moment the
				// container runs, not once it is ready.
				svc.Spec.ClusterIP = corev1.ClusterIPNone
				svc.Spec.PublishNotReadyAddresses = true
			}
			for _, p := range ports {
				svc.Spec.Ports = append(svc.Spec.Ports, servicePort(p.ContainerPort, p.Protocol, 0))
			}
			r.base = append(r.base, object{file: "service-" + host + ".yaml", obj: svc})
		}
	}
}

// hostNames are the names a service is reached by: its own, then its
// network aliases and container_name (sorted, each once, by the name rule:
// db_primary → db-primary), except one that is another service's name
// (that service keeps it) or that several services give themselves
// (docker compose answers with any of them): both warned.
func (r *renderer) hostNames(c deployment.Compose, name string) []string {
	out := []string{name}
	for _, a := range aliases(c.File.Project.Services[name]) {
		switch host := k8sname.Label(a); {
		case host == name:
		case slices.Contains(r.containerNames(), host):
			r.warnf("%s: service %s: the alias %s is another service's name; that service keeps it", c.File.Path, c.File.ServiceName(name), a)
		case r.aliasOwners[host] > 1:
			r.warnf("%s: service %s: the alias %s is given by %d services, so none gets it", c.File.Path, c.File.ServiceName(name), a, r.aliasOwners[host])
		default:
			out = append(out, host)
		}
	}
	return out
}

// aliases are the other names docker compose resolves to a service: its
// network aliases, its container_name and its hostname (a single label:
// the other containers resolve it too), as written, sorted, each once.
func aliases(svc compose.Service) []string {
	var out []string
	for _, n := range svc.Networks {
		if n != nil {
			out = append(out, n.Aliases...)
		}
	}
	if svc.ContainerName != "" {
		out = append(out, svc.ContainerName)
	}
	if svc.Hostname != "" && !strings.Contains(svc.Hostname, ".") {
		out = append(out, svc.Hostname)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// aliasTable reads the aliases of the pods' services once: each alias
// whose Service name differs from it (db_primary → db-primary), so that
// environment values reach it, and how many services give themselves each
// Service name.
func aliasTable(pods []deployment.Compose) (renamed map[string]string, owners map[string]int) {
	renamed, owners = map[string]string{}, map[string]int{}
	for _, c := range pods {
		for _, svc := range c.File.Project.Services {
			for _, a := range aliases(svc) {
				host := k8sname.Label(a)
				owners[host]++
				if host != a {
					renamed[a] = host
				}
			}
		}
	}
	return renamed, owners
}

func (r *renderer) service(name string, extra, selector map[string]string, typ corev1.ServiceType) *corev1.Service {
	return &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: r.meta(name, extra),
		Spec:       corev1.ServiceSpec{Type: typ, Selector: selector},
	}
}

func servicePort(port int32, proto corev1.Protocol, nodePort int32) corev1.ServicePort {
	return corev1.ServicePort{
		Name: fmt.Sprintf("%s-%d", strings.ToLower(string(proto)), port), Port: port, Protocol: proto,
		TargetPort: intstr.FromInt32(port), NodePort: nodePort,
	}
}

// renderNodePorts publishes each port of the spec's network.ports (or the
// compose ports of services the spec does not list) as a NodePort Service
// selecting only the pod that runs the service (laconic-so selected every
// pod of the deployment).
func (r *renderer) renderNodePorts() {
	type published struct {
		pod, svc, written string
		port              compose.Port
		proto             corev1.Protocol
	}
	var all []published
	uses := map[string]int{}
	for _, c := range r.d.Pods {
		for _, name := range c.File.ServiceNames() {
			for _, p := range r.publishedPorts(c, name) {
				proto := corev1.Protocol(strings.ToUpper(cmp.Or(p.Protocol, "tcp")))
				all = append(all, published{c.Name, name, c.File.ServiceName(name), p, proto})
				uses[fmt.Sprint(p.Target, proto)]++
			}
		}
	}
	for _, p := range all {
		// laconic-so's name, <id>-nodeport-<port>-<proto>, collides when two
		// services publish the same container port; those get the service
		// name as well.
		name, file := r.n.nodePort(int32(p.port.Target), string(p.proto)), fmt.Sprintf("nodeport-%d-%s.yaml", p.port.Target, strings.ToLower(string(p.proto)))
		if uses[fmt.Sprint(p.port.Target, p.proto)] > 1 {
			name = fmt.Sprintf("%s-%s-nodeport-%d-%s", r.n.id, p.svc, p.port.Target, strings.ToLower(string(p.proto)))
			file = "nodeport-" + p.svc + "-" + strings.TrimPrefix(file, "nodeport-")
		}
		// A compose host port outside the NodePort range (80:80) is left
		// to the cluster to assign; create said so.
		var nodePort int32
		if n, err := strconv.Atoi(p.port.Published); err == nil && n >= spec.NodePortMin && n <= spec.NodePortMax {
			nodePort = int32(n)
		}
		svc := r.service(name, nil, r.selector(p.pod), corev1.ServiceTypeNodePort)
		svc.Annotations = map[string]string{labels.PublishesAnnotation: p.written}
		svc.Spec.Ports = []corev1.ServicePort{servicePort(int32(p.port.Target), p.proto, nodePort)}
		r.base = append(r.base, object{file: file, obj: svc})
	}
}

func (r *renderer) publishedPorts(c deployment.Compose, svc string) []compose.Port {
	override, ok := r.d.Spec.Network.Ports[svc]
	if !ok {
		// Ports bound to a loopback address are local only in compose.
		return slices.DeleteFunc(slices.Clone(c.File.Project.Services[svc].Ports), compose.LoopbackOnly)
	}
	var out []compose.Port
	for _, p := range override {
		parsed, err := compose.ParsePort(p)
		if err != nil {
			r.failf("spec.yml: network.ports.%s: port %q: %v", svc, p, err)
			continue
		}
		out = append(out, parsed...)
	}
	return out
}

// renderHTTPProxy emits laconic-so's ClusterIP Service per pod file that a
// route points at (<id>-service, or <id>-<pod>-service) and one Ingress.
func (r *renderer) renderHTTPProxy() {
	proxies := r.d.Spec.Network.HTTPProxy
	if len(proxies) == 0 {
		return
	}
	podOf := map[string]string{}
	for _, c := range r.d.Pods {
		for _, name := range c.File.ServiceNames() {
			podOf[name] = c.Name
		}
	}
	ports := map[string][]int32{} // pod → proxied ports
	ing := &networkingv1.Ingress{
		TypeMeta:   metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "Ingress"},
		ObjectMeta: r.meta(r.n.prefixed("ingress"), nil),
	}
	ing.Annotations = map[string]string{"kubernetes.io/ingress.class": "caddy"}
	prefix := networkingv1.PathTypePrefix
	for i, hp := range proxies {
		rule := networkingv1.IngressRule{Host: hp.HostName, IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{}}}
		for j, route := range hp.Routes {
			svc, port, _ := spec.SplitProxyTo(route.ProxyTo)
			pod, ok := podOf[svc]
			if !ok {
				r.failf("spec.yml: network.http-proxy[%d].routes[%d].proxy-to: %q is not a service of this deployment; services are: %v", i, j, svc, slices.Sorted(maps.Keys(podOf)))
				continue
			}
			if !slices.Contains(ports[pod], port) {
				ports[pod] = append(ports[pod], port)
			}
			rule.HTTP.Paths = append(rule.HTTP.Paths, networkingv1.HTTPIngressPath{
				Path: route.Path, PathType: &prefix,
				Backend: networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{
					Name: r.proxyServiceName(pod), Port: networkingv1.ServiceBackendPort{Number: port}}},
			})
		}
		ing.Spec.Rules = append(ing.Spec.Rules, rule)
	}
	if m := r.d.Spec.MaintenanceService; m != "" {
		svc, port, _ := spec.SplitProxyTo(m)
		if pod, ok := podOf[svc]; !ok {
			r.failf("spec.yml: maintenance-service: %q is not a service of this deployment; services are: %v", svc, slices.Sorted(maps.Keys(podOf)))
		} else {
			if !slices.Contains(ports[pod], port) {
				ports[pod] = append(ports[pod], port)
			}
			ing.Annotations[MaintenanceAnnotation] = fmt.Sprintf("%s:%d", r.proxyServiceName(pod), port)
		}
	}
	r.certManagerTLS(ing)
	r.localTLS(ing)
	for _, pod := range slices.Sorted(maps.Keys(ports)) {
		svc := r.service(r.proxyServiceName(pod), componentLabel(r.n.multi, pod), r.selector(pod), corev1.ServiceTypeClusterIP)
		slices.Sort(ports[pod])
		for _, p := range ports[pod] {
			sp := servicePort(p, corev1.ProtocolTCP, 0)
			sp.Name = fmt.Sprintf("port-%d", p)
			svc.Spec.Ports = append(svc.Spec.Ports, sp)
		}
		r.base = append(r.base, object{file: "service-proxy-" + pod + ".yaml", obj: svc})
	}
	r.base = append(r.base, object{file: "ingress.yaml", obj: ing})
}

func (r *renderer) proxyServiceName(pod string) string {
	if r.n.multi {
		// A Service name is a DNS label: fitted by the hash rule.
		return k8sname.Fit(r.n.prefixed(pod+"-service"), k8sname.MaxLabel)
	}
	return r.n.prefixed("service")
}

// certManagerIssuer is the ClusterIssuer laconic-so's Ingresses name.
const certManagerIssuer = "letsencrypt-prod"

// certManagerTLS gives a deploy-to: k8s Ingress what laconic-so gives it:
// cert-manager's cluster-issuer annotation and a tls entry per host with
// the secret <id>-<host>-tls, which cert-manager fills. (laconic-so reuses
// a live Certificate's secret when one covers the host; render does not
// read the cluster, so the rendered names are the ones it creates.) On kind
// nothing issues certificates from the internet.
func (r *renderer) certManagerTLS(ing *networkingv1.Ingress) {
	if r.d.Spec.DeployTo != spec.DeployToK8s {
		return
	}
	ing.Annotations["cert-manager.io/cluster-issuer"] = certManagerIssuer
	for _, rule := range ing.Spec.Rules {
		ing.Spec.TLS = append(ing.Spec.TLS, networkingv1.IngressTLS{Hosts: []string{rule.Host}, SecretName: r.n.prefixed(rule.Host + "-tls")})
	}
}

// localTLS serves a kind deployment's hosts over HTTPS with the
// certificate deploy issues from the cluster's local CA.
func (r *renderer) localTLS(ing *networkingv1.Ingress) {
	if r.d.Spec.DeployTo != spec.DeployToKind {
		return
	}
	tls := networkingv1.IngressTLS{SecretName: IngressTLSSecretName(r.n.id)}
	for _, rule := range ing.Spec.Rules {
		tls.Hosts = append(tls.Hosts, rule.Host)
	}
	ing.Spec.TLS = []networkingv1.IngressTLS{tls}
}
