package render

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-stack/kubectl-stack/pkg/compose"
	"github.com/kubectl-stack/kubectl-stack/pkg/deployment"
	"github.com/kubectl-stack/kubectl-stack/pkg/labels"
)

// depends_on orders the pods: a pod starts in the wave after the last of
// the pods it depends on, and deploy applies it only once those meet the
// conditions (started, healthy, completed), as docker compose starts a
// service only then. Services of one pod start together: an entry naming
// a service of the same pod cannot order anything and is warned about.

// conditions maps depends_on's conditions to the annotation's words.
var conditions = map[string]string{
	compose.ConditionStarted:   "started",
	compose.ConditionHealthy:   "ready",
	compose.ConditionCompleted: "completed",
}

// strength orders the conditions: a pod waits for the strongest any of
// its services asks of a dependency.
var strength = map[string]int{"started": 1, "ready": 2, "completed": 3}

// podDeps are, for each pod (by Compose name), the pods it waits for with
// the condition.
type podDeps map[string]map[string]string

// restartDeps are, for each pod, the pods whose restart restarts it
// (depends_on restart: true).
type restartDeps map[string][]string

// dependencies collects the pods' dependencies on other pods, and which of
// them restart the pod with them.
func (r *renderer) dependencies() (podDeps, restartDeps) {
	podOf := map[string]string{} // service (per file) → pod
	for _, c := range r.composes() {
		for _, name := range c.File.ServiceNames() {
			podOf[c.File.Path+"\x00"+name] = c.Name
		}
	}
	deps, restarts := podDeps{}, restartDeps{}
	for _, c := range r.composes() {
		for _, name := range c.File.ServiceNames() {
			for _, d := range c.File.Dependencies(name) {
				target, ok := podOf[c.File.Path+"\x00"+d.Service]
				switch {
				case !ok:
					continue
				case target == c.Name:
					if d.Condition != compose.ConditionStarted {
						r.warnf("%s: service %s: depends_on %s (%s) cannot order them: both run in pod %s, whose containers start together (set pod-per-service: true to give each its own pod)", c.File.Path, c.File.ServiceName(name), c.File.ServiceName(d.Service), d.Condition, c.Shown)
					}
					continue
				}
				if deps[c.Name] == nil {
					deps[c.Name] = map[string]string{}
				}
				if cond := conditions[d.Condition]; strength[cond] > strength[deps[c.Name][target]] {
					deps[c.Name][target] = cond
				}
				if d.Restart && !slices.Contains(restarts[c.Name], target) {
					restarts[c.Name] = append(restarts[c.Name], target)
				}
			}
		}
	}
	return deps, restarts
}

// waves is each pod's wave: 0 without dependencies, else one more than the
// highest wave among them (compose.Load refused cycles).
func (deps podDeps) waves() map[string]int {
	out := map[string]int{}
	var wave func(pod string, seen map[string]bool) int
	wave = func(pod string, seen map[string]bool) int {
		if w, ok := out[pod]; ok {
			return w
		}
		if seen[pod] {
			return 0
		}
		seen[pod] = true
		w := 0
		for dep := range deps[pod] {
			w = max(w, wave(dep, seen)+1)
		}
		out[pod] = w
		return w
	}
	for pod := range deps {
		wave(pod, map[string]bool{})
	}
	return out
}

// annotateWaves writes each workload's wave and what it waits for, for
// deploy, and the wave as Argo CD's sync wave, for pipelines.
func (r *renderer) annotateWaves() {
	deps, _ := r.dependencies()
	if len(deps) == 0 {
		return
	}
	waves := deps.waves()
	workload := map[string]string{} // pod → Kind/name
	for _, c := range r.d.Pods {
		workload[c.Name] = "Deployment/" + r.n.deployment(c.Name)
	}
	for _, c := range r.d.Jobs {
		workload[c.Name] = "Job/" + r.n.job(c.Name)
	}
	for _, o := range r.base {
		meta, pod := workloadMeta(o.obj, r.composes(), r)
		if meta == nil || waves[pod] == 0 {
			continue
		}
		var entries []string
		for _, dep := range slices.Sorted(maps.Keys(deps[pod])) {
			entries = append(entries, workload[dep]+"="+deps[pod][dep])
		}
		if meta.Annotations == nil {
			meta.Annotations = map[string]string{}
		}
		meta.Annotations[labels.WaveAnnotation] = strconv.Itoa(waves[pod])
		meta.Annotations[labels.ArgoSyncWave] = strconv.Itoa(waves[pod])
		meta.Annotations[labels.DependsOnAnnotation] = strings.Join(entries, ",")
	}
}

// workloadMeta is a rendered Deployment's or Job's metadata and its pod.
func workloadMeta(obj any, pods []deployment.Compose, r *renderer) (*metav1.ObjectMeta, string) {
	for _, c := range pods {
		switch o := obj.(type) {
		case *appsv1.Deployment:
			if o.Name == r.n.deployment(c.Name) {
				return &o.ObjectMeta, c.Name
			}
		case *batchv1.Job:
			if o.Name == r.n.job(c.Name) {
				return &o.ObjectMeta, c.Name
			}
		}
	}
	return nil, ""
}

// restartWithDependencies gives the pod template of a Deployment whose
// services depend on another pod with restart: true the digest of that
// pod's template, so that a change that rolls the dependency rolls the
// dependent too, as docker compose restarts it. Pods go in wave order, so
// that a chain of such entries rolls through. Run after hashConfig.
func (r *renderer) restartWithDependencies() {
	deps, restarts := r.dependencies()
	if len(restarts) == 0 {
		return
	}
	waves := deps.waves()
	templates := map[string]*appsv1.Deployment{}
	for _, o := range r.base {
		if d, ok := o.obj.(*appsv1.Deployment); ok {
			for _, c := range r.d.Pods {
				if d.Name == r.n.deployment(c.Name) {
					templates[c.Name] = d
				}
			}
		}
	}
	pods := slices.SortedFunc(maps.Keys(restarts), func(a, b string) int { return waves[a] - waves[b] })
	for _, pod := range pods {
		d := templates[pod]
		if d == nil {
			continue
		}
		h := sha256.New()
		for _, dep := range slices.Sorted(slices.Values(restarts[pod])) {
			if t := templates[dep]; t != nil {
				data, _ := json.Marshal(t.Spec.Template)
				h.Write(data)
			}
		}
		if d.Spec.Template.Annotations == nil {
			d.Spec.Template.Annotations = map[string]string{}
		}
		d.Spec.Template.Annotations[AnnotationRestartWith] = fmt.Sprintf("%x", h.Sum(nil))[:16]
	}
}

// AnnotationRestartWith is on a pod template that restarts with the pods
// it depends on (depends_on restart: true): their templates' digest.
const AnnotationRestartWith = "kubectl-stack.io/restart-with"
