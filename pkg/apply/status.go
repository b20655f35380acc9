package apply

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/fluxcd/cli-utils/pkg/kstatus/status"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/kubectl-stack/kubectl-stack/pkg/k8sname"
	"github.com/kubectl-stack/kubectl-stack/pkg/labels"
)

// Status is the live state of a deployment.
type Status struct {
	Namespace string         `json:"namespace"`
	Objects   []ObjectStatus `json:"objects"`
	Pods      []PodStatus    `json:"pods"`
}

// ObjectStatus is one inventory object's kstatus.
type ObjectStatus struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
	// Status is Current, InProgress, Failed, Terminating or NotFound.
	Status  string `json:"status"`
	Message string `json:"message,omitempty"`
	// Detail is kind-specific: the claim of a PV, hosts of an Ingress.
	Detail string `json:"detail,omitempty"`
}

// PodStatus is one pod of the deployment.
type PodStatus struct {
	Name     string `json:"name"`
	Phase    string `json:"phase"`
	Ready    string `json:"ready"`
	Restarts int32  `json:"restarts"`
	Node     string `json:"node,omitempty"`
	IP       string `json:"ip,omitempty"`
	// Ports are the containers' ports, port/protocol.
	Ports []string `json:"ports,omitempty"`
	// Owner is the Deployment or Job the pod belongs to.
	Owner string `json:"owner,omitempty"`
	// Services are the compose services the pod runs, as the compose
	// files write them (web.frontend, whose container is web-frontend).
	Services []string `json:"services,omitempty"`
	// Reason says why a Pending pod does not run.
	Reason string `json:"reason,omitempty"`
}

// Pods lists the deployment's pods: its Deployments' and its Jobs'.
func (a *Applier) Pods(ctx context.Context, namespace, id string) ([]PodStatus, error) {
	return a.pods(ctx, namespace, id)
}

// Status reads every object of the deployment's inventory (a LIST per
// kind) and its pods.
func (a *Applier) Status(ctx context.Context, namespace, id string) (*Status, error) {
	inv, err := a.readInventory(ctx, namespace, id)
	if err != nil {
		return nil, err
	}
	if !inv.exists {
		return nil, fmt.Errorf("namespace %s holds no inventory %s%s: the deployment has not been deployed (run kubectl stack deploy)", namespace, id, InventorySuffix)
	}
	st := &Status{Namespace: namespace}
	mounted := map[string]bool{} // claims the workloads mount
	claimOf := map[int]string{}  // index of a PV in st.Objects -> its claim
	lives, err := a.readAll(ctx, inv.entries)
	if err != nil {
		return nil, err
	}
	for _, m := range inv.entries {
		os := ObjectStatus{Kind: m.GroupKind.Kind, Namespace: m.Namespace, Name: m.Name}
		live, found := lives[key(m)]
		switch {
		case !found:
			os.Status = "NotFound"
		default:
			os.Status, os.Message = compute(live)
			os.Detail = detail(live)
			for _, claim := range claimsOf(live) {
				mounted[claim] = true
			}
			if claim, ok, _ := unstructured.NestedString(live.Object, "spec", "claimRef", "name"); ok && m.GroupKind.Kind == "PersistentVolume" {
				claimOf[len(st.Objects)] = claim
			}
		}
		st.Objects = append(st.Objects, os)
	}
	markOrphanedVolumes(st.Objects, mounted, claimOf)
	st.Pods, err = a.pods(ctx, namespace, id)
	return st, err
}

// OrphanedVolume marks, in a volume's Detail, a PVC no workload of the
// deployment mounts any more (the stack dropped it) and its PV: kept with
// their data, deleted only by stop --delete-volumes.
const OrphanedVolume = "orphaned: the stack no longer mounts it; stop --delete-volumes deletes it"

// markOrphanedVolumes marks the live PVCs no workload mounts, and the PVs
// (by index, with their claims in claimOf) bound to one of them.
func markOrphanedVolumes(objects []ObjectStatus, mounted map[string]bool, claimOf map[int]string) {
	orphaned := func(i int) { objects[i].Detail = strings.TrimSpace(objects[i].Detail + " " + OrphanedVolume) }
	orphanedClaims := map[string]bool{}
	for i, o := range objects {
		if o.Kind == "PersistentVolumeClaim" && o.Status != "NotFound" && !mounted[o.Name] {
			orphaned(i)
			orphanedClaims[o.Name] = true
		}
	}
	for i, claim := range claimOf {
		if orphanedClaims[claim] {
			orphaned(i)
		}
	}
}

// claimsOf are the PVCs a Deployment's or Job's pod template mounts.
func claimsOf(u *unstructured.Unstructured) []string {
	if u.GetKind() != "Deployment" && u.GetKind() != "Job" {
		return nil
	}
	volumes, _, _ := unstructured.NestedSlice(u.Object, "spec", "template", "spec", "volumes")
	var out []string
	for _, v := range volumes {
		if claim, ok, _ := unstructured.NestedString(v.(map[string]any), "persistentVolumeClaim", "claimName"); ok {
			out = append(out, claim)
		}
	}
	return out
}

func compute(u *unstructured.Unstructured) (string, string) {
	res, err := status.Compute(u)
	if err != nil {
		return "Unknown", err.Error()
	}
	return res.Status.String(), res.Message
}

// detail is what a person checks first for some kinds.
func detail(u *unstructured.Unstructured) string {
	switch u.GetKind() {
	case "PersistentVolume":
		phase, _, _ := unstructured.NestedString(u.Object, "status", "phase")
		claim, _, _ := unstructured.NestedString(u.Object, "spec", "claimRef", "name")
		return strings.TrimSpace(phase + " " + claim)
	case "PersistentVolumeClaim":
		phase, _, _ := unstructured.NestedString(u.Object, "status", "phase")
		volume, _, _ := unstructured.NestedString(u.Object, "spec", "volumeName")
		return strings.TrimSpace(phase + " " + volume)
	case "Ingress":
		rules, _, _ := unstructured.NestedSlice(u.Object, "spec", "rules")
		var hosts []string
		for _, r := range rules {
			if m, ok := r.(map[string]any); ok {
				if h, ok := m["host"].(string); ok {
					hosts = append(hosts, h)
				}
			}
		}
		return strings.Join(hosts, ",")
	}
	return ""
}

// pods lists the deployment's pods: its Deployments' (app=<id>) and its
// Jobs' (app=<id>-job).
// composeServices names a pod's containers by their compose services.
func composeServices(p corev1.Pod) []string {
	var out []string
	for _, c := range slices.Concat(p.Spec.InitContainers, p.Spec.Containers) {
		out = append(out, k8sname.ServiceName(p.Annotations[k8sname.AnnotationServices], c.Name))
	}
	return out
}

func (a *Applier) pods(ctx context.Context, namespace, id string) ([]PodStatus, error) {
	var out []PodStatus
	for _, app := range labels.PodApps(id) {
		var list corev1.PodList
		if err := a.client.List(ctx, &list, client.InNamespace(namespace), client.MatchingLabels{labels.App: app}); err != nil {
			return nil, fmt.Errorf("listing pods: %w", err)
		}
		for _, p := range list.Items {
			ready, restarts := 0, int32(0)
			for _, cs := range p.Status.ContainerStatuses {
				if cs.Ready {
					ready++
				}
				restarts += cs.RestartCount
			}
			var ports []string
			for _, c := range p.Spec.Containers {
				for _, cp := range c.Ports {
					ports = append(ports, fmt.Sprintf("%d/%s", cp.ContainerPort, strings.ToLower(string(cp.Protocol))))
				}
			}
			owner := ""
			if refs := p.OwnerReferences; len(refs) > 0 {
				owner = refs[0].Kind + "/" + refs[0].Name
			}
			out = append(out, PodStatus{
				Name: p.Name, Phase: string(p.Status.Phase), Ready: fmt.Sprintf("%d/%d", ready, len(p.Spec.Containers)),
				Restarts: restarts, Node: p.Spec.NodeName, IP: p.Status.PodIP, Ports: ports, Owner: owner,
				Services: composeServices(p), Reason: PendingReason(p),
			})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}
