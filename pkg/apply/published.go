package apply

import (
	"context"
	"fmt"
	"sort"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/kubectl-stack/kubectl-stack/pkg/labels"
)

// Published is where a deployment can be reached from outside the
// cluster: its Ingress routes and its NodePorts.
type Published struct {
	Routes    []Route    `json:"routes"`
	NodePorts []NodePort `json:"nodePorts"`
	// NodeAddress is where NodePorts are reached: a node's external IP,
	// else its internal one (on kind, the node container's address, which
	// the host reaches).
	NodeAddress string `json:"nodeAddress,omitempty"`
}

// Route is one path of an Ingress rule.
type Route struct {
	Host    string `json:"host"`
	Path    string `json:"path"`
	Backend string `json:"backend"`
	// TLS is true when the Ingress serves the host over HTTPS.
	TLS bool `json:"tls"`
}

// NodePort is a compose service's port published on every node.
type NodePort struct {
	Service  string `json:"service"`
	Port     int32  `json:"port"`
	Protocol string `json:"protocol"`
	NodePort int32  `json:"nodePort"`
}

// Published reads a deployment's Ingresses, NodePort Services and a node
// address.
func (a *Applier) Published(ctx context.Context, namespace, id string) (*Published, error) {
	sel := client.MatchingLabels{labels.App: id}
	var ings networkingv1.IngressList
	if err := a.client.List(ctx, &ings, client.InNamespace(namespace), sel); err != nil {
		return nil, fmt.Errorf("listing the Ingresses of %s: %w", id, err)
	}
	out := &Published{}
	for _, ing := range ings.Items {
		out.Routes = append(out.Routes, routes(ing)...)
	}
	var svcs corev1.ServiceList
	if err := a.client.List(ctx, &svcs, client.InNamespace(namespace), sel); err != nil {
		return nil, fmt.Errorf("listing the Services of %s: %w", id, err)
	}
	for _, s := range svcs.Items {
		if s.Spec.Type != corev1.ServiceTypeNodePort {
			continue
		}
		for _, p := range s.Spec.Ports {
			out.NodePorts = append(out.NodePorts, NodePort{Service: s.Annotations[labels.PublishesAnnotation], Port: p.TargetPort.IntVal, Protocol: string(p.Protocol), NodePort: p.NodePort})
		}
	}
	sort.Slice(out.NodePorts, func(i, j int) bool {
		x, y := out.NodePorts[i], out.NodePorts[j]
		return x.Service < y.Service || x.Service == y.Service && x.Port < y.Port
	})
	if len(out.NodePorts) == 0 {
		return out, nil // nodes are cluster-scoped: read them only when a port needs an address
	}
	addr, err := a.nodeAddress(ctx)
	if apierrors.IsForbidden(err) {
		// A namespace-scoped identity may not list nodes; the ports are
		// still worth showing, without the address.
		a.Log.V(1).Infof("not showing a node address: %v", err)
		return out, nil
	}
	out.NodeAddress = addr
	return out, err
}

func routes(ing networkingv1.Ingress) []Route {
	tls := map[string]bool{}
	for _, t := range ing.Spec.TLS {
		for _, h := range t.Hosts {
			tls[h] = true
		}
	}
	var out []Route
	for _, rule := range ing.Spec.Rules {
		if rule.HTTP == nil {
			continue
		}
		for _, p := range rule.HTTP.Paths {
			backend := ""
			if s := p.Backend.Service; s != nil {
				backend = fmt.Sprintf("%s:%d", s.Name, s.Port.Number)
			}
			out = append(out, Route{Host: rule.Host, Path: p.Path, Backend: backend, TLS: tls[rule.Host]})
		}
	}
	return out
}

// nodeAddress is the first node's ExternalIP, else its InternalIP.
func (a *Applier) nodeAddress(ctx context.Context) (string, error) {
	var nodes corev1.NodeList
	if err := a.client.List(ctx, &nodes); err != nil {
		return "", fmt.Errorf("listing the nodes: %w", err)
	}
	sort.Slice(nodes.Items, func(i, j int) bool { return nodes.Items[i].Name < nodes.Items[j].Name })
	for _, typ := range []corev1.NodeAddressType{corev1.NodeExternalIP, corev1.NodeInternalIP} {
		for _, n := range nodes.Items {
			for _, addr := range n.Status.Addresses {
				if addr.Type == typ {
					return addr.Address, nil
				}
			}
		}
	}
	return "", nil
}

// PodIPs lists the IPs of the running pods matching selector in namespace,
// sorted; exists is false when the namespace does not exist.
func (a *Applier) PodIPs(ctx context.Context, namespace string, selector map[string]string) (ips []string, exists bool, err error) {
	if err := a.client.Get(ctx, client.ObjectKey{Name: namespace}, &corev1.Namespace{}); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, false, nil
		}
		return nil, false, fmt.Errorf("reading namespace %s: %w", namespace, err)
	}
	var pods corev1.PodList
	if err := a.client.List(ctx, &pods, client.InNamespace(namespace), client.MatchingLabels(selector)); err != nil {
		return nil, true, fmt.Errorf("listing the pods of %s matching %v: %w", namespace, selector, err)
	}
	for _, p := range pods.Items {
		if p.Status.PodIP != "" && p.Status.Phase == corev1.PodRunning && p.DeletionTimestamp == nil {
			ips = append(ips, p.Status.PodIP)
		}
	}
	sort.Strings(ips)
	return ips, true, nil
}

// SecretData reads a Secret's data; exists is false when there is none.
func (a *Applier) SecretData(ctx context.Context, namespace, name string) (data map[string][]byte, exists bool, err error) {
	var s corev1.Secret
	err = a.client.Get(ctx, client.ObjectKey{Namespace: namespace, Name: name}, &s)
	switch {
	case apierrors.IsNotFound(err):
		return nil, false, nil
	case err != nil:
		return nil, false, fmt.Errorf("reading Secret %s/%s: %w", namespace, name, err)
	}
	return s.Data, true, nil
}
