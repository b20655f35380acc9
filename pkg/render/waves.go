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
func (r *renderer) annotateWaves(deps podDeps) {
	if len(deps) == 0 {
		return
	}
	waves := deps.waves()
	deployments, jobs := r.podWorkloads()
	for pod, w := range waves {
		meta := r.workloadMeta(pod, deployments, jobs)
		if meta == nil || w == 0 {
			continue
		}
		var entries []string
		for _, dep := range slices.Sorted(maps.Keys(deps[pod])) {
			entries = append(entries, r.workloadRef(dep, jobs)+"="+deps[pod][dep])
		}
		if meta.Annotations == nil {
			meta.Annotations = map[string]string{}
		}
		meta.Annotations[labels.WaveAnnotation] = strconv.Itoa(w)
		meta.Annotations[labels.ArgoSyncWave] = strconv.Itoa(w)
		meta.Annotations[labels.DependsOnAnnotation] = strings.Join(entries, ",")
	}
}

// podWorkloads maps each pod to its rendered Deployment, or Job.
func (r *renderer) podWorkloads() (map[string]*appsv1.Deployment, map[string]*batchv1.Job) {
	deployments, jobs := map[string]*appsv1.Deployment{}, map[string]*batchv1.Job{}
	podOf := map[string]string{}
	for _, c := range r.d.Pods {
		podOf["Deployment/"+r.n.deployment(c.Name)] = c.Name
	}
	for _, c := range r.d.Jobs {
		podOf["Job/"+r.n.job(c.Name)] = c.Name
	}
	for _, o := range r.base {
		switch w := o.obj.(type) {
		case *appsv1.Deployment:
			if pod, ok := podOf["Deployment/"+w.Name]; ok {
				deployments[pod] = w
			}
		case *batchv1.Job:
			if pod, ok := podOf["Job/"+w.Name]; ok {
				jobs[pod] = w
			}
		}
	}
	return deployments, jobs
}

// workloadMeta is the metadata of a pod's Deployment or Job.
func (r *renderer) workloadMeta(pod string, deployments map[string]*appsv1.Deployment, jobs map[string]*batchv1.Job) *metav1.ObjectMeta {
	if d, ok := deployments[pod]; ok {
		return &d.ObjectMeta
	}
	if j, ok := jobs[pod]; ok {
		return &j.ObjectMeta
	}
	return nil
}

// workloadRef is "Kind/name" of a pod's workload.
func (r *renderer) workloadRef(pod string, jobs map[string]*batchv1.Job) string {
	if _, ok := jobs[pod]; ok {
		return "Job/" + r.n.job(pod)
	}
	return "Deployment/" + r.n.deployment(pod)
}

// restartWithDependencies gives the pod template of a Deployment whose
// services depend on another pod with restart: true the digest of that
// pod's template, so that a change that rolls the dependency rolls the
// dependent too, as docker compose restarts it. Pods go in wave order, so
// that a chain of such entries rolls through. Run after hashConfig.
func (r *renderer) restartWithDependencies(deps podDeps, restarts restartDeps) {
	if len(restarts) == 0 {
		return
	}
	waves := deps.waves()
	templates, _ := r.podWorkloads()
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
