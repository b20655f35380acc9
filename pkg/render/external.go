package render

import (
	"fmt"
	"maps"
	"net"
	"slices"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// EndpointSliceManager marks the EndpointSlices kubectl-stack writes
// itself, so that Kubernetes' controller leaves them alone.
const EndpointSliceManager = "kubectl-stack.io"

// renderExternalServices gives each external-services entry a Service named
// by its key, as laconic-so does: {host} an ExternalName Service; {ip} a
// headless Service with an EndpointSlice holding the IP; {selector,
// namespace} a headless Service whose EndpointSlice deploy fills with the
// IPs of the selected pods in that namespace (render cannot read them).
func (r *renderer) renderExternalServices() {
	for _, name := range slices.Sorted(maps.Keys(r.d.Spec.ExternalServices)) {
		es := r.d.Spec.ExternalServices[name]
		svc := r.service(name, nil, nil, corev1.ServiceTypeClusterIP)
		port := es.ExternalPort()
		svc.Spec.Ports = []corev1.ServicePort{{Name: fmt.Sprintf("port-%d", port), Port: port, Protocol: corev1.ProtocolTCP}}
		switch {
		case es.Host != "":
			svc.Spec.Type, svc.Spec.ExternalName = corev1.ServiceTypeExternalName, es.Host
		default:
			svc.Spec.ClusterIP = corev1.ClusterIPNone
		}
		r.base = append(r.base, object{file: "external-" + name + ".yaml", obj: svc})
		if es.IP != "" {
			r.base = append(r.base, object{file: "external-" + name + "-endpoints.yaml", obj: ExternalEndpoints(r.meta(name, nil), port, []string{es.IP})})
		}
	}
}

// ExternalEndpoints is the EndpointSlice of a headless external Service:
// its addresses on its port. meta is the Service's.
func ExternalEndpoints(meta metav1.ObjectMeta, port int32, addresses []string) *discoveryv1.EndpointSlice {
	family := discoveryv1.AddressTypeIPv4
	if len(addresses) > 0 && net.ParseIP(addresses[0]).To4() == nil {
		family = discoveryv1.AddressTypeIPv6
	}
	service := meta.Name
	meta.Name = service + "-external"
	meta.Labels = maps.Clone(meta.Labels)
	meta.Labels[discoveryv1.LabelServiceName] = service
	meta.Labels[discoveryv1.LabelManagedBy] = EndpointSliceManager
	name := fmt.Sprintf("port-%d", port)
	proto := corev1.ProtocolTCP
	slice := &discoveryv1.EndpointSlice{
		TypeMeta:    metav1.TypeMeta{APIVersion: "discovery.k8s.io/v1", Kind: "EndpointSlice"},
		ObjectMeta:  meta,
		AddressType: family,
		Ports:       []discoveryv1.EndpointPort{{Name: &name, Port: &port, Protocol: &proto}},
	}
	for _, a := range addresses {
		slice.Endpoints = append(slice.Endpoints, discoveryv1.Endpoint{Addresses: []string{a}})
	}
	return slice
}
