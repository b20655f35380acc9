package apply

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/kubectl-stack/kubectl-stack/pkg/labels"
)

// DeploymentSummary is one deployment found on a cluster, from its
// inventory and its namespace's owner annotation.
type DeploymentSummary struct {
	Stack         string `json:"stack"`
	Namespace     string `json:"namespace"`
	DeploymentID  string `json:"deploymentID"`
	DeploymentDir string `json:"deploymentDir,omitempty"`
	Objects       int    `json:"objects"`
	PodsReady     int    `json:"podsReady"`
	Pods          int    `json:"pods"`
	// LastDeploy is when its inventory was last written (by a deploy).
	LastDeploy *time.Time `json:"lastDeploy,omitempty"`
}

// List finds every deployment on the cluster: one per inventory
// ConfigMap, with its namespace's owner and its pods' readiness.
func (a *Applier) List(ctx context.Context) ([]DeploymentSummary, error) {
	var cms corev1.ConfigMapList
	if err := a.client.List(ctx, &cms, client.MatchingLabels{labels.ManagedBy: labels.ManagedByValue}); err != nil {
		if apierrors.IsForbidden(err) {
			return nil, fmt.Errorf("listing the deployments' inventories: %w; list reads every namespace, which needs ConfigMaps listed at cluster scope (bind docs/rbac.yaml's kubectl-stack-deployer role with a ClusterRoleBinding); with namespace-scoped rights use kubectl stack status -d DIR", err)
		}
		return nil, fmt.Errorf("listing the deployments' inventories: %w", err)
	}
	owners := map[string]string{}
	if owned, err := a.Deployments(ctx); err == nil {
		for _, o := range owned {
			owners[o.Namespace] = o.Dir
		}
	}
	var out []DeploymentSummary
	for _, cm := range cms.Items {
		id, ok := strings.CutSuffix(cm.Name, InventorySuffix)
		if !ok || cm.Labels[labels.DeploymentID] != id {
			continue
		}
		s := DeploymentSummary{Stack: cm.Labels[labels.Stack], Namespace: cm.Namespace, DeploymentID: id, DeploymentDir: owners[cm.Namespace],
			Objects: len(strings.Fields(cm.Data[inventoryKey]))}
		for _, f := range cm.ManagedFields {
			if f.Manager == FieldManager && f.Time != nil && (s.LastDeploy == nil || f.Time.After(*s.LastDeploy)) {
				t := f.Time.Time
				s.LastDeploy = &t
			}
		}
		s.PodsReady, s.Pods = a.readyPods(ctx, cm.Namespace, id)
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].Namespace+"/"+out[i].DeploymentID < out[j].Namespace+"/"+out[j].DeploymentID
	})
	return out, nil
}

// readyPods counts a deployment's pods and the ready ones.
func (a *Applier) readyPods(ctx context.Context, namespace, id string) (ready, total int) {
	var pods corev1.PodList
	if a.client.List(ctx, &pods, client.InNamespace(namespace), client.MatchingLabels{labels.App: id}) != nil {
		return 0, 0
	}
	for _, p := range pods.Items {
		total++
		for _, c := range p.Status.Conditions {
			if c.Type == corev1.PodReady && c.Status == corev1.ConditionTrue {
				ready++
			}
		}
	}
	return ready, total
}
