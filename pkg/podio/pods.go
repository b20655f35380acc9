package podio

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/rest"

	"github.com/kubectl-stack/kubectl-stack/pkg/labels"
)

// Pods lists a deployment's pods: its Deployments' (app=<id>) and its
// Jobs' (app=<id>-job), laconic-so's labels, sorted by name. With a
// service, only pods that run a container of that name (the compose
// service name).
func Pods(ctx context.Context, cs corev1client.CoreV1Interface, namespace, id, service string) ([]corev1.Pod, error) {
	var out []corev1.Pod
	for _, app := range labels.PodApps(id) {
		list, err := cs.Pods(namespace).List(ctx, metav1.ListOptions{LabelSelector: labels.Selector(app)})
		if err != nil {
			return nil, fmt.Errorf("listing the pods of %s in namespace %s: %w", id, namespace, err)
		}
		for _, p := range list.Items {
			if service == "" || slices.Contains(containerNames(p), service) {
				out = append(out, p)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// containerNames are a pod's init and app containers, in pod order.
func containerNames(p corev1.Pod) []string {
	var out []string
	for _, c := range p.Spec.InitContainers {
		out = append(out, c.Name)
	}
	for _, c := range p.Spec.Containers {
		out = append(out, c.Name)
	}
	return out
}

// Services lists the container names of pods, for error messages.
func Services(pods []corev1.Pod) []string {
	var out []string
	for _, p := range pods {
		out = append(out, containerNames(p)...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Select lists a deployment's pods that run a container of service (all
// pods when service is ""). A deployment without pods is a
// *NotDeployedError; a service none of its pods runs, a *NoServiceError
// that lists the services they do run.
func Select(ctx context.Context, cs corev1client.CoreV1Interface, namespace, id, service string) ([]corev1.Pod, error) {
	all, err := Pods(ctx, cs, namespace, id, "")
	if err != nil {
		return nil, err
	}
	if len(all) == 0 {
		return nil, &NotDeployedError{Namespace: namespace, ID: id}
	}
	var out []corev1.Pod
	for _, p := range all {
		if service == "" || slices.Contains(containerNames(p), service) {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return nil, &NoServiceError{Service: service, Services: Services(all)}
	}
	return out, nil
}

// NotDeployedError says a deployment has no pods.
type NotDeployedError struct{ Namespace, ID string }

func (e *NotDeployedError) Error() string {
	return fmt.Sprintf("no pods of %s in namespace %s: is it deployed?", e.ID, e.Namespace)
}

// NoServiceError names a service no pod of the deployment runs.
type NoServiceError struct {
	Service  string
	Services []string
}

func (e *NoServiceError) Error() string {
	return fmt.Sprintf("no container of service %q; the deployment's services are: %s", e.Service, strings.Join(e.Services, ", "))
}

// Connect returns a client of the core API group for cfg: the only group
// podio and the verbs reading pods and events use (the whole clientset
// would link every group's typed client into the binary).
func Connect(cfg *rest.Config) (corev1client.CoreV1Interface, error) {
	cs, err := corev1client.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("connecting to the cluster: %w", err)
	}
	return cs, nil
}
