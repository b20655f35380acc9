package apply

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/fluxcd/cli-utils/pkg/object"
	"github.com/fluxcd/pkg/ssa"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/kubectl-stack/kubectl-stack/pkg/labels"
)

// A Secret that deploy changed (a compose secret's file or variable, a
// rotated token) reaches no running pod: a mounted one is refreshed only
// where it is not a subPath, and environment variables never are. Its
// value is made at deploy and is not in the rendered tree, so render
// cannot hash it into the pod template as it does ConfigMaps. So after
// the apply, each Deployment whose pod template uses a changed Secret and
// that the apply did not change already is rolled, as kubectl rollout
// restart does: labels.SecretsChangedAnnotation on its pod template,
// written by rollManager. That field is not kubectl-stack's, so the next
// deploy neither removes it nor rolls again. restart --force rolls every
// Deployment the same way (Request.RollAll), with kubectl's restartedAt.

// rollManager is the field manager of the rolls' annotations.
const rollManager = "kubectl-stack-roll"

// rollAfterApply rolls the Deployments among objects that the apply left
// unchanged but that must roll: every one under rollAll, else those that
// use a Secret the entries say was configured. It marks their entries
// configured.
func (a *Applier) rollAfterApply(ctx context.Context, objects []*unstructured.Unstructured, entries []ssa.ChangeSetEntry, rollAll bool) error {
	changed := changedSecrets(entries)
	if len(changed) == 0 && !rollAll {
		return nil
	}
	now := time.Now().UTC().Format(time.RFC3339)
	deployments := map[object.ObjMetadata]*unstructured.Unstructured{}
	for _, o := range objects {
		if o.GetKind() == "Deployment" {
			deployments[objMeta(o)] = o
		}
	}
	for i, e := range entries {
		if e.Action != ssa.UnchangedAction && e.Action != ssa.SkippedAction {
			continue
		}
		o := deployments[e.ObjMetadata]
		if o == nil {
			continue
		}
		annotation, why := labels.RestartedAtAnnotation, "restart --force"
		if !rollAll {
			uses := usedSecrets(o, changed)
			if len(uses) == 0 {
				continue
			}
			annotation, why = labels.SecretsChangedAnnotation, "it uses the changed Secret "+strings.Join(uses, ", ")
		}
		if err := a.stampRoll(ctx, o, annotation, now); err != nil {
			return fmt.Errorf("rolling %s (%s): %w", o.GetName(), why, err)
		}
		entries[i].Action = ssa.ConfiguredAction
		a.progressf("Deployment/%s/%s rolled: %s", o.GetNamespace(), o.GetName(), why)
	}
	return nil
}

// changedSecrets are the names of the Secrets the entries configured.
func changedSecrets(entries []ssa.ChangeSetEntry) map[string]bool {
	out := map[string]bool{}
	for _, e := range entries {
		if e.ObjMetadata.GroupKind == (corev1.SchemeGroupVersion.WithKind("Secret").GroupKind()) && e.Action == ssa.ConfiguredAction {
			out[e.ObjMetadata.Name] = true
		}
	}
	return out
}

// usedSecrets are the Secrets among changed that the Deployment's pods
// mount or read variables from, sorted.
func usedSecrets(o *unstructured.Unstructured, changed map[string]bool) []string {
	var d appsv1.Deployment
	if runtime.DefaultUnstructuredConverter.FromUnstructured(o.Object, &d) != nil {
		return nil
	}
	var out []string
	add := func(name string) {
		if changed[name] && !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	spec := d.Spec.Template.Spec
	for _, v := range spec.Volumes {
		if v.Secret != nil {
			add(v.Secret.SecretName)
		}
		if v.Projected != nil {
			for _, s := range v.Projected.Sources {
				if s.Secret != nil {
					add(s.Secret.Name)
				}
			}
		}
	}
	for _, c := range slices.Concat(spec.InitContainers, spec.Containers) {
		for _, e := range c.Env {
			if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
				add(e.ValueFrom.SecretKeyRef.Name)
			}
		}
		for _, e := range c.EnvFrom {
			if e.SecretRef != nil {
				add(e.SecretRef.Name)
			}
		}
	}
	slices.Sort(out)
	return out
}

// stampRoll sets annotation to at on o's pod template.
func (a *Applier) stampRoll(ctx context.Context, o *unstructured.Unstructured, annotation, at string) error {
	patch, err := json.Marshal(map[string]any{"spec": map[string]any{"template": map[string]any{"metadata": map[string]any{
		"annotations": map[string]string{annotation: at}}}}})
	if err != nil {
		return err
	}
	target := &unstructured.Unstructured{}
	target.SetGroupVersionKind(o.GroupVersionKind())
	target.SetNamespace(o.GetNamespace())
	target.SetName(o.GetName())
	return a.client.Patch(ctx, target, client.RawPatch(types.MergePatchType, patch), client.FieldOwner(rollManager))
}
