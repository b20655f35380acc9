package apply

import (
	"context"
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
)

// errPortHeld is the API server's refusal of a nodePort in use
// (portallocator.ErrAllocated, inside a field.Invalid).
const errPortHeld = "provided port is already allocated"

// portHeld tells whether err is the API server refusing o, a Service,
// because a nodePort it asks for is allocated.
func portHeld(o *unstructured.Unstructured, err error) bool {
	return err != nil && o.GetKind() == "Service" && o.GroupVersionKind().Group == "" &&
		apierrors.IsInvalid(err) && strings.Contains(err.Error(), errPortHeld)
}

// explainHeldPort says who holds the nodePorts the Service o was refused,
// and what to do. A port can be allocated with no Service holding it: the
// API server leaks it when a client is cut off while deleting a Service
// (a stop killed at the wrong moment), and its repair loop frees it only
// after a few rounds (seen: six and a half minutes).
func (a *Applier) explainHeldPort(ctx context.Context, o *unstructured.Unstructured) string {
	const elsewhere = "publish this service on another host port in the deployment's spec.yml (network: ports:)"
	var all corev1.ServiceList
	if err := a.client.List(ctx, &all); err != nil {
		return fmt.Sprintf("The Services of other namespaces could not be listed (%v). Find the one holding it with 'kubectl get services -A | grep <port>', then stop what it belongs to, or %s.", err, elsewhere)
	}
	ports := nodePorts(o)
	var holders []string
	for _, s := range all.Items {
		if s.Namespace == o.GetNamespace() && s.Name == o.GetName() {
			continue
		}
		for _, p := range s.Spec.Ports {
			if slices.Contains(ports, p.NodePort) {
				holders = append(holders, fmt.Sprintf("nodePort %d is held by Service %s/%s", p.NodePort, s.Namespace, s.Name))
			}
		}
	}
	if len(holders) > 0 {
		return fmt.Sprintf("%s. Stop the deployment it belongs to, or %s.", strings.Join(holders, "; "), elsewhere)
	}
	return fmt.Sprintf("No Service holds nodePort %s: the API server has leaked it, as it does when a client is cut off while deleting a Service (a stop killed, say). Its repair loop frees a leaked port after a few rounds of three minutes: rerun deploy in about ten minutes, or %s.", joinPorts(ports), elsewhere)
}

// nodePorts are the fixed nodePorts a Service asks for.
func nodePorts(o *unstructured.Unstructured) []int32 {
	var svc corev1.Service
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(o.Object, &svc); err != nil {
		return nil
	}
	var out []int32
	for _, p := range svc.Spec.Ports {
		if p.NodePort != 0 {
			out = append(out, p.NodePort)
		}
	}
	return out
}

func joinPorts(ports []int32) string {
	s := make([]string, len(ports))
	for i, p := range ports {
		s[i] = fmt.Sprint(p)
	}
	return strings.Join(s, ", ")
}
